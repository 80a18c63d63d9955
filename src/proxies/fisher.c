/* fisher (zero-cost-nas, after Theis et al. / Turner et al.): one train-mode step on a training batch
 * (mean cross-entropy, real labels, PyTorch default init). For every Conv2d/Linear layer with output
 * a (the layer's own output, bias included, before BN) and gradient d = dL/da, per output channel c:
 *   F_c = 1/2 * mean_n ( sum_{h,w} a[n,c,h,w] * d[n,c,h,w] )^2.
 * zero-cost-nas broadcasts F_c over the channel's fan-in (C_in/groups * kh * kw, or in_features) before
 * summing, so each channel counts fan-in times; the score is that sum over channels and layers. */
#include <math.h>
#include <stdlib.h>
#include "proxies/proxy_impl.h"

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    const zc_batch *b = NULL;
    zc_status st = zci_proxy_need_batch(in, "fisher", &b);
    if (st != ZC_OK) return st;
    zc_net *net;
    if ((st = zci_proxy_build_initialised(in, opts, &net)) != ZC_OK) return st;
    if ((st = zci_proxy_untiled(net, "fisher")) != ZC_OK) return st;
    zc_net_prune_zero(net);
    size_t max_elems = 0;
    int batch = b->n;
    for (int i = 0; i < zc_net_num_params(net); i++) {
        if (!zc_net_is_layer_weight(net, i)) continue;
        zc_param_info p;
        zc_node_info n;
        zc_net_param_info(net, i, &p);
        zc_net_node_info(net, p.node, &n);
        if (!n.live) continue;
        zc_net_keep(net, p.node);
        size_t e = (size_t)batch * n.c * n.h * n.w;
        if (e > max_elems) max_elems = e;
    }
    float *a = malloc((max_elems ? max_elems : 1) * sizeof *a);
    float *d = malloc((max_elems ? max_elems : 1) * sizeof *d);
    if (!a || !d) st = zc_fail(ZC_ENOMEM, "fisher: out of memory");
    if (st == ZC_OK) st = zci_proxy_loss_backward(net, b, NULL);
    double total = 0.0;
    for (int i = 0; i < zc_net_num_params(net) && st == ZC_OK; i++) {
        if (!zc_net_is_layer_weight(net, i)) continue;
        zc_param_info p;
        zc_node_info info;
        zc_net_param_info(net, i, &p);
        zc_net_node_info(net, p.node, &info);
        const zc_node_info *n = &info;
        /* Not computed (feeds only 'none') or not reached by the loss: its gradient is exactly 0. */
        if (!n->live || !zc_net_has_buffer(net, p.node, 1)) continue;
        if ((st = zc_net_read(net, p.node, 0, a)) != ZC_OK) break;
        if ((st = zc_net_read(net, p.node, 1, d)) != ZC_OK) break;
        size_t hw = (size_t)n->h * n->w, fan_in = p.numel / (size_t)p.shape[0];
        double layer = 0.0;
        for (int c = 0; c < n->c; c++) {
            double m = 0.0;
            for (int bi = 0; bi < batch; bi++) {
                const float *ab = a + ((size_t)bi * n->c + c) * hw, *db = d + ((size_t)bi * n->c + c) * hw;
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
    .name = "fisher",
    .help = "sum over channels of 1/2 mean (sum a * dL/da)^2 (zero-cost-nas; one batch)",
    .data = ZCI_BASELINE_BATCH,
    .init = ZC_INIT_DEFAULT,
    .score = score,
};
