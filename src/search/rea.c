/* Regularised evolution (Real et al. 2019; the NB201/NATS "R-EA" baseline): P random architectures,
 * then per cycle S members drawn with replacement, the best of them (first on ties) is mutated by
 * the space (NB201: epsinas' random node, random incoming edge, a different op), the child joins and
 * the oldest member leaves. The answer is the best architecture of the whole history. A mutation
 * that lands above the budget is redrawn among the parent's untried neighbours; when none fits, a
 * random feasible architecture is drawn instead. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "search/search_impl.h"

static int better(double a, double b)
{
    if (isnan(a)) return 0;
    if (isnan(b)) return 1;
    return a > b;
}

/* The child of `parent`: one mutation, redrawn while it is above the budget. */
static zc_status mutate_feasible(zci_search *s, const void *parent, void *child)
{
    const zc_space_ctx *sp = s->o->space;
    int neighbours = sp->space->neighbours ? sp->space->neighbours(sp, parent) : 0;
    int limit = neighbours > 0 ? neighbours : 1000;
    zci_strmap tried = {0};
    zc_status st = ZC_OK;
    while ((int)tried.n < limit) {
        if ((st = zc_space_mutate(sp, parent, 1, &s->rng, child)) != ZC_OK) break;
        int f = zci_search_feasible(s, child);
        if (f < 0) { st = ZC_EINVAL; break; }
        if (f) break;
        if (zc_space_format(sp, child, s->key, s->str_max) != ZC_OK ||
            zci_strmap_put(&tried, s->key, 0.0) < 0) {
            st = zc_fail(ZC_ENOMEM, "search: out of memory");
            break;
        }
    }
    int exhausted = st == ZC_OK && (int)tried.n >= limit;
    zci_strmap_free(&tried);
    if (exhausted) return zci_search_draw(s, child);   /* every neighbour is above the budget */
    return st;
}

zc_status zci_search_rea(zci_search *s)
{
    const zc_search_opts *o = s->o;
    int P = o->population < o->evals ? o->population : o->evals;
    int G = o->generation > 0 ? o->generation : 1;
    int K = P > G ? P : G;
    /* The population as a ring buffer (oldest at head). */
    unsigned char *pop = calloc((size_t)P, s->asz), *kids = calloc((size_t)K, s->asz);
    double *psc = calloc((size_t)P, sizeof *psc), *ksc = calloc((size_t)K, sizeof *ksc);
    zc_status st = pop && kids && psc && ksc ? ZC_OK : zc_fail(ZC_ENOMEM, "search: out of memory");
    for (int i = 0; i < P && st == ZC_OK; i++) st = zci_search_draw(s, pop + (size_t)i * s->asz);
    if (st == ZC_OK) st = zci_search_score(s, pop, P, psc);
    for (int i = 0; i < P && st == ZC_OK; i++) zci_search_record(s, pop + (size_t)i * s->asz, psc[i]);
    int head = 0;
    while (st == ZC_OK && s->evals < o->evals && !zci_search_stopped(s)) {
        int g = o->evals - s->evals < G ? o->evals - s->evals : G;
        /* a score ranked over the population changes as the search goes: the members' current values */
        for (int m = 0; o->aggregate && m < P; m++) psc[m] = zci_search_value(s, pop + (size_t)m * s->asz);
        for (int j = 0; j < g && st == ZC_OK; j++) {
            int best = -1;
            for (int t = 0; t < o->sample_size; t++) {
                int m = (int)zc_rng_below(&s->rng, (uint64_t)P);
                if (best < 0 || better(psc[m], psc[best])) best = m;
            }
            st = mutate_feasible(s, pop + (size_t)best * s->asz, kids + (size_t)j * s->asz);
        }
        if (st == ZC_OK) st = zci_search_score(s, kids, g, ksc);
        for (int j = 0; j < g && st == ZC_OK; j++) {
            zci_search_record(s, kids + (size_t)j * s->asz, ksc[j]);
            memcpy(pop + (size_t)head * s->asz, kids + (size_t)j * s->asz, s->asz);   /* the oldest leaves */
            psc[head] = ksc[j];
            head = (head + 1) % P;
        }
    }
    free(pop);
    free(kids);
    free(psc);
    free(ksc);
    return st;
}
