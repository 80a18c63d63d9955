/* ZiCo's evolutionary search on the ZenNAS PlainNet space (ZiCo/ZenNAS evolution_search.py):
 *
 *   for each iteration:
 *     while |pop| > E: remove the member with the smallest score (first occurrence)
 *     child = |pop| <= 10 ? mutate(initial structure, 1) : mutate(uniform member, 2)
 *     split every SuperResIDW block with L >= 6
 *     reject (the iteration is still used) when layers > max_layers, params > budget or
 *       FLOPs > budget, counted on the residual version at the budget resolution
 *     score ZiCo on the residual-free network (N batches reused for every candidate) and append
 *   answer = the max-score member of the final population (first occurrence)
 *
 * Differences from the official code, all deliberate: the random stream is our own seeded zc_rng
 * (one stream for every decision, saved exactly in the checkpoint), and each candidate's init is
 * seeded by (seed, iteration) instead of being unseeded; a candidate whose ZiCo is not finite is
 * logged as "nan" and not appended (Python would append the NaN and then min/max become
 * order-dependent). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "zcnas/backend.h"
#include "zcnas/search.h"

#define MAIN_STREAM 0xFFFFFFFFFFFFFF00ull   /* candidates use streams 0.. (their iteration) */
#define CKPT_MAGIC "zcnas-zennas-checkpoint 1"

const char *zc_zennas_status_name(int status)
{
    static const char *const names[] = {"scored", "layers", "params", "flops", "nan"};
    return status >= 0 && status <= ZC_ZENNAS_REJ_NAN ? names[status] : "?";
}

void zc_zennas_opts_default(zc_zennas_opts *o)
{
    memset(o, 0, sizeof *o);
    o->iterations = 100000;
    o->population = 512;
    o->budget_resolution = 224;
    o->resolution = 224;
    o->num_classes = 1000;
    o->threads = 1;
    o->progress_seconds = 5.0;
}

zc_status zc_zennas_score(const zc_plainnet *s, int num_classes, int resolution,
                          const zc_backend *backend, const zc_batch *batches, int n_batches,
                          int paper_std, uint64_t seed, uint64_t stream, double *score)
{
    zc_plainnet_config cfg = zc_plainnet_default_config(num_classes, resolution);
    cfg.no_reslink = 1;
    cfg.use_se = 0;
    zc_net *net = zc_plainnet_build(s, &cfg);
    if (!net) return ZC_EINVAL;
    zc_net_set_backend(net, backend ? backend : zc_backend_default());
    zc_rng rng;
    zc_rng_seed(&rng, seed, stream);
    zc_net_init_default(net, &rng);
    zc_status st = zc_zico_net(net, batches, n_batches, paper_std, score);
    zc_net_free(net);
    return st;
}

/* ------------------------------------------------------------------ state */

typedef struct member {
    zc_plainnet s;
    double score, flops;
    int64_t params;
    int layers;
} member;

typedef struct state {
    const zc_zennas_opts *o;
    zc_plainnet initial;
    zc_rng rng;
    long iteration;
    long scored, rej_layers, rej_params, rej_flops, rej_nan;
    member *pop;
    int n, cap;
    FILE *log;
    long log_offset;   /* of the checkpoint being loaded */
} state;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static zc_status push(state *st, const member *m)
{
    if (st->n == st->cap) {
        int c = st->cap ? st->cap * 2 : 64;
        member *p = realloc(st->pop, (size_t)c * sizeof *p);
        if (!p) return zc_fail(ZC_ENOMEM, "search: out of memory for the population");
        st->pop = p;
        st->cap = c;
    }
    st->pop[st->n++] = *m;
    return ZC_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void progress(const state *st, long start, double t0, zc_zennas_progress *p)
{
    memset(p, 0, sizeof *p);
    p->start = start;
    p->iteration = st->iteration;
    p->iterations = st->o->iterations;
    p->population = st->n;
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

/* ------------------------------------------------------------------ checkpoint */

static zc_status write_checkpoint(state *st)
{
    const zc_zennas_opts *o = st->o;
    long offset = 0;
    if (st->log) {
        if (fflush(st->log) != 0) return zc_fail(ZC_EIO, "%s: write failed: %s", o->log_path, strerror(errno));
        offset = ftell(st->log);
        if (offset < 0) return zc_fail(ZC_EIO, "%s: %s", o->log_path, strerror(errno));
    }
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", o->checkpoint_path) >= (int)sizeof tmp)
        return zc_fail(ZC_EINVAL, "checkpoint path too long");
    FILE *f = fopen(tmp, "w");
    if (!f) return zc_fail(ZC_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    fprintf(f, "%s\nfingerprint %s\niteration %ld\n", CKPT_MAGIC, o->fingerprint ? o->fingerprint : "", st->iteration);
    fprintf(f, "rng %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n", st->rng.s[0], st->rng.s[1],
            st->rng.s[2], st->rng.s[3]);
    fprintf(f, "counters %ld %ld %ld %ld %ld\nlog_offset %ld\npopulation %d\n", st->scored, st->rej_layers,
            st->rej_params, st->rej_flops, st->rej_nan, offset, st->n);
    zc_status rc = ZC_OK;
    for (int i = 0; i < st->n && rc == ZC_OK; i++) {
        char buf[ZC_PLAINNET_STR_MAX];
        rc = zc_plainnet_format(&st->pop[i].s, buf, sizeof buf);
        /* %a: the score comes back bit for bit */
        fprintf(f, "%a %.17g %" PRId64 " %d %s\n", st->pop[i].score, st->pop[i].flops, st->pop[i].params,
                st->pop[i].layers, buf);
    }
    fprintf(f, "end\n");
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        remove(tmp);
        return zc_fail(ZC_EIO, "%s: write failed", tmp);
    }
    if (rc != ZC_OK) { remove(tmp); return rc; }
    if (rename(tmp, o->checkpoint_path) != 0) {
        remove(tmp);
        return zc_fail(ZC_EIO, "%s: cannot replace: %s", o->checkpoint_path, strerror(errno));
    }
    return ZC_OK;
}

static zc_status ckpt_bad(const char *path, const char *what)
{
    return zc_fail(ZC_EDATA, "%s: not a valid search checkpoint (%s)", path, what);
}

static zc_status read_checkpoint(state *st, FILE *f)
{
    const zc_zennas_opts *o = st->o;
    const char *path = o->checkpoint_path;
    char line[ZC_PLAINNET_STR_MAX + 4096];
    if (!fgets(line, sizeof line, f) || strncmp(line, CKPT_MAGIC, strlen(CKPT_MAGIC)))
        return ckpt_bad(path, "bad first line");
    if (!fgets(line, sizeof line, f) || strncmp(line, "fingerprint ", 12)) return ckpt_bad(path, "no fingerprint");
    line[strcspn(line, "\n")] = 0;
    const char *fp = o->fingerprint ? o->fingerprint : "";
    if (strcmp(line + 12, fp)) {
        /* name the first differing "key=value" item */
        const char *a = line + 12, *b = fp;
        while (*a && *a == *b) a++, b++;
        while (a > line + 12 && a[-1] != ' ') a--, b--;
        int la = (int)strcspn(a, " "), lb = (int)strcspn(b, " ");
        return zc_fail(ZC_EINVAL, "%s: written by a search with other options or data (%.*s, now %.*s); resume with the "
                                  "same options, or start a new search elsewhere", path, la, a, lb, b);
    }
    int n;
    if (!fgets(line, sizeof line, f) || sscanf(line, "iteration %ld", &st->iteration) != 1 || st->iteration < 0)
        return ckpt_bad(path, "iteration");
    if (!fgets(line, sizeof line, f) ||
        sscanf(line, "rng %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64, &st->rng.s[0], &st->rng.s[1], &st->rng.s[2],
               &st->rng.s[3]) != 4)
        return ckpt_bad(path, "rng");
    if (!fgets(line, sizeof line, f) ||
        sscanf(line, "counters %ld %ld %ld %ld %ld", &st->scored, &st->rej_layers, &st->rej_params, &st->rej_flops,
               &st->rej_nan) != 5)
        return ckpt_bad(path, "counters");
    if (!fgets(line, sizeof line, f) || sscanf(line, "log_offset %ld", &st->log_offset) != 1 || st->log_offset < 0)
        return ckpt_bad(path, "log_offset");
    if (!fgets(line, sizeof line, f) || sscanf(line, "population %d", &n) != 1 || n < 0 || n > 100000000)
        return ckpt_bad(path, "population");
    for (int i = 0; i < n; i++) {
        member m;
        char *end;
        if (!fgets(line, sizeof line, f)) return ckpt_bad(path, "truncated population");
        line[strcspn(line, "\n")] = 0;
        m.score = strtod(line, &end);
        if (end == line || *end != ' ') return ckpt_bad(path, "score");
        char *p = end + 1;
        m.flops = strtod(p, &end);
        if (end == p || *end != ' ') return ckpt_bad(path, "flops");
        p = end + 1;
        m.params = strtoll(p, &end, 10);
        if (end == p || *end != ' ') return ckpt_bad(path, "params");
        p = end + 1;
        m.layers = (int)strtol(p, &end, 10);
        if (end == p || *end != ' ') return ckpt_bad(path, "layers");
        if (zc_plainnet_parse(end + 1, &m.s) != ZC_OK)
            return zc_fail(ZC_EDATA, "%s: population member %d: %s", path, i + 1, zc_last_error());
        zc_status rc = push(st, &m);
        if (rc != ZC_OK) return rc;
    }
    if (!fgets(line, sizeof line, f) || strcmp(line, "end\n")) return ckpt_bad(path, "no end line (truncated?)");
    return ZC_OK;
}

/* ------------------------------------------------------------------ log */

static zc_status open_log(state *st, int resumed)
{
    const char *path = st->o->log_path;
    if (!path) return ZC_OK;
    if (!resumed) {
        st->log = fopen(path, "w");
        if (!st->log) return zc_fail(ZC_EIO, "%s: cannot write: %s", path, strerror(errno));
        fprintf(st->log, "iteration,structure,flops,params,layers,score,status\n");
        return ZC_OK;
    }
    /* Rows written after the checkpoint are dropped: the resumed run writes them again. */
    struct stat sb;
    if (stat(path, &sb) != 0) return zc_fail(ZC_EIO, "%s: the candidate log of the checkpointed search is missing", path);
    if ((long)sb.st_size < st->log_offset)
        return zc_fail(ZC_EDATA, "%s: shorter (%ld bytes) than the checkpoint says (%ld)", path, (long)sb.st_size,
                       st->log_offset);
    if (truncate(path, (off_t)st->log_offset) != 0) return zc_fail(ZC_EIO, "%s: cannot cut: %s", path, strerror(errno));
    st->log = fopen(path, "a");
    if (!st->log) return zc_fail(ZC_EIO, "%s: cannot append: %s", path, strerror(errno));
    return ZC_OK;
}

/* ------------------------------------------------------------------ the search */

static zc_status step(state *st, zc_zennas_candidate *c)
{
    const zc_zennas_opts *o = st->o;
    /* 1. the population back to its size */
    while (st->n > o->population) {
        int k = 0;
        for (int i = 1; i < st->n; i++)
            if (st->pop[i].score < st->pop[k].score) k = i;
        memmove(st->pop + k, st->pop + k + 1, (size_t)(st->n - k - 1) * sizeof *st->pop);
        st->n--;
    }
    /* 2-3. a child, split */
    member m;
    zc_status rc;
    if (st->n <= 10) {
        rc = zc_plainnet_mutate_ex(&st->initial, 1, o->uniform_mutation, &st->rng, &m.s);
    } else {
        int parent = (int)zc_rng_below(&st->rng, (uint64_t)st->n);
        rc = zc_plainnet_mutate_ex(&st->pop[parent].s, 2, o->uniform_mutation, &st->rng, &m.s);
    }
    if (rc == ZC_OK) rc = zc_plainnet_split(&m.s, 6, &m.s);
    if (rc != ZC_OK) return rc;
    /* 4. budgets on the residual version at the budget resolution */
    zc_plainnet_config bc = zc_plainnet_default_config(1000, o->budget_resolution);
    if ((rc = zc_plainnet_cost(&m.s, &bc, &m.flops, &m.params, &m.layers)) != ZC_OK) return rc;
    memset(c, 0, sizeof *c);
    c->iteration = st->iteration;
    if ((rc = zc_plainnet_format(&m.s, c->structure, sizeof c->structure)) != ZC_OK) return rc;
    c->flops = m.flops;
    c->params = m.params;
    c->layers = m.layers;
    c->score = NAN;
    if (o->max_layers > 0 && m.layers > o->max_layers) c->status = ZC_ZENNAS_REJ_LAYERS;
    else if (o->budget_params > 0 && !((double)m.params <= o->budget_params)) c->status = ZC_ZENNAS_REJ_PARAMS;
    else if (o->budget_flops > 0 && !(m.flops <= o->budget_flops)) c->status = ZC_ZENNAS_REJ_FLOPS;
    else {
        /* 5. ZiCo on the residual-free network */
        double t0 = now_seconds();
        rc = zc_zennas_score(&m.s, o->num_classes, o->resolution, o->backend, o->batches, o->n_batches, o->paper_std,
                             o->seed, (uint64_t)st->iteration, &m.score);
        c->seconds = now_seconds() - t0;
        if (rc == ZC_ENUM || (rc == ZC_OK && !isfinite(m.score))) {
            zc_clear_error();
            c->status = ZC_ZENNAS_REJ_NAN;
        } else if (rc != ZC_OK) {
            return zc_fail(rc, "iteration %ld, %s: %s", st->iteration, c->structure, zc_last_error());
        } else {
            c->status = ZC_ZENNAS_SCORED;
            c->score = m.score;
            if ((rc = push(st, &m)) != ZC_OK) return rc;
        }
    }
    switch (c->status) {
    case ZC_ZENNAS_SCORED: st->scored++; break;
    case ZC_ZENNAS_REJ_LAYERS: st->rej_layers++; break;
    case ZC_ZENNAS_REJ_PARAMS: st->rej_params++; break;
    case ZC_ZENNAS_REJ_FLOPS: st->rej_flops++; break;
    default: st->rej_nan++; break;
    }
    if (st->log) {
        fprintf(st->log, "%ld,\"%s\",%.17g,%" PRId64 ",%d,", c->iteration, c->structure, c->flops, c->params, c->layers);
        if (isnan(c->score)) fprintf(st->log, "nan");
        else fprintf(st->log, "%.17g", c->score);
        fprintf(st->log, ",%s\n", zc_zennas_status_name(c->status));
        if (ferror(st->log)) return zc_fail(ZC_EIO, "%s: write failed", o->log_path);
    }
    st->iteration++;
    return ZC_OK;
}

static zc_status check_opts(const zc_zennas_opts *o)
{
    if (o->iterations < 0) return zc_fail(ZC_EINVAL, "search: --iterations must be >= 0");
    if (o->population < 1) return zc_fail(ZC_EINVAL, "search: --population must be >= 1");
    if (o->budget_resolution < 1 || o->resolution < 1) return zc_fail(ZC_EINVAL, "search: resolutions must be >= 1");
    if (o->num_classes < 1) return zc_fail(ZC_EINVAL, "search: --num-classes must be >= 1");
    if (!o->batches || o->n_batches < 1) return zc_fail(ZC_EINVAL, "search: ZiCo needs at least one batch");
    for (int i = 0; i < o->n_batches; i++)
        if (o->batches[i].c != 3 || o->batches[i].h != o->resolution || o->batches[i].w != o->resolution)
            return zc_fail(ZC_EINVAL, "search: batch %d is %dx%dx%d, the search scores 3x%dx%d images", i,
                           o->batches[i].c, o->batches[i].h, o->batches[i].w, o->resolution, o->resolution);
    if (o->resume && !o->checkpoint_path) return zc_fail(ZC_EINVAL, "search: resume needs a checkpoint path");
    return ZC_OK;
}

zc_status zc_zennas_search(const zc_zennas_opts *o, zc_zennas_result *res)
{
    memset(res, 0, sizeof *res);
    res->best_score = NAN;
    zc_status rc = check_opts(o);
    if (rc != ZC_OK) return rc;
    state st;
    memset(&st, 0, sizeof st);
    st.o = o;
    if ((rc = zc_plainnet_parse(o->initial ? o->initial : ZC_PLAINNET_INITIAL_STRUCTURE, &st.initial)) != ZC_OK)
        return zc_fail(rc, "search: initial structure: %s", zc_last_error());
    /* The smallest output map must keep at least one pixel. */
    int stride = 1;
    for (int i = 0; i < st.initial.n; i++) stride *= st.initial.blocks[i].stride;
    if (o->resolution / stride < 1)
        return zc_fail(ZC_EINVAL, "search: resolution %d is below the structure's total stride %d", o->resolution, stride);
    zc_rng_seed(&st.rng, o->seed, MAIN_STREAM);
    int resumed = 0;
    if (o->resume) {
        FILE *f = fopen(o->checkpoint_path, "r");
        if (f) {
            rc = read_checkpoint(&st, f);
            fclose(f);
            if (rc != ZC_OK) { free(st.pop); return rc; }
            resumed = 1;
        } else if (errno != ENOENT) {
            return zc_fail(ZC_EIO, "%s: %s", o->checkpoint_path, strerror(errno));
        }
    }
    res->resumed_from = st.iteration;
    if ((rc = open_log(&st, resumed)) != ZC_OK) { free(st.pop); return rc; }
    if (o->backend && o->backend->thread_init) o->backend->thread_init(o->threads > 0 ? o->threads : 1);
    else if (!o->backend && zc_backend_default()->thread_init) zc_backend_default()->thread_init(o->threads > 0 ? o->threads : 1);
    double t0 = now_seconds(), last = t0;
    zc_zennas_progress pr;
    while (rc == ZC_OK && st.iteration < o->iterations) {
        if (o->stop && *o->stop) { res->interrupted = 1; break; }
        zc_zennas_candidate c;
        rc = step(&st, &c);
        if (rc != ZC_OK) break;
        if (o->on_candidate) o->on_candidate(o->ctx, &c);
        if (o->checkpoint_path && o->checkpoint_every > 0 && st.iteration % o->checkpoint_every == 0)
            rc = write_checkpoint(&st);
        double t = now_seconds();
        if (o->on_progress && (t - last >= o->progress_seconds || st.iteration == o->iterations)) {
            progress(&st, res->resumed_from, t0, &pr);
            o->on_progress(o->ctx, &pr);
            last = t;
        }
    }
    if (rc == ZC_OK && o->stop && *o->stop && st.iteration < o->iterations) res->interrupted = 1;
    if (rc == ZC_OK && o->checkpoint_path) rc = write_checkpoint(&st);
    if (st.log) {
        if (fclose(st.log) != 0 && rc == ZC_OK) rc = zc_fail(ZC_EIO, "%s: write failed", o->log_path);
        st.log = NULL;
    }
    if (rc == ZC_OK) {
        int b = -1;
        for (int i = 0; i < st.n; i++)
            if (b < 0 || st.pop[i].score > st.pop[b].score) b = i;
        if (b >= 0) {
            rc = zc_plainnet_format(&st.pop[b].s, res->best, sizeof res->best);
            res->best_score = st.pop[b].score;
            res->best_flops = st.pop[b].flops;
            res->best_params = st.pop[b].params;
            res->best_layers = st.pop[b].layers;
        }
        res->iterations = st.iteration;
        res->population = st.n;
        res->scored = st.scored;
        res->rej_layers = st.rej_layers;
        res->rej_params = st.rej_params;
        res->rej_flops = st.rej_flops;
        res->rej_nan = st.rej_nan;
        res->seconds = now_seconds() - t0;
    }
    free(st.pop);
    return rc;
}
