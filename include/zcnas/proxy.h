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
    const char *weights_dir;      /* load weights instead of a fresh init (ZiCo); NULL: fresh */
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

#endif
