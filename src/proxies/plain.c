/* plain: sum of w * dL/dw — not implemented yet. */
#include "zcnas/proxy.h"

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    (void)in; (void)opts; (void)out;
    return zc_fail(ZC_EUNSUPPORTED, "proxy 'plain' is not implemented yet");
}

const zc_proxy zc_proxy_plain = {"plain", "sum of w * dL/dw (not implemented yet)", ZC_DATA_BASE, score};
