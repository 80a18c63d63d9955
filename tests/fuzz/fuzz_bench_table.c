/* Fuzzes the benchmark-table CSV readers (src/eval/bench_table.c): the input, after a first byte that
 * picks the reader, is written to a file and read by zc_bench_table_load (wide tables), by
 * zc_bench_table_load_for with TransNAS-Bench-101's long-table spec (one row per architecture and task,
 * turned wide), or with "arch=recipe_json" (NAS-Bench-NLP's arch column).
 * Asserts: a failure leaves an error message; a loaded table is consistent: column names set and distinct,
 * every row's arch set when there is an arch column, the index of each row equal to its `index` cell
 * (or the row number without one, -1 for an empty cell), zc_bench_table_row_of_index finding a row with
 * that index; a long table has the dense indices 0..n-1 and columns index, arch, then its metrics. */
#include <math.h>
#include "fuzz_common.h"
#include "zcnas/bench_table.h"

static const char *const SPECS[] = {NULL, "space=transbench101_micro;naslib_idx;arch_str;task;val_value",
                                    "arch=recipe_json"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static char path[512];
    if (!path[0]) zcf_path(path, sizeof path, "table.csv");
    int mode = data[0] % 3;
    const char *spec = SPECS[mode];
    zcf_write(path, data + 1, size - 1);
    zc_bench_table t;
    memset(&t, 0, sizeof t);
    zc_clear_error();
    zc_status st = zc_bench_table_load_for(&t, path, spec);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_bench_table_load_for");
    if (st != ZC_OK) {
        ZCF_CHECK(!t.col_names && !t.arch && !t.index && !t.values && !t.n_rows,
                  "a failed load leaves a table behind");
        return 0;
    }
    ZCF_CHECK(t.n_cols >= 1 && t.n_rows >= 0 && t.col_names && (t.index || !t.n_rows) && (t.values || !t.n_rows),
              "loaded table with %d columns, %d rows", t.n_cols, t.n_rows);
    for (int c = 0; c < t.n_cols; c++) {
        ZCF_CHECK(t.col_names[c] != NULL, "column %d has no name", c);
        for (int k = 0; k < c; k++) ZCF_CHECK(strcmp(t.col_names[k], t.col_names[c]), "columns %d and %d: same name", k, c);
    }
    int ci = zc_bench_table_col(&t, "index");
    for (int r = 0; r < t.n_rows; r++) {
        if (t.arch) ZCF_CHECK(t.arch[r] != NULL, "row %d has no arch", r);
        int ix = t.index[r];
        if (ci < 0) {
            ZCF_CHECK(ix == r, "row %d: index %d without an index column", r, ix);
        } else {
            double v = t.values[(size_t)r * t.n_cols + ci];
            ZCF_CHECK(ix == -1 ? isnan(v) : ix >= 0 && v == ix, "row %d: index %d, cell %g", r, ix, v);
        }
        if (ix >= 0) {
            int row = zc_bench_table_row_of_index(&t, ix);
            ZCF_CHECK(row >= 0 && row < t.n_rows && t.index[row] == ix, "index %d of row %d: row_of_index %d", ix, r, row);
        }
    }
    if (mode == 1) {
        ZCF_CHECK(t.n_rows >= 1 && t.n_cols >= 2 && ci == 0 && zc_bench_table_col(&t, "arch") == 1 && t.arch,
                  "long table: %d rows, %d columns", t.n_rows, t.n_cols);
        for (int r = 0; r < t.n_rows; r++) ZCF_CHECK(t.index[r] == r, "long table: row %d has index %d", r, t.index[r]);
    }
    zc_bench_table_free(&t);
    return 0;
}
