/* Zero-cost proxies as plug-ins: a descriptor (name, help, declared data needs, init, score
 * function) per proxy, one file each under src/proxies/, registered in one table. */
#ifndef ZCNAS_PROXY_H
#define ZCNAS_PROXY_H
#include <stddef.h>
#include <stdint.h>
#include "zcnas/net.h"
#include "zcnas/data.h"
#include "zcnas/backend.h"
#include "zcnas/space.h"

typedef struct zc_proxy_opts {
    const zc_backend *backend;    /* NULL: the default backend */
    /* ZiCo */
    int zico_paper_std;   /* 0: std of the signed gradient (official code); 1: std of |g| (paper Eq. 15) */
    /* epsilon */
    float eps_w_low, eps_w_high;  /* 0, 0: the space's published pair (zc_space.eps_weights), else 1e-7, 1 */
    int eps_exact_full;           /* 1: run the full network instead of the exact uniform evaluation */
    const char *weights_dir;      /* load weights instead of a fresh init; NULL: fresh */
    /* grad_norm */
    int grad_norm_zico;           /* 0: zero-cost-nas (sum of per-layer conv/linear weight-gradient norms,
                                     real batch and labels); 1: ZiCo repo's variant (global L2 norm over
                                     all parameters, N(0,1) init, N(0,1) input, random labels) */
} zc_proxy_opts;

void zc_proxy_opts_default(zc_proxy_opts *o);
/* The two constant weights epsilon uses on a space: the options', else the space's published pair,
 * else 1e-7 and 1 (epsinas' NAS-Bench-201 pair). */
void zc_epsilon_weights(const zc_space *space, const zc_proxy_opts *o, float *low, float *high);

/* ---- what a proxy consumes ----
 * Proxies declare their inputs; the scoring context (run.h) draws and caches the image batches of
 * every lane the requested proxies name, once per run, and hands each proxy its own lane. */
typedef enum zc_input_kind {
    ZC_INPUT_NONE = 0,       /* no input (params, flops) */
    ZC_INPUT_IMAGES = 1,     /* real labelled images of the dataset, drawn by the context */
    ZC_INPUT_GAUSSIAN = 2,   /* N(0,1) inputs the proxy draws from the network's init stream (zen) */
    ZC_INPUT_ONES = 3        /* an all-ones input the proxy makes (synflow) */
} zc_input_kind;

typedef enum zc_init_kind {
    ZC_INIT_DEFAULT = 0,     /* PyTorch's default init from the network's stream (or --weights) */
    ZC_INIT_GAUSSIAN = 1,    /* N(0,1) weights from the network's stream */
    ZC_INIT_CONSTANT = 2,    /* constant weights: no random stream (epsilon) */
    ZC_INIT_NONE = 3         /* no values needed (counters) */
} zc_init_kind;

typedef struct zc_data_need {
    zc_input_kind input;
    const char *lane;        /* ZC_INPUT_IMAGES: proxies naming the same lane share its batches */
    int batch_size;          /* default size of the lane's batches (a run may override it) */
    int n_batches;           /* default number of batches */
    uint64_t seed_offset;    /* the lane's batches for seed S are drawn with seed 2S + seed_offset */
    int augment;             /* 1: the run's augmentation setting applies; 0: never augmented */
} zc_data_need;

typedef struct zc_proxy_input {
    const zc_space_ctx *space;   /* builds the architecture's networks */
    const void *arch;
    uint64_t seed, stream;       /* random init = zc_rng_seed(seed, stream): the stream is the arch's
                                    (zc_space_stream), so a score never depends on run order */
    const zc_batch *batches;     /* this proxy's lane (ZC_INPUT_IMAGES): n_batches batches */
    int n_batches;
} zc_proxy_input;

typedef struct zc_proxy {
    const char *name;
    const char *help;
    zc_data_need data;           /* what it consumes */
    zc_init_kind init;           /* how its networks are initialised */
    zc_status (*score)(const zc_proxy_input *in, const zc_proxy_opts *opts, double *score);
    int is_count;                /* 1: the score is a count (printed as an integer) */
} zc_proxy;

/* NULL-terminated list of every proxy (src/proxies/registry.c). */
const zc_proxy *const *zc_proxy_all(void);
/* By name; NULL with zc_last_error naming the known proxies. */
const zc_proxy *zc_proxy_find(const char *name);
/* 1 when the score depends on the network's random initialisation (its stream). */
int zc_proxy_uses_stream(const zc_proxy *p);

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
/* NASWOT: ln|det K| of the ReLU-code agreement kernel of one forward of batch->x (BN batch stats),
 * each ReLU module counted (merged ReLU nodes weighted by their merge count); wrapper_hooks = 1 also
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
