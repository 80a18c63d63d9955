/* PlainNet structure strings: parsing (with errors that name the block), validation, the canonical
 * ZenNAS str() form, smart_round and the layer count. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "spaces/plainnet/plainnet.h"

int zc_plainnet_smart_round(double x, int base)
{
    /* Python round() on a float: nearest, ties to even (rint in the default rounding mode). */
    double r = rint(x / (double)base) * base;
    return r < base ? base : (int)r;
}

void zc_plainnet_block_name(const zc_plainnet_block *b, char *buf, size_t size)
{
    if (b->kind == ZC_PLAINNET_CONV) snprintf(buf, size, "SuperConvK%dBNRELU", b->k);
    else snprintf(buf, size, "SuperResIDWE%dK%d", b->e, b->k);
}

int zc_plainnet_layers(const zc_plainnet *s)
{
    int n = 0;
    for (int i = 0; i < s->n; i++) n += s->blocks[i].layers;
    return n;
}

/* Recognises a block type name; 0 when unknown. */
static int block_type(const char *name, size_t len, zc_plainnet_block *b)
{
    char buf[32];
    if (len >= sizeof buf) return 0;
    memcpy(buf, name, len);
    buf[len] = '\0';
    static const int conv_k[4] = {1, 3, 5, 7}, idw_e[4] = {1, 2, 4, 6}, idw_k[3] = {3, 5, 7};
    for (int i = 0; i < 4; i++) {
        char want[32];
        snprintf(want, sizeof want, "SuperConvK%dBNRELU", conv_k[i]);
        if (!strcmp(buf, want)) { b->kind = ZC_PLAINNET_CONV; b->k = conv_k[i]; b->e = 0; return 1; }
    }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++) {
            char want[32];
            snprintf(want, sizeof want, "SuperResIDWE%dK%d", idw_e[i], idw_k[j]);
            if (!strcmp(buf, want)) { b->kind = ZC_PLAINNET_IDW; b->k = idw_k[j]; b->e = idw_e[i]; return 1; }
        }
    return 0;
}

/* Range checks of one block (and its chaining to the previous one); `where` describes it. */
static zc_status check_block(const zc_plainnet_block *b, const zc_plainnet_block *prev, const char *where)
{
    if (b->c_in < 1 || b->c_in > ZC_PLAINNET_MAX_CHANNELS)
        return zc_fail(ZC_EINVAL, "plainnet: %s: C_in %d out of range 1..%d", where, b->c_in, ZC_PLAINNET_MAX_CHANNELS);
    if (b->c_out < 1 || b->c_out > ZC_PLAINNET_MAX_CHANNELS)
        return zc_fail(ZC_EINVAL, "plainnet: %s: C_out %d out of range 1..%d", where, b->c_out, ZC_PLAINNET_MAX_CHANNELS);
    if (b->stride < 1 || b->stride > ZC_PLAINNET_MAX_STRIDE)
        return zc_fail(ZC_EINVAL, "plainnet: %s: stride %d out of range 1..%d", where, b->stride, ZC_PLAINNET_MAX_STRIDE);
    if (b->kind == ZC_PLAINNET_IDW && (b->bottleneck < 1 || b->bottleneck > ZC_PLAINNET_MAX_CHANNELS))
        return zc_fail(ZC_EINVAL, "plainnet: %s: bottleneck B %d out of range 1..%d", where, b->bottleneck,
                       ZC_PLAINNET_MAX_CHANNELS);
    if (b->layers < 1 || b->layers > ZC_PLAINNET_MAX_LAYERS)
        return zc_fail(ZC_EINVAL, "plainnet: %s: L (sub-layers) %d out of range 1..%d", where, b->layers,
                       ZC_PLAINNET_MAX_LAYERS);
    if (prev && b->c_in != prev->c_out)
        return zc_fail(ZC_EINVAL, "plainnet: %s: C_in %d does not match the previous block's C_out %d", where,
                       b->c_in, prev->c_out);
    return ZC_OK;
}

zc_status zc_plainnet_validate(const zc_plainnet *s)
{
    if (!s || s->n < 1) return zc_fail(ZC_EINVAL, "plainnet: empty structure");
    if (s->n > ZC_PLAINNET_MAX_BLOCKS)
        return zc_fail(ZC_EINVAL, "plainnet: %d blocks (at most %d)", s->n, ZC_PLAINNET_MAX_BLOCKS);
    for (int i = 0; i < s->n; i++) {
        const zc_plainnet_block *b = &s->blocks[i];
        int kind_ok = b->kind == ZC_PLAINNET_CONV ? (b->k == 1 || b->k == 3 || b->k == 5 || b->k == 7)
                    : b->kind == ZC_PLAINNET_IDW ? ((b->k == 3 || b->k == 5 || b->k == 7) &&
                                                    (b->e == 1 || b->e == 2 || b->e == 4 || b->e == 6))
                    : 0;
        if (!kind_ok)
            return zc_fail(ZC_EINVAL, "plainnet: block %d: invalid type (kind %d, k %d, e %d)", i, b->kind, b->k, b->e);
        char where[64];
        snprintf(where, sizeof where, "block %d", i);
        zc_status st = check_block(b, i ? &s->blocks[i - 1] : NULL, where);
        if (st != ZC_OK) return st;
    }
    return ZC_OK;
}

/* One integer argument (decimal digits, optional sign); 0 when it is not an integer. */
static int parse_int(const char *p, size_t len, int *v)
{
    size_t i = 0;
    int neg = 0;
    if (i < len && (p[i] == '-' || p[i] == '+')) neg = p[i++] == '-';
    if (i == len) return 0;
    long long x = 0;
    for (; i < len; i++) {
        if (!isdigit((unsigned char)p[i])) return 0;
        if (x < 1000000000LL) x = x * 10 + (p[i] - '0');   /* saturates: reported as out of range */
    }
    if (x > 1000000000LL) x = 1000000000LL;
    *v = (int)(neg ? -x : x);
    return 1;
}

zc_status zc_plainnet_parse(const char *s, zc_plainnet *out)
{
    if (!s) return zc_fail(ZC_EINVAL, "plainnet: empty structure string");
    const char *start = s;
    while (*start && isspace((unsigned char)*start)) start++;
    size_t total = strlen(start);
    while (total && isspace((unsigned char)start[total - 1])) total--;
    if (!total) return zc_fail(ZC_EINVAL, "plainnet: empty structure string");
    zc_plainnet r;
    r.n = 0;
    size_t pos = 0;
    while (pos < total) {
        const char *blk = start + pos;
        size_t rest = total - pos;
        int index = r.n;
        /* The block's own text, for messages: up to its ')' (or a bounded prefix). */
        size_t shown = 0;
        while (shown < rest && blk[shown] != ')' && shown < 60) shown++;
        if (shown < rest && blk[shown] == ')') shown++;
        char where[160];
        snprintf(where, sizeof where, "block %d '%.*s%s' at offset %d", index, (int)shown, blk,
                 shown < rest && blk[shown - 1] != ')' ? "..." : "", (int)(blk - s));
        size_t name_len = 0;
        while (name_len < rest && isalnum((unsigned char)blk[name_len])) name_len++;
        if (name_len == 0)
            return zc_fail(ZC_EINVAL, "plainnet: %s: expected a block name, found '%c'", where, blk[0]);
        if (name_len == rest || blk[name_len] != '(')
            return zc_fail(ZC_EINVAL, "plainnet: %s: expected '(' after the block name", where);
        zc_plainnet_block b;
        memset(&b, 0, sizeof b);
        if (!block_type(blk, name_len, &b))
            return zc_fail(ZC_EINVAL, "plainnet: %s: unknown block type '%.*s' (expected SuperConvK{1,3,5,7}BNRELU "
                           "or SuperResIDWE{1,2,4,6}K{3,5,7})", where, (int)name_len, blk);
        if (r.n == ZC_PLAINNET_MAX_BLOCKS)
            return zc_fail(ZC_EINVAL, "plainnet: %s: more than %d blocks", where, ZC_PLAINNET_MAX_BLOCKS);
        const char *args = blk + name_len + 1;
        size_t args_len = 0;
        while (name_len + 1 + args_len < rest && args[args_len] != ')' && args[args_len] != '(') args_len++;
        if (name_len + 1 + args_len == rest)
            return zc_fail(ZC_EINVAL, "plainnet: %s: missing ')'", where);
        if (args[args_len] == '(')
            return zc_fail(ZC_EINVAL, "plainnet: %s: unexpected '(' inside the arguments", where);
        /* Optional "name|" prefix. */
        const char *bar = memchr(args, '|', args_len);
        if (bar) {
            args_len -= (size_t)(bar + 1 - args);
            args = bar + 1;
        }
        int want = b.kind == ZC_PLAINNET_CONV ? 4 : 5;
        int vals[8], n_vals = 0;
        size_t a = 0;
        for (;;) {
            size_t e = a;
            while (e < args_len && args[e] != ',') e++;
            if (n_vals < 8) {
                if (!parse_int(args + a, e - a, &vals[n_vals]))
                    return zc_fail(ZC_EINVAL, "plainnet: %s: argument %d '%.*s' is not an integer", where, n_vals + 1,
                                   (int)(e - a), args + a);
            }
            n_vals++;
            if (e == args_len) break;
            a = e + 1;
        }
        if (n_vals != want)
            return zc_fail(ZC_EINVAL, "plainnet: %s: expected %d arguments (%s), got %d", where, want,
                           want == 4 ? "C_in,C_out,stride,L" : "C_in,C_out,stride,B,L", n_vals);
        b.c_in = vals[0];
        b.c_out = vals[1];
        b.stride = vals[2];
        if (b.kind == ZC_PLAINNET_IDW) { b.bottleneck = vals[3]; b.layers = vals[4]; }
        else b.layers = vals[3];
        zc_status st = check_block(&b, r.n ? &r.blocks[r.n - 1] : NULL, where);
        if (st != ZC_OK) return st;
        r.blocks[r.n++] = b;
        pos = (size_t)(args + args_len + 1 - start);
    }
    *out = r;
    return ZC_OK;
}

zc_status zc_plainnet_format(const zc_plainnet *s, char *buf, size_t size)
{
    size_t used = 0;
    if (size) buf[0] = '\0';
    for (int i = 0; i < s->n; i++) {
        const zc_plainnet_block *b = &s->blocks[i];
        char name[32];
        zc_plainnet_block_name(b, name, sizeof name);
        int n = b->kind == ZC_PLAINNET_CONV
                    ? snprintf(buf + used, size - used, "%s(%d,%d,%d,%d)", name, b->c_in, b->c_out, b->stride, b->layers)
                    : snprintf(buf + used, size - used, "%s(%d,%d,%d,%d,%d)", name, b->c_in, b->c_out, b->stride,
                               b->bottleneck, b->layers);
        if (n < 0 || (size_t)n >= size - used) {
            if (size) buf[0] = '\0';
            return zc_fail(ZC_EINVAL, "plainnet: structure string longer than the %zu-byte buffer", size);
        }
        used += (size_t)n;
    }
    return ZC_OK;
}
