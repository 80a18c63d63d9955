/* Batch normalisation with batch statistics (training mode): mean and biased variance over
 * (N, H, W), accumulated in double. Saves per-channel mean and 1/sqrt(var + eps) for backward. */
#include <math.h>
#include <stdlib.h>
#include "ref.h"
#include "simd.h"

static ZC_VECTORIZE void normalise(const float *x, float *y, size_t n, float mean, float scale, float shift)
{
    for (size_t j = 0; j < n; j++) y[j] = (x[j] - mean) * scale + shift;
}

void zci_ref_bn_forward_arrays(const float *in, float *out, int batch, int C, size_t hw,
                             const float *gamma, const float *beta, float eps, double *saved)
{
    zci_ref_bn_forward_stats(in, out, batch, C, hw, gamma, beta, eps, saved, NULL);
}

void zci_ref_bn_forward_stats(const float *in, float *out, int batch, int C, size_t hw, const float *gamma,
                              const float *beta, float eps, double *saved, const zc_node *eval)
{
    size_t m = (size_t)batch * hw;
    for (int c = 0; c < C; c++) {
        if (eval) {   /* eval mode: the node's running statistics */
            double mean, invstd;
            zci_bn_eval_stats(eval, c, &mean, &invstd);
            if (saved) { saved[c] = mean; saved[C + c] = invstd; }
            float scale = (float)invstd * (gamma ? gamma[c] : 1.0f), shift = beta ? beta[c] : 0.0f;
            for (int b = 0; b < batch; b++)
                normalise(in + ((size_t)b * C + c) * hw, out + ((size_t)b * C + c) * hw, hw, (float)mean, scale, shift);
            continue;
        }
        double sum = 0.0;
        for (int b = 0; b < batch; b++) sum += zc_sum_f64(in + ((size_t)b * C + c) * hw, hw);
        double mean = sum / (double)m, var = 0.0;
        for (int b = 0; b < batch; b++) var += zc_sum_sq_dev_f64(in + ((size_t)b * C + c) * hw, hw, mean);
        var /= (double)m;
        double invstd = 1.0 / sqrt(var + eps);
        if (saved) { saved[c] = mean; saved[C + c] = invstd; }
        float meanf = (float)mean, scale = (float)invstd * (gamma ? gamma[c] : 1.0f);
        float shift = beta ? beta[c] : 0.0f;
        for (int b = 0; b < batch; b++)
            normalise(in + ((size_t)b * C + c) * hw, out + ((size_t)b * C + c) * hw, hw, meanf, scale, shift);
    }
}

zc_status zci_ref_batchnorm_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = zci_ref_input(net, node, 0);
    int C = node->c;
    free(node->saved);
    node->saved = malloc(2 * (size_t)C * sizeof *node->saved);
    if (!node->saved) return zc_fail(ZC_ENOMEM, "batchnorm: out of memory");
    zci_ref_bn_forward_stats(in->out, node->out, batch, C, (size_t)node->h * node->w,
                             node->affine ? net->params[node->weight].data : NULL,
                             node->affine ? net->params[node->bias].data : NULL, node->eps, node->saved,
                             net->bn_eval ? node : NULL);
    zci_bn_update_running(net, node, node->saved, node->saved + C, (double)batch * node->h * node->w);
    return ZC_OK;
}

zc_status zci_ref_batchnorm_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zci_ref_input(net, node, 0);
    int C = node->c;
    size_t hw = (size_t)node->h * node->w, m = (size_t)batch * hw;
    const float *gamma = node->affine ? net->params[node->weight].data : NULL;
    float *dgamma = node->affine ? net->params[node->weight].grad : NULL;
    float *dbeta = node->affine ? net->params[node->bias].grad : NULL;
    for (int c = 0; c < C; c++) {
        double mean = node->saved[c], invstd = node->saved[C + c];
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int b = 0; b < batch; b++) {
            const float *x = in->out + ((size_t)b * C + c) * hw;
            const float *dy = node->grad + ((size_t)b * C + c) * hw;
            for (size_t j = 0; j < hw; j++) {
                sum_dy += dy[j];
                sum_dy_xhat += dy[j] * ((x[j] - mean) * invstd);
            }
        }
        if (dgamma && !net->params[node->weight].no_grad) { dgamma[c] += (float)sum_dy_xhat; dbeta[c] += (float)sum_dy; }
        if (!in->grad) continue;   /* input grad not wanted */
        double g = gamma ? gamma[c] : 1.0;
        double k = g * invstd, mdy = sum_dy / (double)m, mdyx = sum_dy_xhat / (double)m;
        if (net->bn_eval) mdy = mdyx = 0.0;   /* constant statistics: no gradient through them */
        for (int b = 0; b < batch; b++) {
            const float *x = in->out + ((size_t)b * C + c) * hw;
            const float *dy = node->grad + ((size_t)b * C + c) * hw;
            float *dx = in->grad + ((size_t)b * C + c) * hw;
            for (size_t j = 0; j < hw; j++) {
                double xhat = (x[j] - mean) * invstd;
                dx[j] += (float)(k * (dy[j] - mdy - xhat * mdyx));
            }
        }
    }
    return ZC_OK;
}
