/* Sigmoid, 1 / (1 + exp(-x)) in float as PyTorch's CPU kernel; the backward recomputes y from the
 * input (kept for it) and passes g * y * (1 - y). */
#include <math.h>
#include "ref.h"

void zci_ref_sigmoid_arrays(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + expf(-x[i]));
}

void zci_ref_sigmoid_backward_arrays(const float *x, const float *g, float *dx, size_t n, int accumulate)
{
    for (size_t i = 0; i < n; i++) {
        float y = 1.0f / (1.0f + expf(-x[i]));
        float d = g[i] * (y * (1.0f - y));
        dx[i] = accumulate ? dx[i] + d : d;
    }
}

zc_status zci_ref_sigmoid_forward(zc_net *net, zc_node *node, int batch)
{
    zci_ref_sigmoid_arrays(zci_ref_input(net, node, 0)->out, node->out, zci_ref_numel(node, batch));
    return ZC_OK;
}

zc_status zci_ref_sigmoid_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    if (in->grad) zci_ref_sigmoid_backward_arrays(in->out, node->grad, in->grad, zci_ref_numel(node, batch), 1);
    return ZC_OK;
}
