/* Hand-checked rank statistics. `test_stats --eval FILE [K]` instead prints "spearman kendall pearson"
 * (%.17g) for the "x y" lines of FILE, and with K "precision@K (y maximised) precision@K (y minimised)
 * nDCG@K (x the scores, y the gains)" after them, for tests/oracle/oracle_stats.py. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "zcnas/stats.h"

static int eval_file(const char *path, const char *k_arg)
{
    FILE *f = fopen(path, "r");
    if (!f) { fprintf(stderr, "test_stats: cannot open '%s'\n", path); return 2; }
    size_t n = 0, cap = 0;
    double *x = NULL, *y = NULL, a, b;
    int rc = 0;
    while (fscanf(f, "%lf %lf", &a, &b) == 2) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            double *nx = realloc(x, cap * sizeof *x), *ny = nx ? realloc(y, cap * sizeof *y) : NULL;
            if (nx) x = nx;
            if (!nx || !ny) { fprintf(stderr, "test_stats: out of memory\n"); rc = 2; goto done; }
            y = ny;
        }
        x[n] = a;
        y[n] = b;
        n++;
    }
    if (!feof(f)) { fprintf(stderr, "test_stats: '%s': malformed line %zu\n", path, n + 1); rc = 2; goto done; }
    printf("%.17g %.17g %.17g", zc_spearman(x, y, n), zc_kendall_tau_b(x, y, n), zc_pearson(x, y, n));
    if (k_arg) {
        size_t k = (size_t)strtoul(k_arg, NULL, 10);
        printf(" %.17g %.17g %.17g", zc_precision_at_k(x, y, n, k, 1), zc_precision_at_k(x, y, n, k, 0),
               zc_ndcg(y, x, n, k));
    }
    printf("\n");
done:
    free(x);
    free(y);
    fclose(f);
    return rc;
}

static void test_precision_at_k(void)
{
    /* scores reverse the target: the two best scores are the two worst targets */
    const double s[5] = {5, 4, 3, 2, 1}, t[5] = {1, 2, 3, 4, 5};
    CHECK(zc_precision_at_k(s, t, 5, 2, 1) == 0.0);
    CHECK(zc_precision_at_k(s, t, 5, 2, 0) == 1.0);          /* minimised: rows 0 and 1 have the lowest */
    CHECK(zc_precision_at_k(s, t, 5, 5, 1) == 1.0);          /* k = n: everything */
    CHECK(zc_precision_at_k(s, s, 5, 1, 1) == 1.0);
    CHECK(zc_precision_at_k(s, t, 5, 1, 1) == 0.0);
    CHECK_NEAR(zc_precision_at_k(s, t, 5, 3, 1), 1.0 / 3, 1e-15);   /* {0,1,2} & {4,3,2} */
    /* ties go to the earlier row: the top 2 scores are rows 0 and 1 of the tied 1s, not row 2 */
    const double s2[4] = {1, 1, 1, 0}, t2[4] = {0, 0, 5, 9};
    CHECK(zc_precision_at_k(s2, t2, 4, 2, 1) == 0.0);
    /* the target's top 3: 9 (row 3), 5 (row 2) and of the tied 0s row 0: {0,1,2} & {3,2,0} */
    CHECK(zc_precision_at_k(s2, t2, 4, 3, 1) == 2.0 / 3);
    /* ties in the target: its top 2 are rows 0 and 1 of the three 7s */
    const double s3[4] = {0, 3, 2, 1}, t3[4] = {7, 7, 7, 1};
    CHECK(zc_precision_at_k(s3, t3, 4, 2, 1) == 0.5);        /* {1,2} & {0,1} */
    /* minimised with ties: the lowest targets 1 (row 3) then 7 (row 0) */
    CHECK(zc_precision_at_k(s3, t3, 4, 2, 0) == 0.0);        /* {1,2} & {3,0} */
    /* infinities rank as the extremes they are */
    const double s4[4] = {-INFINITY, 1, INFINITY, 0}, t4[4] = {1, 2, 4, 3};
    CHECK(zc_precision_at_k(s4, t4, 4, 1, 1) == 1.0);        /* +inf is the best score, row 2 the best target */
    CHECK(zc_precision_at_k(s4, t4, 4, 3, 0) == 2.0 / 3);    /* {2,1,3} & {0,1,3} */
    /* undefined: k > n, k = 0, NaN, NULL */
    CHECK(isnan(zc_precision_at_k(s, t, 5, 6, 1)));
    CHECK(isnan(zc_precision_at_k(s, t, 5, 0, 1)));
    CHECK(isnan(zc_precision_at_k(s, t, 0, 1, 1)));
    const double tn[5] = {1, NAN, 3, 4, 5};
    CHECK(isnan(zc_precision_at_k(s, tn, 5, 2, 1)));
    CHECK(isnan(zc_precision_at_k(tn, t, 5, 2, 1)));
    CHECK(isnan(zc_precision_at_k(NULL, t, 5, 2, 1)));
}

/* 1 / log2(i + 2), the DCG discount of 0-based position i */
static double disc(int i) { return 1.0 / log2(i + 2.0); }

static void test_ndcg(void)
{
    /* sklearn.metrics.ndcg_score's docstring example (its values, sklearn 1.2.1) */
    const double g[5] = {10, 0, 0, 1, 5}, sc[5] = {.05, 1.1, 1., .5, .0};
    CHECK_NEAR(zc_ndcg(g, sc, 5, 5), 0.49368019137737595, 1e-15);
    CHECK_NEAR(zc_ndcg(g, sc, 5, 100), 0.49368019137737595, 1e-15);    /* k >= n: all */
    CHECK_NEAR(zc_ndcg(g, sc, 5, 4), 0.35202411006344875, 1e-15);
    /* the same by hand: order 1,2,3,0,4 gives gains 0,0,1,10,5; ideal 10,5,1,0,0 */
    double ideal = 10 * disc(0) + 5 * disc(1) + disc(2);
    CHECK_NEAR(zc_ndcg(g, sc, 5, 5), (disc(2) + 10 * disc(3) + 5 * disc(4)) / ideal, 1e-15);
    CHECK_NEAR(zc_ndcg(g, sc, 5, 4), (disc(2) + 10 * disc(3)) / ideal, 1e-15);
    /* ties are averaged: rows 0 and 4 tie first (mean gain 7.5 over positions 0-1), rows 1-3 after
     * (mean 1/3 over positions 2-4); at k = 1 the tie still counts with its mean: 7.5 / 10 */
    const double st[5] = {1, 0, 0, 0, 1};
    CHECK_NEAR(zc_ndcg(g, st, 5, 1), 0.75, 1e-15);
    CHECK_NEAR(zc_ndcg(g, st, 5, 5), (7.5 * (disc(0) + disc(1)) + (disc(2) + disc(3) + disc(4)) / 3) / ideal, 1e-15);
    /* k = 2 ends inside no group; k = 3 cuts the second group after one of its three positions */
    CHECK_NEAR(zc_ndcg(g, st, 5, 3), (7.5 * (disc(0) + disc(1)) + disc(2) / 3) / (10 * disc(0) + 5 * disc(1) + disc(2)),
               1e-15);
    /* every score tied: the mean gain over every position */
    const double g2[5] = {1, 0, 0, 0, 1}, all[5] = {1, 1, 1, 1, 1};
    double sum = 0;
    for (int i = 0; i < 5; i++) sum += disc(i);
    CHECK_NEAR(zc_ndcg(g2, all, 5, 5), 0.4 * sum / (disc(0) + disc(1)), 1e-15);
    CHECK_NEAR(zc_ndcg(g2, all, 5, 5), 0.7231357726898465, 1e-15);   /* the same, from tests/oracle's numpy */
    /* VKDNW's gains 2^acc - 1 on accuracies in percent (sklearn 1.2.1 values) */
    const double acc[6] = {93.5, 91.2, 94.1, 88.0, 94.1, 10.0}, sv[6] = {3.0, 2.0, 2.0, 1.0, 0.5, 2.0};
    double gv[6];
    for (int i = 0; i < 6; i++) gv[i] = pow(2.0, acc[i]) - 1.0;
    CHECK_NEAR(zc_ndcg(gv, sv, 6, 6), 0.7963230846283361, 1e-14);
    CHECK_NEAR(zc_ndcg(gv, sv, 6, 1000), 0.7963230846283361, 1e-14);
    CHECK_NEAR(zc_ndcg(gv, sv, 6, 1), 0.6597539553864498, 1e-14);    /* 2^93.5 / 2^94.1 up to the -1s */
    CHECK_NEAR(zc_ndcg(gv, sv, 6, 1), (pow(2, 93.5) - 1) / (pow(2, 94.1) - 1), 1e-15);
    CHECK_NEAR(zc_ndcg(gv, sv, 6, 2), 0.5507529952685252, 1e-14);
    CHECK_NEAR(zc_ndcg(gv, sv, 6, 3), 0.5544833715561037, 1e-14);
    /* a perfect ranking is 1; no relevant document is 0 (sklearn's convention) */
    CHECK_NEAR(zc_ndcg(acc, acc, 6, 6), 1.0, 1e-15);
    const double zero[3] = {0, 0, 0}, s3[3] = {1, 2, 3};
    CHECK(zc_ndcg(zero, s3, 3, 3) == 0.0);
    /* -inf scores rank last as one group, as any value below every score would */
    const double sinf[6] = {3.0, 2.0, 2.0, 1.0, -INFINITY, 2.0};
    CHECK_NEAR(zc_ndcg(gv, sinf, 6, 6), 0.7963230846283361, 1e-14);
    const double sinf2[6] = {3.0, 2.0, -INFINITY, 1.0, -INFINITY, 2.0}, sfin[6] = {3.0, 2.0, -7, 1.0, -7, 2.0};
    CHECK(zc_ndcg(gv, sinf2, 6, 6) == zc_ndcg(gv, sfin, 6, 6));
    /* undefined: fewer than two documents, k = 0, a NaN score, a negative or non-finite gain */
    CHECK(isnan(zc_ndcg(g, sc, 1, 1)));
    CHECK(isnan(zc_ndcg(g, sc, 5, 0)));
    const double sn[5] = {.05, NAN, 1., .5, .0}, gneg[5] = {10, 0, -1, 1, 5}, ginf[5] = {10, 0, INFINITY, 1, 5};
    CHECK(isnan(zc_ndcg(g, sn, 5, 5)));
    CHECK(isnan(zc_ndcg(gneg, sc, 5, 5)));
    CHECK(isnan(zc_ndcg(ginf, sc, 5, 5)));
    CHECK(isnan(zc_ndcg(sn, sc, 5, 5)));
    CHECK(isnan(zc_ndcg(NULL, sc, 5, 5)));
}

int main(int argc, char **argv)
{
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "--eval") == 0) return eval_file(argv[2], argc == 4 ? argv[3] : NULL);

    /* Values from scipy 1.10 spearmanr / kendalltau / pearsonr. */
    const double x1[] = {1, 2, 3, 4, 5}, y1[] = {5, 6, 7, 8, 7};
    CHECK_NEAR(zc_spearman(x1, y1, 5), 0.8207826816681233, 1e-15);
    CHECK_NEAR(zc_kendall_tau_b(x1, y1, 5), 0.7378647873726218, 1e-15);
    CHECK_NEAR(zc_pearson(x1, y1, 5), 0.8320502943378436, 1e-15);

    /* Ties in x, in y and joint ties (1,1),(2,1)... */
    const double x2[] = {1, 1, 2, 2, 3, 3}, y2[] = {1, 2, 1, 2, 1, 3};
    CHECK_NEAR(zc_spearman(x2, y2, 6), 0.19364916731037088, 1e-15);
    CHECK_NEAR(zc_kendall_tau_b(x2, y2, 6), 0.17407765595569785, 1e-15);
    CHECK_NEAR(zc_pearson(x2, y2, 6), 0.27386127875258304, 1e-15);

    const double v[] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
    const double want[] = {4.5, 1.5, 6, 1.5, 7.5, 10, 3, 9, 7.5, 4.5};
    double r[10];
    zc_rank_average(v, 10, r);
    for (int i = 0; i < 10; i++) CHECK_NEAR(r[i], want[i], 0);

    /* Perfect (anti-)correlation, n = 2 */
    const double a[] = {0.5, 2.0}, b[] = {3.0, -1.0};
    CHECK_NEAR(zc_spearman(a, b, 2), -1.0, 1e-15);
    CHECK_NEAR(zc_kendall_tau_b(a, b, 2), -1.0, 0);
    CHECK_NEAR(zc_pearson(a, a, 2), 1.0, 1e-15);

    /* NaN for n < 2, a constant input, or NaN in the input. */
    const double c[] = {0.1, 0.1, 0.1}, d[] = {1, 2, 3}, e[] = {1, NAN, 3};
    CHECK(isnan(zc_spearman(d, d, 1)));
    CHECK(isnan(zc_kendall_tau_b(d, d, 0)));
    CHECK(isnan(zc_pearson(d, d, 1)));
    CHECK(isnan(zc_spearman(c, d, 3)));
    CHECK(isnan(zc_kendall_tau_b(d, c, 3)));
    CHECK(isnan(zc_pearson(c, d, 3)));
    CHECK(isnan(zc_spearman(e, d, 3)));
    CHECK(isnan(zc_kendall_tau_b(d, e, 3)));
    CHECK(isnan(zc_pearson(e, d, 3)));

    /* Larger input against the O(n^2) tau-b definition. */
    enum { N = 300 };
    double p[N], q[N];
    unsigned s = 12345;
    for (int i = 0; i < N; i++) {
        s = s * 1103515245u + 12345u;
        p[i] = (double)((s >> 16) % 17);
        s = s * 1103515245u + 12345u;
        q[i] = (double)((s >> 16) % 23) + 0.1 * p[i];
    }
    long long con = 0, dis = 0, tx = 0, ty = 0;
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) {
            double sx = p[i] - p[j], sy = q[i] - q[j];
            if (sx == 0 && sy == 0) continue;
            if (sx == 0) tx++;
            else if (sy == 0) ty++;
            else if ((sx > 0) == (sy > 0)) con++;
            else dis++;
        }
    double tau = (double)(con - dis) / sqrt((double)(con + dis + tx) * (double)(con + dis + ty));
    CHECK_NEAR(zc_kendall_tau_b(p, q, N), tau, 1e-12);

    test_precision_at_k();
    test_ndcg();
    return check_report("test_stats");
}
