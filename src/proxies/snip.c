/* snip (zero-cost-nas): one train-mode step on a training batch (mean cross-entropy, real labels,
 * PyTorch default init); the gradient with respect to a mask m = 1 multiplying each Conv2d/Linear
 * weight is W * dL/dW, and the score is the sum of its absolute values over all those weights. */
#include "proxies/proxy_impl.h"

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    return zci_proxy_weight_grad_sum(in, opts, "snip", 1, out);
}

const zc_proxy zc_proxy_snip = {
    .name = "snip",
    .help = "sum of |w * dL/dw| over conv/linear weights (zero-cost-nas; one batch)",
    .data = ZCI_BASELINE_BATCH,
    .init = ZC_INIT_DEFAULT,
    .score = score,
};
