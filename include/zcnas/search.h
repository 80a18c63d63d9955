/* Zero-shot architecture search over any space that offers sampling and mutation, with any proxy
 * (through a fitness function, usually a scoring context) as the fitness:
 *  - random search (best of N draws with replacement, epsinas' protocol) and regularised ageing
 *    evolution (Real et al. 2019) with the space's mutation (src/search/random.c, rea.c);
 *  - ZiCo's evolutionary search (evolution_search.py): population, remove-min, mutation of the initial
 *    or a random member, layer / FLOPs / parameter budgets, a candidate log and exact
 *    checkpoint/resume (src/search/evolution.c, checkpoint.c).
 * Every random decision of a search comes from one seeded zc_rng, so a search is a pure function of
 * its options and seed, whatever the thread count. */
#ifndef ZCNAS_SEARCH_H
#define ZCNAS_SEARCH_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "zcnas/bench_table.h"
#include "zcnas/run.h"
#include "zcnas/space.h"

/* Scores n architectures (space arch values, contiguous) with their init streams into scores; a
 * score that does not exist (epsilon's NaN, a numeric failure) is NaN, ranked below every number. */
typedef zc_status (*zc_fitness_fn)(void *ctx, const void *archs, int n, const uint64_t *streams, double *scores);
/* The fitness of a scoring context with exactly one proxy (ctx = the zc_run; open it with
 * nan_on_numeric_error so that a failing architecture is NaN, not the end of the search). */
zc_status zc_run_fitness(void *run, const void *archs, int n, const uint64_t *streams, double *scores);
/* The fitness of an aggregate's columns from a scoring context whose proxies write them: ctx is a
 * zc_run_columns prepared by zc_run_columns_for. */
typedef struct zc_run_columns {
    void *run;
    int n, slot[16];
} zc_run_columns;
zc_status zc_run_columns_for(zc_run_columns *c, void *run, const struct zc_aggregate *a);
zc_status zc_run_fitness_columns(void *ctx, const void *archs, int n, const uint64_t *streams, double *scores);

/* ================================ random search and ageing evolution ========================== */

typedef enum zc_search_algo {
    ZC_SEARCH_RANDOM = 0,   /* best by fitness of N architectures drawn uniformly WITH replacement */
    ZC_SEARCH_REA = 1       /* regularised (ageing) evolution */
} zc_search_algo;

/* Scores of architectures already evaluated, shared between searches whose fitness is the same
 * (same proxy, data and seed): each architecture is scored once. */
typedef struct zc_search_cache zc_search_cache;
zc_search_cache *zc_search_cache_new(void);
void zc_search_cache_free(zc_search_cache *c);

#define ZC_SEARCH_STREAM 0x5EA4C4ull

typedef struct zc_search_opts {
    const zc_space_ctx *space;
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
    double max_flops, max_params;  /* budgets (<= 0: none) on zc_space_cost: architectures above them
                                      are never drawn */
    zc_fitness_fn fitness;
    void *fitness_ctx;
    /* Optional: a score ranked over the population (zcnas/proxy.h: AZ-NAS, TE-NAS, VKDNW). The fitness
     * then writes the aggregate's zc_aggregate_n_columns sub-scores per architecture (its columns in
     * order), and an architecture's score is the aggregate over every architecture this search has
     * evaluated so far, recomputed as the search goes (as AZ-NAS' and VKDNW's searches rank each
     * candidate among all evaluated): REA's tournaments compare current values, and the answer is the
     * best by the aggregate over the whole history. */
    const struct zc_aggregate *aggregate;
    zc_search_cache *cache;   /* optional (NULL: a private one) */
    /* Optional: called for every evaluation in order (eval = 0..N-1). */
    void (*on_eval)(void *ctx, int eval, const void *arch, double score);
    void *eval_ctx;
    /* Optional: polled between evaluations (random search scores its draws in chunks of 64 to poll
     * it; REA after each generation): when set, the search ends early with what it has evaluated,
     * res->evals < evals and res->stopped = 1 (the scores and the best so far stay exact). */
    volatile sig_atomic_t *stop;
} zc_search_opts;

typedef struct zc_search_result {
    void *best;       /* caller's buffer of space arch_size bytes: the highest score among all
                         evaluations (the first one on ties) */
    int found;        /* 0 when no evaluation had a score */
    double score;
    int evals;        /* evaluations done (= opts->evals unless stopped) */
    int scored;       /* architectures scored by this call (cache misses) */
    int distinct;     /* distinct architectures evaluated */
    int stopped;      /* opts->stop ended it early */
} zc_search_result;

void zc_search_opts_default(zc_search_opts *o);
zc_status zc_search(const zc_search_opts *o, zc_search_result *res);

/* What both papers report for a found architecture: its value in a benchmark column and its true
 * rank (1 + the rows with a strictly higher value; NaN / -1 when the index is not in the table). */
void zc_bench_rank(const zc_bench_table *t, int col, long index, double *value, int *rank);
/* The same for a space keyed by something else than an index (NAS-Bench-101: the graph hash):
 * keys[r] is row r's key (zc_row_keys); the value is the mean over the rows with this key
 * (isomorphic cells listed once per training run). */
void zc_bench_rank_key(const zc_bench_table *t, int col, char *const *keys, const char *key, double *value,
                       int *rank);
/* Mean and standard deviation (ddof 0) of the non-NaN values (NaN when there are none). */
void zc_mean_std(const double *v, int n, double *mean, double *std);

/* ================================ ZiCo's evolutionary search ================================== */

typedef enum zc_evo_status {
    ZC_EVO_SCORED = 0,        /* scored and appended to the population */
    ZC_EVO_REJ_LAYERS = 1,    /* more layers than max_layers */
    ZC_EVO_REJ_PARAMS = 2,    /* over the parameter budget */
    ZC_EVO_REJ_FLOPS = 3,     /* over the FLOPs budget */
    ZC_EVO_REJ_NAN = 4        /* the fitness was not finite: not appended */
} zc_evo_status;
const char *zc_evo_status_name(int status);   /* "scored", "layers", "params", "flops", "nan" */

typedef struct zc_evo_candidate {
    long iteration;
    const char *arch;      /* canonical string (valid during the callback) */
    double flops, params;  /* zc_space_cost */
    int layers;
    double score;          /* NaN unless scored */
    int status;            /* zc_evo_status */
    double seconds;        /* scoring time */
} zc_evo_candidate;

typedef struct zc_evo_progress {
    long start;            /* iteration this run started at (0, or where resume picked up) */
    long iteration, iterations;
    int members;           /* up to the population size + 1 (pruning comes first in an iteration,
                              the new child last) */
    double best, median;   /* of the population (NaN when empty) */
    long scored, rej_layers, rej_params, rej_flops, rej_nan;
    double seconds;        /* wall time of this run (not counting earlier runs of a resumed search) */
} zc_evo_progress;

typedef struct zc_evo_opts {
    const zc_space_ctx *space;
    const char *initial;         /* NULL: the space's initial architecture */
    long iterations;             /* T (100000) */
    int population;              /* E (512) */
    int max_layers;              /* <= 0: none (14 for the 450M/600M scripts) */
    double budget_flops;         /* <= 0: none */
    double budget_params;        /* <= 0: none */
    uint64_t seed;
    /* The fitness of one candidate; its stream is the iteration (each candidate's init is seeded by
     * (seed, iteration)). */
    zc_fitness_fn fitness;
    void *fitness_ctx;
    /* An aggregate fitness (AZ-NAS' MobileNet search, evolution_search_az.py): the fitness writes the
     * aggregate's zc_aggregate_n_columns sub-scores, and the search becomes AZ-NAS' variant: every
     * scored candidate stays (nothing is removed), each score is the aggregate over all of them,
     * recomputed after every append; a parent is the initial architecture (1 mutation) while at most 10
     * are scored, then a uniform member (2 mutations), and once population - 1 are scored a uniform one
     * of the population - 1 best; `iterations` counts scored candidates (rejections are not
     * iterations there). NULL: ZiCo's search. */
    const struct zc_aggregate *aggregate;
    /* Candidates scored together (<= 1: one at a time, the official loop). B > 1 is zcnas' batch mode
     * for many threads or MPI ranks: per step the population is trimmed once and B children are drawn
     * from it (none sees its batch-mates), scored at once and appended in order; iteration i still
     * has stream i. Results depend on B, not on the threads or ranks. */
    int batch;
    /* Files (NULL: none). The candidate log is CSV: iteration,arch,flops,params,layers,score,status;
     * with resume it is cut back to the checkpoint and appended. */
    const char *log_path;
    const char *checkpoint_path;
    long checkpoint_every;       /* iterations between checkpoints (<= 0: only at the end / on stop) */
    int resume;                  /* continue from checkpoint_path if it exists */
    const char *fingerprint;     /* what must match on resume (options, data); stored in the checkpoint */
    volatile sig_atomic_t *stop; /* polled after each candidate: checkpoint and return interrupted */
    void (*on_candidate)(void *ctx, const zc_evo_candidate *c);
    void (*on_progress)(void *ctx, const zc_evo_progress *p);
    double progress_seconds;     /* between on_progress calls (0: every candidate) */
    void *ctx;
} zc_evo_opts;

typedef struct zc_evo_result {
    char *best;                       /* max-score member of the final population (first on ties),
                                         malloc'd canonical string (NULL when the population is empty) */
    double best_score, best_flops, best_params;
    int best_layers;
    long iterations;                  /* iterations done in total (including earlier runs) */
    long resumed_from;                /* iteration the run started at (0: fresh) */
    int members;                      /* members of the final population: up to opts.population + 1, as
                                         in the official loop (remove-min first, then append) */
    long scored, rej_layers, rej_params, rej_flops, rej_nan;
    int interrupted;                  /* opts->stop was set: stopped early after a checkpoint */
    double seconds;                   /* wall time of this run */
} zc_evo_result;

void zc_evo_opts_default(zc_evo_opts *o);
zc_status zc_evo_search(const zc_evo_opts *o, zc_evo_result *res);
void zc_evo_result_free(zc_evo_result *res);
/* summary.json: the result beside the settings (`settings` is a JSON object's members, without
 * braces, that the caller adds: data, backend, proxy options, ...). */
/* best.txt: the architecture string and a newline (written whole: never half a file). */
zc_status zc_evo_write_best(const char *path, const char *arch);
zc_status zc_evo_write_summary(const char *path, const zc_evo_opts *o, const zc_evo_result *res,
                               const char *proxy, const char *settings);

#endif
