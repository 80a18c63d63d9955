/* zen: Zen-score: log of the output change under a small input perturbation + BN terms — not implemented yet. */
#include "zcnas/proxy.h"

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    (void)in; (void)opts; (void)out;
    return zc_fail(ZC_EUNSUPPORTED, "proxy 'zen' is not implemented yet");
}

const zc_proxy zc_proxy_zen = {"zen", "Zen-score: log of the output change under a small input perturbation + BN terms (not implemented yet)", ZC_DATA_NONE, score};
