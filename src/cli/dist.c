/* The CLI's side of a job over MPI ranks (zcnas/dist.h): which commands share their scoring, where the
 * other ranks turn to serving, and what they print (nothing: rank 0 speaks for the job). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "zcnas/dist.h"

int cli_dist_start(int *argc, char ***argv)
{
    zc_status st = zc_dist_init(argc, argv);
    if (st != ZC_OK) return cli_fail_status(st);
    /* The other ranks print nothing (rank 0 reports their errors); ZCNAS_DIST_VERBOSE=1 keeps their
     * standard error, for debugging a node. */
    if (zc_dist_rank() > 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            fflush(stdout);
            dup2(null, STDOUT_FILENO);
            const char *v = getenv("ZCNAS_DIST_VERBOSE");
            if (!v || strcmp(v, "1")) fflush(stderr), dup2(null, STDERR_FILENO);
            close(null);
        }
    }
    return CLI_OK;
}

int cli_dist_shares(const char *command)
{
    return !strcmp(command, "score") || !strcmp(command, "search") || !strcmp(command, "reproduce");
}

void cli_dist_scoring(zc_run_opts *ro)
{
    if (zc_dist_size() < 2) return;
    if (ro->threads <= 0) {   /* the cores shared among this machine's ranks */
        int t = zc_cpu_count() / (zc_dist_local_size() > 0 ? zc_dist_local_size() : 1);
        ro->threads = t > 0 ? t : 1;
    }
    if (zc_dist_rank() == 0) {
        ro->remote = zc_dist_remote();
        return;
    }
    zc_status st = zc_dist_serve(ro);
    int rc = st == ZC_OK ? CLI_OK : cli_fail_status(st);
    exit(zc_dist_finish(rc, cli_last_error()));
}

int cli_dist_end(int rc)
{
    return zc_dist_finish(rc, cli_last_error());
}
