/* PlainNet (ZenNAS / ZiCo ImageNet) search space: string round trips and parse errors, the PlainNet
 * counter against independently computed targets (spec 3.1), the MasterNet's shapes and parameter
 * names, forward/backward on small inputs (reference backend, and the default backend against it),
 * finite-difference checks of the sigmoid and channel-scale ops used by SE, and the mutation rules
 * (candidate sets, weights, C_in chaining, splitting) over many random draws. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "check.h"
#include "engine/engine_impl.h"
#include "spaces/plainnet/plainnet.h"
#include "zcnas/zcnas.h"

static const char *const ZICO_450M =
    "SuperConvK3BNRELU(3,16,2,1)SuperResIDWE1K7(16,40,2,40,1)SuperResIDWE2K7(40,80,2,64,1)"
    "SuperResIDWE4K7(80,96,2,96,5)SuperResIDWE2K7(96,224,2,224,5)SuperConvK1BNRELU(224,2048,1,1)";
static const char *const ZICO_600M =
    "SuperConvK3BNRELU(3,24,2,1)SuperResIDWE1K7(24,48,2,48,1)SuperResIDWE2K7(48,72,2,72,1)"
    "SuperResIDWE6K5(72,160,2,96,1)SuperResIDWE6K7(160,200,2,112,5)SuperResIDWE6K7(200,168,1,168,4)"
    "SuperConvK1BNRELU(168,2048,1,1)";
static const char *const ZICO_1G =
    "SuperConvK3BNRELU(3,48,2,1)SuperResIDWE1K7(48,48,2,72,1)SuperResIDWE1K7(48,80,2,128,1)"
    "SuperResIDWE2K7(80,160,2,144,3)SuperResIDWE4K7(160,288,2,232,4)SuperResIDWE6K5(288,232,1,208,5)"
    "SuperConvK1BNRELU(232,2048,1,1)";
static const char *const PARAMS_450M =
    "SuperConvK3BNRELU(3,8,2,1)SuperResIDWE1K3(8,8,2,8,1)SuperResIDWE1K3(8,8,2,8,1)SuperResIDWE1K5(8,64,2,8,1)"
    "SuperResIDWE6K5(64,1024,2,48,1)SuperConvK1BNRELU(1024,2048,1,1)";

static zc_plainnet parse_ok(const char *s)
{
    zc_plainnet p;
    memset(&p, 0, sizeof p);
    zc_status st = zc_plainnet_parse(s, &p);
    CHECK_MSG(st == ZC_OK, "parse '%s': %s", s, zc_last_error());
    return p;
}

/* ------------------------------------------------------------------ strings */

static void test_round_trips(void)
{
    const char *all[5] = {ZC_PLAINNET_INITIAL_STRUCTURE, ZICO_450M, ZICO_600M, ZICO_1G, PARAMS_450M};
    char buf[ZC_PLAINNET_STR_MAX];
    for (int i = 0; i < 5; i++) {
        zc_plainnet p = parse_ok(all[i]);
        CHECK(zc_plainnet_format(&p, buf, sizeof buf) == ZC_OK);
        CHECK_MSG(!strcmp(buf, all[i]), "round trip\n  %s\n  %s", all[i], buf);
    }
    /* Block names ("name|"), surrounding white space; canonical output drops them. */
    zc_plainnet p = parse_ok("  SuperConvK3BNRELU(stem|3,8,2,1)SuperResIDWE6K3(b1|8,32,2,8,1)"
                             "SuperConvK1BNRELU(uuid0123|32,64,1,1)\n");
    CHECK(zc_plainnet_format(&p, buf, sizeof buf) == ZC_OK);
    CHECK(!strcmp(buf, "SuperConvK3BNRELU(3,8,2,1)SuperResIDWE6K3(8,32,2,8,1)SuperConvK1BNRELU(32,64,1,1)"));
    CHECK(p.n == 3 && p.blocks[1].kind == ZC_PLAINNET_IDW && p.blocks[1].e == 6 && p.blocks[1].k == 3 &&
          p.blocks[1].bottleneck == 8 && p.blocks[1].layers == 1 && p.blocks[2].k == 1);
    /* Every block type parses. */
    const int ks[4] = {1, 3, 5, 7}, es[4] = {1, 2, 4, 6};
    for (int i = 0; i < 4; i++) {
        char s[64];
        snprintf(s, sizeof s, "SuperConvK%dBNRELU(3,8,1,2)", ks[i]);
        zc_plainnet q = parse_ok(s);
        CHECK(q.blocks[0].kind == ZC_PLAINNET_CONV && q.blocks[0].k == ks[i] && q.blocks[0].layers == 2);
        for (int j = 1; j < 4; j++) {
            snprintf(s, sizeof s, "SuperResIDWE%dK%d(3,8,1,16,2)", es[i], ks[j]);
            q = parse_ok(s);
            CHECK(q.blocks[0].kind == ZC_PLAINNET_IDW && q.blocks[0].e == es[i] && q.blocks[0].k == ks[j]);
        }
    }
    /* Too small a buffer is an error, not a truncated string. */
    zc_plainnet q = parse_ok(ZICO_450M);
    CHECK(zc_plainnet_format(&q, buf, 20) == ZC_EINVAL);
}

static void expect_error(const char *s, const char *w1, const char *w2)
{
    zc_plainnet p;
    zc_status st = zc_plainnet_parse(s, &p);
    const char *msg = zc_last_error();
    CHECK_MSG(st == ZC_EINVAL, "'%s' was accepted", s);
    if (st != ZC_EINVAL) return;
    CHECK_MSG(strstr(msg, w1) != NULL, "'%s': message '%s' lacks '%s'", s, msg, w1);
    if (w2) CHECK_MSG(strstr(msg, w2) != NULL, "'%s': message '%s' lacks '%s'", s, msg, w2);
    CHECK_MSG(!strchr(msg, '\n'), "multi-line message '%s'", msg);
}

static void test_parse_errors(void)
{
    expect_error("", "empty", NULL);
    expect_error("   \n", "empty", NULL);
    expect_error("SuperConvK4BNRELU(3,8,2,1)", "unknown block type 'SuperConvK4BNRELU'", "block 0");
    expect_error("SuperConvK3BNRELU(3,8,2,1)SuperResIDWE3K3(8,16,2,8,1)", "unknown block type 'SuperResIDWE3K3'",
                 "block 1");
    expect_error("SuperConvK3BNRELU(3,8,2,1)ConvKX(8,16,3,1)", "unknown block type 'ConvKX'", "offset 26");
    expect_error("SuperConvK3BNRELU(3,8,2)", "expected 4 arguments", "got 3");
    expect_error("SuperConvK3BNRELU(3,8,2,1)SuperResIDWE6K3(8,32,2,8,1,3)", "expected 5 arguments", "block 1");
    expect_error("SuperConvK3BNRELU(3,8,2,1)SuperResIDWE6K3(8,32,2,8)", "expected 5 arguments", "got 4");
    expect_error("SuperConvK3BNRELU(3,8,x,1)", "argument 3 'x' is not an integer", NULL);
    expect_error("SuperConvK3BNRELU(3,8,2.5,1)", "not an integer", NULL);
    expect_error("SuperConvK3BNRELU(3,8,,1)", "not an integer", NULL);
    expect_error("SuperConvK3BNRELU(3,0,2,1)", "C_out 0 out of range", NULL);
    expect_error("SuperConvK3BNRELU(3,-8,2,1)", "C_out -8 out of range", NULL);
    expect_error("SuperConvK3BNRELU(3,99999999999999,2,1)", "C_out", "out of range");
    expect_error("SuperConvK3BNRELU(0,8,2,1)", "C_in 0 out of range", NULL);
    expect_error("SuperConvK3BNRELU(3,8,0,1)", "stride 0 out of range", NULL);
    expect_error("SuperConvK3BNRELU(3,8,99,1)", "stride 99 out of range", NULL);
    expect_error("SuperConvK3BNRELU(3,8,2,0)", "L (sub-layers) 0 out of range", NULL);
    expect_error("SuperConvK3BNRELU(3,8,2,1)SuperResIDWE6K3(8,32,2,0,1)", "bottleneck B 0 out of range", "block 1");
    expect_error("SuperConvK3BNRELU(3,8,2,1)SuperResIDWE6K3(16,32,2,8,1)",
                 "C_in 16 does not match the previous block's C_out 8", "block 1");
    expect_error("SuperConvK3BNRELU(3,8,2,1", "missing ')'", NULL);
    expect_error("SuperConvK3BNRELU(3,8,2,1)SuperConvK1BNRELU", "expected '(' after the block name", "block 1");
    expect_error("SuperConvK3BNRELU(3,8,2,1);SuperConvK1BNRELU(8,16,1,1)", "expected a block name, found ';'",
                 "block 1");
    expect_error("SuperConvK3BNRELU(3,8,2,1)SuperConvK1BNRELU(ResBlock(8,16,1,1))", "unexpected '('", NULL);
    /* Programmatic structures get the same checks. */
    zc_plainnet p = parse_ok(ZICO_450M);
    p.blocks[2].c_in = 41;
    CHECK(zc_plainnet_validate(&p) == ZC_EINVAL && strstr(zc_last_error(), "block 2"));
    p = parse_ok(ZICO_450M);
    p.blocks[1].e = 3;
    CHECK(zc_plainnet_validate(&p) == ZC_EINVAL);
    p.n = 0;
    CHECK(zc_plainnet_validate(&p) == ZC_EINVAL);
}

/* ------------------------------------------------------------------ counter */

static void test_counter(void)
{
    /* Spec 3.1: an independent re-computation of the official counter (224^2, 1000 classes, residual
     * branches on, no SE). */
    struct { const char *s; double flops; int64_t params; int layers; } t[5] = {
        {ZICO_450M, 438385944.0, 5716393, 14},
        {ZICO_600M, 590293588.0, 9653777, 14},
        {ZICO_1G, 979224130.0, 15247625, 16},
        {PARAMS_450M, 449997572.0, 11002521, 6},
        {ZC_PLAINNET_INITIAL_STRUCTURE, 162396776.0, 2813889, 6},
    };
    zc_plainnet_config cfg = zc_plainnet_default_config(1000, 224);
    for (int i = 0; i < 5; i++) {
        zc_plainnet p = parse_ok(t[i].s);
        double flops = -1;
        int64_t params = -1;
        int layers = -1;
        CHECK(zc_plainnet_cost(&p, &cfg, &flops, &params, &layers) == ZC_OK);
        CHECK_MSG(flops == t[i].flops, "%s: FLOPs %.2f, want %.0f", t[i].s, flops, t[i].flops);
        CHECK_MSG(params == t[i].params, "%s: params %lld, want %lld", t[i].s, (long long)params,
                  (long long)t[i].params);
        CHECK_MSG(layers == t[i].layers && zc_plainnet_layers(&p) == t[i].layers, "%s: layers %d", t[i].s, layers);
    }
    /* The projection term at an odd resolution: r = 7, stride 2 -> (7/2)^2 = 12.25 per channel pair.
     * SuperResIDWE1K3(8,8,2,8,1) on 14x14: unit A 8*8*196 + 196*8 + 8*9*196/4 + 49*8 + 8*8*49 + 49*8
     * + projection 8*8*12.25 + 12.25*8 = 12544+1568+3528+392+3136+392+784+98; unit B (8->8, stride 1,
     * no projection) 3136+392+3528+392+3136+392; Linear 8*10. */
    zc_plainnet p = parse_ok("SuperResIDWE1K3(8,8,2,8,1)");
    zc_plainnet_config c14 = zc_plainnet_default_config(10, 14);
    double flops;
    int64_t params;
    CHECK(zc_plainnet_cost(&p, &c14, &flops, &params, NULL) == ZC_OK);
    double want = 12544 + 1568 + 3528 + 392 + 3136 + 392 + 784 + 98 + 3136 + 392 + 3528 + 392 + 3136 + 392 + 80;
    CHECK_MSG(flops == want, "odd-resolution projection: %.2f vs %.2f", flops, want);
    /* params: unit A 8*8 + 8 + 8*9 + 8 + 8*8 + 8 + proj 8*8 + 8; unit B the same without proj; Linear 81 */
    CHECK(params == (64 + 8 + 72 + 8 + 64 + 8 + 72) + (64 + 8 + 72 + 8 + 64 + 8) + 81);
    /* Resolution 27, stride 2: the inner convs floor (27 // 2 = 13) and the projection uses
     * (13 / 2)^2 = 42.25: 4*5*42.25 + 42.25*5 ends in .25. */
    zc_plainnet_config c27 = zc_plainnet_default_config(10, 27);
    p = parse_ok("SuperResIDWE1K3(4,5,2,5,1)");
    CHECK(zc_plainnet_cost(&p, &c27, &flops, NULL, NULL) == ZC_OK);
    CHECK(flops != floor(flops) && fabs(flops * 4 - floor(flops * 4 + 0.5)) < 1e-9);

    /* no_reslink drops exactly the projections; SE adds C*s + s*C + C + C*r^2 FLOPs per SE. */
    zc_plainnet init = parse_ok(ZC_PLAINNET_INITIAL_STRUCTURE);
    double f_res, f_plain, f_se;
    int64_t p_res, p_plain, p_se;
    zc_plainnet_config cp = cfg, cs = cfg;
    cp.no_reslink = 1;
    cs.use_se = 1;
    CHECK(zc_plainnet_cost(&init, &cfg, &f_res, &p_res, NULL) == ZC_OK);
    CHECK(zc_plainnet_cost(&init, &cp, &f_plain, &p_plain, NULL) == ZC_OK);
    CHECK(zc_plainnet_cost(&init, &cs, &f_se, &p_se, NULL) == ZC_OK);
    /* Projections of the initial structure: units A (stride 2: C_in*B*(r/2)^2 + (r/2)^2*B) and units B
     * (B != C_out: B*C_out*r^2 + r^2*C_out), r = 56, 28, 14, 7. */
    const int cin[4] = {8, 32, 48, 96}, cout[4] = {32, 48, 96, 128}, btl[4] = {8, 32, 48, 96}, r[4] = {56, 28, 14, 7};
    double proj_f = 0;
    int64_t proj_p = 0;
    for (int i = 0; i < 4; i++) {
        double q = r[i] / 2.0;
        proj_f += (double)cin[i] * btl[i] * q * q + q * q * btl[i];
        proj_f += (double)btl[i] * cout[i] * r[i] * r[i] + (double)r[i] * r[i] * cout[i];
        proj_p += (int64_t)cin[i] * btl[i] + btl[i] + (int64_t)btl[i] * cout[i] + cout[i];
    }
    CHECK_NEAR(f_res - f_plain, proj_f, 1e-6);
    CHECK(p_res - p_plain == proj_p);
    /* SE over M1 = 6B and M2 = 6*C_out channels, at the depth-wise output resolution. */
    double se_f = 0;
    int64_t se_p = 0;
    for (int i = 0; i < 4; i++) {
        int m[2] = {6 * btl[i], 6 * cout[i]};
        for (int u = 0; u < 2; u++) {
            int c = m[u], s = (int)rint(c * 0.25);
            se_f += (double)c * s + (double)s * c + c + (double)c * r[i] * r[i];
            se_p += (int64_t)c * s + 2 * s + (int64_t)s * c + 2 * c;
        }
    }
    CHECK_NEAR(f_se - f_res, se_f, 1e-6);
    CHECK(p_se - p_res == se_p);
    CHECK(zc_plainnet_cost(&init, &cfg, NULL, NULL, NULL) == ZC_OK);
    zc_plainnet_config bad = cfg;
    bad.resolution = 0;
    CHECK(zc_plainnet_cost(&init, &bad, &flops, NULL, NULL) == ZC_EINVAL);
}

/* ------------------------------------------------------------------ networks */

static const zc_param *param(const zc_net *net, const char *name)
{
    int i = zc_net_find_param(net, name);
    CHECK_MSG(i >= 0, "missing parameter %s", name);
    return i >= 0 ? &net->params[i] : NULL;
}

static void check_shape(const zc_param *p, int d0, int d1, int d2, int d3)
{
    if (!p) return;
    int want[4] = {d0, d1, d2, d3}, nd = d3 ? 4 : d1 ? 2 : 1;
    if (d2 && !d3) nd = 3;
    int ok = p->ndim == nd;
    for (int i = 0; ok && i < nd; i++) ok = p->shape[i] == want[i];
    CHECK_MSG(ok, "%s: shape (%d,%d,%d,%d) ndim %d, want (%d,%d,%d,%d)", p->name, p->shape[0], p->shape[1],
              p->shape[2], p->shape[3], p->ndim, d0, d1, d2, d3);
}

/* BN parameters the counter leaves out: it counts C per BN block (the network has gamma and beta)
 * and nothing for the projections' BN. SE-free networks only. */
static int64_t bn_uncounted(const zc_net *net)
{
    int64_t n = 0;
    for (int i = 0; i < net->n_nodes; i++)
        if (net->nodes[i].op == ZC_OP_BATCHNORM) n += (strstr(net->nodes[i].name, ".proj.") ? 2 : 1) * net->nodes[i].c;
    return n;
}

static void test_shapes_224(void)
{
    const char *all[5] = {ZC_PLAINNET_INITIAL_STRUCTURE, ZICO_450M, ZICO_600M, ZICO_1G, PARAMS_450M};
    for (int i = 0; i < 5; i++)
        for (int variant = 0; variant < 3; variant++) {
            zc_plainnet p = parse_ok(all[i]);
            zc_plainnet_config cfg = zc_plainnet_default_config(1000, 224);
            cfg.shapes_only = 1;
            cfg.no_reslink = variant == 1;
            cfg.use_se = variant == 2;
            zc_net *net = zc_plainnet_build(&p, &cfg);
            CHECK_MSG(net != NULL, "build %s: %s", all[i], zc_last_error());
            if (!net) continue;
            const zc_node *o = &net->nodes[net->output];
            CHECK(o->op == ZC_OP_LINEAR && o->c == 1000 && o->h == 1 && o->w == 1);
            const zc_node *g = &net->nodes[o->in[0]], *last = &net->nodes[g->in[0]];
            CHECK(g->op == ZC_OP_GAP && g->c == 2048);
            CHECK_MSG(last->h == 7 && last->w == 7 && last->c == 2048, "last feature map %dx%dx%d", last->c, last->h,
                      last->w);
            /* Parameter count = the counter's (BN counted once, projection BN not at all, Linear bias as
             * 1), for SE-free nets. */
            if (variant < 2) {
                int64_t params;
                CHECK(zc_plainnet_cost(&p, &cfg, NULL, &params, NULL) == ZC_OK);
                int64_t net_params = zc_net_param_count(net) - bn_uncounted(net) - 1000 + 1;
                CHECK_MSG(net_params == params, "%s variant %d: %lld vs counter %lld", all[i], variant,
                          (long long)net_params, (long long)params);
            }
            int projs = 0, ses = 0, dws = 0;
            for (int j = 0; j < net->n_params; j++) {
                projs += strstr(net->params[j].name, ".proj.") != NULL;
                ses += strstr(net->params[j].name, ".netblock.1.weight") != NULL;
            }
            for (int j = 0; j < net->n_nodes; j++) {
                const zc_node *n = &net->nodes[j];
                if (n->op == ZC_OP_CONV2D && n->groups > 1) {
                    dws++;
                    CHECK(n->groups == n->c && net->nodes[n->in[0]].c == n->c && n->pad == (n->k - 1) / 2);
                }
                if (n->op == ZC_OP_BATCHNORM) CHECK(n->eps == 1e-3f && n->affine && n->track_stats);
            }
            CHECK((projs == 0) == (variant == 1));
            CHECK((ses > 0) == (variant == 2));
            CHECK(dws == 2 * (zc_plainnet_layers(&p) - 2));   /* two DW convs per IDW sub-layer */
            zc_net_free(net);
        }
    /* Names and shapes of the initial structure (M1 = smart_round(8 * 6) = 48, M2 = 6 * 32 = 192). */
    zc_plainnet p = parse_ok(ZC_PLAINNET_INITIAL_STRUCTURE);
    zc_plainnet_config cfg = zc_plainnet_default_config(1000, 224);
    cfg.shapes_only = 1;
    zc_net *net = zc_plainnet_build(&p, &cfg);
    if (net) {
        check_shape(param(net, "module_list.0.module_list.0.netblock.weight"), 8, 3, 3, 3);
        check_shape(param(net, "module_list.0.module_list.1.netblock.weight"), 8, 0, 0, 0);
        check_shape(param(net, "module_list.1.module_list.0.module_list.0.netblock.weight"), 48, 8, 1, 1);
        check_shape(param(net, "module_list.1.module_list.0.module_list.3.netblock.weight"), 48, 1, 3, 3);
        check_shape(param(net, "module_list.1.module_list.0.module_list.6.netblock.weight"), 8, 48, 1, 1);
        check_shape(param(net, "module_list.1.module_list.0.module_list.7.netblock.bias"), 8, 0, 0, 0);
        check_shape(param(net, "module_list.1.module_list.0.proj.0.weight"), 8, 8, 1, 1);
        check_shape(param(net, "module_list.1.module_list.0.proj.0.bias"), 8, 0, 0, 0);
        check_shape(param(net, "module_list.1.module_list.0.proj.1.weight"), 8, 0, 0, 0);
        check_shape(param(net, "module_list.1.module_list.2.module_list.3.netblock.weight"), 192, 1, 3, 3);
        check_shape(param(net, "module_list.1.module_list.2.proj.0.weight"), 32, 8, 1, 1);
        check_shape(param(net, "module_list.5.module_list.0.netblock.weight"), 2048, 128, 1, 1);
        check_shape(param(net, "fc_linear.netblock.weight"), 1000, 2048, 0, 0);
        check_shape(param(net, "fc_linear.netblock.bias"), 1000, 0, 0, 0);
        CHECK(!strcmp(net->params[0].name, "module_list.0.module_list.0.netblock.weight"));
        CHECK(!strcmp(net->params[net->n_params - 1].name, "fc_linear.netblock.bias"));
        zc_net_free(net);
    }
    /* Unit A of a later sub-layer: ResBlock with identity when C_out == B (no proj). */
    zc_plainnet q = parse_ok("SuperConvK3BNRELU(3,16,2,1)SuperResIDWE2K5(16,16,2,16,2)");
    net = zc_plainnet_build(&q, &cfg);
    if (net) {
        CHECK(zc_net_find_param(net, "module_list.1.module_list.0.proj.0.weight") >= 0);  /* ResBlockProj */
        CHECK(zc_net_find_param(net, "module_list.1.module_list.2.proj.0.weight") < 0);   /* B == C_out */
        CHECK(zc_net_find_param(net, "module_list.1.module_list.4.proj.0.weight") < 0);   /* identity */
        check_shape(param(net, "module_list.1.module_list.4.module_list.3.netblock.weight"), 32, 1, 5, 5);
        zc_net_free(net);
    }
    /* no_reslink: flattened lists of 9 (10 with SE) per unit. */
    cfg.no_reslink = 1;
    net = zc_plainnet_build(&p, &cfg);
    if (net) {
        check_shape(param(net, "module_list.1.module_list.3.netblock.weight"), 48, 1, 3, 3);
        check_shape(param(net, "module_list.1.module_list.12.netblock.weight"), 192, 1, 3, 3);
        check_shape(param(net, "module_list.1.module_list.15.netblock.weight"), 32, 192, 1, 1);
        zc_net_free(net);
    }
    cfg.use_se = 1;
    net = zc_plainnet_build(&p, &cfg);
    if (net) {
        check_shape(param(net, "module_list.1.module_list.6.netblock.1.weight"), 12, 48, 1, 1);
        check_shape(param(net, "module_list.1.module_list.6.netblock.2.weight"), 12, 0, 0, 0);
        check_shape(param(net, "module_list.1.module_list.6.netblock.4.weight"), 48, 12, 1, 1);
        check_shape(param(net, "module_list.1.module_list.6.netblock.5.bias"), 48, 0, 0, 0);
        check_shape(param(net, "module_list.1.module_list.7.netblock.weight"), 8, 48, 1, 1);
        check_shape(param(net, "module_list.1.module_list.16.netblock.1.weight"), 48, 192, 1, 1);
        zc_net_free(net);
    }
    zc_plainnet_config badc = zc_plainnet_default_config(0, 224);
    CHECK(zc_plainnet_build(&p, &badc) == NULL);
}

static float *random_input(zc_rng *rng, size_t n)
{
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n && x; i++) x[i] = (float)zc_rng_normal(rng);
    return x;
}

static int all_finite(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

/* Forward (train mode) + backward at res x res on `backend`; returns the network (for its
 * gradients) and its logits (batch x 10), or NULL. */
static zc_net *run_small(const char *s, int no_reslink, int use_se, const zc_backend *backend, int res, int batch,
                         float **logits)
{
    zc_plainnet p = parse_ok(s);
    zc_plainnet_config cfg = zc_plainnet_default_config(10, res);
    cfg.no_reslink = no_reslink;
    cfg.use_se = use_se;
    zc_net *net = zc_plainnet_build(&p, &cfg);
    CHECK_MSG(net != NULL, "build: %s", zc_last_error());
    if (!net) return NULL;
    zc_net_set_backend(net, backend);
    zc_rng rng;
    zc_rng_seed(&rng, 7, 1);
    zc_net_init_default(net, &rng);
    float *x = random_input(&rng, (size_t)batch * 3 * res * res);
    zc_status st = zc_net_forward(net, x, batch, ZC_RUN_TRAIN);
    free(x);
    CHECK_MSG(st == ZC_OK, "forward (%s): %s", zc_backend_name(backend), zc_last_error());
    if (st != ZC_OK) { zc_net_free(net); return NULL; }
    int b = 0, dim = 0;
    const float *out = zc_net_output(net, &b, &dim);
    CHECK(b == batch && dim == 10);
    CHECK(out && all_finite(out, (size_t)batch * 10));
    *logits = malloc((size_t)batch * 10 * sizeof **logits);
    memcpy(*logits, out, (size_t)batch * 10 * sizeof **logits);
    int labels[16];
    float dlogits[160];
    for (int i = 0; i < batch; i++) labels[i] = (3 * i + 1) % 10;
    double loss;
    CHECK(zc_cross_entropy(out, labels, batch, 10, &loss, dlogits) == ZC_OK);
    st = zc_net_backward(net, dlogits);
    CHECK_MSG(st == ZC_OK, "backward (%s): %s", zc_backend_name(backend), zc_last_error());
    for (int i = 0; i < net->n_params; i++)
        CHECK_MSG(net->params[i].grad && all_finite(net->params[i].grad, net->params[i].numel), "grad of %s",
                  net->params[i].name);
    return net;
}

static void test_forward_32(void)
{
    /* Reference backend at 32 x 32 (the stem and four stride-2 blocks leave 1 x 1 maps). */
    struct { const char *s; int no_reslink, use_se; } cases[4] = {
        {ZC_PLAINNET_INITIAL_STRUCTURE, 0, 0},
        {ZC_PLAINNET_INITIAL_STRUCTURE, 1, 1},
        {ZICO_450M, 1, 0},
        {ZICO_450M, 0, 1},
    };
    for (int c = 0; c < 4; c++) {
        float *logits = NULL;
        zc_net *net = run_small(cases[c].s, cases[c].no_reslink, cases[c].use_se, zc_backend_get("ref"), 32, 2, &logits);
        free(logits);
        zc_net_free(net);
    }
}

/* The default backend (oneDNN: blocked layouts, its depth-wise kernels, the SE ops on blocked tensors)
 * against the reference. At 64 x 64 with a batch of 8 the last maps are 2 x 2, which keeps the
 * train-mode BNs well conditioned (with 1 x 1 maps and 4 samples each BN roughly doubles rounding
 * differences, so deep nets diverge for reasons that have nothing to do with correctness). */
static void test_backends_agree(void)
{
    const zc_backend *ref = zc_backend_get("ref"), *dflt = zc_backend_default();
    if (dflt == ref) return;
    /* One thread: the run is dominated by creating oneDNN primitives for each new shape. */
    zc_backend_thread_init(dflt, 1);
    /* K5 and K7 depth-wise convs, two sub-layers (identity shortcuts), 8 x 8 final maps. */
    const char *k57 = "SuperConvK3BNRELU(3,16,2,1)SuperResIDWE1K7(16,40,2,40,1)SuperResIDWE2K5(40,64,2,48,2)"
                      "SuperConvK1BNRELU(64,256,1,1)";
    struct { const char *s; int no_reslink, use_se; } cases[3] = {
        {ZC_PLAINNET_INITIAL_STRUCTURE, 0, 0},
        {ZC_PLAINNET_INITIAL_STRUCTURE, 1, 1},
        {k57, 0, 1},
    };
    for (int c = 0; c < 3; c++) {
        float *la = NULL, *lb = NULL;
        zc_net *a = run_small(cases[c].s, cases[c].no_reslink, cases[c].use_se, ref, 64, 8, &la);
        zc_net *b = run_small(cases[c].s, cases[c].no_reslink, cases[c].use_se, dflt, 64, 8, &lb);
        if (a && b) {
            double worst = 0;
            for (int i = 0; i < 80; i++)
                worst = fmax(worst, fabs((double)la[i] - lb[i]) / (1.0 + fabs((double)la[i])));
            CHECK_MSG(worst < 1e-3, "case %d: logits differ between ref and %s by %g", c, zc_backend_name(dflt), worst);
            /* Gradients: relative L2 distance over all parameters. Where a pre-ReLU value lies within
             * rounding distance of 0 the two backends may take different sides of the kink, which moves
             * the gradient by O(1e-3..1e-2) (SE's batch-only BNs amplify rounding differences, so the SE
             * nets flip more often); wrong kernels give O(1). Precise op-level checks: test_gradcheck and
             * test_se_ops_gradcheck below. */
            double num = 0, den = 0, gworst = 0;
            for (int i = 0; i < a->n_params; i++)
                for (size_t j = 0; j < a->params[i].numel; j++) {
                    double d = (double)a->params[i].grad[j] - b->params[i].grad[j];
                    num += d * d;
                    den += (double)a->params[i].grad[j] * a->params[i].grad[j];
                }
            if (den > 0) gworst = sqrt(num / den);
            CHECK_MSG(gworst < 0.1, "case %d: gradients differ between ref and %s by %g (relative L2)", c, zc_backend_name(dflt),
                      gworst);
            printf("plainnet case %d: ref vs %s: logits %.2g, gradients %.2g\n", c, zc_backend_name(dflt), worst, gworst);
        }
        free(la);
        free(lb);
        zc_net_free(a);
        zc_net_free(b);
    }
}

/* ------------------------------------------------------------------ SE ops: finite differences */

static double loss_of(zc_net *net, const float *x, int batch, const float *r)
{
    if (zc_net_forward(net, x, batch, ZC_RUN_TRAIN) != ZC_OK) return NAN;
    int b, dim;
    const float *out = zc_net_output(net, &b, &dim);
    double l = 0;
    for (int i = 0; i < b * dim; i++) l += (double)out[i] * r[i];
    return l;
}

/* out = linear(scale(c, sigmoid(gap(c)))), c = conv1x1(x) with 16 channels (blocked in oneDNN), and
 * out = linear(sigmoid(x)): analytic gradients against central differences (smooth: no kinks). */
static void test_se_ops_gradcheck(void)
{
    const zc_backend *backends[2] = {zc_backend_get("ref"), zc_backend_default()};
    for (int bi = 0; bi < 2; bi++) {
        if (bi == 1 && backends[1] == backends[0]) break;
        for (int variant = 0; variant < 2; variant++) {
            zc_net *net = zc_net_new(16, 3, 3);
            int y;
            if (variant == 0) {
                int c = zc_net_conv2d(net, 0, "c", 16, 1, 1, 0, 1, 1);
                int s = zc_net_sigmoid(net, zc_net_gap(net, c));
                y = zc_net_scale(net, c, s);
            } else {
                y = zc_net_sigmoid(net, 0);
            }
            int out = zc_net_linear(net, y, "fc", 3, 1);
            CHECK(out >= 0 && zc_net_finish(net, out) == ZC_OK);
            zc_net_set_backend(net, backends[bi]);
            net->need_input_grad = 1;
            zc_rng rng;
            zc_rng_seed(&rng, 99, (uint64_t)variant);
            zc_net_init_default(net, &rng);
            int batch = 2;
            size_t nx = (size_t)batch * 16 * 9;
            float *x = random_input(&rng, nx);
            for (size_t i = 0; i < nx; i++) x[i] *= 2.0f;   /* over the sigmoid's curved range */
            float r[6];
            for (int i = 0; i < 6; i++) r[i] = (float)zc_rng_normal(&rng);
            zc_net_keep(net, 0);
            CHECK(zc_net_forward(net, x, batch, ZC_RUN_TRAIN) == ZC_OK);
            CHECK(zc_net_backward(net, r) == ZC_OK);
            float *gx = malloc(nx * sizeof *gx);
            CHECK(zc_net_read(net, 0, 1, gx) == ZC_OK);
            double worst = 0;
            const float h = 1e-2f;
            /* input elements */
            for (int k = 0; k < 12; k++) {
                size_t i = (size_t)zc_rng_below(&rng, nx);
                float v = x[i];
                x[i] = v + h; double lp = loss_of(net, x, batch, r); float vp = x[i];
                x[i] = v - h; double lm = loss_of(net, x, batch, r); float vm = x[i];
                x[i] = v;
                double fd = (lp - lm) / ((double)vp - vm);
                worst = fmax(worst, fabs(fd - gx[i]) / fmax(1.0, fabs(gx[i])));
            }
            /* parameter elements (analytic gradients saved first: the FD forwards do not touch them) */
            for (int pi = 0; pi < net->n_params; pi++) {
                zc_param *p = &net->params[pi];
                for (int k = 0; k < 4; k++) {
                    size_t j = (size_t)zc_rng_below(&rng, p->numel);
                    float g = p->grad[j], v = p->data[j];
                    p->data[j] = v + h; double lp = loss_of(net, x, batch, r); float vp = p->data[j];
                    p->data[j] = v - h; double lm = loss_of(net, x, batch, r); float vm = p->data[j];
                    p->data[j] = v;
                    double fd = (lp - lm) / ((double)vp - vm);
                    worst = fmax(worst, fabs(fd - g) / fmax(1.0, fabs(g)));
                }
            }
            printf("se ops gradcheck (%s, %s): worst %.2g\n", variant ? "sigmoid" : "scale(c, sigmoid(gap c))",
                   zc_backend_name(backends[bi]), worst);
            CHECK_MSG(worst < 2e-3, "%s on %s: finite differences differ by %g", variant ? "sigmoid" : "scale",
                      zc_backend_name(backends[bi]), worst);
            free(gx);
            free(x);
            zc_net_free(net);
        }
    }
    /* Shape errors. */
    zc_net *net = zc_net_new(4, 3, 3);
    CHECK(zc_net_scale(net, 0, 0) < 0);   /* factors must be C x 1 x 1 */
    zc_net_free(net);
}

/* ------------------------------------------------------------------ mutation */

static int chan_ref(int c, int *out)   /* chan(c) straight from the rule, decreasing */
{
    const double f[9] = {2.5, 2, 1.5, 1.25, 1, 1 / 1.25, 1 / 1.5, 1 / 2.0, 1 / 2.5};
    int n = 0;
    for (int i = 0; i < 9; i++) {
        double x = i < 5 ? c * f[i] : c / (i == 5 ? 1.25 : i == 6 ? 1.5 : i == 7 ? 2.0 : 2.5);
        int v = zc_plainnet_smart_round(x < 8 ? 8 : x, 8), dup = 0;
        for (int j = 0; j < n; j++) dup |= out[j] == v;
        if (!dup) out[n++] = v;
    }
    return n;
}

static int in_list(int v, const int *l, int n)
{
    for (int i = 0; i < n; i++)
        if (l[i] == v) return 1;
    return 0;
}

static int same_block(const zc_plainnet_block *a, const zc_plainnet_block *b, int ignore_cin)
{
    return a->kind == b->kind && a->k == b->k && a->e == b->e && (ignore_cin || a->c_in == b->c_in) &&
           a->c_out == b->c_out && a->stride == b->stride && a->bottleneck == b->bottleneck && a->layers == b->layers;
}

static void test_smart_round_and_chan(void)
{
    /* Python: smart_round(20, 8) = 16 (2.5 rounds to 2), smart_round(28, 8) = 32 (3.5 -> 4). */
    CHECK(zc_plainnet_smart_round(20, 8) == 16);
    CHECK(zc_plainnet_smart_round(28, 8) == 32);
    CHECK(zc_plainnet_smart_round(12, 8) == 16);
    CHECK(zc_plainnet_smart_round(3, 8) == 8);
    CHECK(zc_plainnet_smart_round(8 * 1.5 * 6, 8) == 72);
    /* chan() values from the official code (evaluated in Python). */
    struct { int c, n, v[9]; } t[5] = {
        {8, 2, {16, 8}},
        {16, 5, {40, 32, 24, 16, 8}},
        {32, 7, {80, 64, 48, 40, 32, 24, 16}},
        {48, 9, {120, 96, 72, 64, 48, 40, 32, 24, 16}},
        {224, 9, {560, 448, 336, 280, 224, 176, 152, 112, 88}},
    };
    for (int i = 0; i < 5; i++) {
        int l[9], n = chan_ref(t[i].c, l);
        CHECK_MSG(n == t[i].n, "chan(%d) has %d values", t[i].c, n);
        for (int j = 0; j < t[i].n; j++) CHECK_MSG(in_list(t[i].v[j], l, n), "chan(%d) lacks %d", t[i].c, t[i].v[j]);
        /* The stem's candidates are exactly chan(C_out) with L = 1. */
        char s[128];
        snprintf(s, sizeof s, "SuperConvK3BNRELU(3,%d,2,3)SuperConvK1BNRELU(%d,64,1,2)", t[i].c, t[i].c);
        zc_plainnet p = parse_ok(s);
        zc_plainnet_block cands[16];
        int w[16];
        int nc = zc_plainnet_candidates(&p, 0, cands, w, 16);
        CHECK(nc == t[i].n);
        for (int j = 0; j < nc && j < 16; j++) {
            CHECK(cands[j].kind == ZC_PLAINNET_CONV && cands[j].k == 3 && cands[j].c_in == 3 && cands[j].stride == 2 &&
                  cands[j].layers == 1 && w[j] == 1 && in_list(cands[j].c_out, t[i].v, t[i].n));
            if (j) CHECK(cands[j].c_out < cands[j - 1].c_out);   /* fixed order: decreasing, no duplicates */
        }
        /* The final 1x1 conv: only itself (with L = 1). */
        nc = zc_plainnet_candidates(&p, 1, cands, w, 16);
        CHECK(nc == 1 && cands[0].c_out == 64 && cands[0].c_in == t[i].c && cands[0].layers == 1 && cands[0].k == 1);
    }
}

static void test_candidates(void)
{
    zc_plainnet_block *c = malloc(ZC_PLAINNET_MAX_CANDIDATES * sizeof *c);
    int *w = malloc(ZC_PLAINNET_MAX_CANDIDATES * sizeof *w);
    const char *structs[3] = {ZC_PLAINNET_INITIAL_STRUCTURE, ZICO_600M, PARAMS_450M};
    for (int si = 0; si < 3; si++) {
        zc_plainnet p = parse_ok(structs[si]);
        for (int b = 0; b < p.n; b++) {
            const zc_plainnet_block *blk = &p.blocks[b];
            if (blk->kind != ZC_PLAINNET_IDW) continue;
            int n = zc_plainnet_candidates(&p, b, c, w, ZC_PLAINNET_MAX_CANDIDATES);
            int outs[9], btls[9];
            int n_out = chan_ref(blk->c_out, outs), n_btl = chan_ref(blk->bottleneck, btls);
            int subs[5], n_sub = 0;
            for (int d = -2; d <= 2; d++)
                if (blk->layers + d > 0) subs[n_sub++] = blk->layers + d;
            CHECK_MSG(n == 12 * n_out * n_btl * n_sub, "%s block %d: %d candidates, want 12 x %d x %d x %d",
                      structs[si], b, n, n_out, n_sub, n_btl);
            int per_type[12] = {0};
            for (int i = 0; i < n; i++) {
                const zc_plainnet_block *x = &c[i];
                int t = (x->k - 3) / 2 * 4 + (x->e == 1 ? 0 : x->e == 2 ? 1 : x->e == 4 ? 2 : 3);
                CHECK(x->kind == ZC_PLAINNET_IDW && t >= 0 && t < 12);
                if (t < 0 || t >= 12) continue;
                per_type[t]++;
                CHECK(w[i] == (t == 0 ? 12 : 13 - t));   /* the official flattened list's multiplicities */
                CHECK(x->c_in == blk->c_in && x->stride == blk->stride);
                CHECK(in_list(x->c_out, outs, n_out) && in_list(x->bottleneck, btls, n_btl) &&
                      in_list(x->layers, subs, n_sub));
                CHECK(x->c_out % 8 == 0 && x->bottleneck % 8 == 0);
            }
            for (int t = 0; t < 12; t++) CHECK(per_type[t] == n_out * n_btl * n_sub);
            /* No duplicates. */
            int dups = 0;
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++) dups += same_block(&c[i], &c[j], 0);
            CHECK(dups == 0);
        }
    }
    /* The initial structure's second block: 12 types x chan(32) (7) x {3, 2, 1} x chan(8) (2). */
    zc_plainnet p = parse_ok(ZC_PLAINNET_INITIAL_STRUCTURE);
    CHECK(zc_plainnet_candidates(&p, 1, c, w, ZC_PLAINNET_MAX_CANDIDATES) == 504);
    CHECK(zc_plainnet_candidates(&p, 9, c, w, ZC_PLAINNET_MAX_CANDIDATES) == -1);
    CHECK(zc_plainnet_candidates(&p, 1, c, w, 10) == -1);
    free(c);
    free(w);
}

static void test_split(void)
{
    zc_plainnet p = parse_ok("SuperConvK3BNRELU(3,16,2,7)SuperResIDWE4K7(16,96,2,64,7)SuperResIDWE2K5(96,128,1,32,6)"
                             "SuperResIDWE1K3(128,64,2,16,5)SuperConvK1BNRELU(64,256,1,1)");
    zc_plainnet q;
    CHECK(zc_plainnet_split(&p, 6, &q) == ZC_OK);
    char buf[ZC_PLAINNET_STR_MAX];
    CHECK(zc_plainnet_format(&q, buf, sizeof buf) == ZC_OK);
    /* MasterNet.split(6): L >= 6 -> 6 // 2 = 3 and 6 - 3 = 3 (the threshold, not L, sets both). */
    const char *want = "SuperConvK3BNRELU(3,16,2,7)SuperResIDWE4K7(16,96,2,64,3)SuperResIDWE4K7(96,96,1,64,3)"
                       "SuperResIDWE2K5(96,128,1,32,3)SuperResIDWE2K5(128,128,1,32,3)SuperResIDWE1K3(128,64,2,16,5)"
                       "SuperConvK1BNRELU(64,256,1,1)";
    CHECK_MSG(!strcmp(buf, want), "split:\n  %s\n  %s", buf, want);
    CHECK(zc_plainnet_split(&p, 6, &p) == ZC_OK && p.n == 7);   /* in place */
}

/* Does the pre-split block x account for child->blocks[j] (and j + 1 when x is split)? Returns the
 * number of child blocks used, 0 if not. C_in is re-chained, so it is not compared. */
static int covers(const zc_plainnet_block *x, const zc_plainnet *child, int j)
{
    if (j >= child->n) return 0;
    const zc_plainnet_block *cb = &child->blocks[j];
    if (x->kind != ZC_PLAINNET_IDW || x->layers < 6) return same_block(x, cb, 1);
    if (j + 1 >= child->n) return 0;
    zc_plainnet_block a = *x, b = *x;
    a.layers = 3;
    b.stride = 1;
    b.layers = 3;
    const zc_plainnet_block *c2 = &child->blocks[j + 1];
    return same_block(&a, cb, 1) && same_block(&b, c2, 1) && c2->c_in == cb->c_out ? 2 : 0;
}

/* Is `child` = split(rechain(parent with at most n_repl blocks replaced by candidates))? */
static int explains(const zc_plainnet *parent, const zc_plainnet *child, int i, int j, int changes, int n_repl,
                    zc_plainnet_block *cands, int max)
{
    if (changes > n_repl) return 0;
    if (i == parent->n) return j == child->n;
    int used = covers(&parent->blocks[i], child, j);
    if (used && explains(parent, child, i + 1, j + used, changes, n_repl, cands, max)) return 1;
    if (changes == n_repl) return 0;
    zc_plainnet_block *cs = cands + (size_t)i * max;
    int n = zc_plainnet_candidates(parent, i, cs, NULL, max);
    for (int k = 0; k < n; k++) {
        used = covers(&cs[k], child, j);
        if (used && explains(parent, child, i + 1, j + used, changes + 1, n_repl, cands, max)) return 1;
    }
    return 0;
}

static void test_mutation(void)
{
    zc_rng rng;
    zc_rng_seed(&rng, 2024, 0);
    enum { POP = 24, DRAWS = 600 };
    zc_plainnet *pop = malloc(POP * sizeof *pop);
    zc_plainnet init = parse_ok(ZC_PLAINNET_INITIAL_STRUCTURE);
    const int max = ZC_PLAINNET_MAX_CANDIDATES;
    zc_plainnet_block *cands = malloc((size_t)ZC_PLAINNET_MAX_BLOCKS * max * sizeof *cands);
    int n_pop = 0, bad = 0, unexplained = 0, changed = 0;
    for (int it = 0; it < DRAWS; it++) {
        const zc_plainnet *parent = n_pop <= 10 ? &init : &pop[zc_rng_below(&rng, (uint64_t)n_pop)];
        int n_repl = n_pop <= 10 ? 1 : 2;
        zc_plainnet child;
        zc_status st = zc_plainnet_mutate(parent, n_repl, &rng, &child);
        CHECK_MSG(st == ZC_OK, "mutate: %s", zc_last_error());
        if (st != ZC_OK) continue;
        /* C_in chains, ranges hold; the stem stays a stride-2 3x3 conv from 3 channels with L = 1, the
         * last block the unchanged 1x1 conv; every IDW block has L <= 5 and widths in multiples of 8. */
        if (zc_plainnet_validate(&child) != ZC_OK) bad++;
        const zc_plainnet_block *first = &child.blocks[0], *last = &child.blocks[child.n - 1];
        if (first->kind != ZC_PLAINNET_CONV || first->k != 3 || first->c_in != 3 || first->stride != 2 ||
            first->layers != 1 || last->kind != ZC_PLAINNET_CONV || last->k != 1 || last->c_out != 2048 ||
            last->layers != 1)
            bad++;
        for (int b = 1; b + 1 < child.n; b++) {
            const zc_plainnet_block *x = &child.blocks[b];
            if (x->kind != ZC_PLAINNET_IDW || x->layers > 5 || x->c_out % 8 || x->bottleneck % 8) bad++;
        }
        int pl = zc_plainnet_layers(parent), cl = zc_plainnet_layers(&child);
        if (cl > pl + 2 * n_repl || child.n > parent->n + n_repl) bad++;
        /* Every changed block is one of the parent block's candidates (exact candidate sets). */
        if (!explains(parent, &child, 0, 0, 0, n_repl, cands, max)) unexplained++;
        char a[ZC_PLAINNET_STR_MAX], b[ZC_PLAINNET_STR_MAX];
        zc_plainnet_format(parent, a, sizeof a);
        zc_plainnet_format(&child, b, sizeof b);
        changed += strcmp(a, b) != 0;
        if (n_pop < POP) pop[n_pop++] = child;
        else pop[zc_rng_below(&rng, POP)] = child;
    }
    CHECK_MSG(bad == 0, "%d mutated structures broke the rules", bad);
    CHECK_MSG(unexplained == 0, "%d mutated structures are not parent + candidate replacements", unexplained);
    CHECK(changed > DRAWS / 2);
    /* Type frequencies: the official weights 12/89 (E1K3) and 2/89 (E6K7) vs uniform 1/12. */
    zc_plainnet one = parse_ok("SuperResIDWE4K5(8,32,2,16,2)");
    for (int uniform = 0; uniform < 2; uniform++) {
        int first = 0, lastt = 0, total = 4000;
        for (int i = 0; i < total; i++) {
            zc_plainnet m;
            CHECK(zc_plainnet_mutate_ex(&one, 1, uniform, &rng, &m) == ZC_OK);
            first += m.blocks[0].e == 1 && m.blocks[0].k == 3;
            lastt += m.blocks[0].e == 6 && m.blocks[0].k == 7;
        }
        double f1 = (double)first / total, f12 = (double)lastt / total;
        if (uniform) CHECK_MSG(f1 > 0.06 && f1 < 0.11 && f12 > 0.06 && f12 < 0.11, "uniform: %g %g", f1, f12);
        else CHECK_MSG(f1 > 0.115 && f1 < 0.155 && f12 > 0.012 && f12 < 0.033, "weighted: %g %g", f1, f12);
    }
    /* Zero replacements: the parent, re-chained and split. */
    zc_plainnet m;
    zc_plainnet_block longb = {ZC_PLAINNET_IDW, 3, 6, 8, 32, 2, 8, 7};
    zc_plainnet lp = init;
    lp.blocks[1] = longb;
    CHECK(zc_plainnet_mutate(&lp, 0, &rng, &m) == ZC_OK && m.n == init.n + 1 && m.blocks[1].layers == 3 &&
          m.blocks[2].layers == 3);
    CHECK(zc_plainnet_mutate(&init, -1, &rng, &m) == ZC_EINVAL);
    free(cands);
    free(pop);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

#define TIMED(f) do { double t0_ = now(); f(); printf("%-28s %.2f s\n", #f, now() - t0_); } while (0)

int main(void)
{
    TIMED(test_round_trips);
    TIMED(test_parse_errors);
    TIMED(test_counter);
    TIMED(test_shapes_224);
    TIMED(test_forward_32);
    TIMED(test_backends_agree);
    TIMED(test_se_ops_gradcheck);
    TIMED(test_smart_round_and_chan);
    TIMED(test_candidates);
    TIMED(test_split);
    TIMED(test_mutation);
    return check_report("test_plainnet");
}
