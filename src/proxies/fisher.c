/* fisher (zero-cost-nas, after Theis et al. / Turner et al.): one train-mode step on a training batch
 * (mean cross-entropy, real labels, PyTorch default init). For every Conv2d/Linear layer with output
 * a (the layer's own output, bias included, before BN) and gradient d = dL/da, per output channel c:
 *   F_c = 1/2 * mean_n ( sum_{h,w} a[n,c,h,w] * d[n,c,h,w] )^2.
 * zero-cost-nas broadcasts F_c over the channel's fan-in (C_in/groups * kh * kw, or in_features) before
 * summing, so each channel counts fan-in times; the score is that sum over channels and layers. */
#include <math.h>
#include <stdlib.h>
#include "proxies/baseline.h"

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    zc_status st = zc_proxy_need_batch(in->base_batch, "fisher");
    if (st != ZC_OK) return st;
    zc_net *net;
    if ((st = zc_proxy_build_initialised(in, opts, &net)) != ZC_OK) return st;
    zc_proxy_prune_zero(net);
    size_t max_elems = 0;
    int batch = in->base_batch->n;
    for (int i = 0; i < net->n_params; i++) {
        const zc_param *p = &net->params[i];
        if (!zc_proxy_is_layer_weight(net, p)) continue;
        const zc_node *n = &net->nodes[p->node];
        if (!n->live) continue;
        zc_net_keep(net, p->node);
        size_t e = (size_t)batch * n->c * n->h * n->w;
        if (e > max_elems) max_elems = e;
    }
    float *a = malloc((max_elems ? max_elems : 1) * sizeof *a);
    float *d = malloc((max_elems ? max_elems : 1) * sizeof *d);
    if (!a || !d) st = zc_fail(ZC_ENOMEM, "fisher: out of memory");
    if (st == ZC_OK) st = zc_proxy_loss_backward(net, in->base_batch, NULL);
    double total = 0.0;
    for (int i = 0; i < net->n_params && st == ZC_OK; i++) {
        const zc_param *p = &net->params[i];
        if (!zc_proxy_is_layer_weight(net, p)) continue;
        const zc_node *n = &net->nodes[p->node];
        /* Not computed (feeds only 'none') or not reached by the loss: its gradient is exactly 0. */
        if (!n->live || !n->grad) continue;
        if ((st = zc_net_read(net, p->node, 0, a)) != ZC_OK) break;
        if ((st = zc_net_read(net, p->node, 1, d)) != ZC_OK) break;
        size_t hw = (size_t)n->h * n->w, fan_in = p->numel / (size_t)p->shape[0];
        double layer = 0.0;
        for (int c = 0; c < n->c; c++) {
            double m = 0.0;
            for (int b = 0; b < batch; b++) {
                const float *ab = a + ((size_t)b * n->c + c) * hw, *db = d + ((size_t)b * n->c + c) * hw;
                double g = 0.0;
                for (size_t k = 0; k < hw; k++) g += (double)(ab[k] * db[k]);
                m += g * g;
            }
            layer += 0.5 * m / batch;
        }
        total += layer * (double)fan_in;
    }
    free(a);
    free(d);
    zc_net_free(net);
    if (st == ZC_OK) *out = total;
    return st;
}

const zc_proxy zc_proxy_fisher = {
    "fisher", "sum over channels of 1/2 mean (sum a * dL/da)^2 (zero-cost-nas; one batch)", ZC_DATA_BASE, score, 0};
