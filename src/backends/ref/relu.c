/* ReLU. NaN inputs stay NaN (as torch.relu); the gradient passes where the input is > 0. */
#include "ref.h"
#include "simd.h"

static ZC_VECTORIZE void relu(const float *restrict x, float *restrict y, size_t n)
{
    for (size_t i = 0; i < n; i++) { float v = x[i]; y[i] = v < 0.0f ? 0.0f : v; }
}

static ZC_VECTORIZE void relu_grad(const float *restrict x, const float *restrict dy, float *restrict dx, size_t n)
{
    for (size_t i = 0; i < n; i++) { float g = dy[i], s = x[i] > 0.0f ? g : 0.0f; dx[i] += s; }
}

zc_status zci_ref_relu_forward(zc_net *net, zc_node *node, int batch)
{
    relu(zci_ref_input(net, node, 0)->out, node->out, zci_ref_numel(node, batch));
    return ZC_OK;
}

zc_status zci_ref_relu_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    relu_grad(in->out, node->grad, in->grad, zci_ref_numel(node, batch));
    return ZC_OK;
}
