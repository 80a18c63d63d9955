/* numpy.nanpercentile with the default 'linear' method, reproduced operation by operation
 * (numpy >= 1.22: virtual index (n-1)*q, numpy's two-sided _lerp), so that the strict "> P90"
 * sets of the epsinas statistics match numpy's even when a percentile falls between two
 * neighbouring floats. */
#include <math.h>
#include <stdlib.h>
#include "zcnas/eval.h"

double zc_percentile_sorted(const double *sorted, size_t n, double q)
{
    if (!sorted || n == 0 || !(q >= 0.0 && q <= 100.0)) return NAN;
    double qf = q / 100.0;                        /* np.true_divide(q, 100) */
    double v = (double)(n - 1) * qf;              /* 'linear': (n - 1) * quantiles */
    double prev = floor(v);
    size_t lo, hi;
    if (v >= (double)(n - 1)) {                   /* above the last index: both neighbours are the max, */
        lo = hi = n - 1;                          /* and numpy's previous index becomes -1 */
        prev = -1.0;
    } else {
        lo = (size_t)prev;
        hi = lo + 1;
    }
    double gamma = v - prev;
    double a = sorted[lo], b = sorted[hi];
    double diff = b - a;
    /* numpy._lerp: a + diff*t, replaced by b - diff*(1-t) where t >= 0.5 */
    return gamma >= 0.5 ? b - diff * (1.0 - gamma) : a + diff * gamma;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

double zc_nanpercentile(const double *x, size_t n, double q)
{
    if (!x || n == 0) return NAN;
    double *v = malloc(n * sizeof *v);
    if (!v) return NAN;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) v[m++] = x[i];
    qsort(v, m, sizeof *v, cmp_double);
    double p = zc_percentile_sorted(v, m, q);
    free(v);
    return p;
}
