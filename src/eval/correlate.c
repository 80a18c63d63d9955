/* Rank correlations over the valid (non-NaN) pairs. */
#include <math.h>
#include <stdlib.h>
#include "zcnas/stats.h"

zc_corr zc_correlate(const double *score, const double *target, size_t n)
{
    zc_corr c = {NAN, NAN, 0};
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    if (x && y) {
        for (size_t i = 0; i < n; i++)
            if (!isnan(score[i]) && !isnan(target[i])) { x[c.n] = score[i]; y[c.n] = target[i]; c.n++; }
        c.spearman = zc_spearman(x, y, c.n);
        c.kendall = zc_kendall_tau_b(x, y, c.n);
    }
    free(x);
    free(y);
    return c;
}
