/* The losses the benchmarks train with, on a batch's targets (zcnas/data.h): classification
 * cross-entropy, TransNAS-Bench-101's soft-target cross-entropy, MSE, L1 and per-pixel cross-entropy.
 * Sums in double; gradients as PyTorch's autograd gives them for the mean reductions. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "zcnas/data.h"
#include "zcnas/net.h"

const char *zc_loss_name(zc_loss loss)
{
    switch (loss) {
    case ZC_LOSS_CE: return "cross-entropy";
    case ZC_LOSS_SOFT_CE: return "soft-target cross-entropy";
    case ZC_LOSS_MSE: return "MSE";
    case ZC_LOSS_L1: return "L1";
    case ZC_LOSS_PIXEL_CE: return "per-pixel cross-entropy";
    case ZC_LOSS_TOKEN_CE: return "per-token cross-entropy";
    }
    return "?";
}

/* -mean_b sum_c t log(softmax(z) + 1e-5); d/dz_j = -(q_j p_j - p_j sum_c q_c p_c) / n, q = t / (p + 1e-5). */
static zc_status soft_ce(const float *z, const float *t, int n, int k, double *loss, float *dz)
{
    double total = 0.0;
    double *p = malloc((size_t)k * sizeof *p);
    if (!p) return zc_fail(ZC_ENOMEM, "loss: out of memory");
    for (int b = 0; b < n; b++) {
        const float *zb = z + (size_t)b * k, *tb = t + (size_t)b * k;
        double m = zb[0], s = 0.0, qp = 0.0;
        for (int c = 1; c < k; c++) if (zb[c] > m) m = zb[c];
        for (int c = 0; c < k; c++) s += (p[c] = exp((double)zb[c] - m));
        for (int c = 0; c < k; c++) {
            /* PyTorch computes softmax in float: the 1e-5 is added to a float probability. */
            p[c] = (double)(float)(p[c] / s);
            total -= (double)tb[c] * log(p[c] + 1e-5);
            qp += (double)tb[c] / (p[c] + 1e-5) * p[c];
        }
        if (dz)
            for (int c = 0; c < k; c++)
                dz[(size_t)b * k + c] = (float)(-(((double)tb[c] / (p[c] + 1e-5)) * p[c] - p[c] * qp) / n);
    }
    free(p);
    *loss = total / n;
    return ZC_OK;
}

static zc_status pixel_ce(const float *z, const int *y, int n, int k, size_t hw, double *loss, float *dz)
{
    double total = 0.0, count = (double)n * (double)hw;
    for (int b = 0; b < n; b++)
        for (size_t i = 0; i < hw; i++) {
            const float *zb = z + (size_t)b * k * hw + i;
            int label = y[(size_t)b * hw + i];
            if (label < 0 || label >= k) return zc_fail(ZC_EINVAL, "loss: pixel label %d out of range 0..%d", label, k - 1);
            double m = zb[0], s = 0.0;
            for (int c = 1; c < k; c++) if (zb[(size_t)c * hw] > m) m = zb[(size_t)c * hw];
            for (int c = 0; c < k; c++) s += exp((double)zb[(size_t)c * hw] - m);
            double lse = m + log(s);
            total += lse - (double)zb[(size_t)label * hw];
            if (dz)
                for (int c = 0; c < k; c++)
                    dz[(size_t)b * k * hw + (size_t)c * hw + i] =
                        (float)((exp((double)zb[(size_t)c * hw] - lse) - (c == label ? 1.0 : 0.0)) / count);
        }
    *loss = total / count;
    return ZC_OK;
}

static zc_status regression(int l1, const float *z, const float *t, size_t m, double *loss, float *dz)
{
    double total = 0.0;
    for (size_t i = 0; i < m; i++) {
        float d = z[i] - t[i];
        total += l1 ? fabs((double)d) : (double)d * d;
        if (dz) dz[i] = l1 ? (float)((d > 0.0f) - (d < 0.0f)) / (float)m : 2.0f * d / (float)m;
    }
    *loss = total / (double)m;
    return ZC_OK;
}

zc_status zc_batch_loss(const zc_batch *b, const float *out, int n, int dim, double *loss, float *dout)
{
    double l = 0.0;
    zc_status st;
    if (n != b->n) return zc_fail(ZC_EINVAL, "loss: %d outputs for a batch of %d", n, b->n);
    switch (b->loss) {
    case ZC_LOSS_CE:
        if (!b->y) return zc_fail(ZC_EINVAL, "loss: the batch has no labels");
        st = zc_cross_entropy(out, b->y, n, dim, &l, dout);
        break;
    case ZC_LOSS_PIXEL_CE: {
        int hw = b->y_dim;
        if (!b->y || hw <= 0 || dim % hw)
            return zc_fail(ZC_EINVAL, "loss: %d label pixels per sample for an output of %d values", hw, dim);
        st = pixel_ce(out, b->y, n, dim / hw, (size_t)hw, &l, dout);
        break;
    }
    case ZC_LOSS_TOKEN_CE: {   /* the positions are rows of C logits, in the labels' order */
        int len = b->y_dim;
        if (!b->y || len <= 0 || dim % len || (size_t)n * len > INT32_MAX)
            return zc_fail(ZC_EINVAL, "loss: %d label tokens per sample for an output of %d values", len, dim);
        st = zc_cross_entropy(out, b->y, n * len, dim / len, &l, dout);
        break;
    }
    case ZC_LOSS_SOFT_CE:
    case ZC_LOSS_MSE:
    case ZC_LOSS_L1:
        if (!b->t || b->t_dim != dim)
            return zc_fail(ZC_EINVAL, "loss: %s needs %d target values per sample, the batch has %d", zc_loss_name(b->loss),
                           dim, b->t ? b->t_dim : 0);
        st = b->loss == ZC_LOSS_SOFT_CE ? soft_ce(out, b->t, n, dim, &l, dout)
                                        : regression(b->loss == ZC_LOSS_L1, out, b->t, (size_t)n * dim, &l, dout);
        break;
    default: return zc_fail(ZC_EINVAL, "loss: unknown kind %d", (int)b->loss);
    }
    if (st == ZC_OK && loss) *loss = l;
    return st;
}
