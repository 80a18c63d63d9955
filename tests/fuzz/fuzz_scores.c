/* Fuzzes score files (the CSV `zcnas score` writes; src/eval/scores.c): the input is written to a file
 * and read by zc_scores_load; a table that loads then goes through what `zcnas eval` does with it:
 * its proxy columns (zc_scores_columns), the aggregates of the proxies it holds (zc_scores_add_aggregates)
 * and a join with itself as the benchmark table, matched on nb201 architectures when indices are missing.
 * Asserts: a failure leaves an error message; a loaded table has an `index` column, at least one row and
 * distinct non-negative indices; proxy columns are real columns other than index and arch; aggregates only
 * add columns; joined on indices, each row finds its own value; a failed join's message names the cause
 * (the space's parser's message for a bad arch string). */
#include <math.h>
#include "fuzz_common.h"
#include "zcnas/eval.h"
#include "zcnas/space.h"

static zc_space_ctx *nb201;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[512];
    if (!path[0]) {
        unsetenv(ZC_DATA_ENV);
        zcf_path(path, sizeof path, "scores.csv");
        ZCF_SETUP(zc_space_open(zc_space_find("nb201"), NULL, &nb201) == ZC_OK, "nb201");
    }
    zcf_write(path, data, size);
    zc_bench_table t;
    zc_clear_error();
    zc_status st = zc_scores_load(&t, path);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_scores_load");
    if (st != ZC_OK) return 0;
    int ci = zc_bench_table_col(&t, "index");
    ZCF_CHECK(ci >= 0 && t.n_rows >= 1, "loaded scores: index column %d, %d rows", ci, t.n_rows);
    for (int r = 0; r < t.n_rows; r++)
        for (int q = 0; q < r; q++)
            ZCF_CHECK(t.index[r] < 0 || t.index[r] != t.index[q], "rows %d and %d share index %d", q, r, t.index[r]);

    int cols[64];
    int n = zc_scores_columns(&t, NULL, cols, 64);
    for (int k = 0; k < n; k++)
        ZCF_CHECK(cols[k] >= 0 && cols[k] < t.n_cols && cols[k] != ci && strcmp(t.col_names[cols[k]], "arch"),
                  "proxy column %d is column %d", k, cols[k]);
    int before = t.n_cols, added = 0;
    zc_clear_error();
    st = zc_scores_add_aggregates(&t, NULL, &added);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_scores_add_aggregates");
    ZCF_CHECK(t.n_cols == before + added, "aggregates: %d columns, were %d, %d added", t.n_cols, before, added);

    int col = n > 0 ? cols[0] : ci;
    double *target = malloc((size_t)t.n_rows * sizeof *target);
    ZCF_SETUP(target, "allocation");
    zc_join_report rep = {0, 0};
    zc_clear_error();
    st = zc_scores_join(&t, path, &t, path, nb201, col, target, &rep);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_scores_join");
    /* Its failures: a row's arch string (the space's parser says why), a missing arch column, a row not
     * in the benchmark, memory. */
    const char *msg = zc_last_error();
    ZCF_CHECK(st == ZC_OK || strstr(msg, "nb201") || strstr(msg, "'arch' column") || strstr(msg, "benchmark table") ||
                  strstr(msg, "out of memory"),
              "zc_scores_join: unexpected message '%s'", msg);
    if (st == ZC_OK && rep.by_index)
        for (int r = 0; r < t.n_rows; r++) {
            double v = t.values[(size_t)r * t.n_cols + col];
            ZCF_CHECK(target[r] == v || (isnan(target[r]) && isnan(v)), "row %d joined with itself: %g, not %g", r,
                      target[r], v);
        }
    free(target);
    zc_bench_table_free(&t);
    return 0;
}
