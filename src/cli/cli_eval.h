/* Pieces shared by `eval` and `reproduce`: score files joined with benchmark tables by index,
 * and the statistics table. */
#ifndef ZC_CLI_EVAL_H
#define ZC_CLI_EVAL_H
#include "cli.h"
#include "zcnas/eval.h"

/* Loads a `zcnas score` CSV: an `index` column and at least one row required, indices unique.
 * Prints the error and returns its exit code. */
int cli_load_scores(zc_bench_table *t, const char *path);
/* Column `name` of t, or prints "<path>: no <what> column 'name' (available: ...)" and returns -1. */
int cli_table_col(const zc_bench_table *t, const char *path, const char *what, const char *name);
/* target[r] = bench[row with index == scores->index[r]][col] for every row r of scores; an index
 * missing from bench is an error. */
int cli_join_target(const zc_bench_table *scores, const char *scores_path, const zc_bench_table *bench,
                    const char *bench_path, int col, double *target);
/* Column c of t as a vector (t->n_rows values). */
void cli_table_column(const zc_bench_table *t, int c, double *out);
/* The proxy columns of a score table: every column except index, arch and *_seconds. */
int cli_score_columns(const zc_bench_table *t, int *cols, int max);

/* Statistics of several proxies, printed as a table for people, CSV or JSON. */
typedef struct cli_eval_row {
    const char *proxy;
    zc_eval_result r;
} cli_eval_row;
enum { CLI_EVAL_TABLE, CLI_EVAL_CSV, CLI_EVAL_JSON };
void cli_eval_print_csv(FILE *f, const cli_eval_row *rows, int n);
/* "nan" in CSV, "-" in tables, null in JSON. */
void cli_json_string(FILE *f, const char *s);

/* ---- report figures (hand-written SVG) ---- */
/* Score (x; log scale when no finite score is negative and the positive ones span more than two
 * decades; zeros are then drawn on the left edge) against the target (y). Points with a non-finite score or target are left out and counted in
 * the title. Returns CLI_OK or prints the error. */
int cli_svg_scatter(const char *path, const char *proxy, const char *target, const double *score,
                    const double *acc, int n, const zc_eval_result *r);
/* A k x k heatmap of m (row-major, values in [-1, 1], NaN drawn grey) with the names on both axes. */
int cli_svg_matrix(const char *path, const char *title, const char *const *names, const double *m, int k);

#endif
