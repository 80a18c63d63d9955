/* Spatial moves without arithmetic: FactorizedReduce's one-pixel shift, a 'none' edge that changes
 * shape, and putting a jigsaw's tiles side by side. The array kernels take a channel block (planes
 * of h x w x blk values) so that the oneDNN backend runs them on its blocked layouts. */
#include <string.h>
#include "ref.h"

void zci_ref_shift_arrays(const float *x, float *y, int planes, int h, int w, int blk)
{
    size_t row = (size_t)w * blk;
    for (int p = 0; p < planes; p++) {
        const float *xp = x + (size_t)p * h * row;
        float *yp = y + (size_t)p * h * row;
        for (int i = 0; i < h; i++) {
            float *yr = yp + (size_t)i * row;
            if (i + 1 < h) {
                memcpy(yr, xp + (size_t)(i + 1) * row + blk, (size_t)(w - 1) * blk * sizeof *yr);
                memset(yr + (size_t)(w - 1) * blk, 0, (size_t)blk * sizeof *yr);
            } else {
                memset(yr, 0, row * sizeof *yr);
            }
        }
    }
}

void zci_ref_shift_backward_arrays(const float *g, float *dx, int planes, int h, int w, int blk, int accumulate)
{
    size_t row = (size_t)w * blk;
    for (int p = 0; p < planes; p++) {
        const float *gp = g + (size_t)p * h * row;
        float *dp = dx + (size_t)p * h * row;
        if (!accumulate) {   /* row 0 and column 0 of the input never reach the output */
            memset(dp, 0, row * sizeof *dp);
            for (int i = 1; i < h; i++) memset(dp + (size_t)i * row, 0, (size_t)blk * sizeof *dp);
        }
        for (int i = 0; i + 1 < h; i++) {
            const float *gr = gp + (size_t)i * row;
            float *dr = dp + (size_t)(i + 1) * row + blk;
            size_t m = (size_t)(w - 1) * blk;
            if (accumulate) for (size_t j = 0; j < m; j++) dr[j] += gr[j];
            else memcpy(dr, gr, m * sizeof *dr);
        }
    }
}

void zci_ref_zero_to_arrays(const float *x, float *y, int same_c, int planes, int h, int w, int oh, int ow, int s, int blk)
{
    if (!same_c) {
        memset(y, 0, (size_t)planes * oh * ow * blk * sizeof *y);
        return;
    }
    for (int p = 0; p < planes; p++)
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++) {
                const float *xs = x + (((size_t)p * h + (size_t)i * s) * w + (size_t)j * s) * blk;
                float *yd = y + (((size_t)p * oh + i) * ow + j) * blk;
                for (int b = 0; b < blk; b++) yd[b] = xs[b] * 0.0f;
            }
}

zc_status zci_ref_shift_forward(zc_net *net, zc_node *node, int batch)
{
    zci_ref_shift_arrays(zci_ref_input(net, node, 0)->out, node->out, batch * node->c, node->h, node->w, 1);
    return ZC_OK;
}

zc_status zci_ref_shift_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    if (in->grad) zci_ref_shift_backward_arrays(node->grad, in->grad, batch * node->c, node->h, node->w, 1, 1);
    return ZC_OK;
}

/* The input is tile-major ((T x batch) x C x 1 x 1): out[b][t*C + c] = in[t*batch + b][c]. Layout-free
 * for 1 x 1 maps whose channel block divides C, so the oneDNN backend runs these too. */
void zci_ref_untile_arrays(const float *in, float *out, int batch, int tiles, int c, int backward, int accumulate)
{
    for (int t = 0; t < tiles; t++)
        for (int b = 0; b < batch; b++) {
            const float *src = backward ? out + ((size_t)b * tiles + t) * c : in + ((size_t)t * batch + b) * c;
            float *dst = backward ? (float *)in + ((size_t)t * batch + b) * c : out + ((size_t)b * tiles + t) * c;
            if (accumulate) for (int k = 0; k < c; k++) dst[k] += src[k];
            else memcpy(dst, src, (size_t)c * sizeof *dst);
        }
}

zc_status zci_ref_untile_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = zci_ref_input(net, node, 0);
    zci_ref_untile_arrays(in->out, node->out, batch, in->tiles, in->c, 0, 0);
    return ZC_OK;
}

zc_status zci_ref_untile_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    if (in->grad) zci_ref_untile_arrays(in->grad, node->grad, batch, in->tiles, in->c, 1, 1);
    return ZC_OK;
}
