/* epsilon / epsinas (Gracheva): two constant-weight initialisations, one fixed batch, forward only.
 * Each output is min-max normalised over the whole flattened vector, exact zeros become NaN, and
 * the score is the NaN-aware mean absolute difference divided by the NaN-aware mean of both.
 * Arithmetic is float32 as in the official code: which architectures come out NaN depends on
 * float32 underflow along the conv paths (spec 2.6). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "zcnas/proxy.h"

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
    size_t n = 0;
    float w[2] = {w_low, w_high};
    zc_status st = ZC_OK;
    for (int k = 0; k < 2 && st == ZC_OK; k++) {
        zc_net_init_constant(net, w[k]);
        st = exact_full ? zc_net_forward(net, batch->x, batch->n, ZC_RUN_INFER)
                        : zc_net_forward_uniform(net, batch->x, batch->n);
        if (st != ZC_OK) break;
        int nb, dim;
        const float *out = zc_net_output(net, &nb, &dim);
        n = (size_t)nb * dim;
        if (!(y[k] = malloc(n * sizeof(float)))) { st = zc_fail(ZC_ENOMEM, "epsilon: out of memory"); break; }
        memcpy(y[k], out, n * sizeof(float));
    }
    zc_net_release_buffers(net);
    if (st == ZC_OK) *score = zc_epsilon_from_outputs(y[0], y[1], n);
    free(y[0]);
    free(y[1]);
    return st;
}
