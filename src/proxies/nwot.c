/* nwot: NASWOT: log|det| of the ReLU-code agreement kernel — not implemented yet. */
#include "zcnas/proxy.h"

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    (void)in; (void)opts; (void)out;
    return zc_fail(ZC_EUNSUPPORTED, "proxy 'nwot' is not implemented yet");
}

const zc_proxy zc_proxy_nwot = {"nwot", "NASWOT: log|det| of the ReLU-code agreement kernel (not implemented yet)", ZC_DATA_NWOT, score};
