/* The ZenNAS / ZiCo ImageNet space (PlainNet structures) as a zcnas space (zcnas/space.h).
 * Networks are built as the official evolutionary search scores them (no residual branches, no SE,
 * BN eps 1e-3); costs are the PlainNet counter on the residual network at 224x224 (the official
 * budgets and the FLOPs the papers quote). */
#include <stdio.h>
#include <string.h>
#include "spaces/plainnet/plainnet.h"
#include "zcnas/space.h"

static zc_status pn_parse(const zc_space_ctx *ctx, const char *s, void *arch)
{
    (void)ctx;
    memset(arch, 0, sizeof(zc_plainnet));
    zc_status st = zc_plainnet_parse(s, arch);
    const zc_plainnet *p = arch;
    /* the networks read RGB images (the official MasterNet's first block takes them as they come) */
    if (st == ZC_OK && p->n > 0 && p->blocks[0].c_in != 3)
        return zc_fail(ZC_EINVAL, "zennas: the first block takes %d input channels; the images have 3", p->blocks[0].c_in);
    return st;
}

static zc_status pn_format(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size)
{
    (void)ctx;
    return zc_plainnet_format(arch, buf, size);
}

static long long pn_size(const zc_space_ctx *ctx)
{
    (void)ctx;
    return 0;   /* not enumerable */
}

static zc_status pn_mutate(const zc_space_ctx *ctx, const void *arch, int strength, zc_rng *rng, void *child)
{
    return zc_plainnet_mutate_ex(arch, strength > 0 ? strength : 1, ctx->mutation == 1, rng, child);
}

/* A random structure: the initial one with every block replaced by a random candidate. */
static void pn_sample(const zc_space_ctx *ctx, zc_rng *rng, void *arch)
{
    zc_plainnet init;
    memset(&init, 0, sizeof init);
    zc_plainnet_parse(ctx->space->initial, &init);
    if (zc_plainnet_mutate_ex(&init, init.n, ctx->mutation == 1, rng, arch) != ZC_OK)
        *(zc_plainnet *)arch = init;
}

static zc_net *pn_build(const zc_space_ctx *ctx, const void *arch, const zc_build_opts *o)
{
    zc_plainnet_config cfg = zc_plainnet_default_config(o->num_classes > 0 ? o->num_classes : ctx->cfg.num_classes,
                                                        ctx->cfg.resolution);
    cfg.no_reslink = !o->reslink;   /* how ZiCo's search scores candidates, unless asked */
    cfg.use_se = 0;
    cfg.shapes_only = o->shapes_only;
    return zc_plainnet_build(arch, &cfg);
}

static zc_status pn_cost(const zc_space_ctx *ctx, const void *arch, zc_cost *cost)
{
    zc_plainnet_config cfg = zc_plainnet_default_config(ctx->cfg.num_classes, ctx->cfg.cost_resolution);
    int64_t params;
    zc_status st = zc_plainnet_cost(arch, &cfg, &cost->flops, &params, &cost->layers);
    cost->params = (double)params;
    return st;
}

static void pn_info(const zc_space_ctx *ctx, const void *archp, FILE *f)
{
    const zc_plainnet *s = archp;
    for (int i = 0; i < s->n; i++) {
        const zc_plainnet_block *b = &s->blocks[i];
        char name[32];
        zc_plainnet_block_name(b, name, sizeof name);
        fprintf(f, "%s%-18s in %d, out %d, stride %d", i ? "            " : "blocks      ", name, b->c_in, b->c_out,
                b->stride);
        if (b->kind == ZC_PLAINNET_IDW) fprintf(f, ", bottleneck %d", b->bottleneck);
        fprintf(f, ", %d layer%s\n", b->layers, b->layers == 1 ? "" : "s");
    }
    fprintf(f, "network     the blocks, global average pooling, linear %d->%d; scored at %dx%d without residual\n"
               "            branches or SE, BN eps 1e-3 (the official search's scoring network)\n",
            s->n ? s->blocks[s->n - 1].c_out : 0, ctx->cfg.num_classes, ctx->cfg.resolution, ctx->cfg.resolution);
    fprintf(f, "costs       the PlainNet counter on the residual network at %dx%d (the official budgets)\n",
            ctx->cfg.cost_resolution, ctx->cfg.cost_resolution);
}

static uint64_t pn_stream(const zc_space_ctx *ctx, const void *arch)
{
    char buf[ZC_PLAINNET_STR_MAX];
    if (zc_plainnet_format(arch, buf, sizeof buf) != ZC_OK) buf[0] = '\0';
    (void)ctx;
    return zc_space_hash(buf);
}

const zc_space zc_space_zennas = {
    .name = "zennas",
    .aliases = "plainnet,zico-imagenet",
    .title = "ZenNAS / ZiCo ImageNet MobileNet space: PlainNet structures (SuperConvK*, SuperResIDWE*K*)",
    .arch_size = sizeof(zc_plainnet),
    .str_max = ZC_PLAINNET_STR_MAX,
    .dataset = "cifar10",      /* stands in for ImageNet, resized, unless --data names an image folder */
    .resolution = 224,
    .num_classes = 1000,
    .user_resolution = 1,
    .cost_resolution = 224,
    .mobilenet_protocol = 1,
    .mutations = "official,uniform",
    .initial = ZC_PLAINNET_INITIAL_STRUCTURE,
    .parse = pn_parse,
    .format = pn_format,
    .size = pn_size,
    .sample = pn_sample,
    .mutate = pn_mutate,
    .build = pn_build,
    .cost = pn_cost,
    .info = pn_info,
    .stream = pn_stream,
};
