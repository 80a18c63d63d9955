/* ReLU. NaN inputs stay NaN (as torch.relu); the gradient passes where the input is > 0. */
#include "ref.h"

zc_status zc_ref_relu_forward(zc_net *net, zc_node *node, int batch)
{
    const float *x = zc_ref_input(net, node, 0)->out;
    size_t n = zc_ref_numel(node, batch);
    for (size_t i = 0; i < n; i++) node->out[i] = x[i] < 0.0f ? 0.0f : x[i];
    return ZC_OK;
}

zc_status zc_ref_relu_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zc_ref_input(net, node, 0);
    size_t n = zc_ref_numel(node, batch);
    for (size_t i = 0; i < n; i++)
        if (in->out[i] > 0.0f) in->grad[i] += node->grad[i];
    return ZC_OK;
}
