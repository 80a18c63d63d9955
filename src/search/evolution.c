/* ZiCo's evolutionary search (ZiCo/ZenNAS evolution_search.py) over any space with mutation:
 *
 *   for each iteration:
 *     while |pop| > E: remove the member with the smallest score (first occurrence)
 *     child = |pop| <= 10 ? mutate(initial architecture, 1) : mutate(uniform member, 2)
 *       (the PlainNet mutation also splits blocks with L >= 6, as the official code)
 *     reject (the iteration is still used) when layers > max_layers, params > budget or
 *       FLOPs > budget, counted by the space (PlainNet: the residual network at 224x224)
 *     score the child with the fitness and append it
 *   answer = the max-score member of the final population (first occurrence)
 *
 * Differences from the official code, all deliberate: the random stream is our own seeded zc_rng
 * (one stream for every decision, saved exactly in the checkpoint), and each candidate's init is
 * seeded by (seed, iteration) instead of being unseeded; a candidate whose score is not finite is
 * logged as "nan" and not appended (Python would append the NaN and then min/max become
 * order-dependent).
 *
 * With an aggregate fitness (opts.aggregate) it is AZ-NAS' variant (ImageNet_MBV2/evolution_search_az.py):
 * nothing is removed, every member's score is the aggregate of the sub-scores over all members,
 * recomputed after each append; parents: the initial architecture (1 mutation) while at most 10 are
 * scored, then a uniform member (2), and from population - 1 members on a uniform one of the
 * population - 1 best (np.argsort's tail; equal scores: the later candidate counts as better);
 * rejected candidates are not iterations (the official loop `continue`s), so `iterations` counts
 * scored candidates, and the log's score is the candidate's aggregate when it joined. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "search/evolution_impl.h"
#include "zcnas/proxy.h"

/* AZ-NAS' loop draws until a candidate fits; this many misses in a row means none will. */
#define MAX_REJECTED_IN_ROW 1000000L

const char *zc_evo_status_name(int status)
{
    static const char *const names[] = {"scored", "layers", "params", "flops", "nan"};
    return status >= 0 && status <= ZC_EVO_REJ_NAN ? names[status] : "?";
}

void zc_evo_opts_default(zc_evo_opts *o)
{
    memset(o, 0, sizeof *o);
    o->iterations = 100000;
    o->population = 512;
    o->progress_seconds = 5.0;
}

void zc_evo_result_free(zc_evo_result *res)
{
    free(res->best);
    res->best = NULL;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

zc_status zci_evo_push(zci_evo *st, const zci_evo_member *m, const void *arch, const double *raw)
{
    if (st->n == st->cap) {
        int c = st->cap ? st->cap * 2 : 64;
        zci_evo_member *p = realloc(st->pop, (size_t)c * sizeof *p);
        if (!p) return zc_fail(ZC_ENOMEM, "search: out of memory for the population");
        st->pop = p;
        unsigned char *a = realloc(st->archs, (size_t)c * st->asz);
        if (!a) return zc_fail(ZC_ENOMEM, "search: out of memory for the population");
        st->archs = a;
        if (st->k) {
            double *r = realloc(st->raw, (size_t)c * st->k * sizeof *r);
            if (!r) return zc_fail(ZC_ENOMEM, "search: out of memory for the population");
            st->raw = r;
        }
        st->cap = c;
    }
    st->pop[st->n] = *m;
    memcpy(st->archs + (size_t)st->n * st->asz, arch, st->asz);
    if (st->k) memcpy(st->raw + (size_t)st->n * st->k, raw, (size_t)st->k * sizeof *raw);
    st->n++;
    return ZC_OK;
}

zc_status zci_evo_rescore(zci_evo *st)
{
    if (!st->k || !st->n) return ZC_OK;
    double *agg = malloc((size_t)st->n * sizeof *agg);
    if (!agg) return zc_fail(ZC_ENOMEM, "search: out of memory for the population");
    zc_status rc = zc_aggregate_compute_rows(st->o->aggregate, st->raw, NULL, (size_t)st->n, agg);
    for (int i = 0; rc == ZC_OK && i < st->n; i++) st->pop[i].score = agg[i];
    free(agg);
    return rc;
}

typedef struct ranked { double score; int index; } ranked;

static int cmp_ranked(const void *a, const void *b)   /* ascending; NaN lowest; ties by index */
{
    const ranked *x = a, *y = b;
    int xn = isnan(x->score), yn = isnan(y->score);
    if (xn != yn) return xn ? -1 : 1;
    if (!xn && x->score != y->score) return x->score < y->score ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* AZ-NAS' parent: a uniform member among the `top` best (np.random.choice of argsort's tail). */
static zc_status pick_top(zci_evo *st, int top, int *parent)
{
    ranked *r = malloc((size_t)st->n * sizeof *r);
    if (!r) return zc_fail(ZC_ENOMEM, "search: out of memory for the population");
    for (int i = 0; i < st->n; i++) r[i] = (ranked){st->pop[i].score, i};
    qsort(r, (size_t)st->n, sizeof *r, cmp_ranked);
    *parent = r[st->n - top + (int)zc_rng_below(&st->rng, (uint64_t)top)].index;
    free(r);
    return ZC_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Iterations done: candidates drawn (ZiCo), or scored (AZ-NAS' variant, whose rejections are not iterations). */
#define DONE(st) ((st)->k ? (st)->scored : (st)->iteration)

static void progress(const zci_evo *st, long start, double t0, zc_evo_progress *p)
{
    memset(p, 0, sizeof *p);
    p->start = start;
    p->iteration = DONE(st);
    p->iterations = st->o->iterations;
    p->members = st->n;
    p->best = p->median = NAN;
    if (st->n) {
        double *v = malloc((size_t)st->n * sizeof *v);
        if (v) {
            for (int i = 0; i < st->n; i++) v[i] = st->pop[i].score;
            qsort(v, (size_t)st->n, sizeof *v, cmp_double);
            p->best = v[st->n - 1];
            p->median = st->n % 2 ? v[st->n / 2] : 0.5 * (v[st->n / 2 - 1] + v[st->n / 2]);
            free(v);
        }
    }
    p->scored = st->scored;
    p->rej_layers = st->rej_layers;
    p->rej_params = st->rej_params;
    p->rej_flops = st->rej_flops;
    p->rej_nan = st->rej_nan;
    p->seconds = now_seconds() - t0;
}

/* 1. the population back to its size (AZ-NAS' variant keeps every member) */
static void trim(zci_evo *st)
{
    while (!st->k && st->n > st->o->population) {
        int k = 0;
        for (int i = 1; i < st->n; i++)
            if (st->pop[i].score < st->pop[k].score) k = i;
        memmove(st->pop + k, st->pop + k + 1, (size_t)(st->n - k - 1) * sizeof *st->pop);
        memmove(st->archs + (size_t)k * st->asz, st->archs + (size_t)(k + 1) * st->asz,
                (size_t)(st->n - k - 1) * st->asz);
        st->n--;
    }
}

/* 2-4. candidate `iteration`: a child into `child` (its string into `str`) and the budgets' verdict
 * (c->status ZC_EVO_SCORED when it is to be scored). */
static zc_status draw(zci_evo *st, long iteration, void *child, char *str, zc_evo_candidate *c, zci_evo_member *m)
{
    const zc_evo_opts *o = st->o;
    const zc_space_ctx *sp = o->space;
    zc_status rc = ZC_OK;
    if (st->n <= 10) {
        rc = zc_space_mutate(sp, st->initial, 1, &st->rng, child);
    } else {
        /* AZ-NAS from population - 1 members on: one of the population - 1 best (Python's
         * [-(P - 1):] is everything for P = 1) */
        int top = o->population - 1, parent = 0;
        if (st->k && st->n >= top && top >= 1) rc = pick_top(st, top, &parent);
        else parent = (int)zc_rng_below(&st->rng, (uint64_t)st->n);
        if (rc == ZC_OK) rc = zc_space_mutate(sp, st->archs + (size_t)parent * st->asz, 2, &st->rng, child);
    }
    if (rc != ZC_OK) return rc;
    zc_cost cost;
    if ((rc = zc_space_cost(sp, child, &cost)) != ZC_OK) return rc;
    memset(m, 0, sizeof *m);
    m->flops = cost.flops;
    m->params = cost.params;
    m->layers = cost.layers;
    memset(c, 0, sizeof *c);
    c->iteration = iteration;
    if ((rc = zc_space_format(sp, child, str, sp->space->str_max)) != ZC_OK) return rc;
    c->arch = str;
    c->flops = m->flops;
    c->params = m->params;
    c->layers = m->layers;
    c->score = NAN;
    if (o->max_layers > 0 && m->layers > o->max_layers) c->status = ZC_EVO_REJ_LAYERS;
    else if (o->budget_params > 0 && !(m->params <= o->budget_params)) c->status = ZC_EVO_REJ_PARAMS;
    else if (o->budget_flops > 0 && !(m->flops <= o->budget_flops)) c->status = ZC_EVO_REJ_FLOPS;
    else c->status = ZC_EVO_SCORED;
    return ZC_OK;
}

/* 5. after the fitness (rc, and raw sub-scores or m->score): the child joins or is rejected as NaN;
 * counted, logged, and the iteration advances. */
static zc_status settle(zci_evo *st, zc_evo_candidate *c, zci_evo_member *m, const void *child, zc_status rc,
                        const double *raw)
{
    if (c->status == ZC_EVO_SCORED) {
        int all_nan = st->k > 0;   /* (aggregate) a numeric failure: every sub-score NaN */
        for (int j = 0; rc == ZC_OK && j < st->k; j++) all_nan &= isnan(raw[j]);
        if (rc == ZC_OK && st->k && !all_nan) {   /* sub-scores may be -inf or NaN: the aggregate ranks them */
            m->score = NAN;
            if ((rc = zci_evo_push(st, m, child, raw)) != ZC_OK || (rc = zci_evo_rescore(st)) != ZC_OK) return rc;
            c->score = st->pop[st->n - 1].score;
        } else if (rc == ZC_ENUM || (rc == ZC_OK && (st->k ? all_nan : !isfinite(m->score)))) {
            zc_clear_error();
            c->status = ZC_EVO_REJ_NAN;
        } else if (rc != ZC_OK) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", zc_last_error());
            return zc_fail(rc, "iteration %ld, %s: %s", c->iteration, c->arch, msg);
        } else {
            c->score = m->score;
            if ((rc = zci_evo_push(st, m, child, NULL)) != ZC_OK) return rc;
        }
    }
    st->rejected_in_row = c->status == ZC_EVO_SCORED ? 0 : st->rejected_in_row + 1;
    if (st->k && st->rejected_in_row > MAX_REJECTED_IN_ROW)
        return zc_fail(ZC_EINVAL, "search: %ld candidates in a row rejected (budget or layers): nothing near the initial "
                                  "architecture fits", st->rejected_in_row - 1);
    switch (c->status) {
    case ZC_EVO_SCORED: st->scored++; break;
    case ZC_EVO_REJ_LAYERS: st->rej_layers++; break;
    case ZC_EVO_REJ_PARAMS: st->rej_params++; break;
    case ZC_EVO_REJ_FLOPS: st->rej_flops++; break;
    default: st->rej_nan++; break;
    }
    if ((rc = zci_evo_log(st, c)) != ZC_OK) return rc;
    st->iteration++;
    return ZC_OK;
}

/* One iteration of the official loop: the fitness seeded by (seed, iteration). */
static zc_status step(zci_evo *st, zc_evo_candidate *c)
{
    trim(st);
    zci_evo_member m;
    zc_status rc = draw(st, st->iteration, st->child, st->str, c, &m);
    if (rc != ZC_OK) return rc;
    double raw[16];
    if (c->status == ZC_EVO_SCORED) {
        double t0 = now_seconds();
        uint64_t stream = (uint64_t)st->iteration;
        rc = st->o->fitness(st->o->fitness_ctx, st->child, 1, &stream, st->k ? raw : &m.score);
        c->seconds = now_seconds() - t0;
    }
    return settle(st, c, &m, st->child, rc, raw);
}

/* The batch mode (opts.batch = B > 1): the population is trimmed once, then B children are drawn
 * from it as the loop would draw them (each from the population as it stands, without its
 * batch-mates), all scored together (over the threads and the MPI ranks) and settled in order.
 * Candidate j of a batch is iteration i + j with stream i + j, as in the loop. */
static zc_status step_batch(zci_evo *st, int B, zc_evo_candidate *cs, int *n_out)
{
    *n_out = 0;
    trim(st);
    size_t strm = st->o->space->space->str_max;
    zci_evo_member *ms = st->batch_members;
    int scored = 0;
    zc_status rc = ZC_OK;
    for (int j = 0; j < B && rc == ZC_OK; j++) {
        rc = draw(st, st->iteration + j, st->batch_archs + (size_t)j * st->asz, st->batch_strs + (size_t)j * strm,
                  &cs[j], &ms[j]);
        if (rc == ZC_OK && cs[j].status == ZC_EVO_SCORED) {
            memcpy(st->batch_scored + (size_t)scored * st->asz, st->batch_archs + (size_t)j * st->asz, st->asz);
            st->batch_streams[scored++] = (uint64_t)(st->iteration + j);
        }
    }
    if (rc != ZC_OK) return rc;
    int w = st->k ? st->k : 1;
    double t0 = now_seconds(), secs = 0;
    zc_status frc = scored ? st->o->fitness(st->o->fitness_ctx, st->batch_scored, scored, st->batch_streams, st->batch_values)
                           : ZC_OK;
    if (scored) secs = (now_seconds() - t0) / scored;
    /* a numeric failure of the batch as a whole cannot be pinned on one child: the run scores with
     * NaN per architecture, so any other failure stops the search */
    if (frc != ZC_OK) return frc;
    for (int j = 0, s = 0; j < B && rc == ZC_OK; j++) {
        const double *v = NULL;
        if (cs[j].status == ZC_EVO_SCORED) {
            v = st->batch_values + (size_t)s * w;
            if (!st->k) ms[j].score = v[0];
            cs[j].seconds = secs;
            s++;
        }
        rc = settle(st, &cs[j], &ms[j], st->batch_archs + (size_t)j * st->asz, ZC_OK, v);
        if (rc == ZC_OK) (*n_out)++;
    }
    return rc;
}

static zc_status check_opts(const zc_evo_opts *o)
{
    if (!o->space) return zc_fail(ZC_EINVAL, "search: no space");
    if (!o->space->space->mutate) return zc_fail(ZC_EUNSUPPORTED, "search: %s has no mutation", o->space->space->name);
    if (o->iterations < 0) return zc_fail(ZC_EINVAL, "search: --iterations must be >= 0");
    if (o->population < 1) return zc_fail(ZC_EINVAL, "search: --population must be >= 1");
    if (o->batch < 0 || o->batch > 1000000) return zc_fail(ZC_EINVAL, "search: --batch must be between 1 and 1000000");
    if (!o->fitness) return zc_fail(ZC_EINVAL, "search: no fitness");
    if (o->resume && !o->checkpoint_path) return zc_fail(ZC_EINVAL, "search: resume needs a checkpoint path");
    if (o->aggregate && zc_aggregate_n_columns(o->aggregate) > 16)
        return zc_fail(ZC_EINVAL, "search: aggregate %s has more than 16 columns", o->aggregate->name);
    return ZC_OK;
}

static void evo_free(zci_evo *st)
{
    free(st->pop);
    free(st->archs);
    free(st->raw);
    free(st->initial);
    free(st->child);
    free(st->str);
    free(st->batch_archs);
    free(st->batch_scored);
    free(st->batch_strs);
    free(st->batch_streams);
    free(st->batch_values);
    free(st->batch_members);
    free(st->batch_cands);
}

zc_status zc_evo_search(const zc_evo_opts *o, zc_evo_result *res)
{
    memset(res, 0, sizeof *res);
    res->best_score = NAN;
    zc_status rc = check_opts(o);
    if (rc != ZC_OK) return rc;
    const zc_space_ctx *sp = o->space;
    zci_evo st;
    memset(&st, 0, sizeof st);
    st.o = o;
    st.asz = sp->space->arch_size;
    st.k = o->aggregate ? zc_aggregate_n_columns(o->aggregate) : 0;
    st.initial = calloc(1, st.asz);
    st.child = calloc(1, st.asz);
    st.str = malloc(sp->space->str_max);
    int B = o->batch > 1 ? o->batch : 1;
    if (B > 1) {
        st.batch_archs = calloc((size_t)B, st.asz);
        st.batch_scored = calloc((size_t)B, st.asz);
        st.batch_strs = malloc((size_t)B * sp->space->str_max);
        st.batch_streams = calloc((size_t)B, sizeof *st.batch_streams);
        st.batch_values = calloc((size_t)B * (st.k ? st.k : 1), sizeof *st.batch_values);
        st.batch_members = calloc((size_t)B, sizeof *st.batch_members);
        st.batch_cands = calloc((size_t)B, sizeof *st.batch_cands);
    }
    if (!st.initial || !st.child || !st.str ||
        (B > 1 && (!st.batch_archs || !st.batch_scored || !st.batch_strs || !st.batch_streams || !st.batch_values ||
                   !st.batch_members || !st.batch_cands))) {
        evo_free(&st);
        return zc_fail(ZC_ENOMEM, "search: out of memory");
    }
    zc_rng_seed(&st.rng, o->seed, ZCI_EVO_STREAM);
    const char *initial = o->initial ? o->initial : sp->space->initial;
    if (initial) {
        rc = zc_space_parse(sp, initial, st.initial);
    } else if (!sp->space->sample || !sp->space->mutate) {
        rc = zc_fail(ZC_EUNSUPPORTED, "evolution: %s cannot be sampled and mutated", sp->space->name);
    } else {
        zc_rng r;
        zc_rng_seed(&r, o->seed, ZCI_EVO_STREAM + 1);
        sp->space->sample(sp, &r, st.initial);
    }
    if (rc != ZC_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", zc_last_error());
        evo_free(&st);
        return zc_fail(rc, "search: initial architecture: %s", msg);
    }
    /* The initial architecture must build at the scoring settings (e.g. its total stride fits the
     * input size), or every child fails. */
    zc_build_opts bo = {0, 1, 1, 0};
    zc_net *probe = zc_space_build(sp, st.initial, &bo);
    if (!probe) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", zc_last_error());
        evo_free(&st);
        return zc_fail(ZC_EINVAL, "search: the initial architecture does not build at %dx%d: %s", sp->cfg.resolution,
                       sp->cfg.resolution, msg);
    }
    zc_net_free(probe);
    int resumed = 0;
    if (o->resume) {
        FILE *f = fopen(o->checkpoint_path, "r");
        if (f) {
            rc = zci_evo_read_checkpoint(&st, f);
            fclose(f);
            if (rc == ZC_OK) rc = zci_evo_rescore(&st);
            if (rc != ZC_OK) { evo_free(&st); return rc; }
            resumed = 1;
        } else if (errno != ENOENT) {
            evo_free(&st);
            return zc_fail(ZC_EIO, "%s: %s", o->checkpoint_path, strerror(errno));
        }
    }
    res->resumed_from = DONE(&st);
    if ((rc = zci_evo_open_log(&st, resumed)) != ZC_OK) { evo_free(&st); return rc; }
    double t0 = now_seconds(), last = t0;
    zc_evo_progress pr;
    while (rc == ZC_OK && DONE(&st) < o->iterations) {
        if (o->stop && *o->stop) { res->interrupted = 1; break; }
        long before = st.iteration;
        zc_evo_candidate one, *cs = &one;
        int nc = 1;
        if (B > 1) {
            long left = o->iterations - DONE(&st);
            cs = st.batch_cands;
            rc = step_batch(&st, left < B ? (int)left : B, cs, &nc);
        } else {
            rc = step(&st, &one);
        }
        if (rc != ZC_OK) break;
        for (int j = 0; j < nc && o->on_candidate; j++) o->on_candidate(o->ctx, &cs[j]);
        /* a checkpoint when a multiple of checkpoint_every was reached (in the batch mode: passed) */
        if (o->checkpoint_path && o->checkpoint_every > 0 && st.iteration / o->checkpoint_every != before / o->checkpoint_every)
            rc = zci_evo_write_checkpoint(&st);
        double t = now_seconds();
        if (o->on_progress && (t - last >= o->progress_seconds || DONE(&st) == o->iterations)) {
            progress(&st, res->resumed_from, t0, &pr);
            o->on_progress(o->ctx, &pr);
            last = t;
        }
    }
    if (rc == ZC_OK && o->stop && *o->stop && DONE(&st) < o->iterations) res->interrupted = 1;
    if (rc == ZC_OK && o->checkpoint_path) rc = zci_evo_write_checkpoint(&st);
    zc_status lc = zci_evo_close_log(&st);
    if (rc == ZC_OK) rc = lc;
    if (rc == ZC_OK) {
        int b = -1;
        for (int i = 0; i < st.n; i++)
            if (b < 0 || st.pop[i].score > st.pop[b].score) b = i;
        if (b >= 0) {
            if ((rc = zc_space_format(sp, st.archs + (size_t)b * st.asz, st.str, sp->space->str_max)) == ZC_OK &&
                !(res->best = strdup(st.str)))
                rc = zc_fail(ZC_ENOMEM, "search: out of memory");
            res->best_score = st.pop[b].score;
            res->best_flops = st.pop[b].flops;
            res->best_params = st.pop[b].params;
            res->best_layers = st.pop[b].layers;
        }
        res->iterations = st.iteration;
        res->members = st.n;
        res->scored = st.scored;
        res->rej_layers = st.rej_layers;
        res->rej_params = st.rej_params;
        res->rej_flops = st.rej_flops;
        res->rej_nan = st.rej_nan;
        res->seconds = now_seconds() - t0;
    }
    evo_free(&st);
    return rc;
}
