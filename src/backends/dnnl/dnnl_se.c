/* Sigmoid and channel-wise scale (squeeze-and-excitation) on the reference array kernels, which
 * handle the plain and the channel-blocked layouts; backward under the write-first protocol. */
#include "backends/ref/ref.h"
#include "dnnl_internal.h"

static int block_of(const zc_node *n) { return n->layout == DN_BLOCK16 ? 16 : n->layout == DN_BLOCK8 ? 8 : 1; }

zc_status dn_sigmoid_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = &net->nodes[node->in[0]];
    if (!in->grad) return ZC_OK;
    zci_ref_sigmoid_backward_arrays(in->out, node->grad, in->grad, dn_numel(node, batch), in->grad_set);
    in->grad_set = 1;
    return ZC_OK;
}

zc_status dn_scale_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *x = &net->nodes[node->in[0]], *s = &net->nodes[node->in[1]];
    if (x->layout != node->layout || s->layout != node->layout)
        return zc_fail(ZC_EUNSUPPORTED, "dnnl backend: scale of tensors in different layouts");
    zci_ref_scale_forward_arrays(x->out, s->out, node->out, batch, node->c, (size_t)node->h * node->w, block_of(node));
    return ZC_OK;
}

zc_status dn_scale_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *x = &net->nodes[node->in[0]], *s = &net->nodes[node->in[1]];
    zci_ref_scale_backward_arrays(node->grad, x->out, s->out, x->grad, s->grad, batch, node->c,
                                 (size_t)node->h * node->w, block_of(node), x->grad_set, s->grad_set);
    if (x->grad) x->grad_set = 1;
    if (s->grad) s->grad_set = 1;
    return ZC_OK;
}
