/* The epsinas evaluation statistics (compute_stats, spec 2.5), Pearson, precision@k (NASLib) and
 * nDCG@k (VKDNW) over one score vector and one target vector. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "zcnas/eval.h"
#include "zcnas/stats.h"

void zc_eval_opts_default(zc_eval_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->nan_policy = ZC_NAN_EXCLUDE;
    o->maximize = 1;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* numpy's count / count * 100, without a floating division by zero. */
static double percent(size_t num, size_t den)
{
    if (den == 0) return num == 0 ? NAN : INFINITY;
    return (double)num / (double)den * 100.0;
}

zc_status zc_evaluate(const double *score, const double *target, size_t n, const zc_eval_opts *opts,
                      zc_eval_result *out)
{
    if (!out) return zc_fail(ZC_EINVAL, "zc_evaluate: NULL result");
    if (n && (!score || !target)) return zc_fail(ZC_EINVAL, "zc_evaluate: NULL score or target");
    zc_eval_opts o;
    if (opts) o = *opts;
    else zc_eval_opts_default(&o);
    if (o.nan_policy != ZC_NAN_EXCLUDE && o.nan_policy != ZC_NAN_WORST)
        return zc_fail(ZC_EINVAL, "zc_evaluate: unknown NaN policy %d", (int)o.nan_policy);
    if (o.top_k < 0) return zc_fail(ZC_EINVAL, "zc_evaluate: top_k %d < 0", o.top_k);
    memset(out, 0, sizeof *out);
    out->spearman = out->kendall = out->spearman_top10 = out->kendall_top10 = NAN;
    out->top10_top10 = out->top64_top5 = NAN;
    out->pearson = out->precision_at_k = out->ndcg_at_k = NAN;

    size_t cap = n ? n : 1;
    double *buf = malloc(6 * cap * sizeof *buf);
    if (!buf) return zc_fail(ZC_ENOMEM, "zc_evaluate: out of memory for %zu architectures", n);
    double *s = buf, *a = s + cap, *ss = a + cap, *sa = ss + cap, *ts = sa + cap, *ta = ts + cap;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(target[i])) { out->n_nan_target++; continue; }
        double v = score[i];
        if (isnan(v)) {
            out->n_nan_score++;
            if (o.nan_policy == ZC_NAN_EXCLUDE) continue;
            v = -INFINITY;
        }
        s[m] = v;
        a[m] = target[i];
        m++;
    }
    out->n = m;
    size_t tenth = (m + 5) / 10;   /* 10% of m, rounded half up */
    out->top_k = o.top_k ? (size_t)o.top_k : tenth ? tenth : 1;
    if (m == 0) { free(buf); return ZC_OK; }

    memcpy(ss, s, m * sizeof *s);
    memcpy(sa, a, m * sizeof *a);
    qsort(ss, m, sizeof *ss, cmp_double);
    qsort(sa, m, sizeof *sa, cmp_double);

    out->spearman = zc_spearman(s, a, m);
    out->kendall = zc_kendall_tau_b(s, a, m);
    out->pearson = zc_pearson(s, a, m);
    out->precision_at_k = zc_precision_at_k(s, a, m, out->top_k, o.maximize);
    if (o.maximize) {   /* VKDNW's gains 2**acc - 1; ts is free until the top-10% set below */
        for (size_t i = 0; i < m; i++) ts[i] = pow(2.0, a[i]) - 1.0;
        out->ndcg_at_k = zc_ndcg(ts, s, m, out->top_k);
    }

    /* The target's top-10% set, and the score thresholds. */
    double pa = zc_percentile_sorted(sa, m, o.maximize ? 90.0 : 10.0);
    double ps90 = zc_percentile_sorted(ss, m, 90.0);
    double ps10 = zc_percentile_sorted(ss, m, 10.0);
    size_t k = 0, both = 0, top_scores = 0;
    for (size_t i = 0; i < m; i++) {
        int top_model = o.maximize ? a[i] > pa : a[i] < pa;
        int high_score = s[i] > ps90;
        if (top_model) { ts[k] = s[i]; ta[k] = a[i]; k++; }
        both += top_model && high_score;
        top_scores += o.maximize ? high_score : s[i] < ps10;
    }
    out->n_top10 = k;
    out->spearman_top10 = zc_spearman(ts, ta, k);
    out->kendall_top10 = zc_kendall_tau_b(ts, ta, k);
    out->top10_top10 = percent(both, top_scores);

    if (m > 64) {
        double pa5 = zc_percentile_sorted(sa, m, o.maximize ? 95.0 : 5.0);
        double s64 = ss[m - 64];   /* np.sort(s)[-64] */
        size_t c = 0;
        for (size_t i = 0; i < m; i++) c += (o.maximize ? a[i] > pa5 : a[i] < pa5) && s[i] >= s64;
        out->top64_top5 = (double)c;
    }
    free(buf);
    return ZC_OK;
}
