/* Gradient check: every op's analytic backward against central finite
 * differences of the forward pass, each op in a tiny network, plus a conv -> bn -> relu chain and a
 * down-scaled NB201 TinyNetwork (C=4, one cell per stage, all five cell ops present), and the ops of
 * recurrent networks (see below). Everything runs
 * on the reference backend and again on the build's default backend when that is another one.
 *
 * Loss: L = sum_i out_i * r_i with a fixed random r, accumulated in double (so L's own rounding is
 * only that of the float32 forward). The analytic gradient is backward(dout = r). For a sample of
 * input and parameter elements v: fd = (L(v+) - L(v-)) / (v+ - v-), where v+/v- are the float32
 * values nearest v +- h (the step actually taken, not the nominal 2h).
 *
 * Tolerance: |fd - analytic| <= tol * max(1, |analytic|), tol = 5e-4 for single ops (h = 1e-2) and
 * 3e-3 for the chain and the NB201 nets (h = 1e-3). Justification:
 *  - rounding: the float32 forward makes each out_i wrong by ~1e-7 relative (a few ulps; more
 *    through BN and several layers), so L is wrong by ~1e-7 * sum|out_i r_i| ~ 1e-6 for the single
 *    ops (tens of O(1) outputs), i.e. ~5e-5 after dividing by the 2h = 2e-2 step; the deep nets
 *    need the smaller h = 1e-3 to keep ReLU kinks rare, which multiplies that term by 10, and their
 *    longer float32 paths add more, hence the 10x larger tolerance;
 *  - truncation: conv, linear, pooling, add and zero are linear in each input and in each
 *    parameter, so the central difference is exact up to rounding; batch norm is smooth with
 *    truncation error ~h^2 |L'''| / 6 ~ 1e-5 at h = 1e-2 for unit-variance inputs;
 *  - kinks: samples whose +-h forward passes flip the sign of any ReLU input are skipped (counted,
 *    and at least an eighth of the samples of every test must be usable: the NB201 nets have
 *    thousands of ReLU inputs, so 15-90% survive depending on the seed); the relu test uses
 *    |x| >= 0.2 so that it never skips.
 * Observed worst errors of the reference backend (printed per test) over 60 seeds: 1.2e-4 for
 * single ops (the 5-way add; 1e-5..8e-5 otherwise) and 1e-3 for the deep nets, so both tolerances
 * keep a >= 3x margin while any wrong factor, missing term or wrong index (O(1) relative errors)
 * still fails; a 10% error in one term of the batch-norm backward fails ~200 checks.
 * Max pooling is piecewise linear: its inputs are spaced (random_input, min_abs < 0) so that no
 * step moves a window's maximum, and the difference is then exact up to rounding.
 * Recurrent networks: products (also x * x, one node as both factors), blends (also one node as two
 * of the three inputs), RNNs unrolled over 4 steps on a tiled input (step -> linears on ONE shared
 * W / U / b for every step, from a state node set to a non-zero value -> tanh, sigmoid, leaky ReLU or
 * a gated cell with mul and blend -> stack -> untile), so that each shared parameter's analytic
 * gradient (the sum over its steps) meets the difference of the whole unrolled loss; embeddings of
 * token ids (ids repeated, so rows are scatter-added; the ids are neither perturbed nor given a
 * gradient) alone, of one step, and under an RNN with a decoder tied to the embedding; a sequence
 * read whole and step by step (a step stacked twice), one weight on a sequence and on one of its
 * steps. Leaky ReLU
 * counts as a kink like ReLU. The RNNs and the 3-way blend use h = 1e-3 (their cubic terms give
 * truncation errors up to 6e-4 at h = 1e-2); over 60 seeds their worst errors are 3.6e-4 (< 3e-3),
 * the single mul / blend / embedding cases at h = 1e-2 stay under 1e-4 (< 5e-4).
 * Optional argv[1]: another seed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "engine/engine_impl.h"
#include "spaces/nb201/nb201.h"
#include "zcnas/zcnas.h"

#define TOL_OP 5e-4    /* single ops, h = 1e-2 */
#define TOL_NET 3e-3   /* conv-bn-relu chain and NB201 nets, h = 1e-3 */
#define MAX_SAMPLES 10

typedef struct gc {
    zc_net *net;
    int batch;
    float *x;          /* input, batch x c x h x w */
    float *r;          /* output weights */
    size_t n_x, n_out;
    unsigned char *signs;  /* ReLU-input sign pattern of the unperturbed forward */
    size_t n_signs;
} gc;

static zc_rng rng;
static const zc_backend *backend;   /* the backend under test: ref, then the default when different */

static float uniformf(float lo, float hi) { return lo + (hi - lo) * zc_rng_float(&rng); }

/* Ops with a kink at 0 (ReLU, leaky ReLU): samples whose steps flip the sign of their input are skipped. */
static int kinked(const zc_node *n) { return (n->op == ZC_OP_RELU || n->op == ZC_OP_LEAKY_RELU) && n->live; }

/* Number of ReLU-input elements (the sign pattern of every ReLU's input). */
static size_t relu_inputs(const zc_net *net, int batch)
{
    size_t n = 0;
    for (int i = 0; i < net->n_nodes; i++)
        if (kinked(&net->nodes[i])) {
            const zc_node *in = &net->nodes[net->nodes[i].in[0]];
            n += (size_t)batch * in->tiles * in->c * in->h * in->w;
        }
    return n;
}

static void snapshot_signs(const zc_net *net, int batch, unsigned char *s)
{
    size_t k = 0;
    for (int i = 0; i < net->n_nodes; i++)
        if (kinked(&net->nodes[i])) {
            const zc_node *in = &net->nodes[net->nodes[i].in[0]];
            size_t m = (size_t)batch * in->tiles * in->c * in->h * in->w;
            for (size_t j = 0; j < m; j++) s[k++] = in->out[j] > 0.0f;
        }
}

/* Forward (train mode: batch-statistics BN) and L = sum out * r in double. */
static double loss_of(gc *g, int *kink)
{
    zc_status st = zc_net_forward(g->net, g->x, g->batch, ZC_RUN_TRAIN);
    CHECK_MSG(st == ZC_OK, "forward: %s", zc_last_error());
    if (st != ZC_OK) return NAN;
    const float *out = zc_net_output(g->net, NULL, NULL);
    double L = 0.0;
    for (size_t i = 0; i < g->n_out; i++) L += (double)out[i] * (double)g->r[i];
    if (kink) {
        *kink = 0;
        size_t k = 0;
        const zc_net *net = g->net;
        for (int i = 0; i < net->n_nodes && !*kink; i++)
            if (kinked(&net->nodes[i])) {
                const zc_node *in = &net->nodes[net->nodes[i].in[0]];
                size_t m = (size_t)g->batch * in->tiles * in->c * in->h * in->w;
                for (size_t j = 0; j < m; j++, k++)
                    if ((in->out[j] > 0.0f) != g->signs[k]) { *kink = 1; break; }
            }
    }
    return L;
}

/* Central difference of L in the float *v. Returns 0 (and leaves *fd) when a kink was crossed. */
static int central_diff(gc *g, float *v, double h, double *fd)
{
    float v0 = *v, vp = (float)(v0 + h), vm = (float)(v0 - h);
    int kp, km;
    *v = vp;
    double lp = loss_of(g, &kp);
    *v = vm;
    double lm = loss_of(g, &km);
    *v = v0;
    if (kp || km) return 0;
    *fd = (lp - lm) / ((double)vp - (double)vm);
    return 1;
}

/* Gradient-checks the finished network `net` on input of `batch` samples. Input values are drawn by
 * the caller into x (ownership taken). input_grad 0: the input (token ids) has no gradient and is not
 * perturbed. Returns the worst normalised error. */
static double gradcheck_ex(const char *name, zc_net *net, int batch, float *x, double h, double tol, int input_grad)
{
    gc g;
    memset(&g, 0, sizeof g);
    g.net = net;
    g.batch = batch;
    g.x = x;
    const zc_node *in = &net->nodes[0];
    g.n_x = (size_t)batch * in->tiles * in->c * in->h * in->w;
    const zc_node *o = &net->nodes[net->output];
    g.n_out = (size_t)batch * o->c * o->h * o->w;
    g.r = malloc(g.n_out * sizeof *g.r);
    for (size_t i = 0; i < g.n_out; i++) g.r[i] = uniformf(-1.0f, 1.0f);
    g.n_signs = relu_inputs(net, batch);
    g.signs = malloc(g.n_signs + 1);

    /* Analytic gradients. */
    CHECK(zc_net_forward(net, x, batch, ZC_RUN_TRAIN) == ZC_OK);
    snapshot_signs(net, batch, g.signs);
    CHECK(zc_net_backward(net, g.r) == ZC_OK);
    float *dx = malloc(g.n_x * sizeof *dx);
    if (input_grad) {
        CHECK(net->nodes[0].grad != NULL);
        if (net->nodes[0].grad) CHECK(zc_net_read(net, 0, 1, dx) == ZC_OK);   /* plain, sample-major */
    }
    float **dp = calloc((size_t)net->n_params + 1, sizeof *dp);
    for (int p = 0; p < net->n_params; p++) {
        dp[p] = malloc(net->params[p].numel * sizeof(float));
        memcpy(dp[p], net->params[p].grad, net->params[p].numel * sizeof(float));
    }

    double worst = 0.0;
    int tried = 0, used = 0, bad = 0;
    /* One group per tensor: the input, then every parameter. */
    for (int t = input_grad ? -1 : 0; t < net->n_params; t++) {
        float *data = t < 0 ? g.x : net->params[t].data;
        const float *an = t < 0 ? dx : dp[t];
        size_t numel = t < 0 ? g.n_x : net->params[t].numel;
        const char *tname = t < 0 ? "input" : net->params[t].name;
        int samples = numel < MAX_SAMPLES ? (int)numel : MAX_SAMPLES;
        for (int s = 0; s < samples; s++) {
            size_t j = numel <= MAX_SAMPLES ? (size_t)s : (size_t)zc_rng_below(&rng, numel);
            double fd;
            tried++;
            if (!central_diff(&g, &data[j], h, &fd)) continue;
            used++;
            double err = fabs(fd - an[j]) / fmax(1.0, fabs(an[j]));
            if (err > worst) worst = err;
            if (!(err <= tol) && bad++ < 5)
                fprintf(stderr, "%s: d/d %s[%zu]: analytic %.9g, finite difference %.9g\n", name, tname,
                        j, an[j], fd);
            CHECK(err <= tol);
        }
    }
    CHECK_MSG(used * 8 >= tried, "%s: only %d of %d samples avoided ReLU kinks", name, used, tried);
    printf("[%s] %-44s %3d/%3d samples, worst |fd - analytic| / max(1, |analytic|) = %.2e\n", zc_backend_name(backend),
           name, used, tried, worst);
    for (int p = 0; p < net->n_params; p++) free(dp[p]);
    free(dp);
    free(dx);
    free(g.r);
    free(g.signs);
    free(g.x);
    return worst;
}

static double gradcheck(const char *name, zc_net *net, int batch, float *x, double h, double tol)
{
    return gradcheck_ex(name, net, batch, x, h, tol, 1);
}

/* Random parameters: PyTorch default for conv/linear, BN gamma in [0.5, 1.5], beta in [-0.5, 0.5]
 * (so the affine parameters are not the trivial 1 / 0). */
static void random_params(zc_net *net)
{
    zc_net_init_default(net, &rng);
    for (int i = 0; i < net->n_params; i++) {
        zc_param *p = &net->params[i];
        if (p->role == ZC_PARAM_BN_GAMMA)
            for (size_t j = 0; j < p->numel; j++) p->data[j] = uniformf(0.5f, 1.5f);
        else if (p->role == ZC_PARAM_BN_BETA)
            for (size_t j = 0; j < p->numel; j++) p->data[j] = uniformf(-0.5f, 0.5f);
    }
}

/* min_abs > 0: |x| >= min_abs (no ReLU kink within reach); min_abs < 0: the input values are a
 * shuffle of a grid with spacing -min_abs, so that a +-h step (h < spacing / 2) never changes which
 * element of a max-pooling window is the largest. */
static float *random_input(const zc_net *net, int batch, float min_abs)
{
    const zc_node *in = &net->nodes[0];
    size_t n = (size_t)batch * in->tiles * in->c * in->h * in->w;
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        float v = (float)zc_rng_normal(&rng);
        if (min_abs > 0) v = (v < 0 ? -1.0f : 1.0f) * (min_abs + fabsf(v));  /* |v| >= min_abs */
        if (min_abs < 0) v = -min_abs * ((float)i - (float)n / 2);
        x[i] = v;
    }
    for (size_t i = n; min_abs < 0 && i > 1; i--) {   /* Fisher-Yates */
        size_t j = (size_t)zc_rng_below(&rng, i);
        float t = x[i - 1]; x[i - 1] = x[j]; x[j] = t;
    }
    return x;
}

/* Recurrent networks: the input may be token ids, and initial states may be set to a value. */
typedef struct run_opts {
    int vocab;     /* > 0: the input holds token ids 0..vocab-1 (every id at least once when there is room,
                      repeats when there are more positions than ids), which have no gradient */
    float state;   /* the value of every state node (random_params' zc_net_init_default leaves 0) */
} run_opts;

/* A shuffle of 0, 1, .., vocab-1, 0, 1, .. over the input's positions. */
static float *token_input(const zc_net *net, int batch, int vocab)
{
    const zc_node *in = &net->nodes[0];
    size_t n = (size_t)batch * in->tiles * in->c * in->h * in->w;
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) x[i] = (float)(i % (size_t)vocab);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)zc_rng_below(&rng, i);
        float t = x[i - 1]; x[i - 1] = x[j]; x[j] = t;
    }
    return x;
}

static void run_with(const char *name, zc_net *net, int out, int batch, float min_abs, double h, run_opts o)
{
    CHECK_MSG(out >= 0, "%s: building: %s", name, zc_last_error());
    if (out < 0) { zc_net_free(net); return; }
    CHECK_MSG(zc_net_finish(net, out) == ZC_OK, "%s: finish: %s", name, zc_last_error());
    net->need_input_grad = o.vocab <= 0;
    zc_net_set_backend(net, backend);
    random_params(net);
    for (int i = 0; i < net->n_nodes; i++)
        if (net->nodes[i].op == ZC_OP_STATE) net->nodes[i].alpha = o.state;
    float *x = o.vocab > 0 ? token_input(net, batch, o.vocab) : random_input(net, batch, min_abs);
    gradcheck_ex(name, net, batch, x, h, h < 5e-3 ? TOL_NET : TOL_OP, o.vocab <= 0);
    zc_net_free(net);
}

static void run(const char *name, zc_net *net, int out, int batch, float min_abs, double h)
{
    run_with(name, net, out, batch, min_abs, h, (run_opts){0, 0.0f});
}

static void conv_case(int c, int hh, int ww, int co, int k, int s, int p, int g, int bias)
{
    char name[96];
    snprintf(name, sizeof name, "conv2d %dx%dx%d->%d k%d s%d p%d g%d b%d", c, hh, ww, co, k, s, p, g, bias);
    zc_net *net = zc_net_new(c, hh, ww);
    run(name, net, zc_net_conv2d(net, 0, "m", co, k, s, p, g, bias), 2, 0, 1e-2);
}

static void bn_case(int c, int hh, int ww, int batch, int affine, float eps)
{
    char name[96];
    snprintf(name, sizeof name, "batchnorm %dx%dx%d N%d affine%d eps%g", c, hh, ww, batch, affine, eps);
    zc_net *net = zc_net_new(c, hh, ww);
    run(name, net, zc_net_batchnorm(net, 0, "m", eps, affine, 1), batch, 0, 1e-2);
}

static void pool_case(int k, int s, int p, int cip)
{
    char name[96];
    snprintf(name, sizeof name, "avgpool k%d s%d p%d cip%d", k, s, p, cip);
    zc_net *net = zc_net_new(3, 7, 6);
    run(name, net, zc_net_avgpool(net, 0, k, s, p, cip), 2, 0, 1e-2);
}

/* Max pooling of a spaced input (see random_input): the step never moves a window's maximum. */
static void maxpool_case(int k, int s, int p)
{
    char name[96];
    snprintf(name, sizeof name, "maxpool k%d s%d p%d", k, s, p);
    zc_net *net = zc_net_new(3, 7, 6);
    run(name, net, zc_net_maxpool(net, 0, k, s, p), 2, -0.05f, 1e-2);
}

/* Down-scaled TinyNetwork: stem, cell, reduction, cell, reduction, cell, lastact, GAP, classifier. */
static void nb201_case(const char *arch_str, int use_ce)
{
    zc_nb201_arch arch;
    CHECK(zc_nb201_parse(arch_str, &arch) == ZC_OK);
    zc_nb201_config cfg = zc_nb201_default_config(5, 8);
    cfg.C = 4;
    cfg.N = 1;
    zc_net *net = zc_nb201_build(&arch, &cfg);
    CHECK_MSG(net != NULL, "nb201 build: %s", zc_last_error());
    if (!net) return;
    net->need_input_grad = 1;
    zc_net_set_backend(net, backend);
    random_params(net);
    int batch = 4;
    if (!use_ce) {
        gradcheck("nb201 mini net (C4 N1 8x8), sum(out*r)", net, batch, random_input(net, batch, 0), 1e-3, TOL_NET);
        zc_net_free(net);
        return;
    }
    /* Mean cross-entropy on top: the analytic gradient comes from zc_cross_entropy's dlogits. */
    float *x = random_input(net, batch, 0);
    int labels[4] = {0, 3, 4, 1};
    double loss;
    float dlogits[4 * 5];
    CHECK(zc_net_forward(net, x, batch, ZC_RUN_TRAIN) == ZC_OK);
    CHECK(zc_cross_entropy(zc_net_output(net, NULL, NULL), labels, batch, 5, &loss, dlogits) == ZC_OK);
    size_t nrelu = relu_inputs(net, batch);
    unsigned char *signs = malloc(nrelu + 1), *s2 = malloc(nrelu + 1);
    snapshot_signs(net, batch, signs);
    CHECK(zc_net_backward(net, dlogits) == ZC_OK);
    double worst = 0;
    int used = 0, tried = 0;
    for (int t = 0; t < net->n_params; t++) {
        zc_param *p = &net->params[t];
        for (int k = 0; k < 3; k++) {
            size_t j = (size_t)zc_rng_below(&rng, p->numel);
            float an = p->grad[j], v0 = p->data[j];
            float vv[2] = {(float)(v0 + 1e-3), (float)(v0 - 1e-3)};
            double l[2];
            int kink = 0;
            tried++;
            for (int side = 0; side < 2; side++) {
                p->data[j] = vv[side];
                CHECK(zc_net_forward(net, x, batch, ZC_RUN_TRAIN) == ZC_OK);
                CHECK(zc_cross_entropy(zc_net_output(net, NULL, NULL), labels, batch, 5, &l[side], NULL) == ZC_OK);
                snapshot_signs(net, batch, s2);
                kink |= memcmp(signs, s2, nrelu) != 0;
            }
            p->data[j] = v0;
            if (kink) continue;
            used++;
            double fd = (l[0] - l[1]) / ((double)vv[0] - (double)vv[1]);
            double err = fabs(fd - an) / fmax(1.0, fabs(an));
            if (err > worst) worst = err;
            CHECK_MSG(err <= TOL_NET, "nb201 CE: d/d %s[%zu]: analytic %.9g, fd %.9g", p->name, j, an, fd);
        }
    }
    CHECK_MSG(used * 8 >= tried, "nb201 CE: only %d of %d samples avoided ReLU kinks", used, tried);
    printf("[%s] %-44s %3d/%3d samples, worst |fd - analytic| / max(1, |analytic|) = %.2e\n",
           zc_backend_name(backend), "nb201 mini net (C4 N1 8x8), mean CE", used, tried, worst);
    free(signs);
    free(s2);
    free(x);
    zc_net_free(net);
}

/* ---- recurrent networks ---- */
enum { CELL_TANH, CELL_SIGMOID, CELL_LEAKY, CELL_GATED };

/* W x + b + U h with this step's x and the previous h, W, b, U shared by every step (b may be -1). */
static int rnn_pre(zc_net *net, int x, int h, int w, int b, int u)
{
    int terms[2] = {zc_net_linear_with(net, x, w, b), zc_net_linear_with(net, h, u, -1)};
    return zc_net_add(net, 2, terms);
}

/* A recurrent layer unrolled over the T steps of the sequence `seq` (c features per step), from a
 * state node: h_t = act(W x_t + b + U h_{t-1}), or for CELL_GATED (mul and blend)
 *   z = sigmoid(Wz x + bz + Uz h), r = sigmoid(Wr x + br + Ur h), c = tanh(Wc x + Uc (r * h)),
 *   h' = z * h + (1 - z) * c.
 * Every parameter exists once (zc_net_param) and serves every step. Returns stack(h_1 .. h_T). */
static int rnn_layer(zc_net *net, int seq, int c, int T, int hidden, int cell, int bias, const char *name)
{
    char pn[64];
#define RNN_PARAM(var, suffix, role, rows, cols) \
    snprintf(pn, sizeof pn, "%s.%s", name, suffix); int var = zc_net_param(net, pn, role, rows, cols)
    RNN_PARAM(w, "weight_ih", ZC_PARAM_WEIGHT, hidden, c);
    RNN_PARAM(u, "weight_hh", ZC_PARAM_WEIGHT, hidden, hidden);
    int b = -1;
    if (bias) { RNN_PARAM(bb, "bias", ZC_PARAM_BIAS, hidden, 0); b = bb; }
    int wr = -1, ur = -1, br = -1, wc = -1, uc = -1;
    if (cell == CELL_GATED) {
        RNN_PARAM(w2, "weight_ir", ZC_PARAM_WEIGHT, hidden, c);
        RNN_PARAM(u2, "weight_hr", ZC_PARAM_WEIGHT, hidden, hidden);
        RNN_PARAM(b2, "bias_r", ZC_PARAM_BIAS, hidden, 0);
        RNN_PARAM(w3, "weight_ic", ZC_PARAM_WEIGHT, hidden, c);
        RNN_PARAM(u3, "weight_hc", ZC_PARAM_WEIGHT, hidden, hidden);
        wr = w2; ur = u2; br = b2; wc = w3; uc = u3;
    }
#undef RNN_PARAM
    int h = zc_net_state(net, hidden), hs[ZC_MAX_INPUTS];
    for (int t = 0; t < T; t++) {
        int x = zc_net_step(net, seq, t);
        int pre = rnn_pre(net, x, h, w, b, u);
        switch (cell) {
        case CELL_TANH: h = zc_net_tanh(net, pre); break;
        case CELL_SIGMOID: h = zc_net_sigmoid(net, pre); break;
        case CELL_LEAKY: h = zc_net_leaky_relu(net, pre, 0.1f); break;
        default: {
            int z = zc_net_sigmoid(net, pre);
            int r = zc_net_sigmoid(net, rnn_pre(net, x, h, wr, br, ur));
            int cand = zc_net_tanh(net, rnn_pre(net, x, zc_net_mul(net, r, h), wc, -1, uc));
            h = zc_net_blend(net, z, h, cand);
        }
        }
        hs[t] = h;
    }
    return zc_net_stack(net, T, hs);
}

static void rnn_case(const char *name, int cell, int bias, float state)
{
    zc_net *net = zc_net_new_tiled(3, 1, 1, 4);
    int seq = rnn_layer(net, 0, 3, 4, 4, cell, bias, "rnn");
    run_with(name, net, zc_net_untile(net, seq), 2, 0, 1e-3, (run_opts){0, state});
}

static void recurrent_cases(void)
{
    {
        /* Products: of two linears, of the input with itself (x * x: the same node as both factors),
         * of a linear with itself, and on a tiled input. */
        zc_net *net = zc_net_new(5, 1, 1);
        run("mul(linear a, linear b)", net, zc_net_mul(net, zc_net_linear(net, 0, "a", 4, 1), zc_net_linear(net, 0, "b", 4, 1)),
            3, 0, 1e-2);
        net = zc_net_new(3, 2, 2);
        run("mul(x, x)", net, zc_net_mul(net, 0, 0), 2, 0, 1e-2);
        net = zc_net_new(4, 1, 1);
        int a = zc_net_linear(net, 0, "a", 4, 1);
        run("mul(a, a), a = linear", net, zc_net_mul(net, a, a), 3, 0, 1e-2);
        net = zc_net_new_tiled(3, 1, 1, 2);
        run("tiled mul(tanh x, x) -> untile", net, zc_net_untile(net, zc_net_mul(net, zc_net_tanh(net, 0), 0)), 2, 0, 1e-2);
    }
    {
        /* a * b + (1 - a) * c: three different inputs, then the gate also as c and the input as b. */
        zc_net *net = zc_net_new(5, 1, 1);
        int g = zc_net_sigmoid(net, zc_net_linear(net, 0, "g", 4, 1));
        int b = zc_net_linear(net, 0, "b", 4, 1);
        int c = zc_net_tanh(net, zc_net_linear(net, 0, "c", 4, 0));
        run("blend(sigmoid g, b, tanh c)", net, zc_net_blend(net, g, b, c), 3, 0, 1e-3);   /* h^2 term: see the top */
        net = zc_net_new(4, 1, 1);
        g = zc_net_sigmoid(net, zc_net_linear(net, 0, "g", 4, 1));
        run("blend(s, x, s), s = sigmoid(linear x)", net, zc_net_blend(net, g, 0, g), 3, 0, 1e-2);
        net = zc_net_new(3, 2, 2);
        run("blend(x, x, x)", net, zc_net_blend(net, 0, 0, 0), 2, 0, 1e-2);
    }
    {
        /* A sequence read both whole (tanh, mul) and step by step, steps stacked more than once. */
        zc_net *net = zc_net_new_tiled(3, 1, 1, 3);
        int a = zc_net_tanh(net, 0);
        int s = zc_net_step(net, 0, 1), b = zc_net_step(net, a, 2);
        int terms[2] = {zc_net_untile(net, zc_net_mul(net, a, 0)), zc_net_untile(net, zc_net_stack(net, 3, (int[]){s, b, s}))};
        run("sequence whole and by steps, stack(s, b, s)", net, zc_net_add(net, 2, terms), 2, 0, 1e-2);
        /* One weight on a whole sequence (per tile) and on one of its steps; bias on the first only. */
        net = zc_net_new_tiled(3, 1, 1, 3);
        int w = zc_net_param(net, "l.weight", ZC_PARAM_WEIGHT, 4, 3), bias = zc_net_param(net, "l.bias", ZC_PARAM_BIAS, 4, 0);
        int l1 = zc_net_linear_with(net, 0, w, bias), l2 = zc_net_linear_with(net, zc_net_step(net, 0, 0), w, -1);
        int t2[2] = {zc_net_untile(net, l1), zc_net_untile(net, zc_net_stack(net, 3, (int[]){l2, l2, l2}))};
        run("linear_with on a sequence and on its step 0", net, zc_net_add(net, 2, t2), 2, 0, 1e-2);
    }
    /* 4 steps of 3 features, hidden 4, one W / U / b for all steps, a non-zero initial state. */
    rnn_case("rnn tanh x4 (shared W, U, b; state 0.5)", CELL_TANH, 1, 0.5f);
    rnn_case("rnn sigmoid x4 (shared W, U; state -0.3)", CELL_SIGMOID, 0, -0.3f);
    rnn_case("rnn leaky_relu x4 (shared W, U, b; state 0.2)", CELL_LEAKY, 1, 0.2f);
    rnn_case("rnn gated x4 (mul, blend; 7 shared params)", CELL_GATED, 1, 0.4f);
    rnn_case("rnn tanh x4 (state 0)", CELL_TANH, 1, 0.0f);
    {
        /* Token ids (5 steps, vocabulary 6, repeated ids) -> embedding -> tanh -> untile. */
        zc_net *net = zc_net_new_tiled(1, 1, 1, 5);
        int e = zc_net_embedding(net, 0, "emb", 6, 3);
        run_with("embedding (5 steps of ids, vocab 6) -> tanh", net, zc_net_untile(net, zc_net_tanh(net, e)), 2, 0, 1e-2,
                 (run_opts){6, 0.0f});
        /* One step's ids only. */
        net = zc_net_new_tiled(1, 1, 1, 3);
        e = zc_net_embedding(net, zc_net_step(net, 0, 1), "emb", 4, 5);
        run_with("embedding of step 1 of 3 (vocab 4)", net, zc_net_sigmoid(net, e), 3, 0, 1e-2, (run_opts){4, 0.0f});
    }
    {
        /* A small language model: embedding -> tanh RNN (shared weights) -> decoder tied to the
         * embedding (its weight is both the lookup table and the decoder's, so its gradient is the
         * scatter-add plus every step's decoder gradient). */
        int T = 5, vocab = 7, dim = 4;
        zc_net *net = zc_net_new_tiled(1, 1, 1, T);
        int e = zc_net_embedding(net, 0, "encoder", vocab, dim);
        int seq = rnn_layer(net, e, dim, T, dim, CELL_TANH, 1, "rnn");
        int emb_w = zc_net_find_param(net, "encoder.weight"), dec_b = zc_net_param(net, "decoder.bias", ZC_PARAM_BIAS, vocab, 0);
        int logits[ZC_MAX_INPUTS];
        for (int t = 0; t < T; t++) logits[t] = zc_net_linear_with(net, zc_net_step(net, seq, t), emb_w, dec_b);
        run_with("embedding -> rnn -> tied decoder (5 steps)", net, zc_net_untile(net, zc_net_stack(net, T, logits)), 3, 0,
                 1e-3, (run_opts){vocab, 0.3f});
    }
}

static void run_all(void)
{

    conv_case(3, 6, 7, 4, 3, 1, 1, 1, 1);
    conv_case(4, 7, 5, 6, 1, 1, 0, 1, 0);
    conv_case(4, 9, 8, 4, 5, 2, 2, 2, 1);
    conv_case(6, 6, 6, 6, 3, 2, 1, 6, 0);   /* depth-wise */
    conv_case(2, 5, 5, 3, 3, 1, 0, 1, 1);
    conv_case(8, 5, 5, 16, 3, 1, 1, 1, 0);  /* channel-blocked layouts in backends that use them */

    bn_case(3, 4, 5, 3, 1, 1e-5f);
    bn_case(4, 3, 3, 2, 0, 1e-3f);
    bn_case(2, 2, 2, 4, 1, 1e-3f);

    {
        zc_net *net = zc_net_new(3, 4, 5);
        run("relu (|x| >= 0.2)", net, zc_net_relu(net, 0), 2, 0.2f, 1e-2);
    }
    pool_case(3, 1, 1, 0);
    pool_case(3, 2, 1, 0);
    pool_case(2, 2, 0, 1);
    {
        zc_net *net = zc_net_new(5, 4, 3);
        run("gap", net, zc_net_gap(net, 0), 3, 0, 1e-2);
    }
    {
        zc_net *net = zc_net_new(3, 2, 2);
        run("linear 12->4 bias", net, zc_net_linear(net, 0, "m", 4, 1), 3, 0, 1e-2);
        net = zc_net_new(7, 1, 1);
        run("linear 7->3 no bias", net, zc_net_linear(net, 0, "m", 3, 0), 2, 0, 1e-2);
    }
    {
        /* add(x, relu(x), conv1x1(x), zero(x), x): one node consumed by several branches. */
        zc_net *net = zc_net_new(3, 4, 4);
        int xs[5] = {0, zc_net_relu(net, 0), zc_net_conv2d(net, 0, "c", 3, 1, 1, 0, 1, 0), zc_net_zero(net, 0), 0};
        run("add(x, relu x, conv x, zero x, x)", net, zc_net_add(net, 5, xs), 2, 0.2f, 1e-2);
    }
    {
        zc_net *net = zc_net_new(3, 5, 5);
        int z = zc_net_zero(net, 0);
        run("zero (x * 0)", net, z, 2, 0, 1e-2);
    }
    {
        /* ReLUConvBN the other way round: conv -> bn -> relu. */
        zc_net *net = zc_net_new(3, 6, 6);
        int c = zc_net_conv2d(net, 0, "conv", 4, 3, 1, 1, 1, 0);
        int b = zc_net_batchnorm(net, c, "bn", 1e-5f, 1, 1);
        run("chain conv3x3 -> bn -> relu", net, zc_net_relu(net, b), 2, 0, 1e-3);
    }
    {
        /* 16 channels: conv -> bn -> relu -> avgpool -> add with the bn output. */
        zc_net *net = zc_net_new(3, 4, 4);   /* small output: L's rounding grows with its size */
        int c = zc_net_conv2d(net, 0, "conv", 16, 3, 1, 1, 1, 0);
        int b = zc_net_batchnorm(net, c, "bn", 1e-5f, 1, 1);
        int r = zc_net_relu(net, b);
        int xs[2] = {zc_net_avgpool(net, r, 3, 1, 1, 0), b};
        run("chain 16ch conv -> bn -> relu -> pool (+ bn)", net, zc_net_add(net, 2, xs), 2, 0, 3e-3);
    }
    maxpool_case(3, 1, 1);   /* NAS-Bench-101's maxpool3x3 */
    maxpool_case(2, 2, 0);   /* its downsampling */
    maxpool_case(3, 2, 1);   /* clipped windows */
    {
        /* Concatenation and truncation across channel layouts (16 / 8 / 3 channels: blocked and plain
         * in backends that block), a channel group used twice, and max pooling of the input. */
        zc_net *net = zc_net_new(3, 4, 4);
        int mp = zc_net_maxpool(net, 0, 3, 1, 1);
        int c1 = zc_net_conv2d(net, 0, "c1", 16, 3, 1, 1, 1, 0);
        int c2 = zc_net_conv2d(net, 0, "c2", 8, 1, 1, 0, 1, 0);
        int c3 = zc_net_conv2d(net, mp, "c3", 8, 3, 1, 1, 1, 0);
        int parts[4] = {c1, c2, c3, c1};
        int cat = zc_net_concat(net, 4, parts);
        int terms[2] = {zc_net_truncate(net, cat, 24), zc_net_conv2d(net, 0, "p", 24, 1, 1, 0, 1, 0)};
        int outs[3] = {zc_net_add(net, 2, terms), zc_net_truncate(net, c1, 8), mp};
        run("concat/truncate across layouts + maxpool", net, zc_net_concat(net, 3, outs), 2, -0.05f, 1e-2);
    }
    nb201_case("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|", 0);
    nb201_case("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|", 1);
    /* TransNAS-Bench-101's ops: transposed convs (its decoders' k3 s2 p1 op1 with bias; a stride-1
     * one; 16 channels for blocked layouts), leaky ReLU, tanh, the one-pixel shift, 'none' that
     * changes stride or channels, and a tiled encoder (per-tile batch norm) put side by side. */
    {
        zc_net *net = zc_net_new(4, 3, 4);
        run("deconv2d 4->3 k3 s2 p1 op1 bias", net, zc_net_deconv2d(net, 0, "d", 3, 3, 2, 1, 1, 1), 2, 0, 1e-2);
        net = zc_net_new(3, 4, 4);
        run("deconv2d 3->2 k3 s1 p1 no bias", net, zc_net_deconv2d(net, 0, "d", 2, 3, 1, 1, 0, 0), 2, 0, 1e-2);
        net = zc_net_new(8, 2, 2);
        int c = zc_net_conv2d(net, 0, "c", 16, 1, 1, 0, 1, 0);
        run("conv 16 -> deconv2d 16->16 k3 s2 p1 op1", net, zc_net_deconv2d(net, c, "d", 16, 3, 2, 1, 1, 1), 2, 0, 1e-2);
    }
    {
        /* A dense head's last conv: blocked 16 channels in, a 3-channel output the network reads plain. */
        zc_net *net = zc_net_new(8, 5, 5);
        int c = zc_net_conv2d(net, 0, "c", 16, 1, 1, 0, 1, 0);
        run("conv 16 -> conv3x3 16->3 bias (output)", net, zc_net_conv2d(net, c, "o", 3, 3, 1, 1, 1, 1), 2, 0, 1e-2);
    }
    {
        zc_net *net = zc_net_new(3, 4, 5);
        run("leaky_relu 0.2 (|x| >= 0.2)", net, zc_net_leaky_relu(net, 0, 0.2f), 2, 0.2f, 1e-2);
        net = zc_net_new(3, 4, 5);
        run("tanh", net, zc_net_tanh(net, 0), 2, 0, 1e-2);
        net = zc_net_new(3, 5, 4);
        run("shift", net, zc_net_shift(net, 0), 2, 0, 1e-2);
    }
    {
        /* FactorizedReduce: relu, conv1x1 s2 on x and on shift(x), concat, bn; plus both shape-changing
         * 'none's of the same input in the sum. */
        zc_net *net = zc_net_new(4, 6, 6);
        int r = zc_net_relu(net, 0);
        int parts[2] = {zc_net_conv2d(net, r, "c0", 8, 1, 2, 0, 1, 0), zc_net_conv2d(net, zc_net_shift(net, r), "c1", 8, 1, 2, 0, 1, 0)};
        int bn = zc_net_batchnorm(net, zc_net_concat(net, 2, parts), "bn", 1e-5f, 1, 1);
        int terms[3] = {bn, zc_net_zero_to(net, 0, 16, 2), zc_net_zero_to(net, zc_net_conv2d(net, 0, "p", 16, 1, 1, 0, 1, 0), 16, 2)};
        run("factorized reduce + zero_to (C and stride)", net, zc_net_add(net, 3, terms), 2, 0.2f, 1e-3);
    }
    {
        /* 3 tiles per sample: conv -> bn (per-tile statistics) -> relu -> gap -> untile -> linear. */
        zc_net *net = zc_net_new_tiled(2, 4, 4, 3);
        int c = zc_net_conv2d(net, 0, "c", 16, 3, 1, 1, 1, 0);
        int b = zc_net_batchnorm(net, c, "bn", 1e-5f, 1, 1);
        int u = zc_net_untile(net, zc_net_gap(net, zc_net_relu(net, b)));
        run("tiled conv -> bn -> relu -> gap -> untile -> linear", net, zc_net_linear(net, u, "fc", 5, 1), 3, 0, 1e-3);
    }
    recurrent_cases();
}

/* A max pooling and a truncation of blocked tensors (16 channels from a conv), which the single-op
 * cases above cannot reach in backends that block only conv outputs: the default backend must agree
 * with the reference one (same kernels on another layout; only the convs round differently). */
static double rel_diff(const float *a, const float *b, size_t n)
{
    double d = 0, r = 0;
    for (size_t i = 0; i < n; i++) { d += ((double)a[i] - b[i]) * ((double)a[i] - b[i]); r += (double)b[i] * b[i]; }
    return sqrt(d / (r > 1e-30 ? r : 1e-30));
}

static void blocked_agreement(void)
{
    const zc_backend *be[2] = {zc_backend_get("ref"), zc_backend_default()};
    if (be[0] == be[1]) return;
    float *y[2] = {NULL, NULL}, *dx[2] = {NULL, NULL}, *gw[2] = {NULL, NULL};
    size_t ny = 0, nx = 0, nw = 0;
    for (int b = 0; b < 2; b++) {
        zc_rng_seed(&rng, 777, 0);
        zc_net *net = zc_net_new(3, 6, 6);
        int c = zc_net_conv2d(net, 0, "c", 16, 3, 1, 1, 1, 0);
        int m = zc_net_maxpool(net, c, 3, 1, 1);
        int d = zc_net_maxpool(net, m, 2, 2, 0);
        int parts[2] = {zc_net_truncate(net, d, 8), zc_net_truncate(net, zc_net_maxpool(net, c, 2, 2, 0), 5)};
        CHECK(zc_net_finish(net, zc_net_concat(net, 2, parts)) == ZC_OK);
        net->need_input_grad = 1;
        zc_net_set_backend(net, be[b]);
        random_params(net);
        float *x = random_input(net, 2, 0);
        CHECK(zc_net_forward(net, x, 2, ZC_RUN_TRAIN) == ZC_OK);
        const zc_node *o = &net->nodes[net->output];
        ny = (size_t)2 * o->c * o->h * o->w;
        nx = (size_t)2 * 3 * 6 * 6;
        nw = net->params[0].numel;
        y[b] = malloc(ny * sizeof(float));
        dx[b] = malloc(nx * sizeof(float));
        gw[b] = malloc(nw * sizeof(float));
        memcpy(y[b], zc_net_output(net, NULL, NULL), ny * sizeof(float));
        float *r = malloc(ny * sizeof *r);
        for (size_t i = 0; i < ny; i++) r[i] = (float)zc_rng_normal(&rng);
        CHECK(zc_net_backward(net, r) == ZC_OK);
        CHECK(zc_net_read(net, 0, 1, dx[b]) == ZC_OK);
        memcpy(gw[b], zc_net_param_grad(net, 0), nw * sizeof(float));
        free(r);
        free(x);
        zc_net_free(net);
    }
    double e = fmax(rel_diff(y[1], y[0], ny), fmax(rel_diff(dx[1], dx[0], nx), rel_diff(gw[1], gw[0], nw)));
    CHECK_MSG(e <= 1e-5, "blocked maxpool/truncate: %s vs ref differ by %.3g", zc_backend_name(be[1]), e);
    printf("[%s] %-44s max relative difference from ref %.2e\n", zc_backend_name(be[1]),
           "blocked conv16 -> maxpool -> truncate/concat", e);
    for (int b = 0; b < 2; b++) { free(y[b]); free(dx[b]); free(gw[b]); }
}

/* Running statistics (zc_net_set_bn_momentum): two training forwards move them as PyTorch's BN does
 * (momentum 0.1, unbiased variance, from 0 and 1), eval mode normalises with them, and resetting the
 * momentum brings back a fresh model's; recomputed here from the convolution's outputs. */
static void bn_running_stats(void)
{
    const zc_backend *be[2] = {zc_backend_get("ref"), zc_backend_default()};
    for (int b = 0; b < 2; b++) {
        if (b == 1 && be[1] == be[0]) break;
        zc_rng_seed(&rng, 99, 0);
        zc_net *net = zc_net_new(3, 6, 6);
        int c = zc_net_conv2d(net, 0, "c", 16, 3, 1, 1, 1, 0);
        int bn = zc_net_batchnorm(net, c, "bn", 1e-5f, 1, 1);
        CHECK(zc_net_finish(net, bn) == ZC_OK);
        zc_net_set_backend(net, be[b]);
        random_params(net);
        zc_net_keep(net, c);
        zc_net_set_bn_momentum(net, 0.1);
        const int B = 3, C = 16, HW = 36;
        double rm[16], rv[16], worst = 0.0;
        for (int k = 0; k < C; k++) rm[k] = 0.0, rv[k] = 1.0;
        float *conv = malloc((size_t)B * C * HW * sizeof *conv), *y = malloc((size_t)B * C * HW * sizeof *y);
        for (int pass = 0; pass < 3; pass++) {
            float *x = random_input(net, B, 0);
            if (pass == 2) zc_net_set_bn_eval(net, 1);
            CHECK(zc_net_forward(net, x, B, ZC_RUN_TRAIN) == ZC_OK);
            CHECK(zc_net_read(net, c, 0, conv) == ZC_OK && zc_net_read(net, bn, 0, y) == ZC_OK);
            for (int k = 0; k < C && pass < 2; k++) {   /* PyTorch's update */
                double s = 0, ss = 0;
                for (int i = 0; i < B; i++)
                    for (int j = 0; j < HW; j++) s += conv[((size_t)i * C + k) * HW + j];
                double mean = s / (B * HW);
                for (int i = 0; i < B; i++)
                    for (int j = 0; j < HW; j++) ss += pow(conv[((size_t)i * C + k) * HW + j] - mean, 2);
                rm[k] = 0.9 * rm[k] + 0.1 * mean;
                rv[k] = 0.9 * rv[k] + 0.1 * ss / (B * HW - 1);
            }
            for (int k = 0; k < C && pass == 2; k++) {
                double g = net->params[net->nodes[bn].weight].data[k], beta = net->params[net->nodes[bn].bias].data[k];
                for (int i = 0; i < B; i++)
                    for (int j = 0; j < HW; j++) {
                        size_t at = ((size_t)i * C + k) * HW + j;
                        double want = g * (conv[at] - rm[k]) / sqrt(rv[k] + 1e-5) + beta;
                        worst = fmax(worst, fabs(y[at] - want) / (1e-3 + fabs(want)));
                    }
            }
            free(x);
        }
        CHECK_MSG(worst < 1e-4, "[%s] eval with running stats after 2 updates: worst relative error %.3g",
                  zc_backend_name(be[b]), worst);
        /* reset: a fresh model's statistics again */
        zc_net_set_bn_momentum(net, 0.0);
        float *x = random_input(net, B, 0);
        CHECK(zc_net_forward(net, x, B, ZC_RUN_TRAIN) == ZC_OK);
        CHECK(zc_net_read(net, c, 0, conv) == ZC_OK && zc_net_read(net, bn, 0, y) == ZC_OK);
        worst = 0.0;
        for (int k = 0; k < C; k++) {
            double g = net->params[net->nodes[bn].weight].data[k], beta = net->params[net->nodes[bn].bias].data[k];
            for (int i = 0; i < B * HW / C; i++) {
                size_t at = (size_t)k * HW + (size_t)i;
                double want = g * conv[at] / sqrt(1.0 + 1e-5) + beta;
                worst = fmax(worst, fabs(y[at] - want) / (1e-3 + fabs(want)));
            }
        }
        CHECK_MSG(worst < 1e-5, "[%s] fresh statistics after the reset: %.3g", zc_backend_name(be[b]), worst);
        printf("[%s] %-44s ok\n", zc_backend_name(be[b]), "batch norm running statistics");
        free(x);
        free(conv);
        free(y);
        zc_net_free(net);
    }
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 12345;
    /* The reference backend, then the build's default backend when it is another one. */
    const zc_backend *backends[2] = {zc_backend_get("ref"), zc_backend_default()};
    for (int b = 0; b < 2; b++) {
        if (b == 1 && backends[1] == backends[0]) break;
        backend = backends[b];
        zc_rng_seed(&rng, seed, 0);
        run_all();
    }
    blocked_agreement();
    bn_running_stats();
    return check_report("test_gradcheck");
}
