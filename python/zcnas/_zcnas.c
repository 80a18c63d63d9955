/* zcnas._zcnas: the Python binding's C half, over libzcnas's scoring context (run.h), not the CLI.
 * zcnas/__init__.py holds the Pythonic layer (keyword arguments, rows as dicts); this file turns
 * them into zc_run_opts, scores with the GIL released and turns library errors into zcnas.Error with
 * the library's message.
 *
 * Ctrl-C and progress: zc_run_score runs on a thread of its own while the calling (main) thread waits
 * with the GIL released, waking every 50 ms to report progress to the Python callback and to run
 * Python's signal handlers; an interrupt, an exception in the callback or a callback returning False
 * asks the run to stop after the architectures in flight, and the exception is raised. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <zcnas/zcnas.h>

static PyObject *zc_error_type;   /* zcnas.Error */

/* The library's failure as zcnas.Error(message) (MemoryError for ZC_ENOMEM), with .status set. */
static PyObject *raise_status(zc_status st, const char *msg)
{
    PyObject *type = st == ZC_ENOMEM ? PyExc_MemoryError : zc_error_type;
    PyObject *text = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace");
    if (!text) return NULL;
    PyObject *exc = PyObject_CallOneArg(type, text);
    Py_DECREF(text);
    if (!exc) return NULL;
    if (type == zc_error_type) {
        PyObject *code = PyLong_FromLong((long)st);
        if (code) PyObject_SetAttrString(exc, "status", code);
        Py_XDECREF(code);
    }
    PyErr_SetObject(type, exc);
    Py_DECREF(exc);
    return NULL;
}

static PyObject *raise_last(zc_status st) { return raise_status(st, zc_last_error()); }

/* ---------------------------------------------------------------- small conversions */

/* A str argument or None (NULL); -1 with TypeError otherwise. */
static int opt_str(PyObject *o, const char *what, const char **out)
{
    *out = NULL;
    if (!o || o == Py_None) return 0;
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s: expected a str, got %s", what, Py_TYPE(o)->tp_name);
        return -1;
    }
    *out = PyUnicode_AsUTF8(o);
    return *out ? 0 : -1;
}

/* An int argument in [lo, hi] (None: keeps *out). */
static int opt_long(PyObject *o, const char *what, long lo, long hi, long *out)
{
    if (!o || o == Py_None) return 0;
    if (!PyLong_Check(o) || PyBool_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s: expected an int, got %s", what, Py_TYPE(o)->tp_name);
        return -1;
    }
    int overflow = 0;
    long v = PyLong_AsLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (overflow || v < lo || v > hi) {
        PyErr_Format(PyExc_ValueError, "%s: expected an integer from %ld to %ld", what, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int opt_double(PyObject *o, const char *what, double *out)
{
    if (!o || o == Py_None) return 0;
    double v = PyFloat_AsDouble(o);
    if (v == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s: expected a number, got %s", what, Py_TYPE(o)->tp_name);
        return -1;
    }
    *out = v;
    return 0;
}

/* A float scores as Python: NaN and +-inf stay floats (pandas reads them as such). */
static PyObject *score_object(double v) { return PyFloat_FromDouble(v); }

/* ---------------------------------------------------------------- worker threads */

/* What the calling thread and a scoring or search thread share: the lock, a condition both signal,
 * and the worker's outcome. */
typedef struct worker {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int finished;              /* the worker returned */
    zc_status status;
    char error[1024];
} worker;

/* The worker's last step: its outcome (with the library's message on failure), and a wake-up. */
static void worker_finish(worker *w, zc_status st)
{
    pthread_mutex_lock(&w->lock);
    w->status = st;
    if (st != ZC_OK) snprintf(w->error, sizeof w->error, "%s", zc_last_error());
    w->finished = 1;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Waits (lock held) until signalled or 50 ms have passed: the caller's loop then runs Python's signal
 * handlers, so Ctrl-C is seen within 50 ms. */
static void worker_wait_briefly(worker *w)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 50 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&w->cond, &w->lock, &until);
}

/* ---------------------------------------------------------------- the scoring thread */

typedef struct scoring {
    zc_run *run;
    const zc_arch_list *list;
    int ns, np;                /* scores and seconds per architecture */
    double *scores, *seconds;  /* n x ns, n x np */
    worker w;
    int delivered;             /* architectures whose results are in */
    int stop;                  /* asked to stop (interrupt, callback) */
} scoring;

static int on_result(void *ctx, int i, const double *scores, const double *seconds)
{
    scoring *s = ctx;
    memcpy(s->scores + (size_t)i * s->ns, scores, (size_t)s->ns * sizeof *scores);
    memcpy(s->seconds + (size_t)i * s->np, seconds, (size_t)s->np * sizeof *seconds);
    pthread_mutex_lock(&s->w.lock);
    s->delivered = i + 1;
    int stop = s->stop;
    pthread_cond_signal(&s->w.cond);
    pthread_mutex_unlock(&s->w.lock);
    return stop;
}

static void *score_thread(void *arg)
{
    scoring *s = arg;
    worker_finish(&s->w, zc_run_score(s->run, s->list->archs, s->list->n, NULL, on_result, s));
    return NULL;
}

/* Waits for the run, GIL released, calling progress(done, total) from this thread as results come;
 * returns -1 with a Python exception set when it was interrupted or the callback failed. */
static int wait_for_run(scoring *s, PyObject *progress)
{
    int reported = -1, failed = 0;
    for (;;) {
        int done, finished;
        Py_BEGIN_ALLOW_THREADS
        pthread_mutex_lock(&s->w.lock);
        if (!s->w.finished && s->delivered == reported) worker_wait_briefly(&s->w);
        done = s->delivered;
        finished = s->w.finished;
        pthread_mutex_unlock(&s->w.lock);
        Py_END_ALLOW_THREADS
        if (!failed && progress && progress != Py_None && done != reported) {
            PyObject *r = PyObject_CallFunction(progress, "ii", done, s->list->n);
            if (!r) failed = 1;
            else if (r == Py_False) {   /* an early stop the caller asked for: the results so far */
                pthread_mutex_lock(&s->w.lock);
                s->stop = 1;
                pthread_mutex_unlock(&s->w.lock);
            }
            Py_XDECREF(r);
        }
        reported = done;
        if (!failed && PyErr_CheckSignals() < 0) failed = 1;   /* Ctrl-C: KeyboardInterrupt */
        if (failed) {
            pthread_mutex_lock(&s->w.lock);
            s->stop = 1;
            pthread_mutex_unlock(&s->w.lock);
        }
        if (finished) break;
    }
    return failed ? -1 : 0;
}

/* ---------------------------------------------------------------- the caller's images */

/* images: a C-contiguous float32 buffer of n x c x h x w; labels: int32 of n. Views into *img that
 * stay valid while the buffers are held (released by release_images). */
typedef struct held_images {
    Py_buffer x, y;
    int have_x, have_y;
    zc_batch batch;
} held_images;

static void release_images(held_images *h)
{
    if (h->have_x) PyBuffer_Release(&h->x);
    if (h->have_y) PyBuffer_Release(&h->y);
    h->have_x = h->have_y = 0;
}

static int hold_images(PyObject *images, PyObject *labels, held_images *h)
{
    memset(h, 0, sizeof *h);
    if (!images || images == Py_None) {
        if (labels && labels != Py_None) {
            PyErr_SetString(PyExc_ValueError, "labels: given without images");
            return -1;
        }
        return 0;
    }
    if (!labels || labels == Py_None) {
        PyErr_SetString(PyExc_ValueError, "images: give labels too (one class index per image)");
        return -1;
    }
    if (PyObject_GetBuffer(images, &h->x, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    h->have_x = 1;
    if (PyObject_GetBuffer(labels, &h->y, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) goto fail;
    h->have_y = 1;
    if (h->x.ndim != 4 || h->x.itemsize != 4 || !h->x.format || strcmp(h->x.format, "f")) {
        PyErr_SetString(PyExc_ValueError, "images: expected a float32 array of shape (n, channels, height, width)");
        goto fail;
    }
    if (h->y.ndim != 1 || h->y.itemsize != 4 || !h->y.format || (strcmp(h->y.format, "i") && strcmp(h->y.format, "l"))) {
        PyErr_SetString(PyExc_ValueError, "labels: expected an int32 array of shape (n,)");
        goto fail;
    }
    for (int k = 0; k < 4; k++)
        if (h->x.shape[k] < 1 || h->x.shape[k] > 0x7fffffff) {
            PyErr_SetString(PyExc_ValueError, "images: every dimension must be from 1 to 2^31 - 1");
            goto fail;
        }
    if (h->y.shape[0] != h->x.shape[0]) {
        PyErr_Format(PyExc_ValueError, "labels: %zd of them for %zd images", h->y.shape[0], h->x.shape[0]);
        goto fail;
    }
    h->batch = (zc_batch){.n = (int)h->x.shape[0], .c = (int)h->x.shape[1], .h = (int)h->x.shape[2],
                          .w = (int)h->x.shape[3], .x = h->x.buf, .y = h->y.buf};
    return 0;
fail:
    release_images(h);
    return -1;
}

/* ---------------------------------------------------------------- _score */

static int add_lane(zc_run_opts *o, const char *lane, PyObject *size, PyObject *count, const char *size_name,
                    long min_size)
{
    long bs = 0, nb = 0;
    if (opt_long(size, size_name, min_size, 100000, &bs) < 0) return -1;
    if (count && opt_long(count, "batches", 1, 1000, &nb) < 0) return -1;
    zc_lane_size *l = &o->lanes[o->n_lanes++];
    l->lane = lane;
    l->batch_size = (int)bs;
    l->n_batches = (int)nb;
    return 0;
}

/* The proxies: names or aggregates (vkdnw_agg runs the proxies that write its columns). */
static int add_proxies(zc_run_opts *o, PyObject *names)
{
    PyObject *seq = PySequence_Fast(names, "proxies: expected a list of proxy names");
    if (!seq) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        const char *name;
        if (opt_str(PySequence_Fast_GET_ITEM(seq, i), "proxies", &name) < 0 || !name) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "proxies: expected names, got None");
            Py_DECREF(seq);
            return -1;
        }
        const zc_aggregate *a = zc_aggregate_find(name);
        const char *one[2] = {name, NULL};
        const char *const *list = a ? a->needs : one;
        for (int k = 0; list[k]; k++) {
            const zc_proxy *p = zc_proxy_find(list[k]);
            if (!p) {
                Py_DECREF(seq);
                return raise_last(ZC_EINVAL) ? 0 : -1;
            }
            int j = 0;
            while (j < o->n_proxies && o->proxies[j] != p) j++;
            if (j < o->n_proxies) continue;
            if (o->n_proxies == ZC_RUN_MAX_PROXIES) {
                Py_DECREF(seq);
                PyErr_SetString(PyExc_ValueError, "proxies: too many");
                return -1;
            }
            o->proxies[o->n_proxies++] = p;
        }
    }
    Py_DECREF(seq);
    if (!o->n_proxies) {
        PyErr_SetString(PyExc_ValueError, "proxies: no proxy given");
        return -1;
    }
    return 0;
}

/* The architectures: exactly one of archs (strings), index (list of ints or "3,17,100-199"), sample
 * (k), all. */
static int select_archs(zc_arch_list *l, PyObject *archs, PyObject *index, PyObject *sample, int all, long seed)
{
    int given = (archs && archs != Py_None) + (index && index != Py_None) + (sample && sample != Py_None) + !!all;
    if (given != 1) {
        PyErr_SetString(PyExc_ValueError, "choose the architectures with exactly one of arch, index, sample or all");
        return -1;
    }
    zc_status st = ZC_OK;
    if (archs && archs != Py_None) {
        if (PyUnicode_Check(archs)) {
            const char *s = PyUnicode_AsUTF8(archs);
            if (!s) return -1;
            st = zc_arch_list_add_string(l, s);
        } else {
            PyObject *seq = PySequence_Fast(archs, "arch: expected a str or a list of str");
            if (!seq) return -1;
            for (Py_ssize_t i = 0; st == ZC_OK && i < PySequence_Fast_GET_SIZE(seq); i++) {
                const char *s;
                if (opt_str(PySequence_Fast_GET_ITEM(seq, i), "arch", &s) < 0 || !s) {
                    if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "arch: expected str, got None");
                    Py_DECREF(seq);
                    return -1;
                }
                st = zc_arch_list_add_string(l, s);
            }
            Py_DECREF(seq);
        }
    } else if (index && index != Py_None) {
        if (PyUnicode_Check(index)) {
            const char *s = PyUnicode_AsUTF8(index);
            if (!s) return -1;
            st = zc_arch_list_add_indices(l, s);
        } else {
            PyObject *seq = PySequence_Fast(index, "index: expected an int, a list of ints or a str like '3,17,100-199'");
            if (!seq) return -1;
            for (Py_ssize_t i = 0; st == ZC_OK && i < PySequence_Fast_GET_SIZE(seq); i++) {
                long v = -1;
                if (opt_long(PySequence_Fast_GET_ITEM(seq, i), "index", 0, 0x7fffffffL, &v) < 0) {
                    Py_DECREF(seq);
                    return -1;
                }
                char buf[32];
                snprintf(buf, sizeof buf, "%ld", v);
                st = zc_arch_list_add_indices(l, buf);
            }
            Py_DECREF(seq);
        }
    } else if (sample && sample != Py_None) {
        long k = 0;
        if (opt_long(sample, "sample", 1, 100000000L, &k) < 0) return -1;
        st = zc_arch_list_add_sample(l, (int)k, (uint64_t)seed);
    } else {
        Py_BEGIN_ALLOW_THREADS
        st = zc_arch_list_add_all(l);
        Py_END_ALLOW_THREADS
    }
    return st == ZC_OK ? 0 : (raise_last(st), -1);
}

/* The proxies' options (zc_proxy_opts and the run's data settings) from a dict of keyword values. */
static int proxy_options(zc_run_opts *o, PyObject *kw)
{
    if (!kw || kw == Py_None) return 0;
    if (!PyDict_Check(kw)) {
        PyErr_SetString(PyExc_TypeError, "options: expected a dict");
        return -1;
    }
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    while (PyDict_Next(kw, &pos, &key, &val)) {
        const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        if (!k) {
            PyErr_SetString(PyExc_TypeError, "options: keys must be str");
            return -1;
        }
        const char *s = NULL;
        long v = 0;
        if (!strcmp(k, "zico_std")) {
            if (opt_str(val, k, &s) < 0) return -1;
            if (!s || (strcmp(s, "signed") && strcmp(s, "abs"))) goto bad_choice;
            o->proxy_opts.zico_paper_std = !strcmp(s, "abs");
        } else if (!strcmp(k, "meco_input")) {
            if (opt_str(val, k, &s) < 0) return -1;
            if (!s || (strcmp(s, "real") && strcmp(s, "random"))) goto bad_choice;
            o->proxy_opts.meco_random_input = !strcmp(s, "random");
        } else if (!strcmp(k, "vkdnw_constants")) {
            if (opt_str(val, k, &s) < 0) return -1;
            if (!s || (strcmp(s, "half") && strcmp(s, "exact"))) goto bad_choice;
            o->proxy_opts.vkdnw_exact_constants = !strcmp(s, "exact");
        } else if (!strcmp(k, "sampler")) {
            if (opt_str(val, k, &s) < 0) return -1;
            if (!s || (strcmp(s, "random") && strcmp(s, "sequential"))) goto bad_choice;
            o->sampler = !strcmp(s, "sequential") ? ZC_SAMPLER_SEQUENTIAL : ZC_SAMPLER_RANDOM;
        } else if (!strcmp(k, "backend")) {
            if (opt_str(val, k, &s) < 0) return -1;
            if (s && !(o->proxy_opts.backend = zc_backend_get(s))) return raise_last(ZC_EINVAL) ? 0 : -1;
        } else if (!strcmp(k, "swap_repeats")) {
            if (opt_long(val, k, 1, 100000, &v) < 0) return -1;
            o->proxy_opts.swap_repeats = (int)v;
        } else if (!strcmp(k, "reg_swap_mu") || !strcmp(k, "reg_swap_sigma")) {
            double d = 0;
            if (opt_double(val, k, &d) < 0) return -1;
            if (!(d > 0 && d < 1e300)) {
                PyErr_Format(PyExc_ValueError, "%s: expected a positive number", k);
                return -1;
            }
            *(k[9] == 'm' ? &o->proxy_opts.reg_swap_mu : &o->proxy_opts.reg_swap_sigma) = d;
        } else if (!strcmp(k, "eps_weights")) {
            double lo = 0, hi = 0;
            if (!PyTuple_Check(val) || PyTuple_GET_SIZE(val) != 2 || opt_double(PyTuple_GET_ITEM(val, 0), k, &lo) < 0 ||
                opt_double(PyTuple_GET_ITEM(val, 1), k, &hi) < 0 || !(lo > 0) || !(hi > 0) || lo == hi || lo > 3e38 ||
                hi > 3e38) {
                PyErr_Clear();
                PyErr_SetString(PyExc_ValueError, "eps_weights: expected two different positive numbers (low, high)");
                return -1;
            }
            o->proxy_opts.eps_w_low = (float)lo;
            o->proxy_opts.eps_w_high = (float)hi;
        } else if (!strcmp(k, "exact_full") || !strcmp(k, "augment") || !strcmp(k, "onnx_weights")) {
            int b = PyObject_IsTrue(val);
            if (b < 0) return -1;
            if (k[0] == 'e') o->proxy_opts.eps_exact_full = b;
            else if (k[0] == 'o') o->proxy_opts.arch_weights = b;
            else o->augment = b;
        } else if (!strcmp(k, "weights")) {
            if (opt_str(val, k, &s) < 0) return -1;
            o->proxy_opts.weights_dir = s;
        } else if (!strcmp(k, "max_memory")) {
            double d = 0;
            if (opt_double(val, k, &d) < 0) return -1;
            if (!(d > 0 && d < 1e18)) {
                PyErr_SetString(PyExc_ValueError, "max_memory: expected a positive number of bytes");
                return -1;
            }
            o->max_memory = d;
        } else {
            PyErr_Format(PyExc_TypeError, "unknown option '%s'", k);
            return -1;
        }
        continue;
    bad_choice:
        if (!PyErr_Occurred()) PyErr_Format(PyExc_ValueError, "%s: unexpected value %R", k, val);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- what _score and _search share */

/* The space opened with its settings, and a run's options (proxies, lanes, data, the proxies'
 * options) from the keyword arguments both calls take. */
typedef struct prepared {
    zc_run_opts o;
    zc_space_ctx *ctx;
    held_images held;
    long seed;
} prepared;

static void prepared_close(prepared *p)
{
    zc_space_close(p->ctx);
    p->ctx = NULL;
    release_images(&p->held);
}

/* args: (space, proxies); kw: the shared keywords only; need_index: architectures are chosen by
 * benchmark index (a missing index table is then an error). 0, or -1 with an exception set. */
static int prepare(prepared *p, PyObject *args, PyObject *kw, int need_index)
{
    static char *names[] = {"space", "proxies", "seed", "dataset", "data", "bench", "resolution", "num_classes",
                            "threads", "backend_threads", "batch_size", "batches", "eps_batch_size",
                            "base_batch_size", "nwot_batch_size", "options", "images", "labels", NULL};
    const char *space_name = "nb201", *dataset = NULL, *data = NULL, *bench = NULL;
    PyObject *proxies = NULL, *options = NULL, *batch_size = NULL, *batches = NULL, *eps_bs = NULL, *base_bs = NULL;
    PyObject *nwot_bs = NULL, *resolution = NULL, *num_classes = NULL, *images = NULL, *labels = NULL;
    long seed = 0, threads = 0, backend_threads = 1;
    memset(p, 0, sizeof *p);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "sO|lzzzOOllOOOOOOOO", names, &space_name, &proxies, &seed, &dataset,
                                     &data, &bench, &resolution, &num_classes, &threads, &backend_threads, &batch_size,
                                     &batches, &eps_bs, &base_bs, &nwot_bs, &options, &images, &labels))
        return -1;
    if (seed < 0 || seed > 0x7fffffffL) return PyErr_Format(PyExc_ValueError, "seed: expected 0 to 2147483647"), -1;
    if (threads < 0 || threads > 1024)
        return PyErr_Format(PyExc_ValueError, "threads: expected 0 (all cores) to 1024"), -1;
    if (backend_threads < 1 || backend_threads > 1024)
        return PyErr_Format(PyExc_ValueError, "backend_threads: expected 1 to 1024"), -1;

    const zc_space *space = zc_space_find(space_name);
    if (!space) return raise_last(ZC_EINVAL), -1;
    zc_dataset_kind kind = ZC_CIFAR10;
    zc_space_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (space->load_batches) {
        if (dataset && !space->datasets)
            return raise_status(ZC_EINVAL, "dataset: this space reads its own task data"), -1;
        cfg.dataset = dataset;
    } else if (zc_dataset_kind_parse(dataset ? dataset : space->dataset ? space->dataset : "cifar10", &kind) != ZC_OK) {
        return raise_last(ZC_EINVAL), -1;
    }
    long v = 0;
    if (opt_long(resolution, "resolution", 4, 4096, &v) < 0) return -1;
    cfg.resolution = (int)v;
    v = 0;
    if (opt_long(num_classes, "num_classes", 1, 1000000, &v) < 0) return -1;
    cfg.num_classes = (int)v;
    zc_space_config_for_dataset(space, kind, &cfg);
    cfg.bench_path = bench;
    cfg.need_index = need_index && space->from_index;

    zc_run_opts *o = &p->o;
    zc_run_opts_default(o);
    o->seed = (uint64_t)seed;
    o->threads = (int)threads;
    o->backend_threads = (int)backend_threads;
    o->dataset = space->load_batches ? NULL : zc_dataset_name(kind);
    o->data_path = data;
    if (data && zc_data_is_image_folder(data)) o->image_folder = 1;
    if (add_proxies(o, proxies) < 0 || add_lane(o, "zico", batch_size, batches, "batch_size", 1) < 0 ||
        add_lane(o, "epsilon", eps_bs, NULL, "eps_batch_size", 2) < 0 ||
        add_lane(o, "base", base_bs, NULL, "base_batch_size", 1) < 0 ||
        add_lane(o, "nwot", nwot_bs, NULL, "nwot_batch_size", 2) < 0 || proxy_options(o, options) < 0)
        return -1;
    if (batches && batches != Py_None && o->lanes[0].n_batches < 2)
        for (int k = 0; k < o->n_proxies; k++)
            if (!strcmp(o->proxies[k]->name, "zico"))
                return PyErr_Format(PyExc_ValueError, "batches=%d: zico takes the std of each gradient over the "
                                    "batches, which is 0 for one batch (every network would score 0); give at least 2",
                                    o->lanes[0].n_batches), -1;

    if (hold_images(images, labels, &p->held) < 0) return -1;
    if (p->held.have_x) o->images = &p->held.batch;
    zc_status st;
    Py_BEGIN_ALLOW_THREADS
    st = zc_space_open(space, &cfg, &p->ctx);
    Py_END_ALLOW_THREADS
    if (st != ZC_OK) {
        release_images(&p->held);
        return raise_last(st), -1;
    }
    o->space = p->ctx;
    p->seed = seed;
    return 0;
}

/* A keyword argument taken out of kw (a new reference, or NULL when absent). */
static PyObject *take(PyObject *kw, const char *key)
{
    PyObject *v = PyDict_GetItemString(kw, key);
    if (v) {
        Py_INCREF(v);
        PyDict_DelItemString(kw, key);
    }
    return v;
}

/* ---------------------------------------------------------------- _score */

/* _score(space, proxies, arch=, index=, sample=, all=, progress=, <shared keywords>) -> (columns, rows):
 * columns are the score names then one "<proxy>_seconds" per proxy; rows are (index or None, arch,
 * score..., seconds...) tuples. */
static PyObject *py_score(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    PyObject *rest = kw ? PyDict_Copy(kw) : PyDict_New();
    if (!rest) return NULL;
    PyObject *archs = take(rest, "arch"), *index = take(rest, "index"), *sample = take(rest, "sample");
    PyObject *all_o = take(rest, "all"), *progress = take(rest, "progress");
    PyObject *result = NULL;
    prepared pp;
    memset(&pp, 0, sizeof pp);
    int all = all_o ? PyObject_IsTrue(all_o) : 0;
    zc_arch_list list;
    zc_arch_list_init(&list, NULL);
    zc_run *run = NULL;
    scoring s;
    memset(&s, 0, sizeof s);
    if (all < 0) goto done;
    if (progress && progress != Py_None && !PyCallable_Check(progress)) {
        PyErr_SetString(PyExc_TypeError, "progress: expected a callable(done, total)");
        goto done;
    }
    if (prepare(&pp, args, rest, index && index != Py_None) < 0) goto done;
    zc_run_opts o = pp.o;
    zc_space_ctx *ctx = pp.ctx;
    zc_status st;
    zc_arch_list_init(&list, ctx);
    if (select_archs(&list, archs, index, sample, all, pp.seed) < 0) goto done;
    Py_BEGIN_ALLOW_THREADS
    st = zc_run_open(&o, &run);
    Py_END_ALLOW_THREADS
    if (st != ZC_OK) {
        raise_last(st);
        goto done;
    }
    s.run = run;
    s.list = &list;
    s.ns = zc_run_n_scores(run);
    s.np = o.n_proxies;
    s.scores = calloc((size_t)list.n * s.ns + 1, sizeof *s.scores);
    s.seconds = calloc((size_t)list.n * s.np + 1, sizeof *s.seconds);
    if (!s.scores || !s.seconds) {
        PyErr_NoMemory();
        goto done;
    }
    pthread_mutex_init(&s.w.lock, NULL);
    pthread_cond_init(&s.w.cond, NULL);
    pthread_t tid;
    int err = pthread_create(&tid, NULL, score_thread, &s);
    if (err) {
        errno = err;
        PyErr_SetFromErrno(PyExc_OSError);
    } else {
        int failed = wait_for_run(&s, progress);
        pthread_join(tid, NULL);
        if (!failed && s.w.status != ZC_OK) raise_status(s.w.status, s.w.error);
        else if (!failed) {
            /* The rows (those delivered: all of them unless progress stopped the run). */
            PyObject *cols = PyList_New(0), *rows = PyList_New(0);
            for (int p = 0; cols && p < o.n_proxies; p++)
                for (int m = 0; m < zc_proxy_n_outputs(o.proxies[p]); m++) {
                    PyObject *name = PyUnicode_FromString(zc_proxy_output(o.proxies[p], m));
                    if (!name || PyList_Append(cols, name) < 0) Py_CLEAR(cols);
                    Py_XDECREF(name);
                }
            for (int p = 0; cols && p < o.n_proxies; p++) {
                PyObject *name = PyUnicode_FromFormat("%s_seconds", o.proxies[p]->name);
                if (!name || PyList_Append(cols, name) < 0) Py_CLEAR(cols);
                Py_XDECREF(name);
            }
            size_t cap = ctx->space->str_max + 1;
            char *arch = malloc(cap);
            for (int i = 0; cols && rows && i < s.delivered; i++) {
                PyObject *row = PyTuple_New(2 + s.ns + s.np);
                if (!row || !arch) {
                    Py_XDECREF(row);
                    Py_CLEAR(rows);
                    if (!arch) PyErr_NoMemory();
                    break;
                }
                long idx = list.index[i];
                PyObject *io = idx >= 0 ? PyLong_FromLong(idx) : (Py_INCREF(Py_None), Py_None);
                PyTuple_SET_ITEM(row, 0, io);
                if (zc_space_format(ctx, zc_arch_list_get(&list, i), arch, cap) != ZC_OK) arch[0] = '\0';
                PyTuple_SET_ITEM(row, 1, PyUnicode_FromString(arch));
                for (int k = 0; k < s.ns; k++) PyTuple_SET_ITEM(row, 2 + k, score_object(s.scores[(size_t)i * s.ns + k]));
                for (int k = 0; k < s.np; k++)
                    PyTuple_SET_ITEM(row, 2 + s.ns + k, PyFloat_FromDouble(s.seconds[(size_t)i * s.np + k]));
                int bad = 0;
                for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(row); k++) bad |= PyTuple_GET_ITEM(row, k) == NULL;
                if (bad || PyList_Append(rows, row) < 0) Py_CLEAR(rows);
                Py_DECREF(row);
            }
            free(arch);
            if (cols && rows) result = PyTuple_Pack(2, cols, rows);
            Py_XDECREF(cols);
            Py_XDECREF(rows);
        }
    }
    pthread_cond_destroy(&s.w.cond);
    pthread_mutex_destroy(&s.w.lock);
done:
    free(s.scores);
    free(s.seconds);
    zc_run_close(run);
    zc_arch_list_free(&list);
    prepared_close(&pp);
    Py_XDECREF(archs);
    Py_XDECREF(index);
    Py_XDECREF(sample);
    Py_XDECREF(all_o);
    Py_XDECREF(progress);
    Py_DECREF(rest);
    return result;
}

/* ---------------------------------------------------------------- _search */

/* The search runs on a thread of its own; its evaluations queue here for the calling thread, which
 * hands them to the Python callback (as wait_for_run does for scores). */
typedef struct searching {
    zc_search_opts so;
    zc_search_result res;
    const zc_space_ctx *ctx;
    worker w;
    int n, cap;                /* evaluations queued so far */
    char **arch;               /* their canonical strings */
    double *score;
    int oom;
    int sync;                  /* a callback: the search waits for it after each evaluation */
    int acked;                 /* evaluations the callback has returned from */
    volatile sig_atomic_t stop;
} searching;

static void on_search_eval(void *ctx, int eval, const void *arch, double score)
{
    (void)eval;
    searching *s = ctx;
    size_t cap = s->ctx->space->str_max + 1;
    char *str = malloc(cap);
    if (str && zc_space_format(s->ctx, arch, str, cap) != ZC_OK) str[0] = '\0';
    pthread_mutex_lock(&s->w.lock);
    if (s->n == s->cap) {
        int cap2 = s->cap ? 2 * s->cap : 256;
        char **a = realloc(s->arch, (size_t)cap2 * sizeof *a);
        if (a) s->arch = a;
        double *v = a ? realloc(s->score, (size_t)cap2 * sizeof *v) : NULL;
        if (v) s->score = v;
        if (a && v) s->cap = cap2;
    }
    if (!str || s->n == s->cap) {
        free(str);
        s->oom = 1;
        s->stop = 1;
    } else {
        s->arch[s->n] = str;
        s->score[s->n++] = score;
    }
    pthread_cond_broadcast(&s->w.cond);
    /* the callback's False must stop the search at this evaluation, not a few later */
    while (s->sync && s->acked < s->n && !s->stop) pthread_cond_wait(&s->w.cond, &s->w.lock);
    pthread_mutex_unlock(&s->w.lock);
}

/* Sets the stop flag or acknowledges evaluations, waking the search thread. */
static void search_signal(searching *s, int stop, int acked)
{
    pthread_mutex_lock(&s->w.lock);
    if (stop) s->stop = 1;
    if (acked > s->acked) s->acked = acked;
    pthread_cond_broadcast(&s->w.cond);
    pthread_mutex_unlock(&s->w.lock);
}

static void *search_thread(void *arg)
{
    searching *s = arg;
    worker_finish(&s->w, zc_search(&s->so, &s->res));
    return NULL;
}

/* Waits for the search with the GIL released, calling callback(eval, arch, score) for each
 * evaluation as it comes; False from the callback stops the search (its result so far stands), an
 * exception or Ctrl-C stops it and is raised. -1 with an exception set in those last cases. */
static int wait_for_search(searching *s, PyObject *callback)
{
    int reported = 0, failed = 0;
    for (;;) {
        int n, finished;
        Py_BEGIN_ALLOW_THREADS
        pthread_mutex_lock(&s->w.lock);
        if (!s->w.finished && s->n == reported) worker_wait_briefly(&s->w);
        n = s->n;
        finished = s->w.finished;
        pthread_mutex_unlock(&s->w.lock);
        Py_END_ALLOW_THREADS
        for (; !failed && s->sync && !s->stop && reported < n; reported++) {
            /* the arrays may move (realloc) while the search appends: read under the lock */
            pthread_mutex_lock(&s->w.lock);
            PyObject *a = PyUnicode_FromString(s->arch[reported]);
            double score = s->score[reported];
            pthread_mutex_unlock(&s->w.lock);
            PyObject *r = a ? PyObject_CallFunction(callback, "iOd", reported, a, score) : NULL;
            Py_XDECREF(a);
            if (!r) failed = 1;
            else if (r == Py_False) search_signal(s, 1, 0);
            else search_signal(s, 0, reported + 1);
            Py_XDECREF(r);
        }
        reported = n;
        if (!failed && PyErr_CheckSignals() < 0) failed = 1;
        if (failed) search_signal(s, 1, 0);
        if (finished) break;
    }
    return failed ? -1 : 0;
}

/* _search(space, proxies, algo=, evals=, population=, sample_size=, generation=, max_flops=,
 * max_params=, callback=, <shared keywords>) -> dict: the best architecture and its score, the
 * evaluations (arch, score) in order, and counts. */
static PyObject *py_search(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    PyObject *rest = kw ? PyDict_Copy(kw) : PyDict_New();
    if (!rest) return NULL;
    PyObject *algo_o = take(rest, "algo"), *evals_o = take(rest, "evals"), *pop_o = take(rest, "population");
    PyObject *ss_o = take(rest, "sample_size"), *gen_o = take(rest, "generation"), *mf_o = take(rest, "max_flops");
    PyObject *mp_o = take(rest, "max_params"), *callback = take(rest, "callback");
    PyObject *result = NULL;
    prepared pp;
    memset(&pp, 0, sizeof pp);
    searching *s = calloc(1, sizeof *s);
    zc_run *run = NULL;
    void *best = NULL;
    zc_run_columns columns;
    if (!s) {
        PyErr_NoMemory();
        goto done;
    }
    zc_search_opts_default(&s->so);
    const char *algo = "rea";
    long v;
    if (opt_str(algo_o, "algo", &algo) < 0) goto done;
    if (!algo) algo = "rea";
    if (strcmp(algo, "rea") && strcmp(algo, "random")) {
        PyErr_Format(PyExc_ValueError, "algo: expected 'rea' or 'random', got '%s'", algo);
        goto done;
    }
    s->so.algo = !strcmp(algo, "rea") ? ZC_SEARCH_REA : ZC_SEARCH_RANDOM;
    v = s->so.evals;
    if (opt_long(evals_o, "evals", 1, 100000000L, &v) < 0) goto done;
    s->so.evals = (int)v;
    v = s->so.population;
    if (opt_long(pop_o, "population", 1, 10000000L, &v) < 0) goto done;
    s->so.population = (int)v;
    v = s->so.sample_size;
    if (opt_long(ss_o, "sample_size", 1, 10000000L, &v) < 0) goto done;
    s->so.sample_size = (int)v;
    v = s->so.generation;
    if (opt_long(gen_o, "generation", 1, 10000000L, &v) < 0) goto done;
    s->so.generation = (int)v;
    if (opt_double(mf_o, "max_flops", &s->so.max_flops) < 0 || opt_double(mp_o, "max_params", &s->so.max_params) < 0)
        goto done;
    if (callback && callback != Py_None && !PyCallable_Check(callback)) {
        PyErr_SetString(PyExc_TypeError, "callback: expected a callable(eval, arch, score)");
        goto done;
    }
    if (prepare(&pp, args, rest, 0) < 0) goto done;
    /* the fitness: one proxy, or one aggregate whose sub-scores the run's proxies write */
    PyObject *names = PyTuple_GET_ITEM(args, 1);
    Py_ssize_t n_names = PySequence_Size(names);
    const zc_aggregate *agg = NULL;
    if (n_names == 1) {
        PyObject *first = PySequence_GetItem(names, 0);
        const char *name = first && PyUnicode_Check(first) ? PyUnicode_AsUTF8(first) : NULL;
        agg = name ? zc_aggregate_find(name) : NULL;
        Py_XDECREF(first);
    }
    PyErr_Clear();
    if (n_names != 1 || (!agg && pp.o.n_proxies != 1)) {
        PyErr_Format(PyExc_ValueError, "proxies: the search needs exactly one proxy (or one aggregate) as its fitness");
        goto done;
    }
    pp.o.nan_on_numeric_error = 1;
    zc_status st;
    Py_BEGIN_ALLOW_THREADS
    st = zc_run_open(&pp.o, &run);
    Py_END_ALLOW_THREADS
    if (st != ZC_OK) {
        raise_last(st);
        goto done;
    }
    s->so.space = pp.ctx;
    s->so.seed = (uint64_t)pp.seed;
    s->so.fitness = zc_run_fitness;
    s->so.fitness_ctx = run;
    if (agg) {
        if ((st = zc_run_columns_for(&columns, run, agg)) != ZC_OK) {
            raise_last(st);
            goto done;
        }
        s->so.aggregate = agg;
        s->so.fitness = zc_run_fitness_columns;
        s->so.fitness_ctx = &columns;
    }
    s->so.on_eval = on_search_eval;
    s->so.eval_ctx = s;
    s->so.stop = &s->stop;
    s->ctx = pp.ctx;
    s->sync = callback && callback != Py_None;
    if (!(best = calloc(1, pp.ctx->space->arch_size))) {
        PyErr_NoMemory();
        goto done;
    }
    s->res.best = best;
    pthread_mutex_init(&s->w.lock, NULL);
    pthread_cond_init(&s->w.cond, NULL);
    pthread_t tid;
    int err = pthread_create(&tid, NULL, search_thread, s);
    if (err) {
        errno = err;
        PyErr_SetFromErrno(PyExc_OSError);
    } else {
        int failed = wait_for_search(s, callback);
        pthread_join(tid, NULL);
        if (!failed && s->w.status != ZC_OK) raise_status(s->w.status, s->w.error);
        else if (!failed && s->oom) PyErr_NoMemory();
        else if (!failed) {
            PyObject *history = PyList_New(s->n);
            for (int i = 0; history && i < s->n; i++) {
                PyObject *t = Py_BuildValue("(sd)", s->arch[i], s->score[i]);
                if (!t) Py_CLEAR(history);
                else PyList_SET_ITEM(history, i, t);
            }
            size_t cap = pp.ctx->space->str_max + 1;
            char *str = malloc(cap);
            PyObject *best_o = NULL, *index_o = NULL;
            if (!str) PyErr_NoMemory();
            else if (s->res.found && zc_space_format(pp.ctx, best, str, cap) == ZC_OK) {
                best_o = PyUnicode_FromString(str);
                long idx = zc_space_index_of(pp.ctx, best);
                index_o = idx >= 0 ? PyLong_FromLong(idx) : (Py_INCREF(Py_None), Py_None);
            } else {
                best_o = (Py_INCREF(Py_None), Py_None);
                index_o = (Py_INCREF(Py_None), Py_None);
            }
            free(str);
            if (history && best_o && index_o)
                result = Py_BuildValue("{s:O,s:O,s:d,s:i,s:i,s:i,s:O,s:O}", "arch", best_o, "index", index_o, "score",
                                       s->res.score, "evals", s->res.evals, "distinct", s->res.distinct, "scored",
                                       s->res.scored, "stopped", s->res.stopped ? Py_True : Py_False, "history",
                                       history);
            Py_XDECREF(best_o);
            Py_XDECREF(index_o);
            Py_XDECREF(history);
        }
    }
    pthread_cond_destroy(&s->w.cond);
    pthread_mutex_destroy(&s->w.lock);
done:
    if (s) {
        for (int i = 0; i < s->n; i++) free(s->arch[i]);
        free(s->arch);
        free(s->score);
        free(s);
    }
    free(best);
    zc_run_close(run);
    prepared_close(&pp);
    Py_XDECREF(algo_o);
    Py_XDECREF(evals_o);
    Py_XDECREF(pop_o);
    Py_XDECREF(ss_o);
    Py_XDECREF(gen_o);
    Py_XDECREF(mf_o);
    Py_XDECREF(mp_o);
    Py_XDECREF(callback);
    Py_DECREF(rest);
    return result;
}

/* ---------------------------------------------------------------- listings and statistics */

static PyObject *py_proxies(PyObject *self, PyObject *noargs)
{
    (void)self, (void)noargs;
    PyObject *out = PyList_New(0);
    for (const zc_proxy *const *p = zc_proxy_all(); out && *p; p++) {
        PyObject *outputs = PyList_New(0);
        for (int k = 0; outputs && k < zc_proxy_n_outputs(*p); k++) {
            PyObject *name = PyUnicode_FromString(zc_proxy_output(*p, k));
            if (!name || PyList_Append(outputs, name) < 0) Py_CLEAR(outputs);
            Py_XDECREF(name);
        }
        PyObject *t = outputs ? Py_BuildValue("(ssO)", (*p)->name, (*p)->help ? (*p)->help : "", outputs) : NULL;
        Py_XDECREF(outputs);
        if (!t || PyList_Append(out, t) < 0) Py_CLEAR(out);
        Py_XDECREF(t);
    }
    return out;
}

/* Python list of a NULL-terminated list of names. */
static PyObject *name_list(const char *const *names)
{
    PyObject *out = PyList_New(0);
    for (int k = 0; out && names && names[k]; k++) {
        PyObject *name = PyUnicode_FromString(names[k]);
        if (!name || PyList_Append(out, name) < 0) Py_CLEAR(out);
        Py_XDECREF(name);
    }
    return out;
}

static PyObject *py_aggregates(PyObject *self, PyObject *noargs)
{
    (void)self, (void)noargs;
    PyObject *out = PyList_New(0);
    for (const zc_aggregate *const *a = zc_aggregate_all(); out && *a; a++) {
        PyObject *needs = name_list((*a)->needs), *cols = name_list((*a)->columns);
        PyObject *t = needs && cols ? Py_BuildValue("(ssOO)", (*a)->name, (*a)->help ? (*a)->help : "", needs, cols) : NULL;
        Py_XDECREF(needs);
        Py_XDECREF(cols);
        if (!t || PyList_Append(out, t) < 0) Py_CLEAR(out);
        Py_XDECREF(t);
    }
    return out;
}

static PyObject *py_spaces(PyObject *self, PyObject *noargs)
{
    (void)self, (void)noargs;
    PyObject *out = PyList_New(0);
    for (const zc_space *const *s = zc_space_all(); out && *s; s++) {
        PyObject *name = PyUnicode_FromString((*s)->name);
        if (!name || PyList_Append(out, name) < 0) Py_CLEAR(out);
        Py_XDECREF(name);
    }
    return out;
}

/* Copies a sequence of numbers into a new double array. */
static double *numbers(PyObject *o, const char *what, Py_ssize_t *n)
{
    PyObject *seq = PySequence_Fast(o, what);
    if (!seq) return NULL;
    *n = PySequence_Fast_GET_SIZE(seq);
    double *v = malloc((size_t)(*n + 1) * sizeof *v);
    if (!v) {
        Py_DECREF(seq);
        return (double *)PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < *n; i++) {
        v[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(seq, i));
        if (v[i] == -1.0 && PyErr_Occurred()) {
            free(v);
            Py_DECREF(seq);
            return NULL;
        }
    }
    Py_DECREF(seq);
    return v;
}

/* _aggregate(name, columns) -> list: an aggregate proxy (az_nas, te_nas, vkdnw_agg, ...) over a
 * population, columns[k][i] being sub-score k of architecture i. */
static PyObject *py_aggregate(PyObject *self, PyObject *args)
{
    (void)self;
    const char *name;
    PyObject *cols;
    if (!PyArg_ParseTuple(args, "sO", &name, &cols)) return NULL;
    const zc_aggregate *a = zc_aggregate_find(name);
    if (!a) return raise_status(ZC_EINVAL, "no aggregate of that name");
    int k = zc_aggregate_n_columns(a);
    PyObject *seq = PySequence_Fast(cols, "columns: expected a list of columns");
    if (!seq) return NULL;
    if (PySequence_Fast_GET_SIZE(seq) != k) {
        Py_DECREF(seq);
        return PyErr_Format(PyExc_ValueError, "%s combines %d columns, got %zd", name, k, PySequence_Fast_GET_SIZE(seq));
    }
    double *c[16] = {0};
    Py_ssize_t n = -1;
    PyObject *result = NULL;
    for (int j = 0; j < k && j < 16; j++) {
        Py_ssize_t m;
        if (!(c[j] = numbers(PySequence_Fast_GET_ITEM(seq, j), "columns: expected numbers", &m))) goto out;
        if (n >= 0 && m != n) {
            PyErr_SetString(PyExc_ValueError, "columns of different lengths");
            goto out;
        }
        n = m;
    }
    double *res = malloc((size_t)(n > 0 ? n : 1) * sizeof *res);
    if (!res) {
        PyErr_NoMemory();
        goto out;
    }
    zc_status st = zc_aggregate_compute(a, (const double *const *)c, (size_t)n, res);
    if (st != ZC_OK) raise_last(st);
    else {
        result = PyList_New(n);
        for (Py_ssize_t i = 0; result && i < n; i++) PyList_SET_ITEM(result, i, PyFloat_FromDouble(res[i]));
    }
    free(res);
out:
    for (int j = 0; j < 16; j++) free(c[j]);
    Py_DECREF(seq);
    return result;
}

/* _correlate(x, y) -> dict of the rank statistics eval reports (pairs with NaN left out). */
static PyObject *py_correlate(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *xo, *yo;
    if (!PyArg_ParseTuple(args, "OO", &xo, &yo)) return NULL;
    Py_ssize_t nx, ny;
    double *x = numbers(xo, "x: expected numbers", &nx), *y = x ? numbers(yo, "y: expected numbers", &ny) : NULL;
    PyObject *out = NULL;
    if (x && y) {
        if (nx != ny) PyErr_Format(PyExc_ValueError, "x and y differ in length (%zd and %zd)", nx, ny);
        else {
            size_t m = 0;
            for (Py_ssize_t i = 0; i < nx; i++)
                if (x[i] == x[i] && y[i] == y[i]) x[m] = x[i], y[m] = y[i], m++;
            double sp = zc_spearman(x, y, m), kt = zc_kendall_tau_b(x, y, m), pe = zc_pearson(x, y, m);
            out = Py_BuildValue("{s:d,s:d,s:d,s:n}", "spearman", sp, "kendall", kt, "pearson", pe, "n", (Py_ssize_t)m);
        }
    }
    free(x);
    free(y);
    return out;
}

static PyObject *py_version(PyObject *self, PyObject *noargs)
{
    (void)self, (void)noargs;
    return PyUnicode_FromString(ZCNAS_VERSION);
}

static PyMethodDef methods[] = {
    {"_score", (PyCFunction)(void (*)(void))py_score, METH_VARARGS | METH_KEYWORDS, "scores architectures (see zcnas.score)"},
    {"_search", (PyCFunction)(void (*)(void))py_search, METH_VARARGS | METH_KEYWORDS, "searches a space (see zcnas.search)"},
    {"_proxies", py_proxies, METH_NOARGS, "(name, help, score columns) of every proxy"},
    {"_aggregates", py_aggregates, METH_NOARGS, "(name, help, proxies needed, columns) of every aggregate"},
    {"_spaces", py_spaces, METH_NOARGS, "the search spaces' names"},
    {"_aggregate", py_aggregate, METH_VARARGS, "an aggregate proxy over a population"},
    {"_correlate", py_correlate, METH_VARARGS, "Spearman, Kendall and Pearson of two sequences"},
    {"_version", py_version, METH_NOARGS, "the library's version"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "zcnas._zcnas", "libzcnas binding", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__zcnas(void)
{
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    zc_error_type = PyErr_NewExceptionWithDoc("zcnas.Error",
                                              "A zcnas library failure; str(e) is the library's message and "
                                              "e.status its zc_status code.",
                                              PyExc_RuntimeError, NULL);
    if (!zc_error_type || PyModule_AddObjectRef(m, "Error", zc_error_type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
