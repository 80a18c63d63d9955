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

zc_status zc_bench_table_load(zc_bench_table *t, const char *path)
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
    /* Header */
    char *line = next_line(&cur, end);
    if (!line || is_blank(line)) { st = zc_fail(ZC_EDATA, "%s: empty file (expected a header row)", path); goto fail; }
    int cap = 2;
    for (char *p = line; *p; p++) cap += *p == ',';
    fields = malloc((size_t)cap * sizeof *fields);
    if (!fields) { st = zc_fail(ZC_ENOMEM, "%s: out of memory", path); goto fail; }
    int nc = zci_csv_split(line, fields, cap);
    if (nc < 0) { st = zc_fail(ZC_EDATA, "%s:1: unterminated quote", path); goto fail; }
    t->col_names = calloc((size_t)nc, sizeof *t->col_names);
    if (!t->col_names) { st = zc_fail(ZC_ENOMEM, "%s: out of memory", path); goto fail; }
    t->n_cols = nc;
    int col_index = -1, col_arch = -1;
    for (int c = 0; c < nc; c++) {
        for (int k = 0; k < c; k++)
            if (strcmp(fields[k], fields[c]) == 0) {
                st = zc_fail(ZC_EDATA, "%s:1: duplicate column name '%s' (columns %d and %d)", path, fields[c], k + 1, c + 1);
                goto fail;
            }
        if (!(t->col_names[c] = dup_str(fields[c]))) { st = zc_fail(ZC_ENOMEM, "%s: out of memory", path); goto fail; }
        if (strcmp(fields[c], "index") == 0) col_index = c;
        if (strcmp(fields[c], "arch") == 0) col_arch = c;
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

    int lineno = 1;
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
