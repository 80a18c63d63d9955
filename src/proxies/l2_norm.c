/* l2_norm (zero-cost-nas): no data; the sum over Conv2d/Linear layers of the Frobenius norm of each
 * weight of the initialised network (PyTorch default init, or opts->weights_dir). */
#include <math.h>
#include "proxies/proxy_impl.h"

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    zc_net *net;
    zc_status st = zci_proxy_build_initialised(in, opts, &net);
    if (st != ZC_OK) return st;
    double total = 0.0;
    for (int i = 0; i < zc_net_num_params(net); i++) {
        if (!zc_net_is_layer_weight(net, i)) continue;
        zc_param_info p;
        zc_net_param_info(net, i, &p);
        const float *w = zc_net_param_data(net, i);
        double s2 = 0.0;
        for (size_t j = 0; j < p.numel; j++) s2 += (double)w[j] * w[j];
        total += sqrt(s2);
    }
    *out = total;
    zc_net_free(net);
    return ZC_OK;
}

const zc_proxy zc_proxy_l2_norm = {
    .name = "l2_norm",
    .help = "sum of the conv/linear weight norms at initialisation (zero-cost-nas)",
    .data = {ZC_INPUT_NONE, NULL, 0, 0, 0, 0},
    .init = ZC_INIT_DEFAULT,
    .score = score,
};
