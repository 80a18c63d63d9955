/* Backward of the element-wise ops under the write-first protocol: the first contribution to an
 * input's gradient is stored, later ones are added (no zero fill, one pass fewer). The loops are
 * branch-free so that they vectorise. Layout-agnostic: a node and its inputs share one layout. */
#include "backends/ref/simd.h"
#include "dnnl_internal.h"

/* Loads are unconditional and pointers restrict-qualified so that the selects vectorise. */
static ZC_VECTORIZE void put_masked(float *restrict d, const float *restrict g, const float *restrict m,
                                    size_t n, int add)
{
    if (add)
        for (size_t i = 0; i < n; i++) { float v = g[i], s = m[i] > 0.0f ? v : 0.0f; d[i] += s; }
    else
        for (size_t i = 0; i < n; i++) { float v = g[i]; d[i] = m[i] > 0.0f ? v : 0.0f; }
}

static ZC_VECTORIZE void put_scaled(float *restrict d, const float *restrict g, float scale, size_t n, int add)
{
    if (add) for (size_t i = 0; i < n; i++) d[i] += g[i] * scale;
    else for (size_t i = 0; i < n; i++) d[i] = g[i] * scale;
}

static void put(zc_node *in, const float *g, const float *mask_src, float scale, size_t n)
{
    if (!in->grad) return;
    if (mask_src) put_masked(in->grad, g, mask_src, n, in->grad_set);
    else put_scaled(in->grad, g, scale, n, in->grad_set);   /* scale 1: exact copy / add */
    in->grad_set = 1;
}

zc_status dn_relu_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = &net->nodes[node->in[0]];
    put(in, node->grad, in->out, 1.0f, dn_numel(node, batch));
    return ZC_OK;
}

/* Each term's gradient is the sum's. One term that has no gradient yet takes the sum's buffer itself
 * (same shape and layout) instead of a copy: the sum's gradient is released after this anyway. */
zc_status dn_add_backward(zc_net *net, zc_node *node, int batch)
{
    int handoff = -1;
    for (int k = 0; k < node->n_in && handoff < 0 && !node->keep; k++) {
        const zc_node *in = &net->nodes[node->in[k]];
        int once = 1;
        for (int j = 0; j < node->n_in; j++) once &= j == k || node->in[j] != node->in[k];
        if (in->grad && !in->grad_set && once) handoff = k;
    }
    for (int k = 0; k < node->n_in; k++)
        if (k != handoff) put(&net->nodes[node->in[k]], node->grad, NULL, 1.0f, dn_numel(node, batch));
    if (handoff >= 0) {
        zc_node *in = &net->nodes[node->in[handoff]];
        float *t = in->grad;
        in->grad = node->grad;
        node->grad = t;
        in->grad_set = 1;
    }
    return ZC_OK;
}

zc_status dn_zero_backward(zc_net *net, zc_node *node, int batch)
{
    /* x * 0: the gradient is g * 0 (NaN where g is not finite). */
    put(&net->nodes[node->in[0]], node->grad, NULL, 0.0f, dn_numel(node, batch));
    return ZC_OK;
}
