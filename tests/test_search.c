/* Searches (include/zcnas/search.h): NB201 random search and regularised evolution on a synthetic
 * fitness (determinism, argmax over the evaluations, one score per architecture, ageing population,
 * budgets, NaN handling), the proxy scorer through the parallel scorer (thread-count independence,
 * numeric failures as NaN), and ZiCo's evolutionary search on a small PlainNet (determinism, budgets,
 * the best member, checkpoint/resume and a stop request equal to an uninterrupted run). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "zcnas/zcnas.h"
#include "zcnas/search.h"

/* The benchmark's index table ($ZCNAS_DATA/benchmarks/nb201_accuracy.csv): the searches identify
 * architectures by benchmark index. */
static zc_nb201_index_map MAP;

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

static zc_status fit_score(void *ctx, const int *idx, int n, double *scores)
{
    fit *f = ctx;
    for (int i = 0; i < n; i++) {
        f->calls[idx[i]]++;
        scores[i] = f->nan_every && idx[i] % f->nan_every == 0 ? NAN : fit_value(idx[i]);
    }
    return ZC_OK;
}

typedef struct trace {
    int n, cap;
    int *index;
    double *score;
} trace;

static void on_eval(void *ctx, int eval, int index, double score)
{
    trace *t = ctx;
    CHECK(eval == t->n);
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 256;
        t->index = realloc(t->index, (size_t)t->cap * sizeof *t->index);
        t->score = realloc(t->score, (size_t)t->cap * sizeof *t->score);
    }
    t->index[t->n] = index;
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

static zc_status run_search(zc_nb201_search_opts *o, fit *f, trace *t, zc_nb201_search_result *r)
{
    memset(f->calls, 0, sizeof f->calls);
    trace_free(t);
    o->map = &MAP;
    o->score = fit_score;
    o->score_ctx = f;
    o->on_eval = on_eval;
    o->eval_ctx = t;
    return zc_nb201_search(o, r);
}

static int differ_edges(int a, int b)
{
    zc_nb201_arch x, y;
    zc_nb201_from_index(&MAP, a, &x);
    zc_nb201_from_index(&MAP, b, &y);
    int d = 0;
    for (int e = 0; e < ZC_NB201_EDGES; e++) d += x.ops[e] != y.ops[e];
    return d;
}

/* The chosen architecture is the first evaluation with the highest (non-NaN) score. */
static void check_argmax(const trace *t, const zc_nb201_search_result *r)
{
    int best = -1;
    for (int i = 0; i < t->n; i++)
        if (!isnan(t->score[i]) && (best < 0 || t->score[i] > t->score[best])) best = i;
    CHECK(best >= 0 && r->index == t->index[best] && r->score == t->score[best]);
}

static void test_mutation(void)
{
    zc_rng rng;
    zc_rng_seed(&rng, 1, 2);
    int per_edge[ZC_NB201_EDGES] = {0};
    const int n = 9000;
    for (int i = 0; i < n; i++) {
        zc_nb201_arch a, c;
        zc_nb201_from_index(&MAP, (int)zc_rng_below(&rng, ZC_NB201_SIZE), &a);
        zc_nb201_mutate(&a, &rng, &c);
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
    zc_nb201_search_opts o;
    zc_nb201_search_opts_default(&o);
    o.evals = 3000;
    o.seed = 11;
    f->nan_every = 3;
    zc_nb201_search_result r1, r2;
    CHECK(run_search(&o, f, &t1, &r1) == ZC_OK);
    int max_calls = 0, distinct = 0;
    for (int i = 0; i < ZC_NB201_SIZE; i++) {
        if (f->calls[i] > max_calls) max_calls = f->calls[i];
        distinct += f->calls[i] > 0;
    }
    CHECK(t1.n == 3000 && r1.evals == 3000);
    CHECK_MSG(max_calls == 1, "an architecture was scored %d times", max_calls);
    CHECK(r1.scored == distinct && r1.distinct == distinct && distinct < 3000);   /* drawn with replacement */
    check_argmax(&t1, &r1);
    CHECK(!isnan(r1.score) && r1.index % 3 != 0);
    CHECK(run_search(&o, f, &t2, &r2) == ZC_OK);
    CHECK(same_trace(&t1, &t2) && r1.index == r2.index);
    o.seed = 12;
    CHECK(run_search(&o, f, &t2, &r2) == ZC_OK);
    CHECK(!same_trace(&t1, &t2));
    /* every score NaN: no answer, no error */
    f->nan_every = 1;
    o.evals = 20;
    CHECK(run_search(&o, f, &t2, &r2) == ZC_OK && r2.index == -1 && isnan(r2.score));
    /* a shared cache: a second search with the same draws scores nothing */
    f->nan_every = 0;
    double *cache = calloc(ZC_NB201_SIZE, sizeof *cache);
    unsigned char *cached = calloc(ZC_NB201_SIZE, 1);
    o.cache = cache;
    o.cached = cached;
    o.evals = 200;
    CHECK(run_search(&o, f, &t1, &r1) == ZC_OK && r1.scored == r1.distinct);
    CHECK(run_search(&o, f, &t2, &r2) == ZC_OK && r2.scored == 0 && r2.index == r1.index);
    free(cache);
    free(cached);
    trace_free(&t1);
    trace_free(&t2);
    free(f);
}

static void test_rea(void)
{
    fit *f = calloc(1, sizeof *f);
    trace t1 = {0}, t2 = {0};
    zc_nb201_search_opts o;
    zc_nb201_search_opts_default(&o);
    o.algo = ZC_SEARCH_REA;
    o.evals = 400;
    o.population = 20;
    o.sample_size = 5;
    o.seed = 3;
    f->nan_every = 5;
    zc_nb201_search_result r1, r2;
    CHECK(run_search(&o, f, &t1, &r1) == ZC_OK);
    CHECK(t1.n == 400 && r1.evals == 400);
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
    CHECK(r1.score > init_best);
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
    zc_nb201_cost_cache costs;
    CHECK(zc_nb201_cost_cache_init(&costs, &MAP, 10, 32) == ZC_OK);
    double fl, pa;
    CHECK(zc_nb201_cached_cost(&costs, 0, &fl, &pa) == ZC_OK && fl == 15647370 && pa == 129306);
    for (int algo = 0; algo < 2; algo++) {
        zc_nb201_search_opts o;
        zc_nb201_search_opts_default(&o);
        o.algo = algo;
        o.evals = 300;
        o.population = 16;
        o.sample_size = 4;
        o.max_params = 400000;
        o.max_flops = 55e6;
        o.cost = zc_nb201_cached_cost;
        o.cost_ctx = &costs;
        zc_nb201_search_result r;
        CHECK(run_search(&o, f, &t, &r) == ZC_OK && t.n == 300);
        int over = 0;
        for (int i = 0; i < t.n; i++) {
            CHECK(zc_nb201_cached_cost(&costs, t.index[i], &fl, &pa) == ZC_OK);
            over += fl > o.max_flops || pa > o.max_params;
        }
        CHECK_MSG(over == 0, "algo %d: %d evaluations over the budget", algo, over);
        check_argmax(&t, &r);
        /* no architecture fits */
        o.max_params = 1000;
        CHECK(run_search(&o, f, &t, &r) == ZC_EINVAL);
        /* a budget without a cost function */
        o.cost = NULL;
        CHECK(run_search(&o, f, &t, &r) == ZC_EINVAL);
    }
    zc_nb201_cost_cache_free(&costs);
    trace_free(&t);
    free(f);
}

/* ------------------------------------------------------------------ proxy scorer */

static int fail_on_odd;
static zc_status flaky_score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    (void)opts;
    zc_net *net = in->build(in->arch, in->num_classes, 1, 1);
    if (!net) return ZC_EINVAL;
    *out = (double)zc_net_param_count(net);
    zc_net_free(net);
    if (fail_on_odd && in->stream % 2) return zc_fail(ZC_ENUM, "flaky: odd index");
    return ZC_OK;
}
static const zc_proxy flaky = {"flaky", "params, ZC_ENUM on odd indices", ZC_DATA_NONE, flaky_score, 0};

static void test_proxy_scorer(void)
{
    int idx[6] = {0, 1, 2, 1462, 7, 15624};
    double s1[6], s3[6];
    zc_nb201_proxy_scorer ps;
    memset(&ps, 0, sizeof ps);
    ps.map = &MAP;
    ps.proxy = &flaky;
    zc_proxy_opts_default(&ps.opts);
    ps.num_classes = 10;
    ps.resolution = 32;
    ps.threads = 1;
    fail_on_odd = 0;
    CHECK(zc_nb201_proxy_score(&ps, idx, 6, s1) == ZC_OK);
    CHECK(s1[0] == 129306 && s1[3] == 1531546);
    fail_on_odd = 1;
    ps.threads = 3;
    CHECK(zc_nb201_proxy_score(&ps, idx, 6, s3) == ZC_OK);
    for (int i = 0; i < 6; i++) CHECK(idx[i] % 2 ? isnan(s3[i]) : s3[i] == s1[i]);
    /* a real proxy: ZiCo on two tiny batches, 1 vs 2 threads */
    zc_batch b[2];
    zc_rng rng;
    zc_rng_seed(&rng, 5, 0);
    for (int k = 0; k < 2; k++) {
        b[k].n = 4; b[k].c = 3; b[k].h = b[k].w = 32;
        b[k].x = malloc(4 * 3 * 32 * 32 * sizeof(float));
        b[k].y = malloc(4 * sizeof(int));
        for (int i = 0; i < 4 * 3 * 32 * 32; i++) b[k].x[i] = (float)zc_rng_normal(&rng);
        for (int i = 0; i < 4; i++) b[k].y[i] = (int)zc_rng_below(&rng, 10);
    }
    ps.proxy = zc_proxy_find("zico");
    ps.batches = b;
    ps.n_batches = 2;
    ps.seed = 9;
    ps.threads = 1;
    int zi[3] = {1462, 5, 300};
    double z1[3], z2[3];
    CHECK(ps.proxy && zc_nb201_proxy_score(&ps, zi, 3, z1) == ZC_OK);
    ps.threads = 2;
    CHECK(zc_nb201_proxy_score(&ps, zi, 3, z2) == ZC_OK);
    for (int i = 0; i < 3; i++) CHECK(isfinite(z1[i]) && z1[i] == z2[i]);
    for (int k = 0; k < 2; k++) zc_batch_free(&b[k]);
}

/* ------------------------------------------------------------------ ZenNAS evolution */

#define SMALL_INITIAL \
    "SuperConvK3BNRELU(3,8,2,1)SuperResIDWE2K3(8,16,2,8,1)SuperResIDWE2K3(16,24,2,8,1)SuperConvK1BNRELU(24,32,1,1)"

typedef struct cand_log {
    int n;
    zc_zennas_candidate c[64];
    volatile sig_atomic_t *stop;
    long stop_at;
} cand_log;

static void on_candidate(void *ctx, const zc_zennas_candidate *c)
{
    cand_log *l = ctx;
    if (l->n < 64) l->c[l->n++] = *c;
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

static void zennas_opts(zc_zennas_opts *o, zc_batch *b, double budget, cand_log *log)
{
    zc_zennas_opts_default(o);
    o->initial = SMALL_INITIAL;
    o->iterations = 30;
    o->population = 5;
    o->max_layers = 6;
    o->budget_flops = budget;
    o->budget_resolution = 224;
    o->resolution = 16;
    o->num_classes = 10;
    o->seed = 4;
    o->backend = zc_backend_ref();
    o->batches = b;
    o->n_batches = 2;
    o->fingerprint = "test";
    o->on_candidate = on_candidate;
    o->ctx = log;
    o->progress_seconds = 1e9;
}

static void test_zennas(void)
{
    zc_batch b[2];
    zc_rng rng;
    zc_rng_seed(&rng, 8, 0);
    for (int k = 0; k < 2; k++) {
        b[k].n = 4; b[k].c = 3; b[k].h = b[k].w = 16;
        b[k].x = malloc(4 * 3 * 16 * 16 * sizeof(float));
        b[k].y = malloc(4 * sizeof(int));
        for (int i = 0; i < 4 * 3 * 16 * 16; i++) b[k].x[i] = (float)zc_rng_normal(&rng);
        for (int i = 0; i < 4; i++) b[k].y[i] = (int)zc_rng_below(&rng, 10);
    }
    zc_plainnet init;
    CHECK(zc_plainnet_parse(SMALL_INITIAL, &init) == ZC_OK);
    zc_plainnet_config bc = zc_plainnet_default_config(1000, 224);
    double init_flops;
    CHECK(zc_plainnet_cost(&init, &bc, &init_flops, NULL, NULL) == ZC_OK);
    double budget = 1.6 * init_flops;

    /* determinism, budgets, the best member */
    cand_log *l1 = calloc(1, sizeof *l1), *l2 = calloc(1, sizeof *l2);
    zc_zennas_opts o;
    zc_zennas_result r1, r2;
    zennas_opts(&o, b, budget, l1);
    zc_status st = zc_zennas_search(&o, &r1);
    CHECK_MSG(st == ZC_OK, "%s", zc_last_error());
    zennas_opts(&o, b, budget, l2);
    CHECK(zc_zennas_search(&o, &r2) == ZC_OK);
    CHECK(l1->n == 30 && l2->n == 30 && r1.iterations == 30);
    int same = 1, n_scored = 0, n_rej = 0;
    double max_score = -INFINITY;
    for (int i = 0; i < l1->n; i++) {
        const zc_zennas_candidate *c = &l1->c[i];
        same &= !strcmp(c->structure, l2->c[i].structure) && c->status == l2->c[i].status &&
                (c->status != ZC_ZENNAS_SCORED || c->score == l2->c[i].score);
        CHECK(c->iteration == i);
        zc_plainnet p;
        double fl;
        int64_t pa;
        int la;
        CHECK(zc_plainnet_parse(c->structure, &p) == ZC_OK && zc_plainnet_cost(&p, &bc, &fl, &pa, &la) == ZC_OK);
        CHECK(fl == c->flops && pa == c->params && la == c->layers);
        if (c->status == ZC_ZENNAS_SCORED) {
            n_scored++;
            CHECK_MSG(c->layers <= 6 && c->flops <= budget, "scored over budget: %s", c->structure);
            CHECK(isfinite(c->score));
            if (c->score > max_score) max_score = c->score;
        } else {
            n_rej++;
            CHECK(c->status != ZC_ZENNAS_REJ_LAYERS || c->layers > 6);
            CHECK(c->status != ZC_ZENNAS_REJ_FLOPS || (c->layers <= 6 && c->flops > budget));
        }
        for (int k = 0; k < p.n; k++)
            CHECK(p.blocks[k].kind != ZC_PLAINNET_IDW || p.blocks[k].layers < 6);   /* split */
    }
    CHECK(same && !strcmp(r1.best, r2.best) && r1.best_score == r2.best_score);
    CHECK_MSG(n_scored > 5 && n_rej > 0, "scored %d, rejected %d", n_scored, n_rej);
    CHECK(r1.scored == n_scored && r1.rej_layers + r1.rej_flops + r1.rej_params + r1.rej_nan == n_rej);
    /* remove-min never removes the maximum: the answer is the best score ever seen */
    CHECK(r1.best_score == max_score && r1.population <= o.population + 1);
    zc_plainnet bp;
    CHECK(zc_plainnet_parse(r1.best, &bp) == ZC_OK);

    /* checkpoint + resume, and a stop request, equal the uninterrupted run */
    const char *ref_log = "test_search_ref.csv", *ref_ck = "test_search_ref.ckpt";
    const char *log = "test_search_run.csv", *ck = "test_search_run.ckpt";
    remove(ref_ck);
    remove(ck);
    zennas_opts(&o, b, budget, l1);
    l1->n = 0;
    o.log_path = ref_log;
    o.checkpoint_path = ref_ck;
    o.checkpoint_every = 5;
    CHECK(zc_zennas_search(&o, &r1) == ZC_OK && r1.resumed_from == 0);
    /* run 1: 13 iterations */
    zennas_opts(&o, b, budget, l2);
    o.log_path = log;
    o.checkpoint_path = ck;
    o.checkpoint_every = 5;
    o.iterations = 13;
    CHECK(zc_zennas_search(&o, &r2) == ZC_OK && r2.iterations == 13);
    /* a torn run after the checkpoint: rows past it must be dropped on resume */
    FILE *f = fopen(log, "a");
    if (f) { fputs("99,junk\n", f); fclose(f); }
    o.iterations = 30;
    o.resume = 1;
    CHECK(zc_zennas_search(&o, &r2) == ZC_OK && r2.resumed_from == 13 && r2.iterations == 30);
    CHECK(!strcmp(r1.best, r2.best) && r1.best_score == r2.best_score && r1.scored == r2.scored);
    CHECK_MSG(same_file(ref_log, log), "resumed log differs");
    CHECK_MSG(same_file(ref_ck, ck), "resumed checkpoint differs");
    /* a stop request at iteration 17 (as SIGINT does), then resume */
    remove(ck);
    volatile sig_atomic_t stop = 0;
    zennas_opts(&o, b, budget, l2);
    l2->stop = &stop;
    l2->stop_at = 17;
    o.log_path = log;
    o.checkpoint_path = ck;
    o.checkpoint_every = 0;
    o.stop = &stop;
    CHECK(zc_zennas_search(&o, &r2) == ZC_OK && r2.interrupted && r2.iterations == 18);
    stop = 0;
    l2->stop = NULL;
    o.resume = 1;
    CHECK(zc_zennas_search(&o, &r2) == ZC_OK && !r2.interrupted && r2.resumed_from == 18);
    CHECK(!strcmp(r1.best, r2.best) && r1.best_score == r2.best_score);
    CHECK_MSG(same_file(ref_log, log), "log after stop + resume differs");
    /* resuming with other options is refused */
    o.fingerprint = "other";
    CHECK(zc_zennas_search(&o, &r2) == ZC_EINVAL);
    /* a resolution below the total stride */
    zennas_opts(&o, b, budget, l2);
    o.resolution = 4;
    CHECK(zc_zennas_search(&o, &r2) == ZC_EINVAL);
    remove(ref_log); remove(ref_ck); remove(log); remove(ck);
    for (int k = 0; k < 2; k++) zc_batch_free(&b[k]);
    free(l1);
    free(l2);
}

int main(void)
{
    char path[4096];
    if (zc_data_bench_path("nb201_accuracy.csv", NULL, path, sizeof path) != ZC_OK ||
        zc_nb201_index_map_load(&MAP, path) != ZC_OK) {
        fprintf(stderr, "test_search: %s\n", zc_last_error());
        return 1;
    }
    test_mutation();
    test_random_search();
    test_rea();
    test_budgets();
    test_proxy_scorer();
    test_zennas();
    return check_report("test_search");
}
