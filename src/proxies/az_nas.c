/* az_nas: AZ-NAS' sub-scores (Lee & Ham, CVPR 2024; cvlab-yonsei/AZ-NAS, NB201/ZeroShotProxy; spec-proxies2
 * section 1). Kaiming init, BN in training mode, one batch of 64 N(0, 1) images, no labels. The feature
 * maps F_0..F_L are the stage outputs the space marks (NB201: the stem, then the 15 cells and 2 reduction
 * blocks; the MobileNet space: every top-level ReLU of the residual MasterNet, which ImageNet_MBV2 scores).
 *   expressivity   sum_l E(F_l), E = entropy of the normalised eigenvalues of the channel covariance of
 *                  F_l (rows: every sample and position), -sum p ln(p + 1e-8)
 *   progressivity  min_l E(F_l) - E(F_{l-1})
 *   trainability   mean over blocks l = L..1 of 2 - s - 1/(s + 1e-6), s the largest singular value of
 *                  U^T V / N: V a Rademacher vector shaped like F_l, U its vector-Jacobian product with the
 *                  block (the gradient at F_{l-1}), space-to-depth when the block halves the resolution;
 *                  a block that passes v through unchanged (an identity cell) is -inf
 * NaN becomes -inf in each sub-score (the official code's nan_to_num before ranking). The final AZ-NAS
 * score ranks these and the FLOPs over a population (aggregate az_nas, src/proxies/aggregate.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "backends/ref/simd.h"
#include "proxies/proxy_impl.h"

#define AZ_BATCH 64

double zc_az_expressivity_of(const float *f, int batch, int c, size_t hw)
{
    size_t N = (size_t)batch * hw;
    double *mean = calloc((size_t)c, sizeof *mean), *cov = calloc((size_t)c * c, sizeof *cov),
           *w = malloc((size_t)c * sizeof *w);
    double e = NAN;
    if (!mean || !cov || !w || N == 0) goto done;
    for (int b = 0; b < batch; b++)
        for (int k = 0; k < c; k++) {
            const float *x = f + ((size_t)b * c + k) * hw;
            double s = 0.0;
            for (size_t p = 0; p < hw; p++) s += x[p];
            mean[k] += s;
        }
    for (int k = 0; k < c; k++) mean[k] /= (double)N;
    float *d = malloc((size_t)c * hw * sizeof *d);   /* one sample, centred */
    if (!d) goto done;
    for (int b = 0; b < batch; b++) {
        for (int k = 0; k < c; k++) {
            const float *x = f + ((size_t)b * c + k) * hw;
            for (size_t p = 0; p < hw; p++) d[(size_t)k * hw + p] = (float)((double)x[p] - mean[k]);
        }
        for (int i = 0; i < c; i++)
            for (int j = i; j < c; j++) cov[(size_t)i * c + j] += zc_dot_f64(d + (size_t)i * hw, d + (size_t)j * hw, hw);
    }
    free(d);
    for (int i = 0; i < c; i++)
        for (int j = i; j < c; j++) cov[(size_t)j * c + i] = cov[(size_t)i * c + j] /= (double)N;
    if (zci_sym_eigvals(cov, c, w) != ZC_OK) { zc_clear_error(); goto done; }
    double total = 0.0;
    for (int k = 0; k < c; k++) total += w[k];
    e = 0.0;
    for (int k = 0; k < c; k++) {
        double p = w[k] / total;
        e += -p * log(p + 1e-8);   /* NaN for zero features (0/0) or a clearly negative eigenvalue */
    }
done:
    free(mean); free(cov); free(w);
    return e;
}

double zc_az_block_trainability(const float *u, const float *v, int batch, int c_in, int h_in, int w_in,
                                int c_out, int h_out, int w_out)
{
    size_t nu = (size_t)batch * c_in * h_in * w_in, nv = (size_t)batch * c_out * h_out * w_out;
    if (c_in == c_out && h_in == h_out && w_in == w_out && memcmp(u, v, nu * sizeof *u) == 0) return -INFINITY;
    if (h_out < 1 || w_out < 1 || h_in % h_out || w_in % w_out || h_in / h_out != w_in / w_out) return NAN;
    int r = h_in / h_out, rows = c_in * r * r;
    size_t N = (size_t)batch * h_out * w_out;
    double *M = calloc((size_t)rows * c_out, sizeof *M);
    int small = rows < c_out ? rows : c_out;
    double *G = calloc((size_t)small * small, sizeof *G), *w = malloc((size_t)small * sizeof *w);
    double out = NAN;
    (void)nv;
    if (!M || !G || !w) goto done;
    /* M[(c, di, dj)][o] = sum over (b, i, j) of u[b][c][r i + di][r j + dj] v[b][o][i][j] / N */
    for (int b = 0; b < batch && r == 1; b++)   /* same resolution: dot products of planes */
        for (int c = 0; c < c_in; c++)
            for (int o = 0; o < c_out; o++)
                M[(size_t)c * c_out + o] += zc_dot_f64(u + ((size_t)b * c_in + c) * h_in * w_in,
                                                       v + ((size_t)b * c_out + o) * h_out * w_out, (size_t)h_out * w_out);
    for (int b = 0; b < batch && r > 1; b++)
        for (int c = 0; c < c_in; c++)
            for (int di = 0; di < r; di++)
                for (int dj = 0; dj < r; dj++) {
                    double *m = M + (size_t)((c * r + di) * r + dj) * c_out;
                    for (int o = 0; o < c_out; o++) {
                        const float *vp = v + ((size_t)b * c_out + o) * h_out * w_out;
                        const float *up = u + ((size_t)b * c_in + c) * h_in * w_in;
                        double s = 0.0;
                        for (int i = 0; i < h_out; i++)
                            for (int j = 0; j < w_out; j++)
                                s += (double)up[(size_t)(r * i + di) * w_in + r * j + dj] * vp[(size_t)i * w_out + j];
                        m[o] += s;
                    }
                }
    for (size_t k = 0; k < (size_t)rows * c_out; k++) M[k] /= (double)N;
    /* s_max^2 = the largest eigenvalue of the smaller Gram matrix, M^T M or M M^T */
    for (int i = 0; i < small; i++)
        for (int j = 0; j < small; j++) {
            double s = 0.0;
            if (small == c_out)
                for (int k = 0; k < rows; k++) s += M[(size_t)k * c_out + i] * M[(size_t)k * c_out + j];
            else
                for (int k = 0; k < c_out; k++) s += M[(size_t)i * c_out + k] * M[(size_t)j * c_out + k];
            G[(size_t)i * small + j] = s;
        }
    if (zci_sym_eigvals(G, small, w) != ZC_OK) { zc_clear_error(); goto done; }
    double s = sqrt(w[small - 1] > 0.0 ? w[small - 1] : 0.0);
    out = 2.0 - s - 1.0 / (s + 1e-6);
done:
    free(M); free(G); free(w);
    return out;
}

static double nan_to_neg_inf(double x) { return isnan(x) ? -INFINITY : x; }

zc_status zc_az_nas_net(zc_net *net, const float *x, int batch, const float *v, zc_rng *rng, double out[3])
{
    const int *feat;
    int nf = zc_net_features(net, &feat);
    if (nf < 2) return zc_fail(ZC_EUNSUPPORTED, "az_nas: the space marks no stages of its networks");
    for (int l = 0; l < nf; l++) zc_net_keep(net, feat[l]);
    zc_net_set_param_grads(net, 0);   /* vector-Jacobian products w.r.t. activations only */
    zc_status st = zc_net_forward(net, x, batch, ZC_RUN_TRAIN);
    if (st != ZC_OK) return st;
    zc_node_info *fi = malloc((size_t)nf * sizeof *fi);
    double *E = malloc((size_t)nf * sizeof *E);
    size_t max_n = 0;
    for (int l = 0; fi && l < nf; l++) {
        zc_net_node_info(net, feat[l], &fi[l]);
        size_t n = (size_t)batch * fi[l].c * fi[l].h * fi[l].w;
        if (n > max_n) max_n = n;
    }
    float *f = malloc((max_n ? max_n : 1) * sizeof *f), *u = malloc((max_n ? max_n : 1) * sizeof *u);
    float *vb = malloc((max_n ? max_n : 1) * sizeof *vb);
    if (!fi || !E || !f || !u || !vb) st = zc_fail(ZC_ENOMEM, "az_nas: out of memory");
    for (int l = 0; l < nf && st == ZC_OK; l++) {
        if ((st = zc_net_read(net, feat[l], 0, f)) != ZC_OK) break;
        E[l] = zc_az_expressivity_of(f, batch, fi[l].c, (size_t)fi[l].h * fi[l].w);
    }
    double expr = 0.0, prog = INFINITY, train = 0.0;
    for (int l = 0; l < nf && st == ZC_OK; l++) {
        expr += E[l];
        if (l > 0) {
            double d = E[l] - E[l - 1];
            prog = isnan(d) || isnan(prog) ? NAN : d < prog ? d : prog;
        }
    }
    size_t used = 0;
    for (int l = nf - 1; l >= 1 && st == ZC_OK; l--) {
        size_t nv = (size_t)batch * fi[l].c * fi[l].h * fi[l].w, nu = (size_t)batch * fi[l - 1].c * fi[l - 1].h * fi[l - 1].w;
        if (v) memcpy(vb, v + used, nv * sizeof *vb);
        else for (size_t k = 0; k < nv; k++) vb[k] = zc_rng_u64(rng) >> 63 ? 1.0f : -1.0f;
        used += nv;
        if ((st = zc_net_backward_block(net, feat[l], vb, feat[l - 1])) != ZC_OK) break;
        if (zc_net_has_buffer(net, feat[l - 1], 1)) st = zc_net_read(net, feat[l - 1], 1, u);
        else memset(u, 0, nu * sizeof *u);   /* nothing of F_{l-1} reaches F_l */
        if (st != ZC_OK) break;
        double t = zc_az_block_trainability(u, vb, batch, fi[l - 1].c, fi[l - 1].h, fi[l - 1].w, fi[l].c, fi[l].h,
                                            fi[l].w);
        train += nan_to_neg_inf(t);
    }
    if (st == ZC_OK) {
        out[0] = nan_to_neg_inf(expr);
        out[1] = nan_to_neg_inf(prog);
        out[2] = nan_to_neg_inf(train / (double)(nf - 1));
    }
    zc_net_set_param_grads(net, 1);
    zc_net_release_buffers(net);
    free(fi); free(E); free(f); free(u); free(vb);
    return st;
}

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    zc_rng rng;
    zc_net *net;
    /* ImageNet_MBV2 scores the residual MasterNet (search_no_res False); other spaces have no links to drop */
    zc_status st = zci_proxy_build_init(in, opts, ZCI_INIT_KAIMING | ZCI_BUILD_RESLINK, &rng, &net);
    if (st != ZC_OK) return st;
    if ((st = zci_proxy_untiled(net, "az_nas")) != ZC_OK) return st;
    if (zci_net_reads_tokens(net)) {
        zc_net_free(net);
        return zc_fail(ZC_EUNSUPPORTED, "az_nas is not defined for language models (token inputs)");
    }
    float *x = zci_gaussian_input(net, AZ_BATCH, &rng);
    st = x ? zc_az_nas_net(net, x, AZ_BATCH, NULL, &rng, out) : ZC_ENOMEM;
    free(x);
    zc_net_free(net);
    return st;
}

const zc_proxy zc_proxy_az_nas = {
    .name = "az_nas",
    .help = "AZ-NAS sub-scores az_expressivity, az_progressivity, az_trainability (kaiming init, 64 N(0,1) "
            "images); the az_nas score ranks them and flops over the architectures compared",
    .data = {ZC_INPUT_GAUSSIAN, NULL, AZ_BATCH, 1, 0, 0},
    .init = ZC_INIT_KAIMING,
    .score = score,
    .outputs = (const char *const[]){"az_expressivity", "az_progressivity", "az_trainability", NULL},
};
