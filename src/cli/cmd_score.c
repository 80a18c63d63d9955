/* zcnas score: one row per architecture with every requested proxy and its seconds. */
#include <string.h>
#include "cli.h"

static const char *usage_text =
    "Scores architectures of any space with zero-cost proxies and writes one row per architecture:\n"
    "index, arch, then for each proxy its score and its seconds (<proxy>_seconds). epsilon is NaN\n"
    "(printed nan / null) for architectures whose constant-weight outputs collapse, as in the paper.\n"
    "Each network's random initialisation is seeded by (--seed, its benchmark index), so a score does not\n"
    "depend on what else is scored or on --threads; without the benchmark table (arch strings only) the\n"
    "index column is empty and the arch code seeds it instead (a note says so).\n\n"
    "examples:\n"
    "  zcnas score --arch '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'\n"
    "  zcnas score --index 0,17,100-199 --proxy zico --batch-size 128 --out scores.csv\n"
    "  zcnas score --sample 300 --seed 1 --data ~/cifar-10-batches-bin --format jsonl\n"
    "  zcnas score --space zennas --arch \"$(cat ZiCo-450M.txt)\" --proxy params,flops,zico --resolution 64\n"
    "  zcnas score --space nbnlp --dataset wikitext2 --arch-file recipes.txt --proxy params,epsilon,zico --batch-size 16";

int cmd_score(int argc, char **argv)
{
    cli_opt opts[] = {
        CLI_SPACE_OPTS,
        CLI_SELECT_OPTS,
        CLI_PROXY_OPTS,
        {"weights", "DIR", "load weights (.npy per state_dict key) instead of a fresh init (one architecture)", NULL, 0},
        {"out", "FILE", "write rows here instead of standard output", NULL, 0},
        {"resume", NULL, "with --out: keep the rows already in FILE and score only the rest", NULL, 0},
        {"format", "FMT", "csv or jsonl", "csv", 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    int rc = cli_parse("score", usage_text, argc, argv, opts, n);
    if (rc >= 0) return rc;
    const char *format = cli_str(opts, n, "format");
    if (strcmp(format, "csv") && strcmp(format, "jsonl"))
        return cli_error(CLI_USAGE, "--format: expected csv or jsonl, got '%s'", format);
    const char *out = cli_str(opts, n, "out");
    if (cli_flag(opts, n, "resume") && !out) return cli_error(CLI_USAGE, "--resume needs --out FILE");
    zc_space_ctx *ctx;
    zc_dataset_kind kind;
    if ((rc = cli_open_space(opts, n, cli_select_needs_index(opts, n), &ctx, &kind))) return rc;
    cli_scoring s;
    zc_arch_list archs;
    zc_arch_list_init(&archs, ctx);
    zc_run *run = NULL;
    if ((rc = cli_scoring_parse(opts, n, ctx, kind, &s)) || (rc = cli_select(opts, n, &archs))) goto done;
    s.run.proxy_opts.weights_dir = cli_str(opts, n, "weights");
    if (s.run.proxy_opts.weights_dir && archs.n != 1) {
        rc = cli_error(CLI_USAGE, "--weights: loaded weights fit one architecture; select exactly one");
        goto done;
    }
    cli_progress progress;
    cli_progress_start(&progress, archs.n, "architectures", s.quiet, s.progress_every);
    s.run.on_progress = cli_progress_callback;
    s.run.progress_ctx = &progress;
    zc_status st = zc_run_open(&s.run, &run);   /* the data first: a missing dataset leaves no output file */
    if (st != ZC_OK) { rc = cli_fail_run(st); goto done; }
    cli_note_streams(ctx, &s.run, &archs);
    zc_output o = {out, !strcmp(format, "jsonl") ? ZC_FORMAT_JSONL : ZC_FORMAT_CSV, cli_flag(opts, n, "resume")};
    zc_write_report rep;
    double t0 = cli_now();
    st = zc_run_write(run, &archs, &o, &rep);
    cli_progress_end(&progress);
    if (st != ZC_OK) {
        rc = o.resume ? cli_fail_prefix(st, "--resume") : cli_fail_status(st);
        goto done;
    }
    if (o.resume && !s.quiet)
        fprintf(stderr, "zcnas: resumed '%s': %d rows kept, %d architectures scored now\n", out, rep.kept, rep.scored);
    if (rep.scored > 1 && !s.quiet)
        fprintf(stderr, "zcnas: scored %d architectures in %.1f s\n", rep.scored, cli_now() - t0);
done:
    zc_run_close(run);
    zc_arch_list_free(&archs);
    zc_space_close(ctx);
    return rc;
}
