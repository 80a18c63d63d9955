/* NAS-Bench-201 / NATS-Bench-TSS as a zcnas space (zcnas/space.h): arch strings, the benchmark's
 * index read from its table, epsinas' one-edge mutation, xautodl's TinyNetwork, the API's counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spaces/nb201/nb201.h"
#include "zcnas/data.h"
#include "zcnas/space.h"

/* ctx->priv: the index map, or NULL when the table was not needed and not found. */
static zc_status nb201_open(zc_space_ctx *ctx)
{
    char path[4096];
    zc_status st = zc_data_bench_path(ctx->space->bench_table, ctx->cfg.bench_path, path, sizeof path);
    if (st != ZC_OK) {
        if (ctx->cfg.need_index || ctx->cfg.bench_path) return st;
        zc_clear_error();
        return ZC_OK;
    }
    zc_nb201_index_map *map = malloc(sizeof *map);
    if (!map) return zc_fail(ZC_ENOMEM, "nb201: out of memory for the index table");
    if ((st = zc_nb201_index_map_load(map, path)) != ZC_OK) {
        free(map);
        return st;
    }
    ctx->priv = map;
    ctx->has_index = 1;
    return ZC_OK;
}

static void nb201_close(zc_space_ctx *ctx) { free(ctx->priv); }

static zc_status nb201_parse(const zc_space_ctx *ctx, const char *s, void *arch)
{
    (void)ctx;
    return zc_nb201_parse(s, arch);
}

static zc_status nb201_format(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size)
{
    (void)ctx;
    zc_nb201_format(arch, buf, size);
    return ZC_OK;
}

static long long nb201_size(const zc_space_ctx *ctx)
{
    (void)ctx;
    return ZC_NB201_SIZE;
}

static long nb201_index_of(const zc_space_ctx *ctx, const void *arch) { return zc_nb201_index(ctx->priv, arch); }

static zc_status nb201_from_index(const zc_space_ctx *ctx, long index, void *arch)
{
    if (index < 0 || index >= ZC_NB201_SIZE)
        return zc_fail(ZC_EINVAL, "nb201: index %ld out of range 0..%d", index, ZC_NB201_SIZE - 1);
    return zc_nb201_from_index(ctx->priv, (int)index, arch);
}

/* A uniform draw: a uniform index (or, without the table, a uniform arch code). */
static void nb201_sample(const zc_space_ctx *ctx, zc_rng *rng, void *arch)
{
    int k = (int)zc_rng_below(rng, ZC_NB201_SIZE);
    if (ctx->priv) zc_nb201_from_index(ctx->priv, k, arch);
    else zc_nb201_from_code(k, arch);
}

static zc_status nb201_mutate(const zc_space_ctx *ctx, const void *arch, int strength, zc_rng *rng, void *child)
{
    (void)ctx;
    zc_nb201_arch a = *(const zc_nb201_arch *)arch;
    for (int i = 0; i < (strength > 0 ? strength : 1); i++) zc_nb201_mutate(&a, rng, &a);
    *(zc_nb201_arch *)child = a;
    return ZC_OK;
}

static int nb201_neighbours(const zc_space_ctx *ctx, const void *arch)
{
    (void)ctx;
    (void)arch;
    return ZC_NB201_EDGES * (ZC_NB201_OPS - 1);
}

static zc_net *nb201_build(const zc_space_ctx *ctx, const void *arch, const zc_build_opts *o)
{
    zc_nb201_config cfg = zc_nb201_default_config(o->num_classes > 0 ? o->num_classes : ctx->cfg.num_classes,
                                                  ctx->cfg.resolution);
    cfg.track_running_stats = o->track_running_stats;
    cfg.shapes_only = o->shapes_only;
    return zc_nb201_build(arch, &cfg);
}

static void nb201_info(const zc_space_ctx *ctx, const void *archp, FILE *f)
{
    const zc_nb201_arch *arch = archp;
    fprintf(f, "cell        ");
    for (int to = 1, e = 0; to <= 3; to++) {
        if (to > 1) fprintf(f, "            ");
        fprintf(f, "node%d = ", to);
        for (int from = 0; from < to; from++, e++)
            fprintf(f, "%s%s(node%d)", from ? " + " : "", zc_nb201_op_name(arch->ops[e]), from);
        fprintf(f, "\n");
    }
    int C = 16, N = 5, res = ctx->cfg.resolution;
    fprintf(f, "network     stem conv3x3(3->%d)+BN | %d cells @%d ch %dx%d | ResNet block %d->%d s2 | %d cells @%d ch "
               "%dx%d |\n            ResNet block %d->%d s2 | %d cells @%d ch %dx%d | BN+ReLU, global avg pool, "
               "linear %d->%d\n",
            C, N, C, res, res, C, 2 * C, N, 2 * C, res / 2, res / 2, 2 * C, 4 * C, N, 4 * C, res / 4, res / 4, 4 * C,
            ctx->cfg.num_classes);
    fprintf(f, "epsilon     %s\n", zc_nb201_has_convfree_path(arch)
                                       ? "has a conv-free path: scored"
                                       : "no conv-free path from cell input to output: NaN at weights 1e-7,1 (excluded)");
}

/* Without the table: past every index, so an arch code never takes an index's stream. */
static uint64_t nb201_stream(const zc_space_ctx *ctx, const void *arch)
{
    (void)ctx;
    return (uint64_t)ZC_NB201_SIZE + (uint64_t)zc_nb201_code(arch);
}

/* ---- NAS-Bench-Suite-Zero (zc_nasbench201.json): NASLib's keys str(tuple(op_indices)). NASLib numbers
 * the ops skip_connect 0, none 1, nor_conv_3x3 2, nor_conv_1x1 3, avg_pool_3x3 4 (OP_NAMES_NB201) and
 * orders the edges 1<-0, 2<-0, 3<-0, 2<-1, 3<-1, 3<-2 (EDGE_LIST); both maps are their own inverse. */
static const int SZ_OP[ZC_NB201_OPS] = {1, 0, 3, 2, 4};          /* zcnas op <-> NASLib op */
static const int SZ_EDGE[ZC_NB201_EDGES] = {0, 1, 3, 2, 4, 5};   /* NASLib position <-> zcnas edge */

static zc_status nb201_suitezero_dataset(const zc_space_ctx *ctx, const char *dataset, char *key, size_t key_size,
                                         char *column, size_t column_size)
{
    zc_dataset_kind kind;
    if (zc_dataset_kind_parse(dataset ? dataset : ctx->space->dataset, &kind) != ZC_OK) return ZC_EINVAL;
    /* NASLib's val_accuracy: CIFAR-10 is its own (cifar10-valid, final epoch) column; for CIFAR-100 and
     * ImageNet16-120 it used x-valid final-epoch accuracies our table lacks: the space's target stands in. */
    snprintf(key, key_size, "%s", kind == ZC_CIFAR10 ? "cifar10" : kind == ZC_CIFAR100 ? "cifar100" : "ImageNet16-120");
    if (kind == ZC_CIFAR10) snprintf(column, column_size, "cifar10_naslib_val");
    else zc_space_target(ctx->space, zc_dataset_name(kind), column, column_size);
    return ZC_OK;
}

static zc_status nb201_suitezero_key(const zc_space_ctx *ctx, const void *archp, char *buf, size_t size)
{
    (void)ctx;
    const zc_nb201_arch *a = archp;
    int v[ZC_NB201_EDGES];
    for (int p = 0; p < ZC_NB201_EDGES; p++) {
        if (a->ops[SZ_EDGE[p]] >= ZC_NB201_OPS) return zc_fail(ZC_EINVAL, "nb201: invalid op %d", a->ops[SZ_EDGE[p]]);
        v[p] = SZ_OP[a->ops[SZ_EDGE[p]]];
    }
    int n = snprintf(buf, size, "(%d, %d, %d, %d, %d, %d)", v[0], v[1], v[2], v[3], v[4], v[5]);
    return n > 0 && (size_t)n < size ? ZC_OK : zc_fail(ZC_EINVAL, "nb201: key buffer too small");
}

static zc_status nb201_suitezero_parse(const zc_space_ctx *ctx, const char *key, void *archp)
{
    (void)ctx;
    zc_nb201_arch a;
    const char *p = key;
    if (*p++ != '(') goto bad;
    for (int i = 0; i < ZC_NB201_EDGES; i++) {
        while (*p == ' ') p++;
        if (*p < '0' || *p > '4' || (p[1] >= '0' && p[1] <= '9')) goto bad;
        a.ops[SZ_EDGE[i]] = (uint8_t)SZ_OP[*p++ - '0'];
        while (*p == ' ') p++;
        if (*p++ != (i < ZC_NB201_EDGES - 1 ? ',' : ')')) goto bad;
    }
    if (*p) goto bad;
    *(zc_nb201_arch *)archp = a;
    return ZC_OK;
bad:
    return zc_fail(ZC_EINVAL, "nb201: '%.60s' is not a NAS-Bench-Suite-Zero key (NASLib's op indices 0..4 at the six "
                              "edges, e.g. '(0, 2, 3, 2, 3, 1)')", key);
}

const zc_space zc_space_nb201 = {
    .name = "nb201",
    .aliases = "nats-tss,nasbench201,nas-bench-201",
    .title = "NAS-Bench-201 / NATS-Bench-TSS: 15,625 cells of 6 edges, CIFAR-10/100 and ImageNet16-120",
    .arch_size = sizeof(zc_nb201_arch),
    .str_max = ZC_NB201_STR_MAX,
    .bench_table = "nb201_accuracy.csv",
    .dataset = "cifar10",
    .reported_note = "ZiCo paper: NATS-Bench-TSS 200-epoch test accuracy (the `<dataset>_test` columns); epsinas: the whole space (15,625 architectures, NaN scores excluded) against NAS-Bench-201 v1.1 CIFAR-10 test accuracy.",
    .open = nb201_open,
    .close = nb201_close,
    .parse = nb201_parse,
    .format = nb201_format,
    .size = nb201_size,
    .index_of = nb201_index_of,
    .from_index = nb201_from_index,
    .sample = nb201_sample,
    .mutate = nb201_mutate,
    .neighbours = nb201_neighbours,
    .build = nb201_build,
    .cost = zc_space_network_cost,   /* the NAS-Bench-201 API's counters */
    .info = nb201_info,
    .stream = nb201_stream,
    .suitezero_space = "nasbench201",
    .suitezero_dataset = nb201_suitezero_dataset,
    .suitezero_key = nb201_suitezero_key,
    .suitezero_parse = nb201_suitezero_parse,
};
