/* Batch normalisation with batch statistics, on the backend's layouts (plain NCHW, nChw8c,
 * nChw16c) in C rather than oneDNN: its reductions accumulate in float32, and in deep networks the
 * per-channel gradient sums (which cancel to nearly zero) then lose most of their digits. Here every
 * per-channel sum is accumulated in double, as in the reference backend; element-wise work is float.
 * The op is memory-bound, so this costs nothing measurable. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "backends/ref/simd.h"
#include "dnnl_internal.h"

/* Channels per block of a layout (1 = plain: one channel's plane is contiguous). */
static int block_of(int layout) { return layout == DN_BLOCK16 ? 16 : layout == DN_BLOCK8 ? 8 : 1; }

/* Visits the tensor as (image, channel block, spatial position) runs of `b` channel lanes: the
 * element of channel cb*b + l at position p of image n is at ((n*nb + cb)*hw + p)*b + l. For the
 * plain layout b = 1 and the runs are single elements. */
typedef struct geom { int batch, C, b, nb; size_t hw; } geom;

static geom geom_of(const zc_node *n, int batch)
{
    geom g = {batch, n->c, block_of(n->layout), 0, (size_t)n->h * n->w};
    g.nb = (n->c + g.b - 1) / g.b;
    return g;
}

/* The kernels visit one run (image n, channel block cb: hw positions of B lanes) at a time. They
 * are written for a compile-time lane count B (inlined into one function per layout) so that the
 * lanes become vector registers, with two interleaved partial sums per lane (a fixed order: the
 * results do not depend on the vector width). */
#define ZC_INLINE static inline __attribute__((always_inline))

/* The per-channel sums of a run, with d = x - c:
 *   dy == NULL (moments):        s1 += sum d,  s2 += sum d^2        (c: a sample of the channel)
 *   dy != NULL (gradient sums):  s1 += sum dy, s2 += sum dy * d     (c: the mean)
 * Callers pass NULL literally, so each use inlines to its own branch-free loop. */
ZC_INLINE void run_sums(const float *restrict x, const float *restrict dy, size_t hw, const int B,
                        const double *restrict c, double *restrict s1, double *restrict s2)
{
    double a1[2][16] = {{0}}, a2[2][16] = {{0}};
    size_t p = 0;
    for (; p + 2 <= hw; p += 2)
        for (int u = 0; u < 2; u++)
            for (int l = 0; l < B; l++) {
                size_t i = (p + u) * B + l;
                double d = (double)x[i] - c[l], t = dy ? (double)dy[i] : d;
                a1[u][l] += t;
                a2[u][l] += t * d;
            }
    for (; p < hw; p++)
        for (int l = 0; l < B; l++) {
            size_t i = p * B + l;
            double d = (double)x[i] - c[l], t = dy ? (double)dy[i] : d;
            a1[0][l] += t;
            a2[0][l] += t * d;
        }
    for (int l = 0; l < B; l++) { s1[l] += a1[0][l] + a1[1][l]; s2[l] += a2[0][l] + a2[1][l]; }
}

/* y = (x - m) * k + o */
ZC_INLINE void run_normalise(const float *restrict x, float *restrict y, size_t hw, const int B,
                             const float *restrict k, const float *restrict o, const float *restrict m)
{
    for (size_t p = 0; p < hw; p++)
        for (int l = 0; l < B; l++) y[p * B + l] = (x[p * B + l] - m[l]) * k[l] + o[l];
}

/* dx (=, or += when accumulate) k * ((dy - o) - (x - m) * r) */
ZC_INLINE void run_input_grad(const float *restrict x, const float *restrict dy, float *restrict dx, size_t hw,
                              const int B, const float *restrict k, const float *restrict o,
                              const float *restrict m, const float *restrict r, int accumulate)
{
    if (accumulate)
        for (size_t p = 0; p < hw; p++)
            for (int l = 0; l < B; l++) {
                size_t i = p * B + l;
                dx[i] += k[l] * ((dy[i] - o[l]) - (x[i] - m[l]) * r[l]);
            }
    else
        for (size_t p = 0; p < hw; p++)
            for (int l = 0; l < B; l++) {
                size_t i = p * B + l;
                dx[i] = k[l] * ((dy[i] - o[l]) - (x[i] - m[l]) * r[l]);
            }
}

/* What one pass over the tensor does, and its operands (per-channel vectors indexed cb * b + l). */
typedef enum { PASS_MOMENTS, PASS_GRAD_SUMS, PASS_NORMALISE, PASS_INPUT_GRAD } pass_kind;
typedef struct pass {
    pass_kind kind;
    const float *x, *dy;
    float *y;
    const double *shift;   /* the shift of the moments, or the mean of the gradient sums */
    double *s1, *s2;
    const float *k, *o, *m, *r;
    int accumulate;
} pass;

ZC_INLINE void run_pass(const geom *g, const pass *ps, const int B)
{
    for (int n = 0; n < g->batch; n++)
        for (int cb = 0; cb < g->nb; cb++) {
            size_t base = ((size_t)n * g->nb + cb) * g->hw * B, c = (size_t)cb * B;
            switch (ps->kind) {
            case PASS_MOMENTS: run_sums(ps->x + base, NULL, g->hw, B, ps->shift + c, ps->s1 + c, ps->s2 + c); break;
            case PASS_GRAD_SUMS:
                run_sums(ps->x + base, ps->dy + base, g->hw, B, ps->shift + c, ps->s1 + c, ps->s2 + c);
                break;
            case PASS_NORMALISE: run_normalise(ps->x + base, ps->y + base, g->hw, B, ps->k + c, ps->o + c, ps->m + c); break;
            case PASS_INPUT_GRAD:
                run_input_grad(ps->x + base, ps->dy + base, ps->y + base, g->hw, B, ps->k + c, ps->o + c, ps->m + c,
                               ps->r + c, ps->accumulate);
                break;
            }
        }
}

static ZC_VECTORIZE void pass16(const geom *g, const pass *ps) { run_pass(g, ps, 16); }
static ZC_VECTORIZE void pass8(const geom *g, const pass *ps) { run_pass(g, ps, 8); }
static void pass1(const geom *g, const pass *ps) { run_pass(g, ps, 1); }

static void run(const geom *g, const pass *ps)
{
    if (g->b == 16) pass16(g, ps);
    else if (g->b == 8) pass8(g, ps);
    else pass1(g, ps);
}

zc_status dn_bn_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = &net->nodes[node->in[0]];
    geom g = geom_of(node, batch);
    size_t cp = (size_t)g.nb * g.b;   /* channels rounded up to whole blocks */
    const float *gamma = node->affine ? net->params[node->weight].data : NULL;
    const float *beta = node->affine ? net->params[node->bias].data : NULL;
    free(node->saved);
    node->saved = calloc(4 * cp, sizeof *node->saved);   /* mean, invstd, then scratch */
    float *f = malloc(3 * cp * sizeof *f);
    if (!node->saved || !f) { free(f); return zc_fail(ZC_ENOMEM, "out of memory (batch norm)"); }
    double *mean = node->saved, *invstd = node->saved + cp, *s1 = node->saved + 2 * cp, *shift = node->saved + 3 * cp;
    /* One pass for both moments, taken about a sample of each channel (its first element) so that
     * the variance E[d^2] - E[d]^2 does not cancel even when |mean| >> std. */
    for (size_t c = 0; c < cp; c++) shift[c] = in->out[(c / g.b) * g.hw * g.b + c % g.b];
    pass ps = {.kind = PASS_MOMENTS, .x = in->out, .shift = shift, .s1 = s1, .s2 = invstd};
    if (!net->bn_eval) run(&g, &ps);   /* eval mode: the fresh running statistics below */
    double m = (double)batch * g.hw;
    for (size_t c = 0; c < cp; c++) {
        int real = (int)c < node->c;
        double d = s1[c] / m, var = invstd[c] / m - d * d;
        mean[c] = shift[c] + d;
        invstd[c] = 1.0 / sqrt((var > 0.0 ? var : 0.0) + node->eps);
        if (net->bn_eval && real) zci_bn_eval_stats(node, (int)c, &mean[c], &invstd[c]);   /* running stats */
        else if (net->bn_eval) mean[c] = 0.0, invstd[c] = 1.0;
        f[c] = real ? (float)invstd[c] * (gamma ? gamma[c] : 1.0f) : 0.0f;   /* scale */
        f[cp + c] = real && beta ? beta[c] : 0.0f;                          /* shift */
        f[2 * cp + c] = (float)mean[c];
    }
    pass ap = {.kind = PASS_NORMALISE, .x = in->out, .y = node->out, .k = f, .o = f + cp, .m = f + 2 * cp};
    run(&g, &ap);
    free(f);
    zci_bn_update_running(net, node, mean, invstd, m);
    return ZC_OK;
}

zc_status dn_bn_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = &net->nodes[node->in[0]];
    geom g = geom_of(node, batch);
    size_t cp = (size_t)g.nb * g.b;
    const float *gamma = node->affine ? net->params[node->weight].data : NULL;
    double *mean = node->saved, *invstd = node->saved + cp;
    double *s = calloc(2 * cp, sizeof *s);
    float *f = malloc(4 * cp * sizeof *f);
    if (!s || !f) { free(s); free(f); return zc_fail(ZC_ENOMEM, "out of memory (batch norm)"); }
    pass ps = {.kind = PASS_GRAD_SUMS, .x = in->out, .dy = node->grad, .shift = mean, .s1 = s, .s2 = s + cp};
    int frozen = node->affine && net->params[node->weight].no_grad;
    if (!(net->bn_eval && (!node->affine || frozen))) run(&g, &ps);   /* sum dy, sum dy*(x-mean) */
    double m = (double)batch * g.hw;
    for (int c = 0; c < node->c; c++)
        if (node->affine && !frozen) {
            net->params[node->bias].grad[c] += (float)s[c];
            net->params[node->weight].grad[c] += (float)(s[cp + c] * invstd[c]);
        }
    if (in->grad) {
        for (size_t c = 0; c < cp; c++) {
            int real = (int)c < node->c;
            double k = real ? (gamma ? gamma[c] : 1.0) * invstd[c] : 0.0;
            f[c] = (float)k;                                                 /* gamma * invstd */
            f[cp + c] = (float)(s[c] / m);                                   /* mean dy */
            f[2 * cp + c] = (float)mean[c];
            f[3 * cp + c] = (float)(s[cp + c] / m * invstd[c] * invstd[c]);  /* mean dy*xhat * invstd */
            if (net->bn_eval) f[cp + c] = f[3 * cp + c] = 0.0f;   /* constant statistics */
        }
        pass ap = {.kind = PASS_INPUT_GRAD, .x = in->out, .dy = node->grad, .y = in->grad,
                   .k = f, .o = f + cp, .m = f + 2 * cp, .r = f + 3 * cp, .accumulate = in->grad_set};
        run(&g, &ap);
        in->grad_set = 1;
    }
    free(s);
    free(f);
    return ZC_OK;
}
