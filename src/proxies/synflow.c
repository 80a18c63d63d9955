/* synflow (zero-cost-nas): the float64 evaluator of src/evaluators/synflow.c on the architecture's
 * network with PyTorch's default init. */
#include "proxies/proxy_impl.h"
#include "zcnas/evaluators.h"

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    zc_net *net;
    zc_status st = zci_proxy_build_initialised(in, opts, &net);
    if (st != ZC_OK) return st;
    if (zci_net_reads_tokens(net)) {   /* an all-ones input is a sequence of one token id repeated: no analogue */
        zc_net_free(net);
        return zc_fail(ZC_EUNSUPPORTED, "synflow is not defined for language models (its all-ones input has no "
                       "token analogue)");
    }
    st = zc_synflow_net(net, out);
    zc_net_free(net);
    return st;
}

const zc_proxy zc_proxy_synflow = {
    .name = "synflow",
    .help = "sum of |w * dR/dw| on |w|, all-ones input, no BN, float64 (zero-cost-nas)",
    .data = {ZC_INPUT_ONES, NULL, 0, 0, 0, 0},
    .init = ZC_INIT_DEFAULT,
    .score = score,
};
