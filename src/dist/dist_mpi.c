/* A job over MPI ranks (zcnas/dist.h). Only each process's main thread calls MPI (MPI_THREAD_FUNNELED):
 * on rank 0 that is the thread inside zc_run_score that drives the remote while the scoring threads
 * work; on the other ranks it is the serve loop, which feeds a pool of scoring threads.
 *
 * Messages (tags), all small and sent with blocking sends:
 *   RUN    0 -> r  job, seed, fingerprint     a zc_run_score call begins: open the run for this seed
 *   READY  r -> 0  job, status, slots, error  the run is open here (slots: threads), or why not
 *   TASK   0 -> r  job, index, stream, arch   score this architecture
 *   RESULT r -> 0  job, index, status, scores and seconds, or the error
 *   FAILED r -> 0  code, error                this rank failed before serving
 *   STOP   0 -> r                             the job is over
 *   BYE    r -> 0                             acknowledged; nothing more will come from r
 * Rank 0 never has more TASKs out at a rank than its slots and waits for every answer before a
 * zc_run_score call returns, so a rank has nothing in flight when the next RUN comes. */
#include <mpi.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "zcnas/dist.h"

enum { TAG_RUN = 1, TAG_READY, TAG_TASK, TAG_RESULT, TAG_FAILED, TAG_STOP, TAG_BYE };
#define FP_MAX 16384
#define MSG_MAX 1024

typedef struct peer {
    int dead;                 /* sent FAILED: its error is kept */
    int syncing;              /* a RUN is unanswered */
    int ready;                /* answered this job's RUN: it takes tasks */
    int slots, busy;
    char error[MSG_MAX];
    int code;
} peer;

static struct {
    int on;                   /* MPI initialised here */
    int rank, size, local_size;
    int job;                  /* zc_run_score calls driven so far (rank 0) */
    int served;               /* (rank > 0) STOP received */
    peer *peers;              /* (rank 0) one per rank; [0] unused */
    zc_remote remote;
} D = {0, 0, 1, 1, 0, 0, NULL, {0}};

int zc_dist_built(void) { return 1; }
int zc_dist_rank(void) { return D.rank; }
int zc_dist_size(void) { return D.size; }
int zc_dist_local_size(void) { return D.local_size; }

/* Nothing to do but wait for a message: sleep 50 us, doubling while nothing comes, up to 2 ms.
 * (Open MPI's blocking calls spin on a core, which the scoring threads need; a fixed short sleep
 * wakes 10,000 times a second.) A message costs at most 2 ms; an architecture takes 10 ms to minutes. */
static void pause_briefly(int *idle)
{
    long ns = 50000L << (*idle < 6 ? *idle : 6);
    if (ns > 2000000L) ns = 2000000L;
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
    (*idle)++;
}

/* ---------------------------------------------------------------- packing */

typedef struct buf { unsigned char *p; size_t n, cap; } buf;

static int put(buf *b, const void *v, size_t n)
{
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->n + n) c *= 2;
        unsigned char *q = realloc(b->p, c);
        if (!q) return -1;
        b->p = q, b->cap = c;
    }
    memcpy(b->p + b->n, v, n);
    b->n += n;
    return 0;
}

static int put_i32(buf *b, int32_t v) { return put(b, &v, sizeof v); }
static int put_u64(buf *b, uint64_t v) { return put(b, &v, sizeof v); }
static int put_str(buf *b, const char *s) { return put(b, s, strlen(s) + 1); }

typedef struct reader { const unsigned char *p; size_t n, at; int bad; } reader;

static void get(reader *r, void *v, size_t n)
{
    if (r->bad || r->at + n > r->n) { r->bad = 1; memset(v, 0, n); return; }
    memcpy(v, r->p + r->at, n);
    r->at += n;
}

static int32_t get_i32(reader *r) { int32_t v; get(r, &v, sizeof v); return v; }
static uint64_t get_u64(reader *r) { uint64_t v; get(r, &v, sizeof v); return v; }

/* The rest of the message as a string (cut at cap). */
static void get_str(reader *r, char *s, size_t cap)
{
    size_t k = 0;
    while (!r->bad && r->at < r->n && r->p[r->at] && k + 1 < cap) s[k++] = (char)r->p[r->at++];
    s[k] = 0;
    while (r->at < r->n && r->p[r->at]) r->at++;
    if (r->at < r->n) r->at++;
}

static zc_status send_buf(const buf *b, int to, int tag)
{
    if (MPI_Send(b->p, (int)b->n, MPI_BYTE, to, tag, MPI_COMM_WORLD) != MPI_SUCCESS)
        return zc_fail(ZC_EIO, "MPI: cannot send to rank %d", to);
    return ZC_OK;
}

/* A message that has arrived (from `from`, or any rank for MPI_ANY_SOURCE): 1 and its bytes, 0 none. */
static int receive(int from, int block, int *source, int *tag, unsigned char **data, int *len)
{
    MPI_Status s;
    int flag = 1;
    if (block) MPI_Probe(from, MPI_ANY_TAG, MPI_COMM_WORLD, &s);
    else MPI_Iprobe(from, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &s);
    if (!flag) return 0;
    MPI_Get_count(&s, MPI_BYTE, len);
    *data = malloc(*len > 0 ? (size_t)*len : 1);
    MPI_Recv(*data ? *data : NULL, *data ? *len : 0, MPI_BYTE, s.MPI_SOURCE, s.MPI_TAG, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    *source = s.MPI_SOURCE;
    *tag = s.MPI_TAG;
    return 1;
}

/* ---------------------------------------------------------------- rank 0 */

static void peer_failed(int r, reader *m)
{
    peer *p = &D.peers[r];
    p->code = get_i32(m);
    get_str(m, p->error, sizeof p->error);
    p->dead = 1;
    p->syncing = p->ready = 0;
    p->busy = 0;
}

/* One zc_run_score call: the run's fingerprint to every rank, then tasks as slots free up. */
static zc_status drive(void *ctx, zc_run *run, zc_job *job)
{
    (void)ctx;
    int jid = ++D.job, ns = zc_run_n_scores(run), np = zc_run_options(run)->n_proxies;
    size_t asz = zc_run_options(run)->space->space->arch_size;
    char *fp = malloc(FP_MAX);
    buf b = {0};
    zc_status st = fp ? zc_run_fingerprint(run, fp, FP_MAX) : zc_fail(ZC_ENOMEM, "out of memory");
    int syncing = 0, outstanding = 0, idle = 0;
    for (int r = 1; r < D.size && st == ZC_OK; r++) {
        peer *p = &D.peers[r];
        p->ready = p->busy = 0;
        if (p->dead) {
            char msg[MSG_MAX + 64];
            snprintf(msg, sizeof msg, "rank %d: %s", r, p->error);
            zc_job_fail(job, ZC_EINVAL, msg);
            continue;
        }
        b.n = 0;
        if (put_i32(&b, jid) || put_u64(&b, zc_run_options(run)->seed) || put_str(&b, fp))
            st = zc_fail(ZC_ENOMEM, "out of memory");
        else if ((st = send_buf(&b, r, TAG_RUN)) == ZC_OK) p->syncing = 1, syncing++;
    }
    int more = st == ZC_OK;   /* the job may still have architectures to hand out */
    double *vals = malloc((size_t)(ns + np) * sizeof *vals);
    if (!vals && st == ZC_OK) st = zc_fail(ZC_ENOMEM, "out of memory");
    while (st == ZC_OK && (more || outstanding > 0 || syncing > 0)) {
        for (int r = 1; r < D.size && more && st == ZC_OK; r++) {
            peer *p = &D.peers[r];
            while (p->ready && p->busy < p->slots && st == ZC_OK) {
                const void *arch;
                uint64_t stream;
                int i = zc_job_take(job, &arch, &stream);
                if (i < 0) { more = 0; break; }
                b.n = 0;
                if (put_i32(&b, jid) || put_i32(&b, i) || put_u64(&b, stream) || put(&b, arch, asz))
                    st = zc_fail(ZC_ENOMEM, "out of memory");
                else if ((st = send_buf(&b, r, TAG_TASK)) == ZC_OK) p->busy++, outstanding++;
            }
        }
        /* the local threads may take the rest: nothing is left to hand out once the counter is spent */
        if (more && syncing == 0) {
            int any_ready = 0;
            for (int r = 1; r < D.size; r++) any_ready |= D.peers[r].ready;
            if (!any_ready) more = 0;
        }
        if (st != ZC_OK || !(more || outstanding > 0 || syncing > 0)) break;
        int src, tag, len;
        unsigned char *data;
        if (!receive(MPI_ANY_SOURCE, 0, &src, &tag, &data, &len)) { pause_briefly(&idle); continue; }
        idle = 0;
        if (!data) { st = zc_fail(ZC_ENOMEM, "out of memory for a message"); break; }
        reader m = {data, (size_t)len, 0, 0};
        peer *p = &D.peers[src];
        char msg[MSG_MAX], full[MSG_MAX + 64];
        if (tag == TAG_FAILED) {
            int was_syncing = p->syncing;
            outstanding -= p->busy;
            peer_failed(src, &m);
            if (was_syncing) syncing--;
            snprintf(full, sizeof full, "rank %d: %s", src, p->error);
            zc_job_fail(job, ZC_EINVAL, full);
        } else if (get_i32(&m) != jid) {
            /* (a stale answer cannot happen by the protocol; ignore it rather than mix jobs) */
        } else if (tag == TAG_READY) {
            int code = get_i32(&m);
            p->slots = get_i32(&m);
            get_str(&m, msg, sizeof msg);
            p->syncing = 0;
            syncing--;
            if (code != ZC_OK || m.bad || p->slots < 1) {
                snprintf(full, sizeof full, "rank %d: %s", src, m.bad ? "malformed answer" : msg);
                zc_job_fail(job, code != ZC_OK ? (zc_status)code : ZC_EIO, full);
            } else {
                p->ready = 1;
            }
        } else if (tag == TAG_RESULT) {
            int i = get_i32(&m), code = get_i32(&m);
            p->busy--, outstanding--;
            if (code == ZC_OK) {
                get(&m, vals, (size_t)(ns + np) * sizeof *vals);
                if (m.bad) {
                    snprintf(full, sizeof full, "rank %d: a malformed result", src);
                    zc_job_fail(job, ZC_EIO, full);
                } else {
                    zc_job_put(job, i, vals, vals + ns);
                }
            } else {
                get_str(&m, msg, sizeof msg);
                snprintf(full, sizeof full, "%s (on rank %d)", msg, src);
                zc_job_fail(job, (zc_status)code, full);
            }
        }
        free(data);
    }
    free(vals);
    free(fp);
    free(b.p);
    return st;
}

const zc_remote *zc_dist_remote(void)
{
    if (D.rank != 0 || D.size < 2) return NULL;
    D.remote.drive = drive;
    return &D.remote;
}

/* ---------------------------------------------------------------- ranks > 0 */

typedef struct task {
    int job, index;
    uint64_t stream;
    unsigned char *arch;
    zc_status st;             /* (done) */
    double *vals;             /* (done) scores then seconds */
    char error[MSG_MAX];
} task;

typedef struct pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    task *todo, *done;        /* queues of at most `slots` (rank 0 sends no more) */
    int n_todo, n_done, slots, quit;
    zc_run *run;              /* changed only while nothing is in flight */
} pool;

static void *scorer(void *arg)
{
    pool *q = arg;
    int thread_ready = 0;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        while (!q->quit && q->n_todo == 0) pthread_cond_wait(&q->wake, &q->lock);
        if (q->n_todo == 0) { pthread_mutex_unlock(&q->lock); break; }
        task t = q->todo[--q->n_todo];
        zc_run *run = q->run;
        pthread_mutex_unlock(&q->lock);
        if (!thread_ready) zc_run_thread_init(run), thread_ready = 1;
        int ns = zc_run_n_scores(run);
        t.st = zc_run_score_one(run, t.arch, t.stream, q->slots, t.vals, t.vals + ns);
        if (t.st != ZC_OK) snprintf(t.error, sizeof t.error, "%s", zc_last_error());
        pthread_mutex_lock(&q->lock);
        q->done[q->n_done++] = t;
        pthread_mutex_unlock(&q->lock);
    }
    return NULL;
}

/* The run for rank 0's seed, checked against rank 0's fingerprint. */
static zc_status open_run(const zc_run_opts *tmpl, uint64_t seed, const char *fp0, zc_run **out)
{
    zc_run_opts o = *tmpl;
    o.seed = seed;
    o.remote = NULL;
    o.on_progress = NULL;
    zc_run *run;
    zc_status st = zc_run_open(&o, &run);
    if (st != ZC_OK) return st;
    char *fp = malloc(FP_MAX), diff[512];
    if (!fp) st = zc_fail(ZC_ENOMEM, "out of memory");
    else if ((st = zc_run_fingerprint(run, fp, FP_MAX)) == ZC_OK && zc_fingerprint_diff(fp0, fp, diff, sizeof diff))
        st = zc_fail(ZC_EINVAL, "its run differs from rank 0's (%s): same zcnas, data and options on every node?",
                     diff);
    free(fp);
    if (st != ZC_OK) { zc_run_close(run); return st; }
    *out = run;
    return ZC_OK;
}

zc_status zc_dist_serve(const zc_run_opts *tmpl)
{
    if (D.rank == 0 || D.size < 2) return zc_fail(ZC_EINVAL, "zc_dist_serve: not a rank > 0 of an MPI job");
    int threads = tmpl->threads > 0 ? tmpl->threads : zc_cpu_count();
    pool q;
    memset(&q, 0, sizeof q);
    q.slots = threads;
    pthread_mutex_init(&q.lock, NULL);
    pthread_cond_init(&q.wake, NULL);
    q.todo = calloc((size_t)threads, sizeof *q.todo);
    q.done = calloc((size_t)threads, sizeof *q.done);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    int started = 0;
    zc_status st = q.todo && q.done && tids ? ZC_OK : zc_fail(ZC_ENOMEM, "out of memory");
    uint64_t run_seed = 0;
    size_t asz = tmpl->space->space->arch_size;
    int ns = zc_run_opts_n_scores(tmpl), np = tmpl->n_proxies, in_flight = 0, idle = 0;
    buf b = {0};
    while (st == ZC_OK) {
        /* answers first: they free rank 0's slots */
        pthread_mutex_lock(&q.lock);
        while (q.n_done > 0 && st == ZC_OK) {
            task t = q.done[--q.n_done];
            pthread_mutex_unlock(&q.lock);
            b.n = 0;
            if (put_i32(&b, t.job) || put_i32(&b, t.index) || put_i32(&b, t.st) ||
                (t.st == ZC_OK ? put(&b, t.vals, (size_t)(ns + np) * sizeof *t.vals) : put_str(&b, t.error)))
                st = zc_fail(ZC_ENOMEM, "out of memory");
            else st = send_buf(&b, 0, TAG_RESULT);
            free(t.arch);
            free(t.vals);
            in_flight--;
            idle = 0;
            pthread_mutex_lock(&q.lock);
        }
        pthread_mutex_unlock(&q.lock);
        int src, tag, len;
        unsigned char *data;
        if (st != ZC_OK) break;
        if (!receive(0, 0, &src, &tag, &data, &len)) { pause_briefly(&idle); continue; }
        idle = 0;
        if (!data) { st = zc_fail(ZC_ENOMEM, "out of memory for a message"); break; }
        reader m = {data, (size_t)len, 0, 0};
        if (tag == TAG_STOP) {
            free(data);
            D.served = 1;
            break;
        }
        int jid = get_i32(&m);
        if (tag == TAG_RUN) {
            uint64_t seed = get_u64(&m);
            char *fp0 = malloc(FP_MAX);
            zc_status rs = fp0 ? ZC_OK : zc_fail(ZC_ENOMEM, "out of memory");
            if (rs == ZC_OK) get_str(&m, fp0, FP_MAX);
            if (rs == ZC_OK && (!q.run || seed != run_seed || in_flight)) {
                /* nothing is in flight at a RUN (rank 0 waited for every answer) */
                zc_run *run = NULL;
                if (in_flight) rs = zc_fail(ZC_EIO, "a new run while %d architectures are being scored", in_flight);
                else if ((rs = open_run(tmpl, seed, fp0, &run)) == ZC_OK) {
                    if (q.run) zc_run_close(q.run);
                    q.run = run;
                    run_seed = seed;
                }
            }
            for (; rs == ZC_OK && started < threads; started++)
                if (pthread_create(&tids[started], NULL, scorer, &q) != 0) {
                    if (!started) rs = zc_fail(ZC_ENOMEM, "cannot start a scoring thread");
                    break;
                }
            b.n = 0;
            int slots = started;
            if (put_i32(&b, jid) || put_i32(&b, rs) || put_i32(&b, slots) ||
                put_str(&b, rs == ZC_OK ? "" : zc_last_error()))
                st = zc_fail(ZC_ENOMEM, "out of memory");
            else st = send_buf(&b, 0, TAG_READY);
            free(fp0);
        } else if (tag == TAG_TASK) {
            task t;
            memset(&t, 0, sizeof t);
            t.job = jid;
            t.index = get_i32(&m);
            t.stream = get_u64(&m);
            t.arch = malloc(asz);
            t.vals = calloc((size_t)(ns + np), sizeof *t.vals);
            if (t.arch) get(&m, t.arch, asz);
            if (!t.arch || !t.vals || m.bad || !q.run || q.n_todo >= q.slots) {
                free(t.arch);
                free(t.vals);
                st = zc_fail(ZC_EIO, "MPI: an unexpected task from rank 0");
            } else {
                pthread_mutex_lock(&q.lock);
                q.todo[q.n_todo++] = t;
                pthread_cond_signal(&q.wake);
                pthread_mutex_unlock(&q.lock);
                in_flight++;
            }
        }
        free(data);
    }
    pthread_mutex_lock(&q.lock);
    q.quit = 1;
    pthread_cond_broadcast(&q.wake);
    pthread_mutex_unlock(&q.lock);
    for (int t = 0; t < started; t++) pthread_join(tids[t], NULL);
    for (int k = 0; k < q.n_todo; k++) free(q.todo[k].arch), free(q.todo[k].vals);
    for (int k = 0; k < q.n_done; k++) free(q.done[k].arch), free(q.done[k].vals);
    free(q.todo);
    free(q.done);
    free(tids);
    free(b.p);
    if (q.run) zc_run_close(q.run);
    pthread_cond_destroy(&q.wake);
    pthread_mutex_destroy(&q.lock);
    return st;
}

/* ---------------------------------------------------------------- start and end */

zc_status zc_dist_init(int *argc, char ***argv)
{
    static const char *const launched[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
    int under_launcher = 0;
    for (size_t i = 0; i < sizeof launched / sizeof *launched; i++) under_launcher |= getenv(launched[i]) != NULL;
    if (!under_launcher) return ZC_OK;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return zc_fail(ZC_EIO, "MPI_Init_thread failed");
    D.on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &D.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &D.size);
    MPI_Comm local;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local) == MPI_SUCCESS) {
        MPI_Comm_size(local, &D.local_size);
        MPI_Comm_free(&local);
    }
    if (provided < MPI_THREAD_FUNNELED) {
        MPI_Finalize();
        D.on = 0;
        D.rank = 0, D.size = 1;
        return zc_fail(ZC_EUNSUPPORTED, "this MPI does not allow threads (MPI_THREAD_FUNNELED)");
    }
    if (D.rank == 0 && D.size > 1 && !(D.peers = calloc((size_t)D.size, sizeof *D.peers))) {
        MPI_Abort(MPI_COMM_WORLD, 1);
        return zc_fail(ZC_ENOMEM, "out of memory");
    }
    return ZC_OK;
}

int zc_dist_finish(int code, const char *error)
{
    if (!D.on) return code;
    if (D.size > 1 && D.rank == 0) {
        buf none = {0};
        for (int r = 1; r < D.size; r++) send_buf(&none, r, TAG_STOP);
        /* drain every rank until its BYE, so that no message is left unreceived */
        for (int r = 1; r < D.size; r++)
            for (;;) {
                int src, tag, len;
                unsigned char *data;
                receive(r, 1, &src, &tag, &data, &len);
                free(data);
                if (tag == TAG_BYE) break;
            }
        free(D.peers);
        D.peers = NULL;
    } else if (D.size > 1) {
        if (!D.served) {
            if (code != 0) {
                buf b = {0};
                if (!put_i32(&b, code) && !put_str(&b, error && *error ? error : "failed")) send_buf(&b, 0, TAG_FAILED);
                free(b.p);
            }
            for (;;) {   /* whatever rank 0 sent until its STOP */
                int src, tag, len;
                unsigned char *data;
                receive(0, 1, &src, &tag, &data, &len);
                free(data);
                if (tag == TAG_STOP) break;
            }
        }
        buf none = {0};
        send_buf(&none, 0, TAG_BYE);
    }
    MPI_Finalize();
    D.on = 0;
    return code;
}
