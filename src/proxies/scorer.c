/* Parallel multi-architecture scoring. Workers take architectures from a shared counter; finished
 * results wait in a slot array and are handed to the callback strictly in input order. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "zcnas/scorer.h"

typedef struct run_state {
    const zc_score_job *job;
    pthread_mutex_t lock;
    int next;            /* next architecture to hand out */
    int delivered;       /* architectures already passed to the callback */
    char *done;          /* per architecture: result ready */
    double *scores, *seconds;
    zc_status status;    /* first failure */
    char error[512];
    int stop;
} run_state;

int zc_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Under the lock: deliver every result that is ready and next in order. */
static void flush_in_order(run_state *s)
{
    const zc_score_job *job = s->job;
    while (!s->stop && s->delivered < job->n_archs && s->done[s->delivered]) {
        int i = s->delivered++;
        if (job->on_result &&
            job->on_result(job->ctx, i, s->scores + (size_t)i * job->n_proxies,
                           s->seconds + (size_t)i * job->n_proxies))
            s->stop = 1;
    }
}

static void *worker(void *arg)
{
    run_state *s = arg;
    const zc_score_job *job = s->job;
    /* One architecture per worker, and one thread inside the backend: multi-threaded reductions
     * would make results depend on the thread count. */
    if (job->opts.backend && job->opts.backend->thread_init) job->opts.backend->thread_init(1);
    for (;;) {
        pthread_mutex_lock(&s->lock);
        int i = s->stop ? job->n_archs : s->next++;
        pthread_mutex_unlock(&s->lock);
        if (i >= job->n_archs) break;
        zc_proxy_input in = {
            .build = job->build,
            .arch = (const char *)job->archs + (size_t)i * job->arch_size,
            .num_classes = job->num_classes,
            .seed = job->seed,
            .stream = job->streams ? job->streams[i] : (uint64_t)i,
            .batches = job->batches,
            .n_batches = job->n_batches,
            .eps_batch = job->eps_batch,
            .base_batch = job->base_batch,
            .nwot_batch = job->nwot_batch,
        };
        zc_status st = ZC_OK;
        for (int p = 0; p < job->n_proxies && st == ZC_OK; p++) {
            double t0 = now_seconds(), v = 0.0;
            st = job->proxies[p]->score(&in, &job->opts, &v);
            s->scores[(size_t)i * job->n_proxies + p] = v;
            s->seconds[(size_t)i * job->n_proxies + p] = now_seconds() - t0;
        }
        pthread_mutex_lock(&s->lock);
        if (st != ZC_OK) {
            if (s->status == ZC_OK) {
                s->status = st;
                snprintf(s->error, sizeof s->error, "%s", zc_last_error());
            }
            s->stop = 1;
        } else {
            s->done[i] = 1;
            flush_in_order(s);
        }
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

zc_status zc_score_run(const zc_score_job *job)
{
    if (job->n_archs <= 0) return ZC_OK;
    run_state s;
    memset(&s, 0, sizeof s);
    s.job = job;
    size_t cells = (size_t)job->n_archs * (job->n_proxies > 0 ? job->n_proxies : 1);
    s.done = calloc((size_t)job->n_archs, 1);
    s.scores = calloc(cells, sizeof *s.scores);
    s.seconds = calloc(cells, sizeof *s.seconds);
    if (!s.done || !s.scores || !s.seconds) {
        free(s.done); free(s.scores); free(s.seconds);
        return zc_fail(ZC_ENOMEM, "out of memory for %d architectures", job->n_archs);
    }
    pthread_mutex_init(&s.lock, NULL);
    int threads = job->threads > 0 ? job->threads : zc_cpu_count();
    if (threads > job->n_archs) threads = job->n_archs;
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    int started = 0;
    for (int t = 1; tids && t < threads; t++)
        if (pthread_create(&tids[t], NULL, worker, &s) == 0) started = t;
        else break;
    worker(&s);   /* the calling thread works too */
    for (int t = 1; t <= started; t++) pthread_join(tids[t], NULL);
    free(tids);
    pthread_mutex_destroy(&s.lock);
    free(s.done); free(s.scores); free(s.seconds);
    if (s.status != ZC_OK) return zc_fail(s.status, "%s", s.error);
    return ZC_OK;
}
