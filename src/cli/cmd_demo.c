/* zcnas demo: scores a sample of NB201 architectures on the data in $ZCNAS_DATA (or --data / --bench)
 * and prints the scores beside the benchmark accuracy, then each proxy's rank correlation with it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

typedef struct demo_ctx {
    double *scores;     /* n_archs x n_proxies */
    int n_proxies, done;
    cli_progress progress;
} demo_ctx;

static int on_result(void *ctx, int i, const double *scores, const double *seconds)
{
    (void)seconds;
    demo_ctx *c = ctx;
    memcpy(c->scores + (size_t)i * c->n_proxies, scores, (size_t)c->n_proxies * sizeof *scores);
    cli_progress_step(&c->progress, ++c->done);
    return 0;
}

/* Batch sizes the data cannot fill (ImageNet16-120's sample has 106 images): an option left at its
 * default becomes the largest power of two the data holds, with a note; one the user gave is an error. */
static int fit_batches(cli_opt *opts, int n, cli_scoring *s, const zc_dataset *ds)
{
    struct { const char *opt, *what; int *bs, min; } b[] = {
        {"batch-size", "ZiCo batch", &s->batch_size, 1},
        {"eps-batch-size", "epsilon batch", &s->eps_batch_size, 2},
        {"base-batch-size", "baseline batch", &s->base_batch_size, 1},
        {"nwot-batch-size", "NASWOT batch", &s->nwot_batch_size, 2},
    };
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) {
        if (*b[i].bs <= ds->n) continue;
        if (cli_flag(opts, n, b[i].opt) || ds->n < b[i].min)
            return cli_error(CLI_USAGE, "--%s %d: the %s data holds only %d images", b[i].opt, *b[i].bs,
                             zc_dataset_name(ds->kind), ds->n);
        int fit = 1;
        while (fit * 2 <= ds->n) fit *= 2;
        fprintf(stderr, "zcnas: note: the %s data holds %d images: %s %d -> %d (--%s)\n", zc_dataset_name(ds->kind),
                ds->n, b[i].what, *b[i].bs, fit, b[i].opt);
        *b[i].bs = fit;
    }
    return CLI_OK;
}

int cmd_demo(int argc, char **argv)
{
    cli_opt opts[] = {
        {"sample", "K", "number of random NB201 architectures", "24", 0},
        CLI_SCORING_OPTS,
        {"bench", "FILE", "NB201 benchmark table [default: $ZCNAS_DATA/benchmarks/nb201_accuracy.csv]", NULL, 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    int rc = cli_parse("demo", "Scores a random sample of NAS-Bench-201 architectures with the --proxy list (default: ZiCo,\n"
                       "epsilon, params and FLOPs; --proxy all for every proxy) on the training images of --dataset\n"
                       "and compares the scores with the benchmark's 200-epoch test accuracy. Data and table come from\n"
                       "--data / --bench or $ZCNAS_DATA. Batch sizes left at their defaults are reduced to the largest\n"
                       "power of two the data holds when it holds fewer images (a note says so).",
                       argc, argv, opts, n);
    if (rc >= 0) return rc;
    cli_scoring s;
    if ((rc = cli_scoring_parse(opts, n, &s))) return rc;
    /* The data first: without it there is no demo, and its message says where to get it. */
    char dir[4096];
    zc_dataset ds;
    memset(&ds, 0, sizeof ds);
    if ((rc = cli_dataset_path(s.data_opt, s.dataset, dir, sizeof dir))) return rc;
    if (zc_dataset_load(&ds, s.dataset, dir) != ZC_OK) return cli_error(CLI_RUNTIME, "%s", zc_last_error());
    s.loaded = &ds;
    if ((rc = fit_batches(opts, n, &s, &ds))) { zc_dataset_free(&ds); return rc; }
    cli_find(opts, n, "sample")->given = 1;   /* the demo always samples */
    cli_archs archs;
    if ((rc = cli_select_nb201(opts, n, &archs))) { zc_dataset_free(&ds); return rc; }
    char bench_path[4096];
    zc_bench_table table;
    memset(&table, 0, sizeof table);
    if ((rc = cli_bench_path(cli_str(opts, n, "bench"), bench_path, sizeof bench_path)) ||
        zc_bench_table_load(&table, bench_path) != ZC_OK) {
        cli_archs_free(&archs);
        zc_dataset_free(&ds);
        return rc ? rc : cli_fail_status(ZC_EIO);
    }
    const char *target = s.dataset == ZC_CIFAR10 ? "cifar10_test" : s.dataset == ZC_CIFAR100 ? "cifar100_test"
                                                                                                : "imagenet16_test";
    int col = zc_bench_table_col(&table, target);
    if (col < 0) {
        zc_bench_table_free(&table);
        cli_archs_free(&archs);
        zc_dataset_free(&ds);
        return cli_error(CLI_RUNTIME, "%s: no column '%s'", bench_path, target);
    }
    demo_ctx c;
    memset(&c, 0, sizeof c);
    c.n_proxies = s.n_proxies;
    c.scores = calloc((size_t)archs.n * s.n_proxies, sizeof *c.scores);
    double *acc = calloc((size_t)archs.n, sizeof *acc);
    if (!c.scores || !acc) rc = cli_error(CLI_RUNTIME, "out of memory");
    if (rc == CLI_OK) {
        printf("zcnas demo: %d random NAS-Bench-201 architectures (seed %llu), %d %s images from %s\n", archs.n,
               (unsigned long long)s.seed, ds.n, zc_dataset_name(s.dataset), dir);
        printf("ZiCo: %d batches of %d; epsilon: batch %d, weights %g and %g\n\n", s.n_batches, s.batch_size,
               s.eps_batch_size, s.popts.eps_w_low, s.popts.eps_w_high);
        fflush(stdout);
        double t0 = cli_now();
        cli_progress_start(&c.progress, archs.n, "architectures", s.quiet, s.progress_every);
        rc = cli_scoring_run(&s, &archs, on_result, &c);
        cli_progress_end(&c.progress);
        if (rc == CLI_OK && !s.quiet) fprintf(stderr, "zcnas: scored %d architectures in %.1f s\n\n", archs.n, cli_now() - t0);
    }
    if (rc == CLI_OK) {
        printf("%6s  %8s", "index", target);
        for (int p = 0; p < s.n_proxies; p++) printf("  %12s", s.proxies[p]->name);
        printf("\n");
        for (int i = 0; i < archs.n; i++) {
            int row = zc_bench_table_row_of_index(&table, archs.index[i]);
            acc[i] = row >= 0 ? table.values[(size_t)row * table.n_cols + col] : NAN;
            printf("%6d  %8.2f", archs.index[i], acc[i]);
            for (int p = 0; p < s.n_proxies; p++) {
                const char *name = s.proxies[p]->name;
                double v = c.scores[(size_t)i * s.n_proxies + p];
                if (!strcmp(name, "params") || !strcmp(name, "flops")) printf("  %12.0f", v);
                else printf("  %12.6g", v);
            }
            printf("\n");
        }
        printf("\nrank correlation with %s (NaN scores excluded):\n", target);
        printf("%10s  %9s  %9s  %6s\n", "proxy", "spearman", "kendall", "archs");
        double *col_scores = malloc((size_t)archs.n * sizeof *col_scores);
        for (int p = 0; col_scores && p < s.n_proxies; p++) {
            for (int i = 0; i < archs.n; i++) col_scores[i] = c.scores[(size_t)i * s.n_proxies + p];
            zc_corr r = zc_correlate(col_scores, acc, (size_t)archs.n);
            printf("%10s  %9.3f  %9.3f  %6zu\n", s.proxies[p]->name, r.spearman, r.kendall, r.n);
        }
        free(col_scores);
    }
    free(acc);
    free(c.scores);
    zc_bench_table_free(&table);
    cli_archs_free(&archs);
    zc_dataset_free(&ds);
    return rc;
}
