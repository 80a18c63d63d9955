/* zcnas: training-free neural architecture search from the command line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "zcnas/dist.h"

typedef struct cli_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} cli_cmd;

static const cli_cmd commands[] = {
    {"score", "score architectures of any space with zero-cost proxies (CSV / JSON lines)", cmd_score},
    {"info", "print an architecture's structure, parameters and FLOPs", cmd_info},
    {"init", "write a network's initial weights as .npy files (PyTorch state_dict names)", cmd_init},
    {"demo", "score a sample of NB201 on real data and compare with the benchmark's accuracy", cmd_demo},
    {"eval", "rank correlations of score columns against a benchmark table", cmd_eval},
    {"reproduce", "reproduce the papers' correlation tables (all proxies, report folder)", cmd_reproduce},
    {"search", "zero-shot search of any space (random, ageing evolution, ZiCo's evolution)", cmd_search},
    {"merge", "join the shard files of score --shard I/N into the single run's output", cmd_merge},
};
#define N_COMMANDS (int)(sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    /* One column width for both lists, from the longest name. */
    int w = 0;
    for (int i = 0; i < N_COMMANDS; i++)
        if ((int)strlen(commands[i].name) > w) w = (int)strlen(commands[i].name);
    for (const zc_proxy *const *p = zc_proxy_all(); *p; p++)
        if ((int)strlen((*p)->name) > w) w = (int)strlen((*p)->name);
    for (const zc_space *const *s = zc_space_all(); *s; s++)
        if ((int)strlen((*s)->name) > w) w = (int)strlen((*s)->name);
    fprintf(f, "zcnas %s - training-free (zero-cost) neural architecture search\n\n"
               "usage: zcnas COMMAND [options]   (zcnas COMMAND --help for its options)\n\ncommands:\n",
            ZCNAS_VERSION);
    for (int i = 0; i < N_COMMANDS; i++) fprintf(f, "  %-*s  %s\n", w, commands[i].name, commands[i].summary);
    fprintf(f, "\nspaces (--space):\n");
    for (const zc_space *const *s = zc_space_all(); *s; s++) fprintf(f, "  %-*s  %s\n", w, (*s)->name, (*s)->title);
    fprintf(f, "\nproxies (--proxy):\n");
    for (const zc_proxy *const *p = zc_proxy_all(); *p; p++) fprintf(f, "  %-*s  %s\n", w, (*p)->name, (*p)->help);
    fprintf(f, "\ndata: datasets and benchmark tables are read from --data / --bench, else from the directory\n"
               "$%s (cifar10/, cifar100/, imagenet16/, benchmarks/); zcnas ships none of them.\n", ZC_DATA_ENV);
    fprintf(f, "\nexit status: 0 success, 1 runtime error (files, data, numerics), 2 usage error\n");
}

/* Whatever a command printed must have reached standard output: a full disk or a closed pipe turns a
 * success into a runtime error (as coreutils' close_stdout), never a silent exit 0. */
static int finish_stdout(int rc)
{
    int err = fflush(stdout) != 0 || ferror(stdout);
    int saved = errno;
    if (err && rc == CLI_OK) {
        fprintf(stderr, "zcnas: error writing standard output: %s\n", saved ? strerror(saved) : "write failed");
        return CLI_RUNTIME;
    }
    return rc;
}

static int run_command(int argc, char **argv)
{
    if (argc < 2) { usage(stderr); return CLI_USAGE; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return finish_stdout(CLI_OK);
    }
    if (!strcmp(argv[1], "--version")) { printf("zcnas %s\n", ZCNAS_VERSION); return finish_stdout(CLI_OK); }
    for (int i = 0; i < N_COMMANDS; i++)
        if (!strcmp(argv[1], commands[i].name)) return finish_stdout(commands[i].run(argc - 1, argv + 1));
    return cli_error(CLI_USAGE, "unknown command '%.200s' (try zcnas --help)", argv[1]);
}

int main(int argc, char **argv)
{
    errno = 0;
    int rc = cli_dist_start(&argc, &argv);
    if (rc) return rc;
    /* Under MPI the ranks share score, search and reproduce; any other command runs on rank 0 alone. */
    if (zc_dist_rank() == 0 || (argc >= 2 && cli_dist_shares(argv[1]))) rc = run_command(argc, argv);
    return cli_dist_end(rc);
}
