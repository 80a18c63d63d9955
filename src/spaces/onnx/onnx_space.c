/* Any network exported to ONNX as a zcnas space (zcnas/space.h): an architecture is a model file
 * (`zcnas score --onnx model.onnx`, the same as `--space onnx --arch model.onnx`), its network the
 * file's graph mapped onto the engine's ops (onnx_graph.c). Weights are re-initialised as each proxy
 * requires (PyTorch's defaults for ZiCo, constants for epsilon), from a stream given by the file's
 * MD5, so the same model scores the same wherever it lies; or, with --onnx-weights, they are the
 * file's own (load_weights; batch-norm running statistics are not read, as with --weights). The input size is the run's (--resolution,
 * else the dataset's); the graph's own input size is what `zcnas info` reports. There is nothing to
 * sample or mutate: the space holds the files it is given. Built without protobuf-c / onnx.proto, every
 * model is refused with the packages to install. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zcnas/cost.h"
#include "zcnas/space.h"
#ifdef ZCNAS_HAVE_ONNX
#include <pthread.h>
#include "spaces/onnx/onnx_graph.h"
#endif

#define ONNX_PATH_MAX 4000

typedef struct onnx_arch {
    char path[ONNX_PATH_MAX];
    char md5[33];
} onnx_arch;

#ifdef ZCNAS_HAVE_ONNX
static void cache_put(const zc_space_ctx *ctx, zci_onnx *m);

static zc_status onnx_parse(const zc_space_ctx *ctx, const char *s, void *archp)
{
    onnx_arch *a = archp;
    size_t n = strlen(s);
    if (!n) return zc_fail(ZC_EINVAL, "onnx: expected the path of an .onnx model file, got ''");
    if (n >= ONNX_PATH_MAX) return zc_fail(ZC_EINVAL, "onnx: a path of %zu bytes (at most %d)", n, ONNX_PATH_MAX - 1);
    zci_onnx *m;
    zc_status st = zci_onnx_load(s, &m);
    if (st != ZC_OK) return st;
    memset(a, 0, sizeof *a);
    memcpy(a->path, s, n);
    memcpy(a->md5, zci_onnx_md5(m), 33);
    cache_put(ctx, m);   /* the builds to come need it parsed */
    return ZC_OK;
}

/* Parsed models, kept for the context's life (every proxy builds the network again, and a ResNet-18
 * file is 45 MB to read and parse): up to CACHE_MODELS, by content (MD5); read-only once parsed, so
 * worker threads share them. */
#define CACHE_MODELS 8
typedef struct onnx_cache {
    pthread_mutex_t lock;
    int n;
    zci_onnx *models[CACHE_MODELS];
} onnx_cache;

static zc_status onnx_open(zc_space_ctx *ctx)
{
    onnx_cache *c = calloc(1, sizeof *c);
    if (!c) return zc_fail(ZC_ENOMEM, "onnx: out of memory");
    pthread_mutex_init(&c->lock, NULL);
    ctx->priv = c;
    return ZC_OK;
}

static void onnx_close(zc_space_ctx *ctx)
{
    onnx_cache *c = ctx->priv;
    if (!c) return;
    for (int i = 0; i < c->n; i++) zci_onnx_free(c->models[i]);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Keeps m for the context's builds when it is not there yet and there is room; frees it otherwise. */
static void cache_put(const zc_space_ctx *ctx, zci_onnx *m)
{
    onnx_cache *c = ctx->priv;
    int kept = 0;
    if (c) {
        pthread_mutex_lock(&c->lock);
        int found = 0;
        for (int i = 0; i < c->n && !found; i++) found = !strcmp(zci_onnx_md5(c->models[i]), zci_onnx_md5(m));
        if (!found && c->n < CACHE_MODELS) c->models[c->n++] = m, kept = 1;
        pthread_mutex_unlock(&c->lock);
    }
    if (!kept) zci_onnx_free(m);
}

/* The parsed model of a: from the cache, else read (and cached when there is room: *owned = 0; else the
 * caller frees it). The file must still hold what was parsed when the architecture was. */
static zc_status model_of(const zc_space_ctx *ctx, const onnx_arch *a, zci_onnx **m, int *owned)
{
    onnx_cache *c = ctx->priv;
    *owned = 0;
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < c->n; i++)
        if (!strcmp(zci_onnx_md5(c->models[i]), a->md5)) {
            *m = c->models[i];
            pthread_mutex_unlock(&c->lock);
            return ZC_OK;
        }
    zc_status st = zci_onnx_load(a->path, m);
    if (st == ZC_OK && strcmp(zci_onnx_md5(*m), a->md5)) {
        zci_onnx_free(*m);
        st = zc_fail(ZC_EDATA, "%s changed while zcnas was scoring it", a->path);
    }
    if (st == ZC_OK) {
        if (c->n < CACHE_MODELS) c->models[c->n++] = *m;
        else *owned = 1;
    }
    pthread_mutex_unlock(&c->lock);
    return st;
}

static zc_net *onnx_build(const zc_space_ctx *ctx, const void *archp, const zc_build_opts *o)
{
    zci_onnx *m;
    int owned;
    if (model_of(ctx, archp, &m, &owned) != ZC_OK) return NULL;
    zc_net *net = zci_onnx_build(m, o->track_running_stats, o->shapes_only, ctx->cfg.resolution, NULL);
    if (owned) zci_onnx_free(m);
    return net;
}

/* The file's initialisers into a network onnx_build made (--onnx-weights). */
static zc_status onnx_load_weights(const zc_space_ctx *ctx, const void *archp, zc_net *net)
{
    zci_onnx *m;
    int owned;
    zc_status st = model_of(ctx, archp, &m, &owned);
    if (st != ZC_OK) return st;
    st = zci_onnx_load_weights(m, net);
    if (owned) zci_onnx_free(m);
    return st;
}

static void onnx_info(const zc_space_ctx *ctx, const void *archp, FILE *f)
{
    const onnx_arch *a = archp;
    zci_onnx *m;
    int owned;
    if (model_of(ctx, a, &m, &owned) != ZC_OK) {
        fprintf(f, "model       %s: %s\n", a->path, zc_last_error());
        return;
    }
    int c, res, classes;
    zci_onnx_shape(m, &c, &res, &classes);
    fprintf(f, "model       %s (md5 %s)\n", a->path, a->md5);
    fprintf(f, "input       %d x %d x %d as exported; scored at %d x %d%s\n", c, res, res, ctx->cfg.resolution,
            ctx->cfg.resolution, res == ctx->cfg.resolution ? "" : " (--resolution to change)");
    fprintf(f, "graph       each node, the engine's op and its output (C x H x W per image) at the run's size:\n");
    zc_net *net = zci_onnx_build(m, 1, 1, ctx->cfg.resolution, f);
    if (!net) fprintf(f, "  (%s)\n", zc_last_error());
    zc_net_free(net);
    if (owned) zci_onnx_free(m);
}
#else
static zc_status onnx_parse(const zc_space_ctx *ctx, const char *s, void *archp)
{
    (void)ctx, (void)s, (void)archp;
    return zc_fail(ZC_EUNSUPPORTED, "onnx: this zcnas was built without ONNX support; install protobuf-c-compiler "
                                    "libprotobuf-c-dev libonnx-dev (scripts/install-deps.sh) and rebuild");
}

static zc_net *onnx_build(const zc_space_ctx *ctx, const void *archp, const zc_build_opts *o)
{
    (void)ctx, (void)o;
    onnx_parse(ctx, "", (void *)archp);
    return NULL;
}

static void onnx_info(const zc_space_ctx *ctx, const void *archp, FILE *f)
{
    (void)ctx, (void)archp, (void)f;
}

static zc_status onnx_load_weights(const zc_space_ctx *ctx, const void *archp, zc_net *net)
{
    (void)net;
    return onnx_parse(ctx, "", (void *)archp);
}
#endif

static zc_status onnx_format(const zc_space_ctx *ctx, const void *archp, char *buf, size_t size)
{
    (void)ctx;
    const onnx_arch *a = archp;
    if (strlen(a->path) >= size) return zc_fail(ZC_EINVAL, "onnx: path too long for the buffer");
    snprintf(buf, size, "%s", a->path);
    return ZC_OK;
}

/* The model's identity is its content: the stream comes from the file's MD5. */
static uint64_t onnx_stream(const zc_space_ctx *ctx, const void *archp)
{
    (void)ctx;
    const onnx_arch *a = archp;
    uint64_t v = 0;
    for (int i = 0; i < 16 && a->md5[i]; i++) v = v * 16 + (uint64_t)(a->md5[i] <= '9' ? a->md5[i] - '0' : a->md5[i] - 'a' + 10);
    return v | (1ULL << 63);   /* never a benchmark index */
}

static long long onnx_size(const zc_space_ctx *ctx)
{
    (void)ctx;
    return 0;
}

const zc_space zc_space_onnx = {
    .name = "onnx",
    .aliases = "",
    .title = "any image classifier exported to ONNX: the architecture is the model file (--onnx FILE)",
    .arch_size = sizeof(onnx_arch),
    .str_max = ONNX_PATH_MAX,
    .dataset = "cifar10",
    .user_resolution = 1,
#ifdef ZCNAS_HAVE_ONNX
    .open = onnx_open,
    .close = onnx_close,
#endif
    .parse = onnx_parse,
    .format = onnx_format,
    .size = onnx_size,
    .build = onnx_build,
    .cost = zc_space_network_cost,   /* conv and linear MACs, all parameters, on the mapped network */
    .load_weights = onnx_load_weights,
    .info = onnx_info,
    .stream = onnx_stream,
};
