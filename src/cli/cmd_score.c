/* zcnas score: one row per architecture with every requested proxy and its seconds. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char *usage_text =
    "Scores NAS-Bench-201 architectures with zero-cost proxies and writes one row per architecture:\n"
    "index, arch, then for each proxy its score and its seconds (<proxy>_seconds). epsilon is NaN\n"
    "(printed nan / null) for architectures whose constant-weight outputs collapse, as in the paper.\n"
    "Each network's random initialisation is seeded by (--seed, its benchmark index), so a score does not\n"
    "depend on what else is scored or on --threads; without the benchmark table (arch strings only) the\n"
    "index column is empty and the arch code seeds it instead (a note says so).\n\n"
    "examples:\n"
    "  zcnas score --arch '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'\n"
    "  zcnas score --index 0,17,100-199 --proxy zico --batch-size 128 --out scores.csv\n"
    "  zcnas score --sample 300 --seed 1 --data ~/cifar-10-batches-bin --format jsonl";

int cmd_score(int argc, char **argv)
{
    cli_opt opts[] = {
        {"space", "NAME", "search space", "nb201", 0},
        {"arch", "STR", "one architecture string", NULL, 0},
        {"index", "LIST", "benchmark indices, e.g. 3,17,100-199 (--index, --sample and --all need the benchmark table)", NULL, 0},
        {"arch-file", "FILE", "one arch string or index per line (# comments)", NULL, 0},
        {"sample", "K", "K distinct random architectures (seeded by --seed)", NULL, 0},
        {"all", NULL, "every architecture of the space", NULL, 0},
        {"bench", "FILE", "NB201 benchmark table (index <-> arch) [default: $ZCNAS_DATA/benchmarks/nb201_accuracy.csv]", NULL, 0},
        CLI_SCORING_OPTS,
        {"weights", "DIR", "load weights (.npy per state_dict key) instead of a fresh init (ZiCo)", NULL, 0},
        {"out", "FILE", "write rows here instead of standard output", NULL, 0},
        {"resume", NULL, "with --out: keep the rows already in FILE and score only the rest", NULL, 0},
        {"format", "FMT", "csv or jsonl", "csv", 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    int rc = cli_parse("score", usage_text, argc, argv, opts, n);
    if (rc >= 0) return rc;
    if (strcmp(cli_str(opts, n, "space"), "nb201"))
        return cli_error(CLI_USAGE, "--space: unknown search space '%s' (available: nb201)", cli_str(opts, n, "space"));
    const char *format = cli_str(opts, n, "format");
    if (strcmp(format, "csv") && strcmp(format, "jsonl"))
        return cli_error(CLI_USAGE, "--format: expected csv or jsonl, got '%s'", format);
    cli_scoring s;
    if ((rc = cli_scoring_parse(opts, n, &s))) return rc;
    cli_archs archs;
    if ((rc = cli_select_nb201(opts, n, &archs))) return rc;
    s.popts.weights_dir = cli_str(opts, n, "weights");
    if (s.popts.weights_dir && archs.n != 1) {
        cli_archs_free(&archs);
        return cli_error(CLI_USAGE, "--weights: loaded weights fit one architecture; select exactly one");
    }
    rc = cli_score_write(&s, &archs, cli_str(opts, n, "out"), !strcmp(format, "jsonl"), cli_flag(opts, n, "resume"));
    cli_archs_free(&archs);
    return rc;
}
