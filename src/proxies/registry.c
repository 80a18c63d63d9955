/* The proxy table: each entry builds the architecture's network the way its reference code does
 * and scores it. */
#include <stdlib.h>
#include <string.h>
#include "zcnas/cost.h"
#include "zcnas/proxy.h"
#include "zcnas/weights.h"
#include "proxies/baseline.h"

void zc_proxy_opts_default(zc_proxy_opts *o)
{
    memset(o, 0, sizeof *o);
    o->backend = zc_backend_default();
    o->eps_w_low = 1e-7f;
    o->eps_w_high = 1.0f;
}

static zc_net *build(const zc_proxy_input *in, const zc_proxy_opts *o, int classes, int trs,
                     int shapes_only)
{
    zc_net *net = in->build(in->arch, classes, trs, shapes_only);
    if (net && o->backend) zc_net_set_backend(net, o->backend);
    return net;
}

/* A network with PyTorch's default init from the architecture's own stream, or loaded weights
 * (opts->weights_dir). Shared with the baseline proxies (proxies/baseline.h). */
zc_status zc_proxy_build_initialised(const zc_proxy_input *in, const zc_proxy_opts *o, zc_net **out)
{
    zc_net *net = build(in, o, in->num_classes, 1, 0);
    if (!net) return ZC_EINVAL;
    if (o->weights_dir) {
        zc_status st = zc_net_load_weights(net, o->weights_dir);
        if (st != ZC_OK) { zc_net_free(net); return st; }
    } else {
        zc_rng rng;
        zc_rng_seed(&rng, in->seed, in->stream);
        zc_net_init_default(net, &rng);
    }
    *out = net;
    return ZC_OK;
}

static zc_status score_zico(const zc_proxy_input *in, const zc_proxy_opts *o, double *score)
{
    zc_net *net;
    zc_status st = zc_proxy_build_initialised(in, o, &net);
    if (st != ZC_OK) return st;
    st = zc_zico_net(net, in->batches, in->n_batches, o->zico_paper_std, score);
    zc_net_free(net);
    return st;
}

static zc_status score_epsilon(const zc_proxy_input *in, const zc_proxy_opts *o, double *score)
{
    /* epsinas builds NB201 with one output unit and BN without running stats. */
    zc_net *net = build(in, o, 1, 0, 0);
    if (!net) return ZC_EINVAL;
    zc_status st = zc_epsilon_net(net, in->eps_batch, o->eps_w_low, o->eps_w_high, o->eps_exact_full, score);
    zc_net_free(net);
    return st;
}

static zc_status score_params(const zc_proxy_input *in, const zc_proxy_opts *o, double *score)
{
    zc_net *net = build(in, o, in->num_classes, 1, 1);
    if (!net) return ZC_EINVAL;
    *score = (double)zc_net_param_count(net);
    zc_net_free(net);
    return ZC_OK;
}

static zc_status score_flops(const zc_proxy_input *in, const zc_proxy_opts *o, double *score)
{
    zc_net *net = build(in, o, in->num_classes, 1, 1);
    if (!net) return ZC_EINVAL;
    *score = (double)zc_net_flops(net);
    zc_net_free(net);
    return ZC_OK;
}

const zc_proxy zc_proxy_zico = {
    "zico", "ZiCo: sum over layers of log sum |mean g| / std g over N training batches", ZC_DATA_ZICO, score_zico, 0};
const zc_proxy zc_proxy_epsilon = {
    "epsilon", "epsinas: output dispersion between two constant-weight inits (NaN possible)", ZC_DATA_EPS,
    score_epsilon, 1};
const zc_proxy zc_proxy_params = {"params", "number of trainable parameters", ZC_DATA_NONE, score_params, 1};
const zc_proxy zc_proxy_flops = {
    "flops", "multiply-accumulates per image (NAS-Bench-201 API rules)", ZC_DATA_NONE, score_flops, 1};

/* The baselines, one file each (src/proxies/<name>.c). */
extern const zc_proxy zc_proxy_grad_norm, zc_proxy_snip, zc_proxy_grasp, zc_proxy_fisher, zc_proxy_synflow,
    zc_proxy_jacob_cov, zc_proxy_nwot, zc_proxy_zen, zc_proxy_l2_norm, zc_proxy_plain;

static const zc_proxy *const all_proxies[] = {
    &zc_proxy_zico, &zc_proxy_epsilon, &zc_proxy_params, &zc_proxy_flops, &zc_proxy_grad_norm,
    &zc_proxy_snip, &zc_proxy_grasp, &zc_proxy_fisher, &zc_proxy_synflow, &zc_proxy_jacob_cov,
    &zc_proxy_nwot, &zc_proxy_zen, &zc_proxy_l2_norm, &zc_proxy_plain, NULL};

const zc_proxy *const *zc_proxy_all(void) { return all_proxies; }

const zc_proxy *zc_proxy_find(const char *name)
{
    for (int i = 0; all_proxies[i]; i++)
        if (strcmp(all_proxies[i]->name, name) == 0) return all_proxies[i];
    return NULL;
}
