/* Element-wise ops: the n-ary sum of a cell node and NB201's 'none' (x * 0, which keeps NaN/inf
 * visible as NaN instead of silently producing zeros). */
#include <string.h>
#include "ref.h"
#include "simd.h"

static ZC_VECTORIZE void add_to(float *restrict y, const float *restrict x, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] += x[i];
}

static ZC_VECTORIZE void sum2(float *restrict y, const float *restrict a, const float *restrict b, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = a[i] + b[i];
}

static ZC_VECTORIZE void sum3(float *restrict y, const float *restrict a, const float *restrict b,
                              const float *restrict c, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = (a[i] + b[i]) + c[i];
}

/* One pass for the sums a cell makes (two or three terms), in Python's left-to-right order. */
zc_status zci_ref_add_forward(zc_net *net, zc_node *node, int batch)
{
    size_t n = zci_ref_numel(node, batch);
    const float *a = zci_ref_input(net, node, 0)->out;
    if (node->n_in == 1) { memcpy(node->out, a, n * sizeof(float)); return ZC_OK; }
    const float *b = zci_ref_input(net, node, 1)->out;
    if (node->n_in == 2) sum2(node->out, a, b, n);
    else sum3(node->out, a, b, zci_ref_input(net, node, 2)->out, n);
    for (int k = 3; k < node->n_in; k++) add_to(node->out, zci_ref_input(net, node, k)->out, n);
    return ZC_OK;
}

zc_status zci_ref_add_backward(zc_net *net, zc_node *node, int batch)
{
    size_t n = zci_ref_numel(node, batch);
    for (int k = 0; k < node->n_in; k++) add_to(zci_ref_input(net, node, k)->grad, node->grad, n);
    return ZC_OK;
}

zc_status zci_ref_zero_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = zci_ref_input(net, node, 0);
    if (zci_zero_reshapes(net, node)) {   /* TransNAS-Bench-101's reshaping Zero */
        zci_ref_zero_to_arrays(in->out, node->out, in->c == node->c, batch * node->c, in->h, in->w, node->h, node->w,
                               node->stride, 1);
        return ZC_OK;
    }
    const float *x = in->out;
    size_t n = zci_ref_numel(node, batch);
    for (size_t i = 0; i < n; i++) node->out[i] = x[i] * 0.0f;
    return ZC_OK;
}

zc_status zci_ref_zero_backward(zc_net *net, zc_node *node, int batch)
{
    if (zci_zero_reshapes(net, node)) return ZC_OK;   /* adds 0 */
    float *dx = zci_ref_input(net, node, 0)->grad;
    size_t n = zci_ref_numel(node, batch);
    for (size_t i = 0; i < n; i++) dx[i] += node->grad[i] * 0.0f;
    return ZC_OK;
}
