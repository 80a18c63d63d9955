/* The building blocks of recurrent networks outside the gradient check (test_gradcheck.c checks their
 * backward passes against finite differences): token ids that are not ids, initial states and the
 * init functions, per-parameter init rules, the builders' argument errors, the moves between a
 * sequence and its steps against hand-computed values, a shared weight's gradient against the sum of
 * the per-step gradients of the same network built with one weight per step, and the two backends
 * against each other. Everything runs on "ref" and, when built, on "dnnl"; values that do not depend
 * on a backend's arithmetic must be bit-identical, computed ones agree within 1e-5. Public API only.
 * Optional argv[1]: another seed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "zcnas/zcnas.h"

static zc_rng rng;
static const zc_backend *backends[2];
static int n_backends;

static const char *bname(int b) { return zc_backend_name(backends[b]); }

static float max_abs(const float *v, size_t n)
{
    float m = 0;
    for (size_t i = 0; i < n; i++) m = fmaxf(m, fabsf(v[i]));
    return m;
}

/* sqrt(sum (a - b)^2 / sum b^2): the backends' agreement. */
static double rel_diff(const float *a, const float *b, size_t n)
{
    double d = 0, r = 0;
    for (size_t i = 0; i < n; i++) { d += ((double)a[i] - b[i]) * ((double)a[i] - b[i]); r += (double)b[i] * b[i]; }
    return sqrt(d / (r > 1e-30 ? r : 1e-30));
}

static size_t param_numel(const zc_net *net, int p)
{
    zc_param_info pi;
    zc_net_param_info(net, p, &pi);
    return pi.numel;
}

/* ---------------------------------------------------------------- embedding: ids that are not ids */

/* ids (batch 2 x 3 steps) into an embedding of vocabulary 6 and dimension 2 whose row i is
 * (10 i, 10 i + 1): a bad id at position `pos` fails the forward pass with ZC_EDATA and a message
 * naming the module, in both run modes; the net then still runs on good ids. */
static void embedding_ids(int b)
{
    const float bad[] = {6.0f, 1000.0f, 16777216.0f, -1.0f, -0.5f, 1.5f, 0.25f, 5.000001f, NAN, -NAN, INFINITY, -INFINITY};
    const int nbad = (int)(sizeof bad / sizeof bad[0]);
    zc_net *net = zc_net_new_tiled(1, 1, 1, 3);
    int e = zc_net_embedding(net, 0, "encoder", 6, 2);
    int u = zc_net_untile(net, e);
    CHECK(e > 0 && u > 0);
    CHECK(zc_net_finish(net, u) == ZC_OK);
    zc_net_set_backend(net, backends[b]);
    float w[12];
    for (int i = 0; i < 6; i++) { w[2 * i] = 10.0f * i; w[2 * i + 1] = 10.0f * i + 1; }
    CHECK(zc_net_param_write(net, 0, w) == ZC_OK);
    for (int k = 0; k < nbad; k++)
        for (int pos = 0; pos < 6; pos += 5) {   /* the first and the last id of the batch */
            for (int mode = 0; mode < 2; mode++) {
                float ids[6] = {0, 1, 2, 3, 4, 5};
                ids[pos] = bad[k];
                zc_clear_error();
                zc_status st = zc_net_forward(net, ids, 2, mode ? ZC_RUN_TRAIN : ZC_RUN_INFER);
                const char *msg = zc_last_error();
                CHECK_MSG(st == ZC_EDATA, "[%s] id %g at %d: status %d (%s)", bname(b), (double)bad[k], pos, (int)st, msg);
                CHECK_MSG(strstr(msg, "encoder") != NULL, "[%s] id %g: message '%s' does not name the module", bname(b),
                          (double)bad[k], msg);
            }
        }
    /* Good ids, the extremes 0 and vocab - 1 and -0.0 among them: rows of the weight, sample-major,
     * step by step. */
    float ids[6] = {5, 0, -0.0f, 3, 3, 1};
    CHECK_MSG(zc_net_forward(net, ids, 2, ZC_RUN_TRAIN) == ZC_OK, "[%s] good ids after bad ones: %s", bname(b), zc_last_error());
    const float *out = zc_net_output(net, NULL, NULL);
    const int row[6] = {5, 0, 0, 3, 3, 1};
    for (int i = 0; out && i < 6; i++) {
        CHECK_MSG(out[2 * i] == 10.0f * row[i] && out[2 * i + 1] == 10.0f * row[i] + 1, "[%s] position %d: %g %g for id %d",
                  bname(b), i, out[2 * i], out[2 * i + 1], row[i]);
    }
    /* Its gradient: rows scatter-added (id 3 twice), untouched rows 0 (2 and 4). */
    float r[12];
    for (int i = 0; i < 12; i++) r[i] = (float)(i + 1);
    CHECK(zc_net_backward(net, r) == ZC_OK);
    const float *g = zc_net_param_grad(net, 0);
    const float want[12] = {3 + 5, 4 + 6, 11, 12, 0, 0, 7 + 9, 8 + 10, 0, 0, 1, 2};
    for (int i = 0; g && i < 12; i++) CHECK_MSG(g[i] == want[i], "[%s] d weight[%d] = %g, want %g", bname(b), i, g[i], want[i]);
    zc_net_free(net);

    /* The ids have no gradient: with the input's gradient requested it is absent or 0 (never left
     * undefined), here with the ids read by the embedding directly and through a step. */
    for (int via_step = 0; via_step < 2; via_step++) {
        net = zc_net_new_tiled(1, 1, 1, 3);
        int x = via_step ? zc_net_step(net, 0, 1) : 0;
        e = zc_net_embedding(net, x, "encoder", 6, 2);
        int o = via_step ? e : zc_net_untile(net, e);
        CHECK(zc_net_finish(net, o) == ZC_OK);
        zc_net_need_input_grad(net, 1);
        zc_net_set_backend(net, backends[b]);
        CHECK(zc_net_param_write(net, 0, w) == ZC_OK);
        int dim;
        /* Run twice: the second backward's buffers may reuse freed memory holding the first's values. */
        for (int rep = 0; rep < 2; rep++) {
            CHECK(zc_net_forward(net, ids, 2, ZC_RUN_TRAIN) == ZC_OK);
            zc_net_output(net, NULL, &dim);
            float dout[12], dx[6];
            for (int i = 0; i < 2 * dim; i++) dout[i] = 1e3f * (float)(i + 1);
            CHECK(zc_net_backward(net, dout) == ZC_OK);
            if (zc_net_has_buffer(net, 0, 1)) {
                CHECK(zc_net_read(net, 0, 1, dx) == ZC_OK);
                CHECK_MSG(max_abs(dx, 6) == 0.0f, "[%s] ids%s: input gradient %g %g %g %g %g %g", bname(b),
                          via_step ? " through a step" : "", dx[0], dx[1], dx[2], dx[3], dx[4], dx[5]);
            }
        }
        zc_net_free(net);
    }
}

/* ---------------------------------------------------------------- initial states */

/* out = untile(stack(state, x)): per sample (v, v, v, x0, x1, x2) with v the state's value. */
static void states(int b)
{
    zc_net *net = zc_net_new(3, 1, 1);
    int s = zc_net_state(net, 3);
    int xs[2] = {s, 0};
    int o = zc_net_untile(net, zc_net_stack(net, 2, xs));
    CHECK(s > 0 && o > 0);
    CHECK(zc_net_finish(net, o) == ZC_OK);
    zc_net_need_input_grad(net, 1);
    zc_net_set_backend(net, backends[b]);
    const float x[6] = {1, -2, 3, 0.5f, 7, -8};
    struct { int how; float value; float want; } steps[] = {
        {0, 0, 0.0f}, {1, 0.7f, 0.7f}, {2, 0, 0.0f}, {1, -2.5f, -2.5f}, {0, 0, 0.0f}, {1, 0.0f, 0.0f}, {1, 3.0f, 3.0f}, {2, 0, 0.0f},
    };
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        zc_rng r;
        zc_rng_seed(&r, 1, 0);
        zc_status st = steps[k].how == 0 ? zc_net_init_default(net, &r) : steps[k].how == 1 ? zc_net_init_constant(net, steps[k].value)
                                                                            : zc_net_init_gaussian(net, &r);
        CHECK(st == ZC_OK);
        CHECK(zc_net_forward(net, x, 2, ZC_RUN_TRAIN) == ZC_OK);
        const float *out = zc_net_output(net, NULL, NULL);
        for (int n = 0; out && n < 2; n++)
            for (int i = 0; i < 6; i++) {
                float want = i < 3 ? steps[k].want : x[n * 3 + i - 3];
                CHECK_MSG(out[n * 6 + i] == want, "[%s] init %zu: out[%d][%d] = %g, want %g", bname(b), k, n, i, out[n * 6 + i], want);
            }
        /* The state is a constant: the input's gradient is its slice of dout, nothing else changes. */
        float dout[12], dx[6];
        for (int i = 0; i < 12; i++) dout[i] = (float)(i + 1);
        CHECK(zc_net_backward(net, dout) == ZC_OK);
        CHECK(zc_net_read(net, 0, 1, dx) == ZC_OK);
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 3; i++) CHECK(dx[n * 3 + i] == dout[n * 6 + 3 + i]);
    }
    /* A state feeding a product: x * v. */
    zc_net_free(net);
    net = zc_net_new(3, 1, 1);
    CHECK(zc_net_finish(net, zc_net_mul(net, 0, zc_net_state(net, 3))) == ZC_OK);
    zc_net_set_backend(net, backends[b]);
    CHECK(zc_net_init_constant(net, -1.5f) == ZC_OK);
    CHECK(zc_net_forward(net, x, 2, ZC_RUN_INFER) == ZC_OK);
    const float *out = zc_net_output(net, NULL, NULL);
    for (int i = 0; out && i < 6; i++) CHECK(out[i] == -1.5f * x[i]);
    zc_net_free(net);
    /* Bad sizes. */
    net = zc_net_new(3, 1, 1);
    CHECK(zc_net_state(net, 0) < 0);
    CHECK(zc_net_state(net, -2) < 0);
    zc_net_free(net);
}

/* ---------------------------------------------------------------- per-parameter init rules */

/* An embedding (vocab 40, dim 5) and three linears on it:
 *   a: weight U(-0.05, 0.05) and bias zeros (bound 0), both ZC_CONST_ALL;
 *   b: the default rules (weight explicitly set back to bound -1), bound 1/sqrt(5) for both;
 *   c: shared-parameter linear (zc_net_param) with default rules: its bias's fan-in is its weight's;
 *   the embedding: U(-0.1, 0.1), ZC_CONST_UNIFORM01.
 * Returns the values after init_default, init_constant(0.5), init_constant(3) concatenated. */
static float *init_rules(int b, size_t *total)
{
    zc_net *net = zc_net_new(1, 1, 1);
    int e = zc_net_embedding(net, 0, "encoder", 40, 5);
    int aw = zc_net_param(net, "a.weight", ZC_PARAM_WEIGHT, 60, 5), ab = zc_net_param(net, "a.bias", ZC_PARAM_BIAS, 60, 0);
    int la = zc_net_linear_with(net, e, aw, ab);
    int lb = zc_net_linear(net, e, "b", 60, 1);
    int cw = zc_net_param(net, "c.weight", ZC_PARAM_WEIGHT, 60, 5), cb = zc_net_param(net, "c.bias", ZC_PARAM_BIAS, 60, 0);
    int lc = zc_net_linear_with(net, e, cw, cb);
    int parts[3] = {la, lb, lc};
    CHECK(zc_net_finish(net, zc_net_concat(net, 3, parts)) == ZC_OK);
    int ew = zc_net_find_param(net, "encoder.weight"), bw = zc_net_find_param(net, "b.weight"), bb = zc_net_find_param(net, "b.bias");
    CHECK(ew >= 0 && bw >= 0 && bb >= 0);
    zc_net_set_param_init(net, aw, 0.05f, ZC_CONST_ALL);
    zc_net_set_param_init(net, ab, 0.0f, ZC_CONST_ALL);
    zc_net_set_param_init(net, ew, 0.1f, ZC_CONST_UNIFORM01);
    zc_net_set_param_init(net, bw, 0.2f, ZC_CONST_ALL);   /* overridden just below: back to the defaults */
    zc_net_set_param_init(net, bw, -1.0f, ZC_CONST_WEIGHTS);
    zc_net_set_param_init(net, -1, 1.0f, ZC_CONST_ALL);    /* no such parameter: ignored */
    zc_net_set_param_init(net, zc_net_num_params(net), 1.0f, ZC_CONST_ALL);
    zc_net_set_backend(net, backends[b]);
    int np = zc_net_num_params(net);
    CHECK(np == 7);
    *total = 0;
    for (int p = 0; p < np; p++) *total += 3 * param_numel(net, p);
    float *all = malloc(*total * sizeof *all), *dst = all;
    const double fan5 = 1.0 / sqrt(5.0);
    zc_rng r;
    zc_rng_seed(&r, 99, 0);
    CHECK(zc_net_init_default(net, &r) == ZC_OK);
    {
        const float *v;
        size_t n;
#define VIEW(p) (v = zc_net_param_data(net, p), n = param_numel(net, p), v)
        if (VIEW(aw)) {
            CHECK_MSG(max_abs(v, n) <= 0.05f && max_abs(v, n) > 0.04f, "[%s] a.weight max |v| %g (bound 0.05)", bname(b), max_abs(v, n));
        }
        if (VIEW(ab)) CHECK_MSG(max_abs(v, n) == 0.0f, "[%s] a.bias (bound 0) max |v| %g", bname(b), max_abs(v, n));
        if (VIEW(ew)) {
            CHECK_MSG(max_abs(v, n) <= 0.1f && max_abs(v, n) > 0.08f, "[%s] embedding max |v| %g (bound 0.1)", bname(b), max_abs(v, n));
            int neg = 0;
            for (size_t i = 0; i < n; i++) neg += v[i] < 0;
            CHECK_MSG(neg > 50 && neg < 150, "[%s] embedding: %d of 200 values negative", bname(b), neg);
        }
        const int dflt[4] = {bw, bb, cw, cb};
        for (int k = 0; k < 4; k++)
            if (VIEW(dflt[k])) {
                CHECK_MSG(max_abs(v, n) <= fan5 && max_abs(v, n) > 0.8 * fan5, "[%s] %s: default rule max |v| %g (bound %g)",
                          bname(b), k == 0 ? "b.weight" : k == 1 ? "b.bias" : k == 2 ? "c.weight" : "c.bias", max_abs(v, n), fan5);
            }
    }
    for (int p = 0; p < np; p++) {
        const float *v = zc_net_param_data(net, p);
        if (v) memcpy(dst, v, param_numel(net, p) * sizeof *dst);
        dst += param_numel(net, p);
    }
    const float consts[2] = {0.5f, 3.0f};
    float *u01[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        float c = consts[k];
        CHECK(zc_net_init_constant(net, c) == ZC_OK);
        for (int p = 0; p < np; p++) {
            const float *v = zc_net_param_data(net, p);
            size_t n = param_numel(net, p);
            if (!v) continue;
            memcpy(dst, v, n * sizeof *dst);
            dst += n;
            if (p == ew) {   /* U(0, 1), the same values whatever the constant */
                u01[k] = dst - n;
                float lo = 1, hi = 0;
                double mean = 0;
                for (size_t i = 0; i < n; i++) { lo = fminf(lo, v[i]); hi = fmaxf(hi, v[i]); mean += v[i]; }
                mean /= (double)n;
                CHECK_MSG(lo >= 0.0f && hi < 1.0f && hi - lo > 0.9f && fabs(mean - 0.5) < 0.1,
                          "[%s] U(0,1) embedding: min %g max %g mean %g", bname(b), lo, hi, mean);
                continue;
            }
            /* ZC_CONST_ALL: weight and bias take the constant; the default rule: weights only. */
            float want = (p == aw || p == ab || p == bw || p == cw) ? c : 0.0f;
            int bad = 0;
            for (size_t i = 0; i < n; i++) bad += v[i] != want;
            zc_param_info pi;
            zc_net_param_info(net, p, &pi);
            CHECK_MSG(bad == 0, "[%s] init_constant(%g): %s has %d values that are not %g", bname(b), c, pi.name, bad, want);
        }
    }
    if (u01[0] && u01[1])
        CHECK_MSG(memcmp(u01[0], u01[1], param_numel(net, ew) * sizeof(float)) == 0,
                  "[%s] U(0,1) embedding differs between init_constant(0.5) and init_constant(3)", bname(b));
#undef VIEW
    zc_net_free(net);
    return all;
}

/* ---------------------------------------------------------------- builder errors */

static void builder_errors(void)
{
    zc_net *net = zc_net_new(3, 2, 1);   /* 6 features */
    /* zc_net_param: shapes and names. */
    const int bad_shapes[4][2] = {{0, 6}, {-1, 6}, {4, -1}, {-3, 0}};
    for (int k = 0; k < 4; k++) {
        zc_clear_error();
        CHECK_MSG(zc_net_param(net, "x.weight", ZC_PARAM_WEIGHT, bad_shapes[k][0], bad_shapes[k][1]) < 0, "param %dx%d",
                  bad_shapes[k][0], bad_shapes[k][1]);
        CHECK(zc_last_error()[0] != '\0');
    }
    CHECK(zc_net_param(net, "nodot", ZC_PARAM_WEIGHT, 4, 6) < 0);
    CHECK(zc_net_num_params(net) == 0);
    int w = zc_net_param(net, "l.weight", ZC_PARAM_WEIGHT, 4, 6), bias = zc_net_param(net, "l.bias", ZC_PARAM_BIAS, 4, 0);
    CHECK(w == 0 && bias == 1);
    zc_param_info pi;
    zc_net_param_info(net, w, &pi);
    CHECK(strcmp(pi.name, "l.weight") == 0 && pi.ndim == 2 && pi.shape[0] == 4 && pi.shape[1] == 6 && pi.numel == 24 &&
          pi.role == ZC_PARAM_WEIGHT);
    zc_net_param_info(net, bias, &pi);
    CHECK(strcmp(pi.name, "l.bias") == 0 && pi.ndim == 1 && pi.shape[0] == 4 && pi.numel == 4 && pi.role == ZC_PARAM_BIAS);
    CHECK(zc_net_find_param(net, "cells.0.l.weight") < 0);
    int deep = zc_net_param(net, "cells.0.l.weight", ZC_PARAM_WEIGHT, 4, 6);
    CHECK(deep == 2 && zc_net_find_param(net, "cells.0.l.weight") == deep);
    /* zc_net_linear_with: weight not 2-D, of the wrong width, bias of the wrong size, indices that
     * do not exist, an input that does not exist. */
    int narrow = zc_net_param(net, "m.weight", ZC_PARAM_WEIGHT, 4, 5);
    int flat = zc_net_param(net, "v.weight", ZC_PARAM_WEIGHT, 6, 0);
    int short_b = zc_net_param(net, "n.bias", ZC_PARAM_BIAS, 3, 0);
    CHECK(narrow > 0 && flat > 0 && short_b > 0);
    struct { int x, w, b; } bad[] = {
        {0, narrow, -1}, {0, flat, -1}, {0, w, short_b}, {0, w, narrow}, {0, -1, -1}, {0, 99, -1}, {0, w, 99}, {99, w, bias}, {-1, w, bias},
    };
    int nodes = zc_net_num_nodes(net);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        zc_clear_error();
        CHECK_MSG(zc_net_linear_with(net, bad[k].x, bad[k].w, bad[k].b) < 0, "linear_with case %zu accepted", k);
        CHECK_MSG(zc_last_error()[0] != '\0', "linear_with case %zu: no message", k);
    }
    CHECK(zc_net_num_nodes(net) == nodes);
    int l = zc_net_linear_with(net, 0, w, bias);
    int l2 = zc_net_linear_with(net, 0, deep, bias);   /* a bias shared by two weights */
    CHECK(l > 0 && l2 > 0);
    zc_node_info ni;
    if (l > 0) {
        zc_net_node_info(net, l, &ni);
        CHECK(ni.op == ZC_OP_LINEAR && ni.c == 4 && ni.h == 1 && ni.w == 1 && ni.weight == w && ni.bias == bias && ni.tiles == 1);
    }
    /* A parameter no node uses: m.weight, v.weight and n.bias were only offered to failed builds. */
    int terms[2] = {l, l2};
    int out = zc_net_add(net, 2, terms);
    zc_clear_error();
    CHECK(zc_net_finish(net, out) == ZC_EINVAL);
    CHECK_MSG(strstr(zc_last_error(), "m.weight") || strstr(zc_last_error(), "v.weight") || strstr(zc_last_error(), "n.bias"),
              "finish with unused parameters: '%s'", zc_last_error());
    zc_net_free(net);
    /* One unused parameter, named in the message; the same net with it used finishes. */
    for (int use = 0; use < 2; use++) {
        net = zc_net_new(4, 1, 1);
        int p = zc_net_param(net, "dec.weight", ZC_PARAM_WEIGHT, 3, 4);
        int o = zc_net_linear(net, 0, "fc", 3, 1);
        if (use) o = zc_net_linear_with(net, o, zc_net_param(net, "dec2.weight", ZC_PARAM_WEIGHT, 3, 3), -1);
        int t[2] = {o, use ? zc_net_linear_with(net, 0, p, -1) : o};
        o = zc_net_add(net, 2, t);
        zc_clear_error();
        zc_status st = zc_net_finish(net, o);
        if (use) CHECK_MSG(st == ZC_OK, "finish: %s", zc_last_error());
        else {
            CHECK(st == ZC_EINVAL);
            CHECK_MSG(strstr(zc_last_error(), "dec.weight") != NULL, "finish: '%s'", zc_last_error());
        }
        zc_net_free(net);
    }

    /* zc_net_step / zc_net_stack. */
    net = zc_net_new_tiled(2, 1, 1, 3);
    int s0 = zc_net_step(net, 0, 0), s2 = zc_net_step(net, 0, 2);
    CHECK(s0 > 0 && s2 > 0);
    if (s2 > 0) {
        zc_net_node_info(net, s2, &ni);
        CHECK(ni.op == ZC_OP_STEP && ni.tiles == 1 && ni.c == 2 && ni.h == 1 && ni.w == 1 && ni.k == 2);
    }
    nodes = zc_net_num_nodes(net);
    CHECK(zc_net_step(net, 0, 3) < 0);
    CHECK(zc_net_step(net, 0, -1) < 0);
    CHECK(zc_net_step(net, s0, 0) < 0);     /* not a sequence */
    CHECK(zc_net_step(net, 99, 0) < 0);
    CHECK(zc_net_step(net, -1, 0) < 0);
    int five = zc_net_linear(net, s0, "five", 5, 0);
    int seq = zc_net_linear(net, 0, "seq", 2, 0);   /* per step: a sequence of 3 tiles */
    CHECK(five > 0 && seq > 0);
    nodes = zc_net_num_nodes(net);
    int xs[ZC_MAX_INPUTS + 1];
    for (int i = 0; i < ZC_MAX_INPUTS + 1; i++) xs[i] = s0;
    CHECK(zc_net_stack(net, 0, xs) < 0);
    CHECK(zc_net_stack(net, -1, xs) < 0);
    CHECK(zc_net_stack(net, ZC_MAX_INPUTS + 1, xs) < 0);
    const int bad_pairs[][2] = {{s0, 0}, {0, s0}, {s0, seq}, {0, seq}, {0, 0}, {s0, five}, {five, s0}, {s0, 99}, {-1, s0}};
    for (size_t k = 0; k < sizeof bad_pairs / sizeof bad_pairs[0]; k++) {
        zc_clear_error();
        CHECK_MSG(zc_net_stack(net, 2, bad_pairs[k]) < 0, "stack case %zu accepted", k);
        CHECK_MSG(zc_last_error()[0] != '\0', "stack case %zu: no message", k);
    }
    CHECK(zc_net_num_nodes(net) == nodes);
    int st2 = zc_net_stack(net, 2, (int[]){s2, s0});
    int stmax = zc_net_stack(net, ZC_MAX_INPUTS, xs);   /* the most steps a sequence may have */
    CHECK(st2 > 0 && stmax > 0);
    if (st2 > 0) {
        zc_net_node_info(net, st2, &ni);
        CHECK(ni.op == ZC_OP_STACK && ni.tiles == 2 && ni.c == 2 && ni.n_in == 2 && ni.in[0] == s2 && ni.in[1] == s0);
    }
    if (stmax > 0) {
        zc_net_node_info(net, stmax, &ni);
        CHECK(ni.tiles == ZC_MAX_INPUTS);
        CHECK(zc_net_step(net, stmax, ZC_MAX_INPUTS - 1) > 0);
    }
    /* Element-wise ops of mismatched inputs: shapes, or a sequence with a step. */
    CHECK(zc_net_mul(net, s0, five) < 0);
    CHECK(zc_net_mul(net, s0, seq) < 0);
    CHECK(zc_net_mul(net, s0, 99) < 0);
    CHECK(zc_net_blend(net, s0, s2, five) < 0);
    CHECK(zc_net_blend(net, five, s0, s2) < 0);
    CHECK(zc_net_blend(net, s0, seq, s2) < 0);
    /* Embeddings need one id per step and a sensible table. */
    CHECK(zc_net_embedding(net, s0, "e", 10, 4) < 0);   /* 2 values per step */
    zc_net_free(net);
    net = zc_net_new_tiled(1, 1, 1, 4);
    CHECK(zc_net_embedding(net, 0, "e", 0, 4) < 0);
    CHECK(zc_net_embedding(net, 0, "e", 10, 0) < 0);
    CHECK(zc_net_embedding(net, 0, "e", -10, 4) < 0);
    CHECK(zc_net_embedding(net, 99, "e", 10, 4) < 0);
    int e = zc_net_embedding(net, 0, "e", 10, 4);
    CHECK(e > 0);
    if (e > 0) {
        zc_net_node_info(net, e, &ni);
        CHECK(ni.op == ZC_OP_EMBEDDING && ni.tiles == 4 && ni.c == 4 && ni.h == 1 && ni.w == 1);
        zc_net_param_info(net, ni.weight, &pi);
        CHECK(strcmp(pi.name, "e.weight") == 0 && pi.ndim == 2 && pi.shape[0] == 10 && pi.shape[1] == 4);
        CHECK(ni.bias < 0);
    }
    zc_net_free(net);
}

/* ---------------------------------------------------------------- step and stack values */

/* x[n][t][c] = 100 n + 10 t + c (2 samples, 3 steps of 2): stack(step 2, step 0, step 1) -> untile is
 * (x[n][2], x[n][0], x[n][1]) per sample; its gradient puts dout back at those steps; step 1 alone
 * is x[n][1] with a gradient of dout at step 1 and zeros elsewhere. */
static void step_stack_values(int b)
{
    const int perm[3] = {2, 0, 1};
    float x[12], dout[12], dx[12];
    for (int n = 0; n < 2; n++)
        for (int t = 0; t < 3; t++)
            for (int c = 0; c < 2; c++) x[(n * 3 + t) * 2 + c] = (float)(100 * n + 10 * t + c);
    for (int i = 0; i < 12; i++) dout[i] = (float)(i + 1) * 0.5f;
    zc_net *net = zc_net_new_tiled(2, 1, 1, 3);
    int s[3];
    for (int t = 0; t < 3; t++) s[t] = zc_net_step(net, 0, perm[t]);
    int o = zc_net_untile(net, zc_net_stack(net, 3, s));
    CHECK(zc_net_finish(net, o) == ZC_OK);
    zc_net_need_input_grad(net, 1);
    zc_net_set_backend(net, backends[b]);
    CHECK(zc_net_forward(net, x, 2, ZC_RUN_TRAIN) == ZC_OK);
    const float *out = zc_net_output(net, NULL, NULL);
    for (int n = 0; out && n < 2; n++)
        for (int k = 0; k < 3; k++)
            for (int c = 0; c < 2; c++)
                CHECK_MSG(out[n * 6 + k * 2 + c] == 100 * n + 10 * perm[k] + c, "[%s] stack: out[%d][%d] = %g", bname(b), n,
                          k * 2 + c, out[n * 6 + k * 2 + c]);
    CHECK(zc_net_backward(net, dout) == ZC_OK);
    CHECK(zc_net_read(net, 0, 1, dx) == ZC_OK);
    for (int n = 0; n < 2; n++)
        for (int k = 0; k < 3; k++)
            for (int c = 0; c < 2; c++)
                CHECK_MSG(dx[(n * 3 + perm[k]) * 2 + c] == dout[n * 6 + k * 2 + c], "[%s] stack: dx[%d][%d][%d] = %g", bname(b), n,
                          perm[k], c, dx[(n * 3 + perm[k]) * 2 + c]);
    zc_net_free(net);

    net = zc_net_new_tiled(2, 1, 1, 3);
    CHECK(zc_net_finish(net, zc_net_step(net, 0, 1)) == ZC_OK);
    zc_net_need_input_grad(net, 1);
    zc_net_set_backend(net, backends[b]);
    for (int rep = 0; rep < 2; rep++) {   /* twice: buffers reused from the first pass hold old values */
        CHECK(zc_net_forward(net, x, 2, ZC_RUN_TRAIN) == ZC_OK);
        out = zc_net_output(net, NULL, NULL);
        for (int n = 0; out && n < 2; n++)
            for (int c = 0; c < 2; c++) CHECK(out[n * 2 + c] == 100 * n + 10 + c);
        CHECK(zc_net_backward(net, dout) == ZC_OK);
        CHECK(zc_net_read(net, 0, 1, dx) == ZC_OK);
        for (int n = 0; n < 2; n++)
            for (int t = 0; t < 3; t++)
                for (int c = 0; c < 2; c++)
                    CHECK_MSG(dx[(n * 3 + t) * 2 + c] == (t == 1 ? dout[n * 2 + c] : 0.0f), "[%s] step: dx[%d][%d][%d] = %g",
                              bname(b), n, t, c, dx[(n * 3 + t) * 2 + c]);
    }
    zc_net_free(net);
}

/* ---------------------------------------------------------------- shared weights */

/* The tanh RNN h_t = tanh(W x_t + b + U h_{t-1}) over T = 5 steps of 3 features, hidden 4, from a
 * state (0.25 via init_constant, then the parameters overwritten), output untile(stack(h)), built
 * with one W, U, b for every step (shared = 1) or with fresh ones per step holding the same values.
 * The shared net's output and input gradient equal the other's, and each shared parameter's
 * gradient the sum of the per-step copies' gradients. */
#define RT 5
#define RC 3
#define RH 4
typedef struct rnn_result {
    float out[2 * RT * RH], dx[2 * RT * RC];
    float gw[RH * RC], gu[RH * RH], gb[RH];
} rnn_result;

static void rnn_run(int b, int shared, const float *x, const float *wv, const float *uv, const float *bv, rnn_result *res)
{
    zc_net *net = zc_net_new_tiled(RC, 1, 1, RT);
    int w = -1, u = -1, bias = -1;
    if (shared) {
        w = zc_net_param(net, "rnn.weight_ih", ZC_PARAM_WEIGHT, RH, RC);
        u = zc_net_param(net, "rnn.weight_hh", ZC_PARAM_WEIGHT, RH, RH);
        bias = zc_net_param(net, "rnn.bias", ZC_PARAM_BIAS, RH, 0);
    }
    int h = zc_net_state(net, RH), hs[RT], pw[RT], pu[RT], pb[RT];
    for (int t = 0; t < RT; t++) {
        int x_t = zc_net_step(net, 0, t), a, c;
        if (shared) {
            a = zc_net_linear_with(net, x_t, w, bias);
            c = zc_net_linear_with(net, h, u, -1);
        } else {
            char name[32];
            snprintf(name, sizeof name, "ih%d", t);
            a = zc_net_linear(net, x_t, name, RH, 1);
            snprintf(name, sizeof name, "hh%d", t);
            c = zc_net_linear(net, h, name, RH, 0);
            zc_node_info ni;
            zc_net_node_info(net, a, &ni);
            pw[t] = ni.weight;
            pb[t] = ni.bias;
            zc_net_node_info(net, c, &ni);
            pu[t] = ni.weight;
        }
        int terms[2] = {a, c};
        hs[t] = h = zc_net_tanh(net, zc_net_add(net, 2, terms));
    }
    int o = zc_net_untile(net, zc_net_stack(net, RT, hs));
    CHECK_MSG(o > 0, "rnn build: %s", zc_last_error());
    CHECK(zc_net_finish(net, o) == ZC_OK);
    zc_net_need_input_grad(net, 1);
    zc_net_set_backend(net, backends[b]);
    CHECK(zc_net_init_constant(net, 0.25f) == ZC_OK);
    for (int t = 0; t < (shared ? 1 : RT); t++) {
        CHECK(zc_net_param_write(net, shared ? w : pw[t], wv) == ZC_OK);
        CHECK(zc_net_param_write(net, shared ? u : pu[t], uv) == ZC_OK);
        CHECK(zc_net_param_write(net, shared ? bias : pb[t], bv) == ZC_OK);
    }
    CHECK(zc_net_forward(net, x, 2, ZC_RUN_TRAIN) == ZC_OK);
    const float *out = zc_net_output(net, NULL, NULL);
    if (out) memcpy(res->out, out, sizeof res->out);
    float dout[2 * RT * RH];
    for (int i = 0; i < 2 * RT * RH; i++) dout[i] = (float)sin(1.0 + i);
    CHECK(zc_net_backward(net, dout) == ZC_OK);
    CHECK(zc_net_read(net, 0, 1, res->dx) == ZC_OK);
    memset(res->gw, 0, sizeof res->gw);
    memset(res->gu, 0, sizeof res->gu);
    memset(res->gb, 0, sizeof res->gb);
    for (int t = 0; t < (shared ? 1 : RT); t++) {   /* the per-step copies summed in double */
        const float *g[3] = {zc_net_param_grad(net, shared ? w : pw[t]), zc_net_param_grad(net, shared ? u : pu[t]),
                             zc_net_param_grad(net, shared ? bias : pb[t])};
        float *acc[3] = {res->gw, res->gu, res->gb};
        const int n[3] = {RH * RC, RH * RH, RH};
        for (int k = 0; k < 3; k++)
            for (int i = 0; g[k] && i < n[k]; i++) acc[k][i] = (float)((double)acc[k][i] + g[k][i]);
    }
    zc_net_free(net);
}

static void shared_weights(rnn_result res[2][2])
{
    float x[2 * RT * RC], wv[RH * RC], uv[RH * RH], bv[RH];
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) x[i] = (float)zc_rng_normal(&rng);
    for (int i = 0; i < RH * RC; i++) wv[i] = 0.8f * (2 * zc_rng_float(&rng) - 1);
    for (int i = 0; i < RH * RH; i++) uv[i] = 0.8f * (2 * zc_rng_float(&rng) - 1);
    for (int i = 0; i < RH; i++) bv[i] = 0.5f * (2 * zc_rng_float(&rng) - 1);
    for (int b = 0; b < n_backends; b++) {
        for (int s = 0; s < 2; s++) rnn_run(b, s, x, wv, uv, bv, &res[b][s]);
        rnn_result *sh = &res[b][1], *un = &res[b][0];
        double e[5] = {rel_diff(sh->out, un->out, 2 * RT * RH), rel_diff(sh->dx, un->dx, 2 * RT * RC),
                       rel_diff(sh->gw, un->gw, RH * RC), rel_diff(sh->gu, un->gu, RH * RH), rel_diff(sh->gb, un->gb, RH)};
        const char *what[5] = {"output", "input gradient", "d W (sum over steps)", "d U (sum over steps)", "d b (sum over steps)"};
        for (int k = 0; k < 5; k++) CHECK_MSG(e[k] <= 1e-5, "[%s] shared vs per-step weights: %s differs by %.3g", bname(b), what[k], e[k]);
        /* Not trivially equal: every step contributes (the last step's copy alone is far from the sum). */
        CHECK(max_abs(sh->gu, RH * RH) > 1e-3f && max_abs(sh->gw, RH * RC) > 1e-3f);
        printf("[%s] shared vs per-step RNN weights: max relative difference %.2e\n", bname(b),
               fmax(fmax(e[0], e[1]), fmax(e[2], fmax(e[3], e[4]))));
    }
}

/* ---------------------------------------------------------------- ref vs dnnl on a language model */

/* embedding (vocab 9, dim 4) -> gated cell (sigmoid gates, mul, blend) over 6 steps, shared weights
 * -> decoder tied to the embedding; output, every parameter gradient. */
static void lm_run(int b, float **out, size_t *n_out, float **grads, size_t *n_grads)
{
    enum { T = 6, V = 9, D = 4 };
    zc_net *net = zc_net_new_tiled(1, 1, 1, T);
    int e = zc_net_embedding(net, 0, "encoder", V, D);
    int ew = zc_net_find_param(net, "encoder.weight");
    int wz = zc_net_param(net, "cell.wz", ZC_PARAM_WEIGHT, D, D), uz = zc_net_param(net, "cell.uz", ZC_PARAM_WEIGHT, D, D);
    int bz = zc_net_param(net, "cell.bz", ZC_PARAM_BIAS, D, 0);
    int wc = zc_net_param(net, "cell.wc", ZC_PARAM_WEIGHT, D, D), uc = zc_net_param(net, "cell.uc", ZC_PARAM_WEIGHT, D, D);
    int db = zc_net_param(net, "decoder.bias", ZC_PARAM_BIAS, V, 0);
    int h = zc_net_state(net, D), logits[T];
    for (int t = 0; t < T; t++) {
        int x = zc_net_step(net, e, t);
        int zt[2] = {zc_net_linear_with(net, x, wz, bz), zc_net_linear_with(net, h, uz, -1)};
        int z = zc_net_sigmoid(net, zc_net_add(net, 2, zt));
        int ct[2] = {zc_net_linear_with(net, x, wc, -1), zc_net_linear_with(net, zc_net_mul(net, z, h), uc, -1)};
        int c = zc_net_tanh(net, zc_net_add(net, 2, ct));
        h = zc_net_blend(net, z, h, c);
        logits[t] = zc_net_linear_with(net, h, ew, db);
    }
    int o = zc_net_untile(net, zc_net_stack(net, T, logits));
    CHECK_MSG(o > 0, "lm build: %s", zc_last_error());
    CHECK(zc_net_finish(net, o) == ZC_OK);
    zc_net_set_backend(net, backends[b]);
    zc_rng r;
    zc_rng_seed(&r, 5, 0);
    for (int p = 0; p < zc_net_num_params(net); p++) zc_net_set_param_init(net, p, 0.5f, ZC_CONST_WEIGHTS);
    CHECK(zc_net_init_default(net, &r) == ZC_OK);
    float ids[3 * T];
    for (int i = 0; i < 3 * T; i++) ids[i] = (float)((i * 5 + 2) % V);
    CHECK(zc_net_forward(net, ids, 3, ZC_RUN_TRAIN) == ZC_OK);
    int dim;
    const float *y = zc_net_output(net, NULL, &dim);
    *n_out = (size_t)3 * dim;
    *out = malloc(*n_out * sizeof **out);
    if (y) memcpy(*out, y, *n_out * sizeof **out);
    /* Next-token cross-entropy on top: its gradient as dout. */
    int labels[3 * T];
    for (int i = 0; i < 3 * T; i++) labels[i] = (i * 7 + 1) % V;
    zc_batch batch = {.n = 3, .loss = ZC_LOSS_TOKEN_CE, .y = labels, .y_dim = T};
    float dout[3 * T * V];
    double loss;
    CHECK(y && zc_batch_loss(&batch, y, 3, dim, &loss, dout) == ZC_OK);
    CHECK(zc_net_backward(net, dout) == ZC_OK);
    *n_grads = 0;
    for (int p = 0; p < zc_net_num_params(net); p++) *n_grads += param_numel(net, p);
    *grads = malloc(*n_grads * sizeof **grads);
    float *dst = *grads;
    for (int p = 0; p < zc_net_num_params(net); p++) {
        const float *g = zc_net_param_grad(net, p);
        size_t n = param_numel(net, p);
        if (g) memcpy(dst, g, n * sizeof *dst);
        else memset(dst, 0, n * sizeof *dst);
        CHECK_MSG(g && max_abs(g, n) > 0, "[%s] lm: parameter %d has no gradient", bname(b), p);
        dst += n;
    }
    zc_net_free(net);
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 2024;
    zc_rng_seed(&rng, seed, 0);
    backends[n_backends++] = zc_backend_get("ref");
    if ((backends[n_backends] = zc_backend_get("dnnl")) != NULL) n_backends++;
    else printf("dnnl backend not built: ref only\n");

    builder_errors();
    float *init[2] = {NULL, NULL};
    size_t n_init = 0;
    for (int b = 0; b < n_backends; b++) {
        embedding_ids(b);
        states(b);
        step_stack_values(b);
        init[b] = init_rules(b, &n_init);
    }
    if (n_backends == 2)   /* the same draws on both backends, to the bit */
        CHECK_MSG(memcmp(init[0], init[1], n_init * sizeof(float)) == 0, "init rules: ref and dnnl values differ");
    free(init[0]);
    free(init[1]);

    rnn_result res[2][2];
    shared_weights(res);
    if (n_backends == 2) {
        double e = fmax(rel_diff(res[1][1].out, res[0][1].out, 2 * RT * RH), rel_diff(res[1][1].dx, res[0][1].dx, 2 * RT * RC));
        e = fmax(e, fmax(rel_diff(res[1][1].gw, res[0][1].gw, RH * RC), rel_diff(res[1][1].gu, res[0][1].gu, RH * RH)));
        e = fmax(e, rel_diff(res[1][1].gb, res[0][1].gb, RH));
        CHECK_MSG(e <= 1e-5, "shared-weight RNN: dnnl vs ref differ by %.3g", e);
        printf("[dnnl] shared-weight RNN vs ref: max relative difference %.2e\n", e);

        float *out[2], *g[2];
        size_t no[2], ng[2];
        for (int b = 0; b < 2; b++) lm_run(b, &out[b], &no[b], &g[b], &ng[b]);
        CHECK(no[0] == no[1] && ng[0] == ng[1]);
        double eo = rel_diff(out[1], out[0], no[0]), eg = rel_diff(g[1], g[0], ng[0]);
        CHECK_MSG(eo <= 1e-5 && eg <= 1e-5, "gated LM: dnnl vs ref: output %.3g, gradients %.3g", eo, eg);
        printf("[dnnl] gated LM (tied decoder) vs ref: output %.2e, gradients %.2e\n", eo, eg);
        for (int b = 0; b < 2; b++) { free(out[b]); free(g[b]); }
    }
    return check_report("test_recurrent");
}
