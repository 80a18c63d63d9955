/* JSON output and the string table (util.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"
#include "zcnas/space.h"

void zci_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

void zci_json_number(FILE *f, double v, const char *fmt)
{
    if (isfinite(v)) fprintf(f, fmt, v);
    else fputs("null", f);
}

static size_t slot_of(const zci_strmap *m, const char *key)
{
    size_t h = zc_space_hash(key) & (m->cap - 1);
    while (m->key[h] && strcmp(m->key[h], key)) h = (h + 1) & (m->cap - 1);
    return h;
}

int zci_strmap_get(const zci_strmap *m, const char *key, double *v)
{
    if (!m->cap) return 0;
    size_t h = slot_of(m, key);
    if (!m->key[h]) return 0;
    if (v) *v = m->val[h];
    return 1;
}

void zci_strmap_set(zci_strmap *m, const char *key, double v)
{
    if (m->cap) m->val[slot_of(m, key)] = v;
}

int zci_strmap_put(zci_strmap *m, const char *key, double v)
{
    if (2 * (m->n + 1) > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        zci_strmap g = {calloc(cap, sizeof(char *)), calloc(cap, sizeof(double)), cap, m->n};
        if (!g.key || !g.val) { free(g.key); free(g.val); return -1; }
        for (size_t i = 0; i < m->cap; i++)
            if (m->key[i]) {
                size_t h = slot_of(&g, m->key[i]);
                g.key[h] = m->key[i];
                g.val[h] = m->val[i];
            }
        free(m->key);
        free(m->val);
        *m = g;
    }
    size_t h = slot_of(m, key);
    if (m->key[h]) return 0;
    size_t n = strlen(key) + 1;
    if (!(m->key[h] = malloc(n))) return -1;
    memcpy(m->key[h], key, n);
    m->val[h] = v;
    m->n++;
    return 1;
}

void zci_strmap_free(zci_strmap *m)
{
    for (size_t i = 0; i < m->cap; i++) free(m->key[i]);
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}
