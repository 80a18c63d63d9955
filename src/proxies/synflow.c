/* synflow: sum of |w * dR/dw| with |w|, all-ones input, no BN, float64 — not implemented yet. */
#include "zcnas/proxy.h"

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    (void)in; (void)opts; (void)out;
    return zc_fail(ZC_EUNSUPPORTED, "proxy 'synflow' is not implemented yet");
}

const zc_proxy zc_proxy_synflow = {"synflow", "sum of |w * dR/dw| with |w|, all-ones input, no BN, float64 (not implemented yet)", ZC_DATA_NONE, score};
