/* The element-wise decoder activations and the spatial moves (shift, reshaping 'none', untile) on
 * oneDNN's blocked layouts, through the reference backend's layout-generic array kernels, under the
 * write-first gradient protocol (the first contribution is stored, later ones added). */
#include <string.h>
#include "backends/ref/ref.h"
#include "dnnl_internal.h"

static int blk_of(const zc_node *n) { return n->layout == DN_BLOCK16 ? 16 : n->layout == DN_BLOCK8 ? 8 : 1; }

/* The input's gradient buffer and whether to add into it (it holds a value already). */
static float *grad_target(zc_node *in, int *accumulate)
{
    *accumulate = in->grad_set;
    in->grad_set = 1;
    return in->grad;
}

zc_status dn_leaky_relu_forward(zc_net *net, zc_node *node, int batch)
{
    zci_ref_leaky_relu_arrays(net->nodes[node->in[0]].out, node->out, dn_numel(node, batch), node->alpha);
    return ZC_OK;
}

zc_status dn_leaky_relu_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = &net->nodes[node->in[0]];
    int acc;
    if (in->grad) {
        float *dx = grad_target(in, &acc);
        zci_ref_leaky_relu_backward_arrays(in->out, node->grad, dx, dn_numel(node, batch), node->alpha, acc);
    }
    return ZC_OK;
}

zc_status dn_tanh_forward(zc_net *net, zc_node *node, int batch)
{
    zci_ref_tanh_arrays(net->nodes[node->in[0]].out, node->out, dn_numel(node, batch));
    return ZC_OK;
}

zc_status dn_tanh_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = &net->nodes[node->in[0]];
    int acc;
    if (in->grad) {
        float *dx = grad_target(in, &acc);
        zci_ref_tanh_backward_arrays(in->out, node->grad, dx, dn_numel(node, batch), acc);
    }
    return ZC_OK;
}

zc_status dn_shift_forward(zc_net *net, zc_node *node, int batch)
{
    int blk = blk_of(node);
    zci_ref_shift_arrays(net->nodes[node->in[0]].out, node->out, batch * node->c / blk, node->h, node->w, blk);
    return ZC_OK;
}

zc_status dn_shift_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = &net->nodes[node->in[0]];
    int blk = blk_of(node), acc;
    if (in->grad) {
        float *dx = grad_target(in, &acc);
        zci_ref_shift_backward_arrays(node->grad, dx, batch * node->c / blk, node->h, node->w, blk, acc);
    }
    return ZC_OK;
}

/* 'none' that changes shape: its output and input share the layout of the network's convs. */
zc_status dn_zero_to_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = &net->nodes[node->in[0]];
    int blk = blk_of(node);
    zci_ref_zero_to_arrays(in->out, node->out, in->c == node->c, batch * node->c / blk, in->h, in->w, node->h, node->w,
                           node->stride, blk);
    return ZC_OK;
}

zc_status dn_zero_to_backward(zc_net *net, zc_node *node, int batch)
{
    (void)batch;
    zc_node *in = &net->nodes[node->in[0]];
    if (in->grad && !in->grad_set) {   /* its contribution is 0, but the buffer must hold a value */
        memset(in->grad, 0, dn_numel(in, net->batch * in->tiles) * sizeof(float));
        in->grad_set = 1;
    }
    return ZC_OK;
}

/* Tiles of 1 x 1 maps: the same memory in NCHW and in nChw<blk>c when blk divides C (dn_prepare only
 * blocks networks whose conv widths are multiples of the block). */
zc_status dn_untile_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = &net->nodes[node->in[0]];
    zci_ref_untile_arrays(in->out, node->out, batch, in->tiles, in->c, 0, 0);
    return ZC_OK;
}

zc_status dn_untile_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = &net->nodes[node->in[0]];
    if (!in->grad) return ZC_OK;
    zci_ref_untile_arrays(in->grad, node->grad, batch, in->tiles, in->c, 1, in->grad_set);
    in->grad_set = 1;
    return ZC_OK;
}
