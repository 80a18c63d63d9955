/* Transposed convolution (PyTorch's ConvTranspose2d, groups 1) as the adjoint of a convolution:
 * forward = the conv's input gradient (W^T x scattered by col2im), backward = a conv of dy (im2col)
 * for both dx and dW. Weight layout [C_in][C_out][k][k]. */
#include <stdlib.h>
#include <string.h>
#include "ref.h"

/* The convolution whose adjoint this is: it maps the deconv's output (C_out x OH x OW) to its
 * input (C_in x H x W). */
static zci_conv_geom adjoint_geometry(const zc_node *in, const zc_node *node)
{
    zci_conv_geom q;
    q.cin = node->c; q.h = node->h; q.w = node->w;
    q.cout = in->c; q.oh = in->h; q.ow = in->w;
    q.k = node->k; q.s = node->stride; q.p = node->pad; q.g = 1;
    q.cin_g = q.cin; q.cout_g = q.cout;
    q.kk = q.cin * q.k * q.k;
    q.direct = 0;
    return q;
}

zc_status zci_ref_deconv2d_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = zci_ref_input(net, node, 0);
    zci_conv_geom q = adjoint_geometry(in, node);
    const float *wt = net->params[node->weight].data;   /* C_in x kk */
    const float *bias = node->bias >= 0 ? net->params[node->bias].data : NULL;
    size_t ihw = (size_t)in->h * in->w, ohw = (size_t)node->h * node->w;
    float *col = malloc((size_t)q.kk * ihw * sizeof *col);
    if (!col) return zc_fail(ZC_ENOMEM, "deconv2d: out of memory");
    for (int b = 0; b < batch; b++) {
        const float *x = in->out + (size_t)b * in->c * ihw;
        float *y = node->out + (size_t)b * node->c * ohw;
        for (int o = 0; o < node->c; o++) {
            float v = bias ? bias[o] : 0.0f;
            for (size_t j = 0; j < ohw; j++) y[o * ohw + j] = v;
        }
        memset(col, 0, (size_t)q.kk * ihw * sizeof *col);
        zci_ref_gemm_tn(q.kk, (int)ihw, in->c, wt, q.kk, x, (int)ihw, col, (int)ihw);   /* col = W^T x */
        zci_ref_col2im(&q, col, y);
    }
    free(col);
    return ZC_OK;
}

zc_status zci_ref_deconv2d_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    zci_conv_geom q = adjoint_geometry(in, node);
    zc_param *wp = &net->params[node->weight];
    float *dbias = node->bias >= 0 ? net->params[node->bias].grad : NULL;
    size_t ihw = (size_t)in->h * in->w, ohw = (size_t)node->h * node->w;
    float *dcol = malloc((size_t)q.kk * ihw * sizeof *dcol);
    if (!dcol) return zc_fail(ZC_ENOMEM, "deconv2d: out of memory");
    for (int b = 0; b < batch; b++) {
        const float *x = in->out + (size_t)b * in->c * ihw;
        const float *dy = node->grad + (size_t)b * node->c * ohw;
        if (dbias)
            for (int o = 0; o < node->c; o++) {
                float s = 0.0f;
                for (size_t j = 0; j < ohw; j++) s += dy[o * ohw + j];
                dbias[o] += s;
            }
        zci_ref_im2col(&q, dy, dcol);   /* kk x ihw */
        zci_ref_gemm_nt(in->c, q.kk, (int)ihw, x, (int)ihw, dcol, (int)ihw, wp->grad, q.kk);   /* dW += x dcol^T */
        if (in->grad)
            zci_ref_gemm_nn(in->c, (int)ihw, q.kk, wp->data, q.kk, dcol, (int)ihw, in->grad + (size_t)b * in->c * ihw,
                            (int)ihw);   /* dx += W dcol */
    }
    free(dcol);
    return ZC_OK;
}
