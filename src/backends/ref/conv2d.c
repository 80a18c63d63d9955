/* 2-D convolution (cross-correlation, as PyTorch) by im2col + matrix product, per image and group.
 * Weight layout [C_out][C_in/groups][k][k]. */
#include <stdlib.h>
#include <string.h>
#include "ref.h"

static zci_conv_geom geometry(const zc_node *in, const zc_node *node)
{
    zci_conv_geom q;
    q.cin = in->c; q.h = in->h; q.w = in->w;
    q.cout = node->c; q.oh = node->h; q.ow = node->w;
    q.k = node->k; q.s = node->stride; q.p = node->pad; q.g = node->groups;
    q.cin_g = q.cin / q.g; q.cout_g = q.cout / q.g;
    q.kk = q.cin_g * q.k * q.k;
    q.direct = q.k == 1 && q.s == 1 && q.p == 0;
    return q;
}

/* col[(c*k + ki)*k + kj][oy*ow + ox] = x[c][oy*s - p + ki][ox*s - p + kj] (0 outside). */
void zci_ref_im2col(const zci_conv_geom *q, const float *x, float *col)
{
    for (int c = 0; c < q->cin_g; c++)
        for (int ki = 0; ki < q->k; ki++)
            for (int kj = 0; kj < q->k; kj++) {
                float *row = col + (size_t)((c * q->k + ki) * q->k + kj) * q->oh * q->ow;
                const float *xc = x + (size_t)c * q->h * q->w;
                for (int oy = 0; oy < q->oh; oy++) {
                    int iy = oy * q->s - q->p + ki;
                    for (int ox = 0; ox < q->ow; ox++) {
                        int ix = ox * q->s - q->p + kj;
                        row[oy * q->ow + ox] =
                            (iy >= 0 && iy < q->h && ix >= 0 && ix < q->w) ? xc[iy * q->w + ix] : 0.0f;
                    }
                }
            }
}

/* The adjoint of im2col: scatters column gradients back onto the image gradient (accumulating). */
void zci_ref_col2im(const zci_conv_geom *q, const float *col, float *dx)
{
    for (int c = 0; c < q->cin_g; c++)
        for (int ki = 0; ki < q->k; ki++)
            for (int kj = 0; kj < q->k; kj++) {
                const float *row = col + (size_t)((c * q->k + ki) * q->k + kj) * q->oh * q->ow;
                float *dxc = dx + (size_t)c * q->h * q->w;
                for (int oy = 0; oy < q->oh; oy++) {
                    int iy = oy * q->s - q->p + ki;
                    if (iy < 0 || iy >= q->h) continue;
                    for (int ox = 0; ox < q->ow; ox++) {
                        int ix = ox * q->s - q->p + kj;
                        if (ix >= 0 && ix < q->w) dxc[iy * q->w + ix] += row[oy * q->ow + ox];
                    }
                }
            }
}

zc_status zci_ref_conv2d_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = zci_ref_input(net, node, 0);
    zci_conv_geom q = geometry(in, node);
    const float *wt = net->params[node->weight].data;
    const float *bias = node->bias >= 0 ? net->params[node->bias].data : NULL;
    size_t ohw = (size_t)q.oh * q.ow;
    float *col = q.direct ? NULL : malloc((size_t)q.kk * ohw * sizeof *col);
    if (!q.direct && !col) return zc_fail(ZC_ENOMEM, "conv2d: out of memory");
    for (int b = 0; b < batch; b++)
        for (int g = 0; g < q.g; g++) {
            const float *x = in->out + ((size_t)b * q.cin + (size_t)g * q.cin_g) * q.h * q.w;
            float *y = node->out + ((size_t)b * q.cout + (size_t)g * q.cout_g) * ohw;
            for (int o = 0; o < q.cout_g; o++) {
                float v = bias ? bias[g * q.cout_g + o] : 0.0f;
                for (size_t j = 0; j < ohw; j++) y[o * ohw + j] = v;
            }
            if (!q.direct) zci_ref_im2col(&q, x, col);
            zci_ref_gemm_nn(q.cout_g, (int)ohw, q.kk, wt + (size_t)g * q.cout_g * q.kk, q.kk,
                           q.direct ? x : col, (int)ohw, y, (int)ohw);
        }
    free(col);
    return ZC_OK;
}

zc_status zci_ref_conv2d_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    zci_conv_geom q = geometry(in, node);
    zc_param *wp = &net->params[node->weight];
    float *dbias = node->bias >= 0 ? net->params[node->bias].grad : NULL;
    size_t ohw = (size_t)q.oh * q.ow;
    float *col = NULL, *dcol = NULL;
    if (!q.direct) {
        col = malloc((size_t)q.kk * ohw * sizeof *col);
        dcol = malloc((size_t)q.kk * ohw * sizeof *dcol);
        if (!col || !dcol) { free(col); free(dcol); return zc_fail(ZC_ENOMEM, "conv2d: out of memory"); }
    }
    for (int b = 0; b < batch; b++)
        for (int g = 0; g < q.g; g++) {
            size_t xoff = ((size_t)b * q.cin + (size_t)g * q.cin_g) * q.h * q.w;
            const float *x = in->out + xoff;
            float *dx = in->grad ? in->grad + xoff : NULL;   /* NULL: input grad not wanted */
            const float *dy = node->grad + ((size_t)b * q.cout + (size_t)g * q.cout_g) * ohw;
            const float *wg = wp->data + (size_t)g * q.cout_g * q.kk;
            float *dwg = wp->grad + (size_t)g * q.cout_g * q.kk;
            if (dbias && !wp->no_grad)
                for (int o = 0; o < q.cout_g; o++) {
                    float s = 0.0f;
                    for (size_t j = 0; j < ohw; j++) s += dy[o * ohw + j];
                    dbias[g * q.cout_g + o] += s;
                }
            if (!q.direct && !wp->no_grad) zci_ref_im2col(&q, x, col);
            /* dW += dY * col^T */
            if (!wp->no_grad) zci_ref_gemm_nt(q.cout_g, q.kk, (int)ohw, dy, (int)ohw, q.direct ? x : col, (int)ohw,
                           dwg, q.kk);
            /* dcol = W^T * dY, then scattered onto dX */
            if (!dx) continue;
            if (q.direct) {
                zci_ref_gemm_tn(q.kk, (int)ohw, q.cout_g, wg, q.kk, dy, (int)ohw, dx, (int)ohw);
            } else {
                memset(dcol, 0, (size_t)q.kk * ohw * sizeof *dcol);
                zci_ref_gemm_tn(q.kk, (int)ohw, q.cout_g, wg, q.kk, dy, (int)ohw, dcol, (int)ohw);
                zci_ref_col2im(&q, dcol, dx);
            }
        }
    free(col);
    free(dcol);
    return ZC_OK;
}
