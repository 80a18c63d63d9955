/* Scoring many architectures with several proxies: architecture-level parallelism (one
 * architecture per worker thread, each with its own networks and random streams), results
 * delivered in input order so that output never depends on the thread count. */
#ifndef ZCNAS_SCORER_H
#define ZCNAS_SCORER_H
#include "zcnas/proxy.h"

typedef struct zc_score_job {
    zc_net_builder build;
    const void *archs;          /* n_archs architectures, arch_size bytes each */
    size_t arch_size;
    const uint64_t *streams;    /* per-architecture init stream (the benchmark index) */
    int n_archs;
    const zc_proxy *const *proxies;
    int n_proxies;
    zc_proxy_opts opts;
    const zc_batch *batches;    /* ZiCo batches */
    int n_batches;
    const zc_batch *eps_batch;  /* epsilon batch (may be NULL when epsilon is not requested) */
    const zc_batch *base_batch; /* baseline proxies' batch (or NULL) */
    const zc_batch *nwot_batch; /* NASWOT's batch (or NULL) */
    int num_classes;
    uint64_t seed;
    int threads;                /* <= 0: all cores */
    /* Called once per architecture, in input order, never concurrently. Return non-zero to stop. */
    int (*on_result)(void *ctx, int i, const double *scores, const double *seconds);
    void *ctx;
} zc_score_job;

/* Stops at the first proxy error (its message is in zc_last_error). */
zc_status zc_score_run(const zc_score_job *job);
int zc_cpu_count(void);

#endif
