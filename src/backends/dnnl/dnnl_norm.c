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

static ZC_VECTORIZE void channel_sums(const geom *g, const float *x, const float *dy, const double *mean,
                                      double *s1, double *s2)
{
    /* dy == NULL: s1 = sum x, s2 unused. mean == NULL. Else: s1 = sum dy, s2 = sum dy*(x-mean). */
    for (int n = 0; n < g->batch; n++)
        for (int cb = 0; cb < g->nb; cb++) {
            size_t base = ((size_t)n * g->nb + cb) * g->hw * g->b;
            double *a1 = s1 + (size_t)cb * g->b, *a2 = s2 + (size_t)cb * g->b;
            if (!dy) {
                for (size_t p = 0; p < g->hw; p++)
                    for (int l = 0; l < g->b; l++) a1[l] += x[base + p * g->b + l];
            } else {
                const double *m = mean + (size_t)cb * g->b;
                for (size_t p = 0; p < g->hw; p++)
                    for (int l = 0; l < g->b; l++) {
                        double d = dy[base + p * g->b + l];
                        a1[l] += d;
                        a2[l] += d * ((double)x[base + p * g->b + l] - m[l]);
                    }
            }
        }
}

static ZC_VECTORIZE void channel_var(const geom *g, const float *x, const double *mean, double *s)
{
    for (int n = 0; n < g->batch; n++)
        for (int cb = 0; cb < g->nb; cb++) {
            size_t base = ((size_t)n * g->nb + cb) * g->hw * g->b;
            double *a = s + (size_t)cb * g->b;
            const double *m = mean + (size_t)cb * g->b;
            for (size_t p = 0; p < g->hw; p++)
                for (int l = 0; l < g->b; l++) {
                    double d = (double)x[base + p * g->b + l] - m[l];
                    a[l] += d * d;
                }
        }
}

/* y = x * k[c] + o[c] (float), or with mode 1: dx = k[c] * (dy - o[c] - (x - m[c]) * r[c]). */
static ZC_VECTORIZE void apply(const geom *g, const float *x, const float *dy, float *y, const float *k,
                               const float *o, const float *m, const float *r, int accumulate)
{
    for (int n = 0; n < g->batch; n++)
        for (int cb = 0; cb < g->nb; cb++) {
            size_t base = ((size_t)n * g->nb + cb) * g->hw * g->b;
            const float *kk = k + (size_t)cb * g->b, *oo = o + (size_t)cb * g->b;
            if (!dy) {
                const float *mm = m + (size_t)cb * g->b;
                for (size_t p = 0; p < g->hw; p++)
                    for (int l = 0; l < g->b; l++) {
                        size_t i = base + p * g->b + l;
                        y[i] = (x[i] - mm[l]) * kk[l] + oo[l];
                    }
            } else {
                const float *mm = m + (size_t)cb * g->b, *rr = r + (size_t)cb * g->b;
                for (size_t p = 0; p < g->hw; p++)
                    for (int l = 0; l < g->b; l++) {
                        size_t i = base + p * g->b + l;
                        float v = kk[l] * ((dy[i] - oo[l]) - (x[i] - mm[l]) * rr[l]);
                        y[i] = accumulate ? y[i] + v : v;
                    }
            }
        }
}

zc_status dn_bn_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = &net->nodes[node->in[0]];
    geom g = geom_of(node, batch);
    size_t cp = (size_t)g.nb * g.b;   /* channels rounded up to whole blocks */
    const float *gamma = node->affine ? net->params[node->weight].data : NULL;
    const float *beta = node->affine ? net->params[node->bias].data : NULL;
    free(node->saved);
    node->saved = calloc(3 * cp, sizeof *node->saved);   /* mean, invstd, scratch */
    float *f = malloc(3 * cp * sizeof *f);
    if (!node->saved || !f) { free(f); return zc_fail(ZC_ENOMEM, "out of memory (batch norm)"); }
    double *mean = node->saved, *invstd = node->saved + cp, *tmp = node->saved + 2 * cp;
    double m = (double)batch * g.hw;
    channel_sums(&g, in->out, NULL, NULL, mean, tmp);
    for (size_t c = 0; c < cp; c++) mean[c] /= m;
    channel_var(&g, in->out, mean, invstd);
    for (size_t c = 0; c < cp; c++) {
        int real = (int)c < node->c;
        invstd[c] = 1.0 / sqrt(invstd[c] / m + node->eps);
        f[c] = real ? (float)invstd[c] * (gamma ? gamma[c] : 1.0f) : 0.0f;   /* scale */
        f[cp + c] = real && beta ? beta[c] : 0.0f;                          /* shift */
        f[2 * cp + c] = (float)mean[c];
    }
    apply(&g, in->out, NULL, node->out, f, f + cp, f + 2 * cp, NULL, 0);
    free(f);
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
    channel_sums(&g, in->out, node->grad, mean, s, s + cp);   /* sum dy, sum dy*(x-mean) */
    double m = (double)batch * g.hw;
    for (int c = 0; c < node->c; c++)
        if (node->affine) {
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
        }
        apply(&g, in->out, node->grad, in->grad, f, f + cp, f + 2 * cp, f + 3 * cp, in->grad_set);
        in->grad_set = 1;
    }
    free(s);
    free(f);
    return ZC_OK;
}
