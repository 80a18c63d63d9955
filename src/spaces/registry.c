/* The space table (one row per space; each space is one folder under src/spaces/) and the thin
 * wrappers every caller goes through. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zcnas/cost.h"
#include "zcnas/data.h"
#include "zcnas/space.h"

extern const zc_space zc_space_nb201, zc_space_nats_sss, zc_space_nb101, zc_space_zennas, zc_space_tnb101_micro,
    zc_space_tnb101_macro, zc_space_nbnlp, zc_space_onnx;

static const zc_space *const all_spaces[] = {&zc_space_nb201,         &zc_space_nats_sss,     &zc_space_nb101,
                                             &zc_space_zennas,        &zc_space_tnb101_micro, &zc_space_tnb101_macro, &zc_space_nbnlp,
                                             &zc_space_onnx,
                                             NULL};

const zc_space *const *zc_space_all(void) { return all_spaces; }

/* Case-insensitive equality of a and the n bytes at b. */
static int same_name(const char *a, const char *b, size_t n)
{
    if (strlen(a) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i])) return 0;
    return 1;
}

const zc_space *zc_space_find(const char *name)
{
    for (int i = 0; name && all_spaces[i]; i++) {
        const zc_space *s = all_spaces[i];
        if (same_name(name, s->name, strlen(s->name))) return s;
        for (const char *a = s->aliases; a && *a;) {
            size_t n = strcspn(a, ",");
            if (same_name(name, a, n)) return s;
            a += n + (a[n] == ',');
        }
    }
    char list[256];
    int o = 0;
    for (int i = 0; all_spaces[i] && o < (int)sizeof list; i++)
        o += snprintf(list + o, sizeof list - (size_t)o, "%s%s", i ? ", " : "", all_spaces[i]->name);
    zc_fail(ZC_EINVAL, "unknown search space '%s' (available: %s)", name ? name : "", list);
    return NULL;
}

/* Position of name in a comma-separated list, -1 when absent. */
static int list_position(const char *list, const char *name)
{
    int k = 0;
    for (const char *a = list; a && *a; k++) {
        size_t len = strcspn(a, ",");
        if (strlen(name) == len && !strncmp(a, name, len)) return k;
        a += len + (a[len] == ',');
    }
    return -1;
}

/* The position of `name` in a space's comma-separated `list`, or ZC_EINVAL naming the choices. */
static zc_status choose(const zc_space *space, const char *list, const char *name, const char *what, const char *none,
                        int *out)
{
    int k = list_position(list, name);
    if (k < 0)
        return zc_fail(ZC_EINVAL, "%s: unknown %s '%s' (%s%s)", space->name, what, name, list ? "expected one of " : none,
                       list ? list : "");
    *out = k;
    return ZC_OK;
}

zc_status zc_space_open(const zc_space *space, const zc_space_config *cfg, zc_space_ctx **out)
{
    *out = NULL;
    zc_space_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return zc_fail(ZC_ENOMEM, "%s: out of memory", space->name);
    ctx->space = space;
    if (cfg) ctx->cfg = *cfg;
    /* Defaults: the space's, then its dataset's. */
    zc_dataset_kind kind = ZC_CIFAR10;
    if (space->dataset) zc_dataset_kind_parse(space->dataset, &kind);
    if (ctx->cfg.num_classes <= 0 && space->num_classes >= 0)   /* < 0: the space's open chooses */
        ctx->cfg.num_classes = space->num_classes > 0 ? space->num_classes : zc_dataset_classes(kind);
    if (ctx->cfg.resolution <= 0) ctx->cfg.resolution = space->resolution > 0 ? space->resolution : zc_dataset_resolution(kind);
    if (ctx->cfg.cost_resolution <= 0)
        ctx->cfg.cost_resolution = space->cost_resolution > 0 ? space->cost_resolution : ctx->cfg.resolution;
    if (ctx->cfg.num_classes > 1000000 || ctx->cfg.resolution > 4096 || ctx->cfg.cost_resolution > 4096) {
        free(ctx);
        return zc_fail(ZC_EINVAL, "%s: classes %d / resolution %d out of range", space->name, cfg->num_classes,
                       cfg->resolution);
    }
    if (ctx->cfg.need_index && !space->from_index) {
        free(ctx);
        return zc_fail(ZC_EINVAL, "%s: this space has no benchmark index", space->name);
    }
    /* Named variants: their positions in the space's lists. */
    zc_status st = ZC_OK;
    if (cfg && cfg->mutation) st = choose(space, space->mutations, cfg->mutation, "mutation", "the space has one mutation",
                                          &ctx->mutation);
    if (st == ZC_OK && cfg && cfg->task)
        st = choose(space, space->tasks, cfg->task, "task", "the space has image classification only", &ctx->task);
    if (st == ZC_OK && cfg && cfg->dataset)
        st = choose(space, space->datasets, cfg->dataset, "dataset", "the space reads no datasets of its own",
                    &ctx->dataset);
    if (st != ZC_OK) {
        free(ctx);
        return st;
    }
    st = space->open ? space->open(ctx) : ZC_OK;
    if (st != ZC_OK) {
        free(ctx);
        return st;
    }
    *out = ctx;
    return ZC_OK;
}

void zc_space_close(zc_space_ctx *ctx)
{
    if (!ctx) return;
    if (ctx->space->close) ctx->space->close(ctx);
    free(ctx);
}

zc_status zc_space_parse(const zc_space_ctx *ctx, const char *s, void *arch)
{
    if (!s || !*s) return zc_fail(ZC_EINVAL, "%s: empty architecture string", ctx->space->name);
    return ctx->space->parse(ctx, s, arch);
}

zc_status zc_space_format(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size)
{
    return ctx->space->format(ctx, arch, buf, size);
}

long zc_space_index_of(const zc_space_ctx *ctx, const void *arch)
{
    return ctx->has_index && ctx->space->index_of ? ctx->space->index_of(ctx, arch) : -1;
}

zc_status zc_space_from_index(const zc_space_ctx *ctx, long index, void *arch)
{
    if (!ctx->space->from_index) return zc_fail(ZC_EINVAL, "%s: this space has no benchmark index", ctx->space->name);
    if (!ctx->has_index)
        return zc_fail(ZC_EINVAL, "%s: index %ld needs the benchmark table (%s)", ctx->space->name, index,
                       ctx->space->bench_table);
    return ctx->space->from_index(ctx, index, arch);
}

long long zc_space_size(const zc_space_ctx *ctx) { return ctx->space->size ? ctx->space->size(ctx) : 0; }

uint64_t zc_space_stream(const zc_space_ctx *ctx, const void *arch)
{
    long index = zc_space_index_of(ctx, arch);
    return index >= 0 ? (uint64_t)index : ctx->space->stream(ctx, arch);
}

zc_net *zc_space_build(const zc_space_ctx *ctx, const void *arch, const zc_build_opts *opts)
{
    zc_build_opts o = {0, 1, 0, 0};
    return ctx->space->build(ctx, arch, opts ? opts : &o);
}

zc_status zc_space_load_weights(const zc_space_ctx *ctx, const void *arch, zc_net *net)
{
    if (!ctx->space->load_weights)
        return zc_fail(ZC_EUNSUPPORTED, "%s: its architectures carry no weights (only onnx models do)", ctx->space->name);
    return ctx->space->load_weights(ctx, arch, net);
}

zc_status zc_space_cost(const zc_space_ctx *ctx, const void *arch, zc_cost *cost)
{
    cost->flops = cost->params = 0;
    cost->layers = -1;
    return ctx->space->cost(ctx, arch, cost);
}

void zc_space_target(const zc_space *space, const char *dataset, char *buf, size_t size)
{
    snprintf(buf, size, space->target ? space->target : "%s_test", dataset);
}

static void list_item(const char *list, int k, char *buf, size_t size)
{
    const char *a = list ? list : "";
    for (int i = 0; i < k && *a; i++) a += strcspn(a, ",") + (a[strcspn(a, ",")] == ',');
    snprintf(buf, size, "%.*s", (int)strcspn(a, ","), a);
}

void zc_space_dataset_name(const zc_space_ctx *ctx, char *buf, size_t size)
{
    list_item(ctx->space->datasets, ctx->dataset, buf, size);
}

void zc_space_task_name(const zc_space_ctx *ctx, char *buf, size_t size)
{
    list_item(ctx->space->tasks, ctx->task, buf, size);
}

void zc_space_target_ctx(const zc_space_ctx *ctx, const char *dataset, char *buf, size_t size)
{
    if (ctx->space->tasks) zc_space_task_name(ctx, buf, size);
    else zc_space_target(ctx->space, dataset, buf, size);
}

zc_status zc_space_network_cost(const zc_space_ctx *ctx, const void *arch, zc_cost *cost)
{
    zc_build_opts o = {0, 1, 1, 0};
    zc_net *net = ctx->space->build(ctx, arch, &o);
    if (!net) return ZC_EINVAL;
    cost->flops = (double)zc_net_flops(net);
    cost->params = (double)zc_net_param_count(net);
    cost->layers = -1;
    zc_net_free(net);
    return ZC_OK;
}

zc_status zc_space_mutate(const zc_space_ctx *ctx, const void *arch, int strength, zc_rng *rng, void *child)
{
    if (!ctx->space->mutate) return zc_fail(ZC_EUNSUPPORTED, "%s: no mutation", ctx->space->name);
    return ctx->space->mutate(ctx, arch, strength, rng, child);
}

zc_status zc_space_key(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size)
{
    return ctx->space->key ? ctx->space->key(ctx, arch, buf, size) : ctx->space->format(ctx, arch, buf, size);
}

uint64_t zc_space_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}
