/* Channel-wise scaling y = x * s (squeeze-and-excitation): x is batch x C x H x W, s batch x C.
 * The array kernels take x in the blocked layout nChw<blk>c (blk = 1 is plain NCHW; C a multiple
 * of blk), in which a batch x C x 1 x 1 tensor is laid out as plain batch x C, so that the oneDNN
 * backend can use them too. ds sums over H x W in double. */
#include "ref.h"

void zci_ref_scale_forward_arrays(const float *x, const float *s, float *y, int batch, int C, size_t hw, int blk)
{
    int nb = C / blk;
    for (int n = 0; n < batch; n++)
        for (int cb = 0; cb < nb; cb++) {
            const float *sc = s + (size_t)n * C + (size_t)cb * blk;
            size_t base = ((size_t)n * nb + cb) * hw * blk;
            for (size_t p = 0; p < hw; p++)
                for (int ci = 0; ci < blk; ci++) y[base + p * blk + ci] = x[base + p * blk + ci] * sc[ci];
        }
}

void zci_ref_scale_backward_arrays(const float *g, const float *x, const float *s, float *dx, float *ds, int batch,
                                  int C, size_t hw, int blk, int acc_dx, int acc_ds)
{
    int nb = C / blk;
    double acc[64];
    for (int n = 0; n < batch; n++)
        for (int cb = 0; cb < nb; cb++) {
            const float *sc = s + (size_t)n * C + (size_t)cb * blk;
            size_t base = ((size_t)n * nb + cb) * hw * blk;
            for (int ci = 0; ci < blk; ci++) acc[ci] = 0.0;
            for (size_t p = 0; p < hw; p++)
                for (int ci = 0; ci < blk; ci++) {
                    size_t i = base + p * blk + ci;
                    if (dx) dx[i] = acc_dx ? dx[i] + g[i] * sc[ci] : g[i] * sc[ci];
                    acc[ci] += (double)g[i] * (double)x[i];
                }
            if (ds) {
                float *d = ds + (size_t)n * C + (size_t)cb * blk;
                for (int ci = 0; ci < blk; ci++) d[ci] = acc_ds ? d[ci] + (float)acc[ci] : (float)acc[ci];
            }
        }
}

zc_status zci_ref_scale_forward(zc_net *net, zc_node *node, int batch)
{
    zci_ref_scale_forward_arrays(zci_ref_input(net, node, 0)->out, zci_ref_input(net, node, 1)->out, node->out, batch,
                                node->c, (size_t)node->h * node->w, 1);
    return ZC_OK;
}

zc_status zci_ref_scale_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *x = zci_ref_input(net, node, 0), *s = zci_ref_input(net, node, 1);
    zci_ref_scale_backward_arrays(node->grad, x->out, s->out, x->grad, s->grad, batch, node->c,
                                 (size_t)node->h * node->w, 1, 1, 1);
    return ZC_OK;
}
