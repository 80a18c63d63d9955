/* swap / reg_swap: SWAP, the sample-wise activation patterns (Peng et al., ICLR 2024; pym1024/SWAP
 * correlation.py; spec-proxies2 section 3). 16 real training images, BN in training mode; 32 times:
 * re-initialise (conv/linear weights N(0, 1), biases 0, BN gamma 1 beta 0; successive draws of the
 * architecture's stream, no reseeding) and count the distinct activation patterns: the columns of
 * sign(A), A = the ReLU outputs (relu_patterns.c). The score is the mean of the 32 counts.
 * reg_swap multiplies it by exp(-(P - mu)^2 / sigma), P = parameters / 1000 (sigma not squared, as the
 * official code). The official code has no values of mu and sigma (the paper tunes them to a target
 * size); the defaults here, mu = 1000 and sigma = 5e5, centre the bonus on 1M parameters (the larger
 * NAS-Bench-201 cells); --reg-swap-mu / --reg-swap-sigma set them. */
#include <math.h>
#include <stdlib.h>
#include "proxies/proxy_impl.h"

#define SWAP_REPEATS 32
#define SWAP_BATCH 16

double zc_reg_swap_factor(double params, double mu, double sigma)
{
    double p = params / 1000.0;
    return exp(-(p - mu) * (p - mu) / sigma);
}

static zc_status swap_mean(const zc_proxy_input *in, const zc_proxy_opts *opts, const char *name, double *out)
{
    const zc_batch *b = NULL;
    zc_status st = zci_proxy_need_batch(in, name, &b);
    if (st != ZC_OK) return st;
    if (b->n > 64) return zc_fail(ZC_EINVAL, "%s: batch of %d images (at most 64: patterns are 64-bit words)", name, b->n);
    zc_rng rng;
    zc_net *net;
    if ((st = zci_proxy_build_init(in, opts, ZCI_INIT_GAUSSIAN, &rng, &net)) != ZC_OK) return st;
    if ((st = zci_proxy_untiled(net, name)) != ZC_OK) return st;
    int repeats = opts->swap_repeats > 0 ? opts->swap_repeats : SWAP_REPEATS;
    double total = 0.0;
    for (int r = 0; r < repeats && st == ZC_OK; r++) {
        if (r > 0 && !zci_fixed_weights(opts)) st = zc_net_init_gaussian(net, &rng);
        double v = 0.0;
        if (st == ZC_OK) st = zc_relu_patterns_net(net, b->x, b->n, &v, NULL);
        total += v;
    }
    if (st == ZC_OK) *out = total / repeats;
    zc_net_free(net);
    return st;
}

static zc_status score_swap(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    return swap_mean(in, opts, "swap", out);
}

static zc_status score_reg_swap(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    double s = 0.0;
    zc_cost c;
    zc_status st = swap_mean(in, opts, "reg_swap", &s);
    if (st == ZC_OK) st = zc_space_cost(in->space, in->arch, &c);
    if (st != ZC_OK) return st;
    double mu = opts->reg_swap_mu > 0 ? opts->reg_swap_mu : 1000.0;
    double sigma = opts->reg_swap_sigma > 0 ? opts->reg_swap_sigma : 5e5;
    *out = s * zc_reg_swap_factor(c.params, mu, sigma);
    return ZC_OK;
}

#define SWAP_LANE {ZC_INPUT_IMAGES, "swap", SWAP_BATCH, 1, (uint64_t)3 << 40, 0}

const zc_proxy zc_proxy_swap = {
    .name = "swap",
    .help = "SWAP: distinct ReLU activation patterns of the neurons over 16 images, mean of 32 N(0,1) inits",
    .data = SWAP_LANE,
    .init = ZC_INIT_GAUSSIAN,
    .score = score_swap,
};

const zc_proxy zc_proxy_reg_swap = {
    .name = "reg_swap",
    .help = "SWAP times exp(-(params/1000 - mu)^2 / sigma) (--reg-swap-mu, --reg-swap-sigma: 1000, 5e5)",
    .data = SWAP_LANE,
    .init = ZC_INIT_GAUSSIAN,
    .score = score_reg_swap,
};
