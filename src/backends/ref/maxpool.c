/* Max pooling, as PyTorch's CPU max_pool2d: padding never wins (windows are clipped to the input),
 * the first maximum of a window in row-major order is the one that receives the gradient, and a NaN
 * is a maximum. The array kernels take a channel block `blk` (1 = NCHW; 8 or 16 = oneDNN's nChw8c /
 * nChw16c) so that the oneDNN backend runs them on its own layouts. */
#include <math.h>
#include "ref.h"

/* The input index of the maximum of the window at (oy, ox), lane l (plane layout h x w x blk). */
static size_t argmax(const zci_pool_geom *g, const float *x, int blk, int oy, int ox, int l)
{
    int y0 = oy * g->s - g->p, x0 = ox * g->s - g->p;
    int ya = y0 < 0 ? 0 : y0, xa = x0 < 0 ? 0 : x0;
    int yb = y0 + g->k > g->h ? g->h : y0 + g->k, xb = x0 + g->k > g->w ? g->w : x0 + g->k;
    size_t best = ((size_t)ya * g->w + xa) * blk + l;
    float m = -INFINITY;
    for (int iy = ya; iy < yb; iy++)
        for (int ix = xa; ix < xb; ix++) {
            size_t i = ((size_t)iy * g->w + ix) * blk + l;
            float v = x[i];
            if (v > m || isnan(v)) { m = v; best = i; }
        }
    return best;
}

void zci_ref_maxpool_forward_arrays(const zci_pool_geom *g, const float *in, float *out, int planes, int blk)
{
    size_t in_plane = (size_t)g->h * g->w * blk, out_plane = (size_t)g->oh * g->ow * blk;
    for (int p = 0; p < planes; p++) {
        const float *x = in + (size_t)p * in_plane;
        float *y = out + (size_t)p * out_plane;
        for (int oy = 0; oy < g->oh; oy++)
            for (int ox = 0; ox < g->ow; ox++)
                for (int l = 0; l < blk; l++) y[((size_t)oy * g->ow + ox) * blk + l] = x[argmax(g, x, blk, oy, ox, l)];
    }
}

void zci_ref_maxpool_backward_arrays(const zci_pool_geom *g, const float *in, const float *dy, float *dx, int planes,
                                     int blk)
{
    size_t in_plane = (size_t)g->h * g->w * blk, out_plane = (size_t)g->oh * g->ow * blk;
    for (int p = 0; p < planes; p++) {
        const float *x = in + (size_t)p * in_plane;
        const float *gy = dy + (size_t)p * out_plane;
        float *gx = dx + (size_t)p * in_plane;
        for (int oy = 0; oy < g->oh; oy++)
            for (int ox = 0; ox < g->ow; ox++)
                for (int l = 0; l < blk; l++) gx[argmax(g, x, blk, oy, ox, l)] += gy[((size_t)oy * g->ow + ox) * blk + l];
    }
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
