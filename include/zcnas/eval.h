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
 * #(s < P10(s)) while its numerator keeps s > P90(s) (asymmetric, as the NAS-Bench-NLP code). */
#ifndef ZCNAS_EVAL_H
#define ZCNAS_EVAL_H
#include <stddef.h>
#include "zcnas/error.h"

typedef enum zc_nan_policy {
    ZC_NAN_EXCLUDE = 0,   /* drop architectures whose score is NaN (the papers' choice) */
    ZC_NAN_WORST = 1      /* NaN scores become -inf: ranked below every real score */
} zc_nan_policy;

typedef struct zc_eval_opts {
    zc_nan_policy nan_policy;
    int maximize;         /* 1: higher target is better (accuracy); 0: lower is better (loss) */
} zc_eval_opts;

/* ZC_NAN_EXCLUDE, maximize = 1. */
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
} zc_eval_result;

/* Every statistic above. NaN targets are always dropped. opts NULL = defaults. Statistics that are
 * undefined (fewer than two archs, constant inputs) are NaN; only NULL arguments are errors. */
zc_status zc_evaluate(const double *score, const double *target, size_t n, const zc_eval_opts *opts,
                      zc_eval_result *out);

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
