/* State shared by the random search and ageing evolution (internal). Architectures are identified by
 * their canonical string: scores and budget checks are cached under it. */
#ifndef ZC_SEARCH_IMPL_H
#define ZC_SEARCH_IMPL_H
#include "util/util.h"
#include "zcnas/search.h"

struct zc_search_cache {
    zci_strmap scores;       /* canonical string -> score, or (aggregate) -> row of raw */
    double *raw;             /* aggregate: rows of sub-scores */
    unsigned char *archs;    /* aggregate: each row's architecture */
    int n_raw, cap_raw, k;
};

typedef struct zci_search {
    const zc_search_opts *o;
    size_t asz, str_max;
    zc_rng rng;
    zc_search_cache *cache;
    zci_strmap seen;         /* distinct architectures evaluated by this search */
    zci_strmap feasible;     /* budget checks: 1 feasible, 0 not */
    long long n_checked, n_feasible, size;
    zc_search_result *res;
    double best_score;
    int evals;
    /* aggregate: the cache rows this search evaluated (its population), their current aggregate */
    zci_strmap pos;          /* canonical string -> position in rows */
    int *rows, n_rows, cap_rows;
    double *agg;
    int stale;
    char *key;               /* scratch: a formatted architecture */
} zci_search;

/* A uniform draw among the architectures within the budgets (rejection sampling). */
zc_status zci_search_draw(zci_search *s, void *arch);
/* 1 within the budgets, 0 not, -1 error. */
int zci_search_feasible(zci_search *s, const void *arch);
/* Scores the architectures of archs[0..n) that are not cached yet (in order of first appearance,
 * all at once, so that the fitness's threads share the work), then fills sc[]. */
zc_status zci_search_score(zci_search *s, const unsigned char *archs, int n, double *sc);
/* Aggregate: the architecture's current score (it must have been scored by this search). */
double zci_search_value(zci_search *s, const void *arch);
/* The caller's stop flag is set (then res->stopped is too). */
int zci_search_stopped(zci_search *s);
/* Counts one evaluation (and keeps the best). */
void zci_search_record(zci_search *s, const void *arch, double score);
/* The two algorithms. */
zc_status zci_search_random(zci_search *s);
zc_status zci_search_rea(zci_search *s);

#endif
