/* Benchmark accuracy tables (CSV with a header row, an `index` column, an `arch` column and
 * numeric columns such as cifar10_test). */
#ifndef ZCNAS_BENCH_TABLE_H
#define ZCNAS_BENCH_TABLE_H
#include "zcnas/error.h"

typedef struct zc_bench_table {
    int n_rows, n_cols;
    char **col_names;     /* n_cols */
    char **arch;          /* n_rows, the `arch` column (NULL if absent) */
    int *index;           /* n_rows, the `index` column (row number if absent; -1 where empty) */
    double *values;       /* n_rows x n_cols, NaN for non-numeric or empty cells */
} zc_bench_table;

zc_status zc_bench_table_load(zc_bench_table *t, const char *path);
void zc_bench_table_free(zc_bench_table *t);
int zc_bench_table_col(const zc_bench_table *t, const char *name);   /* -1 if absent */
/* Row whose `index` equals idx, or -1. */
int zc_bench_table_row_of_index(const zc_bench_table *t, int idx);

#endif
