/* snip (zero-cost-nas): one train-mode step on a training batch (mean cross-entropy, real labels,
 * PyTorch default init); the gradient with respect to a mask m = 1 multiplying each Conv2d/Linear
 * weight is W * dL/dW, and the score is the sum of its absolute values over all those weights. */
#include <math.h>
#include "proxies/baseline.h"

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    zc_status st = zc_proxy_need_batch(in->base_batch, "snip");
    if (st != ZC_OK) return st;
    zc_net *net;
    if ((st = zc_proxy_build_initialised(in, opts, &net)) != ZC_OK) return st;
    zc_proxy_prune_zero(net);
    if ((st = zc_proxy_loss_backward(net, in->base_batch, NULL)) == ZC_OK) {
        double total = 0.0;
        for (int i = 0; i < net->n_params; i++) {
            const zc_param *p = &net->params[i];
            if (!zc_proxy_is_layer_weight(net, p)) continue;
            for (size_t j = 0; j < p->numel; j++) total += fabs((double)(p->data[j] * p->grad[j]));
        }
        *out = total;
    }
    zc_net_free(net);
    return st;
}

const zc_proxy zc_proxy_snip = {
    "snip", "sum of |w * dL/dw| over conv/linear weights (zero-cost-nas; one training batch)", ZC_DATA_BASE, score};
