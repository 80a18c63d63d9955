/* Searches (include/zcnas/search.h) on the NB201 space: random search and regularised evolution on a
 * synthetic fitness (determinism, argmax over the evaluations, one score per architecture, ageing
 * population, budgets, NaN handling), the scoring context (thread-count independence, numeric
 * failures as NaN), and ZiCo's evolutionary search on a small PlainNet (determinism, budgets, the best
 * member, checkpoint/resume and a stop request equal to an uninterrupted run). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "spaces/nb201/nb201.h"
#include "spaces/plainnet/plainnet.h"
#include "zcnas/zcnas.h"

/* NB201 with its benchmark table ($ZCNAS_DATA/benchmarks/nb201_accuracy.csv): architectures are
 * reported by benchmark index. */
static zc_space_ctx *NB201;

static int index_of(const void *arch) { return (int)zc_space_index_of(NB201, arch); }

/* ------------------------------------------------------------------ synthetic fitness */

typedef struct fit {
    int calls[ZC_NB201_SIZE];
    int nan_every;     /* index % nan_every == 0 -> NaN (0: never) */
} fit;

static double fit_value(int index)
{
    uint64_t x = (uint64_t)index * 0x9E3779B97F4A7C15ull;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return (double)(x >> 11) / 9007199254740992.0;
}

static zc_status fit_score(void *ctx, const void *archs, int n, const uint64_t *streams, double *scores)
{
    fit *f = ctx;
    for (int i = 0; i < n; i++) {
        int idx = index_of((const zc_nb201_arch *)archs + i);
        CHECK(streams[i] == (uint64_t)idx);   /* the stream is the benchmark index */
        f->calls[idx]++;
        scores[i] = f->nan_every && idx % f->nan_every == 0 ? NAN : fit_value(idx);
    }
    return ZC_OK;
}

typedef struct trace {
    int n, cap;
    int *index;
    double *score;
} trace;

static void on_eval(void *ctx, int eval, const void *arch, double score)
{
    trace *t = ctx;
    CHECK(eval == t->n);
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 256;
        t->index = realloc(t->index, (size_t)t->cap * sizeof *t->index);
        t->score = realloc(t->score, (size_t)t->cap * sizeof *t->score);
    }
    t->index[t->n] = index_of(arch);
    t->score[t->n] = score;
    t->n++;
}

static void trace_free(trace *t)
{
    free(t->index);
    free(t->score);
    memset(t, 0, sizeof *t);
}

static int same_trace(const trace *a, const trace *b)
{
    if (a->n != b->n) return 0;
    for (int i = 0; i < a->n; i++)
        if (a->index[i] != b->index[i]) return 0;
    return 1;
}

typedef struct result {
    zc_search_result r;
    zc_nb201_arch best;
    int index;
} result;

static zc_status run_search(zc_search_opts *o, fit *f, trace *t, result *res)
{
    memset(f->calls, 0, sizeof f->calls);
    trace_free(t);
    o->space = NB201;
    o->fitness = fit_score;
    o->fitness_ctx = f;
    o->on_eval = on_eval;
    o->eval_ctx = t;
    res->r.best = &res->best;
    zc_status st = zc_search(o, &res->r);
    res->index = res->r.found ? index_of(&res->best) : -1;
    return st;
}

static int differ_edges(int a, int b)
{
    zc_nb201_arch x, y;
    zc_space_from_index(NB201, a, &x);
    zc_space_from_index(NB201, b, &y);
    int d = 0;
    for (int e = 0; e < ZC_NB201_EDGES; e++) d += x.ops[e] != y.ops[e];
    return d;
}

/* The chosen architecture is the first evaluation with the highest (non-NaN) score. */
static void check_argmax(const trace *t, const result *r)
{
    int best = -1;
    for (int i = 0; i < t->n; i++)
        if (!isnan(t->score[i]) && (best < 0 || t->score[i] > t->score[best])) best = i;
    CHECK(best >= 0 && r->index == t->index[best] && r->r.score == t->score[best]);
}

static void test_mutation(void)
{
    zc_rng rng;
    zc_rng_seed(&rng, 1, 2);
    int per_edge[ZC_NB201_EDGES] = {0};
    const int n = 9000;
    for (int i = 0; i < n; i++) {
        zc_nb201_arch a, c;
        zc_space_from_index(NB201, (int)zc_rng_below(&rng, ZC_NB201_SIZE), &a);
        CHECK(zc_space_mutate(NB201, &a, 1, &rng, &c) == ZC_OK);
        int changed = 0, edge = -1;
        for (int e = 0; e < ZC_NB201_EDGES; e++)
            if (a.ops[e] != c.ops[e]) { changed++; edge = e; }
        CHECK(changed == 1 && c.ops[edge] < ZC_NB201_OPS);
        if (changed == 1) per_edge[edge]++;
    }
    /* node 1 (edge 0): 1/3; node 2 (edges 1, 2): 1/6 each; node 3 (edges 3..5): 1/9 each */
    const double want[ZC_NB201_EDGES] = {1 / 3.0, 1 / 6.0, 1 / 6.0, 1 / 9.0, 1 / 9.0, 1 / 9.0};
    for (int e = 0; e < ZC_NB201_EDGES; e++)
        CHECK_MSG(fabs(per_edge[e] / (double)n - want[e]) < 0.02, "edge %d: %d of %d", e, per_edge[e], n);
}

static void test_random_search(void)
{
    fit *f = calloc(1, sizeof *f);
    trace t1 = {0}, t2 = {0};
    zc_search_opts o;
    zc_search_opts_default(&o);
    o.evals = 3000;
    o.seed = 11;
    f->nan_every = 3;
    result r1, r2;
    CHECK(run_search(&o, f, &t1, &r1) == ZC_OK);
    int max_calls = 0, distinct = 0;
    for (int i = 0; i < ZC_NB201_SIZE; i++) {
        if (f->calls[i] > max_calls) max_calls = f->calls[i];
        distinct += f->calls[i] > 0;
    }
    CHECK(t1.n == 3000 && r1.r.evals == 3000);
    CHECK_MSG(max_calls == 1, "an architecture was scored %d times", max_calls);
    CHECK(r1.r.scored == distinct && r1.r.distinct == distinct && distinct < 3000);   /* drawn with replacement */
    check_argmax(&t1, &r1);
    CHECK(!isnan(r1.r.score) && r1.index % 3 != 0);
    CHECK(run_search(&o, f, &t2, &r2) == ZC_OK);
    CHECK(same_trace(&t1, &t2) && r1.index == r2.index);
    o.seed = 12;
    CHECK(run_search(&o, f, &t2, &r2) == ZC_OK);
    CHECK(!same_trace(&t1, &t2));
    /* every score NaN: no answer, no error */
    f->nan_every = 1;
    o.evals = 20;
    CHECK(run_search(&o, f, &t2, &r2) == ZC_OK && r2.index == -1 && !r2.r.found && isnan(r2.r.score));
    /* a shared cache: a second search with the same draws scores nothing */
    f->nan_every = 0;
    o.cache = zc_search_cache_new();
    o.evals = 200;
    CHECK(run_search(&o, f, &t1, &r1) == ZC_OK && r1.r.scored == r1.r.distinct);
    CHECK(run_search(&o, f, &t2, &r2) == ZC_OK && r2.r.scored == 0 && r2.index == r1.index);
    zc_search_cache_free(o.cache);
    trace_free(&t1);
    trace_free(&t2);
    free(f);
}

/* A stop flag raised during the search: it ends early with a prefix of the uninterrupted search's
 * evaluations (random search at the end of its chunk of 64, REA at the end of the generation). */
typedef struct stopper { trace t; int at; volatile sig_atomic_t flag; } stopper;

static void on_eval_stop(void *ctx, int eval, const void *arch, double score)
{
    stopper *s = ctx;
    on_eval(&s->t, eval, arch, score);
    if (eval + 1 == s->at) s->flag = 1;
}

static void test_stop(void)
{
    fit *f = calloc(1, sizeof *f);
    for (int algo = ZC_SEARCH_RANDOM; algo <= ZC_SEARCH_REA; algo++) {
        trace full = {0};
        zc_search_opts o;
        zc_search_opts_default(&o);
        o.algo = algo;
        o.evals = 300;
        o.population = 20;
        o.sample_size = 5;
        o.generation = 4;
        o.seed = 5;
        result r;
        CHECK(run_search(&o, f, &full, &r) == ZC_OK && r.r.evals == 300 && !r.r.stopped);
        stopper st = {.at = 101};
        o.on_eval = on_eval_stop;
        o.eval_ctx = &st;
        o.stop = &st.flag;
        result r2 = {.r.best = &r2.best};
        CHECK(zc_search(&o, &r2.r) == ZC_OK && r2.r.stopped);
        int want = algo == ZC_SEARCH_RANDOM ? 128 : 104;   /* the chunk / generation that holds eval 100 */
        CHECK(r2.r.evals == want && st.t.n == want);
        int prefix = 1;
        for (int i = 0; i < st.t.n && i < full.n; i++) prefix &= st.t.index[i] == full.index[i];
        CHECK(prefix);
        check_argmax(&st.t, &(result){r2.r, r2.best, index_of(&r2.best)});
        trace_free(&full);
        trace_free(&st.t);
    }
    free(f);
}

static void test_rea(void)
{
    fit *f = calloc(1, sizeof *f);
    trace t1 = {0}, t2 = {0};
    zc_search_opts o;
    zc_search_opts_default(&o);
    o.algo = ZC_SEARCH_REA;
    o.evals = 400;
    o.population = 20;
    o.sample_size = 5;
    o.seed = 3;
    f->nan_every = 5;
    result r1, r2;
    CHECK(run_search(&o, f, &t1, &r1) == ZC_OK);
    CHECK(t1.n == 400 && r1.r.evals == 400);
    check_argmax(&t1, &r1);
    int max_calls = 0;
    for (int i = 0; i < ZC_NB201_SIZE; i++)
        if (f->calls[i] > max_calls) max_calls = f->calls[i];
    CHECK(max_calls == 1);
    /* ageing: the population at evaluation e is evaluations e-P .. e-1, and each child is one edge
     * away from one of them */
    int bad = 0;
    for (int e = o.population; e < t1.n; e++) {
        int ok = 0;
        for (int k = e - o.population; k < e && !ok; k++) ok = differ_edges(t1.index[k], t1.index[e]) == 1;
        bad += !ok;
    }
    CHECK_MSG(bad == 0, "%d children are not one mutation away from the population", bad);
    /* evolution beats its own random start */
    double init_best = -1;
    for (int e = 0; e < o.population; e++)
        if (!isnan(t1.score[e]) && t1.score[e] > init_best) init_best = t1.score[e];
    CHECK(r1.r.score > init_best);
    CHECK(run_search(&o, f, &t2, &r2) == ZC_OK && same_trace(&t1, &t2) && r1.index == r2.index);
    /* generations of 4 children: deterministic too, and still ageing */
    o.generation = 4;
    CHECK(run_search(&o, f, &t1, &r1) == ZC_OK && t1.n == 400);
    CHECK(run_search(&o, f, &t2, &r2) == ZC_OK && same_trace(&t1, &t2));
    /* fewer evaluations than the population: only the random start */
    o.generation = 1;
    o.evals = 7;
    CHECK(run_search(&o, f, &t1, &r1) == ZC_OK && t1.n == 7);
    trace_free(&t1);
    trace_free(&t2);
    free(f);
}

static void test_budgets(void)
{
    fit *f = calloc(1, sizeof *f);
    trace t = {0};
    zc_nb201_arch a0;
    zc_cost c;
    CHECK(zc_space_from_index(NB201, 0, &a0) == ZC_OK && zc_space_cost(NB201, &a0, &c) == ZC_OK);
    CHECK(c.flops == 15647370 && c.params == 129306);
    for (int algo = 0; algo < 2; algo++) {
        zc_search_opts o;
        zc_search_opts_default(&o);
        o.algo = algo;
        o.evals = 300;
        o.population = 16;
        o.sample_size = 4;
        o.max_params = 400000;
        o.max_flops = 55e6;
        result r;
        CHECK(run_search(&o, f, &t, &r) == ZC_OK && t.n == 300);
        int over = 0;
        for (int i = 0; i < t.n; i++) {
            zc_nb201_arch a;
            CHECK(zc_space_from_index(NB201, t.index[i], &a) == ZC_OK && zc_space_cost(NB201, &a, &c) == ZC_OK);
            over += c.flops > o.max_flops || c.params > o.max_params;
        }
        CHECK_MSG(over == 0, "algo %d: %d evaluations over the budget", algo, over);
        check_argmax(&t, &r);
        /* no architecture fits */
        o.max_params = 1000;
        CHECK(run_search(&o, f, &t, &r) == ZC_EINVAL && strstr(zc_last_error(), "budget"));
    }
    trace_free(&t);
    free(f);
}

/* ------------------------------------------------------------------ the scoring context */

static int fail_on_odd;
static zc_status flaky_score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    (void)opts;
    zc_cost c;
    zc_status st = zc_space_cost(in->space, in->arch, &c);
    *out = c.params;
    if (st == ZC_OK && fail_on_odd && in->stream % 2) return zc_fail(ZC_ENUM, "flaky: odd index");
    return st;
}
static const zc_proxy flaky = {
    .name = "flaky",
    .help = "params, ZC_ENUM on odd indices",
    .init = ZC_INIT_NONE,
    .score = flaky_score,
};

typedef struct collected { double v[8]; int n; } collected;
static int collect(void *ctx, int i, const double *scores, const double *seconds)
{
    (void)seconds;
    collected *c = ctx;
    CHECK(i == c->n);   /* in input order */
    c->v[c->n++] = scores[0];
    return 0;
}

static void test_run_context(void)
{
    zc_nb201_arch archs[6];
    const int idx[6] = {0, 1, 2, 1462, 7, 15624};
    for (int i = 0; i < 6; i++) zc_space_from_index(NB201, idx[i], &archs[i]);
    zc_run_opts o;
    zc_run_opts_default(&o);
    o.space = NB201;
    o.proxies[0] = &flaky;
    o.n_proxies = 1;
    o.threads = 1;
    zc_run *run;
    collected c1 = {{0}, 0}, c3 = {{0}, 0};
    fail_on_odd = 0;
    CHECK(zc_run_open(&o, &run) == ZC_OK && zc_run_score(run, archs, 6, NULL, collect, &c1) == ZC_OK);
    zc_run_close(run);
    CHECK(c1.n == 6 && c1.v[0] == 129306 && c1.v[3] == 1531546);
    /* numeric failures: an error by default, the architecture's NaN for searches */
    fail_on_odd = 1;
    o.threads = 3;
    CHECK(zc_run_open(&o, &run) == ZC_OK);
    CHECK(zc_run_score(run, archs, 6, NULL, collect, &c3) == ZC_ENUM && strstr(zc_last_error(), "architecture"));
    zc_run_close(run);
    o.nan_on_numeric_error = 1;
    c3.n = 0;
    CHECK(zc_run_open(&o, &run) == ZC_OK && zc_run_score(run, archs, 6, NULL, collect, &c3) == ZC_OK);
    zc_run_close(run);
    for (int i = 0; i < 6; i++) CHECK(idx[i] % 2 ? isnan(c3.v[i]) : c3.v[i] == c1.v[i]);
    fail_on_odd = 0;
    /* a real proxy on real data: ZiCo, 1 vs 2 threads, the same scores */
    zc_run_opts z;
    zc_run_opts_default(&z);
    z.space = NB201;
    z.proxies[0] = zc_proxy_find("zico");
    z.n_proxies = 1;
    z.lanes[0] = (zc_lane_size){"zico", 4, 2};
    z.n_lanes = 1;
    z.seed = 9;
    double s[2][3];
    for (int t = 0; t < 2; t++) {
        collected c = {{0}, 0};
        z.threads = t + 1;
        zc_status st = zc_run_open(&z, &run);
        CHECK_MSG(st == ZC_OK, "%s", zc_last_error());
        if (st != ZC_OK) return;
        int nb, bs;
        CHECK(zc_run_lane(run, "zico", &nb, &bs) && nb == 2 && bs == 4 && !zc_run_lane(run, "epsilon", NULL, NULL));
        zc_nb201_arch three[3] = {archs[3], archs[4], archs[1]};
        CHECK(zc_run_score(run, three, 3, NULL, collect, &c) == ZC_OK && c.n == 3);
        for (int i = 0; i < 3; i++) s[t][i] = c.v[i];
        zc_run_close(run);
    }
    for (int i = 0; i < 3; i++) CHECK(isfinite(s[0][i]) && s[0][i] == s[1][i]);
}

/* ------------------------------------------------------------------ ZiCo's evolution (PlainNet) */

#define SMALL_INITIAL \
    "SuperConvK3BNRELU(3,8,2,1)SuperResIDWE2K3(8,16,2,8,1)SuperResIDWE2K3(16,24,2,8,1)SuperConvK1BNRELU(24,32,1,1)"

typedef struct cand {
    long iteration;
    char arch[512];
    double flops, params, score;
    int layers, status;
} cand;

typedef struct cand_log {
    int n;
    cand c[64];
    volatile sig_atomic_t *stop;
    long stop_at;
} cand_log;

static void on_candidate(void *ctx, const zc_evo_candidate *c)
{
    cand_log *l = ctx;
    if (l->n < 64) {
        l->c[l->n].iteration = c->iteration;
        snprintf(l->c[l->n].arch, sizeof l->c[l->n].arch, "%s", c->arch);
        l->c[l->n].flops = c->flops;
        l->c[l->n].params = c->params;
        l->c[l->n].score = c->score;
        l->c[l->n].layers = c->layers;
        l->c[l->n].status = c->status;
        l->n++;
    }
    if (l->stop && c->iteration == l->stop_at) *l->stop = 1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) { free(s); s = NULL; }
    if (s) s[n] = 0;
    fclose(f);
    return s;
}

static int same_file(const char *a, const char *b)
{
    char *x = slurp(a), *y = slurp(b);
    int same = x && y && !strcmp(x, y);
    free(x);
    free(y);
    return same;
}

/* The fitness: ZiCo through its proxy on two synthetic 16x16 batches, the init seeded by the stream. */
typedef struct zico_fit {
    const zc_space_ctx *space;
    zc_batch *b;
} zico_fit;

static zc_status zico_fitness(void *ctx, const void *archs, int n, const uint64_t *streams, double *scores)
{
    zico_fit *z = ctx;
    zc_proxy_opts po;
    zc_proxy_opts_default(&po);
    po.backend = zc_backend_get("ref");
    for (int i = 0; i < n; i++) {
        zc_proxy_input in = {z->space, (const char *)archs + (size_t)i * z->space->space->arch_size, 4, streams[i], z->b, 2};
        zc_status st = zc_proxy_find("zico")->score(&in, &po, &scores[i]);
        if (st != ZC_OK) return st;
    }
    return ZC_OK;
}

static void evo_opts(zc_evo_opts *o, zico_fit *zf, double budget, cand_log *log)
{
    zc_evo_opts_default(o);
    o->space = zf->space;
    o->initial = SMALL_INITIAL;
    o->iterations = 30;
    o->population = 5;
    o->max_layers = 6;
    o->budget_flops = budget;
    o->seed = 4;
    o->fitness = zico_fitness;
    o->fitness_ctx = zf;
    o->fingerprint = "test";
    o->on_candidate = on_candidate;
    o->ctx = log;
    o->progress_seconds = 1e9;
}

static void test_evolution(void)
{
    zc_batch b[2] = {{0}};
    zc_rng rng;
    zc_rng_seed(&rng, 8, 0);
    for (int k = 0; k < 2; k++) {
        b[k].n = 4; b[k].c = 3; b[k].h = b[k].w = 16;
        b[k].x = malloc(4 * 3 * 16 * 16 * sizeof(float));
        b[k].y = malloc(4 * sizeof(int));
        for (int i = 0; i < 4 * 3 * 16 * 16; i++) b[k].x[i] = (float)zc_rng_normal(&rng);
        for (int i = 0; i < 4; i++) b[k].y[i] = (int)zc_rng_below(&rng, 10);
    }
    /* zennas scored at 16x16 with 10 classes; costs counted at 224x224 on the residual network */
    zc_space_config cfg = {.num_classes = 10, .resolution = 16, .cost_resolution = 224};
    zc_space_ctx *space;
    CHECK(zc_space_open(zc_space_find("plainnet"), &cfg, &space) == ZC_OK);
    zico_fit zf = {space, b};
    zc_plainnet init;
    CHECK(zc_plainnet_parse(SMALL_INITIAL, &init) == ZC_OK);
    zc_plainnet_config bc = zc_plainnet_default_config(10, 224);
    double init_flops;
    CHECK(zc_plainnet_cost(&init, &bc, &init_flops, NULL, NULL) == ZC_OK);
    double budget = 1.6 * init_flops;

    /* determinism, budgets, the best member */
    cand_log *l1 = calloc(1, sizeof *l1), *l2 = calloc(1, sizeof *l2);
    zc_evo_opts o;
    zc_evo_result r1, r2;
    evo_opts(&o, &zf, budget, l1);
    zc_status st = zc_evo_search(&o, &r1);
    CHECK_MSG(st == ZC_OK, "%s", zc_last_error());
    evo_opts(&o, &zf, budget, l2);
    CHECK(zc_evo_search(&o, &r2) == ZC_OK);
    CHECK(l1->n == 30 && l2->n == 30 && r1.iterations == 30);
    int same = 1, n_scored = 0, n_rej = 0;
    double max_score = -INFINITY;
    for (int i = 0; i < l1->n; i++) {
        const cand *c = &l1->c[i];
        same &= !strcmp(c->arch, l2->c[i].arch) && c->status == l2->c[i].status &&
                (c->status != ZC_EVO_SCORED || c->score == l2->c[i].score);
        CHECK(c->iteration == i);
        zc_plainnet p;
        double fl;
        int64_t pa;
        int la;
        CHECK(zc_plainnet_parse(c->arch, &p) == ZC_OK && zc_plainnet_cost(&p, &bc, &fl, &pa, &la) == ZC_OK);
        CHECK(fl == c->flops && pa == c->params && la == c->layers);
        if (c->status == ZC_EVO_SCORED) {
            n_scored++;
            CHECK_MSG(c->layers <= 6 && c->flops <= budget, "scored over budget: %s", c->arch);
            CHECK(isfinite(c->score));
            if (c->score > max_score) max_score = c->score;
        } else {
            n_rej++;
            CHECK(c->status != ZC_EVO_REJ_LAYERS || c->layers > 6);
            CHECK(c->status != ZC_EVO_REJ_FLOPS || (c->layers <= 6 && c->flops > budget));
        }
        for (int k = 0; k < p.n; k++)
            CHECK(p.blocks[k].kind != ZC_PLAINNET_IDW || p.blocks[k].layers < 6);   /* split */
    }
    CHECK(same && r1.best && r2.best && !strcmp(r1.best, r2.best) && r1.best_score == r2.best_score);
    CHECK_MSG(n_scored > 5 && n_rej > 0, "scored %d, rejected %d", n_scored, n_rej);
    CHECK(r1.scored == n_scored && r1.rej_layers + r1.rej_flops + r1.rej_params + r1.rej_nan == n_rej);
    /* remove-min never removes the maximum: the answer is the best score ever seen */
    CHECK(r1.best_score == max_score && r1.members <= o.population + 1);
    zc_plainnet bp;
    CHECK(r1.best && zc_plainnet_parse(r1.best, &bp) == ZC_OK);
    zc_evo_result_free(&r2);

    /* checkpoint + resume, and a stop request, equal the uninterrupted run */
    const char *ref_log = "test_search_ref.csv", *ref_ck = "test_search_ref.ckpt";
    const char *log = "test_search_run.csv", *ck = "test_search_run.ckpt";
    remove(ref_ck);
    remove(ck);
    zc_evo_result_free(&r1);
    evo_opts(&o, &zf, budget, l1);
    l1->n = 0;
    o.log_path = ref_log;
    o.checkpoint_path = ref_ck;
    o.checkpoint_every = 5;
    CHECK(zc_evo_search(&o, &r1) == ZC_OK && r1.resumed_from == 0);
    /* run 1: 13 iterations */
    evo_opts(&o, &zf, budget, l2);
    o.log_path = log;
    o.checkpoint_path = ck;
    o.checkpoint_every = 5;
    o.iterations = 13;
    CHECK(zc_evo_search(&o, &r2) == ZC_OK && r2.iterations == 13);
    zc_evo_result_free(&r2);
    /* a torn run after the checkpoint: rows past it must be dropped on resume */
    FILE *f = fopen(log, "a");
    if (f) { fputs("99,junk\n", f); fclose(f); }
    o.iterations = 30;
    o.resume = 1;
    CHECK(zc_evo_search(&o, &r2) == ZC_OK && r2.resumed_from == 13 && r2.iterations == 30);
    CHECK(r1.best && r2.best && !strcmp(r1.best, r2.best) && r1.best_score == r2.best_score && r1.scored == r2.scored);
    CHECK_MSG(same_file(ref_log, log), "resumed log differs");
    CHECK_MSG(same_file(ref_ck, ck), "resumed checkpoint differs");
    zc_evo_result_free(&r2);
    /* a stop request at iteration 17 (as SIGINT does), then resume */
    remove(ck);
    volatile sig_atomic_t stop = 0;
    evo_opts(&o, &zf, budget, l2);
    l2->stop = &stop;
    l2->stop_at = 17;
    o.log_path = log;
    o.checkpoint_path = ck;
    o.checkpoint_every = 0;
    o.stop = &stop;
    CHECK(zc_evo_search(&o, &r2) == ZC_OK && r2.interrupted && r2.iterations == 18);
    zc_evo_result_free(&r2);
    stop = 0;
    l2->stop = NULL;
    o.resume = 1;
    CHECK(zc_evo_search(&o, &r2) == ZC_OK && !r2.interrupted && r2.resumed_from == 18);
    CHECK(r1.best && r2.best && !strcmp(r1.best, r2.best) && r1.best_score == r2.best_score);
    CHECK_MSG(same_file(ref_log, log), "log after stop + resume differs");
    zc_evo_result_free(&r2);
    /* resuming with other options is refused */
    o.fingerprint = "other";
    CHECK(zc_evo_search(&o, &r2) == ZC_EINVAL);
    zc_evo_result_free(&r2);
    zc_evo_result_free(&r1);
    /* a malformed initial architecture is named */
    evo_opts(&o, &zf, budget, l2);
    o.initial = "SuperConvK3BNRELU(3,8,2,1)SuperResIDWE2K3(9,16,2,8,1)";
    CHECK(zc_evo_search(&o, &r2) == ZC_EINVAL && strstr(zc_last_error(), "initial"));
    zc_space_close(space);
    remove(ref_log); remove(ref_ck); remove(log); remove(ck);
    for (int k = 0; k < 2; k++) zc_batch_free(&b[k]);
    free(l1);
    free(l2);
}

/* ------------------------------------------------------------------ a score ranked over the population */

/* Two sub-scores per architecture (TE-NAS' columns: ntk, linear regions), from the index. */
static zc_status fit_pair(void *ctx, const void *archs, int n, const uint64_t *streams, double *scores)
{
    fit *f = ctx;
    (void)streams;
    for (int i = 0; i < n; i++) {
        int idx = index_of((const zc_nb201_arch *)archs + i);
        f->calls[idx]++;
        scores[2 * i] = fit_value(idx);
        scores[2 * i + 1] = floor(fit_value(idx + 7) * 8.0);   /* a count with many ties */
    }
    return ZC_OK;
}

static void test_aggregate_search(void)
{
    fit *f = calloc(1, sizeof *f);
    const zc_aggregate *te = zc_aggregate_find("te_nas");
    for (int algo = 0; algo < 2; algo++) {
        trace t = {0}, t2 = {0};
        zc_search_opts o;
        zc_search_opts_default(&o);
        o.algo = algo;
        o.evals = 120;
        o.population = 16;
        o.sample_size = 4;
        o.seed = 5;
        o.aggregate = te;
        result r, r2;
        memset(f->calls, 0, sizeof f->calls);
        o.space = NB201;
        o.fitness = fit_pair;
        o.fitness_ctx = f;
        o.on_eval = on_eval;
        o.eval_ctx = &t;
        r.r.best = &r.best;
        CHECK(zc_search(&o, &r.r) == ZC_OK && r.r.found);
        r.index = index_of(&r.best);
        /* the answer: the best rank sum over every distinct architecture evaluated, recomputed here */
        int n = 0, *idx = malloc((size_t)t.n * sizeof *idx);
        for (int i = 0; i < t.n; i++) {
            int seen = 0;
            for (int j = 0; j < n && !seen; j++) seen = idx[j] == t.index[i];
            if (!seen) idx[n++] = t.index[i];
        }
        double *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b), *agg = malloc((size_t)n * sizeof *agg);
        for (int i = 0; i < n; i++) { a[i] = fit_value(idx[i]); b[i] = floor(fit_value(idx[i] + 7) * 8.0); }
        const double *cols[2] = {a, b};
        CHECK(zc_aggregate_compute(te, cols, (size_t)n, agg) == ZC_OK);
        int best = 0;
        for (int i = 1; i < n; i++) if (agg[i] > agg[best]) best = i;
        CHECK_MSG(r.index == idx[best] && r.r.score == agg[best], "algo %d: found %d (%g), the history's best %d (%g)",
                  algo, r.index, r.r.score, idx[best], agg[best]);
        CHECK(r.r.distinct == n && r.r.scored == n);
        int max_calls = 0;
        for (int i = 0; i < ZC_NB201_SIZE; i++) if (f->calls[i] > max_calls) max_calls = f->calls[i];
        CHECK(max_calls == 1);
        /* deterministic */
        o.eval_ctx = &t2;
        r2.r.best = &r2.best;
        CHECK(zc_search(&o, &r2.r) == ZC_OK && index_of(&r2.best) == r.index && same_trace(&t, &t2));
        free(idx); free(a); free(b); free(agg);
        trace_free(&t);
        trace_free(&t2);
    }
    free(f);
}

/* AZ-NAS' evolution (an aggregate fitness): nothing removed, each candidate's score the aggregate over
 * everything scored so far, parents from the population - 1 best, the answer the best of all, and a
 * resumed search equal to an uninterrupted one. */
static int edge_distance(const char *a, const char *b)
{
    zc_nb201_arch x, y;
    if (zc_nb201_parse(a, &x) != ZC_OK || zc_nb201_parse(b, &y) != ZC_OK) return 99;
    return differ_edges(index_of(&x), index_of(&y));
}

static void test_aggregate_evolution(void)
{
    fit *f = calloc(1, sizeof *f);
    const zc_aggregate *te = zc_aggregate_find("te_nas");
    cand_log *log = calloc(1, sizeof *log);
    zc_evo_opts o;
    zc_evo_opts_default(&o);
    o.space = NB201;
    o.iterations = 40;
    o.population = 4;
    o.seed = 3;
    o.aggregate = te;
    o.fitness = fit_pair;
    o.fitness_ctx = f;
    o.fingerprint = "agg";
    o.on_candidate = on_candidate;
    o.ctx = log;
    o.progress_seconds = 1e9;
    zc_evo_result res;
    CHECK(zc_evo_search(&o, &res) == ZC_OK && res.best);
    CHECK_MSG(log->n == 40 && res.scored == 40 && res.members == 40, "every candidate kept: %d logged, %ld scored, %d "
              "members", log->n, res.scored, res.members);
    double a[40], b[40], agg[40];
    int top_ok = 1, score_ok = 1;
    for (int i = 0; i < log->n; i++) {
        zc_nb201_arch x;
        CHECK(zc_nb201_parse(log->c[i].arch, &x) == ZC_OK);
        int idx = index_of(&x);
        a[i] = fit_value(idx);
        b[i] = floor(fit_value(idx + 7) * 8.0);
        const double *cols[2] = {a, b};
        /* the score it joined with: the aggregate over the first i + 1 */
        CHECK(zc_aggregate_compute(te, cols, (size_t)i + 1, agg) == ZC_OK);
        score_ok &= log->c[i].score == agg[i];
        /* from 11 members on: a 2-edge mutation of one of the population - 1 = 3 best of the first i */
        if (i > 10) {
            CHECK(zc_aggregate_compute(te, cols, (size_t)i, agg) == ZC_OK);
            int near = 0;
            for (int j = 0; j < i; j++) {
                int better = 0;
                for (int m = 0; m < i; m++) better += agg[m] > agg[j] || (agg[m] == agg[j] && m > j);
                if (better < 3 && edge_distance(log->c[i].arch, log->c[j].arch) <= 2) near = 1;
            }
            top_ok &= near;
        }
    }
    CHECK_MSG(score_ok, "each logged score is the aggregate over the candidates scored so far");
    CHECK_MSG(top_ok, "each child after 10 members is near one of the 3 best");
    const double *cols[2] = {a, b};
    CHECK(zc_aggregate_compute(te, cols, 40, agg) == ZC_OK);
    int best = 0;
    for (int i = 1; i < 40; i++) if (agg[i] > agg[best]) best = i;
    CHECK_MSG(!strcmp(res.best, log->c[best].arch) && res.best_score == agg[best], "the best of all 40: %s (%g)",
              log->c[best].arch, agg[best]);
    /* stopped at iteration 17 and resumed: the same candidates, file and answer */
    const char *ck = "test_search_agg.ckpt", *lg1 = "test_search_agg_ref.csv", *lg2 = "test_search_agg_run.csv";
    remove(ck);
    zc_evo_result r1, r2, r3;
    o.log_path = lg1;
    CHECK(zc_evo_search(&o, &r1) == ZC_OK);
    volatile sig_atomic_t stop = 0;
    cand_log *l2 = calloc(1, sizeof *l2);
    l2->stop = &stop;
    l2->stop_at = 17;
    o.ctx = l2;
    o.stop = &stop;
    o.log_path = lg2;
    o.checkpoint_path = ck;
    CHECK(zc_evo_search(&o, &r2) == ZC_OK && r2.interrupted);
    stop = 0;
    l2->stop = NULL;
    o.resume = 1;
    /* a checkpoint changed by one character (a member's sub-score) is refused by its checksum */
    char *good = slurp(ck);
    CHECK(good != NULL && strstr(good, "md5 ") != NULL);
    if (good) {
        char *bad = strdup(good), *at = strstr(bad, "population");
        at = at ? strchr(at, '\n') : NULL;
        if (at) at[3] = at[3] == '1' ? '2' : '1';
        FILE *f = fopen(ck, "w");
        fputs(bad, f);
        fclose(f);
        zc_evo_result rb;
        CHECK_MSG(zc_evo_search(&o, &rb) == ZC_EDATA && strstr(zc_last_error(), "checksum"), "damaged checkpoint: %s",
                  zc_last_error());
        f = fopen(ck, "w");
        fputs(good, f);
        fclose(f);
        free(bad);
        free(good);
    }
    CHECK(zc_evo_search(&o, &r3) == ZC_OK && !r3.interrupted && r3.resumed_from == 18);
    CHECK_MSG(r3.best && r1.best && !strcmp(r1.best, r3.best) && r1.best_score == r3.best_score && same_file(lg1, lg2),
              "resumed AZ evolution = uninterrupted");
    zc_evo_result_free(&res);
    zc_evo_result_free(&r1);
    zc_evo_result_free(&r2);
    zc_evo_result_free(&r3);
    remove(ck); remove(lg1); remove(lg2);
    free(l2);
    free(log);
    free(f);
}

/* Fingerprint differences are named item by item, whatever the order or which side lacks an item. */
static void test_fingerprint_diff(void)
{
    char msg[256];
    CHECK(zc_fingerprint_diff("a=1 b=2", "a=1 b=2", msg, sizeof msg) == 0 && msg[0] == '\0');
    CHECK(zc_fingerprint_diff("a=1 b=2", "b=2 a=1", msg, sizeof msg) == 0);
    CHECK(zc_fingerprint_diff("a=1 b=2", "a=1 b=3", msg, sizeof msg) == 1 && !strcmp(msg, "b=2, now b=3"));
    CHECK(zc_fingerprint_diff("a=1", "a=1 c=x", msg, sizeof msg) == 1 && !strcmp(msg, "c=(none), now c=x"));
    CHECK(zc_fingerprint_diff("a=1 c=x", "a=1", msg, sizeof msg) == 1 && !strcmp(msg, "c=x, now c=(none)"));
    CHECK(zc_fingerprint_diff("ab=1", "a=1", msg, sizeof msg) == 1);   /* keys match whole, not by prefix */
    CHECK(zc_fingerprint_diff("test", "test", msg, sizeof msg) == 0);
    CHECK(zc_fingerprint_diff("test", "other", msg, sizeof msg) == 1);
}

int main(void)
{
    zc_space_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.need_index = 1;
    if (zc_space_open(zc_space_find("nb201"), &cfg, &NB201) != ZC_OK) {
        fprintf(stderr, "test_search: %s\n", zc_last_error());
        return 1;
    }
    test_fingerprint_diff();
    test_mutation();
    test_random_search();
    test_rea();
    test_stop();
    test_budgets();
    test_aggregate_search();
    test_aggregate_evolution();
    test_run_context();
    test_evolution();
    zc_space_close(NB201);
    return check_report("test_search");
}
