/* Random search and ageing evolution over any space (zcnas/search.h): the driver, the score cache,
 * budgets by rejection sampling, and the best-so-far bookkeeping shared by both algorithms. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "search/search_impl.h"
#include "zcnas/proxy.h"

#define MAX_REJECTIONS 1000000   /* in a row, in a space too large to know that nothing fits */

zc_search_cache *zc_search_cache_new(void) { return calloc(1, sizeof(zc_search_cache)); }

void zc_search_cache_free(zc_search_cache *c)
{
    if (!c) return;
    zci_strmap_free(&c->scores);
    free(c->raw);
    free(c->archs);
    free(c);
}

void zc_search_opts_default(zc_search_opts *o)
{
    memset(o, 0, sizeof *o);
    o->algo = ZC_SEARCH_RANDOM;
    o->evals = 1000;
    o->population = 64;
    o->sample_size = 10;
    o->generation = 1;
}

static int better(double a, double b)   /* a ranks strictly above b (NaN below everything) */
{
    if (isnan(a)) return 0;
    if (isnan(b)) return 1;
    return a > b;
}

static int has_budget(const zc_search_opts *o) { return o->max_flops > 0 || o->max_params > 0; }

static zc_status key_of(zci_search *s, const void *arch)
{
    return zc_space_format(s->o->space, arch, s->key, s->str_max);
}

int zci_search_feasible(zci_search *s, const void *arch)
{
    const zc_search_opts *o = s->o;
    if (!has_budget(o)) return 1;
    if (key_of(s, arch) != ZC_OK) return -1;
    double known;
    if (zci_strmap_get(&s->feasible, s->key, &known)) return known != 0.0;
    zc_cost c;
    if (zc_space_cost(o->space, arch, &c) != ZC_OK) return -1;
    int ok = !(o->max_flops > 0 && !(c.flops <= o->max_flops)) && !(o->max_params > 0 && !(c.params <= o->max_params));
    if (zci_strmap_put(&s->feasible, s->key, ok) < 0) return zc_fail(ZC_ENOMEM, "search: out of memory"), -1;
    s->n_checked++;
    s->n_feasible += ok;
    return ok;
}

zc_status zci_search_draw(zci_search *s, void *arch)
{
    const zc_search_opts *o = s->o;
    for (long rejected = 0;; rejected++) {
        if ((s->size > 0 && s->n_checked == s->size && s->n_feasible == 0) || rejected >= MAX_REJECTIONS) {
            char f[64] = "", p[64] = "";
            if (o->max_flops > 0) snprintf(f, sizeof f, " max flops %.0f", o->max_flops);
            if (o->max_params > 0) snprintf(p, sizeof p, " max params %.0f", o->max_params);
            return zc_fail(ZC_EINVAL, "search: no %s architecture fits the budget:%s%s", o->space->space->name, f, p);
        }
        o->space->space->sample(o->space, &s->rng, arch);
        int f = zci_search_feasible(s, arch);
        if (f < 0) return ZC_EINVAL;
        if (f) return ZC_OK;
    }
}

/* ---- aggregate mode: raw sub-scores in the cache, the score ranked over this search's history ---- */

static zc_status cache_add_row(zci_search *s, const void *arch, const double *v, int *row)
{
    zc_search_cache *c = s->cache;
    if (c->n_raw == c->cap_raw) {
        int cap = c->cap_raw ? 2 * c->cap_raw : 256;
        double *r = realloc(c->raw, (size_t)cap * c->k * sizeof *r);
        if (r) c->raw = r;
        unsigned char *a = realloc(c->archs, (size_t)cap * s->asz);
        if (a) c->archs = a;
        if (!r || !a) return zc_fail(ZC_ENOMEM, "search: out of memory");
        c->cap_raw = cap;
    }
    memcpy(c->raw + (size_t)c->n_raw * c->k, v, (size_t)c->k * sizeof *v);
    memcpy(c->archs + (size_t)c->n_raw * s->asz, arch, s->asz);
    *row = c->n_raw++;
    return ZC_OK;
}

/* Makes cache row `row` (of the architecture in s->key) part of this search's population. */
static zc_status join_population(zci_search *s, int row)
{
    int fresh = zci_strmap_put(&s->pos, s->key, (double)s->n_rows);
    if (fresh < 0) return zc_fail(ZC_ENOMEM, "search: out of memory");
    if (!fresh) return ZC_OK;
    if (s->n_rows == s->cap_rows) {
        int cap = s->cap_rows ? 2 * s->cap_rows : 256;
        int *r = realloc(s->rows, (size_t)cap * sizeof *r);
        double *g = realloc(s->agg, (size_t)cap * sizeof *g);
        if (r) s->rows = r;
        if (g) s->agg = g;
        if (!r || !g) return zc_fail(ZC_ENOMEM, "search: out of memory");
        s->cap_rows = cap;
    }
    s->rows[s->n_rows++] = row;
    s->stale = 1;
    return ZC_OK;
}

static zc_status refresh(zci_search *s)
{
    if (!s->stale) return ZC_OK;
    zc_status st = zc_aggregate_compute_rows(s->o->aggregate, s->cache->raw, s->rows, (size_t)s->n_rows, s->agg);
    s->stale = st != ZC_OK;
    return st;
}

double zci_search_value(zci_search *s, const void *arch)
{
    double p;
    if (key_of(s, arch) != ZC_OK || !zci_strmap_get(&s->pos, s->key, &p) || refresh(s) != ZC_OK) return NAN;
    return s->agg[(int)p];
}

zc_status zci_search_score(zci_search *s, const unsigned char *archs, int n, double *sc)
{
    const zc_search_opts *o = s->o;
    int k = o->aggregate ? s->cache->k : 1;   /* sub-scores per architecture */
    unsigned char *todo = malloc((size_t)(n ? n : 1) * s->asz);
    uint64_t *streams = malloc((size_t)(n ? n : 1) * sizeof *streams);
    double *got = malloc((size_t)(n ? n : 1) * k * sizeof *got);
    zc_status st = todo && streams && got ? ZC_OK : zc_fail(ZC_ENOMEM, "search: out of memory");
    int m = 0;
    zci_strmap queued = {0};
    for (int i = 0; st == ZC_OK && i < n; i++) {
        const void *a = archs + (size_t)i * s->asz;
        if ((st = key_of(s, a)) != ZC_OK) break;
        if (zci_strmap_get(&s->cache->scores, s->key, NULL)) continue;
        int fresh = zci_strmap_put(&queued, s->key, 0.0);
        if (fresh < 0) st = zc_fail(ZC_ENOMEM, "search: out of memory");
        if (fresh <= 0) continue;
        memcpy(todo + (size_t)m * s->asz, a, s->asz);
        streams[m++] = zc_space_stream(o->space, a);
    }
    if (st == ZC_OK && m) {
        st = o->fitness(o->fitness_ctx, todo, m, streams, got);
        for (int i = 0; st == ZC_OK && i < m; i++) {
            /* the cache holds the score, or (aggregate) the row of the sub-scores */
            int row = -1;
            if ((st = key_of(s, todo + (size_t)i * s->asz)) != ZC_OK ||
                (o->aggregate && (st = cache_add_row(s, todo + (size_t)i * s->asz, got + (size_t)i * k, &row)) != ZC_OK))
                break;
            if (zci_strmap_put(&s->cache->scores, s->key, o->aggregate ? (double)row : got[i]) < 0)
                st = zc_fail(ZC_ENOMEM, "search: out of memory");
        }
        if (st == ZC_OK) s->res->scored += m;
    }
    for (int i = 0; st == ZC_OK && i < n; i++) {
        double v = 0.0;
        if ((st = key_of(s, archs + (size_t)i * s->asz)) != ZC_OK) break;
        zci_strmap_get(&s->cache->scores, s->key, &v);
        /* aggregate: every architecture of this call joins the population the ranks are taken over */
        if (o->aggregate) st = join_population(s, (int)v);
        else sc[i] = v;
    }
    for (int i = 0; st == ZC_OK && o->aggregate && i < n; i++) sc[i] = zci_search_value(s, archs + (size_t)i * s->asz);
    zci_strmap_free(&queued);
    free(todo);
    free(streams);
    free(got);
    return st;
}

int zci_search_stopped(zci_search *s)
{
    if (s->o->stop && *s->o->stop) s->res->stopped = 1;
    return s->res->stopped;
}

void zci_search_record(zci_search *s, const void *arch, double score)
{
    if (key_of(s, arch) == ZC_OK && zci_strmap_put(&s->seen, s->key, 0.0) > 0) s->res->distinct++;
    if (better(score, s->best_score)) {
        s->best_score = score;
        memcpy(s->res->best, arch, s->asz);
        s->res->found = 1;
    }
    if (s->o->on_eval) s->o->on_eval(s->o->eval_ctx, s->evals, arch, score);
    s->evals++;
}

zc_status zc_search(const zc_search_opts *o, zc_search_result *res)
{
    void *best = res->best;
    memset(res, 0, sizeof *res);
    res->best = best;
    res->score = NAN;
    if (!o->space || !best) return zc_fail(ZC_EINVAL, "search: no space or result buffer");
    if (o->evals < 1) return zc_fail(ZC_EINVAL, "search: --evals must be at least 1");
    if (o->algo != ZC_SEARCH_RANDOM && o->algo != ZC_SEARCH_REA) return zc_fail(ZC_EINVAL, "search: unknown algorithm");
    if (o->algo == ZC_SEARCH_REA && (o->population < 1 || o->sample_size < 1))
        return zc_fail(ZC_EINVAL, "search: REA needs a population and a sample size of at least 1");
    if (!o->fitness) return zc_fail(ZC_EINVAL, "search: no fitness");
    if (!o->space->space->sample) return zc_fail(ZC_EUNSUPPORTED, "search: %s cannot be sampled", o->space->space->name);
    if (o->algo == ZC_SEARCH_REA && !o->space->space->mutate)
        return zc_fail(ZC_EUNSUPPORTED, "search: %s has no mutation", o->space->space->name);
    zci_search s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.res = res;
    s.asz = o->space->space->arch_size;
    s.str_max = o->space->space->str_max;
    s.size = zc_space_size(o->space);
    s.best_score = NAN;
    zc_rng_seed(&s.rng, o->seed, ZC_SEARCH_STREAM);
    zc_search_cache *own = NULL;
    s.cache = o->cache ? o->cache : (own = zc_search_cache_new());
    s.key = malloc(s.str_max);
    zc_status st = s.cache && s.key ? ZC_OK : zc_fail(ZC_ENOMEM, "search: out of memory");
    if (st == ZC_OK && o->aggregate) {
        int k = zc_aggregate_n_columns(o->aggregate);
        if (k > 16) st = zc_fail(ZC_EINVAL, "search: aggregate %s has more than 16 columns", o->aggregate->name);
        else if (s.cache->k && s.cache->k != k) st = zc_fail(ZC_EINVAL, "search: the cache holds other sub-scores");
        else s.cache->k = k;
    }
    if (st == ZC_OK) st = o->algo == ZC_SEARCH_RANDOM ? zci_search_random(&s) : zci_search_rea(&s);
    if (st == ZC_OK && o->aggregate && (st = refresh(&s)) == ZC_OK) {
        /* the best by the aggregate over the whole history (the first on ties) */
        int best = -1;
        for (int i = 0; i < s.n_rows; i++)
            if (best < 0 ? !isnan(s.agg[i]) : better(s.agg[i], s.agg[best])) best = i;
        res->found = best >= 0;
        s.best_score = best >= 0 ? s.agg[best] : NAN;
        if (best >= 0) memcpy(res->best, s.cache->archs + (size_t)s.rows[best] * s.asz, s.asz);
    }
    if (st == ZC_OK) {
        res->score = s.best_score;
        res->evals = s.evals;
    }
    zci_strmap_free(&s.pos);
    free(s.rows);
    free(s.agg);
    zc_search_cache_free(own);
    zci_strmap_free(&s.seen);
    zci_strmap_free(&s.feasible);
    free(s.key);
    return st;
}

/* The first (only) proxy's score of each architecture. */
static int collect_first(void *ctx, int i, const double *scores, const double *seconds)
{
    (void)seconds;
    ((double *)ctx)[i] = scores[0];
    return 0;
}

zc_status zc_run_fitness(void *run, const void *archs, int n, const uint64_t *streams, double *scores)
{
    return zc_run_score(run, archs, n, streams, collect_first, scores);
}

zc_status zc_run_columns_for(zc_run_columns *c, void *run, const zc_aggregate *a)
{
    const zc_run_opts *o = zc_run_options(run);
    c->run = run;
    c->n = zc_aggregate_n_columns(a);
    if (c->n > 16) return zc_fail(ZC_EINVAL, "aggregate %s has more than 16 columns", a->name);
    for (int k = 0; k < c->n; k++) {
        c->slot[k] = -1;
        for (int p = 0, slot = 0; p < o->n_proxies && c->slot[k] < 0; p++)
            for (int q = 0; q < zc_proxy_n_outputs(o->proxies[p]); q++, slot++)
                if (!strcmp(zc_proxy_output(o->proxies[p], q), a->columns[k])) c->slot[k] = slot;
        if (c->slot[k] < 0) return zc_fail(ZC_EINVAL, "%s needs the score %s, which no proxy of the run writes", a->name, a->columns[k]);
    }
    return ZC_OK;
}

typedef struct columns_out { const zc_run_columns *c; double *out; int ns; } columns_out;

static int collect_columns(void *ctx, int i, const double *scores, const double *seconds)
{
    (void)seconds;
    columns_out *co = ctx;
    for (int k = 0; k < co->c->n; k++) co->out[(size_t)i * co->c->n + k] = scores[co->c->slot[k]];
    return 0;
}

zc_status zc_run_fitness_columns(void *ctx, const void *archs, int n, const uint64_t *streams, double *scores)
{
    const zc_run_columns *c = ctx;
    columns_out co = {c, scores, zc_run_n_scores(c->run)};
    return zc_run_score(c->run, archs, n, streams, collect_columns, &co);
}
