/* Max pooling, as PyTorch's CPU max_pool2d: padding never wins (windows are clipped to the input),
 * the first maximum of a window in row-major order is the one that receives the gradient, and a NaN
 * is a maximum. The array kernels take a channel block `blk` (1 = NCHW; 8 or 16 = oneDNN's nChw8c /
 * nChw16c) so that the oneDNN backend runs them on its own layouts. */
#include <math.h>
#include <stdlib.h>
#include "ref.h"
#include "simd.h"

/* One plane (h x w x blk), an output row at a time: each output's window is scanned in row-major
 * order, every window position of the row's outputs at once (for stride 1 a contiguous run of the
 * input row), keeping each lane's first maximum (a NaN wins) and its element offset. The row's values
 * go to y (when y), the gradient dy to the maxima's positions in dx (when dx). best / at: scratch of
 * ow * blk. */
static inline __attribute__((always_inline)) void pool_plane(const zci_pool_geom *g, const float *x, int blk, float *y,
                                                              const float *dy, float *dx, float *best, int *at)
{
    int rl = g->ow * blk;
    for (int oy = 0; oy < g->oh; oy++) {
        int y0 = oy * g->s - g->p, ya = y0 < 0 ? 0 : y0, yb = y0 + g->k > g->h ? g->h : y0 + g->k;
        for (int ox = 0; ox < g->ow; ox++) {
            int xa = ox * g->s - g->p;
            if (xa < 0) xa = 0;
            for (int l = 0; l < blk; l++) { best[ox * blk + l] = -INFINITY; at[ox * blk + l] = (ya * g->w + xa) * blk + l; }
        }
        for (int iy = ya; iy < yb; iy++)
            for (int kx = 0; kx < g->k; kx++) {
                /* outputs whose window holds column ix = ox * s - p + kx of the input */
                int lo = kx >= g->p ? 0 : (g->p - kx + g->s - 1) / g->s;
                int hi = (g->w - 1 + g->p - kx) / g->s;
                if (hi > g->ow - 1) hi = g->ow - 1;
                if (g->w - 1 + g->p - kx < 0 || lo > hi) continue;
                int off = (iy * g->w + kx - g->p) * blk;   /* element offset of output column 0's input */
                if (g->s == 1) {
                    const float *xr = x + off;
                    for (int j = lo * blk; j < (hi + 1) * blk; j++) {
                        float v = xr[j];
                        int take = v > best[j] || v != v;
                        best[j] = take ? v : best[j];
                        at[j] = take ? off + j : at[j];
                    }
                } else {
                    for (int ox = lo; ox <= hi; ox++) {
                        int e = off + ox * g->s * blk;
                        for (int l = 0; l < blk; l++) {
                            int j = ox * blk + l;
                            float v = x[e + l];
                            int take = v > best[j] || v != v;
                            best[j] = take ? v : best[j];
                            at[j] = take ? e + l : at[j];
                        }
                    }
                }
            }
        size_t o = (size_t)oy * rl;
        if (y) for (int j = 0; j < rl; j++) y[o + j] = best[j];
        if (dx) for (int j = 0; j < rl; j++) dx[at[j]] += dy[o + j];
    }
}

/* The planes with the lane count a compile-time constant (1, 8, 16: the layouts in use), so that the
 * lane loops unroll and vectorise. */
#define POOL_PLANES(NAME, BLK)                                                                                  \
    static ZC_VECTORIZE void NAME(const zci_pool_geom *g, const float *in, float *out, const float *dy, float *dx, \
                                  int planes, int blk, float *best, int *at)                                   \
    {                                                                                                           \
        size_t ip = (size_t)g->h * g->w * blk, op = (size_t)g->oh * g->ow * blk;                                \
        for (int p = 0; p < planes; p++)                                                                        \
            pool_plane(g, in + (size_t)p * ip, BLK, out ? out + (size_t)p * op : NULL,                          \
                       dy ? dy + (size_t)p * op : NULL, dx ? dx + (size_t)p * ip : NULL, best, at);             \
    }
POOL_PLANES(planes_1, 1)
POOL_PLANES(planes_8, 8)
POOL_PLANES(planes_16, 16)
POOL_PLANES(planes_any, blk)

static void pool_planes(const zci_pool_geom *g, const float *in, float *out, const float *dy, float *dx, int planes,
                        int blk)
{
    size_t rl = (size_t)g->ow * blk;
    float *best = malloc(rl * sizeof *best);
    int *at = malloc(rl * sizeof *at);
    if (!best || !at) abort();   /* a few KB; the engine has allocated far more already */
    if (blk == 1) planes_1(g, in, out, dy, dx, planes, 1, best, at);
    else if (blk == 8) planes_8(g, in, out, dy, dx, planes, 8, best, at);
    else if (blk == 16) planes_16(g, in, out, dy, dx, planes, 16, best, at);
    else planes_any(g, in, out, dy, dx, planes, blk, best, at);
    free(best);
    free(at);
}

void zci_ref_maxpool_forward_arrays(const zci_pool_geom *g, const float *in, float *out, int planes, int blk)
{
    pool_planes(g, in, out, NULL, NULL, planes, blk);
}

void zci_ref_maxpool_backward_arrays(const zci_pool_geom *g, const float *in, const float *dy, float *dx, int planes,
                                     int blk)
{
    pool_planes(g, in, NULL, dy, dx, planes, blk);
}

static zci_pool_geom geom(const zc_node *in, const zc_node *node)
{
    zci_pool_geom g = {in->h, in->w, node->h, node->w, node->k, node->stride, node->pad, 0};
    return g;
}

zc_status zci_ref_maxpool_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = zci_ref_input(net, node, 0);
    zci_pool_geom g = geom(in, node);
    zci_ref_maxpool_forward_arrays(&g, in->out, node->out, batch * node->c, 1);
    return ZC_OK;
}

zc_status zci_ref_maxpool_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    if (!in->grad) return ZC_OK;
    zci_pool_geom g = geom(in, node);
    zci_ref_maxpool_backward_arrays(&g, in->out, node->grad, in->grad, batch * node->c, 1);
    return ZC_OK;
}
