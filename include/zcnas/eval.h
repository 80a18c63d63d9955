/* Evaluation of a proxy against benchmark targets: the statistics of the epsinas papers
 * (compute_stats in egracheva/epsinas, spec 2.5) on top of the rank correlations of stats.h.
 *
 * Given scores s and targets a over the architectures used (see zc_nan_policy):
 *   spearman, kendall          scipy spearmanr / kendalltau (tau-b) over all of them
 *   spearman_top10, kendall_top10   the same on the archs with a > P90(a) (strict)
 *   top10_top10                100 * #(a > P90(a) & s > P90(s)) / #(s > P90(s))
 *   top64_top5                 #(a > P95(a) & s >= the 64th largest s); NaN unless n > 64
 * where P is numpy.nanpercentile (method 'linear'). For a minimised target (maximize = 0, e.g. a
 * loss) the target sets become a < P10(a) and a < P5(a), and the denominator of top10_top10 is
 * #(s < P10(s)) while its numerator keeps s > P90(s) (asymmetric, as the NAS-Bench-NLP code).
 * Beyond the epsinas set, over the same architectures:
 *   pearson                    the product-moment r of s and a (signed; NaN when an infinite score,
 *                              e.g. a NaN ranked last as -inf, takes part)
 *   precision_at_k             |top-k by s & top-k by a| / k (NASLib's p_at_tb_k; zc_precision_at_k);
 *                              the target's top k are its lowest values for a minimised target
 *   ndcg_at_k                  nDCG@k with gains 2^a - 1 (a in percent, as VKDNW: sklearn ndcg_score
 *                              with tie-averaged scores; zc_ndcg); NaN for a minimised target, where
 *                              2^loss gains mean nothing
 * with k = top_k, by default 10% of the architectures used. */
#ifndef ZCNAS_EVAL_H
#define ZCNAS_EVAL_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "zcnas/bench_table.h"
#include "zcnas/error.h"

struct zc_space_ctx;
struct zc_arch_list;

typedef enum zc_nan_policy {
    ZC_NAN_EXCLUDE = 0,   /* drop architectures whose score is NaN (the papers' choice) */
    ZC_NAN_WORST = 1      /* NaN scores become -inf: ranked below every real score */
} zc_nan_policy;

typedef struct zc_eval_opts {
    zc_nan_policy nan_policy;
    int maximize;         /* 1: higher target is better (accuracy); 0: lower is better (loss) */
    int top_k;            /* k of precision@k and nDCG@k; 0: 10% of the architectures used, rounded half
                             up, at least 1 (VKDNW's table: 1000 on the whole space) */
} zc_eval_opts;

/* ZC_NAN_EXCLUDE, maximize = 1, top_k = 0. */
void zc_eval_opts_default(zc_eval_opts *o);

typedef struct zc_eval_result {
    size_t n;                    /* architectures used (finite-or-inf score per policy, non-NaN target) */
    size_t n_nan_score;          /* architectures with a NaN score (and a target): excluded, or ranked last */
    size_t n_nan_target;         /* architectures dropped because their target is NaN */
    double spearman, kendall;
    size_t n_top10;              /* architectures in the top-10% target set */
    double spearman_top10, kendall_top10;
    double top10_top10;          /* percent; NaN when no score passes the score threshold */
    double top64_top5;           /* a count; NaN when n <= 64 */
    double pearson;
    size_t top_k;                /* the k of the next two */
    double precision_at_k;       /* a fraction; NaN when k > n */
    double ndcg_at_k;            /* NaN for a minimised target or n < 2 */
} zc_eval_result;

/* Every statistic above. NaN targets are always dropped. opts NULL = defaults. Statistics that are
 * undefined (fewer than two archs, constant inputs) are NaN; only NULL arguments, an unknown NaN
 * policy and a negative top_k are errors. */
zc_status zc_evaluate(const double *score, const double *target, size_t n, const zc_eval_opts *opts,
                      zc_eval_result *out);

/* ---- score files against benchmark tables (src/eval/scores.c) ---- */
/* A CSV written by `zcnas score` (an `index` column, empty for architectures without one, and at least
 * one row; indices unique). */
zc_status zc_scores_load(zc_bench_table *t, const char *path);

/* ---- NAS-Bench-Suite-Zero JSON in (src/eval/suitezero_read.c) ----
 * NASLib's zero-cost benchmark files (the released zc_<space>.json and `zcnas score --format suitezero`)
 * as the table zc_scores_load gives: the top-level key of `dataset` (a zcnas dataset name, NULL: the
 * space's default; spaces with tasks: the context's task; zc_space.suitezero_dataset) converted, each
 * arch key to the space's canonical arch string; `index` is the space's benchmark index of the arch
 * when the space has its table open (the ids of NASLib's files need not be benchmark indices), else
 * the entry's "id" when it is a non-negative integer, else empty (-1: matched by arch); then per proxy,
 * in the order met, a column of its "score" under zcnas' name (jacov -> jacob_cov; unknown names such as
 * epe_nas kept) and `<proxy>_seconds` of its "time"; then `val_accuracy`. Values are as written: -1e8
 * (NASLib's NaN) is a score, synflow stays a log, NaN / Infinity / -Infinity and null are read
 * (null as NaN). Malformed input, wrong types, unknown arch keys or a missing dataset: ZC_EDATA with a
 * one-line message naming the byte offset (or the datasets available); another kind of JSON (a list,
 * JSON lines: a top-level member that is not an object): ZC_EINVAL. */
zc_status zc_suitezero_read(zc_bench_table *t, const char *path, const struct zc_space_ctx *space, const char *dataset);
/* The same on len bytes of text (name: for messages). */
zc_status zc_suitezero_parse_text(zc_bench_table *t, const char *text, size_t len, const char *name,
                                  const struct zc_space_ctx *space, const char *dataset);
/* zc_scores_load, or zc_suitezero_read for a file that starts with '{' or '[' when space is given. */
zc_status zc_scores_load_for(zc_bench_table *t, const char *path, const struct zc_space_ctx *space,
                             const char *dataset);
/* The index of column `name` in *col, or ZC_EINVAL "<path>: no <what> column 'name' (available: ...)". */
zc_status zc_table_find(const zc_bench_table *t, const char *path, const char *what, const char *name, int *col);

/* How score rows find their benchmark row: by index when every score row has one and the benchmark
 * has an `index` column; otherwise by the space's key of the `arch` strings (zc_space_key: the
 * NAS-Bench-101 graph hash, else the canonical string; the raw strings without a space), so that a
 * benchmark that lists cells in another form or order still matches. Benchmark rows sharing a key
 * (isomorphic NAS-Bench-101 cells, each with one of its training runs) give their mean. */
typedef struct zc_join_report {
    int by_index;            /* 1: matched on index; 0: on keys */
    int averaged;            /* score rows whose target is a mean over several benchmark rows */
} zc_join_report;
/* target[r] = column col of the benchmark row of score row r; a score row without one is an error.
 * space may be NULL. rep may be NULL. */
zc_status zc_scores_join(const zc_bench_table *scores, const char *scores_path, const zc_bench_table *bench,
                         const char *bench_path, const struct zc_space_ctx *space, int col, double *target,
                         zc_join_report *rep);
/* The join key of each row of t (as zc_scores_join makes them; NULL for a row without one): an
 * array of t->n_rows strings, freed with zc_row_keys_free. */
zc_status zc_row_keys(const zc_bench_table *t, const char *path, const struct zc_space_ctx *space, int by_index,
                      char ***keys);
void zc_row_keys_free(char **keys, int n);
/* The proxy columns of a score table: every column except index, arch, the space's key column
 * (key_name, may be NULL) and *_seconds. */
int zc_scores_columns(const zc_bench_table *t, const char *key_name, int *cols, int max);
/* Appends a column per aggregate (zcnas/proxy.h: az_nas, te_nas, vkdnw, vkdnw_agg) whose score columns
 * t holds and whose own name it does not, computed over the population of the rows selected by rows[r]
 * != 0 (every row when rows is NULL; NaN in the others); *added (may be NULL) counts them. */
zc_status zc_scores_add_aggregates(zc_bench_table *t, const unsigned char *rows, int *added);
/* Column c of t as a vector (t->n_rows values). */
void zc_table_values(const zc_bench_table *t, int c, double *out);

/* Statistics of several proxies, printed as a table for people, CSV or JSON (src/eval/print.c). */
typedef struct zc_eval_row {
    const char *proxy;
    zc_eval_result r;
} zc_eval_row;
typedef enum zc_eval_format { ZC_EVAL_TABLE = 0, ZC_EVAL_CSV = 1, ZC_EVAL_JSON = 2 } zc_eval_format;
void zc_eval_print_csv(FILE *f, const zc_eval_row *rows, int n);
void zc_eval_print_table(FILE *f, const zc_eval_row *rows, int n);
/* {"scores": ..., "bench": ..., "target": ..., "nan": ..., "maximize": ..., "top_k": K or null (the
 * default), "results": [...]} */
void zc_eval_print_json(FILE *f, const char *scores, const char *bench, const char *target, const zc_eval_opts *o,
                        const zc_eval_row *rows, int n);

/* ---- figures (src/eval/svg.c: plain SVG, no plotting library) ---- */
/* Score (x; log scale when no finite score is negative and the positive ones span more than two
 * decades; zeros are then drawn on the left edge) against the target (y). Points with a non-finite
 * score or target are left out and counted in the title. */
zc_status zc_svg_scatter(const char *path, const char *proxy, const char *target, const double *score,
                         const double *acc, int n, const zc_eval_result *r);
/* A k x k heatmap of m (row-major, values in [-1, 1], NaN drawn grey) with the names on both axes. */
zc_status zc_svg_matrix(const char *path, const char *title, const char *const *names, const double *m, int k);

/* ---- the papers' tables (src/eval/reproduce.c) ---- */
typedef struct zc_reproduce {
    const char *dir;               /* report folder (exists) */
    const char *scores_path;       /* its scores.csv, written by the scoring run */
    const char *bench_path;
    const struct zc_space_ctx *space_ctx;   /* the space (its name is the papers' space column) */
    const char *dataset, *target;
    const char *command;           /* the command line, for report.md */
    const char *images;            /* where the images came from */
    const char *settings;          /* one line of settings, for report.md */
    const struct zc_arch_list *selected;   /* the architectures evaluated (scores.csv may hold more) */
    const char *selection;         /* how they were chosen, e.g. "1000 random (seed 0)" */
    uint64_t seed;
    zc_eval_opts eval;
    const char *const *proxies;    /* score columns; the aggregates they make (zcnas/proxy.h) are added */
    int n_proxies;
    const char *const *skipped;    /* notes on proxies that were not run */
    int n_skipped;
} zc_reproduce;
/* Evaluates every proxy of scores.csv on the selection against the target, prints the table beside the
 * reported values on `terminal`, and writes stats.csv, one scatter plot per proxy, the correlation
 * matrix (.csv, .svg) and report.md into dir. */
zc_status zc_reproduce_report(const zc_reproduce *r, FILE *terminal);

/* The numbers the papers report (data/papers/reported.csv, compiled in): CSV text with the header
 * proxy,space,dataset,metric,value,source; `zc_papers_reported_csv_len` bytes, NUL-terminated. */
extern const char zc_papers_reported_csv[];
extern const unsigned long zc_papers_reported_csv_len;

/* numpy.nanpercentile(x, q) with the default 'linear' method (q in [0, 100]): NaNs ignored, NaN if
 * nothing is left or q is outside [0, 100]. Infinities take part as numpy's arithmetic makes them. */
double zc_nanpercentile(const double *x, size_t n, double q);
/* The same on an ascending array without NaN. */
double zc_percentile_sorted(const double *sorted, size_t n, double q);

#endif
