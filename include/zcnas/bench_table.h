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
/* A space's table: as zc_bench_table_load, or, with long_spec = "col=value;key;arch;name;value" (a
 * space's bench_rows), a long table (one row per architecture and metric) turned wide: the rows where
 * col equals value, one row per key (which becomes `index`, dense from 0), `arch`, and one column per
 * distinct name holding its value; with long_spec = "arch=col", a wide table whose architectures are in column
 * col (else `arch`). */
zc_status zc_bench_table_load_for(zc_bench_table *t, const char *path, const char *long_spec);
int zc_bench_table_col(const zc_bench_table *t, const char *name);   /* -1 if absent */
/* Row whose `index` equals idx, or -1. */
int zc_bench_table_row_of_index(const zc_bench_table *t, int idx);

#endif
