/* Fully connected layer on the flattened input: y = x W^T + b, W is [out][in]. */
#include "ref.h"

zc_status zci_ref_linear_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = zci_ref_input(net, node, 0);
    int nin = in->c * in->h * in->w, nout = node->c;
    const float *w = net->params[node->weight].data;
    const float *bias = node->bias >= 0 ? net->params[node->bias].data : NULL;
    for (int b = 0; b < batch; b++)
        for (int o = 0; o < nout; o++) node->out[(size_t)b * nout + o] = bias ? bias[o] : 0.0f;
    zci_ref_gemm_nt(batch, nout, nin, in->out, nin, w, nin, node->out, nout);
    return ZC_OK;
}

zc_status zci_ref_linear_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    int nin = in->c * in->h * in->w, nout = node->c;
    zc_param *w = &net->params[node->weight];
    if (node->bias >= 0 && !w->no_grad) {
        float *db = net->params[node->bias].grad;
        for (int b = 0; b < batch; b++)
            for (int o = 0; o < nout; o++) db[o] += node->grad[(size_t)b * nout + o];
    }
    if (!w->no_grad) zci_ref_gemm_tn(nout, nin, batch, node->grad, nout, in->out, nin, w->grad, nin);   /* dW = dY^T X */
    if (in->grad)   /* dX = dY W */
        zci_ref_gemm_nn(batch, nin, nout, node->grad, nout, w->data, nin, in->grad, nin);
    return ZC_OK;
}
