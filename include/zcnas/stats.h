/* Rank statistics used to compare proxies with benchmark accuracies. */
#ifndef ZCNAS_STATS_H
#define ZCNAS_STATS_H
#include <stddef.h>

/* Average ranks (1-based, ties get the mean rank). */
void zc_rank_average(const double *x, size_t n, double *ranks);
/* Spearman rho = Pearson correlation of average ranks (as scipy.stats.spearmanr). NaN if n < 2
 * or a constant input. Pairs where either value is NaN must be removed by the caller. */
double zc_spearman(const double *x, const double *y, size_t n);
/* Kendall tau-b with ties (as scipy.stats.kendalltau), O(n log n). */
double zc_kendall_tau_b(const double *x, const double *y, size_t n);
double zc_pearson(const double *x, const double *y, size_t n);



/* Spearman and Kendall tau-b over the pairs where neither value is NaN (the papers' choice). */
typedef struct zc_corr {
    double spearman, kendall;
    size_t n;                 /* pairs used */
} zc_corr;
zc_corr zc_correlate(const double *score, const double *target, size_t n);

#endif
