/* Zero-cost proxies. A proxy scores one architecture given a way to build its network. */
#ifndef ZCNAS_PROXY_H
#define ZCNAS_PROXY_H
#include <stddef.h>
#include <stdint.h>
#include "zcnas/net.h"
#include "zcnas/data.h"
#include "zcnas/backend.h"

/* Builds a fresh, uninitialised network of the architecture for `num_classes` outputs
 * (epsilon asks for 1). `track_running_stats` selects the model variant's BN buffers;
 * `shapes_only` skips allocating parameter values (enough for counting). */
typedef zc_net *(*zc_net_builder)(const void *arch, int num_classes, int track_running_stats,
                                  int shapes_only);

typedef struct zc_proxy_opts {
    const zc_backend *backend;
    /* ZiCo */
    int zico_paper_std;   /* 0: std of the signed gradient (official code); 1: std of |g| (paper Eq. 15) */
    /* epsilon */
    float eps_w_low, eps_w_high;  /* 1e-7, 1 for NB201 */
    int eps_exact_full;           /* 1: run the full network instead of the exact uniform evaluation */
    const char *weights_dir;      /* load weights instead of a fresh init; NULL: fresh */
    /* grad_norm */
    int grad_norm_zico;           /* 0: zero-cost-nas (sum of per-layer conv/linear weight-gradient norms,
                                     real batch and labels); 1: ZiCo repo's variant (global L2 norm over
                                     all parameters, N(0,1) init, N(0,1) input, random labels) */
} zc_proxy_opts;

void zc_proxy_opts_default(zc_proxy_opts *o);

/* Everything a proxy may need about one architecture. */
typedef struct zc_proxy_input {
    zc_net_builder build;
    const void *arch;
    int num_classes;
    uint64_t seed, stream;       /* random init = zc_rng_seed(seed, stream): stream is the arch's
                                    benchmark index, so a score never depends on run order */
    const zc_batch *batches;     /* training batches (ZiCo uses all n_batches) */
    int n_batches;
    const zc_batch *eps_batch;   /* the fixed epsilon batch */
    const zc_batch *base_batch;  /* one training batch for the baseline proxies (ZCN harness, 64) */
    const zc_batch *nwot_batch;  /* NASWOT's batch (128) */
} zc_proxy_input;

enum {
    ZC_DATA_NONE = 0,    /* no images (params, flops, synflow, zen, ...) */
    ZC_DATA_ZICO = 1,    /* the N ZiCo batches */
    ZC_DATA_EPS = 2,     /* the fixed epsilon batch */
    ZC_DATA_BASE = 3,    /* one training batch (base_batch) */
    ZC_DATA_NWOT = 4     /* NASWOT's batch (nwot_batch) */
};

typedef struct zc_proxy {
    const char *name;
    const char *help;
    int needs_batches;           /* which data: one of ZC_DATA_* */
    zc_status (*score)(const zc_proxy_input *in, const zc_proxy_opts *opts, double *score);
    int init_free;               /* 1: the score does not depend on the random initialisation (the
                                    arch's init stream is not used) */
} zc_proxy;

const zc_proxy *zc_proxy_find(const char *name);
/* NULL-terminated list of every proxy. */
const zc_proxy *const *zc_proxy_all(void);

/* ---- the algorithms on their raw inputs (exposed for tests and other callers) ---- */

/* ZiCo from per-batch gradients of one layer: g is n_batches x k (row-major). Returns the layer's
 * contribution log(S) in *term and 1 in *used, or *used = 0 when S == 0 (layer dropped). */
void zc_zico_layer(const float *g, int n_batches, size_t k, int paper_std, double *term, int *used);
/* ZiCo of a network: forward/backward on each batch (train-mode BN, mean CE) and the sum of layer
 * terms over conv and linear weights in definition order. The net must be initialised. */
zc_status zc_zico_net(zc_net *net, const zc_batch *batches, int n_batches, int paper_std,
                      double *score);
/* epsilon from the two flattened outputs (length n each): min-max normalise each, zeros -> NaN,
 * mean abs difference over valid pairs divided by the NaN-aware mean of both. May return NaN. */
double zc_epsilon_from_outputs(const float *y_low, const float *y_high, size_t n);
zc_status zc_epsilon_net(zc_net *net, const zc_batch *batch, float w_low, float w_high,
                         int exact_full, double *score);
/* synflow (zero-cost-nas) of an initialised network, in float64 on |parameters| with BN as the
 * identity and an all-ones input of batch 1; the net itself is not modified. */
zc_status zc_synflow_net(const zc_net *net, double *score);
/* NASWOT: ln|det K| of the ReLU-code agreement kernel of one forward of batch->x (BN batch stats),
 * each ReLU module counted (merged ReLU nodes weighted by node->merged); wrapper_hooks = 1 also
 * counts each xautodl ReLUConvBN module (ReLU -> conv -> BN) as the official code's hooks on every
 * type name containing 'ReLU' do, i.e. its code twice; 0: every ReLU once. -inf if K is singular. */
zc_status zc_nwot_net(zc_net *net, const zc_batch *batch, int wrapper_hooks, double *score);
/* log|det a| of the n x n row-major matrix a (destroyed) by LU with partial pivoting in double;
 * -inf when a is singular (an exactly zero pivot), NaN when a has a NaN. */
double zc_log_abs_det(double *a, int n);
/* Zen-score of an initialised network from x and the perturbed x' = x + 0.01 eps (batch x C x H x W
 * each): ln(mean_n sum |f(x) - f(x')|) on the input of the global average pooling, plus
 * sum over BN layers with running stats of ln sqrt(mean_c running_var) after the two forwards
 * (running_var from 1, momentum 0.1, unbiased batch variance). */
zc_status zc_zen_net(zc_net *net, const float *x, const float *x_mixed, int batch, double *score);

#endif
