/* zcnas score: one row per architecture with every requested proxy and its seconds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char *usage_text =
    "Scores NAS-Bench-201 architectures with zero-cost proxies and writes one row per architecture:\n"
    "index, arch, then for each proxy its score and its seconds (<proxy>_seconds). epsilon is NaN\n"
    "(printed nan / null) for architectures whose constant-weight outputs collapse, as in the paper.\n\n"
    "examples:\n"
    "  zcnas score --arch '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'\n"
    "  zcnas score --index 0,17,100-199 --proxy zico --batch-size 128 --out scores.csv\n"
    "  zcnas score --sample 300 --seed 1 --data ~/cifar-10-batches-bin --format jsonl";

typedef struct score_ctx {
    cli_writer w;
    const cli_archs *archs;
    const cli_scoring *s;
    cli_progress progress;
    int n_done;
} score_ctx;

static int on_result(void *ctx, int i, const double *scores, const double *seconds)
{
    score_ctx *c = ctx;
    int np = c->s->n_proxies;
    double values[32];
    int is_int[32];
    for (int p = 0; p < np; p++) {
        const char *name = c->s->proxies[p]->name;
        values[2 * p] = scores[p];
        is_int[2 * p] = !strcmp(name, "params") || !strcmp(name, "flops");
        values[2 * p + 1] = seconds[p];
        is_int[2 * p + 1] = 0;
    }
    char arch[ZC_NB201_STR_MAX];
    zc_nb201_format(&c->archs->archs[i], arch, sizeof arch);
    cli_writer_row(&c->w, c->archs->index[i], arch, values, is_int);
    if (ferror(c->w.f)) return cli_error(CLI_RUNTIME, "error writing the output: %s", strerror(errno)), 1;
    cli_progress_step(&c->progress, ++c->n_done);
    return 0;
}

int cmd_score(int argc, char **argv)
{
    cli_opt opts[] = {
        {"space", "NAME", "search space", "nb201", 0},
        {"arch", "STR", "one architecture string", NULL, 0},
        {"index", "LIST", "benchmark indices, e.g. 3,17,100-199", NULL, 0},
        {"arch-file", "FILE", "one arch string or index per line (# comments)", NULL, 0},
        {"sample", "K", "K distinct random architectures (seeded by --seed)", NULL, 0},
        {"all", NULL, "every architecture of the space", NULL, 0},
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
    score_ctx c;
    memset(&c, 0, sizeof c);
    c.archs = &archs;
    c.s = &s;
    c.w.f = stdout;
    c.w.jsonl = !strcmp(format, "jsonl");
    const char *cols[32];
    char names[16][2][64];
    for (int p = 0; p < s.n_proxies; p++) {
        snprintf(names[p][0], 64, "%s", s.proxies[p]->name);
        snprintf(names[p][1], 64, "%s_seconds", s.proxies[p]->name);
        cols[2 * p] = names[p][0];
        cols[2 * p + 1] = names[p][1];
    }
    c.w.cols = cols;
    c.w.n_cols = 2 * s.n_proxies;
    const char *out = cli_str(opts, n, "out");
    int resume = cli_flag(opts, n, "resume"), appending = 0;
    if (resume && !out) { cli_archs_free(&archs); return cli_error(CLI_USAGE, "--resume needs --out FILE"); }
    if (resume && (rc = cli_resume_filter(out, &c.w, &archs, &appending))) { cli_archs_free(&archs); return rc; }
    if (out && !(c.w.f = fopen(out, appending ? "a" : "w"))) {
        cli_archs_free(&archs);
        return cli_error(CLI_RUNTIME, "--out: cannot open '%s': %s", out, strerror(errno));
    }
    if (!appending) cli_writer_header(&c.w);
    double t0 = cli_now();
    cli_progress_start(&c.progress, archs.n, "architectures");
    rc = cli_scoring_run(&s, &archs, on_result, &c);
    cli_progress_end(&c.progress);
    if (rc == CLI_OK && c.n_done != archs.n) rc = CLI_RUNTIME;
    if (rc == CLI_OK && archs.n > 1)
        /* (counts only what this run scored; --resume skipped the rest) */
        fprintf(stderr, "zcnas: scored %d architectures in %.1f s\n", archs.n, cli_now() - t0);
    if (out && fclose(c.w.f) != 0 && rc == CLI_OK) rc = cli_error(CLI_RUNTIME, "--out: error closing '%s'", out);
    cli_archs_free(&archs);
    return rc;
}
