/* NAS-Bench-201 search with a proxy as the fitness: random search and regularised ageing evolution.
 *
 * Random search (epsinas "Search", ZiCo Table 4 by traversal of a sample): N architectures drawn
 * uniformly WITH replacement (epsinas: np.random.choice over the space; here our own seeded stream,
 * so the draws are not numpy's), the highest score wins. epsinas sets NaN scores to 0 before the
 * argmax (its scores are positive, so NaN loses); here NaN simply ranks below every number.
 *
 * Regularised evolution (Real et al. 2019; the NB201/NATS "R-EA" baseline): P random architectures,
 * then per cycle S members drawn with replacement, the best of them (first on ties) is mutated
 * (epsinas: random node, random incoming edge, a different op), the child joins, the oldest
 * member leaves. The answer is the best architecture of the whole history.
 *
 * Budgets: architectures above --max-flops / --max-params are never drawn (rejection sampling over
 * the space, so the draw stays uniform over the feasible set; a mutation that lands above the
 * budget is redrawn among the parent's untried neighbours, and when none fits a random feasible
 * architecture is drawn instead). Costs come from a memoised shapes-only build. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zcnas/cost.h"
#include "zcnas/scorer.h"
#include "zcnas/search.h"

void zc_nb201_search_opts_default(zc_nb201_search_opts *o)
{
    memset(o, 0, sizeof *o);
    o->algo = ZC_SEARCH_RANDOM;
    o->evals = 1000;
    o->population = 64;
    o->sample_size = 10;
    o->generation = 1;
}

/* ------------------------------------------------------------------ mutation */

void zc_nb201_mutate(const zc_nb201_arch *a, zc_rng *rng, zc_nb201_arch *out)
{
    /* Node k (1..3) has k incoming edges; in string order they start at edge k(k-1)/2. */
    int node = 1 + (int)zc_rng_below(rng, 3);
    int edge = node * (node - 1) / 2 + (int)zc_rng_below(rng, (uint64_t)node);
    int op = (int)zc_rng_below(rng, ZC_NB201_OPS - 1);
    *out = *a;
    if (op >= a->ops[edge]) op++;
    out->ops[edge] = (uint8_t)op;
}

/* ------------------------------------------------------------------ costs */

zc_status zc_nb201_cost_cache_init(zc_nb201_cost_cache *c, const zc_nb201_index_map *map, int num_classes,
                                   int resolution)
{
    memset(c, 0, sizeof *c);
    c->map = map;
    c->num_classes = num_classes;
    c->resolution = resolution;
    c->flops = malloc(ZC_NB201_SIZE * sizeof *c->flops);
    c->params = malloc(ZC_NB201_SIZE * sizeof *c->params);
    if (!c->flops || !c->params) {
        zc_nb201_cost_cache_free(c);
        return zc_fail(ZC_ENOMEM, "out of memory for the NB201 cost table");
    }
    for (int i = 0; i < ZC_NB201_SIZE; i++) c->flops[i] = c->params[i] = NAN;
    return ZC_OK;
}

void zc_nb201_cost_cache_free(zc_nb201_cost_cache *c)
{
    free(c->flops);
    free(c->params);
    c->flops = c->params = NULL;
}

zc_status zc_nb201_cached_cost(void *ctx, int index, double *flops, double *params)
{
    zc_nb201_cost_cache *c = ctx;
    if (index < 0 || index >= ZC_NB201_SIZE) return zc_fail(ZC_EINVAL, "NB201 index %d out of range", index);
    if (isnan(c->flops[index])) {
        zc_nb201_arch a;
        zc_status st = zc_nb201_from_index(c->map, index, &a);
        if (st != ZC_OK) return st;
        zc_nb201_config cfg = zc_nb201_default_config(c->num_classes, c->resolution);
        cfg.shapes_only = 1;
        zc_net *net = zc_nb201_build(&a, &cfg);
        if (!net) return ZC_EINVAL;
        c->flops[index] = (double)zc_net_flops(net);
        c->params[index] = (double)zc_net_param_count(net);
        zc_net_free(net);
    }
    *flops = c->flops[index];
    *params = c->params[index];
    return ZC_OK;
}

/* ------------------------------------------------------------------ proxy scoring */

/* The scorer hands `arch` to the builder and to the proxy: this wrapper carries what both need, with
 * the NB201 arch first so that the builder sees a plain zc_nb201_arch. */
typedef struct wrapped_arch {
    zc_nb201_arch arch;
    int resolution;
    const zc_proxy *proxy;
} wrapped_arch;

static zc_net *wrapped_build(const void *arch, int num_classes, int track_running_stats, int shapes_only)
{
    const wrapped_arch *w = arch;
    zc_nb201_config cfg = zc_nb201_default_config(num_classes, w->resolution);
    cfg.track_running_stats = track_running_stats;
    cfg.shapes_only = shapes_only;
    return zc_nb201_build(&w->arch, &cfg);
}

/* A numeric failure of one architecture's score is that architecture's NaN, not the search's end. */
static zc_status wrapped_score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    const wrapped_arch *w = in->arch;
    zc_status st = w->proxy->score(in, opts, out);
    if (st == ZC_ENUM) {
        *out = NAN;
        zc_clear_error();
        st = ZC_OK;
    }
    return st;
}

static const zc_proxy wrapper_proxy = {"search", "proxy wrapper of the NB201 search", ZC_DATA_NONE, wrapped_score, 0};

typedef struct collect_ctx {
    double *scores;
    const zc_nb201_proxy_scorer *s;
    int n;
} collect_ctx;

static int collect(void *ctx, int i, const double *scores, const double *seconds)
{
    (void)seconds;
    collect_ctx *c = ctx;
    c->scores[i] = scores[0];
    if (c->s->on_progress) c->s->on_progress(c->s->progress_ctx, i + 1, c->n);
    return 0;
}

zc_status zc_nb201_proxy_score(void *ctx, const int *indices, int n, double *scores)
{
    const zc_nb201_proxy_scorer *s = ctx;
    if (n <= 0) return ZC_OK;
    if (!s->proxy) return zc_fail(ZC_EINVAL, "search: no proxy");
    wrapped_arch *archs = calloc((size_t)n, sizeof *archs);
    uint64_t *streams = calloc((size_t)n, sizeof *streams);
    if (!archs || !streams) {
        free(archs);
        free(streams);
        return zc_fail(ZC_ENOMEM, "out of memory for %d architectures", n);
    }
    zc_status st = ZC_OK;
    for (int i = 0; i < n && st == ZC_OK; i++) {
        st = zc_nb201_from_index(s->map, indices[i], &archs[i].arch);
        archs[i].resolution = s->resolution;
        archs[i].proxy = s->proxy;
        streams[i] = (uint64_t)indices[i];
    }
    const zc_proxy *proxies[1] = {&wrapper_proxy};
    collect_ctx cc = {scores, s, n};
    zc_score_job job = {
        .build = wrapped_build,
        .archs = archs,
        .arch_size = sizeof *archs,
        .streams = streams,
        .n_archs = n,
        .proxies = proxies,
        .n_proxies = 1,
        .opts = s->opts,
        .batches = s->batches,
        .n_batches = s->n_batches,
        .eps_batch = s->eps_batch,
        .base_batch = s->base_batch,
        .nwot_batch = s->nwot_batch,
        .num_classes = s->num_classes,
        .seed = s->seed,
        .threads = s->threads,
        .on_result = collect,
        .ctx = &cc,
    };
    if (st == ZC_OK) st = zc_score_run(&job);
    free(archs);
    free(streams);
    return st;
}

/* ------------------------------------------------------------------ the searches */

typedef struct search {
    const zc_nb201_search_opts *o;
    zc_rng rng;
    double *cache;
    unsigned char *cached;
    unsigned char *seen;     /* distinct architectures evaluated by this search */
    unsigned char *costed;   /* feasibility known: 1 feasible, 2 infeasible */
    int n_costed, n_feasible;
    zc_nb201_search_result *res;
    int best_index;
    double best_score;
    int evals;
} search;

static int better(double a, double b)   /* a ranks strictly above b (NaN below everything) */
{
    if (isnan(a)) return 0;
    if (isnan(b)) return 1;
    return a > b;
}

static int has_budget(const zc_nb201_search_opts *o) { return o->max_flops > 0 || o->max_params > 0; }

/* 1 feasible, 0 not, -1 error. */
static int feasible(search *s, int index)
{
    if (!has_budget(s->o)) return 1;
    if (!s->costed[index]) {
        double f, p;
        if (s->o->cost(s->o->cost_ctx, index, &f, &p) != ZC_OK) return -1;
        int ok = !(s->o->max_flops > 0 && !(f <= s->o->max_flops)) &&
                 !(s->o->max_params > 0 && !(p <= s->o->max_params));
        s->costed[index] = ok ? 1 : 2;
        s->n_costed++;
        s->n_feasible += ok;
    }
    return s->costed[index] == 1;
}

/* A uniform draw from the feasible architectures (rejection sampling). */
static zc_status draw(search *s, int *index)
{
    for (;;) {
        if (s->n_costed == ZC_NB201_SIZE && s->n_feasible == 0) {
            char f[64] = "", p[64] = "";
            if (s->o->max_flops > 0) snprintf(f, sizeof f, " max flops %.0f", s->o->max_flops);
            if (s->o->max_params > 0) snprintf(p, sizeof p, " max params %.0f", s->o->max_params);
            return zc_fail(ZC_EINVAL, "search: no NB201 architecture fits the budget:%s%s", f, p);
        }
        int i = (int)zc_rng_below(&s->rng, ZC_NB201_SIZE);
        int f = feasible(s, i);
        if (f < 0) return ZC_EINVAL;
        if (f) { *index = i; return ZC_OK; }
    }
}

/* Scores the architectures of idx[0..n) that are not cached yet (in order of first appearance,
 * all at once, so that the scorer's threads share the work), then fills sc[]. */
static zc_status score_all(search *s, const int *idx, int n, double *sc)
{
    int *todo = malloc((size_t)(n ? n : 1) * sizeof *todo);
    double *got = malloc((size_t)(n ? n : 1) * sizeof *got);
    if (!todo || !got) {
        free(todo);
        free(got);
        return zc_fail(ZC_ENOMEM, "search: out of memory");
    }
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (s->cached[idx[i]]) continue;   /* scored, or queued in this call */
        s->cached[idx[i]] = 2;
        todo[m++] = idx[i];
    }
    zc_status st = ZC_OK;
    if (m) {
        st = s->o->score(s->o->score_ctx, todo, m, got);
        for (int i = 0; i < m; i++) {
            s->cached[todo[i]] = st == ZC_OK;
            if (st == ZC_OK) s->cache[todo[i]] = got[i];
        }
        s->res->scored += st == ZC_OK ? m : 0;
    }
    for (int i = 0; i < n && st == ZC_OK; i++) sc[i] = s->cache[idx[i]];
    free(todo);
    free(got);
    return st;
}

static void record(search *s, int index, double score)
{
    if (!s->seen[index]) {
        s->seen[index] = 1;
        s->res->distinct++;
    }
    if (better(score, s->best_score)) {
        s->best_score = score;
        s->best_index = index;
    }
    if (s->o->on_eval) s->o->on_eval(s->o->eval_ctx, s->evals, index, score);
    s->evals++;
}

static zc_status random_search(search *s)
{
    int n = s->o->evals;
    int *idx = calloc((size_t)n, sizeof *idx);
    double *sc = calloc((size_t)n, sizeof *sc);
    zc_status st = idx && sc ? ZC_OK : zc_fail(ZC_ENOMEM, "search: out of memory");
    for (int i = 0; i < n && st == ZC_OK; i++) st = draw(s, &idx[i]);
    if (st == ZC_OK) st = score_all(s, idx, n, sc);
    for (int i = 0; i < n && st == ZC_OK; i++) record(s, idx[i], sc[i]);
    free(idx);
    free(sc);
    return st;
}

/* The child of `parent`: epsinas' mutation, redrawn while it is above the budget. */
static zc_status mutate_feasible(search *s, int parent, int *child)
{
    zc_nb201_arch a, c;
    zc_status st = zc_nb201_from_index(s->o->map, parent, &a);
    if (st != ZC_OK) return st;
    int tried[ZC_NB201_EDGES * ZC_NB201_OPS] = {0}, n_tried = 0;
    while (n_tried < ZC_NB201_EDGES * (ZC_NB201_OPS - 1)) {
        zc_nb201_mutate(&a, &s->rng, &c);
        int k = zc_nb201_index(s->o->map, &c);
        if (k < 0) return zc_fail(ZC_EINVAL, "search: mutation left the NB201 space");
        int f = feasible(s, k);
        if (f < 0) return ZC_EINVAL;
        if (f) { *child = k; return ZC_OK; }
        int slot = 0;
        for (int e = 0; e < ZC_NB201_EDGES; e++)
            if (c.ops[e] != a.ops[e]) slot = e * ZC_NB201_OPS + c.ops[e];
        if (!tried[slot]) { tried[slot] = 1; n_tried++; }
    }
    return draw(s, child);   /* every neighbour is above the budget */
}

static zc_status rea(search *s)
{
    const zc_nb201_search_opts *o = s->o;
    int P = o->population < o->evals ? o->population : o->evals;
    int G = o->generation > 0 ? o->generation : 1;
    /* The population as a ring buffer (oldest at head). */
    int *pop = calloc((size_t)P, sizeof *pop);
    double *psc = calloc((size_t)P, sizeof *psc);
    int *kids = malloc((size_t)(P > G ? P : G) * sizeof *kids);
    double *ksc = malloc((size_t)(P > G ? P : G) * sizeof *ksc);
    zc_status st = pop && psc && kids && ksc ? ZC_OK : zc_fail(ZC_ENOMEM, "search: out of memory");
    for (int i = 0; i < P && st == ZC_OK; i++) st = draw(s, &pop[i]);
    if (st == ZC_OK) st = score_all(s, pop, P, psc);
    for (int i = 0; i < P && st == ZC_OK; i++) record(s, pop[i], psc[i]);
    int head = 0;
    while (st == ZC_OK && s->evals < o->evals) {
        int g = o->evals - s->evals < G ? o->evals - s->evals : G;
        for (int j = 0; j < g && st == ZC_OK; j++) {
            int best = -1;
            for (int t = 0; t < o->sample_size; t++) {
                int m = (int)zc_rng_below(&s->rng, (uint64_t)P);
                if (best < 0 || better(psc[m], psc[best])) best = m;
            }
            st = mutate_feasible(s, pop[best], &kids[j]);
        }
        if (st == ZC_OK) st = score_all(s, kids, g, ksc);
        for (int j = 0; j < g && st == ZC_OK; j++) {
            record(s, kids[j], ksc[j]);
            pop[head] = kids[j];     /* the oldest leaves, the child is the youngest */
            psc[head] = ksc[j];
            head = (head + 1) % P;
        }
    }
    free(pop);
    free(psc);
    free(kids);
    free(ksc);
    return st;
}

zc_status zc_nb201_search(const zc_nb201_search_opts *o, zc_nb201_search_result *res)
{
    memset(res, 0, sizeof *res);
    res->index = -1;
    res->score = NAN;
    if (o->evals < 1) return zc_fail(ZC_EINVAL, "search: --evals must be at least 1");
    if (o->algo != ZC_SEARCH_RANDOM && o->algo != ZC_SEARCH_REA) return zc_fail(ZC_EINVAL, "search: unknown algorithm");
    if (o->algo == ZC_SEARCH_REA && (o->population < 1 || o->sample_size < 1))
        return zc_fail(ZC_EINVAL, "search: REA needs a population and a sample size of at least 1");
    if (!o->score) return zc_fail(ZC_EINVAL, "search: no score function");
    if (!o->map) return zc_fail(ZC_EINVAL, "search: NAS-Bench-201 search needs the benchmark's index table");
    if (has_budget(o) && !o->cost) return zc_fail(ZC_EINVAL, "search: a budget needs a cost function");
    search s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.res = res;
    s.best_index = -1;
    s.best_score = NAN;
    zc_rng_seed(&s.rng, o->seed, ZC_SEARCH_STREAM);
    s.cache = o->cache;
    s.cached = o->cached;
    double *own_cache = NULL;
    unsigned char *own_cached = NULL;
    if (!s.cache || !s.cached) {
        s.cache = own_cache = calloc(ZC_NB201_SIZE, sizeof *own_cache);
        s.cached = own_cached = calloc(ZC_NB201_SIZE, 1);
    }
    s.seen = calloc(ZC_NB201_SIZE, 1);
    s.costed = calloc(ZC_NB201_SIZE, 1);
    zc_status st = s.cache && s.cached && s.seen && s.costed ? ZC_OK : zc_fail(ZC_ENOMEM, "search: out of memory");
    if (st == ZC_OK) st = o->algo == ZC_SEARCH_RANDOM ? random_search(&s) : rea(&s);
    if (st == ZC_OK) {
        res->index = s.best_index;
        res->score = s.best_score;
        res->evals = s.evals;
    }
    free(own_cache);
    free(own_cached);
    free(s.seen);
    free(s.costed);
    return st;
}
