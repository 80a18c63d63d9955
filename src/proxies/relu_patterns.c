/* Activation patterns of a network's ReLUs on a batch (SWAP's and TE-NAS' linear regions): A is the
 * batch x neurons matrix of every ReLU output whose input comes from a conv-like (4-D) tensor, i.e.
 * every ReLU not fed by a linear layer (the official codes hook nn.ReLU modules with 4-D inputs), and
 * S = sign(A) in {0, 1}. A ReLU merged from identical modules (the same input) adds duplicate columns,
 * which change neither count.
 *   distinct columns   SWAP: the neurons' patterns over the samples (at most 2^batch)
 *   distinct rows      linear regions: the samples' patterns over the neurons (at most batch)
 * The output is positive exactly where the ReLU's input is, so the input is read (as NASWOT does). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "proxies/proxy_impl.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The sign bits of A, by neuron (one word of batch bits each) and by sample (rows of neurons bits). */
typedef struct patterns {
    int batch;
    size_t neurons, words;
    uint64_t *col, *row;
} patterns;

static zc_status patterns_init(patterns *p, int batch, size_t neurons)
{
    memset(p, 0, sizeof *p);
    if (batch < 1 || batch > 64) return zc_fail(ZC_EINVAL, "relu patterns: batch %d (1..64)", batch);
    p->batch = batch;
    p->neurons = neurons;
    p->words = (neurons + 63) / 64;
    p->col = calloc(neurons ? neurons : 1, sizeof *p->col);
    p->row = calloc((size_t)batch * (p->words ? p->words : 1), sizeof *p->row);
    if (!p->col || !p->row) return zc_fail(ZC_ENOMEM, "relu patterns: out of memory for %zu neurons", neurons);
    return ZC_OK;
}

/* Neurons off..off+d-1 from a (batch x d, NCHW per sample). */
static void patterns_add(patterns *p, const float *a, size_t d, size_t off)
{
    for (int b = 0; b < p->batch; b++)
        for (size_t j = 0; j < d; j++)
            if (a[(size_t)b * d + j] > 0.0f) {
                size_t k = off + j;
                p->col[k] |= (uint64_t)1 << b;
                p->row[(size_t)b * p->words + (k >> 6)] |= (uint64_t)1 << (k & 63);
            }
}

static void patterns_count(patterns *p, double *columns, double *rows)
{
    if (columns && p->batch <= 24) {   /* SWAP's 16 images: a bitmap of the 2^batch patterns */
        size_t words = ((size_t)1 << p->batch) / 64 + 1, d = 0;
        uint64_t *seen = calloc(words, sizeof *seen);
        if (seen) {
            for (size_t j = 0; j < p->neurons; j++) {
                uint64_t c = p->col[j], bit = (uint64_t)1 << (c & 63);
                d += !(seen[c >> 6] & bit);
                seen[c >> 6] |= bit;
            }
            free(seen);
            *columns = (double)d;
            columns = NULL;
        }
    }
    if (columns) {
        qsort(p->col, p->neurons, sizeof *p->col, cmp_u64);
        size_t d = 0;
        for (size_t j = 0; j < p->neurons; j++) d += j == 0 || p->col[j] != p->col[j - 1];
        *columns = (double)d;
    }
    if (rows) {
        int d = 0;
        for (int b = 0; b < p->batch; b++) {
            int seen = 0;
            for (int c = 0; c < b && !seen; c++)
                seen = !memcmp(p->row + (size_t)b * p->words, p->row + (size_t)c * p->words, p->words * sizeof *p->row);
            d += !seen;
        }
        *rows = (double)d;
    }
}

static void patterns_free(patterns *p) { free(p->col); free(p->row); }

zc_status zc_relu_patterns(const float *a, int batch, size_t neurons, double *columns, double *rows)
{
    patterns p;
    zc_status st = patterns_init(&p, batch, neurons);
    if (st == ZC_OK) {
        patterns_add(&p, a, neurons, 0);
        patterns_count(&p, columns, rows);
    }
    patterns_free(&p);
    return st;
}

static int counted(const zc_node_info *info, int i)
{
    const zc_node_info *n = &info[i];
    return n->op == ZC_OP_RELU && n->live && n->merged > 0 && info[n->in[0]].op != ZC_OP_LINEAR;
}

zc_status zc_relu_patterns_net(zc_net *net, const float *x, int batch, double *columns, double *rows)
{
    int nn = zc_net_num_nodes(net);
    zc_node_info *info = malloc((size_t)nn * sizeof *info);
    if (!info) return zc_fail(ZC_ENOMEM, "out of memory");
    for (int i = 0; i < nn; i++) zc_net_node_info(net, i, &info[i]);
    size_t neurons = 0, max_d = 0;
    for (int i = 0; i < nn; i++) {
        if (!counted(info, i)) continue;
        size_t d = (size_t)info[i].tiles * info[i].c * info[i].h * info[i].w;
        neurons += d;
        if (d > max_d) max_d = d;
        zc_net_keep(net, info[i].in[0]);
    }
    if (!neurons) { free(info); return zc_fail(ZC_EUNSUPPORTED, "the network has no ReLU on a feature map"); }
    patterns p;
    float *buf = malloc((size_t)batch * max_d * sizeof *buf);
    zc_status st = patterns_init(&p, batch, neurons);
    if (st == ZC_OK && !buf) st = zc_fail(ZC_ENOMEM, "out of memory");
    if (st == ZC_OK) st = zc_net_forward(net, x, batch, ZC_RUN_INFER);
    size_t off = 0;
    for (int i = 0; i < nn && st == ZC_OK; i++) {
        if (!counted(info, i)) continue;
        size_t d = (size_t)info[i].tiles * info[i].c * info[i].h * info[i].w;
        if ((st = zc_net_read(net, info[i].in[0], 0, buf)) != ZC_OK) break;
        patterns_add(&p, buf, d, off);
        off += d;
    }
    if (st == ZC_OK) patterns_count(&p, columns, rows);
    zc_net_release_buffers(net);
    patterns_free(&p);
    free(buf); free(info);
    return st;
}
