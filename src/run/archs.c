/* Lists of architectures (zcnas/run.h): from strings, benchmark indices, files, seeded samples or
 * the whole space. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"
#include "zcnas/bench_table.h"
#include "zcnas/run.h"

#define SAMPLE_STREAM 0x5A3B1E   /* the stream of --sample draws */

void zc_arch_list_init(zc_arch_list *l, const zc_space_ctx *space)
{
    memset(l, 0, sizeof *l);
    l->space = space;
}

void zc_arch_list_free(zc_arch_list *l)
{
    free(l->archs);
    free(l->index);
    l->archs = NULL;
    l->index = NULL;
    l->n = l->cap = 0;
}

const void *zc_arch_list_get(const zc_arch_list *l, int i)
{
    return l->archs + (size_t)i * l->space->space->arch_size;
}

zc_status zc_arch_list_add(zc_arch_list *l, const void *arch)
{
    size_t asz = l->space->space->arch_size;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 64;
        unsigned char *a = realloc(l->archs, (size_t)cap * asz);
        if (!a) return zc_fail(ZC_ENOMEM, "out of memory for %d architectures", cap);
        l->archs = a;
        long *ix = realloc(l->index, (size_t)cap * sizeof *ix);
        if (!ix) return zc_fail(ZC_ENOMEM, "out of memory for %d architectures", cap);
        l->index = ix;
        l->cap = cap;
    }
    memcpy(l->archs + (size_t)l->n * asz, arch, asz);
    l->index[l->n] = zc_space_index_of(l->space, arch);
    l->n++;
    return ZC_OK;
}

/* Space-sized scratch for one architecture. */
static void *scratch_arch(const zc_arch_list *l)
{
    void *a = calloc(1, l->space->space->arch_size);
    if (!a) zc_fail(ZC_ENOMEM, "out of memory");
    return a;
}

zc_status zc_arch_list_add_string(zc_arch_list *l, const char *s)
{
    void *a = scratch_arch(l);
    if (!a) return ZC_ENOMEM;
    zc_status st = zc_space_parse(l->space, s, a);
    if (st == ZC_OK) st = zc_arch_list_add(l, a);
    free(a);
    return st;
}

static int parse_int_token(const char *s, const char *end, long *v)
{
    if (s == end) return -1;
    long x = 0;
    for (const char *p = s; p < end; p++) {
        if (!isdigit((unsigned char)*p)) return -1;
        x = x * 10 + (*p - '0');
        if (x > 1000000000L) return -1;
    }
    *v = x;
    return 0;
}

static zc_status add_index(zc_arch_list *l, long index, void *a)
{
    zc_status st = zc_space_from_index(l->space, index, a);
    return st == ZC_OK ? zc_arch_list_add(l, a) : st;
}

zc_status zc_arch_list_add_indices(zc_arch_list *l, const char *s)
{
    long long size = zc_space_size(l->space);
    if (!l->space->space->from_index) return zc_fail(ZC_EINVAL, "%s has no benchmark index", l->space->space->name);
    if (!s) return zc_fail(ZC_EINVAL, "empty index list");
    void *a = scratch_arch(l);
    if (!a) return ZC_ENOMEM;
    zc_status st = ZC_OK;
    for (const char *p = s; st == ZC_OK;) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        const char *dash = memchr(p, '-', (size_t)(end - p));
        long x = 0, y = 0;
        int bad = dash ? (parse_int_token(p, dash, &x) || parse_int_token(dash + 1, end, &y)) : parse_int_token(p, end, &x);
        if (!dash) y = x;
        if (bad || x > y || (size > 0 && y >= size))
            st = zc_fail(ZC_EINVAL, "bad item '%.*s' in '%s' (expected N or A-B with 0 <= A <= B <= %lld)",
                         (int)(end - p), p, s, size - 1);
        for (long i = x; st == ZC_OK && i <= y; i++) st = add_index(l, i, a);
        if (!*end) break;
        p = end + 1;
    }
    free(a);
    return st;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

static int all_digits(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

zc_status zc_arch_list_add_file(zc_arch_list *l, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return zc_fail(ZC_EIO, "%s: cannot open: %s", path, strerror(errno));
    void *a = scratch_arch(l);
    char *line = malloc(65536);
    zc_status st = a && line ? ZC_OK : zc_fail(ZC_ENOMEM, "out of memory");
    int lineno = 0, before = l->n;
    while (st == ZC_OK && fgets(line, 65536, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            st = zc_fail(ZC_EINVAL, "%s:%d: line longer than 65535 characters", path, lineno);
            break;
        }
        char *s = trim(line);
        if (!*s || *s == '#') continue;
        if (all_digits(s) && l->space->space->from_index) st = add_index(l, strtol(s, NULL, 10), a);
        else if ((st = zc_space_parse(l->space, s, a)) == ZC_OK) st = zc_arch_list_add(l, a);
        if (st != ZC_OK) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", zc_last_error());
            st = zc_fail(st, "%s:%d: %s", path, lineno, msg);
        }
    }
    if (st == ZC_OK && ferror(f)) st = zc_fail(ZC_EIO, "%s: read error", path);
    fclose(f);
    free(a);
    free(line);
    if (st == ZC_OK && l->n == before) st = zc_fail(ZC_EINVAL, "%s lists no architectures", path);
    return st;
}

zc_status zc_arch_list_add_sample(zc_arch_list *l, int k, uint64_t seed)
{
    const zc_space_ctx *sp = l->space;
    long long size = zc_space_size(sp);
    if (k < 1) return zc_fail(ZC_EINVAL, "a sample needs at least one architecture");
    if (size > 0 && k > size) return zc_fail(ZC_EINVAL, "a sample of %d from a space of %lld", k, size);
    if (!sp->space->from_index && !sp->space->sample)
        return zc_fail(ZC_EUNSUPPORTED, "%s: its architectures cannot be drawn at random (give them one by one)",
                       sp->space->name);
    zc_rng r;
    zc_rng_seed(&r, seed, SAMPLE_STREAM);
    void *a = scratch_arch(l);
    if (!a) return ZC_ENOMEM;
    zc_status st = ZC_OK;
    if (sp->space->from_index) {
        /* A seeded partial Fisher-Yates over all indices, then sorted: k distinct architectures. */
        if (!sp->has_index) {
            free(a);
            return zc_space_from_index(sp, 0, NULL);   /* the message: the table is needed */
        }
        int *perm = malloc((size_t)size * sizeof *perm);
        char *chosen = calloc((size_t)size, 1);
        if (!perm || !chosen) st = zc_fail(ZC_ENOMEM, "out of memory");
        for (long long i = 0; st == ZC_OK && i < size; i++) perm[i] = (int)i;
        for (int i = 0; st == ZC_OK && i < k; i++) {
            int j = i + (int)zc_rng_below(&r, (uint64_t)(size - i));
            int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        }
        for (int i = 0; st == ZC_OK && i < k; i++) chosen[perm[i]] = 1;
        for (long long i = 0; st == ZC_OK && i < size; i++)
            if (chosen[i]) st = add_index(l, (long)i, a);
        free(perm);
        free(chosen);
        free(a);
        return st;
    }
    /* Distinct samples in draw order. */
    zci_strmap seen = {0};
    char *buf = malloc(sp->space->str_max);
    int got = 0;
    long tries = 0, max_tries = 1000L * k + 10000;
    if (!buf) st = zc_fail(ZC_ENOMEM, "out of memory");
    while (st == ZC_OK && got < k) {
        if (++tries > max_tries) {
            st = zc_fail(ZC_EINVAL, "%s: found only %d distinct architectures in %ld draws", sp->space->name, got, max_tries);
            break;
        }
        sp->space->sample(sp, &r, a);
        if ((st = zc_space_key(sp, a, buf, sp->space->str_max)) != ZC_OK) break;   /* distinct cells */
        int added = zci_strmap_put(&seen, buf, 0.0);
        if (added < 0) st = zc_fail(ZC_ENOMEM, "out of memory");
        else if (added && (st = zc_arch_list_add(l, a)) == ZC_OK) got++;
    }
    zci_strmap_free(&seen);
    free(buf);
    free(a);
    return st;
}

zc_status zc_arch_list_add_table(zc_arch_list *l, const zc_bench_table *t, const char *path, int k, uint64_t seed)
{
    if (!t->arch) return zc_fail(ZC_EDATA, "%s: no 'arch' column", path);
    if (k > t->n_rows) return zc_fail(ZC_EINVAL, "a sample of %d from the %d rows of %s", k, t->n_rows, path);
    char *chosen = calloc((size_t)(t->n_rows ? t->n_rows : 1), 1);
    int *perm = malloc((size_t)(t->n_rows ? t->n_rows : 1) * sizeof *perm);
    void *a = scratch_arch(l);
    zc_status st = chosen && perm && a ? ZC_OK : zc_fail(ZC_ENOMEM, "out of memory");
    if (st == ZC_OK && k > 0) {   /* k rows by a seeded partial Fisher-Yates, kept in table order */
        zc_rng r;
        zc_rng_seed(&r, seed, SAMPLE_STREAM);
        for (int i = 0; i < t->n_rows; i++) perm[i] = i;
        for (int i = 0; i < k; i++) {
            int j = i + (int)zc_rng_below(&r, (uint64_t)(t->n_rows - i));
            int x = perm[i]; perm[i] = perm[j]; perm[j] = x;
            chosen[perm[i]] = 1;
        }
    }
    for (int row = 0; st == ZC_OK && row < t->n_rows; row++) {
        if (k > 0 && !chosen[row]) continue;
        if ((st = zc_space_parse(l->space, t->arch[row], a)) != ZC_OK) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", zc_last_error());
            st = zc_fail(ZC_EDATA, "%s: row %d: %s", path, row + 2, msg);
            break;
        }
        st = zc_arch_list_add(l, a);
    }
    free(chosen);
    free(perm);
    free(a);
    return st;
}

zc_status zc_arch_list_add_all(zc_arch_list *l)
{
    long long size = zc_space_size(l->space);
    if (size <= 0 || !l->space->space->from_index)
        return zc_fail(ZC_EINVAL, "%s cannot be enumerated (no benchmark index)%s", l->space->space->name,
                       l->space->space->bench_table ? ": give --arch-file, or `zcnas reproduce --all` for the rows of "
                                                      "its benchmark table" : "");
    void *a = scratch_arch(l);
    if (!a) return ZC_ENOMEM;
    zc_status st = ZC_OK;
    for (long long i = 0; st == ZC_OK && i < size; i++) st = add_index(l, (long)i, a);
    free(a);
    return st;
}
