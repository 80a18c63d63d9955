/* epsilon / epsinas (Gracheva): two constant-weight initialisations, one fixed batch, forward only.
 * Each output is min-max normalised over the whole flattened vector, exact zeros become NaN, and
 * the score is the NaN-aware mean absolute difference divided by the NaN-aware mean of both.
 * Arithmetic is float32 as in the official code: which architectures come out NaN depends on
 * float32 underflow along the conv paths (spec 2.6). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "proxies/proxy_impl.h"
#include "zcnas/evaluators.h"

/* (y - nanmin) / (nanmax - nanmin) in float32, zeros -> NaN. */
static void normalise(const float *y, size_t n, float *p)
{
    float mn = NAN, mx = NAN;
    for (size_t i = 0; i < n; i++) {
        if (isnan(y[i])) continue;
        if (isnan(mn) || y[i] < mn) mn = y[i];
        if (isnan(mx) || y[i] > mx) mx = y[i];
    }
    float range = mx - mn;
    for (size_t i = 0; i < n; i++) {
        float v = (y[i] - mn) / range;
        p[i] = v == 0.0f ? NAN : v;
    }
}

double zc_epsilon_from_outputs(const float *y_low, const float *y_high, size_t n)
{
    float *p = malloc(2 * n * sizeof *p);
    if (!p) return NAN;
    normalise(y_low, n, p);
    normalise(y_high, n, p + n);
    double diff = 0.0, total = 0.0;
    size_t n_diff = 0, n_total = 0;
    for (size_t i = 0; i < n; i++) {
        float a = p[i], b = p[n + i];
        if (!isnan(a) && !isnan(b)) { diff += fabsf(a - b); n_diff++; }
        if (!isnan(a)) { total += a; n_total++; }
        if (!isnan(b)) { total += b; n_total++; }
    }
    free(p);
    if (n_diff == 0 || n_total == 0) return NAN;
    return (diff / (double)n_diff) / (total / (double)n_total);
}

zc_status zc_epsilon_net(zc_net *net, const zc_batch *batch, float w_low, float w_high,
                         int exact_full, double *score)
{
    float *y[2] = {NULL, NULL};
    zc_node_info o;
    zc_net_node_info(net, zc_net_output_node(net), &o);
    size_t n = (size_t)batch->n * o.c * o.h * o.w;
    float w[2] = {w_low, w_high};
    zc_status st = ZC_OK;
    for (int k = 0; k < 2 && st == ZC_OK; k++) {
        if ((st = zc_net_init_constant(net, w[k])) != ZC_OK) break;
        if (!(y[k] = malloc(n * sizeof(float)))) { st = zc_fail(ZC_ENOMEM, "epsilon: out of memory"); break; }
        if (!exact_full) {
            st = zc_eval_uniform(net, batch->x, batch->n, y[k]);
            /* An op the exact evaluator does not cover: both inits run the full network instead. */
            if (st == ZC_EUNSUPPORTED && k == 0) {
                zc_clear_error();
                exact_full = 1;
                st = ZC_OK;
            } else {
                continue;
            }
        }
        if ((st = zc_net_forward(net, batch->x, batch->n, ZC_RUN_INFER)) != ZC_OK) break;
        const float *out = zc_net_output(net, NULL, NULL);
        if (!out) { st = zc_fail(ZC_ENOMEM, "epsilon: out of memory"); break; }
        memcpy(y[k], out, n * sizeof(float));
    }
    zc_net_release_buffers(net);
    if (st == ZC_OK) *score = zc_epsilon_from_outputs(y[0], y[1], n);
    free(y[0]);
    free(y[1]);
    return st;
}

void zc_epsilon_weights(const zc_space *space, const zc_proxy_opts *o, float *low, float *high)
{
    if (o && o->eps_w_low > 0 && o->eps_w_high > 0) { *low = o->eps_w_low; *high = o->eps_w_high; }
    else if (space && space->eps_weights[0] > 0) { *low = space->eps_weights[0]; *high = space->eps_weights[1]; }
    else { *low = 1e-7f; *high = 1.0f; }
}

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *o, double *score)
{
    const zc_batch *b = NULL;
    zc_status st = zci_proxy_need_batch(in, "epsilon", &b);
    if (st != ZC_OK) return st;
    /* epsinas builds its networks with one output unit and BN without running stats. */
    zc_build_opts bo = {1, 0, 0, 0};
    zc_net *net;
    if ((st = zci_proxy_build(in, o, &bo, &net)) != ZC_OK) return st;
    float lo, hi;
    zc_epsilon_weights(in->space->space, o, &lo, &hi);
    st = zc_epsilon_net(net, b, lo, hi, o->eps_exact_full, score);
    zc_net_free(net);
    return st;
}

const zc_proxy zc_proxy_epsilon = {
    .name = "epsilon",
    .help = "epsinas: output dispersion between two constant-weight inits (NaN possible)",
    .data = {ZC_INPUT_IMAGES, "epsilon", 256, 1, 1, 0},
    .init = ZC_INIT_CONSTANT,
    .score = score,
};
