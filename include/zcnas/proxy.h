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
    int arch_weights;             /* 1: the architecture's own weights (an ONNX model's initialisers,
                                     zc_space_load_weights) instead of a fresh init */
    /* grad_norm */
    /* SWAP */
    int swap_repeats;             /* re-initialisations (0: 32) */
    double reg_swap_mu, reg_swap_sigma;   /* reg_swap's mu, sigma (0: 1000, 5e5) */
    /* MeCo */
    int meco_random_input;        /* 1: one N(0,1) image instead of a real one */
    /* VKDNW */
    int vkdnw_exact_constants;    /* 1: alpha = 0.05 and 1 - alpha, alpha / K in double instead of the official
                                     code's float16 tensors (which make sum(pi) = 1.0002 at K = 1000) */
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
    ZC_INIT_NONE = 3,        /* no values needed (counters) */
    ZC_INIT_KAIMING = 4      /* kaiming_normal_ weights from the network's stream (AZ-NAS, VKDNW) */
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
    /* Writes the proxy's score, or its zc_proxy_n_outputs sub-scores score[0..n-1]. */
    zc_status (*score)(const zc_proxy_input *in, const zc_proxy_opts *opts, double *score);
    int is_count;                /* 1: the score is a count (printed as an integer) */
    const char *const *outputs;  /* NULL: one score, named `name`; else the NULL-terminated names of the
                                    sub-scores it writes (AZ-NAS' expressivity, progressivity, ...) */
    /* Memory beyond one forward + backward pass, for the run's guard (zc_net_memory_bytes): */
    float act_copies;            /* node outputs it holds per sample, in copies of all of them (0: 1) */
    int per_sample_grads;        /* it keeps one gradient of every weight per sample (NTK) */
} zc_proxy;

/* The number of scores the proxy writes (1 unless it lists outputs) and the name of score k. */
int zc_proxy_n_outputs(const zc_proxy *p);
const char *zc_proxy_output(const zc_proxy *p, int k);

/* ---- scores ranked over a population ----
 * AZ-NAS, TE-NAS and VKDNW rank each architecture's sub-scores among the architectures being compared
 * and combine the ranks: the score of one architecture changes with the population. Proxies write the
 * raw sub-scores; an aggregate turns columns of them into the final score over a given population (the
 * scored set in eval and reproduce, every candidate so far in a search). Ranks are average ranks in
 * ascending order (worst = 1; -inf lowest, NaN as stated per rule). */
typedef enum zc_agg_rule {
    ZC_AGG_LOG_RANK_OVER_N,   /* sum_k ln(rank_k / N)                                 (AZ-NAS) */
    ZC_AGG_RANK_SUM,          /* sum_k rank_k                                         (TE-NAS) */
    ZC_AGG_DENSE_LEX,         /* dense rank of the columns in lexicographic order     (VKDNW) */
    ZC_AGG_VKDNW              /* ln r(dense lex rank of columns 0, 1) + sum_{k>=2} ln rank_k; NaN in
                                 the last column -> its minimum                       (VKDNW_agg) */
} zc_agg_rule;

typedef struct zc_aggregate {
    const char *name;
    const char *help;
    const char *const *needs;     /* the proxies that write its columns (NULL-terminated) */
    const char *const *columns;   /* the score columns it combines (NULL-terminated) */
    zc_agg_rule rule;
} zc_aggregate;

/* NULL-terminated list of every aggregate (src/proxies/aggregate.c). */
const zc_aggregate *const *zc_aggregate_all(void);
/* By name; NULL (no error set) when there is none. */
const zc_aggregate *zc_aggregate_find(const char *name);
int zc_aggregate_n_columns(const zc_aggregate *a);
/* The aggregate of n architectures: cols[k][i] is column k of architecture i; out[i] its score. */
zc_status zc_aggregate_compute(const zc_aggregate *a, const double *const *cols, size_t n, double *out);
/* The same from rows of sub-scores: raw holds k = zc_aggregate_n_columns(a) values per row, and
 * architecture i is row rows[i] (rows NULL: row i). What the searches keep. */
zc_status zc_aggregate_compute_rows(const zc_aggregate *a, const double *raw, const int *rows, size_t n, double *out);

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

/* jacob_cov of an initialised network on one batch (train-mode BN; sets zc_net_prune_zero). */
zc_status zc_jacob_cov_net(zc_net *net, const zc_batch *batch, double *score);

/* ---- the proxies after ZiCo (spec-proxies2) ---- */
/* AZ-NAS on an initialised network whose builder marked its stages (zc_net_mark_feature): training-mode
 * forward of x (batch images), out = {expressivity, progressivity, trainability}. v: the Rademacher
 * vectors of the blocks L..1 one after the other, each shaped like the block's output (NULL: drawn from
 * rng). */
zc_status zc_az_nas_net(zc_net *net, const float *x, int batch, const float *v, zc_rng *rng, double out[3]);
/* E(F) of a batch x c x hw feature map (NaN for zero features). */
double zc_az_expressivity_of(const float *f, int batch, int c, size_t hw);
/* One block's trainability from v (its output's shape) and u = its vector-Jacobian product (its
 * input's shape): -inf when u == v (identity), else 2 - s - 1 / (s + 1e-6). */
double zc_az_block_trainability(const float *u, const float *v, int batch, int c_in, int h_in, int w_in,
                                int c_out, int h_out, int w_out);
/* MeCo (opt = 0) or MeCo_opt (opt = 1, rows drawn from rng) of an initialised network on one image x,
 * weighted by the builder's module counts (zc_net_add_module_outputs). */
zc_status zc_meco_net(zc_net *net, const float *x, int opt, zc_rng *rng, double *score);
/* The smallest eigenvalue of the correlation of the n rows (length m) of `rows`, NaN/inf entries 0. */
double zc_meco_value(const float *rows, int n, size_t m);
/* The distinct columns (SWAP) and rows (linear regions) of sign(a), a = batch x neurons (batch <= 64);
 * either output may be NULL. */
zc_status zc_relu_patterns(const float *a, int batch, size_t neurons, double *columns, double *rows);
/* The same for the ReLUs of an initialised network on x (one inference-mode forward, BN batch stats). */
zc_status zc_relu_patterns_net(zc_net *net, const float *x, int batch, double *columns, double *rows);
/* reg-SWAP's factor exp(-(params / 1000 - mu)^2 / sigma). */
double zc_reg_swap_factor(double params, double mu, double sigma);
/* TE-NAS' NTK score -lambda_max / lambda_min of the n x n Gram matrix theta (destroyed); NaN -> -1e5. */
double zc_ntk_from_gram(double *theta, int n);
/* TE-NAS' NTK score of an initialised network on x (training-mode BN, one backward per sample). */
zc_status zc_te_nas_ntk_net(zc_net *net, const float *x, int batch, double *ntk);
/* VKDNW's pi (K) and L (K x K, row-major) from one sample's logits z (the official float16 constants). */
void zc_vkdnw_pi_L(const float *z, int K, double *pi, double *L);
/* The same; exact = 1: the constants in double (--vkdnw-constants exact). */
void zc_vkdnw_pi_L_ex(const float *z, int K, int exact, double *pi, double *L);
/* The entropy of the deciles of n singular values (any order). */
double zc_vkdnw_entropy_of(const double *lambda, int n);
/* The same of nq = 9 (deciles 0.1..0.9, the NB201 code) or 11 quantiles (0, 0.1, ..., 1: MobileNet). */
double zc_vkdnw_entropy_q(const double *lambda, int n, int nq);
/* vkdnw_dim and vkdnw_entropy of an initialised network on x (batch images, eval-mode BN). */
zc_status zc_vkdnw_net(zc_net *net, const float *x, int batch, double *dim, double *entropy);
/* The same with flags: ZC_VKDNW_MOBILENET, VKDNW's ImageNet_MBV2 setting (a training forward first moves
 * the BN running statistics, 128 tensors drawn by Python's random.Random(#tensors).sample, 11
 * quantiles); ZC_VKDNW_EXACT_CONSTANTS, pi's constants in double. */
#define ZC_VKDNW_MOBILENET 1
#define ZC_VKDNW_EXACT_CONSTANTS 2
zc_status zc_vkdnw_net_ex(zc_net *net, const float *x, int batch, int flags, double *dim, double *entropy);

#endif
