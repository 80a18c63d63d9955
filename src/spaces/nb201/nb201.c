/* NAS-Bench-201 / NATS-Bench-TSS: arch strings, benchmark indices and the xautodl TinyNetwork.
 * Module and parameter names follow TinyNetwork's state_dict(): stem.{0,1}, cells.i.layers.j.op.{1,2}
 * (ReLUConvBN), cells.i.conv_{a,b}.op.{1,2} and cells.i.downsample.1 (ResNetBasicblock),
 * lastact.0, classifier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spaces/nb201/nb201.h"

static const char *const op_names[ZC_NB201_OPS] = {
    "none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"};
/* (from, to) of each edge in string order. */
static const int edge_from[ZC_NB201_EDGES] = {0, 0, 1, 0, 1, 2};
static const int edge_to[ZC_NB201_EDGES] = {1, 2, 2, 3, 3, 3};

const char *zc_nb201_op_name(int op) { return (op >= 0 && op < ZC_NB201_OPS) ? op_names[op] : "?"; }

void zc_nb201_edge_nodes(int edge, int *from, int *to)
{
    *from = edge_from[edge];
    *to = edge_to[edge];
}

zc_status zc_nb201_parse(const char *s, zc_nb201_arch *arch)
{
    if (!s) return zc_fail(ZC_EINVAL, "nb201: empty arch string");
    const char *p = s;
    int edge = 0;
    for (int node = 1; node <= 3; node++) {
        if (node > 1) {
            if (*p != '+')
                return zc_fail(ZC_EINVAL, "nb201: bad arch string '%s': expected '+' before node %d at "
                               "offset %d", s, node, (int)(p - s));
            p++;
        }
        if (*p != '|')
            return zc_fail(ZC_EINVAL, "nb201: bad arch string '%s': expected '|' at offset %d", s, (int)(p - s));
        p++;
        for (int in = 0; in < node; in++, edge++) {
            const char *end = strchr(p, '|');
            if (!end)
                return zc_fail(ZC_EINVAL, "nb201: bad arch string '%s': node %d has %d of its %d edges",
                               s, node, in, node);
            char token[64];
            size_t len = (size_t)(end - p);
            if (len >= sizeof token) len = sizeof token - 1;
            memcpy(token, p, len);
            token[len] = '\0';
            char *tilde = strchr(token, '~');
            if (!tilde)
                return zc_fail(ZC_EINVAL, "nb201: bad token '%s' in '%s': expected op~input", token, s);
            *tilde = '\0';
            int op = -1;
            for (int k = 0; k < ZC_NB201_OPS; k++)
                if (strcmp(token, op_names[k]) == 0) op = k;
            if (op < 0)
                return zc_fail(ZC_EINVAL, "nb201: unknown op '%s' in '%s' (expected none, skip_connect, "
                               "nor_conv_1x1, nor_conv_3x3 or avg_pool_3x3)", token, s);
            char *endnum;
            long from = strtol(tilde + 1, &endnum, 10);
            if (endnum == tilde + 1 || *endnum || from != in)
                return zc_fail(ZC_EINVAL, "nb201: bad token '%s~%s' in '%s': edge %d of node %d must "
                               "read from node %d", token, tilde + 1, s, in + 1, node, in);
            arch->ops[edge] = (uint8_t)op;
            p = end + 1;
        }
    }
    if (*p)
        return zc_fail(ZC_EINVAL, "nb201: bad arch string '%s': unexpected trailing text '%s'", s, p);
    return ZC_OK;
}

void zc_nb201_format(const zc_nb201_arch *a, char *buf, size_t size)
{
    snprintf(buf, size, "|%s~0|+|%s~0|%s~1|+|%s~0|%s~1|%s~2|", op_names[a->ops[0]],
             op_names[a->ops[1]], op_names[a->ops[2]], op_names[a->ops[3]], op_names[a->ops[4]],
             op_names[a->ops[5]]);
}

int zc_nb201_code(const zc_nb201_arch *a)
{
    int code = 0;
    for (int e = ZC_NB201_EDGES - 1; e >= 0; e--) code = code * ZC_NB201_OPS + a->ops[e];
    return code;
}

void zc_nb201_from_code(int code, zc_nb201_arch *a)
{
    for (int e = 0; e < ZC_NB201_EDGES; e++) { a->ops[e] = (uint8_t)(code % ZC_NB201_OPS); code /= ZC_NB201_OPS; }
}

void zc_nb201_mutate(const zc_nb201_arch *a, zc_rng *rng, zc_nb201_arch *out)
{
    /* Node k (1..3) has k incoming edges; in string order they start at edge k(k-1)/2. */
    int node = 1 + (int)zc_rng_below(rng, 3);
    int edge = node * (node - 1) / 2 + (int)zc_rng_below(rng, (uint64_t)node);
    int op = (int)zc_rng_below(rng, ZC_NB201_OPS - 1);
    int old = a->ops[edge];
    *out = *a;
    if (op >= old) op++;
    out->ops[edge] = (uint8_t)op;
}

int zc_nb201_has_convfree_path(const zc_nb201_arch *a)
{
    int reach[4] = {1, 0, 0, 0};
    for (int e = 0; e < ZC_NB201_EDGES; e++) {
        int op = a->ops[e];
        if ((op == ZC_NB201_SKIP || op == ZC_NB201_AVGPOOL) && reach[edge_from[e]]) reach[edge_to[e]] = 1;
    }
    return reach[3];
}

zc_nb201_config zc_nb201_default_config(int num_classes, int resolution)
{
    zc_nb201_config c = {16, 5, num_classes, resolution, 1, 0, NULL};
    return c;
}

/* ReLU -> Conv(k, stride, pad, no bias) -> BN(affine): xautodl's ReLUConvBN, modules op.1 / op.2. */
static int relu_conv_bn(zc_net *net, int x, const char *prefix, int c_out, int k, int stride,
                        int pad, int trs)
{
    char name[ZC_NAME_MAX + 32];
    int r = zc_net_relu(net, x);
    if (r < 0) return -1;
    zc_net_set_relu_modules(net, r, 2);   /* its nn.ReLU and the ReLUConvBN around it (NASWOT hooks both) */
    snprintf(name, sizeof name, "%s.op.1", prefix);
    int c = zc_net_conv2d(net, r, name, c_out, k, stride, pad, 1, 0);
    if (c < 0) return -1;
    snprintf(name, sizeof name, "%s.op.2", prefix);
    int b = zc_net_batchnorm(net, c, name, 1e-5f, 1, trs);
    /* Modules returning each tensor: ReLU; Conv; BN, the Sequential `op` and the ReLUConvBN. */
    zc_net_add_module_outputs(net, r, 1);
    zc_net_add_module_outputs(net, c, 1);
    zc_net_add_module_outputs(net, b, 3);
    return b;
}

/* xautodl's InferCell: edges leaving node 0 go from C_in to C_out (skip_connect then becomes a
 * FactorizedReduce of stride 1: a 1x1 conv and BN, no ReLU; avg_pool_3x3 gets a 1x1 ReLUConvBN
 * `preprocess`), the others stay at C_out. */
static int build_cell(zc_net *net, int x, int cell, const zc_nb201_arch *a, int C_in, int C, int trs)
{
    int nodes[4] = {x, -1, -1, -1};
    int edge = 0;
    for (int to = 1; to <= 3; to++) {
        int terms[3], n_terms = 0;
        for (int from = 0; from < to; from++, edge++) {
            int src = nodes[from], t, widen = from == 0 && C_in != C;
            char prefix[ZC_NAME_MAX], name[ZC_NAME_MAX + 16];
            snprintf(prefix, sizeof prefix, "cells.%d.layers.%d", cell, edge);
            switch (a->ops[edge]) {
            case ZC_NB201_NONE:
                if (widen) {
                    zc_fail(ZC_EUNSUPPORTED, "nb201: a 'none' edge between widths %d and %d", C_in, C);
                    return -1;
                }
                t = zc_net_zero(net, src);
                zc_net_add_module_outputs(net, t, 1);   /* Zero */
                break;
            case ZC_NB201_SKIP:
                if (!widen) {
                    t = zc_net_identity(net, src);
                    zc_net_add_module_outputs(net, t, 1);   /* Identity returns its input tensor */
                    break;
                }
                snprintf(name, sizeof name, "%s.conv", prefix);
                t = zc_net_conv2d(net, src, name, C, 1, 1, 0, 1, 0);
                zc_net_add_module_outputs(net, t, 1);
                snprintf(name, sizeof name, "%s.bn", prefix);
                if (t >= 0) t = zc_net_batchnorm(net, t, name, 1e-5f, 1, trs);
                zc_net_add_module_outputs(net, t, 2);   /* BN, FactorizedReduce */
                break;
            case ZC_NB201_CONV1X1: t = relu_conv_bn(net, src, prefix, C, 1, 1, 0, trs); break;
            case ZC_NB201_CONV3X3: t = relu_conv_bn(net, src, prefix, C, 3, 1, 1, trs); break;
            default:
                if (widen) {
                    snprintf(name, sizeof name, "%s.preprocess", prefix);
                    src = relu_conv_bn(net, src, name, C, 1, 1, 0, trs);
                    if (src < 0) return -1;
                }
                t = zc_net_avgpool(net, src, 3, 1, 1, 0);
                zc_net_add_module_outputs(net, t, 2);   /* AvgPool2d, POOLING */
                break;
            }
            if (t < 0) return -1;
            terms[n_terms++] = t;
        }
        /* Python's sum(): terms added in edge order. */
        nodes[to] = n_terms == 1 ? terms[0] : zc_net_add(net, n_terms, terms);
        if (nodes[to] < 0) return -1;
    }
    zc_net_add_module_outputs(net, nodes[3], 1);   /* the InferCell */
    return nodes[3];
}

/* ResNetBasicblock(C_in, C_out, stride 2): conv_a, conv_b, shortcut AvgPool(2,2) + Conv1x1. */
static int build_reduction(zc_net *net, int x, int cell, int C_out, int trs)
{
    char prefix[ZC_NAME_MAX];
    snprintf(prefix, sizeof prefix, "cells.%d.conv_a", cell);
    int a = relu_conv_bn(net, x, prefix, C_out, 3, 2, 1, trs);
    if (a < 0) return -1;
    snprintf(prefix, sizeof prefix, "cells.%d.conv_b", cell);
    int b = relu_conv_bn(net, a, prefix, C_out, 3, 1, 1, trs);
    if (b < 0) return -1;
    int p = zc_net_avgpool(net, x, 2, 2, 0, 1);
    if (p < 0) return -1;
    snprintf(prefix, sizeof prefix, "cells.%d.downsample.1", cell);
    int s = zc_net_conv2d(net, p, prefix, C_out, 1, 1, 0, 1, 0);
    if (s < 0) return -1;
    int sum[2] = {s, b};   /* residual + basicblock */
    int y = zc_net_add(net, 2, sum);
    zc_net_add_module_outputs(net, p, 1);   /* AvgPool2d */
    zc_net_add_module_outputs(net, s, 2);   /* Conv2d, the downsample Sequential */
    zc_net_add_module_outputs(net, y, 1);   /* the ResNetBasicblock */
    return y;
}

zc_net *zc_nb201_build(const zc_nb201_arch *arch, const zc_nb201_config *cfg)
{
    for (int e = 0; e < ZC_NB201_EDGES; e++)
        if (arch->ops[e] >= ZC_NB201_OPS) { zc_fail(ZC_EINVAL, "nb201: invalid op id %d", arch->ops[e]); return NULL; }
    if (cfg->C <= 0 || cfg->N <= 0 || cfg->num_classes <= 0 || cfg->resolution < 4 ||
        cfg->C > 4096 || cfg->N > 64 || cfg->resolution > 4096) {
        zc_fail(ZC_EINVAL, "nb201: invalid network configuration (C %d, N %d, classes %d, resolution %d)",
                cfg->C, cfg->N, cfg->num_classes, cfg->resolution);
        return NULL;
    }
    zc_net *net = zc_net_new(3, cfg->resolution, cfg->resolution);
    if (!net) return NULL;
    if (cfg->shapes_only) zc_net_set_shapes_only(net);
    int trs = cfg->track_running_stats;
    /* The macro layers: N cells, a reduction, N cells, a reduction, N cells; their widths. */
    int n_layers = 3 * cfg->N + 2, width[3 * 64 + 2] = {0};
    for (int i = 0, stage = 0; i < n_layers; i++) {
        int reduction = i == cfg->N || i == 2 * cfg->N + 1;
        stage += reduction;
        width[i] = cfg->channels ? cfg->channels[i] : cfg->C << stage;
        if (width[i] <= 0 || width[i] > 4096) {
            zc_fail(ZC_EINVAL, "nb201: invalid width %d of macro layer %d", width[i], i);
            zc_net_free(net);
            return NULL;
        }
    }
    int x = zc_net_conv2d(net, 0, "stem.0", width[0], 3, 1, 1, 1, 0);
    zc_net_add_module_outputs(net, x, 1);
    if (x >= 0) x = zc_net_batchnorm(net, x, "stem.1", 1e-5f, 1, trs);
    /* The module counts follow the model MeCo's NB201 script hooks (its copy of foresight's NAS201Model,
     * the only user of them): BN, stem.net and stem return the stem's tensor; each stage is a called
     * Sequential of cells, returning its last cell's output once more; the root returns the logits. */
    zc_net_add_module_outputs(net, x, 3);
    /* AZ-NAS' feature maps: the stem's output, then every cell's and reduction block's. */
    if (x >= 0 && zc_net_mark_feature(net, x) != ZC_OK) x = -1;
    for (int i = 0, C = width[0]; i < n_layers && x >= 0; i++) {
        if (i == cfg->N || i == 2 * cfg->N + 1) x = build_reduction(net, x, i, width[i], trs);
        else x = build_cell(net, x, i, arch, C, width[i], trs);
        if (x >= 0 && zc_net_mark_feature(net, x) != ZC_OK) x = -1;
        if (i == cfg->N - 1 || i == 2 * cfg->N || i == n_layers - 1) zc_net_add_module_outputs(net, x, 1);
        C = width[i];
    }
    if (x >= 0) x = zc_net_batchnorm(net, x, "lastact.0", 1e-5f, 1, trs);
    zc_net_add_module_outputs(net, x, 1);
    if (x >= 0) x = zc_net_relu(net, x);
    zc_net_add_module_outputs(net, x, 2);   /* ReLU, the lastact Sequential */
    if (x >= 0) x = zc_net_gap(net, x);
    zc_net_add_module_outputs(net, x, 1);
    if (x >= 0) x = zc_net_linear(net, x, "classifier", cfg->num_classes, 1);
    zc_net_add_module_outputs(net, x, 2);   /* Linear, the root (both n x 1: value 0) */
    if (x < 0 || zc_net_finish(net, x) != ZC_OK) { zc_net_free(net); return NULL; }
    return net;
}
