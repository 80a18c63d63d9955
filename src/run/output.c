/* Rows of scores (zcnas/run.h): index, arch, then <proxy> and <proxy>_seconds per proxy, as CSV or
 * JSON lines, flushed one by one so that an interrupted run leaves complete rows plus at most one
 * torn line; with resume, the complete rows are kept and only the missing architectures scored.
 * A file starts with the run's fingerprint ("# zcnas run: ..." before the CSV header, or a first JSON
 * line {"zcnas_run": "..."}, as asciinema's casts carry theirs), so that resume can refuse rows
 * computed another way. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/util.h"
#include "zcnas/run.h"

/* The first line of a file written by a run: its fingerprint (zc_run_fingerprint). */
#define FP_CSV "# zcnas run: "
#define FP_JSON "{\"zcnas_run\": \""

typedef struct writer {
    FILE *f;
    zc_format format;
    const zc_run_opts *o;
    const zc_arch_list *list;
    const int *todo;           /* list positions being scored */
    char *arch_buf;
    zc_status status;
    char error[512];           /* its message: rows are written from the worker threads, and the error
                                  message a thread sets is its own (zc_last_error) */
} writer;

static void value(FILE *f, double v, int count, int json)
{
    if (isnan(v)) fputs(json ? "null" : "nan", f);
    else if (isinf(v)) fputs(json ? "null" : (v > 0 ? "inf" : "-inf"), f);
    else if (count) fprintf(f, "%.0f", v);
    else fprintf(f, "%.9g", v);
}

/* The CSV header: index, arch, the space's key column if it has one, then each proxy and its time. */
static int header_text(const zc_run_opts *o, char *buf, size_t cap)
{
    const char *key = o->space->space->key_name;
    int n = snprintf(buf, cap, "index,arch%s%s", key ? "," : "", key ? key : "");
    for (int p = 0; p < o->n_proxies && n < (int)cap; p++) {
        for (int k = 0; k < zc_proxy_n_outputs(o->proxies[p]) && n < (int)cap; k++)
            n += snprintf(buf + n, cap - (size_t)n, ",%s", zc_proxy_output(o->proxies[p], k));
        if (n < (int)cap) n += snprintf(buf + n, cap - (size_t)n, ",%s_seconds", o->proxies[p]->name);
    }
    return n < (int)cap ? 0 : -1;
}

static int on_row(void *ctx, int i, const double *scores, const double *seconds)
{
    writer *w = ctx;
    int k = w->todo[i];
    const void *arch = zc_arch_list_get(w->list, k);
    long index = w->list->index[k];
    size_t cap = w->list->space->space->str_max;
    if (zc_space_format(w->list->space, arch, w->arch_buf, cap) != ZC_OK) {
        w->status = ZC_EINVAL;
        snprintf(w->error, sizeof w->error, "%s", zc_last_error());
        return 1;
    }
    int json = w->format == ZC_FORMAT_JSONL;
    if (json) {
        fputs("{\"index\": ", w->f);
        if (index >= 0) fprintf(w->f, "%ld", index);
        else fputs("null", w->f);
        fputs(", \"arch\": ", w->f);
        zci_json_string(w->f, w->arch_buf);
    } else {
        if (index >= 0) fprintf(w->f, "%ld", index);
        fputc(',', w->f);
        zci_csv_field(w->f, w->arch_buf);
    }
    if (w->list->space->space->key_name) {
        if (zc_space_key(w->list->space, arch, w->arch_buf, cap) != ZC_OK) {
            w->status = ZC_EINVAL;
            snprintf(w->error, sizeof w->error, "%s", zc_last_error());
            return 1;
        }
        if (json) {
            fprintf(w->f, ", \"%s\": ", w->list->space->space->key_name);
            zci_json_string(w->f, w->arch_buf);
        } else {
            fputc(',', w->f);
            zci_csv_field(w->f, w->arch_buf);
        }
    }
    for (int p = 0, slot = 0; p < w->o->n_proxies; p++) {
        const zc_proxy *px = w->o->proxies[p];
        for (int k = 0; k < zc_proxy_n_outputs(px); k++, slot++) {
            if (json) fprintf(w->f, ", \"%s\": ", zc_proxy_output(px, k));
            else fputc(',', w->f);
            value(w->f, scores[slot], px->is_count, json);
        }
        if (json) fprintf(w->f, ", \"%s_seconds\": ", px->name);
        else fputc(',', w->f);
        value(w->f, seconds[p], 0, json);
    }
    fputs(json ? "}\n" : "\n", w->f);
    if (fflush(w->f) != 0 || ferror(w->f)) {
        w->status = ZC_EIO;
        snprintf(w->error, sizeof w->error, "cannot write the output: %s", strerror(errno));
        return 1;
    }
    return 0;
}

static char *read_all(const char *path, size_t *len, int *missing)
{
    FILE *f = fopen(path, "rb");
    *missing = !f && errno == ENOENT;
    if (!f) return NULL;
    char *buf = zci_read_stream(f, len);
    int err = errno;
    fclose(f);
    errno = err;
    return buf;
}

/* The arch string of a row into buf, or -1 when the row is malformed. */
static int row_arch(const char *line, zc_format format, char *buf, size_t cap)
{
    const char *p, *end;
    if (format == ZC_FORMAT_JSONL) {
        if (!(p = strstr(line, "\"arch\": \""))) return -1;
        p += 9;
        end = strchr(p, '"');
    } else {
        /* index, then the (possibly quoted) arch field */
        char *copy = strdup(line), *fields[2];
        int n = copy ? zci_csv_split(copy, fields, 2) : -1;
        int bad = n < 2 || !*fields[1] || strlen(fields[1]) >= cap;
        if (!bad) strcpy(buf, fields[1]);
        free(copy);
        return bad ? -1 : 0;
    }
    if (!end || end == p || (size_t)(end - p) >= cap) return -1;
    memcpy(buf, p, (size_t)(end - p));
    buf[end - p] = '\0';
    return 0;
}

/* The end of a number as the writer prints it (%.9g / %.0f: -?digits[.digits][e(+|-)digits], and in
 * CSV nan, inf, -inf), or NULL: a damaged row with "+5", "0x1f", ".5" or "1." is not one of ours. */
static const char *written_number(const char *p, int csv)
{
    if (csv && (!strncmp(p, "nan", 3) || !strncmp(p, "inf", 3))) return p + 3;
    if (csv && !strncmp(p, "-inf", 4)) return p + 4;
    if (*p == '-') p++;
    if (!isdigit((unsigned char)*p)) return NULL;
    if (*p == '0' && isdigit((unsigned char)p[1])) return NULL;   /* no leading zeros */
    while (isdigit((unsigned char)*p)) p++;
    if (*p == '.') {
        if (!isdigit((unsigned char)*++p)) return NULL;
        while (isdigit((unsigned char)*p)) p++;
    }
    if (*p == 'e') {
        p++;
        if (*p != '+' && *p != '-') return NULL;
        if (!isdigit((unsigned char)*++p)) return NULL;
        while (isdigit((unsigned char)*p)) p++;
    }
    return p;
}

/* The row's index at p (the caller has handled empty / null; whole: nothing may follow it): NULL when it
 * is a number and, for spaces with a benchmark index, the architecture's own; else what is wrong.
 * *end: after it. */
static const char *index_problem(const char *p, int whole, char **end, const zc_space_ctx *space, const void *arch)
{
    errno = 0;
    long idx = strtol(p, end, 10);
    if (*end == p || (whole && **end) || errno || idx < 0) return "an index that is not a number";
    if (space->space->index_of && zc_space_index_of(space, arch) != idx) return "an index that is not its architecture's";
    return NULL;
}

/* A CSV row of this run's shape: the header's number of fields, an index that is empty or the
 * architecture's own (spaces with a benchmark index), and a number in every score column (nan and
 * inf included). NULL when it is, else what is wrong. */
static const char *row_problem(const char *line, int n_cols, const zc_space_ctx *space, const void *arch)
{
    char *copy = strdup(line);
    char **f = malloc((size_t)(n_cols + 1) * sizeof *f);
    const char *why = NULL;
    int n = copy && f ? zci_csv_split(copy, f, n_cols + 1) : -1;
    if (n != n_cols) why = "a different number of columns";
    int first_score = space->space->key_name ? 3 : 2;
    if (!why && *f[0]) {
        char *end;
        why = index_problem(f[0], 1, &end, space, arch);
    }
    for (int k = first_score; !why && k < n; k++) {
        const char *end = written_number(f[k], 1);
        if (!end || *end) why = "a score that is not a number";
    }
    free(copy);
    free(f);
    return why;
}

/* A JSON row of this run's shape: exactly the keys the writer puts, in its order, a number or null in
 * every score, the architecture's own index. NULL when it is, else what is wrong. */
static const char *json_row_problem(const char *line, const zc_run_opts *o, const void *arch)
{
    const zc_space_ctx *space = o->space;
    const char *p = line;
    if (strncmp(p, "{\"index\": ", 10)) return "not a row of scores";
    p += 10;
    if (!strncmp(p, "null", 4)) p += 4;
    else {
        char *end;
        const char *why = index_problem(p, 0, &end, space, arch);
        if (why) return why;
        p = end;
    }
    const char *strings[2] = {"arch", space->space->key_name};
    for (int k = 0; k < 2 && strings[k]; k++) {
        char key[96];
        snprintf(key, sizeof key, ", \"%s\": \"", strings[k]);
        if (strncmp(p, key, strlen(key))) return "other columns";
        for (p += strlen(key); *p && *p != '"'; p++)
            if (*p == '\\' && p[1]) p++;
        if (*p++ != '"') return "an unterminated string";
    }
    for (int q = 0; q < o->n_proxies; q++) {
        const zc_proxy *px = o->proxies[q];
        for (int k = 0; k <= zc_proxy_n_outputs(px); k++) {
            char key[128];
            if (k < zc_proxy_n_outputs(px)) snprintf(key, sizeof key, ", \"%s\": ", zc_proxy_output(px, k));
            else snprintf(key, sizeof key, ", \"%s_seconds\": ", px->name);
            if (strncmp(p, key, strlen(key))) return "other columns";
            p += strlen(key);
            if (!strncmp(p, "null", 4)) p += 4;
            else if (!(p = written_number(p, 0))) return "a score that is not a number";
            if (*p != ',' && *p != '}') return "a score that is not a number";
        }
    }
    return strcmp(p, "}") ? "other columns" : NULL;
}

/* What a file this run writes starts with: the fingerprint line, then (CSV) the column header. */
static zc_status preamble(zc_run *r, const char *fp, zc_format format, char *buf, size_t cap)
{
    int n = format == ZC_FORMAT_CSV ? snprintf(buf, cap, "%s%s\n", FP_CSV, fp) : snprintf(buf, cap, "%s%s\"}\n", FP_JSON, fp);
    if (n < 0 || (size_t)n >= cap) return zc_fail(ZC_EINVAL, "too many columns");
    if (format == ZC_FORMAT_CSV && (header_text(zc_run_options(r), buf + n, cap - (size_t)n - 1) ||
                                    strlen(buf) + 2 > cap))
        return zc_fail(ZC_EINVAL, "too many columns");
    if (format == ZC_FORMAT_CSV) strcat(buf, "\n");
    return ZC_OK;
}

/* The rows already in path (resume): how many rows each canonical arch string has, into done (a list
 * may name an architecture more than once: each occurrence is one row); *append = 1 when the file
 * holds a preamble (and rows) to append to; *rows = its rows. */
static zc_status scan_existing(const char *path, zc_run *r, const char *fp, zc_format format, zci_strmap *done,
                               int *append, int *rows)
{
    const zc_run_opts *o = zc_run_options(r);
    size_t len;
    int missing;
    *append = 0;
    char *text = read_all(path, &len, &missing);
    if (!text) return missing ? ZC_OK : zc_fail(ZC_EIO, "%s: cannot read: %s", path, strerror(errno));
    /* Nothing is cut or appended before the file is known to be this run's output: a file that is not
     * (binary data, another run's fingerprint, other columns, malformed rows) is refused and left as it is. */
    enum { PRE_CAP = 16384 };
    char *pre = malloc(PRE_CAP);
    zc_status st = pre ? preamble(r, fp, format, pre, PRE_CAP) : zc_fail(ZC_ENOMEM, "out of memory");
    if (st != ZC_OK) goto out;
    const char *header = strchr(pre, '\n') + 1;   /* CSV: the column header after the fingerprint */
    if (memchr(text, '\0', len)) {
        st = zc_fail(ZC_EINVAL, "'%s' is not a zcnas output (it holds binary data); --resume leaves it as it is", path);
        goto out;
    }
    if (memchr(text, '\r', len)) {   /* rows appended with LF would mix line endings */
        st = zc_fail(ZC_EINVAL, "'%s' has CRLF line endings (edited on Windows?); convert it (dos2unix) to resume it",
                     path);
        goto out;
    }
    /* Empty, or only the start of this run's preamble (stopped while it was written): start over. */
    if (len <= strlen(pre) && !memcmp(text, pre, len)) goto out;
    char *line = text, *nl = strchr(text, '\n');
    const char *tag = format == ZC_FORMAT_CSV ? FP_CSV : FP_JSON;
    int no_fp = format == ZC_FORMAT_CSV ? !strncmp(text, header, strlen(header)) : !strncmp(text, "{\"index\": ", 10);
    if (no_fp) {
        st = zc_fail(ZC_EINVAL, "'%s' has no run fingerprint (written by zcnas before 0.3 or captured from standard "
                                "output), so resuming cannot check that its rows were computed like this run's; "
                                "finish it with the zcnas that wrote it, or start a new file", path);
        goto out;
    }
    if (!nl || strncmp(text, tag, strlen(tag)) || (format == ZC_FORMAT_JSONL && (nl - text < 2 || strncmp(nl - 2, "\"}", 2)))) {
        st = zc_fail(ZC_EINVAL, "'%s' is not a zcnas output (first line '%.60s'); --resume leaves it as it is", path, text);
        goto out;
    }
    *nl = '\0';
    if (format == ZC_FORMAT_JSONL) nl[-2] = '\0';
    char diff[1024];
    if (zc_fingerprint_diff(text + strlen(tag), fp, diff, sizeof diff)) {
        st = zc_fail(ZC_EINVAL, "'%s' was written by a run with other settings (%s); resume with the same version, "
                                "proxies, options, seed and data, or write to a new file", path, diff);
        goto out;
    }
    line = nl + 1;
    /* A torn last line (no newline) was being written when the run stopped: cut once the rest checks. */
    size_t keep = len;
    while (keep > 0 && text[keep - 1] != '\n') keep--;
    if (keep < (size_t)(line - text)) keep = (size_t)(line - text);
    text[keep] = '\0';
    int n_cols = 1;
    if (format == ZC_FORMAT_CSV) {
        for (const char *c = header; *c != '\n'; c++) n_cols += *c == ',';
        nl = strchr(line, '\n');
        size_t hl = strcspn(header, "\n");
        if (!nl || (size_t)(nl - line) != hl || strncmp(line, header, hl)) {
            if (nl) *nl = '\0';
            st = zc_fail(ZC_EINVAL, "'%s' has columns '%.300s', this run writes '%.*s' (same proxies and format needed)",
                         path, line, (int)(hl < 300 ? hl : 300), header);
            goto out;
        }
        line = nl + 1;
    }
    size_t cap = o->space->space->str_max;
    char *arch = malloc(cap), *canon = malloc(cap);
    void *a = calloc(1, o->space->space->arch_size);
    if (!arch || !canon || !a) st = zc_fail(ZC_ENOMEM, "out of memory");
    for (; st == ZC_OK && *line; line = nl + 1) {
        nl = strchr(line, '\n');
        *nl = '\0';
        if (row_arch(line, format, arch, cap) != 0 || zc_space_parse(o->space, arch, a) != ZC_OK ||
            zc_space_format(o->space, a, canon, cap) != ZC_OK) {
            st = zc_fail(ZC_EDATA, "'%s' has a malformed row: '%.60s'", path, line);
            break;
        }
        const char *why = format == ZC_FORMAT_CSV ? row_problem(line, n_cols, o->space, a) : json_row_problem(line, o, a);
        if (why) {
            st = zc_fail(ZC_EDATA, "'%s' has a malformed row (%s): '%.60s'", path, why, line);
            break;
        }
        double count = 0;
        zci_strmap_get(done, canon, &count);
        if (zci_strmap_put(done, canon, count + 1) < 0) st = zc_fail(ZC_ENOMEM, "out of memory");
        else zci_strmap_set(done, canon, count + 1);
        (*rows)++;
    }
    free(arch);
    free(canon);
    free(a);
    if (st == ZC_OK) *append = 1;
    if (st == ZC_OK && keep != len && truncate(path, (off_t)keep) != 0)
        st = zc_fail(ZC_EIO, "%s: cannot cut the torn last line: %s", path, strerror(errno));
out:
    free(pre);
    free(text);
    return st;
}

zc_status zc_run_write(zc_run *r, const zc_arch_list *list, const zc_output *out, zc_write_report *rep)
{
    if (out->format == ZC_FORMAT_SUITEZERO) return zc_suitezero_write(r, list, out, rep);   /* src/run/suitezero.c */
    const zc_run_opts *o = zc_run_options(r);
    zc_write_report local;
    if (!rep) rep = &local;
    memset(rep, 0, sizeof *rep);
    if (out->resume && !out->path) return zc_fail(ZC_EINVAL, "resuming needs an output file");
    zci_strmap done = {0};
    int append = 0, kept = 0;
    char *fp = malloc(8192);   /* computed once: it hashes every lane's batches */
    zc_status st = fp ? zc_run_fingerprint(r, fp, 8192) : zc_fail(ZC_ENOMEM, "out of memory");
    if (st == ZC_OK && out->fingerprint_extra && out->fingerprint_extra[0]) {
        size_t k = strlen(fp);
        if (snprintf(fp + k, 8192 - k, " %s", out->fingerprint_extra) >= (int)(8192 - k))
            st = zc_fail(ZC_EINVAL, "the run's fingerprint is too long");
    }
    if (st == ZC_OK && out->resume) st = scan_existing(out->path, r, fp, out->format, &done, &append, &kept);
    size_t cap = o->space->space->str_max, asz = o->space->space->arch_size;
    int *todo = malloc((size_t)(list->n ? list->n : 1) * sizeof *todo);
    unsigned char *archs = malloc((size_t)(list->n ? list->n : 1) * asz);
    uint64_t *streams = malloc((size_t)(list->n ? list->n : 1) * sizeof *streams);
    writer w = {.format = out->format, .o = o, .list = list, .todo = todo, .arch_buf = malloc(cap), .status = ZC_OK};
    if (st == ZC_OK && (!todo || !archs || !streams || !w.arch_buf)) st = zc_fail(ZC_ENOMEM, "out of memory");
    int n = 0;
    for (int i = 0; st == ZC_OK && i < list->n; i++) {
        const void *a = zc_arch_list_get(list, i);
        double left;
        if (done.n) {
            if ((st = zc_space_format(o->space, a, w.arch_buf, cap)) != ZC_OK) break;
            if (zci_strmap_get(&done, w.arch_buf, &left) && left > 0) {
                zci_strmap_set(&done, w.arch_buf, left - 1);
                continue;
            }
        }
        todo[n] = i;
        memcpy(archs + (size_t)n * asz, a, asz);
        streams[n] = zc_space_stream(o->space, a);
        n++;
    }
    rep->kept = kept;
    if (st == ZC_OK) {
        w.f = out->path ? fopen(out->path, append ? "a" : "w") : stdout;
        if (!w.f) st = zc_fail(ZC_EIO, "%s: cannot open for writing: %s", out->path, strerror(errno));
    }
    if (st == ZC_OK && !append) {   /* files begin with the fingerprint; standard output with the header only */
        char *head = malloc(16384);
        if (!head) st = zc_fail(ZC_ENOMEM, "out of memory");
        else if ((st = preamble(r, fp, out->format, head, 16384)) == ZC_OK)
            fputs(out->path ? head : strchr(head, '\n') + 1, w.f);
        free(head);
        if (st == ZC_OK && (fflush(w.f) != 0 || ferror(w.f))) st = zc_fail(ZC_EIO, "cannot write the output: %s", strerror(errno));
    }
    if (st == ZC_OK) {
        st = zc_run_score(r, archs, n, streams, on_row, &w);
        if (st == ZC_OK && w.status != ZC_OK) st = zc_fail(w.status, "%s", w.error);
        if (st == ZC_OK) rep->scored = n;
    }
    if (w.f && out->path && fclose(w.f) != 0 && st == ZC_OK)
        st = zc_fail(ZC_EIO, "%s: error closing: %s", out->path, strerror(errno));
    zci_strmap_free(&done);
    free(todo);
    free(archs);
    free(streams);
    free(w.arch_buf);
    free(fp);
    return st;
}
