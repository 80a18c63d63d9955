/* zcnas demo: scores a sample of NB201 architectures on the data in $ZCNAS_DATA (or --data / --bench)
 * and prints the scores beside the benchmark accuracy, then each proxy's rank correlation with it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

typedef struct demo_ctx {
    double *scores;     /* n_archs x n_proxies */
    int n_proxies;
} demo_ctx;

static int on_result(void *ctx, int i, const double *scores, const double *seconds)
{
    (void)seconds;
    demo_ctx *c = ctx;
    memcpy(c->scores + (size_t)i * c->n_proxies, scores, (size_t)c->n_proxies * sizeof *scores);
    return 0;
}

/* Batch sizes the data cannot fill (ImageNet16-120's sample has 106 images): an option left at its
 * default becomes the largest power of two the data holds, with a note; one the user gave is an error. */
static int fit_batches(cli_opt *opts, int n, zc_run_opts *o, const zc_dataset *ds)
{
    static const struct { const char *opt, *what; int min; } names[] = {
        {"batch-size", "ZiCo batch", 1}, {"eps-batch-size", "epsilon batch", 2},
        {"base-batch-size", "baseline batch", 1}, {"nwot-batch-size", "NASWOT batch", 2}};
    for (int i = 0; i < o->n_lanes && i < 4; i++) {
        int *bs = &o->lanes[i].batch_size;
        if (*bs <= ds->n) continue;
        if (cli_flag(opts, n, names[i].opt) || ds->n < names[i].min)
            return cli_error(CLI_USAGE, "--%s %d: the %s data holds only %d images", names[i].opt, *bs,
                             zc_dataset_name(ds->kind), ds->n);
        int fit = 1;
        while (fit * 2 <= ds->n) fit *= 2;
        fprintf(stderr, "zcnas: note: the %s data holds %d images: %s %d -> %d (--%s)\n", zc_dataset_name(ds->kind),
                ds->n, names[i].what, *bs, fit, names[i].opt);
        *bs = fit;
    }
    return CLI_OK;
}

/* Score slot k's name and proxy (a proxy may write several sub-scores). */
static const char *slot_name(const zc_run_opts *o, int k, const zc_proxy **proxy)
{
    for (int p = 0; p < o->n_proxies; p++) {
        int m = zc_proxy_n_outputs(o->proxies[p]);
        if (k < m) { *proxy = o->proxies[p]; return zc_proxy_output(o->proxies[p], k); }
        k -= m;
    }
    return NULL;
}

static void print_table(const zc_run_opts *o, const zc_arch_list *archs, const double *scores, const double *acc,
                        const char *target)
{
    int np = zc_run_opts_n_scores(o);
    const zc_proxy *px = NULL;
    printf("%6s  %8s", "index", target);
    for (int p = 0; p < np; p++) printf("  %12s", slot_name(o, p, &px));
    printf("\n");
    for (int i = 0; i < archs->n; i++) {
        printf("%6ld  %8.2f", archs->index[i], acc[i]);
        for (int p = 0; p < np; p++) {
            double v = scores[(size_t)i * np + p];
            slot_name(o, p, &px);
            if (px->is_count) printf("  %12.0f", v);
            else printf("  %12.6g", v);
        }
        printf("\n");
    }
    printf("\nrank correlation with %s (NaN scores excluded):\n", target);
    printf("%10s  %9s  %9s  %6s\n", "proxy", "spearman", "kendall", "archs");
    double *col = malloc((size_t)(archs->n ? archs->n : 1) * sizeof *col);
    for (int p = 0; col && p < np; p++) {
        for (int i = 0; i < archs->n; i++) col[i] = scores[(size_t)i * np + p];
        zc_corr r = zc_correlate(col, acc, (size_t)archs->n);
        printf("%10s  %9.3f  %9.3f  %6zu\n", slot_name(o, p, &px), r.spearman, r.kendall, r.n);
    }
    free(col);
}

int cmd_demo(int argc, char **argv)
{
    cli_opt opts[] = {
        {"sample", "K", "number of random NB201 architectures", "24", 0},
        CLI_PROXY_OPTS,
        {"dataset", "NAME", "cifar10, cifar100 or imagenet16", "cifar10", 0},
        {"bench", "FILE", "NB201 benchmark table [default: $ZCNAS_DATA/benchmarks/nb201_accuracy.csv]", NULL, 0},
        {"space", "NAME", "nb201 (the only space with a benchmark of accuracies here)", "nb201", 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    int rc = cli_parse("demo", "Scores a random sample of NAS-Bench-201 architectures with the --proxy list (default: ZiCo,\n"
                       "epsilon, params and FLOPs; --proxy all for every proxy) on the training images of --dataset\n"
                       "and compares the scores with the benchmark's 200-epoch test accuracy. Data and table come from\n"
                       "--data / --bench or $ZCNAS_DATA. Batch sizes left at their defaults are reduced to the largest\n"
                       "power of two the data holds when it holds fewer images (a note says so).",
                       argc, argv, opts, n);
    if (rc >= 0) return rc;
    if (strcmp(cli_str(opts, n, "space"), "nb201")) return cli_error(CLI_USAGE, "--space: the demo runs on nb201");
    zc_dataset_kind kind;
    if (zc_dataset_kind_parse(cli_str(opts, n, "dataset"), &kind) != ZC_OK) return cli_fail_prefix(ZC_EINVAL, "--dataset");
    /* The data first: without it there is no demo, and its message says where to get it. */
    char dir[4096];
    zc_dataset ds;
    memset(&ds, 0, sizeof ds);
    if (zc_data_dataset_path(kind, cli_str(opts, n, "data"), dir, sizeof dir) != ZC_OK ||
        zc_dataset_load(&ds, kind, dir) != ZC_OK)
        return cli_fail_status(ZC_EIO);
    zc_space_ctx *ctx = NULL;
    zc_bench_table table;
    memset(&table, 0, sizeof table);
    zc_arch_list archs;
    zc_run *run = NULL;
    demo_ctx c = {NULL, 0};
    double *acc = NULL;
    cli_scoring s;
    zc_status st;
    char bench_path[4096];
    int col = -1;
    const char *target = kind == ZC_CIFAR10 ? "cifar10_test" : kind == ZC_CIFAR100 ? "cifar100_test" : "imagenet16_test";
    cli_find(opts, n, "sample")->given = 1;   /* the demo always samples */
    if ((rc = cli_open_space(opts, n, 1, &ctx, &kind))) { zc_dataset_free(&ds); return rc; }
    zc_arch_list_init(&archs, ctx);
    if ((rc = cli_scoring_parse(opts, n, ctx, kind, &s)) || (rc = fit_batches(opts, n, &s.run, &ds)) ||
        (rc = cli_select(opts, n, &archs)))
        goto done;
    s.run.loaded = &ds;
    if ((st = zc_data_bench_path("nb201_accuracy.csv", cli_str(opts, n, "bench"), bench_path, sizeof bench_path)) != ZC_OK ||
        (st = zc_bench_table_load(&table, bench_path)) != ZC_OK ||
        (st = zc_table_find(&table, bench_path, "target", target, &col)) != ZC_OK) {
        rc = cli_fail_status(st);
        goto done;
    }
    c.n_proxies = zc_run_opts_n_scores(&s.run);
    c.scores = calloc((size_t)archs.n * c.n_proxies, sizeof *c.scores);
    acc = calloc((size_t)archs.n, sizeof *acc);
    if (!c.scores || !acc) { rc = cli_error(CLI_RUNTIME, "out of memory"); goto done; }
    int zb = 0, nb = 0, eb = 0;
    for (int i = 0; i < s.run.n_lanes; i++) {
        if (!strcmp(s.run.lanes[i].lane, "zico")) { zb = s.run.lanes[i].batch_size; nb = s.run.lanes[i].n_batches; }
        if (!strcmp(s.run.lanes[i].lane, "epsilon")) eb = s.run.lanes[i].batch_size;
    }
    printf("zcnas demo: %d random NAS-Bench-201 architectures (seed %llu), %d %s images from %s\n", archs.n,
           (unsigned long long)s.run.seed, ds.n, zc_dataset_name(kind), dir);
    float w_lo, w_hi;
    zc_epsilon_weights(ctx->space, &s.run.proxy_opts, &w_lo, &w_hi);
    printf("ZiCo: %d batches of %d; epsilon: batch %d, weights %g and %g\n\n", nb, zb, eb, w_lo, w_hi);
    fflush(stdout);
    cli_progress progress;
    cli_progress_start(&progress, archs.n, "architectures", s.quiet, s.progress_every);
    s.run.on_progress = cli_progress_callback;
    s.run.progress_ctx = &progress;
    double t0 = cli_now();
    if ((st = zc_run_open(&s.run, &run)) == ZC_OK) st = zc_run_score(run, archs.archs, archs.n, NULL, on_result, &c);
    cli_progress_end(&progress);
    if (st != ZC_OK) { rc = cli_fail_run(st); goto done; }
    if (!s.quiet) fprintf(stderr, "zcnas: scored %d architectures in %.1f s\n\n", archs.n, cli_now() - t0);
    for (int i = 0; i < archs.n; i++) {
        int row = zc_bench_table_row_of_index(&table, (int)archs.index[i]);
        acc[i] = row >= 0 ? table.values[(size_t)row * table.n_cols + col] : NAN;
    }
    print_table(&s.run, &archs, c.scores, acc, target);
done:
    free(acc);
    free(c.scores);
    zc_run_close(run);
    zc_bench_table_free(&table);
    zc_arch_list_free(&archs);
    zc_space_close(ctx);
    zc_dataset_free(&ds);
    return rc;
}
