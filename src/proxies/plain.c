/* plain (zero-cost-nas): one train-mode step on a training batch (mean cross-entropy, real labels,
 * PyTorch default init); the score is the signed sum of W * dL/dW over all Conv2d/Linear weights. */
#include "proxies/proxy_impl.h"

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    return zci_proxy_weight_grad_sum(in, opts, "plain", 0, out);
}

const zc_proxy zc_proxy_plain = {
    .name = "plain",
    .help = "sum of w * dL/dw over conv/linear weights (zero-cost-nas; one batch)",
    .data = ZCI_BASELINE_BATCH,
    .init = ZC_INIT_DEFAULT,
    .score = score,
};
