/* l2_norm (zero-cost-nas): no data; the sum over Conv2d/Linear layers of the Frobenius norm of each
 * weight of the initialised network (PyTorch default init, or opts->weights_dir). */
#include <math.h>
#include "proxies/baseline.h"

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    zc_net *net;
    zc_status st = zc_proxy_build_initialised(in, opts, &net);
    if (st != ZC_OK) return st;
    double total = 0.0;
    for (int i = 0; i < net->n_params; i++) {
        const zc_param *p = &net->params[i];
        if (!zc_proxy_is_layer_weight(net, p)) continue;
        double s2 = 0.0;
        for (size_t j = 0; j < p->numel; j++) s2 += (double)p->data[j] * p->data[j];
        total += sqrt(s2);
    }
    *out = total;
    zc_net_free(net);
    return ZC_OK;
}

const zc_proxy zc_proxy_l2_norm = {
    "l2_norm", "sum of the conv/linear weight norms at initialisation (zero-cost-nas)",
    ZC_DATA_NONE, score, 0};
