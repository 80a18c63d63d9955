/* Element-wise ops: the n-ary sum of a cell node and NB201's 'none' (x * 0, which keeps NaN/inf
 * visible as NaN instead of silently producing zeros). */
#include <string.h>
#include "ref.h"

zc_status zc_ref_add_forward(zc_net *net, zc_node *node, int batch)
{
    size_t n = zc_ref_numel(node, batch);
    memcpy(node->out, zc_ref_input(net, node, 0)->out, n * sizeof(float));
    for (int k = 1; k < node->n_in; k++) {
        const float *x = zc_ref_input(net, node, k)->out;
        for (size_t i = 0; i < n; i++) node->out[i] += x[i];
    }
    return ZC_OK;
}

zc_status zc_ref_add_backward(zc_net *net, zc_node *node, int batch)
{
    size_t n = zc_ref_numel(node, batch);
    for (int k = 0; k < node->n_in; k++) {
        float *dx = zc_ref_input(net, node, k)->grad;
        for (size_t i = 0; i < n; i++) dx[i] += node->grad[i];
    }
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
