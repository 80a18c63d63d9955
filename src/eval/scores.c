/* Score files (`zcnas score` CSVs) joined with benchmark tables on `index`, or on the space's key of
 * the architecture strings. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"
#include "zcnas/eval.h"
#include "zcnas/proxy.h"
#include "zcnas/space.h"

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
        if (v[r].index >= 0 && v[r].index == v[r - 1].index) *dup_row = v[r].row;
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
        st = zc_fail(ZC_EDATA, "%s: no 'index' column (the CSV written by `zcnas score` has index, arch, ...)", path);
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

zc_status zc_scores_load_for(zc_bench_table *t, const char *path, const zc_space_ctx *space, const char *dataset)
{
    int c = space ? first_char(path) : EOF;
    if (c == '{' || c == '[') return zc_suitezero_read(t, path, space, dataset);   /* suitezero_read.c */
    return zc_scores_load(t, path);
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

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

void zc_row_keys_free(char **keys, int n)
{
    for (int r = 0; keys && r < n; r++) free(keys[r]);
    free(keys);
}

zc_status zc_row_keys(const zc_bench_table *t, const char *path, const zc_space_ctx *space, int by_index, char ***out)
{
    *out = NULL;
    if (!by_index && !t->arch)
        return zc_fail(ZC_EDATA, "%s: no 'arch' column to match rows by architecture (and no usable index)", path);
    char **keys = calloc((size_t)(t->n_rows ? t->n_rows : 1), sizeof *keys);
    size_t cap = space ? space->space->str_max : 0;
    char *buf = malloc(cap + 64);
    void *arch = space ? calloc(1, space->space->arch_size) : NULL;
    zc_status st = keys && buf && (!space || arch) ? ZC_OK : zc_fail(ZC_ENOMEM, "out of memory");
    for (int r = 0; st == ZC_OK && r < t->n_rows; r++) {
        if (by_index) {
            if (t->index[r] < 0) continue;
            snprintf(buf, 64, "#%d", t->index[r]);
        } else if (!space) {
            if (!*t->arch[r]) continue;
            keys[r] = dup_str(t->arch[r]);
            if (!keys[r]) st = zc_fail(ZC_ENOMEM, "out of memory");
            continue;
        } else if ((st = zc_space_parse(space, t->arch[r], arch)) != ZC_OK ||
                   (st = zc_space_key(space, arch, buf, cap + 64)) != ZC_OK) {
            char msg[512];   /* a copy: zc_fail writes the buffer zc_last_error() returns */
            snprintf(msg, sizeof msg, "%s", zc_last_error());
            st = zc_fail(ZC_EDATA, "%s: row %d: %s", path, r + 2, msg);
            break;
        }
        if (!(keys[r] = dup_str(buf))) st = zc_fail(ZC_ENOMEM, "out of memory");
    }
    free(buf);
    free(arch);
    if (st != ZC_OK) { zc_row_keys_free(keys, t->n_rows); return st; }
    *out = keys;
    return ZC_OK;
}

zc_status zc_scores_join(const zc_bench_table *scores, const char *scores_path, const zc_bench_table *bench,
                         const char *bench_path, const zc_space_ctx *space, int col, double *target,
                         zc_join_report *rep)
{
    int by_index = zc_bench_table_col(bench, "index") >= 0;
    for (int r = 0; r < scores->n_rows; r++) by_index &= scores->index[r] >= 0;
    if (by_index) {   /* unique indices in the benchmark */
        int dup;
        idx_row *v = sorted_index(bench, &dup);
        if (!v) return zc_fail(ZC_ENOMEM, "out of memory");
        free(v);
        if (dup >= 0) return zc_fail(ZC_EDATA, "%s: index %d appears more than once", bench_path, bench->index[dup]);
    }
    char **bk = NULL, **sk = NULL;
    zc_status st = zc_row_keys(bench, bench_path, space, by_index, &bk);
    if (st == ZC_OK) st = zc_row_keys(scores, scores_path, space, by_index, &sk);
    /* each key's first benchmark row, and the sum and count of its finite targets */
    zci_strmap first = {0};
    double *sum = calloc((size_t)(bench->n_rows ? bench->n_rows : 1), sizeof *sum);
    int *cnt = calloc((size_t)(bench->n_rows ? bench->n_rows : 1), sizeof *cnt);
    if (st == ZC_OK && (!sum || !cnt)) st = zc_fail(ZC_ENOMEM, "out of memory");
    for (int r = 0; st == ZC_OK && r < bench->n_rows; r++) {
        if (!bk[r]) continue;
        double v = bench->values[(size_t)r * bench->n_cols + col], f;
        if (zci_strmap_put(&first, bk[r], (double)r) < 0) { st = zc_fail(ZC_ENOMEM, "out of memory"); break; }
        zci_strmap_get(&first, bk[r], &f);
        if (!isnan(v)) { sum[(int)f] += v; cnt[(int)f]++; }
    }
    int averaged = 0;
    for (int r = 0; st == ZC_OK && r < scores->n_rows; r++) {
        double f;
        if (!sk[r] || !zci_strmap_get(&first, sk[r], &f)) {
            if (by_index)
                st = zc_fail(ZC_EDATA, "%s: index %d (row %d) is not in the benchmark table %s", scores_path,
                             scores->index[r], r + 2, bench_path);
            else
                st = zc_fail(ZC_EDATA, "%s: row %d (%.60s) is not in the benchmark table %s", scores_path, r + 2,
                             scores->arch ? scores->arch[r] : "?", bench_path);
            break;
        }
        int b = (int)f;
        target[r] = cnt[b] ? sum[b] / cnt[b] : NAN;
        averaged += cnt[b] > 1;
    }
    zci_strmap_free(&first);
    free(sum);
    free(cnt);
    zc_row_keys_free(bk, bench->n_rows);
    zc_row_keys_free(sk, scores->n_rows);
    if (st == ZC_OK && rep) { rep->by_index = by_index; rep->averaged = averaged; }
    return st;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

int zc_scores_columns(const zc_bench_table *t, const char *key_name, int *cols, int max)
{
    int n = 0;
    for (int c = 0; c < t->n_cols && n < max; c++) {
        const char *name = t->col_names[c];
        if (!strcmp(name, "index") || !strcmp(name, "arch") || ends_with(name, "_seconds") ||
            (key_name && !strcmp(name, key_name)))
            continue;
        cols[n++] = c;
    }
    return n;
}

/* Appends column `name` (values v, n_rows) to t. */
static zc_status append_column(zc_bench_table *t, const char *name, const double *v)
{
    double *vals = malloc((size_t)t->n_rows * (t->n_cols + 1) * sizeof *vals);
    char **names = realloc(t->col_names, (size_t)(t->n_cols + 1) * sizeof *names);
    size_t len = strlen(name) + 1;
    char *nm = malloc(len);
    if (nm) memcpy(nm, name, len);
    if (names) t->col_names = names;
    if (!vals || !names || !nm) { free(vals); free(nm); return zc_fail(ZC_ENOMEM, "out of memory"); }
    for (int r = 0; r < t->n_rows; r++) {
        memcpy(vals + (size_t)r * (t->n_cols + 1), t->values + (size_t)r * t->n_cols, (size_t)t->n_cols * sizeof *vals);
        vals[(size_t)r * (t->n_cols + 1) + t->n_cols] = v[r];
    }
    free(t->values);
    t->values = vals;
    t->col_names[t->n_cols++] = nm;
    return ZC_OK;
}

zc_status zc_scores_add_aggregates(zc_bench_table *t, const unsigned char *rows, int *added)
{
    if (added) *added = 0;
    double *out = malloc((size_t)(t->n_rows ? t->n_rows : 1) * sizeof *out);
    double *sub = malloc((size_t)(t->n_rows ? t->n_rows : 1) * 8 * sizeof *sub);
    double *res = malloc((size_t)(t->n_rows ? t->n_rows : 1) * sizeof *res);
    zc_status st = out && sub && res ? ZC_OK : zc_fail(ZC_ENOMEM, "out of memory");
    for (const zc_aggregate *const *a = zc_aggregate_all(); *a && st == ZC_OK; a++) {
        int k = zc_aggregate_n_columns(*a), cols[8], ok = k <= 8 && zc_bench_table_col(t, (*a)->name) < 0;
        for (int c = 0; ok && c < k; c++) ok = (cols[c] = zc_bench_table_col(t, (*a)->columns[c])) >= 0;
        if (!ok) continue;
        /* The population: the rows selected (all when rows is NULL). */
        const double *colp[8];
        size_t n = 0;
        for (int r = 0; r < t->n_rows; r++) {
            if (rows && !rows[r]) continue;
            for (int c = 0; c < k; c++) sub[(size_t)c * t->n_rows + n] = t->values[(size_t)r * t->n_cols + cols[c]];
            n++;
        }
        for (int c = 0; c < k; c++) colp[c] = sub + (size_t)c * t->n_rows;
        if ((st = zc_aggregate_compute(*a, colp, n, res)) != ZC_OK) break;
        for (int r = 0, i = 0; r < t->n_rows; r++) out[r] = rows && !rows[r] ? NAN : res[i++];
        if ((st = append_column(t, (*a)->name, out)) == ZC_OK && added) (*added)++;
    }
    free(out); free(sub); free(res);
    return st;
}
