/* zc_nanpercentile / zc_evaluate on hand-made vectors (the randomised comparison with numpy and
 * scipy is tests/oracle/oracle_eval.py). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "zcnas/eval.h"

static void test_percentile(void)
{
    const double a[4] = {1, 2, 3, 4};
    CHECK_NEAR(zc_percentile_sorted(a, 4, 90), 3.7, 1e-12);      /* index 2.7: 3 + 0.7 * (4 - 3) */
    CHECK_NEAR(zc_percentile_sorted(a, 4, 50), 2.5, 1e-12);
    CHECK_NEAR(zc_percentile_sorted(a, 4, 10), 1.3, 1e-12);
    CHECK(zc_percentile_sorted(a, 4, 0) == 1.0);
    CHECK(zc_percentile_sorted(a, 4, 100) == 4.0);
    CHECK(zc_percentile_sorted(a, 1, 90) == 1.0);                /* one value: itself */
    CHECK(isnan(zc_percentile_sorted(a, 0, 90)));
    CHECK(isnan(zc_percentile_sorted(a, 4, 101)));
    CHECK(isnan(zc_percentile_sorted(a, 4, -1)));
    CHECK(isnan(zc_percentile_sorted(a, 4, NAN)));
    /* nanpercentile: unsorted, NaNs ignored */
    const double b[6] = {4, NAN, 1, 3, NAN, 2};
    CHECK_NEAR(zc_nanpercentile(b, 6, 90), 3.7, 1e-12);
    const double c[2] = {NAN, NAN};
    CHECK(isnan(zc_nanpercentile(c, 2, 50)));
    /* ties: the percentile of a constant run is that value */
    const double d[5] = {7, 7, 7, 7, 7};
    CHECK(zc_percentile_sorted(d, 5, 90) == 7.0);
    /* 11 values 0..10: the 90th percentile is exactly 9 */
    double e[11];
    for (int i = 0; i < 11; i++) e[i] = i;
    CHECK_NEAR(zc_percentile_sorted(e, 11, 90), 9.0, 1e-12);
    CHECK_NEAR(zc_percentile_sorted(e, 11, 95), 9.5, 1e-12);
}

static void test_basic(void)
{
    double s[100], a[100];
    for (int i = 0; i < 100; i++) { s[i] = i; a[i] = i; }
    zc_eval_result r;
    CHECK(zc_evaluate(s, a, 100, NULL, &r) == ZC_OK);
    CHECK(r.n == 100 && r.n_nan_score == 0 && r.n_nan_target == 0);
    CHECK_NEAR(r.spearman, 1.0, 1e-12);
    CHECK_NEAR(r.kendall, 1.0, 1e-12);
    CHECK(r.n_top10 == 10);                                       /* a > 89.1: 90..99 */
    CHECK_NEAR(r.spearman_top10, 1.0, 1e-12);
    CHECK_NEAR(r.top10_top10, 100.0, 1e-12);
    CHECK(r.top64_top5 == 5.0);                                   /* a > 94.05: 95..99, all in the top 64 */

    /* reversed scores */
    for (int i = 0; i < 100; i++) s[i] = -i;
    CHECK(zc_evaluate(s, a, 100, NULL, &r) == ZC_OK);
    CHECK_NEAR(r.spearman, -1.0, 1e-12);
    CHECK(r.top10_top10 == 0.0);
    CHECK(r.top64_top5 == 0.0);

    /* 64 architectures or fewer: no top-64 statistic; 10 archs: one in the top 10%, no correlation there */
    CHECK(zc_evaluate(a, a, 64, NULL, &r) == ZC_OK);
    CHECK(isnan(r.top64_top5));
    CHECK(zc_evaluate(a, a, 65, NULL, &r) == ZC_OK);
    CHECK(r.top64_top5 == 4.0);                                   /* a > 60.8: 61..64; all have s >= 1 */
    CHECK(zc_evaluate(a, a, 10, NULL, &r) == ZC_OK);
    CHECK(r.n_top10 == 1 && isnan(r.spearman_top10) && isnan(r.kendall_top10));
}

static void test_top64_ties(void)
{
    /* 100 archs, target = index. The five top-5% targets (95..99) tie at score 0.5; 63 other archs score
     * 1 and the rest 0. The 64th largest score is 0.5, and ">=" takes the whole tie: 5. */
    double s[100], a[100];
    for (int i = 0; i < 100; i++) {
        a[i] = i;
        s[i] = i >= 95 ? 0.5 : i < 63 ? 1.0 : 0.0;
    }
    zc_eval_result r;
    CHECK(zc_evaluate(s, a, 100, NULL, &r) == ZC_OK);
    CHECK(r.top64_top5 == 5.0);
    /* With one more arch at 1 the 64th largest is 1 and none of the top targets counts. */
    s[63] = 1.0;
    CHECK(zc_evaluate(s, a, 100, NULL, &r) == ZC_OK);
    CHECK(r.top64_top5 == 0.0);
    /* Constant scores: no score is above its 90th percentile: the overlap is undefined. */
    for (int i = 0; i < 100; i++) s[i] = 2.0;
    CHECK(zc_evaluate(s, a, 100, NULL, &r) == ZC_OK);
    CHECK(isnan(r.top10_top10) && isnan(r.spearman) && isnan(r.kendall));
    CHECK(r.top64_top5 == 5.0);                                   /* every score ties with the 64th */
}

static void test_nan_policies(void)
{
    const double a[5] = {1, 2, 3, 4, 5};
    const double s[5] = {1, 2, 3, 4, NAN};   /* the best target has a NaN score */
    zc_eval_opts o;
    zc_eval_opts_default(&o);
    CHECK(o.nan_policy == ZC_NAN_EXCLUDE && o.maximize == 1);
    zc_eval_result r;
    CHECK(zc_evaluate(s, a, 5, &o, &r) == ZC_OK);
    CHECK(r.n == 4 && r.n_nan_score == 1);
    CHECK_NEAR(r.spearman, 1.0, 1e-12);
    o.nan_policy = ZC_NAN_WORST;
    CHECK(zc_evaluate(s, a, 5, &o, &r) == ZC_OK);
    CHECK(r.n == 5 && r.n_nan_score == 1);
    /* ranks (2,3,4,5,1) against (1..5): sum d^2 = 20, rho = 1 - 6*20/120 = 0 */
    CHECK_NEAR(r.spearman, 0.0, 1e-12);
    /* tau: 6 concordant pairs among the first four, 4 discordant with the last: 2/10 */
    CHECK_NEAR(r.kendall, 0.2, 1e-12);
    /* NaN targets are dropped under both policies */
    const double a2[5] = {1, NAN, 3, 4, 5};
    CHECK(zc_evaluate(s, a2, 5, &o, &r) == ZC_OK);
    CHECK(r.n == 4 && r.n_nan_target == 1 && r.n_nan_score == 1);
    o.nan_policy = ZC_NAN_EXCLUDE;
    CHECK(zc_evaluate(s, a2, 5, &o, &r) == ZC_OK);
    CHECK(r.n == 3 && r.n_nan_target == 1 && r.n_nan_score == 1);
    /* all NaN: nothing used, every statistic NaN, still OK */
    const double nn[3] = {NAN, NAN, NAN};
    CHECK(zc_evaluate(nn, a, 3, &o, &r) == ZC_OK);
    CHECK(r.n == 0 && r.n_nan_score == 3 && isnan(r.spearman) && isnan(r.top10_top10) && isnan(r.top64_top5));
    CHECK(zc_evaluate(NULL, NULL, 0, &o, &r) == ZC_OK && r.n == 0);
    CHECK(zc_evaluate(s, a, 5, &o, NULL) == ZC_EINVAL);
    CHECK(zc_evaluate(NULL, a, 5, &o, &r) == ZC_EINVAL);
    o.nan_policy = (zc_nan_policy)7;
    CHECK(zc_evaluate(s, a, 5, &o, &r) == ZC_EINVAL);
}

static void test_minimize(void)
{
    /* A loss: lower is better. Scores increase with the loss here, so the proxy is anti-correlated. */
    double s[100], loss[100];
    for (int i = 0; i < 100; i++) { s[i] = i; loss[i] = i; }
    zc_eval_opts o;
    zc_eval_opts_default(&o);
    o.maximize = 0;
    zc_eval_result r;
    CHECK(zc_evaluate(s, loss, 100, &o, &r) == ZC_OK);
    CHECK_NEAR(r.spearman, 1.0, 1e-12);          /* the sign is left to the reader, as in the papers */
    CHECK(r.n_top10 == 10);                      /* loss < 9.9: 0..9 */
    CHECK_NEAR(r.spearman_top10, 1.0, 1e-12);
    CHECK(r.top10_top10 == 0.0);                 /* numerator s > P90(s) vs denominator s < P10(s) = 10 */
    CHECK(r.top64_top5 == 0.0);                  /* loss < 4.95: 0..4, none in the top 64 scores */
    /* A good proxy for a loss: the score falls as the loss rises. */
    for (int i = 0; i < 100; i++) s[i] = -i;
    CHECK(zc_evaluate(s, loss, 100, &o, &r) == ZC_OK);
    CHECK_NEAR(r.spearman, -1.0, 1e-12);
    CHECK_NEAR(r.top10_top10, 100.0, 1e-12);     /* 10 in both sets, over the 10 lowest scores */
    CHECK(r.top64_top5 == 5.0);
}

/* Pearson, precision@k and nDCG@k as zc_evaluate computes them (the functions themselves: test_stats). */
static void test_topk_metrics(void)
{
    /* VKDNW's example: accuracies in percent, gains 2^acc - 1; sklearn 1.2.1 ndcg_score values */
    const double acc[6] = {93.5, 91.2, 94.1, 88.0, 94.1, 10.0}, s[6] = {3.0, 2.0, 2.0, 1.0, 0.5, 2.0};
    zc_eval_opts o;
    zc_eval_opts_default(&o);
    CHECK(o.top_k == 0);
    zc_eval_result r;
    CHECK(zc_evaluate(s, acc, 6, &o, &r) == ZC_OK);
    CHECK(r.top_k == 1);                                   /* 10% of 6 rounds to 1 */
    CHECK_NEAR(r.ndcg_at_k, 0.6597539553864498, 1e-14);
    CHECK(r.precision_at_k == 0.0);                        /* best score row 0, best target row 2 (before 4) */
    /* Pearson by hand: means 1.75 and 78.48333..., r = sxy / sqrt(sxx syy); the 10% target pulls it negative */
    double ms = 10.5 / 6, ma = 470.9 / 6, sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < 6; i++) {
        sxy += (s[i] - ms) * (acc[i] - ma);
        sxx += (s[i] - ms) * (s[i] - ms);
        syy += (acc[i] - ma) * (acc[i] - ma);
    }
    CHECK_NEAR(r.pearson, sxy / sqrt(sxx * syy), 1e-12);
    CHECK_NEAR(r.pearson, -0.12108420302376649, 1e-14);    /* numpy.corrcoef; signed, not |r| */
    o.top_k = 3;
    CHECK(zc_evaluate(s, acc, 6, &o, &r) == ZC_OK);
    CHECK(r.top_k == 3);
    CHECK_NEAR(r.ndcg_at_k, 0.5544833715561037, 1e-14);
    CHECK_NEAR(r.precision_at_k, 2.0 / 3, 1e-15);          /* scores {0, 1, 2} (row 5 ties after), targets {2, 4, 0} */
    o.top_k = 6;
    CHECK(zc_evaluate(s, acc, 6, &o, &r) == ZC_OK);
    CHECK_NEAR(r.ndcg_at_k, 0.7963230846283361, 1e-14);
    CHECK(r.precision_at_k == 1.0);
    o.top_k = 1000;                                         /* VKDNW's nDCG@1000: k > n is the whole list */
    CHECK(zc_evaluate(s, acc, 6, &o, &r) == ZC_OK);
    CHECK(r.top_k == 1000 && isnan(r.precision_at_k));
    CHECK_NEAR(r.ndcg_at_k, 0.7963230846283361, 1e-14);

    /* NaN scores: excluded, or -inf (ranked last) where Pearson is undefined. Row 4 (score 0.5) is
     * already last, so nDCG@6 stays; excluded, the other five are ranked alone. */
    const double sn[6] = {3.0, 2.0, 2.0, 1.0, NAN, 2.0};
    o.top_k = 6;
    o.nan_policy = ZC_NAN_WORST;
    CHECK(zc_evaluate(sn, acc, 6, &o, &r) == ZC_OK);
    CHECK(r.n == 6 && isnan(r.pearson) && r.precision_at_k == 1.0);
    CHECK_NEAR(r.ndcg_at_k, 0.7963230846283361, 1e-14);
    o.nan_policy = ZC_NAN_EXCLUDE;
    o.top_k = 2;
    CHECK(zc_evaluate(sn, acc, 6, &o, &r) == ZC_OK);
    CHECK(r.n == 5 && !isnan(r.pearson));
    CHECK(r.precision_at_k == 0.5);                        /* scores {0, 1}, targets {2, 0} */
    /* nDCG@2 over rows 0-3 and 5 by hand: row 0 first, then rows 1, 2, 5 tied for positions 1-3 */
    double g[6];
    for (int i = 0; i < 6; i++) g[i] = pow(2.0, acc[i]) - 1;
    double d1 = 1 / log2(3.0);
    CHECK_NEAR(r.ndcg_at_k, (g[0] + (g[1] + g[2] + g[5]) / 3 * d1) / (g[2] + g[0] * d1), 1e-14);
    /* NaN targets are dropped before k is chosen: 20 archs, 6 NaN targets: k = round(1.4) = 1 */
    double s20[20], a20[20];
    for (int i = 0; i < 20; i++) { s20[i] = i; a20[i] = i < 6 ? NAN : i; }
    o.top_k = 0;
    CHECK(zc_evaluate(s20, a20, 20, &o, &r) == ZC_OK);
    CHECK(r.n == 14 && r.top_k == 1 && r.precision_at_k == 1.0);
    CHECK_NEAR(r.pearson, 1.0, 1e-15);
    CHECK_NEAR(r.ndcg_at_k, 1.0, 1e-15);
    /* the default k: 10% rounded half up, at least 1 */
    CHECK(zc_evaluate(s20, a20 + 6, 14, &o, &r) == ZC_OK && r.top_k == 1);
    CHECK(zc_evaluate(s20, s20, 15, &o, &r) == ZC_OK && r.top_k == 2);
    CHECK(zc_evaluate(s20, s20, 4, &o, &r) == ZC_OK && r.top_k == 1);
    CHECK(zc_evaluate(s20, s20, 1, &o, &r) == ZC_OK && r.top_k == 1 && r.precision_at_k == 1.0 && isnan(r.ndcg_at_k));
    CHECK(zc_evaluate(NULL, NULL, 0, &o, &r) == ZC_OK && isnan(r.precision_at_k) && isnan(r.ndcg_at_k) &&
          isnan(r.pearson));
    double s100[100];
    for (int i = 0; i < 100; i++) s100[i] = i;
    CHECK(zc_evaluate(s100, s100, 100, &o, &r) == ZC_OK && r.top_k == 10);
    CHECK(zc_evaluate(s100, s100, 25, &o, &r) == ZC_OK && r.top_k == 3);
    CHECK(zc_evaluate(s100, s100, 24, &o, &r) == ZC_OK && r.top_k == 2);

    /* a minimised target: the target's top k are its lowest; nDCG is not defined */
    const double loss[5] = {0.5, 0.1, 0.9, 0.2, 0.3}, good[5] = {-0.5, -0.1, -0.9, -0.2, -0.3};
    o.maximize = 0;
    o.top_k = 2;
    CHECK(zc_evaluate(good, loss, 5, &o, &r) == ZC_OK);
    CHECK(r.precision_at_k == 1.0 && isnan(r.ndcg_at_k));
    CHECK_NEAR(r.pearson, -1.0, 1e-15);
    CHECK(zc_evaluate(loss, loss, 5, &o, &r) == ZC_OK);     /* high score, high loss: the worst two */
    CHECK(r.precision_at_k == 0.0);
    CHECK_NEAR(r.pearson, 1.0, 1e-15);
    o.top_k = -1;
    CHECK(zc_evaluate(good, loss, 5, &o, &r) == ZC_EINVAL);
}

int main(void)
{
    test_percentile();
    test_basic();
    test_top64_ties();
    test_nan_policies();
    test_minimize();
    test_topk_metrics();
    return check_report("test_eval");
}
