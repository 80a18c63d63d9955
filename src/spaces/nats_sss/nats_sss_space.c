/* NATS-Bench size search space (NATS-SSS, Dong et al. 2021) as a zcnas space (zcnas/space.h): the 32,768
 * channel configurations "c0:c1:c2:c3:c4" (each of 8, 16, ..., 64) of xautodl's DynamicShapeTinyNet,
 * a fixed cell (the TSS architecture best on CIFAR-100) with one cell per stage:
 *   stem conv3x3 (c0) | cell c0->c0 | ResNet block c0->c1 s2 | cell c1->c2 | ResNet block c2->c3 s2 |
 *   cell c3->c4 | BN+ReLU, global pooling, linear.
 * The benchmark's index is the configuration read as a base-8 number (c0 most significant): the order
 * of the official meta_archs, so no table is needed to index it. Its accuracies are not distributed
 * with zcnas: export them with the NATS-Bench API (README) and pass --bench. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spaces/nb201/nb201.h"
#include "zcnas/space.h"

#define SSS_LAYERS 5
#define SSS_SIZE 32768
#define SSS_GENOTYPE "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"

typedef struct sss_arch { uint8_t c[SSS_LAYERS]; } sss_arch;   /* channels / 8 - 1, 0..7 */

static zc_status sss_open(zc_space_ctx *ctx)
{
    ctx->has_index = 1;   /* the index is the configuration itself */
    return ZC_OK;
}

static zc_status sss_parse(const zc_space_ctx *ctx, const char *s, void *archp)
{
    (void)ctx;
    sss_arch *a = archp;
    const char *p = s;
    for (int i = 0; i < SSS_LAYERS; i++) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || (i < SSS_LAYERS - 1 ? *end != ':' : *end != '\0'))
            return zc_fail(ZC_EINVAL, "nats-sss: expected five channel counts 'c0:c1:c2:c3:c4' (e.g. 8:16:24:32:64), "
                                      "got '%.60s'", s);
        if (v < 8 || v > 64 || v % 8)
            return zc_fail(ZC_EINVAL, "nats-sss: channel count %ld at position %d of '%.60s' (expected 8, 16, ..., 64)", v,
                           i + 1, s);
        a->c[i] = (uint8_t)(v / 8 - 1);
        p = end + 1;
    }
    return ZC_OK;
}

static zc_status sss_format(const zc_space_ctx *ctx, const void *archp, char *buf, size_t size)
{
    (void)ctx;
    const sss_arch *a = archp;
    snprintf(buf, size, "%d:%d:%d:%d:%d", 8 * (a->c[0] + 1), 8 * (a->c[1] + 1), 8 * (a->c[2] + 1), 8 * (a->c[3] + 1),
             8 * (a->c[4] + 1));
    return ZC_OK;
}

static long long sss_size(const zc_space_ctx *ctx)
{
    (void)ctx;
    return SSS_SIZE;
}

static long sss_index_of(const zc_space_ctx *ctx, const void *archp)
{
    (void)ctx;
    const sss_arch *a = archp;
    long k = 0;
    for (int i = 0; i < SSS_LAYERS; i++) k = k * 8 + a->c[i];
    return k;
}

static zc_status sss_from_index(const zc_space_ctx *ctx, long index, void *archp)
{
    (void)ctx;
    if (index < 0 || index >= SSS_SIZE)
        return zc_fail(ZC_EINVAL, "nats-sss: index %ld out of range 0..%d", index, SSS_SIZE - 1);
    sss_arch *a = archp;
    for (int i = SSS_LAYERS - 1; i >= 0; i--, index /= 8) a->c[i] = (uint8_t)(index % 8);
    return ZC_OK;
}

static void sss_sample(const zc_space_ctx *ctx, zc_rng *rng, void *arch)
{
    sss_from_index(ctx, (long)zc_rng_below(rng, SSS_SIZE), arch);
}

/* One layer's width changed to another of the eight (NASLib's mutation). */
static zc_status sss_mutate(const zc_space_ctx *ctx, const void *arch, int strength, zc_rng *rng, void *child)
{
    (void)ctx;
    sss_arch a = *(const sss_arch *)arch;
    for (int i = 0; i < (strength > 0 ? strength : 1); i++) {
        int pos = (int)zc_rng_below(rng, SSS_LAYERS), v = (int)zc_rng_below(rng, 7);
        a.c[pos] = (uint8_t)(v >= a.c[pos] ? v + 1 : v);
    }
    *(sss_arch *)child = a;
    return ZC_OK;
}

static int sss_neighbours(const zc_space_ctx *ctx, const void *arch)
{
    (void)ctx;
    (void)arch;
    return SSS_LAYERS * 7;
}

static zc_net *sss_build(const zc_space_ctx *ctx, const void *archp, const zc_build_opts *o)
{
    const sss_arch *a = archp;
    zc_nb201_arch cell;
    zc_nb201_parse(SSS_GENOTYPE, &cell);
    int widths[SSS_LAYERS];
    for (int i = 0; i < SSS_LAYERS; i++) widths[i] = 8 * (a->c[i] + 1);
    zc_nb201_config cfg = zc_nb201_default_config(o->num_classes > 0 ? o->num_classes : ctx->cfg.num_classes,
                                                  ctx->cfg.resolution);
    cfg.N = 1;
    cfg.C = widths[0];
    cfg.channels = widths;
    cfg.track_running_stats = o->track_running_stats;
    cfg.shapes_only = o->shapes_only;
    return zc_nb201_build(&cell, &cfg);
}

static void sss_info(const zc_space_ctx *ctx, const void *archp, FILE *f)
{
    const sss_arch *a = archp;
    int w[SSS_LAYERS], r = ctx->cfg.resolution;
    for (int i = 0; i < SSS_LAYERS; i++) w[i] = 8 * (a->c[i] + 1);
    fprintf(f, "cell        %s (fixed)\n", SSS_GENOTYPE);
    fprintf(f, "network     stem conv3x3(3->%d)+BN | cell %d->%d %dx%d | ResNet block %d->%d s2 | cell %d->%d %dx%d |\n"
               "            ResNet block %d->%d s2 | cell %d->%d %dx%d | BN+ReLU, global avg pool, linear %d->%d\n",
            w[0], w[0], w[0], r, r, w[0], w[1], w[1], w[2], r / 2, r / 2, w[2], w[3], w[3], w[4], r / 4, r / 4, w[4],
            ctx->cfg.num_classes);
}

static uint64_t sss_stream(const zc_space_ctx *ctx, const void *arch) { return (uint64_t)sss_index_of(ctx, arch); }

const zc_space zc_space_nats_sss = {
    .name = "nats-sss",
    .aliases = "sss,natsbench-sss,nats-bench-sss",
    .title = "NATS-Bench size space: 32,768 channel configurations c0:c1:c2:c3:c4 (8..64) of one fixed cell",
    .arch_size = sizeof(sss_arch),
    .str_max = 32,
    .bench_table = "nats_sss_accuracy.csv",
    .dataset = "cifar10",
    .reported_note = "ZiCo paper Table 3: NATS-Bench-SSS configurations against 90-epoch test accuracy (hp=90; "
                     "`test-accuracy` of the NATS-Bench API).",
    .open = sss_open,
    .parse = sss_parse,
    .format = sss_format,
    .size = sss_size,
    .index_of = sss_index_of,
    .from_index = sss_from_index,
    .sample = sss_sample,
    .mutate = sss_mutate,
    .neighbours = sss_neighbours,
    .build = sss_build,
    .cost = zc_space_network_cost,   /* xautodl get_model_infos: conv and linear MACs, all parameters */
    .info = sss_info,
    .stream = sss_stream,
};
