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
