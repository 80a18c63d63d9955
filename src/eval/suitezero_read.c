/* NAS-Bench-Suite-Zero JSON in (zcnas/eval.h): NASLib's zero-cost benchmark files (the released
 * zc_<space>.json and what `zcnas score --format suitezero` writes) turned into the score table the
 * CSV loader gives. A small JSON reader of its own: the grammar of RFC 8259 plus Python's NaN,
 * Infinity and -Infinity; every malformed input is a one-line error with its byte offset, and nesting
 * is bounded, so no input can crash it.
 *
 *   {"<dataset>": {"<arch key>": {"id": 7, "<proxy>": {"score": S, "time": T}, ..., "val_accuracy": A}}}
 *
 * Only the dataset asked for is converted (the others are checked for syntax and skipped). In an
 * entry, an object member is a proxy (its "score" required, "time" optional, other members ignored),
 * val_accuracy a number, and every other member metadata ("id", "idx", "arch"). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"
#include "zcnas/eval.h"
#include "zcnas/run.h"
#include "zcnas/space.h"

#define MAX_DEPTH 256        /* nesting that skipped values may have */
#define MAX_PROXIES 1024     /* distinct proxies of one dataset */

typedef struct col {
    char *name;
    double *v;               /* per row */
    int last_row;            /* the last row that set it (a member twice in one entry is an error) */
} col;

typedef struct reader {
    const char *s;
    size_t n, i;
    const char *name;        /* the file, for messages */
    char *str;               /* the last string read (NUL-terminated) */
    size_t str_len, str_cap;
    /* the table being built */
    const zc_space_ctx *space;
    col *cols;
    int n_cols, cap_cols, n_proxies;
    zci_strmap col_of;       /* column name -> position in cols */
    zci_strmap arch_of;      /* canonical arch -> row */
    char **arch;
    int *index, *id;
    double *val;
    int has_val;
    int n_rows, cap_rows;
} reader;

/* A string shown in a message: at most 60 bytes, anything but printable ASCII as '?'. */
static const char *shown(const char *s, char *buf, size_t size)
{
    size_t k = 0;
    for (; s[k] && k + 1 < size && k < 60; k++) buf[k] = s[k] >= 0x20 && s[k] < 0x7f ? s[k] : '?';
    if (s[k] && k >= 60 && k + 4 < size) { memcpy(buf + k, "...", 3); k += 3; }
    buf[k] = '\0';
    return buf;
}

static zc_status fail_at(const reader *r, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static zc_status fail_at(const reader *r, size_t at, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return zc_fail(ZC_EDATA, "%s: byte %zu: %s", r->name, at, msg);
}

static int match_word(const reader *r, const char *w)
{
    size_t k = strlen(w);
    return r->i + k <= r->n && !memcmp(r->s + r->i, w, k);
}

/* What is at the cursor, for messages. */
static const char *what_at(const reader *r)
{
    if (r->i >= r->n) return "the end of the file (truncated?)";
    switch (r->s[r->i]) {
    case '{': return "an object";
    case '[': return "an array";
    case '"': return "a string";
    case 't': return match_word(r, "true") ? "a boolean" : "an unexpected character";
    case 'f': return match_word(r, "false") ? "a boolean" : "an unexpected character";
    case 'n': return match_word(r, "null") ? "null" : "an unexpected character";
    case 'N': case 'I': case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
    case '8': case '9': return "a number";
    default: return "an unexpected character";
    }
}

static void skip_ws(reader *r)
{
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r')) r->i++;
}

static int peek(reader *r)
{
    skip_ws(r);
    return r->i < r->n ? (unsigned char)r->s[r->i] : EOF;
}

static zc_status expect(reader *r, char c, const char *where)
{
    if (peek(r) != c) return fail_at(r, r->i, "expected '%c' %s, got %s", c, where, what_at(r));
    r->i++;
    return ZC_OK;
}

static int put_char(reader *r, char c)
{
    if (r->str_len + 1 >= r->str_cap) {
        size_t cap = r->str_cap ? r->str_cap * 2 : 256;
        char *b = realloc(r->str, cap);
        if (!b) return -1;
        r->str = b;
        r->str_cap = cap;
    }
    r->str[r->str_len++] = c;
    r->str[r->str_len] = '\0';
    return 0;
}

static int put_utf8(reader *r, unsigned cp)
{
    if (cp < 0x80) return put_char(r, (char)cp);
    if (cp < 0x800) return put_char(r, (char)(0xC0 | cp >> 6)) || put_char(r, (char)(0x80 | (cp & 0x3F)));
    if (cp < 0x10000)
        return put_char(r, (char)(0xE0 | cp >> 12)) || put_char(r, (char)(0x80 | (cp >> 6 & 0x3F))) ||
               put_char(r, (char)(0x80 | (cp & 0x3F)));
    return put_char(r, (char)(0xF0 | cp >> 18)) || put_char(r, (char)(0x80 | (cp >> 12 & 0x3F))) ||
           put_char(r, (char)(0x80 | (cp >> 6 & 0x3F))) || put_char(r, (char)(0x80 | (cp & 0x3F)));
}

static int hex4(const reader *r, size_t at, unsigned *out)
{
    if (at + 4 > r->n) return -1;
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = r->s[at + k];
        v = v * 16 + (unsigned)(c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99);
        if (v > 0xFFFF) return -1;
    }
    *out = v;
    return 0;
}

/* A string into r->str (escapes decoded; \u0000 and raw control characters refused). */
static zc_status read_string(reader *r, const char *what)
{
    if (peek(r) != '"') return fail_at(r, r->i, "expected %s (a string), got %s", what, what_at(r));
    size_t start = r->i++;
    r->str_len = 0;
    if (put_char(r, 0) < 0) return zc_fail(ZC_ENOMEM, "%s: out of memory", r->name);
    r->str_len = 0;
    for (;;) {
        if (r->i >= r->n) return fail_at(r, start, "unterminated string (truncated file?)");
        unsigned char c = (unsigned char)r->s[r->i];
        if (c == '"') { r->i++; return ZC_OK; }
        if (c < 0x20) return fail_at(r, r->i, "control character 0x%02x inside a string", c);
        if (c != '\\') {
            if (put_char(r, (char)c) < 0) return zc_fail(ZC_ENOMEM, "%s: out of memory", r->name);
            r->i++;
            continue;
        }
        size_t at = r->i++;
        if (r->i >= r->n) return fail_at(r, start, "unterminated string (truncated file?)");
        char e = r->s[r->i++];
        const char *simple = strchr("\"\\/bfnrt", e);
        int rc;
        if (e && simple) {
            static const char to[] = "\"\\/\b\f\n\r\t";
            rc = put_char(r, to[simple - "\"\\/bfnrt"]);
        } else if (e == 'u') {
            unsigned cp;
            if (hex4(r, r->i, &cp)) return fail_at(r, at, "bad \\u escape (four hex digits expected)");
            r->i += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {   /* a surrogate pair, else U+FFFD */
                unsigned lo;
                if (r->i + 1 < r->n && r->s[r->i] == '\\' && r->s[r->i + 1] == 'u' && !hex4(r, r->i + 2, &lo) &&
                    lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    r->i += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                cp = 0xFFFD;
            }
            if (cp == 0) return fail_at(r, at, "\\u0000 inside a string");
            rc = put_utf8(r, cp);
        } else {
            return fail_at(r, at, "bad escape '\\%c' in a string", e >= 0x20 && e < 0x7f ? e : '?');
        }
        if (rc < 0) return zc_fail(ZC_ENOMEM, "%s: out of memory", r->name);
    }
}

/* A number: JSON's grammar, NaN, Infinity, -Infinity; with allow_null, null (as NaN). *kind = what it
 * was, for messages ("a number" on success). */
static zc_status read_number(reader *r, int allow_null, double *out, const char *what)
{
    int c = peek(r);
    size_t start = r->i;
    if (c == 'n' && allow_null && match_word(r, "null")) { r->i += 4; *out = NAN; return ZC_OK; }
    if (c == 'N' && match_word(r, "NaN")) { r->i += 3; *out = NAN; return ZC_OK; }
    if (c == 'I' && match_word(r, "Infinity")) { r->i += 8; *out = INFINITY; return ZC_OK; }
    if (c == '-' && match_word(r, "-Infinity")) { r->i += 9; *out = -INFINITY; return ZC_OK; }
    if (c != '-' && (c < '0' || c > '9')) return fail_at(r, start, "%s is %s, expected a number", what, what_at(r));
    size_t k = r->i;
    const char *s = r->s;
#define DIGIT(j) ((j) < r->n && s[j] >= '0' && s[j] <= '9')
    if (s[k] == '-') k++;
    if (!DIGIT(k)) return fail_at(r, start, "malformed number in %s", what);
    if (s[k] == '0') k++;
    else while (DIGIT(k)) k++;
    if (k < r->n && s[k] == '.') {
        k++;
        if (!DIGIT(k)) return fail_at(r, start, "malformed number in %s (no digit after '.')", what);
        while (DIGIT(k)) k++;
    }
    if (k < r->n && (s[k] == 'e' || s[k] == 'E')) {
        k++;
        if (k < r->n && (s[k] == '+' || s[k] == '-')) k++;
        if (!DIGIT(k)) return fail_at(r, start, "malformed number in %s (no exponent digits)", what);
        while (DIGIT(k)) k++;
    }
#undef DIGIT
    char buf[512];
    if (k - start >= sizeof buf) return fail_at(r, start, "number of %zu characters in %s", k - start, what);
    memcpy(buf, s + start, k - start);
    buf[k - start] = '\0';
    *out = strtod(buf, NULL);
    r->i = k;
    return ZC_OK;
}

/* Any value, checked and skipped. */
static zc_status skip_value(reader *r, int depth)
{
    if (depth > MAX_DEPTH) return fail_at(r, r->i, "nested deeper than %d levels", MAX_DEPTH);
    int c = peek(r);
    zc_status st;
    if (c == '"') return read_string(r, "a value");
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        r->i++;
        if (peek(r) == close) { r->i++; return ZC_OK; }
        for (;;) {
            if (c == '{') {
                if ((st = read_string(r, "a member name")) != ZC_OK || (st = expect(r, ':', "after a member name")) != ZC_OK)
                    return st;
            }
            if ((st = skip_value(r, depth + 1)) != ZC_OK) return st;
            int d = peek(r);
            if (d == ',') { r->i++; continue; }
            if (d == close) { r->i++; return ZC_OK; }
            return fail_at(r, r->i, "expected ',' or '%c', got %s", close, what_at(r));
        }
    }
    if (c == 't' && match_word(r, "true")) { r->i += 4; return ZC_OK; }
    if (c == 'f' && match_word(r, "false")) { r->i += 5; return ZC_OK; }
    if (c == 'n' && match_word(r, "null")) { r->i += 4; return ZC_OK; }
    double v;
    if (c == EOF) return fail_at(r, r->i, "expected a value, got the end of the file (truncated?)");
    if (c == '-' || c == 'N' || c == 'I' || (c >= '0' && c <= '9')) return read_number(r, 0, &v, "a value");
    return fail_at(r, r->i, "expected a value, got %s", what_at(r));
}

/* ---------------------------------------------------------------- the table being built */

static zc_status grow_rows(reader *r)
{
    if (r->n_rows < r->cap_rows) return ZC_OK;
    if (r->cap_rows > INT_MAX / 4) return zc_fail(ZC_ENOMEM, "%s: too many architectures", r->name);
    int cap = r->cap_rows ? r->cap_rows * 2 : 256;
    char **a = realloc(r->arch, (size_t)cap * sizeof *a);
    if (a) r->arch = a;
    int *ix = realloc(r->index, (size_t)cap * sizeof *ix);
    if (ix) r->index = ix;
    int *id = realloc(r->id, (size_t)cap * sizeof *id);
    if (id) r->id = id;
    double *val = realloc(r->val, (size_t)cap * sizeof *val);
    if (val) r->val = val;
    if (!a || !ix || !id || !val) return zc_fail(ZC_ENOMEM, "%s: out of memory", r->name);
    for (int c = 0; c < r->n_cols; c++) {
        double *v = realloc(r->cols[c].v, (size_t)cap * sizeof *v);
        if (!v) return zc_fail(ZC_ENOMEM, "%s: out of memory", r->name);
        r->cols[c].v = v;
    }
    r->cap_rows = cap;
    return ZC_OK;
}

/* The column `name` (created, NaN in every row so far, when new). */
static zc_status column(reader *r, const char *name, int *out)
{
    double c;
    if (zci_strmap_get(&r->col_of, name, &c)) { *out = (int)c; return ZC_OK; }
    if (r->n_cols == r->cap_cols) {
        int cap = r->cap_cols ? r->cap_cols * 2 : 16;
        col *cs = realloc(r->cols, (size_t)cap * sizeof *cs);
        if (!cs) return zc_fail(ZC_ENOMEM, "%s: out of memory", r->name);
        r->cols = cs;
        r->cap_cols = cap;
    }
    col *k = &r->cols[r->n_cols];
    memset(k, 0, sizeof *k);
    k->last_row = -1;
    k->name = strdup(name);
    k->v = malloc((size_t)(r->cap_rows ? r->cap_rows : 1) * sizeof *k->v);
    if (!k->name || !k->v || zci_strmap_put(&r->col_of, name, r->n_cols) < 0) {
        free(k->name);
        free(k->v);
        return zc_fail(ZC_ENOMEM, "%s: out of memory", r->name);
    }
    for (int row = 0; row < r->cap_rows; row++) k->v[row] = NAN;
    *out = r->n_cols++;
    return ZC_OK;
}

/* One proxy member {"score": S, "time": T, ...} of row `row`; r->str holds the member's name. */
static zc_status read_proxy(reader *r, int row, const char *key, size_t at)
{
    char sk[80], sp[80], proxy_naslib[512];
    if (strlen(r->str) >= sizeof proxy_naslib - 16)
        return fail_at(r, at, "proxy name of %zu bytes in architecture '%s'", strlen(r->str), shown(key, sk, sizeof sk));
    memcpy(proxy_naslib, r->str, strlen(r->str) + 1);   /* r->str is reused for the members below */
    const char *proxy = zc_suitezero_zcnas_name(proxy_naslib);
    if (!*proxy || !strcmp(proxy, "index") || !strcmp(proxy, "arch") || !strcmp(proxy, "val_accuracy"))
        return fail_at(r, at, "'%s' in architecture '%s' cannot be a proxy's name", shown(proxy, sp, sizeof sp),
                       shown(key, sk, sizeof sk));
    char name[540];
    int cs, ct;
    double known;
    snprintf(name, sizeof name, "%s_seconds", proxy);
    int is_new = !zci_strmap_get(&r->col_of, proxy, &known);
    if (is_new && ++r->n_proxies > MAX_PROXIES)
        return fail_at(r, at, "more than %d distinct proxies", MAX_PROXIES);
    zc_status st;
    if ((st = column(r, proxy, &cs)) != ZC_OK || (st = column(r, name, &ct)) != ZC_OK) return st;
    if (r->cols[cs].last_row == row || r->cols[ct].last_row == row)
        return fail_at(r, at, "architecture '%s' has column '%s' twice (a member repeated, or jacov and jacob_cov, or "
                              "a name ending in _seconds)", shown(key, sk, sizeof sk), shown(proxy, sp, sizeof sp));
    r->cols[cs].last_row = r->cols[ct].last_row = row;
    char what[256];
    snprintf(what, sizeof what, "'%s' of architecture '%s'", shown(proxy_naslib, sp, sizeof sp), shown(key, sk, sizeof sk));
    int got_score = 0;
    r->i++;   /* '{' */
    if (peek(r) != '}') {
        for (;;) {
            peek(r);
            size_t mat = r->i;
            if ((st = read_string(r, "a member name")) != ZC_OK || (st = expect(r, ':', "after a member name")) != ZC_OK)
                return st;
            if (!strcmp(r->str, "score") || !strcmp(r->str, "time")) {
                int is_score = r->str[0] == 's';
                if (is_score && got_score) return fail_at(r, mat, "%s has two scores", what);
                char w[300];
                snprintf(w, sizeof w, "the %s of %s", is_score ? "score" : "time", what);
                double v;
                if ((st = read_number(r, 1, &v, w)) != ZC_OK) return st;
                r->cols[is_score ? cs : ct].v[row] = v;
                got_score |= is_score;
            } else if ((st = skip_value(r, 4)) != ZC_OK) {
                return st;
            }
            int d = peek(r);
            if (d == ',') { r->i++; continue; }
            if (d == '}') break;
            return fail_at(r, r->i, "expected ',' or '}' in %s, got %s", what, what_at(r));
        }
    }
    r->i++;
    if (!got_score) return fail_at(r, at, "%s has no \"score\"", what);
    return ZC_OK;
}

/* One entry: the key (in key) and its object. */
static zc_status read_entry(reader *r, const char *key, size_t key_at)
{
    char sk[80];
    const zc_space_ctx *ctx = r->space;
    const zc_space *sp = ctx->space;
    for (const char *p = key; *p; p++)
        if (*p < 0x20 || *p >= 0x7f)
            return fail_at(r, key_at, "'%s' is not a %s NAS-Bench-Suite-Zero key", shown(key, sk, sizeof sk), sp->name);
    if (strlen(key) > 400) return fail_at(r, key_at, "arch key of %zu bytes", strlen(key));
    void *arch = calloc(1, sp->arch_size);
    char *canon = malloc(sp->str_max + 1);
    zc_status st = arch && canon ? ZC_OK : zc_fail(ZC_ENOMEM, "%s: out of memory", r->name);
    if (st == ZC_OK && sp->suitezero_parse(ctx, key, arch) != ZC_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", zc_last_error());
        st = fail_at(r, key_at, "arch key: %s", msg);
    }
    if (st == ZC_OK && zc_space_format(ctx, arch, canon, sp->str_max + 1) != ZC_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", zc_last_error());
        st = fail_at(r, key_at, "arch key '%s': %s", shown(key, sk, sizeof sk), msg);
    }
    int row = r->n_rows, added = 0;
    if (st == ZC_OK && (added = zci_strmap_put(&r->arch_of, canon, row)) < 0) st = zc_fail(ZC_ENOMEM, "%s: out of memory", r->name);
    if (st == ZC_OK && !added)
        st = fail_at(r, key_at, "architecture '%s' appears twice (keys must be distinct architectures)", shown(key, sk, sizeof sk));
    if (st == ZC_OK) st = grow_rows(r);
    if (st == ZC_OK) {
        long ix = zc_space_index_of(ctx, arch);
        r->arch[row] = canon;
        canon = NULL;
        r->index[row] = ix >= 0 && ix <= INT_MAX ? (int)ix : -1;
        r->id[row] = -1;
        r->val[row] = NAN;
        for (int c = 0; c < r->n_cols; c++) r->cols[c].v[row] = NAN;
        r->n_rows++;
    }
    free(arch);
    free(canon);
    if (st != ZC_OK) return st;
    /* the members */
    if (peek(r) != '{')
        return fail_at(r, r->i, "architecture '%s' is %s, expected an object of proxies", shown(key, sk, sizeof sk), what_at(r));
    r->i++;
    if (peek(r) == '}') { r->i++; return ZC_OK; }
    int got_val = 0;
    for (;;) {
        peek(r);
        size_t at = r->i;
        if ((st = read_string(r, "a member name")) != ZC_OK || (st = expect(r, ':', "after a member name")) != ZC_OK) return st;
        int c = peek(r);
        if (!strcmp(r->str, "val_accuracy")) {
            char w[200];
            snprintf(w, sizeof w, "val_accuracy of architecture '%s'", shown(key, sk, sizeof sk));
            if (got_val) return fail_at(r, at, "%s appears twice", w);
            if ((st = read_number(r, 1, &r->val[row], w)) != ZC_OK) return st;
            got_val = r->has_val = 1;
        } else if (c == '{') {
            if ((st = read_proxy(r, row, key, at)) != ZC_OK) return st;
        } else if (!strcmp(r->str, "id") && (c == '-' || (c >= '0' && c <= '9'))) {
            double v;
            if ((st = read_number(r, 0, &v, "id")) != ZC_OK) return st;
            if (v >= 0 && v <= INT_MAX && v == floor(v)) r->id[row] = (int)v;
        } else if ((st = skip_value(r, 3)) != ZC_OK) {   /* metadata: "idx", "arch", ... */
            return st;
        }
        int d = peek(r);
        if (d == ',') { r->i++; continue; }
        if (d == '}') { r->i++; return ZC_OK; }
        return fail_at(r, r->i, "expected ',' or '}' in architecture '%s', got %s", shown(key, sk, sizeof sk), what_at(r));
    }
}

static zc_status read_dataset(reader *r, const char *dkey)
{
    char sk[80];
    if (peek(r) != '{')
        return fail_at(r, r->i, "'%s' is %s, expected an object of architectures", shown(dkey, sk, sizeof sk), what_at(r));
    r->i++;
    if (peek(r) == '}') { r->i++; return ZC_OK; }
    zc_status st;
    for (;;) {
        peek(r);
        size_t at = r->i;
        if ((st = read_string(r, "an arch key")) != ZC_OK) return st;
        char *key = strdup(r->str);
        if (!key) return zc_fail(ZC_ENOMEM, "%s: out of memory", r->name);
        if ((st = expect(r, ':', "after an arch key")) == ZC_OK) st = read_entry(r, key, at);
        free(key);
        if (st != ZC_OK) return st;
        int d = peek(r);
        if (d == ',') { r->i++; continue; }
        if (d == '}') { r->i++; return ZC_OK; }
        return fail_at(r, r->i, "expected ',' or '}' after an architecture, got %s", what_at(r));
    }
}

/* The table from the parsed rows: index, arch, the proxies' columns (score, <proxy>_seconds) in the
 * order met, val_accuracy. */
static zc_status build_table(reader *r, zc_bench_table *t)
{
    int nc = 2 + r->n_cols + (r->has_val ? 1 : 0), n = r->n_rows;
    t->col_names = calloc((size_t)nc, sizeof *t->col_names);
    t->values = malloc((size_t)n * (size_t)nc * sizeof *t->values);
    t->index = malloc((size_t)n * sizeof *t->index);
    t->arch = calloc((size_t)n, sizeof *t->arch);
    if (!t->col_names || !t->values || !t->index || !t->arch) return zc_fail(ZC_ENOMEM, "%s: out of memory", r->name);
    t->n_cols = nc;
    t->n_rows = n;
    const char *fixed[] = {"index", "arch", "val_accuracy"};
    for (int c = 0; c < nc; c++) {
        const char *name = c < 2 ? fixed[c] : c - 2 < r->n_cols ? r->cols[c - 2].name : fixed[2];
        if (!(t->col_names[c] = strdup(name))) return zc_fail(ZC_ENOMEM, "%s: out of memory", r->name);
    }
    for (int row = 0; row < n; row++) {
        double *v = t->values + (size_t)row * nc;
        int ix = r->index[row] >= 0 ? r->index[row] : r->id[row];
        t->index[row] = ix;
        v[0] = ix >= 0 ? ix : NAN;
        v[1] = NAN;
        for (int c = 0; c < r->n_cols; c++) v[2 + c] = r->cols[c].v[row];
        if (r->has_val) v[nc - 1] = r->val[row];
        t->arch[row] = r->arch[row];
        r->arch[row] = NULL;
    }
    return ZC_OK;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

zc_status zc_suitezero_parse_text(zc_bench_table *t, const char *text, size_t len, const char *name,
                                  const zc_space_ctx *space, const char *dataset)
{
    memset(t, 0, sizeof *t);
    if (!name) name = "<text>";
    if (!text || !space) return zc_fail(ZC_EINVAL, "%s: zc_suitezero_parse_text: NULL argument", name);
    const zc_space *sp = space->space;
    if (!sp->suitezero_dataset || !sp->suitezero_parse)
        return zc_fail(ZC_EINVAL, "%s: %s has no NAS-Bench-Suite-Zero convention (NASLib's files cover nb201 and "
                                  "tnb101-micro/-macro here)", name, sp->name);
    char dkey[128], column[128], sk[80];
    zc_status st = sp->suitezero_dataset(space, dataset, dkey, sizeof dkey, column, sizeof column);
    if (st != ZC_OK) return st;
    reader r;
    memset(&r, 0, sizeof r);
    r.s = text;
    r.n = len;
    r.name = name;
    r.space = space;
    char keys[512];
    size_t kl = 0;
    keys[0] = '\0';
    int found = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) r.i = 3;
    if (peek(&r) != '{') {
        fail_at(&r, r.i, "expected '{' (a NAS-Bench-Suite-Zero file is one JSON object of datasets), got %s", what_at(&r));
        st = r.i < r.n && r.s[r.i] == '[' ? ZC_EINVAL : ZC_EDATA;   /* a list: another kind of file */
        goto done;
    }
    r.i++;
    if (peek(&r) != '}') {
        for (;;) {
            peek(&r);
            size_t at = r.i;
            if ((st = read_string(&r, "a dataset name")) != ZC_OK || (st = expect(&r, ':', "after a dataset name")) != ZC_OK)
                goto done;
            int c = peek(&r);
            if (c == EOF) {
                st = fail_at(&r, r.i, "expected the object of '%s', got the end of the file (truncated?)",
                             shown(r.str, sk, sizeof sk));
                goto done;
            }
            if (c != '{') {   /* another kind of file (a usage error, as a JSON-lines file given as a CSV) */
                fail_at(&r, r.i, "top-level member '%s' is %s, expected an object of architectures (JSON lines "
                                 "from `zcnas score --format jsonl` are not read here: use csv or suitezero)",
                        shown(r.str, sk, sizeof sk), what_at(&r));
                st = ZC_EINVAL;
                goto done;
            }
            if (!strcmp(r.str, dkey)) {
                if (found) { st = fail_at(&r, at, "dataset '%s' appears twice", dkey); goto done; }
                found = 1;
                if ((st = read_dataset(&r, dkey)) != ZC_OK) goto done;
            } else {
                if (kl + 70 < sizeof keys) kl += (size_t)snprintf(keys + kl, sizeof keys - kl, "%s%s", kl ? ", " : "",
                                                                  shown(r.str, sk, sizeof sk));
                if ((st = skip_value(&r, 1)) != ZC_OK) goto done;
            }
            int d = peek(&r);
            if (d == ',') { r.i++; continue; }
            if (d == '}') break;
            st = fail_at(&r, r.i, "expected ',' or '}' after a dataset, got %s", what_at(&r));
            goto done;
        }
    }
    r.i++;
    if (peek(&r) != EOF) {
        st = fail_at(&r, r.i, "text after the JSON object");
        goto done;
    }
    if (!found) {
        st = zc_fail(ZC_EDATA, "%s: no dataset '%s' (available: %s)%s", name, dkey, kl ? keys : "none",
                     sp->tasks ? "; choose the task with --task" : "; choose it with --dataset");
        goto done;
    }
    if (r.n_rows == 0) {
        st = zc_fail(ZC_EDATA, "%s: no architectures under '%s'", name, dkey);
        goto done;
    }
    if ((st = build_table(&r, t)) != ZC_OK) goto done;
    /* indices unique, as the CSV loader requires */
    int *ix = malloc((size_t)t->n_rows * sizeof *ix);
    if (!ix) { st = zc_fail(ZC_ENOMEM, "%s: out of memory", name); goto done; }
    memcpy(ix, t->index, (size_t)t->n_rows * sizeof *ix);
    qsort(ix, (size_t)t->n_rows, sizeof *ix, cmp_int);
    for (int k = 1; k < t->n_rows && st == ZC_OK; k++)
        if (ix[k] >= 0 && ix[k] == ix[k - 1]) st = zc_fail(ZC_EDATA, "%s: id %d appears more than once", name, ix[k]);
    free(ix);
done:
    for (int c = 0; c < r.n_cols; c++) { free(r.cols[c].name); free(r.cols[c].v); }
    for (int row = 0; r.arch && row < r.n_rows; row++) free(r.arch[row]);
    free(r.cols);
    free(r.arch);
    free(r.index);
    free(r.id);
    free(r.val);
    free(r.str);
    zci_strmap_free(&r.col_of);
    zci_strmap_free(&r.arch_of);
    if (st != ZC_OK) zc_bench_table_free(t);
    return st;
}

zc_status zc_suitezero_read(zc_bench_table *t, const char *path, const zc_space_ctx *space, const char *dataset)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f) return zc_fail(ZC_EIO, "cannot open '%s': %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    zc_status st = buf ? ZC_OK : zc_fail(ZC_ENOMEM, "%s: out of memory", path);
    while (st == ZC_OK && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = cap < ((size_t)1 << 40) ? realloc(buf, cap * 2) : NULL;
            if (!nb) st = zc_fail(ZC_ENOMEM, "%s: out of memory", path);
            else { buf = nb; cap *= 2; }
        }
    }
    if (st == ZC_OK && ferror(f)) st = zc_fail(ZC_EIO, "cannot read '%s': %s", path, strerror(errno ? errno : EIO));
    fclose(f);
    if (st == ZC_OK) st = zc_suitezero_parse_text(t, buf, n, path, space, dataset);
    free(buf);
    return st;
}
