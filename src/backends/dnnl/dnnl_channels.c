/* Max pooling, channel concatenation and truncation on the backend's layouts, with the reference
 * backend's layout-generic kernels (identical arithmetic and tie-breaking), under the write-first
 * gradient protocol. */
#include <string.h>
#include "backends/ref/ref.h"
#include "dnnl_internal.h"

static int blk_of(const zc_node *n) { return n->layout == DN_BLOCK16 ? 16 : n->layout == DN_BLOCK8 ? 8 : 1; }

static zci_chan_view view(const zc_node *n, float *data)
{
    zci_chan_view v = {data, n->c, blk_of(n)};
    return v;
}

static zci_pool_geom geom(const zc_node *in, const zc_node *node)
{
    zci_pool_geom g = {in->h, in->w, node->h, node->w, node->k, node->stride, node->pad, 0};
    return g;
}

zc_status dn_maxpool_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = &net->nodes[node->in[0]];
    zci_pool_geom g = geom(in, node);
    zci_ref_maxpool_forward_arrays(&g, in->out, node->out, batch * node->c / blk_of(node), blk_of(node));
    return ZC_OK;
}

zc_status dn_maxpool_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = &net->nodes[node->in[0]];
    if (!in->grad) return ZC_OK;
    size_t n = dn_numel(in, batch);
    float *dx = dn_diff_target(net, in, n, 0);
    if (!dx) return zc_fail(ZC_ENOMEM, "out of memory (max pooling)");
    memset(dx, 0, n * sizeof *dx);
    zci_pool_geom g = geom(in, node);
    zci_ref_maxpool_backward_arrays(&g, in->out, node->grad, dx, batch * node->c / blk_of(node), blk_of(node));
    dn_accumulate(in, dx, n);
    return ZC_OK;
}

zc_status dn_concat_forward(zc_net *net, zc_node *node, int batch)
{
    size_t hw = (size_t)node->h * node->w;
    zci_chan_view out = view(node, node->out);
    int off = 0;
    for (int i = 0; i < node->n_in; i++) {
        const zc_node *in = &net->nodes[node->in[i]];
        zci_chan_view v = view(in, in->out);
        zci_ref_copy_channels(&v, 0, &out, off, in->c, batch, hw, 0);
        off += in->c;
    }
    return ZC_OK;
}

zc_status dn_concat_backward(zc_net *net, zc_node *node, int batch)
{
    size_t hw = (size_t)node->h * node->w;
    zci_chan_view g = view(node, node->grad);
    int off = 0;
    for (int i = 0; i < node->n_in; i++) {
        zc_node *in = &net->nodes[node->in[i]];
        if (in->grad) {
            zci_chan_view v = view(in, in->grad);
            zci_ref_copy_channels(&g, off, &v, 0, in->c, batch, hw, in->grad_set);
            in->grad_set = 1;
        }
        off += in->c;
    }
    return ZC_OK;
}

zc_status dn_truncate_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = &net->nodes[node->in[0]];
    zci_chan_view s = view(in, in->out), d = view(node, node->out);
    zci_ref_copy_channels(&s, 0, &d, 0, node->c, batch, (size_t)node->h * node->w, 0);
    return ZC_OK;
}

zc_status dn_truncate_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = &net->nodes[node->in[0]];
    if (!in->grad) return ZC_OK;
    size_t hw = (size_t)node->h * node->w;
    zci_chan_view g = view(node, node->grad), d = view(in, in->grad);
    if (!in->grad_set) zci_ref_zero_channels(&d, node->c, in->c - node->c, batch, hw);   /* the cut channels */
    zci_ref_copy_channels(&g, 0, &d, 0, node->c, batch, hw, in->grad_set);
    in->grad_set = 1;
    return ZC_OK;
}
