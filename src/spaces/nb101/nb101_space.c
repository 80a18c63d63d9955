/* NAS-Bench-101 as a zcnas space (zcnas/space.h). The benchmark has no index table that zcnas can read
 * (its 423,624 cells live in the official TFRecord), so cells are identified by the benchmark's graph
 * hash, printed as the `hash` column and used to match benchmark rows; a cell's initialisation stream
 * comes from its hash, so isomorphic cells get the same network. */
#include <stdlib.h>
#include <string.h>
#include "spaces/nb101/nb101.h"
#include "zcnas/space.h"

static zc_status nb101_parse(const zc_space_ctx *ctx, const char *s, void *arch)
{
    (void)ctx;
    return zc_nb101_parse(s, arch);
}

static zc_status nb101_format(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size)
{
    (void)ctx;
    zc_nb101_format(arch, buf, size);
    return ZC_OK;
}

static long long nb101_size(const zc_space_ctx *ctx)
{
    (void)ctx;
    return ZC_NB101_SIZE;
}

static void nb101_sample(const zc_space_ctx *ctx, zc_rng *rng, void *arch)
{
    (void)ctx;
    zc_nb101_random(rng, arch);
}

static zc_status nb101_mutate(const zc_space_ctx *ctx, const void *arch, int strength, zc_rng *rng, void *child)
{
    zc_nb101_spec a = *(const zc_nb101_spec *)arch;
    for (int i = 0; i < (strength > 0 ? strength : 1); i++) {
        if (ctx->mutation == 1) {
            if (zc_nb101_mutate_epsinas(&a, rng, &a) != 0)
                return zc_fail(ZC_EINVAL, "nb101: no single edge flip of this cell is a valid cell");
        } else {
            zc_nb101_mutate_api(&a, rng, &a);
        }
    }
    *(zc_nb101_spec *)child = a;
    return ZC_OK;
}

static zc_net *nb101_build(const zc_space_ctx *ctx, const void *arch, const zc_build_opts *o)
{
    zc_nb101_config cfg = zc_nb101_default_config(o->num_classes > 0 ? o->num_classes : ctx->cfg.num_classes,
                                                  ctx->cfg.resolution);
    cfg.track_running_stats = o->track_running_stats;
    cfg.shapes_only = o->shapes_only;
    return zc_nb101_build(arch, &cfg);
}

static zc_status nb101_key(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size)
{
    (void)ctx;
    if (size < 33) return zc_fail(ZC_EINVAL, "nb101: key buffer too small");
    zc_nb101_hash(arch, buf);
    return ZC_OK;
}

/* The hash's first 60 bits: the same stream for isomorphic cells. */
static uint64_t nb101_stream(const zc_space_ctx *ctx, const void *arch)
{
    (void)ctx;
    char hex[33];
    zc_nb101_hash(arch, hex);
    hex[15] = '\0';
    return strtoull(hex, NULL, 16);
}

static void nb101_info(const zc_space_ctx *ctx, const void *archp, FILE *f)
{
    const zc_nb101_spec *s = archp;
    int n = s->n;
    char hex[33];
    zc_nb101_hash(s, hex);
    fprintf(f, "hash        %s (the benchmark's graph hash)\n", hex);
    fprintf(f, "cell        %d vertices, %d edges (after pruning)\n", n, zc_nb101_edges(s));
    for (int t = 1; t < n; t++) {
        /* vertex t's input: the sum of its (truncated) interior predecessors and the input's projection */
        char terms[160];
        size_t o = 0;
        terms[0] = '\0';
        for (int src = 1; src < t; src++)
            if ((s->adj[src] >> t) & 1)
                o += (size_t)snprintf(terms + o, sizeof terms - o, "%sv%d", o ? (t == n - 1 ? ", " : " + ") : "", src);
        if (t < n - 1) {
            if (s->adj[0] >> t & 1) o += (size_t)snprintf(terms + o, sizeof terms - o, "%sproj(input)", o ? " + " : "");
            fprintf(f, "            v%d = %s(%s)\n", t, zc_nb101_op_name(s->ops[t]), terms);
        } else {
            int proj = s->adj[0] >> t & 1;
            fprintf(f, "            output = %s%s%s%s%s\n", o ? "concat(" : "", terms, o ? ")" : "",
                    o && proj ? " + " : "", proj ? "proj(input)" : "");
        }
    }
    int vc[ZC_NB101_MAX_V], res = ctx->cfg.resolution;
    const int cin[3] = {128, 128, 256}, cout[3] = {128, 256, 512};
    fprintf(f, "channels   ");
    for (int k = 0; k < 3; k++) {
        zc_nb101_vertex_channels(s, cin[k], cout[k], vc);
        fprintf(f, "%s %d->%d: [", k ? " |" : "", cin[k], cout[k]);
        for (int v = 0; v < n; v++) fprintf(f, "%s%d", v ? "," : "", vc[v]);
        fprintf(f, "]");
    }
    fprintf(f, "\nnetwork     stem conv3x3(3->128)+BN+ReLU | 3 cells @128 %dx%d | maxpool 2x2 | 3 cells @256 %dx%d |\n"
               "            maxpool 2x2 | 3 cells @512 %dx%d | global avg pool, linear 512->%d\n",
            res, res, res / 2, res / 2, res / 4, res / 4, ctx->cfg.num_classes);
}

const zc_space zc_space_nb101 = {
    .name = "nb101",
    .aliases = "nasbench101,nas-bench-101",
    .title = "NAS-Bench-101: 423,624 cells of up to 7 vertices and 9 edges, CIFAR-10",
    .arch_size = sizeof(zc_nb101_spec),
    .str_max = ZC_NB101_STR_MAX,
    .bench_table = "nb101_val_partial.csv",
    .dataset = "cifar10",
    .reported_note = "ZiCo paper Fig. 3: NAS-Bench-101 cells against CIFAR-10 accuracy (its sample is not stated); "
                     "epsinas: the first 5,000 cells, weights 1e-4 and 10, NaN and non-positive scores excluded, "
                     "against the mean test accuracy of the three runs. Here: the cells of the benchmark table, "
                     "against the validation accuracy it holds (one run per row).",
    .mutations = "api,epsinas",
    .target = "val_accuracy",
    .parse = nb101_parse,
    .format = nb101_format,
    .size = nb101_size,
    .sample = nb101_sample,
    .mutate = nb101_mutate,
    .build = nb101_build,
    .cost = zc_space_network_cost,   /* trainable_parameters: convs, BN gamma/beta, classifier */
    .info = nb101_info,
    .stream = nb101_stream,
    .key_name = "hash",
    .key = nb101_key,
    .eps_weights = {1e-4f, 10.0f},
};
