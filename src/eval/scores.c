/* Score files (`zcnas score` CSVs) joined with benchmark tables on `index`. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "zcnas/eval.h"

static int first_char(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return EOF;
    int c;
    while ((c = fgetc(f)) != EOF && isspace(c)) {}
    fclose(f);
    return c;
}

typedef struct idx_row { int index, row; } idx_row;

static int cmp_idx_row(const void *pa, const void *pb)
{
    const idx_row *a = pa, *b = pb;
    if (a->index != b->index) return (a->index > b->index) - (a->index < b->index);
    return (a->row > b->row) - (a->row < b->row);
}

/* Rows of t sorted by index; reports the first duplicate index (as *dup, else -1). */
static idx_row *sorted_index(const zc_bench_table *t, int *dup_row)
{
    idx_row *v = malloc((size_t)(t->n_rows ? t->n_rows : 1) * sizeof *v);
    if (!v) return NULL;
    for (int r = 0; r < t->n_rows; r++) { v[r].index = t->index[r]; v[r].row = r; }
    qsort(v, (size_t)t->n_rows, sizeof *v, cmp_idx_row);
    *dup_row = -1;
    for (int r = 1; r < t->n_rows && *dup_row < 0; r++)
        if (v[r].index == v[r - 1].index) *dup_row = v[r].row;
    return v;
}

zc_status zc_scores_load(zc_bench_table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    if (first_char(path) == '{')
        return zc_fail(ZC_EINVAL, "%s: looks like JSON lines; this reads the CSV written by `zcnas score` "
                                  "(its default --format csv)", path);
    zc_status st = zc_bench_table_load(t, path);
    if (st != ZC_OK) return st;
    int dup = -1;
    if (zc_bench_table_col(t, "index") < 0)
        st = zc_fail(ZC_EDATA, "%s: no 'index' column (rows are matched to the benchmark by index)", path);
    else if (t->n_rows == 0)
        st = zc_fail(ZC_EDATA, "%s: no rows after the header", path);
    if (st == ZC_OK) {
        idx_row *v = sorted_index(t, &dup);
        if (!v) st = zc_fail(ZC_ENOMEM, "out of memory");
        else if (dup >= 0) st = zc_fail(ZC_EDATA, "%s: index %d appears more than once", path, t->index[dup]);
        free(v);
    }
    if (st != ZC_OK) zc_bench_table_free(t);
    return st;
}

zc_status zc_table_find(const zc_bench_table *t, const char *path, const char *what, const char *name, int *col)
{
    if ((*col = zc_bench_table_col(t, name)) >= 0) return ZC_OK;
    char list[2048];
    size_t o = 0;
    list[0] = '\0';
    for (int i = 0; i < t->n_cols && o < sizeof list; i++) {
        if (!strcmp(t->col_names[i], "index") || !strcmp(t->col_names[i], "arch")) continue;
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "", t->col_names[i]);
    }
    return zc_fail(ZC_EINVAL, "%s: no %s column '%s' (available: %s)", path, what, name, o ? list : "none");
}

void zc_table_values(const zc_bench_table *t, int c, double *out)
{
    for (int r = 0; r < t->n_rows; r++) out[r] = t->values[(size_t)r * t->n_cols + c];
}

zc_status zc_scores_join(const zc_bench_table *scores, const char *scores_path, const zc_bench_table *bench,
                         const char *bench_path, int col, double *target)
{
    if (zc_bench_table_col(bench, "index") < 0)
        return zc_fail(ZC_EDATA, "%s: no 'index' column to match the score rows with", bench_path);
    int dup;
    idx_row *v = sorted_index(bench, &dup);
    if (!v) return zc_fail(ZC_ENOMEM, "out of memory");
    if (dup >= 0) {
        int idx = bench->index[dup];
        free(v);
        return zc_fail(ZC_EDATA, "%s: index %d appears more than once", bench_path, idx);
    }
    for (int r = 0; r < scores->n_rows; r++) {
        int key = scores->index[r];
        size_t lo = 0, hi = (size_t)bench->n_rows;   /* lower bound on index */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (v[mid].index < key) lo = mid + 1;
            else hi = mid;
        }
        if (lo == (size_t)bench->n_rows || v[lo].index != key) {
            free(v);
            return zc_fail(ZC_EDATA, "%s: index %d (row %d) is not in the benchmark table %s", scores_path, key, r + 2,
                           bench_path);
        }
        target[r] = bench->values[(size_t)v[lo].row * bench->n_cols + col];
    }
    free(v);
    return ZC_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

int zc_scores_columns(const zc_bench_table *t, int *cols, int max)
{
    int n = 0;
    for (int c = 0; c < t->n_cols && n < max; c++) {
        const char *name = t->col_names[c];
        if (!strcmp(name, "index") || !strcmp(name, "arch") || ends_with(name, "_seconds")) continue;
        cols[n++] = c;
    }
    return n;
}
