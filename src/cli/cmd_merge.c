/* zcnas merge: the shard files of `zcnas score --shard I/N` back into the single run's output. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char *usage_text =
    "Joins the N files of `zcnas score ... --shard I/N --out FILE` (N independent jobs, e.g. a Slurm job\n"
    "array, each scoring positions I-1, I-1+N, ... of the same selection) into the file one run would have\n"
    "written: its fingerprint line, header and rows in the selection's order. The files may be given in any\n"
    "order. Every shard must be complete and of the same run and selection (their fingerprints say so);\n"
    "otherwise nothing is written and the message names the file: a missing or repeated shard, a torn or\n"
    "short one (finish it with --resume), or shards of different runs (the first difference).\n\n"
    "usage: zcnas merge [--out FILE] SHARD_FILE...\n\n"
    "examples:\n"
    "  for i in 1 2 3 4; do zcnas score --all --proxy zico --shard $i/4 --out zico-$i.csv & done; wait\n"
    "  zcnas merge --out zico.csv zico-*.csv\n\n"
    "In a Slurm job array: zcnas score ... --shard $((SLURM_ARRAY_TASK_ID+1))/$SLURM_ARRAY_TASK_COUNT --out part-$SLURM_ARRAY_TASK_ID.csv";

int cmd_merge(int argc, char **argv)
{
    cli_opt opts[] = {
        {"out", "FILE", "write the merged file here (written whole) instead of standard output", NULL, 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    /* the shard files are the arguments that are neither options nor --out's value */
    char **option_args = malloc((size_t)(argc + 1) * sizeof *option_args);
    const char **files = malloc((size_t)(argc + 1) * sizeof *files);
    if (!option_args || !files) {
        free(option_args);
        free(files);
        return cli_error(CLI_RUNTIME, "out of memory");
    }
    int na = 0, nf = 0;
    option_args[na++] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "--", 2)) {
            option_args[na++] = argv[i];
            if (!strcmp(argv[i], "--out") && i + 1 < argc) option_args[na++] = argv[++i];
        } else {
            files[nf++] = argv[i];
        }
    }
    option_args[na] = NULL;
    int rc = cli_parse("merge", usage_text, na, option_args, opts, n);
    if (rc < 0) {
        const char *out = cli_str(opts, n, "out");
        int rows = 0;
        zc_status st;
        if (!nf) rc = cli_error(CLI_USAGE, "merge: give the shard files (zcnas merge --out FILE SHARD_FILE...)");
        else if ((st = zc_merge_shards(files, nf, out, &rows)) != ZC_OK) rc = cli_fail_status(st);
        else {
            rc = CLI_OK;
            if (out) fprintf(stderr, "zcnas: merged %d shards: %d rows into %s\n", nf, rows, out);
        }
    }
    free(option_args);
    free(files);
    return rc;
}
