/* The ZenNAS MasterNet on the engine. Module paths follow the PyTorch model: MasterNet.module_list.i
 * is super-block i; a super-block's module_list.j are its basic blocks in order; ConvKX / ConvDW /
 * BN wrap the torch module as .netblock; ResBlock / ResBlockProj hold their inner blocks in
 * module_list.j and the shortcut in proj.0 (Conv2d 1x1 with bias) / proj.1 (BatchNorm2d); SE is
 * netblock = Sequential(pool 0, conv 1, bn 2, relu 3, conv 4, bn 5, sigmoid 6); the classifier is
 * fc_linear.netblock. So super-block lists are:
 *   SuperConvKXBNRELU: [ConvKX, BN, RELU] x L
 *   SuperResIDW:       [ResBlock(Proj) A, RELU, ResBlock B, RELU] x L, or with no_reslink the inner
 *                      blocks flattened: [unit A ops..., RELU, unit B ops..., RELU] x L
 * with unit ops ConvKX(1x1) BN RELU ConvDW(K, stride) BN RELU [SE] ConvKX(1x1) BN. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include "spaces/plainnet/plainnet.h"

#define BN_EPS 1e-3f

/* snprintf into a module-name buffer; a name that does not fit is left truncated, and the engine
 * then reports it (names are checked against ZC_NAME_MAX when layers are added). */
static void __attribute__((format(printf, 2, 3))) name_of(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vsnprintf(buf, ZC_NAME_MAX, fmt, ap) >= ZC_NAME_MAX) buf[ZC_NAME_MAX - 2] = '~';
    va_end(ap);
}

typedef struct builder {
    zc_net *net;
    int use_se;
} builder;

static int conv(builder *b, int x, const char *module, int c_out, int k, int stride, int groups, int bias)
{
    char name[ZC_NAME_MAX];
    name_of(name, "%s.netblock", module);
    return zc_net_conv2d(b->net, x, name, c_out, k, stride, (k - 1) / 2, groups, bias);
}

static int bn(builder *b, int x, const char *module)
{
    char name[ZC_NAME_MAX];
    name_of(name, "%s.netblock", module);
    return zc_net_batchnorm(b->net, x, name, BN_EPS, 1, 1);
}

/* SE(C): x * sigmoid(BN(conv(relu(BN(conv(gap(x))))))). */
static int se(builder *b, int x, const char *module, int c)
{
    int s = (int)rint(c * 0.25);   /* max(1, int(round(c * 0.25))), Python's half-to-even round */
    if (s < 1) s = 1;
    char name[ZC_NAME_MAX];
    int g = zc_net_gap(b->net, x);
    name_of(name, "%s.netblock.1", module);
    int y = g < 0 ? -1 : zc_net_conv2d(b->net, g, name, s, 1, 1, 0, 1, 0);
    name_of(name, "%s.netblock.2", module);
    if (y >= 0) y = zc_net_batchnorm(b->net, y, name, BN_EPS, 1, 1);
    if (y >= 0) y = zc_net_relu(b->net, y);
    name_of(name, "%s.netblock.4", module);
    if (y >= 0) y = zc_net_conv2d(b->net, y, name, c, 1, 1, 0, 1, 0);
    name_of(name, "%s.netblock.5", module);
    if (y >= 0) y = zc_net_batchnorm(b->net, y, name, BN_EPS, 1, 1);
    if (y >= 0) y = zc_net_sigmoid(b->net, y);
    return y < 0 ? -1 : zc_net_scale(b->net, x, y);
}

/* The inner ops of one unit; `list` is the module path of the list holding them and `first` the
 * index of the first one. Returns the last op's node (BN) or -1. */
static int unit_ops(builder *b, int x, const char *list, int first, int m, int c_out, int k, int stride)
{
    char module[ZC_NAME_MAX];
    int j = first;
    name_of(module, "%s.%d", list, j++);
    int y = conv(b, x, module, m, 1, 1, 1, 0);
    name_of(module, "%s.%d", list, j++);
    if (y >= 0) y = bn(b, y, module);
    if (y >= 0) y = zc_net_relu(b->net, y);
    j++;
    name_of(module, "%s.%d", list, j++);
    if (y >= 0) y = conv(b, y, module, m, k, stride, m, 0);   /* depth-wise */
    name_of(module, "%s.%d", list, j++);
    if (y >= 0) y = bn(b, y, module);
    if (y >= 0) y = zc_net_relu(b->net, y);
    j++;
    if (b->use_se) {
        name_of(module, "%s.%d", list, j++);
        if (y >= 0) y = se(b, y, module, m);
    }
    name_of(module, "%s.%d", list, j++);
    if (y >= 0) y = conv(b, y, module, c_out, 1, 1, 1, 0);
    name_of(module, "%s.%d", list, j++);
    if (y >= 0) y = bn(b, y, module);
    return y;
}

/* ResBlockProj (proj always) / ResBlock (proj when stride > 1 or C_in != C_out) at `module`:
 * inner(x) + shortcut(x). */
static int res_unit(builder *b, int x, const char *module, int c_in, int m, int c_out, int k, int stride,
                    int always_proj)
{
    char list[ZC_NAME_MAX], name[ZC_NAME_MAX];
    name_of(list, "%s.module_list", module);
    int inner = unit_ops(b, x, list, 0, m, c_out, k, stride);
    if (inner < 0) return -1;
    int shortcut = x;
    if (always_proj || stride > 1 || c_in != c_out) {
        name_of(name, "%s.proj.0", module);
        shortcut = zc_net_conv2d(b->net, x, name, c_out, 1, stride, 0, 1, 1);
        name_of(name, "%s.proj.1", module);
        if (shortcut >= 0) shortcut = zc_net_batchnorm(b->net, shortcut, name, BN_EPS, 1, 1);
        if (shortcut < 0) return -1;
    }
    int sum[2] = {inner, shortcut};
    return zc_net_add(b->net, 2, sum);
}

/* AZ-NAS' feature maps of the MasterNet: the output of every top-level ReLU (each ConvKXBNRELU's, the
 * one after each unit). Without residual links (how ZiCo's search scores) AZ-NAS reads every third ReLU
 * and the last output: the stem's, each unit's trailing one (a unit holds two inner ReLUs) and the
 * final ConvKXBNRELU's, the same maps. */
static int stage(builder *b, int x)
{
    if (x >= 0 && zc_net_mark_feature(b->net, x) != ZC_OK) return -1;
    return x;
}

static int idw_block(builder *b, int x, const char *prefix, const zc_plainnet_block *blk, int no_reslink)
{
    int m1 = zc_plainnet_smart_round((double)blk->bottleneck * blk->e, 8);
    int m2 = zc_plainnet_smart_round((double)blk->c_out * blk->e, 8);
    char list[ZC_NAME_MAX], module[ZC_NAME_MAX];
    name_of(list, "%s.module_list", prefix);
    int unit_len = b->use_se ? 10 : 9;   /* flattened unit: its ops and the trailing RELU */
    int c_in = blk->c_in;
    for (int l = 0; l < blk->layers && x >= 0; l++) {
        int stride = l == 0 ? blk->stride : 1;
        if (no_reslink) {
            x = unit_ops(b, x, list, 2 * l * unit_len, m1, blk->bottleneck, blk->k, stride);
            if (x >= 0) x = stage(b, zc_net_relu(b->net, x));
            if (x >= 0) x = unit_ops(b, x, list, (2 * l + 1) * unit_len, m2, blk->c_out, blk->k, 1);
            if (x >= 0) x = stage(b, zc_net_relu(b->net, x));
        } else {
            name_of(module, "%s.%d", list, 4 * l);
            x = res_unit(b, x, module, c_in, m1, blk->bottleneck, blk->k, stride, l == 0);
            if (x >= 0) x = stage(b, zc_net_relu(b->net, x));
            name_of(module, "%s.%d", list, 4 * l + 2);
            if (x >= 0) x = res_unit(b, x, module, blk->bottleneck, m2, blk->c_out, blk->k, 1, 0);
            if (x >= 0) x = stage(b, zc_net_relu(b->net, x));
        }
        c_in = blk->c_out;
    }
    return x;
}

static int conv_block(builder *b, int x, const char *prefix, const zc_plainnet_block *blk)
{
    char module[ZC_NAME_MAX];
    for (int l = 0; l < blk->layers && x >= 0; l++) {
        name_of(module, "%s.module_list.%d", prefix, 3 * l);
        x = conv(b, x, module, blk->c_out, blk->k, l == 0 ? blk->stride : 1, 1, 0);
        name_of(module, "%s.module_list.%d", prefix, 3 * l + 1);
        if (x >= 0) x = bn(b, x, module);
        if (x >= 0) x = stage(b, zc_net_relu(b->net, x));
    }
    return x;
}

zc_plainnet_config zc_plainnet_default_config(int num_classes, int resolution)
{
    zc_plainnet_config c = {num_classes, resolution, 0, 0, 0};
    return c;
}

zc_net *zc_plainnet_build(const zc_plainnet *s, const zc_plainnet_config *cfg)
{
    if (zc_plainnet_validate(s) != ZC_OK) return NULL;
    if (cfg->num_classes < 1 || cfg->num_classes > (1 << 20) || cfg->resolution < 1 || cfg->resolution > 4096) {
        zc_fail(ZC_EINVAL, "plainnet: invalid network configuration (classes %d, resolution %d)", cfg->num_classes,
                cfg->resolution);
        return NULL;
    }
    zc_net *net = zc_net_new(s->blocks[0].c_in, cfg->resolution, cfg->resolution);
    if (!net) return NULL;
    if (cfg->shapes_only) zc_net_set_shapes_only(net);
    builder b = {net, cfg->use_se};
    int x = 0;
    for (int i = 0; i < s->n && x >= 0; i++) {
        char prefix[ZC_NAME_MAX];
        name_of(prefix, "module_list.%d", i);
        x = s->blocks[i].kind == ZC_PLAINNET_CONV ? conv_block(&b, x, prefix, &s->blocks[i])
                                                  : idw_block(&b, x, prefix, &s->blocks[i], cfg->no_reslink);
    }
    if (x >= 0) x = zc_net_gap(net, x);
    if (x >= 0) x = zc_net_linear(net, x, "fc_linear.netblock", cfg->num_classes, 1);
    if (x < 0 || zc_net_finish(net, x) != ZC_OK) { zc_net_free(net); return NULL; }
    return net;
}
