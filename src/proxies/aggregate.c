/* Scores ranked over a population (zcnas/proxy.h): the table of aggregates and their rules. Each
 * rule follows the official code that combines the sub-scores:
 *   AZ-NAS (NB201/tss_general.ipynb): sum over FLOPs, expressivity, progressivity, trainability of
 *     ln(rankdata(x) / N), rankdata = average ranks, ascending;
 *   TE-NAS (the stand-alone copy in AZ-NAS / VKDNW): rank(ntk) + rank(linear regions);
 *   VKDNW (tss_utils.py get_scores): the dense rank of (aleph, entropy) in lexicographic order;
 *   VKDNW_agg ("vkdnw_comb"): ln r(VKDNW) + ln r(FLOPs) + ln r(expressivity) + ln r(trainability)
 *     + ln r(jacov), r = average ranks without division by N, jacov's NaN replaced by its minimum.
 * A NaN sub-score is ranked lowest (as -inf) unless the rule says otherwise. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "zcnas/proxy.h"
#include "zcnas/stats.h"

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

static const zc_aggregate agg_az_nas = {
    .name = "az_nas",
    .help = "AZ-NAS: sum of ln(rank / N) of FLOPs, expressivity, progressivity and trainability over the population",
    .needs = LIST("az_nas", "flops"),
    .columns = LIST("flops", "az_expressivity", "az_progressivity", "az_trainability"),
    .rule = ZC_AGG_LOG_RANK_OVER_N,
};
static const zc_aggregate agg_te_nas = {
    .name = "te_nas",
    .help = "TE-NAS: rank of the NTK score (-condition number) plus rank of the linear-region count",
    .needs = LIST("te_nas"),
    .columns = LIST("ntk", "linear_regions"),
    .rule = ZC_AGG_RANK_SUM,
};
static const zc_aggregate agg_vkdnw = {
    .name = "vkdnw",
    .help = "VKDNW: dense rank of (number of parameter tensors, Fisher-spectrum entropy), lexicographic",
    .needs = LIST("vkdnw"),
    .columns = LIST("vkdnw_dim", "vkdnw_entropy"),
    .rule = ZC_AGG_DENSE_LEX,
};
static const zc_aggregate agg_vkdnw_agg = {
    .name = "vkdnw_agg",
    .help = "VKDNW_agg: ln rank of VKDNW, FLOPs, AZ expressivity, AZ trainability and jacov (kaiming init)",
    .needs = LIST("vkdnw", "az_nas", "flops"),
    .columns = LIST("vkdnw_dim", "vkdnw_entropy", "flops", "az_expressivity", "az_trainability", "vkdnw_jacov"),
    .rule = ZC_AGG_VKDNW,
};

static const zc_aggregate agg_vkdnw_mbv2 = {
    .name = "vkdnw_mbv2",
    .help = "VKDNW's MobileNet search score: sum of ln(rank / N) of FLOPs, AZ expressivity, progressivity, the "
            "Fisher-spectrum entropy and AZ trainability",
    .needs = LIST("vkdnw", "az_nas", "flops"),
    .columns = LIST("flops", "az_expressivity", "az_progressivity", "vkdnw_entropy", "az_trainability"),
    .rule = ZC_AGG_LOG_RANK_OVER_N,
};

static const zc_aggregate *const all_aggregates[] = {&agg_az_nas, &agg_te_nas, &agg_vkdnw, &agg_vkdnw_agg,
                                                     &agg_vkdnw_mbv2, NULL};

const zc_aggregate *const *zc_aggregate_all(void) { return all_aggregates; }

const zc_aggregate *zc_aggregate_find(const char *name)
{
    for (int i = 0; name && all_aggregates[i]; i++)
        if (!strcmp(all_aggregates[i]->name, name)) return all_aggregates[i];
    return NULL;
}

int zc_aggregate_n_columns(const zc_aggregate *a)
{
    int n = 0;
    while (a->columns[n]) n++;
    return n;
}

/* Average ranks (1 = lowest) of x with NaN ranked lowest. */
static void ranks_of(const double *x, size_t n, double *tmp, double *r)
{
    for (size_t i = 0; i < n; i++) tmp[i] = isnan(x[i]) ? -INFINITY : x[i];
    zc_rank_average(tmp, n, r);
}

typedef struct { const double *a, *b; size_t i; } lex_item;

static int cmp_lex(const void *pa, const void *pb)
{
    const lex_item *x = pa, *y = pb;
    double xa = x->a[x->i], ya = y->a[y->i], xb = x->b[x->i], yb = y->b[y->i];
    if (isnan(xa)) xa = -INFINITY;
    if (isnan(ya)) ya = -INFINITY;
    if (isnan(xb)) xb = -INFINITY;
    if (isnan(yb)) yb = -INFINITY;
    if (xa != ya) return xa < ya ? -1 : 1;
    if (xb != yb) return xb < yb ? -1 : 1;
    return 0;
}

/* Dense ranks 1..D of the pairs (a_i, b_i) in lexicographic order. */
static zc_status dense_lex(const double *a, const double *b, size_t n, double *out)
{
    lex_item *it = malloc((n ? n : 1) * sizeof *it);
    if (!it) return zc_fail(ZC_ENOMEM, "aggregate: out of memory");
    for (size_t i = 0; i < n; i++) it[i] = (lex_item){a, b, i};
    qsort(it, n, sizeof *it, cmp_lex);
    double rank = 0.0;
    for (size_t k = 0; k < n; k++) {
        if (k == 0 || cmp_lex(&it[k - 1], &it[k]) != 0) rank += 1.0;
        out[it[k].i] = rank;
    }
    free(it);
    return ZC_OK;
}

zc_status zc_aggregate_compute(const zc_aggregate *a, const double *const *cols, size_t n, double *out)
{
    if (!a || !cols || (n && !out)) return zc_fail(ZC_EINVAL, "aggregate: NULL argument");
    int k = zc_aggregate_n_columns(a);
    size_t cap = n ? n : 1;
    double *tmp = malloc(3 * cap * sizeof *tmp);
    if (!tmp) return zc_fail(ZC_ENOMEM, "aggregate: out of memory for %zu architectures", n);
    double *r = tmp + cap, *col = r + cap;
    for (size_t i = 0; i < n; i++) out[i] = 0.0;
    zc_status st = ZC_OK;
    int first = 0;
    if (a->rule == ZC_AGG_DENSE_LEX || a->rule == ZC_AGG_VKDNW) {
        if ((st = dense_lex(cols[0], cols[1], n, col)) == ZC_OK && a->rule == ZC_AGG_VKDNW) {
            zc_rank_average(col, n, r);
            for (size_t i = 0; i < n; i++) out[i] = log(r[i]);
        } else if (st == ZC_OK) {
            memcpy(out, col, n * sizeof *out);
        }
        first = 2;
    }
    for (int c = first; c < k && st == ZC_OK && a->rule != ZC_AGG_DENSE_LEX; c++) {
        const double *x = cols[c];
        if (a->rule == ZC_AGG_VKDNW && c == k - 1) {   /* jacov: NaN -> the column's minimum */
            double mn = INFINITY;
            for (size_t i = 0; i < n; i++) if (x[i] < mn) mn = x[i];
            for (size_t i = 0; i < n; i++) col[i] = isnan(x[i]) ? mn : x[i];
            x = col;
        }
        ranks_of(x, n, tmp, r);
        for (size_t i = 0; i < n; i++)
            out[i] += a->rule == ZC_AGG_RANK_SUM ? r[i]
                    : a->rule == ZC_AGG_LOG_RANK_OVER_N ? log(r[i] / (double)n) : log(r[i]);
    }
    free(tmp);
    return st;
}

zc_status zc_aggregate_compute_rows(const zc_aggregate *a, const double *raw, const int *rows, size_t n, double *out)
{
    if (!a || (n && (!raw || !out))) return zc_fail(ZC_EINVAL, "aggregate: NULL argument");
    int k = zc_aggregate_n_columns(a);
    if (k > 16) return zc_fail(ZC_EINVAL, "aggregate %s has more than 16 columns", a->name);
    double *cols = malloc((n ? n : 1) * (size_t)k * sizeof *cols);
    const double *colp[16];
    if (!cols) return zc_fail(ZC_ENOMEM, "aggregate: out of memory for %zu architectures", n);
    for (int c = 0; c < k; c++) {
        colp[c] = cols + (size_t)c * n;
        for (size_t i = 0; i < n; i++) cols[(size_t)c * n + i] = raw[(size_t)(rows ? rows[i] : (int)i) * k + c];
    }
    zc_status st = zc_aggregate_compute(a, colp, n, out);
    free(cols);
    return st;
}
