/* The ops of recurrent networks (NAS-Bench-NLP's cells unrolled over time): embedding lookup, the
 * gates' element-wise product and blend, and the moves between a sequence (a tiled node, time-major)
 * and its steps. Plain layout only. Shared by both CPU backends: `wf` selects the gradient protocol,
 * 0 = input gradients are zero-filled and ops add (ref), 1 = the first contribution is written
 * (node->grad_set, oneDNN). Arithmetic in float in PyTorch's order. */
#include <math.h>
#include <string.h>
#include "ref.h"

/* The input's gradient buffer and whether to add into it. */
static float *target(zc_node *in, int wf, int *acc)
{
    *acc = wf ? in->grad_set : 1;
    in->grad_set = 1;
    return in->grad;
}

static void put(float *d, float v, int acc, size_t i) { d[i] = acc ? d[i] + v : v; }

zc_status zci_rnn_embedding_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = &net->nodes[node->in[0]];
    const zc_param *w = &net->params[node->weight];
    int vocab = w->shape[0], dim = node->c;
    for (int r = 0; r < batch; r++) {
        float id = in->out[r];
        if (!(id >= 0.0f && id < (float)vocab) || id != floorf(id))
            return zc_fail(ZC_EDATA, "embedding %s: token id %g is not in the vocabulary 0..%d", node->name, (double)id,
                           vocab - 1);
        memcpy(node->out + (size_t)r * dim, w->data + (size_t)id * dim, (size_t)dim * sizeof(float));
    }
    return ZC_OK;
}

/* Scatter-add into the weight's gradient (zero-filled by the engine, and possibly shared with a tied
 * decoder); token ids have no gradient: an input gradient asked for stays 0. */
zc_status zci_rnn_embedding_backward(zc_net *net, zc_node *node, int batch, int wf)
{
    zc_node *in = &net->nodes[node->in[0]];
    if (in->grad && wf && !in->grad_set) memset(in->grad, 0, (size_t)batch * sizeof(float));
    if (in->grad) in->grad_set = 1;
    float *dw = net->params[node->weight].grad;
    int dim = node->c;
    for (int r = 0; r < batch; r++) {
        float *row = dw + (size_t)in->out[r] * dim;
        const float *g = node->grad + (size_t)r * dim;
        for (int j = 0; j < dim; j++) row[j] += g[j];
    }
    return ZC_OK;
}

zc_status zci_rnn_mul_forward(zc_net *net, zc_node *node, int batch)
{
    const float *a = net->nodes[node->in[0]].out, *b = net->nodes[node->in[1]].out;
    size_t n = zci_ref_numel(node, batch);
    for (size_t i = 0; i < n; i++) node->out[i] = a[i] * b[i];
    return ZC_OK;
}

zc_status zci_rnn_mul_backward(zc_net *net, zc_node *node, int batch, int wf)
{
    zc_node *a = &net->nodes[node->in[0]], *b = &net->nodes[node->in[1]];
    size_t n = zci_ref_numel(node, batch);
    const float *g = node->grad;
    int acc;
    if (a->grad) {
        float *d = target(a, wf, &acc);
        for (size_t i = 0; i < n; i++) put(d, g[i] * b->out[i], acc, i);
    }
    if (b->grad) {
        float *d = target(b, wf, &acc);
        for (size_t i = 0; i < n; i++) put(d, g[i] * a->out[i], acc, i);
    }
    return ZC_OK;
}

/* a * b + (1 - a) * c, each product rounded before the sum as PyTorch evaluates the expression. */
zc_status zci_rnn_blend_forward(zc_net *net, zc_node *node, int batch)
{
    const float *a = net->nodes[node->in[0]].out, *b = net->nodes[node->in[1]].out, *c = net->nodes[node->in[2]].out;
    size_t n = zci_ref_numel(node, batch);
    for (size_t i = 0; i < n; i++) {
        float ab = a[i] * b[i], na = 1.0f - a[i], nac = na * c[i];
        node->out[i] = ab + nac;
    }
    return ZC_OK;
}

zc_status zci_rnn_blend_backward(zc_net *net, zc_node *node, int batch, int wf)
{
    zc_node *a = &net->nodes[node->in[0]], *b = &net->nodes[node->in[1]], *c = &net->nodes[node->in[2]];
    size_t n = zci_ref_numel(node, batch);
    const float *g = node->grad;
    int acc;
    if (a->grad) {
        float *d = target(a, wf, &acc);
        for (size_t i = 0; i < n; i++) put(d, g[i] * b->out[i] - g[i] * c->out[i], acc, i);
    }
    if (b->grad) {
        float *d = target(b, wf, &acc);
        for (size_t i = 0; i < n; i++) put(d, g[i] * a->out[i], acc, i);
    }
    if (c->grad) {
        float *d = target(c, wf, &acc);
        for (size_t i = 0; i < n; i++) put(d, g[i] * (1.0f - a->out[i]), acc, i);
    }
    return ZC_OK;
}

/* batch: the step's (the sequence holds tiles x batch rows, step k being rows k*batch ..). */
zc_status zci_rnn_step_forward(zc_net *net, zc_node *node, int batch)
{
    size_t n = zci_ref_numel(node, batch);
    memcpy(node->out, net->nodes[node->in[0]].out + (size_t)node->k * n, n * sizeof(float));
    return ZC_OK;
}

/* Each step adds its slice; under write-first the first step to arrive zeroes the whole sequence. */
zc_status zci_rnn_step_backward(zc_net *net, zc_node *node, int batch, int wf)
{
    zc_node *in = &net->nodes[node->in[0]];
    if (!in->grad) return ZC_OK;
    size_t n = zci_ref_numel(node, batch);
    if (wf && !in->grad_set) memset(in->grad, 0, n * (size_t)in->tiles * sizeof(float));
    in->grad_set = 1;
    float *d = in->grad + (size_t)node->k * n;
    for (size_t i = 0; i < n; i++) d[i] += node->grad[i];
    return ZC_OK;
}

/* batch: the sequence's (tiles x the steps' batch). */
zc_status zci_rnn_stack_forward(zc_net *net, zc_node *node, int batch)
{
    size_t n = zci_ref_numel(node, batch / node->tiles);
    for (int t = 0; t < node->n_in; t++) memcpy(node->out + t * n, net->nodes[node->in[t]].out, n * sizeof(float));
    return ZC_OK;
}

zc_status zci_rnn_stack_backward(zc_net *net, zc_node *node, int batch, int wf)
{
    size_t n = zci_ref_numel(node, batch / node->tiles);
    int acc;
    for (int t = 0; t < node->n_in; t++) {
        zc_node *in = &net->nodes[node->in[t]];
        if (!in->grad) continue;
        float *d = target(in, wf, &acc);
        const float *g = node->grad + t * n;
        for (size_t i = 0; i < n; i++) put(d, g[i], acc, i);
    }
    return ZC_OK;
}

zc_status zci_rnn_state_forward(zc_net *net, zc_node *node, int batch)
{
    (void)net;
    size_t n = zci_ref_numel(node, batch);
    for (size_t i = 0; i < n; i++) node->out[i] = node->alpha;
    return ZC_OK;
}

zc_status zci_rnn_state_backward(zc_net *net, zc_node *node, int batch)
{
    (void)net; (void)node; (void)batch;   /* a constant: nothing to propagate */
    return ZC_OK;
}

/* The reference backend's entry points (zero-filled gradients). */
zc_status zci_ref_embedding_backward(zc_net *net, zc_node *node, int batch)
{
    return zci_rnn_embedding_backward(net, node, batch, 0);
}
zc_status zci_ref_mul_backward(zc_net *net, zc_node *node, int batch) { return zci_rnn_mul_backward(net, node, batch, 0); }
zc_status zci_ref_blend_backward(zc_net *net, zc_node *node, int batch) { return zci_rnn_blend_backward(net, node, batch, 0); }
zc_status zci_ref_step_backward(zc_net *net, zc_node *node, int batch) { return zci_rnn_step_backward(net, node, batch, 0); }
zc_status zci_ref_stack_backward(zc_net *net, zc_node *node, int batch) { return zci_rnn_stack_backward(net, node, batch, 0); }
