/* The NAS-Bench-101 network (nasbench model_builder.build_model_fn; the PyTorch port of
 * zero-cost-nas, foresight/models/nasbench1.py, for module names): a 3x3 ConvBnRelu stem to 128
 * channels, three stacks of three cells with a 2x2 max pooling before stacks 2 and 3 (channels
 * doubling in the first cell of a stack), global average pooling and a linear classifier. */
#include <stdio.h>
#include "spaces/nb101/nb101.h"

zc_nb101_config zc_nb101_default_config(int num_classes, int resolution)
{
    zc_nb101_config c = {128, 3, 3, num_classes, resolution, 1, 0};
    return c;
}

/* ConvBnRelu(c_in -> c_out, k): conv (no bias) -> BN -> ReLU, modules <prefix>.conv_bn_relu.{0,1,2}. */
static int conv_bn_relu(zc_net *net, int x, const char *prefix, int c_out, int k, int trs)
{
    char name[ZC_NAME_MAX + 24];
    snprintf(name, sizeof name, "%s.conv_bn_relu.0", prefix);
    int c = zc_net_conv2d(net, x, name, c_out, k, 1, k / 2, 1, 0);
    if (c < 0) return -1;
    snprintf(name, sizeof name, "%s.conv_bn_relu.1", prefix);
    int b = zc_net_batchnorm(net, c, name, 1e-5f, 1, trs);
    return b < 0 ? -1 : zc_net_relu(net, b);
}

/* model_builder.build_module: vertex t sums the truncated outputs of its interior predecessors (in
 * vertex order) and, when the input feeds it, the input's 1x1 projection; the cell output concatenates
 * the vertices that feed it (vertex order) plus, when the input feeds it too, the input's projection. */
static int build_cell(zc_net *net, int x, int layer, const zc_nb101_spec *s, int c_in, int c_out, int trs)
{
    int n = s->n, vc[ZC_NB101_MAX_V], node[ZC_NB101_MAX_V];
    char prefix[ZC_NAME_MAX];
    zc_nb101_vertex_channels(s, c_in, c_out, vc);
    node[0] = x;
    for (int t = 1; t < n - 1; t++) {
        int terms[ZC_NB101_MAX_V], nt = 0;
        for (int src = 1; src < t; src++)
            if ((s->adj[src] >> t) & 1)
                if ((terms[nt++] = zc_net_truncate(net, node[src], vc[t])) < 0) return -1;
        if (s->adj[0] >> t & 1) {
            snprintf(prefix, sizeof prefix, "layers.%d.input_op.%d", layer, t);
            if ((terms[nt++] = conv_bn_relu(net, x, prefix, vc[t], 1, trs)) < 0) return -1;
        }
        int in = nt == 1 ? terms[0] : zc_net_add(net, nt, terms);
        if (in < 0) return -1;
        switch (s->ops[t]) {
        case ZC_NB101_CONV3X3:
        case ZC_NB101_CONV1X1: {
            int k = s->ops[t] == ZC_NB101_CONV3X3 ? 3 : 1;
            snprintf(prefix, sizeof prefix, "layers.%d.vertex_op.%d.conv%dx%d", layer, t, k, k);
            node[t] = conv_bn_relu(net, in, prefix, vc[t], k, trs);
            break;
        }
        default: node[t] = zc_net_maxpool(net, in, 3, 1, 1); break;
        }
        if (node[t] < 0) return -1;
    }
    int parts[ZC_NB101_MAX_V], np = 0;
    for (int t = 1; t < n - 1; t++)
        if ((s->adj[t] >> (n - 1)) & 1) parts[np++] = node[t];
    int proj = -1;
    if ((s->adj[0] >> (n - 1)) & 1) {
        snprintf(prefix, sizeof prefix, "layers.%d.input_op.%d", layer, n - 1);
        if ((proj = conv_bn_relu(net, x, prefix, c_out, 1, trs)) < 0) return -1;
    }
    if (!np) return proj;   /* input -> output only */
    int out = np == 1 ? parts[0] : zc_net_concat(net, np, parts);
    if (out < 0 || proj < 0) return out;
    int sum[2] = {out, proj};
    return zc_net_add(net, 2, sum);
}

zc_net *zc_nb101_build(const zc_nb101_spec *spec, const zc_nb101_config *cfg)
{
    if (spec->n < 2 || spec->n > ZC_NB101_MAX_V) { zc_fail(ZC_EINVAL, "nb101: invalid spec"); return NULL; }
    if (cfg->stem_channels <= 0 || cfg->stacks <= 0 || cfg->cells <= 0 || cfg->num_classes <= 0 ||
        cfg->resolution < 4 || cfg->stem_channels > 4096 || cfg->stacks > 8 || cfg->cells > 64 || cfg->resolution > 4096) {
        zc_fail(ZC_EINVAL, "nb101: invalid network configuration (stem %d, %d x %d cells, classes %d, resolution %d)",
                cfg->stem_channels, cfg->stacks, cfg->cells, cfg->num_classes, cfg->resolution);
        return NULL;
    }
    zc_net *net = zc_net_new(3, cfg->resolution, cfg->resolution);
    if (!net) return NULL;
    if (cfg->shapes_only) zc_net_set_shapes_only(net);
    int trs = cfg->track_running_stats;
    /* Stage outputs for AZ-NAS (no official NB101 setting: every module of the model's `layers` list,
     * the stem, each cell and each downsampling max-pool, as its NB201 code takes every cell). */
    int x = conv_bn_relu(net, 0, "layers.0", cfg->stem_channels, 3, trs);
    if (x >= 0 && zc_net_mark_feature(net, x) != ZC_OK) x = -1;
    int layer = 1, c = cfg->stem_channels;
    for (int stack = 0; stack < cfg->stacks && x >= 0; stack++) {
        if (stack > 0) {
            x = zc_net_maxpool(net, x, 2, 2, 0);
            if (x >= 0 && zc_net_mark_feature(net, x) != ZC_OK) x = -1;
            layer++;
        }
        int c_out = stack > 0 ? 2 * c : c;
        for (int i = 0; i < cfg->cells && x >= 0; i++, layer++) {
            x = build_cell(net, x, layer, spec, c, c_out, trs);
            if (x >= 0 && zc_net_mark_feature(net, x) != ZC_OK) x = -1;
            c = c_out;
        }
    }
    if (x >= 0) x = zc_net_gap(net, x);
    if (x >= 0) x = zc_net_linear(net, x, "classifier", cfg->num_classes, 1);
    if (x < 0 || zc_net_finish(net, x) != ZC_OK) { zc_net_free(net); return NULL; }
    return net;
}
