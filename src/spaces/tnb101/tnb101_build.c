/* TransNAS-Bench-101 networks, module by module as the official code builds them (parameter names
 * are the PyTorch model's state_dict keys):
 *   encoder (MacroNet 'backbone'): stem conv3x3 s2 (3->32) + BN + ReLUConvBN 3x3 s2 (32->64); per
 *   skeleton digit one layer of two cells (micro cells or ResNet basic blocks); kaiming_normal_
 *   (fan_out) init of its convs.
 *   heads: class_scene / class_object / room_layout: GAP + linear (63 / 100 / 9 outputs);
 *   jigsaw: the encoder on each of 9 tiles, concatenated, GAP + linear (1000); segmentsemantic: the
 *   8-layer conv/deconv SegmentationDecoder (17 classes); autoencoder / normal: the 14-layer
 *   GenerativeDecoder (pix2pix generator, Tanh output). The GAN's discriminator takes no part in
 *   the forward pass and is not built. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "spaces/tnb101/tnb101.h"

const char *const zc_tnb_task_names[ZC_TNB_TASKS] = {"class_scene", "class_object", "jigsaw", "room_layout",
                                                     "segmentsemantic", "normal", "autoencoder"};

#define TASKONOMY_MEAN {0.5224f, 0.5222f, 0.5221f}
#define TASKONOMY_STD {0.2234f, 0.2235f, 0.2236f}
#define HALF {0.5f, 0.5f, 0.5f}

static const zc_tnb_task_info tasks[ZC_TNB_TASKS] = {
    {"class_scene", 63, 0, 1, 256, ZC_LOSS_SOFT_CE, TASKONOMY_MEAN, TASKONOMY_STD},
    {"class_object", 100, 0, 1, 256, ZC_LOSS_SOFT_CE, TASKONOMY_MEAN, TASKONOMY_STD},
    {"jigsaw", 1000, 0, 9, 64, ZC_LOSS_CE, {0, 0, 0}, {0, 0, 0}},
    {"room_layout", 9, 0, 1, 256, ZC_LOSS_MSE, TASKONOMY_MEAN, TASKONOMY_STD},
    {"segmentsemantic", 17, 1, 1, 256, ZC_LOSS_PIXEL_CE, HALF, HALF},
    {"normal", 3, 1, 1, 256, ZC_LOSS_L1, HALF, HALF},
    {"autoencoder", 3, 1, 1, 256, ZC_LOSS_L1, HALF, HALF},
};

const zc_tnb_task_info *zc_tnb_task_get(zc_tnb_task t) { return t >= 0 && t < ZC_TNB_TASKS ? &tasks[t] : NULL; }

typedef struct builder {
    zc_net *net;
    int ok;
} builder;

/* A module path; too long a name fails the build (the net refuses it). */
#define NAME(buf, ...) ((void)(snprintf(buf, sizeof buf, __VA_ARGS__) >= (int)sizeof buf ? (buf[0] = '\0') : 0))

static int chk(builder *b, int id)
{
    if (id < 0) b->ok = 0;
    return id;
}

/* An encoder conv (kaiming fan_out init). */
static int enc_conv(builder *b, int x, const char *name, int c, int k, int s, int p)
{
    int id = chk(b, zc_net_conv2d(b->net, x, name, c, k, s, p, 1, 0));
    if (id >= 0) zc_net_set_kaiming_fan_out(b->net, id);
    return id;
}

/* ReLUConvBN(C_in, C_out, k, s, p): ops.0 ReLU, ops.1 conv, ops.2 BN (a module NASWOT hooks as well). */
static int relu_conv_bn(builder *b, int x, const char *mod, int c, int k, int s, int p)
{
    if (!b->ok) return -1;
    char name[ZC_NAME_MAX];
    int r = chk(b, zc_net_relu(b->net, x));
    if (r >= 0) zc_net_set_relu_modules(b->net, r, 2);
    NAME(name, "%s.ops.1", mod);
    int y = enc_conv(b, r, name, c, k, s, p);
    NAME(name, "%s.ops.2", mod);
    return chk(b, zc_net_batchnorm(b->net, y, name, 1e-5f, 1, 1));
}

/* FactorizedReduce: ReLU, conv 1x1 s (C_out/2) on x and on x shifted by one pixel, concat, BN. */
static int factorized_reduce(builder *b, int x, const char *mod, int c_out, int s)
{
    if (!b->ok) return -1;
    char name[ZC_NAME_MAX];
    int r = chk(b, zc_net_relu(b->net, x));
    NAME(name, "%s.convs.0", mod);
    int a = enc_conv(b, r, name, c_out / 2, 1, s, 0);
    int sh = chk(b, zc_net_shift(b->net, r));
    NAME(name, "%s.convs.1", mod);
    int c = enc_conv(b, sh, name, c_out - c_out / 2, 1, s, 0);
    int xs[2] = {a, c};
    int cat = chk(b, zc_net_concat(b->net, 2, xs));
    NAME(name, "%s.bn", mod);
    return chk(b, zc_net_batchnorm(b->net, cat, name, 1e-5f, 1, 1));
}

static int edge_op(builder *b, int x, const char *mod, int op, int c_in, int c_out, int s)
{
    switch (op) {
    case 0: return chk(b, zc_net_zero_to(b->net, x, c_out, s));
    case 1: return s == 1 && c_in == c_out ? x : factorized_reduce(b, x, mod, c_out, s);
    case 2: return relu_conv_bn(b, x, mod, c_out, 1, s, 0);
    default: return relu_conv_bn(b, x, mod, c_out, 3, s, 1);
    }
}

/* AZ-NAS' stages (no official TransNAS setting; as its NB201 code takes the stem and every cell): the
 * encoder's stem and each of its cells or residual blocks. */
static void mark(builder *b, int x)
{
    if (b->ok && zc_net_mark_feature(b->net, x) != ZC_OK) b->ok = 0;
}

/* MicroCell: node1 = a(node0); node2 = b(node0) + c(node1); node3 = d(node0) + e(node1) + f(node2);
 * edges from node0 carry the cell's stride and C_in -> C_out. */
static int micro_cell(builder *b, int x, const char *mod, const uint8_t *ops, int c_in, int c_out, int s)
{
    int nodes[4] = {x, -1, -1, -1}, e = 0;
    for (int j = 1; j <= 3 && b->ok; j++) {
        int terms[3];
        for (int i = 0; i < j; i++, e++) {
            char name[ZC_NAME_MAX];
            NAME(name, "%s.edges.%d", mod, e);
            terms[i] = edge_op(b, nodes[i], name, ops[e], i == 0 ? c_in : c_out, c_out, i == 0 ? s : 1);
        }
        nodes[j] = j == 1 ? terms[0] : chk(b, zc_net_add(b->net, j, terms));
    }
    return nodes[3];
}

/* ResNetBasicblock: conv_a (s), conv_b; downsample conv1x1 s + BN when the shape changes, whose BN is
 * built as nn.BatchNorm2d(planes, affine, track_running_stats), i.e. eps = 1 (and momentum 1). */
static int basic_block(builder *b, int x, const char *mod, int c_in, int c_out, int s)
{
    char name[ZC_NAME_MAX];
    NAME(name, "%s.conv_a", mod);
    int y = relu_conv_bn(b, x, name, c_out, 3, s, 1);
    NAME(name, "%s.conv_b", mod);
    y = relu_conv_bn(b, y, name, c_out, 3, 1, 1);
    int res = x;
    if (s != 1 || c_in != c_out) {
        NAME(name, "%s.downsample.0", mod);
        res = enc_conv(b, x, name, c_out, 1, s, 0);
        NAME(name, "%s.downsample.1", mod);
        res = chk(b, zc_net_batchnorm(b->net, res, name, 1.0f, 1, 1));
    }
    int xs[2] = {res, y};
    return b->ok ? chk(b, zc_net_add(b->net, 2, xs)) : -1;
}

/* The encoder; *c_out its width and *nominal_w the width MacroNet records for a 224 input, which
 * sizes the dense decoders. */
static int encoder(builder *b, const zc_tnb_arch *a, const char *prefix, int *c_out, int *nominal_w)
{
    char name[ZC_NAME_MAX];
    NAME(name, "%s.stem.0", prefix);
    int x = enc_conv(b, 0, name, 32, 3, 2, 1);
    NAME(name, "%s.stem.1", prefix);
    x = chk(b, zc_net_batchnorm(b->net, x, name, 1e-5f, 1, 1));
    NAME(name, "%s.stem.2", prefix);
    x = relu_conv_bn(b, x, name, 64, 3, 2, 1);
    mark(b, x);
    int c = 64, w = 224 / 4;
    static const uint8_t micro_skeleton[5] = {4, 1, 4, 1, 4};
    const uint8_t *digits = a->macro ? a->d : micro_skeleton;
    int layers = a->macro ? a->n : 5;
    for (int i = 0; i < layers && b->ok; i++) {
        int target = digits[i] % 2 == 0 ? 2 * c : c, s = digits[i] > 2 ? 2 : 1;
        w /= s;
        for (int j = 0; j < 2; j++) {
            NAME(name, "%s.layer%d.%d", prefix, i, j);
            x = a->macro ? basic_block(b, x, name, j ? target : c, target, j ? 1 : s)
                         : micro_cell(b, x, name, a->d, j ? target : c, target, j ? 1 : s);
            mark(b, x);
        }
        c = target;
    }
    *c_out = c;
    *nominal_w = w;
    return x;
}

/* ConvLayer / DeconvLayer: conv (bias) -> BN -> LeakyReLU(0.2), or the last layers without BN. */
static int conv_layer(builder *b, int x, const char *mod, int c, int deconv, int bn, int act)
{
    if (!b->ok) return -1;
    char name[ZC_NAME_MAX];
    NAME(name, "%s.conv", mod);
    int y = chk(b, deconv ? zc_net_deconv2d(b->net, x, name, c, 3, 2, 1, 1, 1) : zc_net_conv2d(b->net, x, name, c, 3, 1, 1, 1, 1));
    if (bn) {
        NAME(name, "%s.norm", mod);
        y = chk(b, zc_net_batchnorm(b->net, y, name, 1e-5f, 1, 1));
    }
    if (act == 1) y = chk(b, zc_net_leaky_relu(b->net, y, 0.2f));
    if (act == 2) y = chk(b, zc_net_tanh(b->net, y));
    return y;
}

/* int(log2(256 / in_width)): the decoders' number of up-samplings, from the nominal width. */
static int upsamplings(int nominal_w) { return (int)floor(log2(256.0 / nominal_w)); }

static int segmentation_decoder(builder *b, int x, int c_in, int nominal_w, int classes)
{
    (void)c_in;
    int nu = upsamplings(nominal_w), k = 0, c = 1024;
    char mod[ZC_NAME_MAX];
    NAME(mod, "decoder.model.%d", k++);
    x = conv_layer(b, x, mod, 1024, 0, 1, 1);
    for (int i = 0; i < 6 - nu; i++, c /= 2) {
        NAME(mod, "decoder.model.%d", k++);
        x = conv_layer(b, x, mod, c / 2, 0, 1, 1);
    }
    for (int i = 0; i < nu - 1; i++, c /= 2) {
        NAME(mod, "decoder.model.%d", k++);
        x = conv_layer(b, x, mod, c / 2, 1, 1, 1);
    }
    NAME(mod, "decoder.model.%d", k++);
    x = conv_layer(b, x, mod, c, 1, 1, 1);
    NAME(mod, "decoder.model.%d", k++);
    return conv_layer(b, x, mod, classes, 0, 0, 0);
}

static int generative_decoder(builder *b, int x, int nominal_w, int channels)
{
    int nu = upsamplings(nominal_w);
    /* conv1..conv14: output channels and whether the layer up-samples. */
    const int c[14] = {1024, 1024, 512, 512, 256, 128, 64, 64, 32, 32, 16, 32, 16, channels};
    const int up[14] = {0, 0, nu == 6, 0, nu >= 5, 0, nu >= 4, 0, nu >= 3, 0, 1, 0, 1, 0};
    for (int i = 0; i < 14; i++) {
        char mod[ZC_NAME_MAX];
        NAME(mod, "decoder.conv%d", i + 1);
        x = conv_layer(b, x, mod, c[i], up[i], i < 13, i < 13 ? 1 : 2);
    }
    return x;
}

zc_net *zc_tnb_build(const zc_tnb_arch *a, zc_tnb_task task, int resolution, const zc_build_opts *o)
{
    const zc_tnb_task_info *t = zc_tnb_task_get(task);
    if (!t) {
        zc_fail(ZC_EINVAL, "tnb101: unknown task %d", (int)task);
        return NULL;
    }
    builder b = {zc_net_new_tiled(3, resolution, resolution, t->tiles), 1};
    if (!b.net) return NULL;
    if (o->shapes_only) zc_net_set_shapes_only(b.net);
    int c, nominal_w;
    int x = encoder(&b, a, "encoder", &c, &nominal_w);
    int outputs = o->num_classes > 0 && !t->dense ? o->num_classes : t->outputs;
    switch (task) {
    case ZC_TNB_JIGSAW:
        x = chk(&b, zc_net_gap(b.net, x));
        x = chk(&b, zc_net_untile(b.net, x));
        x = chk(&b, zc_net_linear(b.net, x, "decoder.fc", outputs, 1));
        break;
    case ZC_TNB_SEGMENTSEMANTIC: x = segmentation_decoder(&b, x, c, nominal_w, t->outputs); break;
    case ZC_TNB_NORMAL:
    case ZC_TNB_AUTOENCODER: x = generative_decoder(&b, x, nominal_w, t->outputs); break;
    default:
        x = chk(&b, zc_net_gap(b.net, x));
        x = chk(&b, zc_net_linear(b.net, x, "decoder.fc", outputs, 1));
    }
    if (!b.ok || zc_net_finish(b.net, x) != ZC_OK) {
        zc_net_free(b.net);
        return NULL;
    }
    return b.net;
}

void zc_tnb_describe(const zc_tnb_arch *a, zc_tnb_task task, int resolution, FILE *f)
{
    const zc_tnb_task_info *t = zc_tnb_task_get(task);
    char s[64];
    zc_tnb_format(a, s, sizeof s);
    int c = 64, w = resolution / 4;
    static const uint8_t micro_skeleton[5] = {4, 1, 4, 1, 4};
    const uint8_t *digits = a->macro ? a->d : micro_skeleton;
    for (int i = 0; i < (a->macro ? a->n : 5); i++) {
        if (digits[i] % 2 == 0) c *= 2;
        if (digits[i] > 2) w = (w + 1) / 2;
    }
    fprintf(f, "encoder     stem conv3x3 s2 + BN + ReLUConvBN s2 (3->64) | %d layers of 2 %s | output %d x %d x %d\n",
            a->macro ? a->n : 5, a->macro ? "ResNet basic blocks" : "cells", c, w, w);
    const char *head = t->dense ? (task == ZC_TNB_SEGMENTSEMANTIC ? "SegmentationDecoder (conv/deconv, BN, LeakyReLU 0.2)"
                                                                  : "GenerativeDecoder (14 conv/deconv layers, Tanh)")
                                : task == ZC_TNB_JIGSAW ? "encoder on 9 tiles, concat, GAP + linear" : "GAP + linear";
    fprintf(f, "task        %s: %s -> %d %s, loss %s\n", t->name, head, t->outputs,
            t->dense ? "channels at the input size" : task == ZC_TNB_ROOM_LAYOUT ? "values" : "classes",
            zc_loss_name(t->loss));
    if (t->tiles > 1) fprintf(f, "input       9 tiles of 3 x %d x %d per sample\n", resolution, resolution);
}
