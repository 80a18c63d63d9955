/* Element-wise ops: the n-ary sum of a cell node and NB201's 'none' (x * 0, which keeps NaN/inf
 * visible as NaN instead of silently producing zeros). */
#include <string.h>
#include "ref.h"
#include "simd.h"

static ZC_VECTORIZE void add_to(float *restrict y, const float *restrict x, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] += x[i];
}

zc_status zc_ref_add_forward(zc_net *net, zc_node *node, int batch)
{
    size_t n = zc_ref_numel(node, batch);
    memcpy(node->out, zc_ref_input(net, node, 0)->out, n * sizeof(float));
    for (int k = 1; k < node->n_in; k++) add_to(node->out, zc_ref_input(net, node, k)->out, n);
    return ZC_OK;
}

zc_status zc_ref_add_backward(zc_net *net, zc_node *node, int batch)
{
    size_t n = zc_ref_numel(node, batch);
    for (int k = 0; k < node->n_in; k++) add_to(zc_ref_input(net, node, k)->grad, node->grad, n);
    return ZC_OK;
}

zc_status zc_ref_zero_forward(zc_net *net, zc_node *node, int batch)
{
    const float *x = zc_ref_input(net, node, 0)->out;
    size_t n = zc_ref_numel(node, batch);
    for (size_t i = 0; i < n; i++) node->out[i] = x[i] * 0.0f;
    return ZC_OK;
}

zc_status zc_ref_zero_backward(zc_net *net, zc_node *node, int batch)
{
    float *dx = zc_ref_input(net, node, 0)->grad;
    size_t n = zc_ref_numel(node, batch);
    for (size_t i = 0; i < n; i++) dx[i] += node->grad[i] * 0.0f;
    return ZC_OK;
}
