/* Helpers shared by the zero-cost-nas baseline proxies (proxies/baseline.h). */
#include <math.h>
#include <stdlib.h>
#include "proxies/baseline.h"

int zc_proxy_is_layer_weight(const zc_net *net, const zc_param *p)
{
    zc_op op = net->nodes[p->node].op;
    return p->role == ZC_PARAM_WEIGHT && (op == ZC_OP_CONV2D || op == ZC_OP_LINEAR);
}

void zc_proxy_prune_zero(zc_net *net)
{
    if (!net->prune_zero) {
        net->prune_zero = 1;
        zc_net_finish(net, net->output);
    }
}

zc_status zc_proxy_need_batch(const zc_batch *b, const char *proxy)
{
    if (!b || !b->x || !b->y || b->n < 1) return zc_fail(ZC_EINVAL, "%s: needs a training batch", proxy);
    return ZC_OK;
}

zc_status zc_proxy_loss_backward(zc_net *net, const zc_batch *b, double *loss)
{
    zc_status st = zc_net_forward(net, b->x, b->n, ZC_RUN_TRAIN);
    if (st != ZC_OK) return st;
    int nb, dim;
    const float *logits = zc_net_output(net, &nb, &dim);
    float *dlogits = malloc((size_t)nb * dim * sizeof *dlogits);
    if (!dlogits) return zc_fail(ZC_ENOMEM, "out of memory");
    double l;
    st = zc_cross_entropy(logits, b->y, nb, dim, &l, dlogits);
    if (st == ZC_OK) st = zc_net_backward(net, dlogits);
    free(dlogits);
    if (st == ZC_OK && loss) *loss = l;
    return st;
}

zc_status zc_proxy_weight_grad_sum(const zc_proxy_input *in, const zc_proxy_opts *opts, const char *name,
                                   int absolute, double *out)
{
    zc_status st = zc_proxy_need_batch(in->base_batch, name);
    if (st != ZC_OK) return st;
    zc_net *net;
    if ((st = zc_proxy_build_initialised(in, opts, &net)) != ZC_OK) return st;
    zc_proxy_prune_zero(net);
    if ((st = zc_proxy_loss_backward(net, in->base_batch, NULL)) == ZC_OK) {
        double total = 0.0;
        for (int i = 0; i < net->n_params; i++) {
            const zc_param *p = &net->params[i];
            if (!zc_proxy_is_layer_weight(net, p)) continue;
            for (size_t j = 0; j < p->numel; j++) {
                double v = (double)(p->data[j] * p->grad[j]);
                total += absolute ? fabs(v) : v;
            }
        }
        *out = total;
    }
    zc_net_free(net);
    return st;
}
