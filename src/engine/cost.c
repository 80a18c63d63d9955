/* Parameter and FLOP counts with the NAS-Bench-201 API rules (xautodl get_model_infos). */
#include "engine/engine_impl.h"
#include "zcnas/cost.h"

int64_t zc_net_param_count(const zc_net *net)
{
    int64_t total = 0;
    for (int i = 0; i < net->n_params; i++) total += (int64_t)net->params[i].numel;
    return total;
}

int64_t zc_net_flops(const zc_net *net)
{
    int64_t total = 0;
    for (int i = 0; i < net->n_nodes; i++) {
        const zc_node *n = &net->nodes[i];
        if (n->op == ZC_OP_CONV2D) {
            const zc_node *in = &net->nodes[n->in[0]];
            int64_t out_hw = (int64_t)n->h * n->w;
            total += (int64_t)n->k * n->k * in->c * n->c / n->groups * out_hw * n->tiles;
            if (n->bias >= 0) total += (int64_t)n->c * out_hw;
        } else if (n->op == ZC_OP_DECONV2D) {   /* every input pixel meets the whole kernel */
            const zc_node *in = &net->nodes[n->in[0]];
            total += (int64_t)n->k * n->k * in->c * n->c * in->h * in->w;
            if (n->bias >= 0) total += (int64_t)n->c * n->h * n->w;
        } else if (n->op == ZC_OP_LINEAR) {
            const zc_node *in = &net->nodes[n->in[0]];
            total += (int64_t)in->c * in->h * in->w * n->c * n->tiles;   /* a sequence's linear: every step */
            if (n->bias >= 0) total += (int64_t)n->c * n->tiles;
        }
    }
    return total;
}

/* One float per node output per sample (the engine keeps what backward needs and returns the rest to
 * its pools, so peak use stays below this), and per parameter its value, gradient and a backend copy
 * in float plus two per-weight statistics in double (ZiCo's sums). Measured against peak RSS on
 * NB201 (AMD EPYC, dnnl and ref): ZiCo at batch 64-512 uses 0.45-0.5 of this, AZ-NAS 0.7; proxies
 * that hold more declare it (zc_proxy.act_copies, per_sample_grads). */
int64_t zc_net_memory_bytes(const zc_net *net, int batch)
{
    double acts = 0, params = 0;
    for (int i = 0; i < net->n_nodes; i++) {
        const zc_node *n = &net->nodes[i];
        acts += (double)n->tiles * n->c * n->h * n->w;
    }
    for (int i = 0; i < net->n_params; i++) params += (double)net->params[i].numel;
    double bytes = acts * (batch > 0 ? batch : 1) * sizeof(float) + params * (3 * sizeof(float) + 2 * sizeof(double));
    return bytes < 9e18 ? (int64_t)bytes : INT64_MAX;
}
