/* Leaky ReLU and tanh (the dense decoders of TransNAS-Bench-101), element-wise in float as PyTorch's
 * CPU kernels; both backwards read the input (tanh recomputes its output from it). */
#include <math.h>
#include "ref.h"

void zci_ref_leaky_relu_arrays(const float *x, float *y, size_t n, float alpha)
{
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : x[i] * alpha;
}

void zci_ref_leaky_relu_backward_arrays(const float *x, const float *g, float *dx, size_t n, float alpha, int accumulate)
{
    for (size_t i = 0; i < n; i++) {
        float d = x[i] > 0.0f ? g[i] : g[i] * alpha;
        dx[i] = accumulate ? dx[i] + d : d;
    }
}

void zci_ref_tanh_arrays(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
}

void zci_ref_tanh_backward_arrays(const float *x, const float *g, float *dx, size_t n, int accumulate)
{
    for (size_t i = 0; i < n; i++) {
        float y = tanhf(x[i]), d = g[i] * (1.0f - y * y);
        dx[i] = accumulate ? dx[i] + d : d;
    }
}

zc_status zci_ref_leaky_relu_forward(zc_net *net, zc_node *node, int batch)
{
    zci_ref_leaky_relu_arrays(zci_ref_input(net, node, 0)->out, node->out, zci_ref_numel(node, batch), node->alpha);
    return ZC_OK;
}

zc_status zci_ref_leaky_relu_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    if (in->grad)
        zci_ref_leaky_relu_backward_arrays(in->out, node->grad, in->grad, zci_ref_numel(node, batch), node->alpha, 1);
    return ZC_OK;
}

zc_status zci_ref_tanh_forward(zc_net *net, zc_node *node, int batch)
{
    zci_ref_tanh_arrays(zci_ref_input(net, node, 0)->out, node->out, zci_ref_numel(node, batch));
    return ZC_OK;
}

zc_status zci_ref_tanh_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    if (in->grad) zci_ref_tanh_backward_arrays(in->out, node->grad, in->grad, zci_ref_numel(node, batch), 1);
    return ZC_OK;
}
