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
/* Pearson's product-moment r (as scipy.stats.pearsonr on finite input): NaN if n < 2, a constant
 * input, or a NaN or an infinity in the input. */
double zc_pearson(const double *x, const double *y, size_t n);

/* precision@k as NASLib's p_at_tb_k (naslib/utils/zerocost.py): |top-k by score & top-k by target| / k.
 * Scores are higher-is-better; the target's top k are its highest values when maximize, else its
 * lowest. Both sets come from a stable sort (ties go to the earlier row); NASLib's np.argsort order
 * among ties is implementation-defined. NaN if k == 0, k > n or a NaN in the input; infinities rank
 * as the extreme values they are. */
double zc_precision_at_k(const double *score, const double *target, size_t n, size_t k, int maximize);

/* nDCG@k of one query with the gains as given, as scikit-learn's ndcg_score(gain, score, k=k)
 * with its default ignore_ties=False (McSherry & Najork 2008: every group of exactly equal scores
 * gets its mean gain over the discounts of the positions it spans). discount[i] = 1 / log2(i + 2)
 * for i < k, 0 beyond; nDCG = DCG / ideal DCG, 0 when the ideal DCG is 0. k >= n means all. NaN if
 * n < 2 or k == 0 (sklearn refuses a single document), for a negative or non-finite gain (sklearn
 * >= 1.4 refuses negative ones) or a NaN score. Infinite scores are allowed: +-inf ties rank first or
 * last as one group (sklearn would refuse them; a value beyond every finite score gives the same). */
double zc_ndcg(const double *gain, const double *score, size_t n, size_t k);

/* Spearman and Kendall tau-b over the pairs where neither value is NaN (the papers' choice). */
typedef struct zc_corr {
    double spearman, kendall;
    size_t n;                 /* pairs used */
} zc_corr;
zc_corr zc_correlate(const double *score, const double *target, size_t n);

#endif
