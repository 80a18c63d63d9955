/* Average pooling (k x k window, stride, zero padding, PyTorch's count_include_pad rule) and
 * global average pooling. */
#include <stdlib.h>
#include "ref.h"
#include "simd.h"

/* Number of elements averaged by the window at output (oy, ox). */
static int window_count(const zci_pool_geom *g, int oy, int ox)
{
    int y0 = oy * g->s - g->p, x0 = ox * g->s - g->p;
    int y1 = y0 + g->k, x1 = x0 + g->k;
    if (g->count_include_pad) {
        /* PyTorch clips the window to the padded extent before counting. */
        int yh = y1 < g->h + g->p ? y1 : g->h + g->p;
        int xh = x1 < g->w + g->p ? x1 : g->w + g->p;
        return (yh - y0) * (xh - x0);
    }
    int ya = y0 < 0 ? 0 : y0, xa = x0 < 0 ? 0 : x0;
    int yb = y1 > g->h ? g->h : y1, xb = x1 > g->w ? g->w : x1;
    return (yb - ya) * (xb - xa);
}

static zci_pool_geom pool_geom(const zc_node *in, const zc_node *node)
{
    zci_pool_geom g = {in->h, in->w, node->h, node->w, node->k, node->stride, node->pad,
                      node->count_include_pad};
    return g;
}

/* The common 3x3 / stride 1 / padding 1 case, separably: row sums, then column sums. */
static ZC_VECTORIZE void avgpool3x3s1(const zci_pool_geom *g, const float *x, float *y, float *rows)
{
    int h = g->h, w = g->w;
    for (int iy = 0; iy < h; iy++) {
        const float *xr = x + (size_t)iy * w;
        float *r = rows + (size_t)iy * w;
        r[0] = w > 1 ? xr[0] + xr[1] : xr[0];
        for (int ox = 1; ox < w - 1; ox++) r[ox] = (xr[ox - 1] + xr[ox]) + xr[ox + 1];
        if (w > 1) r[w - 1] = xr[w - 2] + xr[w - 1];
    }
    for (int oy = 0; oy < h; oy++) {
        const float *up = oy > 0 ? rows + (size_t)(oy - 1) * w : NULL;
        const float *mid = rows + (size_t)oy * w;
        const float *down = oy < h - 1 ? rows + (size_t)(oy + 1) * w : NULL;
        int ny = 1 + (up != NULL) + (down != NULL);
        float *yr = y + (size_t)oy * w;
        for (int ox = 0; ox < w; ox++) {
            float s = mid[ox];
            if (up) s = up[ox] + s;
            if (down) s = s + down[ox];
            int nx = 1 + (ox > 0) + (ox < w - 1);
            yr[ox] = s / (float)(g->count_include_pad ? 9 : ny * nx);
        }
    }
}

void zci_ref_avgpool_forward_arrays(const zci_pool_geom *g, const float *in, float *out, int planes)
{
    float *rows = NULL;
    if (g->k == 3 && g->s == 1 && g->p == 1 && g->oh == g->h && g->ow == g->w &&
        (rows = malloc((size_t)g->h * g->w * sizeof *rows))) {
        for (int bc = 0; bc < planes; bc++)
            avgpool3x3s1(g, in + (size_t)bc * g->h * g->w, out + (size_t)bc * g->h * g->w, rows);
        free(rows);
        return;
    }
    for (int bc = 0; bc < planes; bc++) {
        const float *x = in + (size_t)bc * g->h * g->w;
        float *y = out + (size_t)bc * g->oh * g->ow;
        for (int oy = 0; oy < g->oh; oy++)
            for (int ox = 0; ox < g->ow; ox++) {
                int y0 = oy * g->s - g->p, x0 = ox * g->s - g->p;
                float s = 0.0f;
                for (int iy = y0; iy < y0 + g->k; iy++) {
                    if (iy < 0 || iy >= g->h) continue;
                    for (int ix = x0; ix < x0 + g->k; ix++)
                        if (ix >= 0 && ix < g->w) s += x[iy * g->w + ix];
                }
                y[oy * g->ow + ox] = s / (float)window_count(g, oy, ox);
            }
    }
}

zc_status zci_ref_avgpool_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = zci_ref_input(net, node, 0);
    zci_pool_geom g = pool_geom(in, node);
    zci_ref_avgpool_forward_arrays(&g, in->out, node->out, batch * node->c);
    return ZC_OK;
}

zc_status zci_ref_avgpool_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    zci_pool_geom geom = pool_geom(in, node);
    for (int bc = 0; bc < batch * node->c; bc++) {
        float *dx = in->grad + (size_t)bc * in->h * in->w;
        const float *dy = node->grad + (size_t)bc * node->h * node->w;
        for (int oy = 0; oy < node->h; oy++)
            for (int ox = 0; ox < node->w; ox++) {
                int y0 = oy * node->stride - node->pad, x0 = ox * node->stride - node->pad;
                float g = dy[oy * node->w + ox] / (float)window_count(&geom, oy, ox);
                for (int iy = y0; iy < y0 + node->k; iy++) {
                    if (iy < 0 || iy >= in->h) continue;
                    for (int ix = x0; ix < x0 + node->k; ix++)
                        if (ix >= 0 && ix < in->w) dx[iy * in->w + ix] += g;
                }
            }
    }
    return ZC_OK;
}

void zci_ref_gap_forward_arrays(const float *in, float *out, int planes, size_t hw)
{
    for (int bc = 0; bc < planes; bc++) out[bc] = (float)(zc_sum_f64(in + (size_t)bc * hw, hw) / (double)hw);
}

zc_status zci_ref_gap_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = zci_ref_input(net, node, 0);
    zci_ref_gap_forward_arrays(in->out, node->out, batch * node->c, (size_t)in->h * in->w);
    return ZC_OK;
}

zc_status zci_ref_gap_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    size_t hw = (size_t)in->h * in->w;
    for (int bc = 0; bc < batch * node->c; bc++) {
        float g = node->grad[bc] / (float)hw;
        float *dx = in->grad + (size_t)bc * hw;
        for (size_t j = 0; j < hw; j++) dx[j] += g;
    }
    return ZC_OK;
}
