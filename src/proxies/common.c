/* Helpers shared by the proxies (proxies/proxy_impl.h). */
#include <math.h>
#include <stdlib.h>
#include "proxies/proxy_impl.h"
#include "zcnas/weights.h"

zc_status zci_proxy_build(const zc_proxy_input *in, const zc_proxy_opts *o, const zc_build_opts *bo, zc_net **out)
{
    zc_net *net = zc_space_build(in->space, in->arch, bo);
    if (!net) return ZC_EINVAL;
    if (in->batches && in->n_batches > 0) {   /* the forward reads this many floats per sample */
        const zc_batch *b = &in->batches[0];
        zc_node_info in0;
        zc_net_node_info(net, 0, &in0);
        if ((size_t)b->c * b->h * b->w != (size_t)in0.tiles * in0.c * in0.h * in0.w) {
            zc_net_free(net);
            return zc_fail(ZC_EINVAL, "the images are %dx%dx%d, the network takes %dx%dx%d", b->c, b->h, b->w,
                           in0.tiles * in0.c, in0.h, in0.w);
        }
    }
    zc_net_set_backend(net, o->backend);
    *out = net;
    return ZC_OK;
}

zc_status zci_proxy_build_initialised(const zc_proxy_input *in, const zc_proxy_opts *o, zc_net **out)
{
    zc_rng rng;
    return zci_proxy_build_init(in, o, ZCI_INIT_DEFAULT, &rng, out);
}

zc_status zci_proxy_build_init(const zc_proxy_input *in, const zc_proxy_opts *o, int init, zc_rng *rng,
                               zc_net **out)
{
    zc_build_opts bo = {0, 1, 0, (init & ZCI_BUILD_RESLINK) != 0};
    init &= ~ZCI_BUILD_RESLINK;
    zc_net *net;
    zc_status st = zci_proxy_build(in, o, &bo, &net);
    if (st != ZC_OK) return st;
    zc_rng_seed(rng, in->seed, in->stream);
    if (o->weights_dir) st = zc_net_load_weights(net, o->weights_dir);
    else if (o->arch_weights) st = zc_space_load_weights(in->space, in->arch, net);
    else if (init == ZCI_INIT_KAIMING) st = zc_net_init_kaiming(net, rng);
    else if (init == ZCI_INIT_GAUSSIAN) st = zc_net_init_gaussian(net, rng);
    else st = zc_net_init_default(net, rng);
    if (st != ZC_OK) { zc_net_free(net); return st; }
    *out = net;
    return ZC_OK;
}

float *zci_gaussian_input(const zc_net *net, int batch, zc_rng *rng)
{
    zc_node_info in0;
    zc_net_node_info(net, 0, &in0);
    size_t n = (size_t)batch * in0.tiles * in0.c * in0.h * in0.w;
    float *x = malloc((n ? n : 1) * sizeof *x);
    if (!x) { zc_fail(ZC_ENOMEM, "out of memory for %d input images", batch); return NULL; }
    for (size_t j = 0; j < n; j++) x[j] = (float)zc_rng_normal(rng);
    return x;
}

int zci_net_reads_tokens(const zc_net *net)
{
    for (int i = 1; i < zc_net_num_nodes(net); i++) {
        zc_node_info n;
        zc_net_node_info(net, i, &n);
        if (n.op == ZC_OP_EMBEDDING && n.in[0] == 0) return 1;
    }
    return 0;
}

zc_status zci_proxy_untiled(zc_net *net, const char *proxy)
{
    zc_node_info in0;
    zc_net_node_info(net, 0, &in0);
    if (in0.tiles <= 1) return ZC_OK;
    int tokens = zci_net_reads_tokens(net);
    zc_net_free(net);
    if (tokens)   /* a language model: the input is token ids, one sample is a sequence */
        return zc_fail(ZC_EUNSUPPORTED, "%s is not defined for language models (token inputs, weights shared over "
                       "time steps)", proxy);
    return zc_fail(ZC_EUNSUPPORTED, "%s is not defined for networks run on tiles (jigsaw)", proxy);
}

zc_status zci_proxy_need_batch(const zc_proxy_input *in, const char *proxy, const zc_batch **b)
{
    if (!in->batches || in->n_batches < 1 || !in->batches[0].x || in->batches[0].n < 1)
        return zc_fail(ZC_EINVAL, "%s: needs a batch of images", proxy);
    *b = &in->batches[0];
    return ZC_OK;
}

zc_status zci_proxy_loss_backward(zc_net *net, const zc_batch *b, double *loss)
{
    zc_status st = zc_net_forward(net, b->x, b->n, ZC_RUN_TRAIN);
    if (st != ZC_OK) return st;
    int nb, dim;
    const float *logits = zc_net_output(net, &nb, &dim);
    if (!logits) return zc_fail(ZC_ENOMEM, "out of memory");
    float *dlogits = malloc((size_t)nb * dim * sizeof *dlogits);
    if (!dlogits) return zc_fail(ZC_ENOMEM, "out of memory");
    double l;
    st = zc_batch_loss(b, logits, nb, dim, &l, dlogits);
    if (st == ZC_OK) st = zc_net_backward(net, dlogits);
    free(dlogits);
    if (st == ZC_OK && loss) *loss = l;
    return st;
}

zc_status zci_proxy_weight_grad_sum(const zc_proxy_input *in, const zc_proxy_opts *opts, const char *name,
                                    int absolute, double *out)
{
    const zc_batch *b = NULL;
    zc_status st = zci_proxy_need_batch(in, name, &b);
    if (st != ZC_OK) return st;
    zc_net *net;
    if ((st = zci_proxy_build_initialised(in, opts, &net)) != ZC_OK) return st;
    zc_net_prune_zero(net);
    if ((st = zci_proxy_loss_backward(net, b, NULL)) == ZC_OK) {
        double total = 0.0;
        for (int i = 0; i < zc_net_num_params(net); i++) {
            if (!zc_net_is_layer_weight(net, i)) continue;
            zc_param_info p;
            zc_net_param_info(net, i, &p);
            const float *w = zc_net_param_data(net, i), *g = zc_net_param_grad(net, i);
            for (size_t j = 0; j < p.numel; j++) {
                double v = (double)(w[j] * g[j]);
                total += absolute ? fabs(v) : v;
            }
        }
        *out = total;
    }
    zc_net_free(net);
    return st;
}
