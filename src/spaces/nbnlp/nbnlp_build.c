/* NAS-Bench-NLP's language model (AWDRNNModel('CustomRNN', ...) in eval mode, tied weights) on the
 * engine: Embedding(V, 400) -> 3 recurrent layers (input 400 / 600 / 600, hidden 600 / 600 / 400) ->
 * decoder Linear(400 -> V) sharing the embedding's weight. Each layer's cell is unrolled over the
 * sequence: its weights are parameters shared by every step. A linear reading the layer input x runs
 * once over the whole sequence (one GEMM instead of seq_len), and each step takes its slice; the
 * terms of a MultiLinear are summed left to right with the bias in the first, as the official
 * F.linear(in0, W0, b) + F.linear(in1, W1) + ... */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "spaces/nbnlp/nbnlp.h"

static int hidden_of(const zc_nlp_dims *d, int l) { return l == d->nlayers - 1 ? d->emsize : d->nhid; }

/* One layer's parameters, created in the official model's order (per linear component in key order:
 * its bias, then weights.0, weights.1, ...: a module's own parameters come before its children's). */
static int layer_params(zc_net *net, const zc_nlp_arch *a, int l, int in_size, int hid,
                        int w[ZC_NLP_MAX_NODES][ZC_NLP_MAX_IN], int *b)
{
    /* CustomRNN.reset_parameters: every cell parameter U(-1/sqrt(hidden), 1/sqrt(hidden)); epsinas sets
     * them all (biases too) to its constant. */
    float bound = (float)(1.0 / sqrt((double)hid));
    for (int k = 0; k < a->n_nodes; k++) {
        const zc_nlp_node *n = &a->node[k];
        if (n->op != ZC_NLP_LINEAR) continue;
        char name[ZC_NAME_MAX];
        snprintf(name, sizeof name, "rnns.%d.cell.components.%s.bias", l, n->name);
        if ((b[k] = zc_net_param(net, name, ZC_PARAM_BIAS, hid, 0)) < 0) return -1;
        zc_net_set_param_init(net, b[k], bound, ZC_CONST_ALL);
        for (int j = 0; j < n->n_in; j++) {
            snprintf(name, sizeof name, "rnns.%d.cell.components.%s.weights.%d", l, n->name, j);
            if ((w[k][j] = zc_net_param(net, name, ZC_PARAM_WEIGHT, hid, n->in[j] == ZC_NLP_X ? in_size : hid)) < 0)
                return -1;
            zc_net_set_param_init(net, w[k][j], bound, ZC_CONST_ALL);
        }
    }
    return 0;
}

/* One recurrent layer over the sequence x (a tiled node): returns the sequence of h_new_0. */
static int layer(zc_net *net, const zc_nlp_arch *a, const zc_nlp_dims *d, int l, int x, int in_size)
{
    int hid = hidden_of(d, l);
    int w[ZC_NLP_MAX_NODES][ZC_NLP_MAX_IN], b[ZC_NLP_MAX_NODES];
    if (layer_params(net, a, l, in_size, hid, w, b)) return -1;
    /* x's projections, whole-sequence */
    int proj[ZC_NLP_MAX_NODES][ZC_NLP_MAX_IN];
    for (int k = 0; k < a->n_nodes; k++)
        for (int j = 0; a->node[k].op == ZC_NLP_LINEAR && j < a->node[k].n_in; j++)
            if (a->node[k].in[j] == ZC_NLP_X && (proj[k][j] = zc_net_linear_with(net, x, w[k][j], j == 0 ? b[k] : -1)) < 0)
                return -1;
    int order[ZC_NLP_MAX_NODES], val[ZC_NLP_MAX_NODES], prev[ZC_NLP_MAX_HIDDEN], outs[ZC_MAX_INPUTS];
    zc_nlp_topo_order(a, order);
    int state = zc_net_state(net, hid);   /* init_hidden: zeros (epsinas: its constant) */
    if (state < 0) return -1;
    for (int i = 0; i < a->hidden; i++) prev[i] = state;
    for (int t = 0; t < d->seq_len; t++) {
        for (int o = 0; o < a->n_nodes; o++) {
            int k = order[o];
            const zc_nlp_node *n = &a->node[k];
            int in[ZC_NLP_MAX_IN];
            for (int j = 0; j < n->n_in; j++)
                in[j] = n->in[j] >= 0 ? val[n->in[j]] : n->in[j] == ZC_NLP_X ? -1 : prev[ZC_NLP_HPREV(0) - n->in[j]];
            int y = -1;
            switch (n->op) {
            case ZC_NLP_LINEAR: {
                int terms[ZC_NLP_MAX_IN];
                for (int j = 0; j < n->n_in; j++) {
                    terms[j] = n->in[j] == ZC_NLP_X ? zc_net_step(net, proj[k][j], t)
                                                    : zc_net_linear_with(net, in[j], w[k][j], j == 0 ? b[k] : -1);
                    if (terms[j] < 0) return -1;
                }
                y = n->n_in == 1 ? terms[0] : zc_net_add(net, n->n_in, terms);
                break;
            }
            case ZC_NLP_BLEND: y = zc_net_blend(net, in[0], in[1], in[2]); break;
            case ZC_NLP_PROD: y = zc_net_mul(net, in[0], in[1]); break;
            case ZC_NLP_SUM: y = zc_net_add(net, 2, in); break;
            case ZC_NLP_TANH: y = zc_net_tanh(net, in[0]); break;
            case ZC_NLP_SIGM: y = zc_net_sigmoid(net, in[0]); break;
            case ZC_NLP_LEAKY_RELU: y = zc_net_leaky_relu(net, in[0], 0.01f); break;
            default: return zc_fail(ZC_EINVAL, "nbnlp: node '%s' has an unknown op", n->name), -1;
            }
            if (y < 0) return -1;
            val[k] = y;
        }
        for (int i = 0; i < a->hidden; i++) prev[i] = val[zc_nlp_output(a, i)];
        outs[t] = prev[0];
    }
    return zc_net_stack(net, d->seq_len, outs);
}

zc_net *zc_nlp_build(const zc_nlp_arch *a, const zc_nlp_dims *d, int unit0, int shapes_only)
{
    if (d->seq_len < 2 || d->seq_len > ZC_MAX_INPUTS || d->nlayers < 1 || d->nlayers > ZC_NLP_MAX_LAYERS ||
        d->vocab < 1 || d->emsize < 1 || d->nhid < 1) {
        zc_fail(ZC_EINVAL, "nbnlp: invalid model size (vocabulary %d, emsize %d, nhid %d, %d layers, %d steps; "
                "steps 2..%d)", d->vocab, d->emsize, d->nhid, d->nlayers, d->seq_len, ZC_MAX_INPUTS);
        return NULL;
    }
    zc_net *net = zc_net_new_tiled(1, 1, 1, d->seq_len);
    if (!net) return NULL;
    if (shapes_only) zc_net_set_shapes_only(net);
    int x = zc_net_embedding(net, 0, "encoder", d->vocab, d->emsize), out = -1;
    if (x >= 0) {
        zc_node_info e;
        zc_net_node_info(net, x, &e);
        /* init_weights: U(-0.1, 0.1); epsinas redraws it U(0, 1) after reseeding, the same for both weights */
        zc_net_set_param_init(net, e.weight, 0.1f, ZC_CONST_UNIFORM01);
        int in_size = d->emsize;
        for (int l = 0; l < d->nlayers && x >= 0; l++) {
            x = layer(net, a, d, l, x, in_size);
            in_size = hidden_of(d, l);
        }
        if (x >= 0 && unit0) {   /* epsinas: raw_output[-1][:, :, 0] */
            int u = zc_net_truncate(net, x, 1);
            out = u < 0 ? -1 : zc_net_untile(net, u);
        } else if (x >= 0) {     /* the tied decoder: logits = h E^T + b (its bias starts at 0) */
            int bias = zc_net_param(net, "decoder.bias", ZC_PARAM_BIAS, d->vocab, 0);
            if (bias >= 0) zc_net_set_param_init(net, bias, 0.0f, ZC_CONST_WEIGHTS);
            int logits = bias < 0 ? -1 : zc_net_linear_with(net, x, e.weight, bias);
            out = logits < 0 ? -1 : zc_net_untile(net, logits);
        }
    }
    if (out < 0 || zc_net_finish(net, out) != ZC_OK) {
        zc_net_free(net);
        return NULL;
    }
    return net;
}
