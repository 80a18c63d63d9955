/* What the papers report about a found architecture: its benchmark value, true rank, and mean / std
 * over repeated searches. */
#include <math.h>
#include "zcnas/search.h"

void zc_bench_rank(const zc_bench_table *t, int col, long index, double *value, int *rank)
{
    *value = NAN;
    *rank = -1;
    int r = col >= 0 && index >= 0 ? zc_bench_table_row_of_index(t, (int)index) : -1;
    if (r < 0) return;
    *value = t->values[(size_t)r * t->n_cols + col];
    if (isnan(*value)) return;
    *rank = 1;
    for (int i = 0; i < t->n_rows; i++)
        if (t->values[(size_t)i * t->n_cols + col] > *value) (*rank)++;
}

void zc_mean_std(const double *v, int n, double *mean, double *std)
{
    double s = 0, ss = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(v[i])) { s += v[i]; k++; }
    *mean = k ? s / k : NAN;
    for (int i = 0; i < n; i++)
        if (!isnan(v[i])) ss += (v[i] - *mean) * (v[i] - *mean);
    *std = k ? sqrt(ss / k) : NAN;
}
