/* Zero-shot architecture search with a proxy as the fitness:
 *  - NAS-Bench-201: random search (best of N draws with replacement) and regularised ageing
 *    evolution (Real et al. 2019) with epsinas' one-edge mutation (src/search/nb201_search.c);
 *  - the ZenNAS / ZiCo PlainNet space: ZiCo's evolutionary search (evolution_search.py), with
 *    budgets, a candidate log and exact checkpoint/resume (src/search/zico_evolution.c).
 * Every random decision of a search comes from one seeded zc_rng, so a search is a pure function of
 * its options and seed, whatever the thread count. */
#ifndef ZCNAS_SEARCH_H
#define ZCNAS_SEARCH_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "zcnas/data.h"
#include "zcnas/nb201.h"
#include "zcnas/plainnet.h"
#include "zcnas/proxy.h"

/* ======================================= NAS-Bench-201 ======================================= */

typedef enum zc_search_algo {
    ZC_SEARCH_RANDOM = 0,   /* best by proxy of N architectures drawn uniformly WITH replacement */
    ZC_SEARCH_REA = 1       /* regularised (ageing) evolution */
} zc_search_algo;

/* Scores n architectures given by benchmark index into scores[0..n-1]. A score that does not exist
 * (epsilon's NaN, a non-finite ZiCo) is NaN; the searches rank NaN below every number. */
typedef zc_status (*zc_nb201_score_fn)(void *ctx, const int *indices, int n, double *scores);
/* FLOPs and parameters of one architecture (for budgets). */
typedef zc_status (*zc_nb201_cost_fn)(void *ctx, int index, double *flops, double *params);

typedef struct zc_nb201_search_opts {
    const zc_nb201_index_map *map;   /* the benchmark's index <-> arch mapping (architectures are
                                        identified by benchmark index) */
    int algo;                 /* zc_search_algo */
    int evals;                /* N: random search draws N architectures; REA evaluates the initial
                                 population plus children until N evaluations (re-drawn or re-visited
                                 architectures count again, as queries, but are scored only once) */
    uint64_t seed;            /* seeds every random decision (stream ZC_SEARCH_STREAM) */
    int population;           /* REA: population size P (64) */
    int sample_size;          /* REA: tournament size S (10), drawn with replacement */
    int generation;           /* REA: children bred from the same population and scored together
                                 (1 = Real et al.); larger values let threads work, and change the
                                 search (not its determinism) */
    double max_flops, max_params;  /* budgets (<= 0: none): architectures above them are never drawn */
    zc_nb201_cost_fn cost;    /* needed when a budget is set */
    void *cost_ctx;
    zc_nb201_score_fn score;
    void *score_ctx;
    /* Optional score cache over the whole space (ZC_NB201_SIZE entries each), shared between
     * searches whose scores come from the same proxy, data and seed; NULL: a private cache. */
    double *cache;
    unsigned char *cached;
    /* Optional: called for every evaluation in order (eval = 0..N-1). */
    void (*on_eval)(void *ctx, int eval, int index, double score);
    void *eval_ctx;
} zc_nb201_search_opts;

#define ZC_SEARCH_STREAM 0x5EA4C4ull

typedef struct zc_nb201_search_result {
    int index;        /* the chosen architecture: highest score among all evaluations (the first
                         one on ties); -1 when no evaluation had a score */
    double score;
    int evals;        /* evaluations done (= opts->evals) */
    int scored;       /* architectures scored by this call (cache misses) */
    int distinct;     /* distinct architectures evaluated */
} zc_nb201_search_result;

void zc_nb201_search_opts_default(zc_nb201_search_opts *o);
zc_status zc_nb201_search(const zc_nb201_search_opts *o, zc_nb201_search_result *res);

/* epsinas' NB201 mutation: a uniform node k in 1..3, a uniform incoming edge of k, a different op
 * uniform among the other four. */
void zc_nb201_mutate(const zc_nb201_arch *a, zc_rng *rng, zc_nb201_arch *out);

/* Scores through the parallel scorer (zc_score_run), one architecture per thread, results in input
 * order: identical to `zcnas score` with the same proxy, data and seed. A proxy's numeric failure
 * (ZC_ENUM) gives NaN instead of stopping the search. */
typedef struct zc_nb201_proxy_scorer {
    const zc_nb201_index_map *map;
    const zc_proxy *proxy;
    zc_proxy_opts opts;
    int num_classes, resolution;   /* 10, 32 for CIFAR-10 */
    const zc_batch *batches;       /* as zc_score_job */
    int n_batches;
    const zc_batch *eps_batch, *base_batch, *nwot_batch;
    uint64_t seed;                 /* init seed (each architecture's stream is its index) */
    int threads;
    /* Optional: called after each architecture, in order, with the count done in this call. */
    void (*on_progress)(void *ctx, int done, int total);
    void *progress_ctx;
} zc_nb201_proxy_scorer;
zc_status zc_nb201_proxy_score(void *scorer, const int *indices, int n, double *scores);

/* Costs counted on a shapes-only build (zc_net_flops, zc_net_param_count), memoised per index.
 * ctx = a zc_nb201_cost_cache set up by zc_nb201_cost_cache_init. */
typedef struct zc_nb201_cost_cache {
    const zc_nb201_index_map *map;
    int num_classes, resolution;
    double *flops, *params;        /* ZC_NB201_SIZE each, NaN until counted */
} zc_nb201_cost_cache;
zc_status zc_nb201_cost_cache_init(zc_nb201_cost_cache *c, const zc_nb201_index_map *map, int num_classes,
                                   int resolution);
void zc_nb201_cost_cache_free(zc_nb201_cost_cache *c);
zc_status zc_nb201_cached_cost(void *cache, int index, double *flops, double *params);

/* ============================ ZenNAS / ZiCo evolutionary search ============================== */

typedef enum zc_zennas_status {
    ZC_ZENNAS_SCORED = 0,        /* scored and appended to the population */
    ZC_ZENNAS_REJ_LAYERS = 1,    /* more layers than max_layers */
    ZC_ZENNAS_REJ_PARAMS = 2,    /* over the parameter budget */
    ZC_ZENNAS_REJ_FLOPS = 3,     /* over the FLOPs budget */
    ZC_ZENNAS_REJ_NAN = 4        /* ZiCo was not finite: not appended */
} zc_zennas_status;
const char *zc_zennas_status_name(int status);   /* "scored", "layers", "params", "flops", "nan" */

typedef struct zc_zennas_candidate {
    long iteration;
    char structure[ZC_PLAINNET_STR_MAX];
    double flops;          /* PlainNet counter, residual version, budget resolution */
    int64_t params;
    int layers;
    double score;          /* NaN unless scored */
    int status;            /* zc_zennas_status */
    double seconds;        /* scoring time */
} zc_zennas_candidate;

typedef struct zc_zennas_progress {
    long start;            /* iteration this run started at (0, or where --resume picked up) */
    long iteration, iterations;
    int population;        /* members now: up to the population size + 1 (pruning comes first in an
                              iteration, the new child last) */
    double best, median;   /* of the population (NaN when empty) */
    long scored, rej_layers, rej_params, rej_flops, rej_nan;
    double seconds;        /* wall time of this run (not counting earlier runs of a resumed search) */
} zc_zennas_progress;

typedef struct zc_zennas_opts {
    const char *initial;         /* NULL: ZC_PLAINNET_INITIAL_STRUCTURE */
    long iterations;             /* T (100000) */
    int population;              /* E (512) */
    int max_layers;              /* <= 0: none (14 for the 450M/600M scripts) */
    double budget_flops;         /* <= 0: none */
    double budget_params;        /* <= 0: none */
    int budget_resolution;       /* resolution of the budget check (224) */
    int resolution;              /* scoring resolution = the batches' size (224) */
    int num_classes;             /* classifier outputs (1000) */
    int uniform_mutation;        /* 0: the official weighted random.choice; 1: uniform candidates */
    int paper_std;               /* ZiCo variant (0: official code) */
    uint64_t seed;
    const zc_backend *backend;   /* NULL: the default backend */
    int threads;                 /* threads inside the backend for one candidate (<= 0: 1) */
    const zc_batch *batches;     /* the N ZiCo batches, drawn once, reused for every candidate */
    int n_batches;
    /* Files (NULL: none). The candidate log is CSV: iteration,structure,flops,params,layers,score,
     * status,seconds; with resume it is cut back to the checkpoint and appended. */
    const char *log_path;
    const char *checkpoint_path;
    long checkpoint_every;       /* iterations between checkpoints (<= 0: only at the end / on stop) */
    int resume;                  /* continue from checkpoint_path if it exists */
    const char *fingerprint;     /* what must match on resume (options, data); stored in the checkpoint */
    volatile sig_atomic_t *stop; /* polled after each candidate: checkpoint and return interrupted */
    void (*on_candidate)(void *ctx, const zc_zennas_candidate *c);
    void (*on_progress)(void *ctx, const zc_zennas_progress *p);
    double progress_seconds;     /* between on_progress calls (0: every candidate) */
    void *ctx;
} zc_zennas_opts;

typedef struct zc_zennas_result {
    char best[ZC_PLAINNET_STR_MAX];   /* max-score member of the final population (first on ties) */
    double best_score, best_flops;
    int64_t best_params;
    int best_layers;
    long iterations;                  /* iterations done in total (including earlier runs) */
    long resumed_from;                /* iteration the run started at (0: fresh) */
    int population;                   /* members of the final population: up to opts.population + 1, as in
                                         the official loop (remove-min first, then append) */
    long scored, rej_layers, rej_params, rej_flops, rej_nan;
    int interrupted;                  /* opts->stop was set: stopped early after a checkpoint */
    double seconds;                   /* wall time of this run */
} zc_zennas_result;

void zc_zennas_opts_default(zc_zennas_opts *o);
zc_status zc_zennas_search(const zc_zennas_opts *o, zc_zennas_result *res);

/* ZiCo of one PlainNet structure as the search scores it: no residual branches, no SE, BN eps 1e-3,
 * train-mode BN, PyTorch default init from zc_rng_seed(seed, stream). */
zc_status zc_zennas_score(const zc_plainnet *s, int num_classes, int resolution,
                          const zc_backend *backend, const zc_batch *batches, int n_batches,
                          int paper_std, uint64_t seed, uint64_t stream, double *score);

#endif
