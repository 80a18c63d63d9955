/* Benchmark CSV loader: a header row, one record per line, RFC 4180 quoting (NAS-Bench-101 and PlainNet
 * architecture strings hold commas); a quoted field must end on its line. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"
#include "zcnas/bench_table.h"

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Empty or not entirely numeric -> NaN. */
static double parse_cell(const char *s)
{
    if (!*s) return NAN;
    char *end;
    double v = strtod(s, &end);
    return *end == '\0' ? v : NAN;
}

static zc_status read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return zc_fail(ZC_EIO, "cannot open benchmark table '%s': %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) { fclose(f); return zc_fail(ZC_ENOMEM, "%s: out of memory", path); }
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > (size_t)INT_MAX) {
                free(buf);
                fclose(f);
                return zc_fail(ZC_ENOMEM, "%s: file too large", path);
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); fclose(f); return zc_fail(ZC_ENOMEM, "%s: out of memory", path); }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) break;
    }
    int err = ferror(f) ? (errno ? errno : EIO) : 0;  /* e.g. EISDIR: fopen accepts a directory, fread fails */
    fclose(f);
    if (err) { free(buf); return zc_fail(ZC_EIO, "cannot read benchmark table '%s': %s", path, strerror(err)); }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return ZC_OK;
}

/* Next line (without "\n" / "\r\n"), NUL-terminated in place; NULL at end of buffer. */
static char *next_line(char **cur, char *end)
{
    if (*cur >= end) return NULL;
    char *line = *cur, *nl = memchr(line, '\n', (size_t)(end - line));
    if (nl) { *nl = '\0'; *cur = nl + 1; } else { *cur = end; }
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] == '\r') line[n - 1] = '\0';
    return line;
}

static int is_blank(const char *s) { return s[strspn(s, " \t")] == '\0'; }

/* arch_col: the column of architecture strings when it is not named `arch` (NULL: `arch`). */
static zc_status load_table(zc_bench_table *t, const char *path, const char *arch_col)
{
    if (!t || !path) return zc_fail(ZC_EINVAL, "zc_bench_table_load: NULL argument");
    memset(t, 0, sizeof *t);
    char *buf = NULL, **fields = NULL;
    size_t len = 0;
    zc_status st = read_file(path, &buf, &len);
    if (st) return st;
    char *end = buf + len, *cur = buf;
    if (memchr(buf, '\0', len)) { st = zc_fail(ZC_EDATA, "%s: contains NUL bytes (not a CSV text file)", path); goto fail; }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) cur += 3;   /* UTF-8 BOM from spreadsheet exports */
    /* Header, after any leading "#" comment lines (the run fingerprint of `zcnas score --out` files) */
    char *line = next_line(&cur, end);
    int lineno = 1;
    while (line && line[0] == '#') line = next_line(&cur, end), lineno++;
    if (!line || is_blank(line)) { st = zc_fail(ZC_EDATA, "%s: empty file (expected a header row)", path); goto fail; }
    int cap = 2;
    for (char *p = line; *p; p++) cap += *p == ',';
    fields = malloc((size_t)cap * sizeof *fields);
    if (!fields) { st = zc_fail(ZC_ENOMEM, "%s: out of memory", path); goto fail; }
    int nc = zci_csv_split(line, fields, cap);
    if (nc < 0) { st = zc_fail(ZC_EDATA, "%s:%d: unterminated quote", path, lineno); goto fail; }
    t->col_names = calloc((size_t)nc, sizeof *t->col_names);
    if (!t->col_names) { st = zc_fail(ZC_ENOMEM, "%s: out of memory", path); goto fail; }
    t->n_cols = nc;
    int col_index = -1, col_arch = -1;
    for (int c = 0; c < nc; c++) {
        for (int k = 0; k < c; k++)
            if (strcmp(fields[k], fields[c]) == 0) {
                st = zc_fail(ZC_EDATA, "%s:%d: duplicate column name '%s' (columns %d and %d)", path, lineno, fields[c], k + 1,
                             c + 1);
                goto fail;
            }
        if (!(t->col_names[c] = dup_str(fields[c]))) { st = zc_fail(ZC_ENOMEM, "%s: out of memory", path); goto fail; }
        if (strcmp(fields[c], "index") == 0) col_index = c;
        if (strcmp(fields[c], "arch") == 0 && col_arch < 0) col_arch = c;
        if (arch_col && strcmp(fields[c], arch_col) == 0) col_arch = c;
    }

    /* Upper bound on rows: newlines after the header, plus an unterminated last line. */
    size_t max_rows = 1;
    for (char *p = cur; p < end; p++) max_rows += *p == '\n';
    if (max_rows > (size_t)INT_MAX || max_rows > SIZE_MAX / sizeof(double) / (size_t)nc) {
        st = zc_fail(ZC_ENOMEM, "%s: too many rows", path);
        goto fail;
    }
    t->values = malloc(max_rows * (size_t)nc * sizeof *t->values);
    t->index = malloc(max_rows * sizeof *t->index);
    if (col_arch >= 0) t->arch = calloc(max_rows, sizeof *t->arch);
    if (!t->values || !t->index || (col_arch >= 0 && !t->arch)) {
        st = zc_fail(ZC_ENOMEM, "%s: out of memory", path);
        goto fail;
    }

    while ((line = next_line(&cur, end))) {
        lineno++;
        if (is_blank(line)) continue;
        int got = zci_csv_split(line, fields, nc);
        if (got < 0) {
            st = zc_fail(ZC_EDATA, "%s:%d: unterminated quote (a quoted field must end on its line)", path, lineno);
            goto fail;
        }
        if (got != nc) {
            st = zc_fail(ZC_EDATA, "%s:%d: expected %d fields (as in the header), got %d", path, lineno, nc, got);
            goto fail;
        }
        int r = t->n_rows;
        double *row = t->values + (size_t)r * (size_t)nc;
        for (int c = 0; c < nc; c++) row[c] = c == col_arch ? NAN : parse_cell(fields[c]);
        if (col_index >= 0 && !*fields[col_index]) {
            t->index[r] = -1;   /* no index (an architecture outside the benchmark's index) */
        } else if (col_index >= 0) {
            double v = row[col_index];
            if (!(v >= 0 && v <= INT_MAX) || v != floor(v)) {
                st = zc_fail(ZC_EDATA, "%s:%d: index '%s' is not a non-negative integer", path, lineno, fields[col_index]);
                goto fail;
            }
            t->index[r] = (int)v;
        } else {
            t->index[r] = r;
        }
        if (col_arch >= 0 && !(t->arch[r] = dup_str(fields[col_arch]))) {
            st = zc_fail(ZC_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
        t->n_rows++;
    }
    free(fields);
    free(buf);
    return ZC_OK;

fail:
    free(fields);
    free(buf);
    zc_bench_table_free(t);
    return st;
}

zc_status zc_bench_table_load(zc_bench_table *t, const char *path) { return load_table(t, path, NULL); }

void zc_bench_table_free(zc_bench_table *t)
{
    if (!t) return;
    if (t->col_names)
        for (int c = 0; c < t->n_cols; c++) free(t->col_names[c]);
    if (t->arch)
        for (int r = 0; r < t->n_rows; r++) free(t->arch[r]);
    free(t->col_names);
    free(t->arch);
    free(t->index);
    free(t->values);
    memset(t, 0, sizeof *t);
}

int zc_bench_table_col(const zc_bench_table *t, const char *name)
{
    if (!t || !name || !t->col_names) return -1;
    for (int c = 0; c < t->n_cols; c++)
        if (t->col_names[c] && strcmp(t->col_names[c], name) == 0) return c;
    return -1;
}

int zc_bench_table_row_of_index(const zc_bench_table *t, int idx)
{
    if (!t || !t->index) return -1;
    /* Benchmark tables are usually stored in index order, so try row == index first. */
    if (idx >= 0 && idx < t->n_rows && t->index[idx] == idx) return idx;
    for (int r = 0; r < t->n_rows; r++)
        if (t->index[r] == idx) return r;
    return -1;
}

/* A long table (one row per architecture and metric name) as a wide one: rows where filter_col equals
 * filter_val, one output row per distinct key (column `index`), its arch, and one column per distinct
 * name holding the value. */
static zc_status load_long(zc_bench_table *t, const char *path, const char *const spec[6])
{
    const char *filter_col = spec[0], *filter_val = spec[1], *key_col = spec[2], *arch_col = spec[3],
               *name_col = spec[4], *value_col = spec[5];
    memset(t, 0, sizeof *t);
    char *buf = NULL, *fields[64];
    size_t len = 0;
    zc_status st = read_file(path, &buf, &len);
    if (st) return st;
    char *end = buf + len, *cur = buf, *line = next_line(&cur, end);
    int pos[6] = {-1, -1, -1, -1, -1, -1}, nc = line ? zci_csv_split(line, fields, 64) : -1;
    if (nc > 64) {   /* only 64 fields were stored */
        free(buf);
        return zc_fail(ZC_EDATA, "%s: %d columns, a long table has at most 64", path, nc);
    }
    const char *want[6] = {filter_col, NULL, key_col, arch_col, name_col, value_col};
    for (int k = 0; k < 6; k++)
        for (int c = 0; want[k] && c < nc; c++)
            if (!strcmp(fields[c], want[k])) pos[k] = c;
    if (nc < 0 || pos[0] < 0 || pos[2] < 0 || pos[3] < 0 || pos[4] < 0 || pos[5] < 0) {
        free(buf);
        return zc_fail(ZC_EDATA, "%s: expected the columns %s, %s, %s, %s and %s", path, filter_col, key_col, arch_col,
                       name_col, value_col);
    }
    int cap_rows = 0, n_names = 0, lineno = 1;
    char *names[32];
    /* Keys are dense from 0, one row each at least: a key beyond the file's lines cannot be complete
     * (and must not size an allocation). */
    long max_rows = 1;
    for (const char *p = cur; p < end; p++) max_rows += *p == '\n';
    st = ZC_OK;
    t->n_cols = 2;
    while (st == ZC_OK && (line = next_line(&cur, end))) {
        lineno++;
        if (is_blank(line)) continue;
        if (zci_csv_split(line, fields, 64) != nc) { st = zc_fail(ZC_EDATA, "%s:%d: expected %d fields", path, lineno, nc); break; }
        if (strcmp(fields[pos[0]], filter_val)) continue;
        double key = parse_cell(fields[pos[2]]);
        if (!(key >= 0 && key < 10000000) || key != floor(key)) {
            st = zc_fail(ZC_EDATA, "%s:%d: %s '%s' is not a non-negative integer", path, lineno, key_col, fields[pos[2]]);
            break;
        }
        if (key >= max_rows) {
            st = zc_fail(ZC_EDATA, "%s:%d: %s %.0f, but the file has %ld rows (keys are dense from 0)", path, lineno,
                         key_col, key, max_rows);
            break;
        }
        int name = 0;
        while (name < n_names && strcmp(names[name], fields[pos[4]])) name++;
        if (name == n_names) {
            if (n_names == 30) { st = zc_fail(ZC_EDATA, "%s: more than 30 metric names", path); break; }
            if (!strcmp(fields[pos[4]], "index") || !strcmp(fields[pos[4]], "arch")) {   /* the wide table's own */
                st = zc_fail(ZC_EDATA, "%s:%d: %s '%s' would be a second '%s' column", path, lineno, name_col,
                             fields[pos[4]], fields[pos[4]]);
                break;
            }
            if (!(names[n_names++] = dup_str(fields[pos[4]]))) { st = zc_fail(ZC_ENOMEM, "%s: out of memory", path); break; }
        }
        int k = (int)key;
        if (k >= cap_rows) {   /* rows are addressed by key, which is dense in benchmark exports */
            int cap = k + 1 > 2 * cap_rows ? k + 1 : 2 * cap_rows;
            double *v = realloc(t->values, (size_t)cap * 32 * sizeof *v);
            char **a = realloc(t->arch, (size_t)cap * sizeof *a);
            if (v) t->values = v;
            if (a) t->arch = a;
            if (!v || !a) { st = zc_fail(ZC_ENOMEM, "%s: out of memory", path); break; }
            for (int r = cap_rows; r < cap; r++) {
                t->arch[r] = NULL;
                for (int c = 0; c < 32; c++) t->values[(size_t)r * 32 + c] = NAN;
            }
            cap_rows = cap;
        }
        if (!t->arch[k] && !(t->arch[k] = dup_str(fields[pos[3]]))) { st = zc_fail(ZC_ENOMEM, "%s: out of memory", path); break; }
        if (strcmp(t->arch[k], fields[pos[3]])) {
            st = zc_fail(ZC_EDATA, "%s:%d: %s %d is %s here and %s before", path, lineno, key_col, k, fields[pos[3]], t->arch[k]);
            break;
        }
        t->values[(size_t)k * 32 + 2 + name] = parse_cell(fields[pos[5]]);
        if (k + 1 > t->n_rows) t->n_rows = k + 1;
    }
    free(buf);
    for (int r = 0; st == ZC_OK && r < t->n_rows; r++)
        if (!t->arch[r]) st = zc_fail(ZC_EDATA, "%s: no row for %s %d (rows %s=%s)", path, key_col, r, filter_col, filter_val);
    if (st == ZC_OK && t->n_rows == 0) st = zc_fail(ZC_EDATA, "%s: no rows with %s=%s", path, filter_col, filter_val);
    t->n_cols = 2 + n_names;
    t->col_names = calloc((size_t)t->n_cols, sizeof *t->col_names);
    t->index = malloc((size_t)(t->n_rows ? t->n_rows : 1) * sizeof *t->index);
    if (st == ZC_OK && (!t->col_names || !t->index)) st = zc_fail(ZC_ENOMEM, "%s: out of memory", path);
    if (st == ZC_OK) {
        t->col_names[0] = dup_str("index");
        t->col_names[1] = dup_str("arch");
        for (int i = 0; i < n_names; i++) t->col_names[2 + i] = names[i];
        n_names = 0;
        /* Compact the 32-wide rows to n_cols. */
        for (int r = 0; r < t->n_rows; r++) {
            t->index[r] = r;
            t->values[(size_t)r * t->n_cols] = r;
            t->values[(size_t)r * t->n_cols + 1] = NAN;
            for (int c = 2; c < t->n_cols; c++) t->values[(size_t)r * t->n_cols + c] = t->values[(size_t)r * 32 + c];
        }
    }
    for (int i = 0; i < n_names; i++) free(names[i]);
    if (st != ZC_OK) {
        if (!t->col_names) t->n_cols = 0;
        zc_bench_table_free(t);
    }
    return st;
}

zc_status zc_bench_table_load_for(zc_bench_table *t, const char *path, const char *long_spec)
{
    if (!long_spec) return zc_bench_table_load(t, path);
    if (!strncmp(long_spec, "arch=", 5)) return load_table(t, path, long_spec + 5);   /* wide, arch column renamed */
    /* "filter_col=filter_val;key;arch;name;value" */
    char buf[256], *spec[6];
    if (!path) return zc_fail(ZC_EINVAL, "zc_bench_table_load_for: NULL path");
    snprintf(buf, sizeof buf, "%s", long_spec);
    spec[0] = strtok(buf, "=");
    for (int k = 1; k < 6; k++) spec[k] = strtok(NULL, ";");
    for (int k = 0; k < 6; k++)
        if (!spec[k]) return zc_fail(ZC_EINVAL, "bad long-table spec '%s'", long_spec);
    return load_long(t, path, (const char *const *)spec);
}
