/* Rank correlations matching scipy.stats (spearmanr, kendalltau tau-b, pearsonr).
 * NaN anywhere in the input gives NaN (scipy's nan_policy='propagate'), which also keeps
 * the sort comparators a strict weak order. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "zcnas/stats.h"

static int has_nan(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i])) return 1;
    return 0;
}

static int is_constant(const double *x, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (x[i] != x[0]) return 0;
    return 1;
}

/* Clamps rounding overshoot like scipy does; comparisons keep NaN (fmin/fmax would not). */
static double clamp1(double r)
{
    if (r > 1.0) return 1.0;
    if (r < -1.0) return -1.0;
    return r;
}

typedef struct { double v; size_t i; } val_idx;

static int cmp_val_idx(const void *a, const void *b)
{
    const val_idx *p = a, *q = b;
    if (p->v < q->v) return -1;
    if (p->v > q->v) return 1;
    return (p->i > q->i) - (p->i < q->i);
}

void zc_rank_average(const double *x, size_t n, double *ranks)
{
    if (n == 0 || !x || !ranks) return;
    val_idx *s = has_nan(x, n) ? NULL : malloc(n * sizeof *s);
    if (!s) {   /* NaN input (or no memory): no meaningful ranking */
        for (size_t i = 0; i < n; i++) ranks[i] = NAN;
        return;
    }
    for (size_t i = 0; i < n; i++) { s[i].v = x[i]; s[i].i = i; }
    qsort(s, n, sizeof *s, cmp_val_idx);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && s[j].v == s[i].v) j++;
        /* positions i..j-1 share the mean of 1-based ranks i+1..j */
        double r = 0.5 * ((double)(i + 1) + (double)j);
        for (size_t k = i; k < j; k++) ranks[s[k].i] = r;
        i = j;
    }
    free(s);
}

double zc_pearson(const double *x, const double *y, size_t n)
{
    if (n < 2 || !x || !y) return NAN;
    /* Exact constancy test: a mean that rounds can leave tiny nonzero deviations. */
    if (is_constant(x, n) || is_constant(y, n)) return NAN;
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
    mx /= (double)n;
    my /= (double)n;
    double sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if (!(sxx > 0) || !(syy > 0)) return NAN;
    /* separate square roots avoid overflowing sxx*syy */
    return clamp1(sxy / (sqrt(sxx) * sqrt(syy)));
}

double zc_spearman(const double *x, const double *y, size_t n)
{
    if (n < 2 || !x || !y) return NAN;
    if (has_nan(x, n) || has_nan(y, n)) return NAN;
    double *rx = malloc(2 * n * sizeof *rx);
    if (!rx) return NAN;
    double *ry = rx + n;
    zc_rank_average(x, n, rx);
    zc_rank_average(y, n, ry);
    double r = zc_pearson(rx, ry, n);
    free(rx);
    return r;
}

typedef struct { double x, y; } pair;

static int cmp_pair_xy(const void *a, const void *b)
{
    const pair *p = a, *q = b;
    if (p->x < q->x) return -1;
    if (p->x > q->x) return 1;
    return (p->y > q->y) - (p->y < q->y);
}

/* Stable merge sort of a[0..n) by y; returns the number of strict inversions (i<j, y_i>y_j),
 * i.e. the discordant pairs once a is sorted by (x, y). Equal y never counts. */
static uint64_t sort_count_inversions(pair *a, pair *tmp, size_t n)
{
    uint64_t inv = 0;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                if (a[j].y < a[i].y) {
                    inv += mid - i;   /* a[j] jumps over all remaining left elements */
                    tmp[k++] = a[j++];
                } else {
                    tmp[k++] = a[i++];
                }
            }
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof *a);
    }
    return inv;
}

/* Sum over runs of equal values (per `same`) of len*(len-1)/2. */
static uint64_t tied_pairs(const pair *a, size_t n, int (*same)(const pair *, const pair *))
{
    uint64_t t = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same(&a[i], &a[j])) j++;
        uint64_t len = j - i;
        t += len * (len - 1) / 2;
        i = j;
    }
    return t;
}

static int same_x(const pair *a, const pair *b) { return a->x == b->x; }
static int same_y(const pair *a, const pair *b) { return a->y == b->y; }
static int same_xy(const pair *a, const pair *b) { return a->x == b->x && a->y == b->y; }

/* Knight's algorithm: sort by (x, y), count ties, then count discordant pairs as the
 * inversions of a merge sort on y. Formula and order of operations follow scipy. */
double zc_kendall_tau_b(const double *x, const double *y, size_t n)
{
    if (n < 2 || !x || !y) return NAN;
    if (has_nan(x, n) || has_nan(y, n)) return NAN;
    if (n > SIZE_MAX / (2 * sizeof(pair))) return NAN;   /* also keeps merge-sort indices from wrapping */
    pair *a = malloc(2 * n * sizeof *a);
    if (!a) return NAN;
    pair *tmp = a + n;
    for (size_t i = 0; i < n; i++) { a[i].x = x[i]; a[i].y = y[i]; }
    qsort(a, n, sizeof *a, cmp_pair_xy);
    uint64_t xtie = tied_pairs(a, n, same_x);
    uint64_t ntie = tied_pairs(a, n, same_xy);   /* joint ties */
    uint64_t dis = sort_count_inversions(a, tmp, n);
    uint64_t ytie = tied_pairs(a, n, same_y);    /* a is now sorted by y */
    free(a);

    uint64_t tot = (uint64_t)n * (uint64_t)(n - 1) / 2;
    if (xtie == tot || ytie == tot) return NAN;   /* a constant input */
    /* tot = con + dis + xtie + ytie - ntie, so con - dis = tot - xtie - ytie + ntie - 2 dis */
    int64_t con_minus_dis = (int64_t)(tot + ntie - xtie - ytie) - 2 * (int64_t)dis;   /* exact */
    double tau = (double)con_minus_dis / sqrt((double)(tot - xtie)) / sqrt((double)(tot - ytie));
    return clamp1(tau);
}

/* Row indices by value, best first: descending (or ascending when !desc), ties in row order. */
static val_idx *rank_order(const double *x, size_t n, int desc)
{
    val_idx *s = malloc(n * sizeof *s);
    if (!s) return NULL;
    /* negating keeps cmp_val_idx's row-order tie break for the descending sort */
    for (size_t i = 0; i < n; i++) { s[i].v = desc ? -x[i] : x[i]; s[i].i = i; }
    qsort(s, n, sizeof *s, cmp_val_idx);
    return s;
}

double zc_precision_at_k(const double *score, const double *target, size_t n, size_t k, int maximize)
{
    if (k == 0 || k > n || !score || !target) return NAN;
    if (has_nan(score, n) || has_nan(target, n)) return NAN;
    val_idx *bs = rank_order(score, n, 1), *bt = rank_order(target, n, maximize);
    unsigned char *top = calloc(n, 1);
    double p = NAN;
    if (bs && bt && top) {
        for (size_t j = 0; j < k; j++) top[bt[j].i] = 1;
        size_t hit = 0;
        for (size_t j = 0; j < k; j++) hit += top[bs[j].i];
        p = (double)hit / (double)k;
    }
    free(bs);
    free(bt);
    free(top);
    return p;
}

static int cmp_desc(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a < b) - (a > b);
}

/* sklearn's _tie_averaged_dcg over discount_cumsum = cumsum(discount), and the ideal DCG of
 * _dcg_sample_scores(y_true, y_true, k, ignore_ties=True); the same order of operations. */
double zc_ndcg(const double *gain, const double *score, size_t n, size_t k)
{
    if (n < 2 || k == 0 || !gain || !score) return NAN;
    if (has_nan(score, n)) return NAN;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(gain[i]) || gain[i] < 0) return NAN;
    double *cum = malloc(2 * n * sizeof *cum);
    val_idx *order = rank_order(score, n, 1);
    double r = NAN;
    if (!cum || !order) goto done;
    double *sorted = cum + n;
    double c = 0, ideal = 0;
    for (size_t i = 0; i < n; i++) sorted[i] = gain[i];
    qsort(sorted, n, sizeof *sorted, cmp_desc);
    for (size_t i = 0; i < n; i++) {
        double d = i < k ? 1.0 / (log((double)i + 2.0) / log(2.0)) : 0.0;
        cum[i] = c += d;
        ideal += d * sorted[i];
    }
    /* groups of equal scores, best first; each member's gain is summed in row order (np.add.at) */
    double dcg = 0, prev = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double sum = 0;
        while (j < n && order[j].v == order[i].v) sum += gain[order[j++].i];
        dcg += sum / (double)(j - i) * (cum[j - 1] - prev);
        prev = cum[j - 1];
        i = j;
    }
    r = ideal == 0 ? 0.0 : dcg / ideal;
done:
    free(cum);
    free(order);
    return r;
}
