/* synflow, nwot and zen on small networks with hand-computed answers, plus a driver mode for
 * tests/oracle/oracle_synzen.py.
 *
 *   test_synzen                      the checks below (CTest)
 *   test_synzen zen --arch STR --weights D --x X.npy --x2 X2.npy [--classes 10] [--backend NAME]
 *       NB201 TinyNetwork (C=16, N=5, resolution from X) with the weights of D; prints
 *       zc_zen_net(x, x2) with %.17g. (The zen proxy draws its own init and inputs; this runs its
 *       core on given ones, so that PyTorch can compute the same thing.)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "engine/engine_impl.h"
#include "spaces/nb201/nb201.h"
#include "zcnas/zcnas.h"

static const zc_backend *backends[2];
static int n_backends;

static void set_backends(void)
{
    backends[n_backends++] = zc_backend_get("ref");
    const zc_backend *d = zc_backend_get("dnnl");
    if (d) backends[n_backends++] = d;
}

/* ------------------------------------------------------------------ slogdet */

static void test_log_abs_det(void)
{
    double a[4] = {2, 1, 1, 3};
    CHECK_NEAR(zc_log_abs_det(a, 2), log(5.0), 1e-14);
    double p[4] = {0, 1, 1, 0};   /* needs a row exchange; det -1 */
    CHECK_NEAR(zc_log_abs_det(p, 2), 0.0, 1e-15);
    double neg[9] = {0, 2, 0, 3, 0, 0, 0, 0, -5};   /* det = -(2*3)*(-5) = 30 */
    CHECK_NEAR(zc_log_abs_det(neg, 3), log(30.0), 1e-14);
    double sing[9] = {1, 2, 3, 2, 4, 6, 1, 1, 1};
    CHECK(zc_log_abs_det(sing, 3) == -INFINITY);
    double same[4] = {7, 7, 7, 7};
    CHECK(zc_log_abs_det(same, 2) == -INFINITY);
    double nan_m[4] = {1, NAN, 0, 1};
    CHECK(isnan(zc_log_abs_det(nan_m, 2)));
    /* A 6x6 with a known determinant: L U with unit-diagonal L and U diagonal 1..6 -> 720. */
    double L[36] = {0}, U[36] = {0}, A[36];
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            L[i * 6 + j] = i == j ? 1.0 : (j < i ? 0.5 * (i - j) - 1.25 : 0.0);
            U[i * 6 + j] = i == j ? (double)(i + 1) : (j > i ? 0.3 * (j + i) - 1.0 : 0.0);
        }
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            double s = 0;
            for (int k = 0; k < 6; k++) s += L[i * 6 + k] * U[k * 6 + j];
            A[i * 6 + j] = s;
        }
    CHECK_NEAR(zc_log_abs_det(A, 6), log(720.0), 1e-12);
}

/* ------------------------------------------------------------------ nwot */

/* x (1 x 1 x 4) -> two ReLU modules on x (merged into one node) -> add -> GAP -> linear. Codes of
 * the three samples: 1010, 1100, 0011 (0 is not > 0): agreements 2, 2, 0 off the diagonal, 4 on
 * it, each ReLU module counted: K = 2 [[4,2,2],[2,4,0],[2,0,4]], det = 8 * 32 = 256. */
static void test_nwot_hand(void)
{
    for (int bi = 0; bi < n_backends; bi++) {
        zc_net *net = zc_net_new(1, 1, 4);
        int ra = zc_net_relu(net, 0), rb = zc_net_relu(net, 0);
        int sum[2] = {ra, rb};
        int s = zc_net_add(net, 2, sum);
        int g = zc_net_gap(net, s);
        int o = zc_net_linear(net, g, "fc", 2, 1);
        CHECK(o > 0 && zc_net_finish(net, o) == ZC_OK);
        CHECK(net->nodes[ra].merged == 2 && net->nodes[rb].merged == 0);
        zc_net_set_backend(net, backends[bi]);
        zc_rng r;
        zc_rng_seed(&r, 1, 2);
        zc_net_init_default(net, &r);
        float x[12] = {1, -1, 2, 0, 1, 1, -3, -1, -1, -2, 5, 4};
        zc_batch b = {.n = 3, .c = 1, .h = 1, .w = 4, .x = x, .y = NULL};
        double score = 0;
        CHECK(zc_nwot_net(net, &b, 1, &score) == ZC_OK);
        CHECK_NEAR(score, log(256.0), 1e-12);
        CHECK(zc_nwot_net(net, &b, 0, &score) == ZC_OK);   /* no ReLUConvBN here: the same */
        CHECK_NEAR(score, log(256.0), 1e-12);
        /* Identical codes for every sample: K has equal rows, ln|det| = -inf (numpy: -inf too). */
        float y[12] = {1, -1, 2, 0, 3, -2, 1, -7, 2, 0, 9, 0};
        zc_batch b2 = {.n = 3, .c = 1, .h = 1, .w = 4, .x = y, .y = NULL};
        CHECK(zc_nwot_net(net, &b2, 1, &score) == ZC_OK);
        CHECK(score == -INFINITY);
        zc_batch bad = {.n = 3, .c = 2, .h = 1, .w = 4, .x = x, .y = NULL};
        CHECK(zc_nwot_net(net, &bad, 1, &score) == ZC_EINVAL);
        zc_net_free(net);
    }
}

/* The code packing across word boundaries: D = 130 units, B = 4 random samples, against a plain
 * count of agreements. */
static void test_nwot_wide(void)
{
    const int B = 4, D = 130;
    zc_net *net = zc_net_new(2, 5, 13);
    int r = zc_net_relu(net, 0);
    int g = zc_net_gap(net, r);
    int o = zc_net_linear(net, g, "fc", 1, 0);
    CHECK(zc_net_finish(net, o) == ZC_OK);
    zc_net_set_backend(net, zc_backend_get("ref"));
    zc_rng rng;
    zc_rng_seed(&rng, 3, 4);
    zc_net_init_default(net, &rng);
    float x[4 * 130];
    for (int i = 0; i < B * D; i++) x[i] = (float)zc_rng_normal(&rng);
    double K[16];
    for (int i = 0; i < B; i++)
        for (int j = 0; j < B; j++) {
            int agree = 0;
            for (int u = 0; u < D; u++) agree += (x[i * D + u] > 0) == (x[j * D + u] > 0);
            K[i * B + j] = agree;
        }
    double expect = zc_log_abs_det(K, B), score = 0;
    zc_batch b = {.n = B, .c = 2, .h = 5, .w = 13, .x = x, .y = NULL};
    CHECK(zc_nwot_net(net, &b, 1, &score) == ZC_OK);
    CHECK_NEAR(score, expect, 1e-12);
    zc_net_free(net);
}

/* ReLU -> conv -> BN as xautodl's ReLUConvBN: the official hooks (every type name containing 'ReLU')
 * see its input twice (the builder says so with zc_net_set_relu_modules), so K doubles: ln|det| grows
 * by B ln 2 over counting the ReLU once. Without the builder's word (NAS-Bench-101's ConvBnRelu, whose
 * name has 'Relu') the ReLU counts once either way. */
static void test_nwot_relu_conv_bn(void)
{
    for (int bi = 0; bi < 2 * n_backends; bi++) {
        int wrapped = bi < n_backends;
        zc_net *net = zc_net_new(1, 1, 4);
        int r = zc_net_relu(net, 0);
        if (wrapped) zc_net_set_relu_modules(net, r, 2);
        int c = zc_net_conv2d(net, r, "conv", 2, 1, 1, 0, 1, 0);
        int bn = zc_net_batchnorm(net, c, "bn", 1e-5f, 1, 1);
        int o = zc_net_linear(net, zc_net_gap(net, bn), "fc", 2, 1);
        CHECK(zc_net_finish(net, o) == ZC_OK);
        zc_net_set_backend(net, backends[bi % n_backends]);
        zc_rng rng;
        zc_rng_seed(&rng, 1, 2);
        zc_net_init_default(net, &rng);
        float x[12] = {1, -1, 2, 0, 1, 1, -3, -1, -1, -2, 5, 4};
        zc_batch b = {.n = 3, .c = 1, .h = 1, .w = 4, .x = x, .y = NULL};
        double once = 0, twice = 0;
        CHECK(zc_nwot_net(net, &b, 0, &once) == ZC_OK);
        CHECK(zc_nwot_net(net, &b, 1, &twice) == ZC_OK);
        CHECK_NEAR(once, log(32.0), 1e-12);
        CHECK_NEAR(twice, wrapped ? log(256.0) : log(32.0), 1e-12);
        zc_net_free(net);
    }
}

/* ------------------------------------------------------------------ synflow */

/* ones(1x1x2x2) -> conv 1x1 (w = -2) -> BN -> ReLU -> GAP -> linear (w = -3, b = 0.5).
 * |w|: feature 2, R = 3*2 + 0.5; dR/dw_lin = 2 -> 6; dR/dw_conv = sum_p 3/4 = 3 -> 6. Total 12.
 * (BN would map the constant map to 0: it must be the identity.) */
static void test_synflow_hand(void)
{
    zc_net *net = zc_net_new(1, 2, 2);
    int c = zc_net_conv2d(net, 0, "conv", 1, 1, 1, 0, 1, 0);
    int bn = zc_net_batchnorm(net, c, "bn", 1e-5f, 1, 1);
    int r = zc_net_relu(net, bn);
    int g = zc_net_gap(net, r);
    int o = zc_net_linear(net, g, "fc", 1, 1);
    CHECK(zc_net_finish(net, o) == ZC_OK);
    CHECK(zc_net_init_constant(net, 0.0f) == ZC_OK);   /* storage for the values set below */
    net->params[zc_net_find_param(net, "conv.weight")].data[0] = -2.0f;
    net->params[zc_net_find_param(net, "bn.weight")].data[0] = -4.0f;   /* ignored: BN is the identity */
    net->params[zc_net_find_param(net, "bn.bias")].data[0] = 100.0f;
    net->params[zc_net_find_param(net, "fc.weight")].data[0] = -3.0f;
    net->params[zc_net_find_param(net, "fc.bias")].data[0] = 0.5f;
    double s = 0;
    CHECK(zc_synflow_net(net, &s) == ZC_OK);
    CHECK_NEAR(s, 12.0, 1e-12);
    CHECK(net->params[zc_net_find_param(net, "conv.weight")].data[0] == -2.0f);   /* not modified */
    zc_net_free(net);
}

/* A net without BN (grouped strided conv with bias, avg pools of both divisor rules, 'none', a sum,
 * two merged ReLUs) whose values stay small: synflow from the float32 engine (reference backend:
 * forward and backward of ones on |parameters|, sum of |W * dR/dW| over conv/linear weights) must
 * agree with the float64 evaluator to float32 accuracy. */
static void test_synflow_vs_engine(void)
{
    zc_net *net = zc_net_new(4, 7, 7);
    int c1 = zc_net_conv2d(net, 0, "c1", 6, 3, 2, 1, 2, 1);           /* 6 x 4 x 4, groups 2 */
    int p1 = zc_net_avgpool(net, c1, 3, 1, 1, 0);
    int p2 = zc_net_avgpool(net, c1, 2, 1, 1, 1);                      /* 6 x 5 x 5 */
    int r1 = zc_net_relu(net, p1), r2 = zc_net_relu(net, p1);
    int z = zc_net_zero(net, r2);
    int sum[3] = {r1, z, r2};
    int a = zc_net_add(net, 3, sum);
    int c2 = zc_net_conv2d(net, a, "c2", 3, 1, 1, 0, 1, 0);
    int c3 = zc_net_conv2d(net, p2, "c3", 3, 2, 1, 0, 3, 0);          /* depthwise-style groups 3 */
    int g2 = zc_net_gap(net, c2), g3 = zc_net_gap(net, c3);
    int s2[2] = {g2, g3};
    int gs = zc_net_add(net, 2, s2);
    int o = zc_net_linear(net, gs, "fc", 5, 1);
    CHECK(o > 0 && zc_net_finish(net, o) == ZC_OK);
    zc_rng rng;
    zc_rng_seed(&rng, 11, 12);
    zc_net_init_default(net, &rng);
    for (int i = 0; i < net->n_params; i++) {   /* signed values: synflow takes |.| itself */
        zc_param *p = &net->params[i];
        for (size_t j = 0; j < p->numel; j++) p->data[j] = (float)(zc_rng_double(&rng) * 2.0 - 1.0);
    }
    double s64 = 0;
    CHECK(zc_synflow_net(net, &s64) == ZC_OK);
    /* the float32 engine on |parameters| */
    for (int i = 0; i < net->n_params; i++)
        for (size_t j = 0; j < net->params[i].numel; j++) net->params[i].data[j] = fabsf(net->params[i].data[j]);
    zc_net_set_backend(net, zc_backend_get("ref"));
    float ones[4 * 7 * 7];
    for (int i = 0; i < 4 * 7 * 7; i++) ones[i] = 1.0f;
    CHECK(zc_net_forward(net, ones, 1, ZC_RUN_TRAIN) == ZC_OK);
    float dout[5] = {1, 1, 1, 1, 1};
    CHECK(zc_net_backward(net, dout) == ZC_OK);
    double s32 = 0;
    for (int i = 0; i < net->n_params; i++) {
        const zc_param *p = &net->params[i];
        if (p->role != ZC_PARAM_WEIGHT) continue;
        for (size_t j = 0; j < p->numel; j++) s32 += fabs((double)p->data[j] * p->grad[j]);
    }
    CHECK_MSG(fabs(s64 - s32) <= 1e-5 * fabs(s32) && s32 > 0, "float64 %.17g vs float32 engine %.17g", s64, s32);
    zc_net_free(net);
}

/* ------------------------------------------------------------------ zen */

/* x (2 x 1 x 2 x 2) -> BN (gamma 1, beta 0) -> ReLU -> GAP -> linear, by the formula. */
static void test_zen_hand(void)
{
    const float x[8] = {0.5f, -1.0f, 2.0f, 0.25f, -0.75f, 1.5f, 0.0f, -2.0f};
    const float e[8] = {1.0f, -2.0f, 0.5f, 3.0f, -1.0f, 0.25f, 2.0f, -0.5f};
    float x2[8];
    for (int i = 0; i < 8; i++) x2[i] = x[i] + 0.01f * e[i];
    double f[2][8], v[2];
    for (int k = 0; k < 2; k++) {
        const float *in = k ? x2 : x;
        double m = 0, ss = 0;
        for (int i = 0; i < 8; i++) m += in[i];
        m /= 8;
        for (int i = 0; i < 8; i++) ss += (in[i] - m) * (in[i] - m);
        double var = ss / 8;
        v[k] = ss / 7;   /* unbiased, for running_var */
        for (int i = 0; i < 8; i++) { double y = (in[i] - m) / sqrt(var + 1e-5); f[k][i] = y > 0 ? y : 0; }
    }
    double delta = 0;
    for (int i = 0; i < 8; i++) delta += fabs(f[0][i] - f[1][i]);
    delta /= 2;
    double rv = 0.9 * (0.9 * 1.0 + 0.1 * v[0]) + 0.1 * v[1];
    double expect = log(delta) + log(sqrt(rv));
    for (int bi = 0; bi < n_backends; bi++) {
        zc_net *net = zc_net_new(1, 2, 2);
        int bn = zc_net_batchnorm(net, 0, "bn", 1e-5f, 1, 1);
        int r = zc_net_relu(net, bn);
        int g = zc_net_gap(net, r);
        int o = zc_net_linear(net, g, "fc", 3, 1);
        CHECK(zc_net_finish(net, o) == ZC_OK);
        zc_net_set_backend(net, backends[bi]);
        zc_rng rng;
        zc_rng_seed(&rng, 5, 6);
        zc_net_init_gaussian(net, &rng);
        double s = 0;
        CHECK(zc_zen_net(net, x, x2, 2, &s) == ZC_OK);
        CHECK_MSG(fabs(s - expect) <= 1e-4, "%s: zen %.17g vs %.17g", zc_backend_name(backends[bi]), s, expect);
        zc_net_free(net);
    }
    /* A BN without running stats is not counted (PyTorch has no running_var for it). */
    zc_net *net = zc_net_new(1, 2, 2);
    int bn = zc_net_batchnorm(net, 0, "bn", 1e-5f, 1, 0);
    int g = zc_net_gap(net, zc_net_relu(net, bn));
    CHECK(zc_net_finish(net, zc_net_linear(net, g, "fc", 1, 1)) == ZC_OK);
    zc_net_set_backend(net, zc_backend_get("ref"));
    zc_rng rng;
    zc_rng_seed(&rng, 5, 6);
    zc_net_init_gaussian(net, &rng);
    double s = 0;
    CHECK(zc_zen_net(net, x, x2, 2, &s) == ZC_OK);
    CHECK_NEAR(s, log(delta), 1e-4);
    /* No global pooling: not supported. */
    zc_net *flat = zc_net_new(1, 2, 2);
    CHECK(zc_net_finish(flat, zc_net_linear(flat, 0, "fc", 1, 1)) == ZC_OK);
    CHECK(zc_zen_net(flat, x, x2, 2, &s) == ZC_EUNSUPPORTED);
    zc_net_free(flat);
    zc_net_free(net);
}

/* ------------------------------------------------------------------ the proxies' wiring */

static zc_net *build_nb201(const void *arch, int classes, int trs, int shapes_only)
{
    zc_nb201_config cfg = zc_nb201_default_config(classes, 8);
    cfg.track_running_stats = trs;
    cfg.shapes_only = shapes_only;
    return zc_nb201_build(arch, &cfg);
}

static void test_proxy_wiring(void)
{
    zc_nb201_arch arch;
    CHECK(zc_nb201_parse("|avg_pool_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|skip_connect~1|nor_conv_1x1~2|", &arch) == ZC_OK);
    zc_proxy_opts opts;
    zc_proxy_opts_default(&opts);
    opts.backend = zc_backend_get("ref");
    /* NB201 at 8x8 through its space (no benchmark table needed: the stream is given). */
    zc_space_config cfg = {.num_classes = 10, .resolution = 8};
    zc_space_ctx *space = NULL;
    CHECK(zc_space_open(zc_space_find("nb201"), &cfg, &space) == ZC_OK);
    zc_proxy_input in = {.space = space, .arch = &arch, .seed = 7, .stream = 123};
    /* zen: Gaussian init from (seed, stream), then x, then eps from the same stream; batch 64. */
    const zc_proxy *zen = zc_proxy_find("zen");
    CHECK(zen && zen->data.input == ZC_INPUT_GAUSSIAN && zen->init == ZC_INIT_GAUSSIAN);
    double s_proxy = 0, s_core = 1;
    CHECK(zen->score(&in, &opts, &s_proxy) == ZC_OK);
    zc_net *net = build_nb201(&arch, 10, 1, 0);
    zc_net_set_backend(net, zc_backend_get("ref"));
    zc_rng rng;
    zc_rng_seed(&rng, 7, 123);
    zc_net_init_gaussian(net, &rng);
    size_t n = (size_t)64 * 3 * 8 * 8;
    float *x = malloc(n * sizeof *x), *x2 = malloc(n * sizeof *x2);
    for (size_t j = 0; j < n; j++) x[j] = (float)zc_rng_normal(&rng);
    for (size_t j = 0; j < n; j++) x2[j] = x[j] + 0.01f * (float)zc_rng_normal(&rng);
    CHECK(zc_zen_net(net, x, x2, 64, &s_core) == ZC_OK);
    CHECK_MSG(s_proxy == s_core && isfinite(s_proxy), "zen proxy %.17g vs core %.17g", s_proxy, s_core);
    double s_zen = s_proxy;
    /* every backend agrees (float32 rounding only) */
    for (int bi = 1; bi < n_backends; bi++) {
        zc_proxy_opts o2 = opts;
        o2.backend = backends[bi];
        double s = 0;
        CHECK(zen->score(&in, &o2, &s) == ZC_OK);
        CHECK_MSG(fabs(s - s_proxy) <= 1e-3, "zen on %s %.17g vs ref %.17g", zc_backend_name(backends[bi]), s, s_proxy);
    }
    /* synflow: the default init from (seed, stream). */
    const zc_proxy *syn = zc_proxy_find("synflow");
    CHECK(syn && syn->data.input == ZC_INPUT_ONES && syn->init == ZC_INIT_DEFAULT);
    CHECK(syn->score(&in, &opts, &s_proxy) == ZC_OK);
    zc_net *net2 = build_nb201(&arch, 10, 1, 0);
    zc_rng_seed(&rng, 7, 123);
    zc_net_init_default(net2, &rng);
    CHECK(zc_synflow_net(net2, &s_core) == ZC_OK);
    CHECK(s_proxy == s_core && s_core > 0);
    /* nwot: needs its batch. */
    const zc_proxy *nw = zc_proxy_find("nwot");
    CHECK(nw && nw->data.input == ZC_INPUT_IMAGES && !strcmp(nw->data.lane, "nwot"));
    CHECK(nw->score(&in, &opts, &s_proxy) == ZC_EINVAL);
    float *imgs = malloc((size_t)16 * 3 * 8 * 8 * sizeof *imgs);
    for (size_t j = 0; j < (size_t)16 * 3 * 8 * 8; j++) imgs[j] = (float)zc_rng_normal(&rng);
    zc_batch b = {.n = 16, .c = 3, .h = 8, .w = 8, .x = imgs, .y = NULL};
    in.batches = &b;
    in.n_batches = 1;
    CHECK(nw->score(&in, &opts, &s_proxy) == ZC_OK);
    zc_net *net3 = build_nb201(&arch, 10, 1, 0);
    zc_net_set_backend(net3, zc_backend_get("ref"));
    zc_rng_seed(&rng, 7, 123);
    zc_net_init_default(net3, &rng);
    CHECK(zc_nwot_net(net3, &b, 1, &s_core) == ZC_OK);
    CHECK(s_proxy == s_core && isfinite(s_core));
    /* zen's batch is fixed: a batch handed to it changes nothing */
    double s_zen2 = 0;
    CHECK(zen->score(&in, &opts, &s_zen2) == ZC_OK);
    CHECK(s_zen2 == s_zen);
    free(imgs);
    free(x); free(x2);
    zc_net_free(net); zc_net_free(net2); zc_net_free(net3);
    zc_space_close(space);
}

/* ------------------------------------------------------------------ driver for the oracle */

static int zen_driver(int argc, char **argv)
{
    const char *arch_s = NULL, *wdir = NULL, *xp = NULL, *x2p = NULL, *backend = NULL;
    int classes = 10;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--arch")) arch_s = argv[i + 1];
        else if (!strcmp(argv[i], "--weights")) wdir = argv[i + 1];
        else if (!strcmp(argv[i], "--x")) xp = argv[i + 1];
        else if (!strcmp(argv[i], "--x2")) x2p = argv[i + 1];
        else if (!strcmp(argv[i], "--backend")) backend = argv[i + 1];
        else if (!strcmp(argv[i], "--classes")) classes = atoi(argv[i + 1]);
        else { fprintf(stderr, "test_synzen zen: unknown option %s\n", argv[i]); return 2; }
    }
    if (!arch_s || !wdir || !xp || !x2p) { fprintf(stderr, "test_synzen zen: --arch --weights --x --x2 needed\n"); return 2; }
    zc_nb201_arch arch;
    float *x = NULL, *x2 = NULL;
    int nd, nd2, sh[ZC_NPY_MAX_DIMS], sh2[ZC_NPY_MAX_DIMS];
    if (zc_nb201_parse(arch_s, &arch) != ZC_OK || zc_npy_read_f32(xp, &x, &nd, sh) != ZC_OK ||
        zc_npy_read_f32(x2p, &x2, &nd2, sh2) != ZC_OK) {
        fprintf(stderr, "test_synzen zen: %s\n", zc_last_error());
        return 1;
    }
    if (nd != 4 || nd2 != 4 || memcmp(sh, sh2, 4 * sizeof *sh) || sh[1] != 3 || sh[2] != sh[3]) {
        fprintf(stderr, "test_synzen zen: x and x2 must both be N x 3 x R x R\n");
        return 1;
    }
    zc_nb201_config cfg = zc_nb201_default_config(classes, sh[2]);
    zc_net *net = zc_nb201_build(&arch, &cfg);
    int rc = 1;
    double s = 0;
    if (net && backend) {
        const zc_backend *b = zc_backend_get(backend);
        if (b) zc_net_set_backend(net, b);
        else net = (zc_net_free(net), NULL);
    }
    if (net && zc_net_load_weights(net, wdir) == ZC_OK && zc_zen_net(net, x, x2, sh[0], &s) == ZC_OK) {
        printf("%.17g\n", s);
        rc = 0;
    } else {
        fprintf(stderr, "test_synzen zen: %s\n", zc_last_error());
    }
    zc_net_free(net);
    free(x); free(x2);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "zen")) return zen_driver(argc, argv);
    set_backends();
    test_log_abs_det();
    test_nwot_hand();
    test_nwot_wide();
    test_nwot_relu_conv_bn();
    test_synflow_hand();
    test_synflow_vs_engine();
    test_zen_hand();
    test_proxy_wiring();
    return check_report("test_synzen");
}
