/* The scoring context (zcnas/run.h): data from the proxies' declared needs, lanes of batches drawn
 * once per run, and parallel scoring. Workers take architectures from a shared counter; finished
 * results wait in a slot array and are handed to the callback strictly in input order. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "zcnas/cost.h"
#include "zcnas/images.h"
#include "zcnas/run.h"
#include "run_impl.h"

int zc_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

void zc_run_opts_default(zc_run_opts *o)
{
    memset(o, 0, sizeof *o);
    zc_proxy_opts_default(&o->proxy_opts);
    o->sampler = ZC_SAMPLER_RANDOM;
}

void zc_space_config_for_dataset(const zc_space *space, zc_dataset_kind kind, zc_space_config *cfg)
{
    if (cfg->num_classes <= 0 && space->num_classes >= 0)
        cfg->num_classes = space->num_classes > 0 ? space->num_classes : zc_dataset_classes(kind);
    if (cfg->resolution <= 0) cfg->resolution = space->resolution > 0 ? space->resolution : zc_dataset_resolution(kind);
}

static const zc_lane_size *override_of(const zc_run_opts *o, const char *lane)
{
    for (int i = 0; i < o->n_lanes; i++)
        if (o->lanes[i].lane && !strcmp(o->lanes[i].lane, lane)) return &o->lanes[i];
    return NULL;
}

static void free_lanes(zc_run *r)
{
    for (int i = 0; i < r->n_lanes; i++) {
        for (int b = 0; r->lanes[i].batches && b < r->lanes[i].n_batches; b++) zc_batch_free(&r->lanes[i].batches[b]);
        free(r->lanes[i].batches);
        r->lanes[i].batches = NULL;
    }
}

void zc_run_close(zc_run *r)
{
    if (!r) return;
    free_lanes(r);
    zc_dataset_free(&r->ds);
    free(r);
}

/* A lane from the caller's images: batch b holds images b * size, b * size + 1, ... modulo n. */
static zc_status slice_images(const zc_batch *img, int size, int n_batches, zc_batch *out)
{
    if (size > img->n)
        return zc_fail(ZC_EINVAL, "%d images given, fewer than one batch (give a smaller batch size or more images)",
                       img->n);
    size_t per = (size_t)img->c * img->h * img->w;
    for (int b = 0; b < n_batches; b++) {
        zc_batch *o = &out[b];
        *o = (zc_batch){.n = size, .c = img->c, .h = img->h, .w = img->w};
        o->x = malloc((size_t)size * per * sizeof *o->x);
        o->y = malloc((size_t)size * sizeof *o->y);
        if (!o->x || !o->y) return zc_fail(ZC_ENOMEM, "out of memory for a batch of %d images", size);
        for (int i = 0; i < size; i++) {
            size_t k = ((size_t)b * size + i) % (size_t)img->n;
            memcpy(o->x + i * per, img->x + k * per, per * sizeof *o->x);
            o->y[i] = img->y[k];
        }
    }
    return ZC_OK;
}

/* Every batch of a lane resized to the space's input size. */
static zc_status resize_lane(lane *l, int res)
{
    zc_status st = ZC_OK;
    for (int b = 0; st == ZC_OK && b < l->n_batches; b++) {
        zc_batch big = {0};
        if ((st = zc_batch_resize(&l->batches[b], res, &big)) == ZC_OK) {
            zc_batch_free(&l->batches[b]);
            l->batches[b] = big;
        }
    }
    return st;
}

/* Draws one lane: from the caller's images, the dataset (resized to the space's input when it differs) or an image
 * folder; the data seed is 2 * seed + the lane's offset, as `zcnas score` always drew it. */
static zc_status draw_lane(zc_run *r, lane *l)
{
    const zc_run_opts *o = &r->o;
    int res = o->space->cfg.resolution;
    uint64_t seed = o->seed * 2 + l->need.seed_offset;
    int augment = l->need.augment && o->augment;
    if (!(l->batches = calloc((size_t)l->n_batches, sizeof *l->batches)))
        return zc_fail(ZC_ENOMEM, "out of memory for the %s batches", l->name);
    zc_status st;
    if (o->images) {
        if ((st = slice_images(o->images, l->batch_size, l->n_batches, l->batches)) == ZC_OK && o->images->h != res)
            st = resize_lane(l, res);
    } else if (o->space->space->load_batches) {   /* the space reads its task's data and targets */
        st = o->space->space->load_batches(o->space, o->data_path, l->batch_size, l->n_batches, seed, l->batches);
    } else if (o->image_folder) {
        st = zc_image_batches(o->data_path, res, l->batch_size, l->n_batches, seed,
                              l->need.augment && !o->eval_transforms, l->batches);
    } else {
        zc_batch_opts bo = {l->batch_size, l->n_batches, o->sampler, seed, augment};
        if ((st = zc_batches_make(r->data, &bo, l->batches)) == ZC_OK && r->data->h != res) st = resize_lane(l, res);
    }
    if (st != ZC_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", zc_last_error());
        return zc_fail(st, "%s batches (%d x %d): %s", l->name, l->n_batches, l->batch_size, msg);
    }
    return ZC_OK;
}

zc_status zc_run_open(const zc_run_opts *opts, zc_run **out)
{
    *out = NULL;
    if (!opts || !opts->space) return zc_fail(ZC_EINVAL, "run: no search space");
    if (opts->n_proxies < 1 || opts->n_proxies > ZC_RUN_MAX_PROXIES)
        return zc_fail(ZC_EINVAL, "run: %d proxies (1..%d)", opts->n_proxies, ZC_RUN_MAX_PROXIES);
    zc_run *r = calloc(1, sizeof *r);
    if (!r) return zc_fail(ZC_ENOMEM, "run: out of memory");
    r->o = *opts;
    const zc_run_opts *o = &r->o;
    /* Lanes: one per distinct lane name among the proxies' image needs. */
    int need_images = 0;
    zc_status st = ZC_OK;
    for (int p = 0; p < o->n_proxies && st == ZC_OK; p++) {
        const zc_data_need *d = &o->proxies[p]->data;
        r->lane_of[p] = -1;
        if (d->input != ZC_INPUT_IMAGES) continue;
        need_images = 1;
        int k = 0;
        while (k < r->n_lanes && strcmp(r->lanes[k].name, d->lane)) k++;
        if (k == r->n_lanes) {
            if (k == ZC_RUN_MAX_LANES) { st = zc_fail(ZC_EINVAL, "run: too many data lanes"); break; }
            lane *l = &r->lanes[r->n_lanes++];
            l->name = d->lane;
            l->need = *d;
            const zc_lane_size *ov = override_of(o, d->lane);
            l->batch_size = ov && ov->batch_size > 0 ? ov->batch_size : d->batch_size;
            l->n_batches = ov && ov->n_batches > 0 ? ov->n_batches : d->n_batches;
            if (l->batch_size < 1 || l->n_batches < 1)
                st = zc_fail(ZC_EINVAL, "%s batches: %d x %d is not a batch size and count", l->name, l->n_batches,
                             l->batch_size);
        }
        r->lane_of[p] = k;
    }
    /* The data, once, when some proxy needs images. */
    if (st == ZC_OK && o->images) {
        const zc_batch *im = o->images;
        if (o->space->space->load_batches)
            st = zc_fail(ZC_EINVAL, "images: the %s space reads its own task data", o->space->space->name);
        else if (im->n < 1 || im->c < 1 || im->h < 1 || im->w < 1 || !im->x || !im->y || im->loss != ZC_LOSS_CE ||
                 im->y_dim > 1)
            st = zc_fail(ZC_EINVAL, "images: expected n x c x h x w float images (each size at least 1) and one "
                         "label per image");
        else {
            size_t n = (size_t)im->n * im->c * im->h * im->w;
            for (size_t k = 0; k < n && st == ZC_OK; k++)
                if (!isfinite(im->x[k])) st = zc_fail(ZC_ENUM, "images: value %zu (image %zu) is not finite", k,
                                                      k / ((size_t)im->c * im->h * im->w));
        }
        snprintf(r->source, sizeof r->source, "the caller's %d images of %dx%dx%d", im->n, im->c, im->h, im->w);
        r->records = im->n;
    } else if (st == ZC_OK && need_images && o->space->space->load_batches) {
        if (o->data_path) snprintf(r->source, sizeof r->source, "%s", o->data_path);
        else if (o->space->space->data_source) o->space->space->data_source(o->space, r->source, sizeof r->source);
        else snprintf(r->source, sizeof r->source, "$" ZC_DATA_ENV "/taskonomy");
    } else if (st == ZC_OK && need_images && !o->image_folder) {
        if (o->loaded) {
            r->data = o->loaded;
            snprintf(r->source, sizeof r->source, "%s", zc_dataset_name(o->loaded->kind));
        } else {
            zc_dataset_kind kind;
            const char *name = o->dataset ? o->dataset : o->space->space->dataset;
            if ((st = zc_dataset_kind_parse(name ? name : "cifar10", &kind)) == ZC_OK &&
                (st = zc_data_dataset_path(kind, o->data_path, r->source, sizeof r->source)) == ZC_OK &&
                (st = zc_dataset_load(&r->ds, kind, r->source)) == ZC_OK)
                r->data = &r->ds;
        }
        if (r->data) r->records = r->data->n;
    } else if (st == ZC_OK && need_images) {
        if (!o->data_path) st = zc_fail(ZC_EINVAL, "run: an image folder needs its path");
        else snprintf(r->source, sizeof r->source, "%s", o->data_path);
    }
    for (int k = 0; k < r->n_lanes && st == ZC_OK; k++) st = draw_lane(r, &r->lanes[k]);
    if (st != ZC_OK) {
        zc_run_close(r);
        return st;
    }
    *out = r;
    return ZC_OK;
}

const zc_run_opts *zc_run_options(const zc_run *r) { return &r->o; }

int zc_run_opts_n_scores(const zc_run_opts *o)
{
    int n = 0;
    for (int p = 0; p < o->n_proxies; p++) n += zc_proxy_n_outputs(o->proxies[p]);
    return n;
}

int zc_run_n_scores(const zc_run *r) { return zc_run_opts_n_scores(&r->o); }

const zc_batch *zc_run_lane(const zc_run *r, const char *name, int *n_batches, int *batch_size)
{
    for (int k = 0; k < r->n_lanes; k++)
        if (!strcmp(r->lanes[k].name, name)) {
            if (n_batches) *n_batches = r->lanes[k].n_batches;
            if (batch_size) *batch_size = r->lanes[k].batch_size;
            return r->lanes[k].batches;
        }
    return NULL;
}

const char *zc_run_data_source(const zc_run *r, int *records)
{
    if (records) *records = r->records;
    return r->source[0] ? r->source : NULL;
}

/* ---------------------------------------------------------------- parallel scoring */

struct zc_job {
    zc_run *run;
    const unsigned char *archs;
    int n;
    const uint64_t *streams;
    zc_result_fn on_result;
    void *ctx;
    pthread_mutex_t lock;
    int next;            /* next architecture to hand out */
    int delivered;       /* architectures already passed to the callback */
    char *done;          /* per architecture: result ready */
    double *scores, *seconds;
    zc_status status;    /* first failure */
    char error[1024];
    int stop;
    int workers;         /* threads scoring at once */
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Under the lock: deliver every result that is ready and next in order. */
static void flush_in_order(zc_job *j)
{
    int np = j->run->o.n_proxies, ns = zc_run_n_scores(j->run);
    while (!j->stop && j->delivered < j->n && j->done[j->delivered]) {
        int i = j->delivered++;
        if (j->on_result && j->on_result(j->ctx, i, j->scores + (size_t)i * ns, j->seconds + (size_t)i * np))
            j->stop = 1;
        if (j->run->o.on_progress) j->run->o.on_progress(j->run->o.progress_ctx, j->delivered, j->n);
    }
}

/* ---------------------------------------------------------------- memory guard */

double zc_machine_memory(void)
{
    double bytes = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    /* a container or a batch job sees less: its cgroup's limit (v2, then v1) */
    const char *limits[] = {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(limits[i], "r");
        double v;
        if (!f) continue;
        if (fscanf(f, "%lf", &v) == 1 && v > 0 && (bytes <= 0 || v < bytes)) bytes = v;
        fclose(f);
    }
    return bytes > 0 ? bytes : 0;
}

/* "512 KiB", "1.4 GiB", ... */
static const char *human_bytes(double v, char buf[32])
{
    const char *unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (v >= 1024 && u < 6) v /= 1024, u++;
    snprintf(buf, 32, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
    return buf;
}

/* Before an architecture's networks are built: its estimated need (zc_net_memory_bytes of a
 * shapes-only build, the largest over the proxies that allocate one) times the workers that may hold
 * such a network at once, against --max-memory or the machine's memory. */
static zc_status memory_check(const zc_run *r, const void *arch, int workers)
{
    const zc_run_opts *o = &r->o;
    double limit = o->max_memory > 0 ? o->max_memory : zc_machine_memory();
    int allocates = 0;
    for (int p = 0; p < o->n_proxies; p++) allocates |= o->proxies[p]->init != ZC_INIT_NONE;
    if (!allocates || limit <= 0) return ZC_OK;
    zc_build_opts bo = {0, 1, 1, 1};
    zc_net *net = zc_space_build(o->space, arch, &bo);
    if (!net) return ZC_EINVAL;
    double need = 0;
    int which = -1, batch = 1;
    for (int p = 0; p < o->n_proxies; p++) {
        const zc_proxy *px = o->proxies[p];
        if (px->init == ZC_INIT_NONE) continue;
        int b = r->lane_of[p] >= 0 ? r->lanes[r->lane_of[p]].batch_size : px->data.batch_size > 0 ? px->data.batch_size : 1;
        double bytes = (double)zc_net_memory_bytes(net, b) * (px->act_copies > 0 ? px->act_copies : 1);
        if (px->per_sample_grads) bytes += (double)b * (double)zc_net_param_count(net) * sizeof(float);
        if (bytes > need) need = bytes, which = p, batch = b;
    }
    zc_net_free(net);
    /* what the run holds already: the dataset and every lane's batches */
    double base = r->data ? (double)r->data->n * r->data->c * r->data->h * r->data->w : 0;
    for (int k = 0; k < r->n_lanes; k++) {
        const zc_batch *bt = &r->lanes[k].batches[0];
        base += (double)r->lanes[k].n_batches * bt->n * bt->c * bt->h * bt->w * sizeof(float);
    }
    if (need * workers + base <= limit) return ZC_OK;
    char each[128] = "", t[32];
    if (workers > 1) snprintf(each, sizeof each, " x %d worker threads = %s", workers, human_bytes(need * workers, t));
    char n1[32], n2[32], n3[64] = "";
    if (base >= 1024.0 * 1024) snprintf(n3, sizeof n3, " + data %s", human_bytes(base, n2));
    return zc_fail(ZC_ENOMEM, "refused before building: the network needs about %s for %s at batch %d%s%s, more "
                              "than %s (%s); lower the batch size%s or raise --max-memory",
                   human_bytes(need, n1), o->proxies[which]->name, batch, each, n3,
                   o->max_memory > 0 ? "--max-memory" : "this machine's memory", human_bytes(limit, n2),
                   workers > 1 ? " or --threads" : "");
}

/* One architecture's scores (the proxies in order) and seconds; on failure the message names it. */
static zc_status score_one(zc_run *run, const void *arch, uint64_t stream, int workers, double *scores,
                           double *seconds)
{
    const zc_run_opts *o = &run->o;
    zc_proxy_input in = {.space = o->space, .arch = arch, .seed = o->seed, .stream = stream};
    zc_status st = memory_check(run, arch, workers);
    for (int p = 0, slot = 0; p < o->n_proxies && st == ZC_OK; p++) {
        const lane *l = run->lane_of[p] >= 0 ? &run->lanes[run->lane_of[p]] : NULL;
        in.batches = l ? l->batches : NULL;
        in.n_batches = l ? l->n_batches : 0;
        int k = zc_proxy_n_outputs(o->proxies[p]);
        double t0 = now_seconds(), *v = scores + slot;
        for (int q = 0; q < k; q++) v[q] = 0.0;
        st = o->proxies[p]->score(&in, &o->proxy_opts, v);
        if (st == ZC_ENUM && o->nan_on_numeric_error) {   /* this architecture's NaN, not the run's end */
            zc_clear_error();
            for (int q = 0; q < k; q++) v[q] = NAN;
            st = ZC_OK;
        }
        seconds[p] = now_seconds() - t0;
        slot += k;
    }
    if (st != ZC_OK) {
        char msg[512], arch_str[256];
        snprintf(msg, sizeof msg, "%s", zc_last_error());
        if (zc_space_format(o->space, arch, arch_str, sizeof arch_str) != ZC_OK) snprintf(arch_str, sizeof arch_str, "?");
        zc_fail(st, "%s (architecture %.200s)", msg, arch_str);
    }
    return st;
}

zc_status zc_run_score_one(zc_run *r, const void *arch, uint64_t stream, int workers, double *scores, double *seconds)
{
    return score_one(r, arch, stream, workers > 0 ? workers : 1, scores, seconds);
}

void zc_run_thread_init(const zc_run *r)
{
    /* One architecture per worker, and one thread inside the backend: multi-threaded reductions
     * would make results depend on the thread count. */
    zc_backend_thread_init(r->o.proxy_opts.backend, r->o.backend_threads > 0 ? r->o.backend_threads : 1);
}

int zc_job_take(zc_job *j, const void **arch, uint64_t *stream)
{
    pthread_mutex_lock(&j->lock);
    int i = j->stop ? j->n : j->next;
    if (i < j->n) j->next++;
    pthread_mutex_unlock(&j->lock);
    if (i >= j->n) return -1;
    *arch = j->archs + (size_t)i * j->run->o.space->space->arch_size;
    *stream = j->streams ? j->streams[i] : zc_space_stream(j->run->o.space, *arch);
    return i;
}

/* Under the lock. */
static void job_failed(zc_job *j, zc_status st, const char *msg)
{
    if (j->status == ZC_OK) {
        j->status = st;
        snprintf(j->error, sizeof j->error, "%s", msg);
    }
    j->stop = 1;
}

void zc_job_put(zc_job *j, int i, const double *scores, const double *seconds)
{
    int ns = zc_run_n_scores(j->run), np = j->run->o.n_proxies;
    pthread_mutex_lock(&j->lock);
    if (i >= 0 && i < j->n && !j->done[i]) {
        memcpy(j->scores + (size_t)i * ns, scores, (size_t)ns * sizeof *scores);
        memcpy(j->seconds + (size_t)i * np, seconds, (size_t)np * sizeof *seconds);
        j->done[i] = 1;
        flush_in_order(j);
    }
    pthread_mutex_unlock(&j->lock);
}

void zc_job_fail(zc_job *j, zc_status st, const char *msg)
{
    pthread_mutex_lock(&j->lock);
    job_failed(j, st != ZC_OK ? st : ZC_EINVAL, msg);
    pthread_mutex_unlock(&j->lock);
}

static void *worker(void *arg)
{
    zc_job *j = arg;
    zc_run_thread_init(j->run);
    int ns = zc_run_n_scores(j->run), np = j->run->o.n_proxies;
    const void *arch;
    uint64_t stream;
    for (int i; (i = zc_job_take(j, &arch, &stream)) >= 0;) {
        /* written in place: nothing else writes architecture i's slots */
        zc_status st = score_one(j->run, arch, stream, j->workers, j->scores + (size_t)i * ns, j->seconds + (size_t)i * np);
        pthread_mutex_lock(&j->lock);
        if (st != ZC_OK) job_failed(j, st, zc_last_error());
        else {
            j->done[i] = 1;
            flush_in_order(j);
        }
        pthread_mutex_unlock(&j->lock);
    }
    return NULL;
}

zc_status zc_run_score(zc_run *r, const void *archs, int n, const uint64_t *streams, zc_result_fn on_result, void *ctx)
{
    if (n <= 0) return ZC_OK;
    zc_job j;
    memset(&j, 0, sizeof j);
    j.run = r;
    j.archs = archs;
    j.n = n;
    j.streams = streams;
    j.on_result = on_result;
    j.ctx = ctx;
    size_t cells = (size_t)n * r->o.n_proxies;
    j.done = calloc((size_t)n, 1);
    j.scores = calloc((size_t)n * zc_run_n_scores(r), sizeof *j.scores);
    j.seconds = calloc(cells, sizeof *j.seconds);
    if (!j.done || !j.scores || !j.seconds) {
        free(j.done); free(j.scores); free(j.seconds);
        return zc_fail(ZC_ENOMEM, "out of memory for %d architectures", n);
    }
    pthread_mutex_init(&j.lock, NULL);
    const zc_remote *remote = r->o.remote;
    int threads = r->o.threads > 0 ? r->o.threads : zc_cpu_count();
    if (threads > n) threads = n;
    j.workers = threads;
    /* With a remote the calling thread drives it and every local worker is a thread of its own;
     * otherwise the calling thread works too. */
    int first = remote ? 0 : 1;
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    int started = 0;
    for (int t = first; tids && t < threads; t++)
        if (pthread_create(&tids[t], NULL, worker, &j) == 0) started = t + 1;
        else break;
    if (remote) {
        zc_status st = remote->drive(remote->ctx, r, &j);
        if (st != ZC_OK) zc_job_fail(&j, st, zc_last_error());
    } else {
        worker(&j);
    }
    for (int t = first; t < started; t++) pthread_join(tids[t], NULL);
    free(tids);
    pthread_mutex_destroy(&j.lock);
    free(j.done); free(j.scores); free(j.seconds);
    if (j.status != ZC_OK) return zc_fail(j.status, "%s", j.error);
    return ZC_OK;
}

zc_status zc_proxy_probe(const zc_space_ctx *space, const void *arch, const zc_proxy *p, const zc_proxy_opts *o)
{
    int res = space->cfg.resolution, classes = space->cfg.num_classes;
    const int bs = 4;
    zc_batch b = {.n = bs, .c = 3, .h = res, .w = res, .x = malloc((size_t)bs * 3 * res * res * sizeof(float)), .y = malloc(bs * sizeof(int))};
    if (!b.x || !b.y) {   /* no memory for a probe: let the run decide */
        zc_batch_free(&b);
        return ZC_OK;
    }
    zc_rng r;
    zc_rng_seed(&r, 12345, 0);
    for (size_t i = 0; i < (size_t)bs * 3 * res * res; i++) b.x[i] = (float)zc_rng_normal(&r);
    for (int i = 0; i < bs; i++) b.y[i] = i % classes;
    zc_batch two[2] = {b, b};
    zc_proxy_input in = {space, arch, 0, zc_space_stream(space, arch), two, 2};
    double v = 0;
    zc_status st = p->score(&in, o, &v);
    zc_batch_free(&b);
    if (st != ZC_EUNSUPPORTED) {
        zc_clear_error();
        return ZC_OK;
    }
    return st;
}
