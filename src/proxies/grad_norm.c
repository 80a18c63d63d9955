/* grad_norm (zero-cost-nas, Abdelfattah et al. 2021): one train-mode step on a training batch (mean
 * cross-entropy, real labels, PyTorch default init); the score is the SUM over Conv2d/Linear layers of
 * the Frobenius norm of each weight gradient (not the norm of the concatenation).
 *
 * opts->grad_norm_zico selects the ZiCo repository's compute_gradnorm_score instead: N(0,1) init of
 * conv/linear weights (biases 0, BN gamma 1 beta 0), input x ~ N(0,1) of the batch's shape, uniformly
 * random labels, mean cross-entropy, score sqrt(sum over ALL parameters of |dL/dp|^2). */
#include <math.h>
#include <stdlib.h>
#include "proxies/proxy_impl.h"

static zc_status zico_variant(zc_net *net, const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    const zc_batch *b = &in->batches[0];
    zc_rng rng;
    zc_rng_seed(&rng, in->seed, in->stream);
    zc_status st = zci_fixed_weights(opts) ? ZC_OK : zc_net_init_gaussian(net, &rng);
    if (st != ZC_OK) return st;
    size_t n = (size_t)b->n * b->c * b->h * b->w;
    zc_batch rb = {.n = b->n, .c = b->c, .h = b->h, .w = b->w, .x = malloc(n * sizeof(float)), .y = malloc((size_t)b->n * sizeof(int))};
    if (!rb.x || !rb.y) st = zc_fail(ZC_ENOMEM, "grad_norm: out of memory");
    if (st == ZC_OK) {
        for (size_t i = 0; i < n; i++) rb.x[i] = (float)zc_rng_normal(&rng);
        for (int i = 0; i < b->n; i++) rb.y[i] = (int)zc_rng_below(&rng, (uint64_t)in->space->cfg.num_classes);
        st = zci_proxy_loss_backward(net, &rb, NULL);
    }
    if (st == ZC_OK) {
        double s2 = 0.0;
        for (int i = 0; i < zc_net_num_params(net); i++) {
            zc_param_info p;
            zc_net_param_info(net, i, &p);
            const float *g = zc_net_param_grad(net, i);
            for (size_t j = 0; j < p.numel; j++) s2 += (double)g[j] * g[j];
        }
        *out = sqrt(s2);
    }
    free(rb.x);
    free(rb.y);
    return st;
}

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    const zc_batch *b = NULL;
    zc_status st = zci_proxy_need_batch(in, "grad_norm", &b);
    if (st != ZC_OK) return st;
    zc_net *net;
    if ((st = zci_proxy_build_initialised(in, opts, &net)) != ZC_OK) return st;
    zc_net_prune_zero(net);
    if (opts->grad_norm_zico) {
        st = zico_variant(net, in, opts, out);
    } else if ((st = zci_proxy_loss_backward(net, b, NULL)) == ZC_OK) {
        double total = 0.0;
        for (int i = 0; i < zc_net_num_params(net); i++) {
            if (!zc_net_is_layer_weight(net, i)) continue;
            zc_param_info p;
            zc_net_param_info(net, i, &p);
            const float *g = zc_net_param_grad(net, i);
            double s2 = 0.0;
            for (size_t j = 0; j < p.numel; j++) s2 += (double)g[j] * g[j];
            total += sqrt(s2);
        }
        *out = total;
    }
    zc_net_free(net);
    return st;
}

const zc_proxy zc_proxy_grad_norm = {
    .name = "grad_norm",
    .help = "sum of the conv/linear weight-gradient norms (zero-cost-nas; one batch)",
    .data = ZCI_BASELINE_BATCH,
    .init = ZC_INIT_DEFAULT,
    .score = score,
};
