/* Channel concatenation and truncation (NAS-Bench-101's cell output and Truncate), forward and
 * backward. The array kernels move channel ranges between tensors of any channel-blocked layout
 * (blk 1 = NCHW, 8 / 16 = nChw8c / nChw16c, blk dividing C), so the oneDNN backend uses them on its
 * own layouts. */
#include <string.h>
#include "ref.h"

/* Offset of element (b, c, j) of a batch of C-channel maps of hw pixels in layout nChw<blk>c. */
static inline size_t at(int b, int c, size_t j, int C, size_t hw, int blk)
{
    return (((size_t)b * (C / blk) + c / blk) * hw + j) * blk + c % blk;
}

void zci_ref_copy_channels(const zci_chan_view *src, int src_off, const zci_chan_view *dst, int dst_off, int n,
                           int batch, size_t hw, int accumulate)
{
    const float *s = src->data;
    float *d = dst->data;
    if (src->blk == 1 && dst->blk == 1) {   /* NCHW: whole planes */
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < n; c++) {
                const float *sp = s + ((size_t)b * src->c + src_off + c) * hw;
                float *dp = d + ((size_t)b * dst->c + dst_off + c) * hw;
                if (accumulate) for (size_t j = 0; j < hw; j++) dp[j] += sp[j];
                else memcpy(dp, sp, hw * sizeof *dp);
            }
        return;
    }
    int blk = src->blk;
    if (blk == dst->blk && src_off % blk == 0 && dst_off % blk == 0 && n % blk == 0) {   /* whole blocks */
        size_t run = (size_t)n / blk * hw * blk;
        for (int b = 0; b < batch; b++) {
            const float *sp = s + at(b, src_off, 0, src->c, hw, blk);
            float *dp = d + at(b, dst_off, 0, dst->c, hw, blk);
            if (accumulate) for (size_t j = 0; j < run; j++) dp[j] += sp[j];
            else memcpy(dp, sp, run * sizeof *dp);
        }
        return;
    }
    for (int b = 0; b < batch; b++)
        for (int c = 0; c < n; c++)
            for (size_t j = 0; j < hw; j++) {
                float v = s[at(b, src_off + c, j, src->c, hw, src->blk)];
                float *o = &d[at(b, dst_off + c, j, dst->c, hw, dst->blk)];
                *o = accumulate ? *o + v : v;
            }
}

void zci_ref_zero_channels(const zci_chan_view *dst, int off, int n, int batch, size_t hw)
{
    for (int b = 0; b < batch; b++)
        for (int c = off; c < off + n; c++)
            for (size_t j = 0; j < hw; j++) dst->data[at(b, c, j, dst->c, hw, dst->blk)] = 0.0f;
}

static zci_chan_view view(const zc_node *n, float *data)
{
    zci_chan_view v = {data, n->c, 1};
    return v;
}

zc_status zci_ref_concat_forward(zc_net *net, zc_node *node, int batch)
{
    size_t hw = (size_t)node->h * node->w;
    zci_chan_view out = view(node, node->out);
    int off = 0;
    for (int i = 0; i < node->n_in; i++) {
        const zc_node *in = zci_ref_input(net, node, i);
        zci_chan_view v = view(in, in->out);
        zci_ref_copy_channels(&v, 0, &out, off, in->c, batch, hw, 0);
        off += in->c;
    }
    return ZC_OK;
}

zc_status zci_ref_concat_backward(zc_net *net, zc_node *node, int batch)
{
    size_t hw = (size_t)node->h * node->w;
    zci_chan_view g = view(node, node->grad);
    int off = 0;
    for (int i = 0; i < node->n_in; i++) {
        zc_node *in = zci_ref_input(net, node, i);
        if (in->grad) {
            zci_chan_view v = view(in, in->grad);
            zci_ref_copy_channels(&g, off, &v, 0, in->c, batch, hw, 1);
        }
        off += in->c;
    }
    return ZC_OK;
}

zc_status zci_ref_truncate_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = zci_ref_input(net, node, 0);
    zci_chan_view s = view(in, in->out), d = view(node, node->out);
    zci_ref_copy_channels(&s, 0, &d, 0, node->c, batch, (size_t)node->h * node->w, 0);
    return ZC_OK;
}

zc_status zci_ref_truncate_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    if (!in->grad) return ZC_OK;
    zci_chan_view g = view(node, node->grad), d = view(in, in->grad);
    zci_ref_copy_channels(&g, 0, &d, 0, node->c, batch, (size_t)node->h * node->w, 1);
    return ZC_OK;
}
