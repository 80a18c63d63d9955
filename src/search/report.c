/* What the papers report about a found architecture: its benchmark value, true rank, and mean / std
 * over repeated searches. */
#include <math.h>
#include <string.h>
#include "zcnas/search.h"

/* 1 + the rows of column col with a strictly higher value; -1 for a NaN value */
static int true_rank(const zc_bench_table *t, int col, double value)
{
    if (isnan(value)) return -1;
    int rank = 1;
    for (int i = 0; i < t->n_rows; i++)
        if (t->values[(size_t)i * t->n_cols + col] > value) rank++;
    return rank;
}

void zc_bench_rank(const zc_bench_table *t, int col, long index, double *value, int *rank)
{
    *value = NAN;
    *rank = -1;
    int r = col >= 0 && index >= 0 ? zc_bench_table_row_of_index(t, (int)index) : -1;
    if (r < 0) return;
    *value = t->values[(size_t)r * t->n_cols + col];
    *rank = true_rank(t, col, *value);
}

void zc_bench_rank_key(const zc_bench_table *t, int col, char *const *keys, const char *key, double *value,
                       int *rank)
{
    *value = NAN;
    *rank = -1;
    if (col < 0 || !keys || !key) return;
    double sum = 0;
    int n = 0;
    for (int r = 0; r < t->n_rows; r++) {
        double v = t->values[(size_t)r * t->n_cols + col];
        if (keys[r] && !strcmp(keys[r], key) && !isnan(v)) { sum += v; n++; }
    }
    if (!n) return;
    *value = sum / n;
    *rank = true_rank(t, col, *value);
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
