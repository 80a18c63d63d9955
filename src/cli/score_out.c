/* Scoring architectures into rows (CSV or JSON lines) on standard output or in a file, with
 * --resume: shared by `score` and `reproduce`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

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

int cli_score_write(const cli_scoring *s, cli_archs *archs, const char *out, int jsonl, int resume)
{
    score_ctx c;
    memset(&c, 0, sizeof c);
    c.archs = archs;
    c.s = s;
    c.w.f = stdout;
    c.w.jsonl = jsonl;
    const char *cols[32];
    char names[16][2][64];
    for (int p = 0; p < s->n_proxies; p++) {
        snprintf(names[p][0], 64, "%s", s->proxies[p]->name);
        snprintf(names[p][1], 64, "%s_seconds", s->proxies[p]->name);
        cols[2 * p] = names[p][0];
        cols[2 * p + 1] = names[p][1];
    }
    c.w.cols = cols;
    c.w.n_cols = 2 * s->n_proxies;
    int rc, appending = 0;
    if (resume && !out) return cli_error(CLI_USAGE, "--resume needs --out FILE");
    /* The data before any output: a missing dataset leaves no header-only file behind. */
    cli_scoring sl = *s;
    zc_dataset ds;
    if ((rc = cli_scoring_load(&sl, &ds))) return rc;
    s = &sl;
    c.s = s;
    if (resume && (rc = cli_resume_filter(out, &c.w, archs, &appending))) {
        zc_dataset_free(&ds);
        return rc;
    }
    if (out && !(c.w.f = fopen(out, appending ? "a" : "w"))) {
        zc_dataset_free(&ds);
        return cli_error(CLI_RUNTIME, "--out: cannot open '%s': %s", out, strerror(errno));
    }
    if (!appending) cli_writer_header(&c.w);
    double t0 = cli_now();
    cli_progress_start(&c.progress, archs->n, "architectures", s->quiet, s->progress_every);
    rc = cli_scoring_run(s, archs, on_result, &c);
    cli_progress_end(&c.progress);
    if (rc == CLI_OK && c.n_done != archs->n) rc = CLI_RUNTIME;
    if (rc == CLI_OK && archs->n > 1 && !s->quiet)
        /* (counts only what this run scored; --resume skipped the rest) */
        fprintf(stderr, "zcnas: scored %d architectures in %.1f s\n", archs->n, cli_now() - t0);
    if (out && fclose(c.w.f) != 0 && rc == CLI_OK) rc = cli_error(CLI_RUNTIME, "--out: error closing '%s'", out);
    zc_dataset_free(&ds);
    return rc;
}
