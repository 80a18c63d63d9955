/* vkdnw: VKDNW's sub-scores (Tybl & Neumann, CVPR 2025; ondratybl/VKDNW, the code of the paper's Table 1;
 * spec-proxies2 section 5). Kaiming init, BN in EVAL mode of a fresh model (running mean 0, var 1: the
 * samples are independent), 64 N(0, 1) images.
 *   theta   element 0 of each of the first 128 parameter tensors (definition order = PyTorch's
 *           registration order; P = min(tensors, 128))
 *   J_b     d z_b / d theta per sample (K x P): K backward passes (one per class) of the batch, and each
 *           sample's derivative w.r.t. element 0 read off the layer's input and output gradient
 *   pi_b    softmax(z_b) (1 - a) + a / K with the official code's float16 constants (a = 0.05)
 *   L_b     the K x K lower-triangular factor of diag(pi) - pi pi^T built as the official code does
 *   F       mean_b (L_b J_b)^T (L_b J_b)   (the code's L^T L, not the textbook L L^T: followed)
 *   vkdnw_entropy  the entropy of the 9 deciles q_k of F's singular values, t = q / (sum|q| + 1e-10),
 *                  -sum t ln(t + 1e-10) (a failed decomposition gives 0)
 *   vkdnw_dim      aleph, the number of parameter tensors
 *   vkdnw_jacov    jacob_cov on the same kaiming-initialised network, BN in training mode, one real batch
 *                  of 64 (VKDNW_agg's jacov term)
 * VKDNW ranks (vkdnw_dim, vkdnw_entropy) lexicographically over a population (aggregate vkdnw); VKDNW_agg
 * adds the ranks of FLOPs, AZ-NAS' expressivity and trainability and jacov (aggregate vkdnw_agg).
 *
 * On the MobileNet space, VKDNW's ImageNet_MBV2 code instead (compute_vkdnw_score.py at 6901b65): the
 * residual MasterNet; AZ-NAS' training-mode forward on the same 64 images first, which moves every BN's
 * running statistics once (momentum 0.1) before the eval-mode Fisher; theta = element 0 of the 128
 * tensors random.Random(#tensors).sample picks (all of them below 128, where Python would raise); the
 * entropy of the 11 quantiles 0, 0.1, ..., 1; a failed decomposition gives entropy 0 and keeps aleph.
 * Its search ranks FLOPs, E, P, the entropy and T (aggregate vkdnw_mbv2). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "proxies/proxy_impl.h"
#include "util/util.h"

#define VK_BATCH 64
#define VK_PARAMS 128

/* Round to the nearest float16 value (ties to even), as torch's half tensors hold constants. */
static double to_half(double x)
{
    if (x == 0.0 || !isfinite(x)) return x;
    int e;
    double m = frexp(fabs(x), &e);          /* |x| = m 2^e, m in [0.5, 1) */
    int bits = e - 1 >= -14 ? 11 : 11 - (-14 - (e - 1));   /* subnormals keep fewer bits */
    if (bits < 1) bits = 1;
    double scale = ldexp(1.0, bits), r = m * scale, f = floor(r), d = r - f;
    if (d > 0.5 || (d == 0.5 && fmod(f, 2.0) != 0.0)) f += 1.0;
    return copysign(ldexp(f / scale, e), x);
}

void zc_vkdnw_pi_L(const float *z, int K, double *pi, double *L) { zc_vkdnw_pi_L_ex(z, K, 0, pi, L); }

void zc_vkdnw_pi_L_ex(const float *z, int K, int exact, double *pi, double *L)
{
    const float alpha = (float)to_half(0.05), one_minus = (float)to_half(1.0 - alpha), floor_ = (float)to_half(alpha / K);
    float mx = z[0];
    for (int c = 1; c < K; c++) if (z[c] > mx) mx = z[c];
    double s = 0.0;
    for (int c = 0; c < K; c++) s += exp((double)z[c] - mx);
    for (int c = 0; c < K; c++) {
        double p = exp((double)z[c] - mx) / s;
        /* exact: sum(pi) = 1 up to rounding, so the tail sums Q_j stay positive */
        pi[c] = exact ? p * 0.95 + 0.05 / K : (double)((float)p * one_minus + floor_);
    }
    /* Q_0 = 1, Q_j = 1 - sum_{i<=j} pi_i, Q_K = 0; d_j = sqrt(pi_j Q_j / Q_{j-1}); L_jj = d_j,
     * L_ij = -pi_i d_j / Q_j for i > j (1-based j; the last column is 0). */
    double *Q = malloc((size_t)(K + 1) * sizeof *Q);
    if (!Q) { for (int i = 0; i < K * K; i++) L[i] = NAN; return; }
    Q[0] = 1.0;
    for (int j = 1; j <= K; j++) Q[j] = Q[j - 1] - pi[j - 1];
    Q[K] = 0.0;
    memset(L, 0, (size_t)K * K * sizeof *L);
    for (int j = 1; j < K; j++) {
        double d = sqrt(pi[j - 1] * Q[j] / Q[j - 1]);
        L[(size_t)(j - 1) * K + (j - 1)] = d;
        for (int i = j + 1; i <= K; i++) L[(size_t)(i - 1) * K + (j - 1)] = -pi[i - 1] * d / Q[j];
    }
    free(Q);
}

double zc_vkdnw_entropy_of(const double *lambda, int n) { return zc_vkdnw_entropy_q(lambda, n, 9); }

double zc_vkdnw_entropy_q(const double *lambda, int n, int nq)
{
    if (n < 1 || (nq != 9 && nq != 11)) return 0.0;
    double *s = malloc((size_t)n * sizeof *s), q[11], sum = 0.0, e = 0.0;
    if (!s) return NAN;
    memcpy(s, lambda, (size_t)n * sizeof *s);
    for (int i = 1; i < n; i++)   /* insertion sort: n <= 128 */
        for (int j = i; j > 0 && s[j - 1] > s[j]; j--) { double t = s[j]; s[j] = s[j - 1]; s[j - 1] = t; }
    int first = nq == 9 ? 1 : 0;   /* deciles 0.1..0.9, or 0, 0.1, ..., 1 */
    for (int k = 0; k < nq; k++) {   /* torch.quantile, linear interpolation */
        double pos = (n - 1) * ((k + first) / 10.0);
        int lo = (int)floor(pos);
        double fr = pos - lo;
        q[k] = lo + 1 < n ? s[lo] + (s[lo + 1] - s[lo]) * fr : s[lo];
        sum += fabs(q[k]);
    }
    for (int k = 0; k < nq; k++) {
        double t = q[k] / (sum + 1e-10);
        e -= t * log(t + 1e-10);
    }
    free(s);
    return e;
}

/* d z / d (element 0 of param p) for every sample, from the layer's input x and output gradient dy. */
static zc_status element0_grads(zc_net *net, int p, const float *x, const float *dy, int B, double *g)
{
    zc_param_info pi;
    zc_net_param_info(net, p, &pi);
    zc_node_info n, in;
    zc_net_node_info(net, pi.node, &n);
    zc_net_node_info(net, n.in[0], &in);
    size_t hw = (size_t)n.h * n.w, ihw = (size_t)in.h * in.w;
    size_t out_s = (size_t)n.c * hw, in_s = (size_t)in.c * ihw;
    for (int b = 0; b < B; b++) {
        const float *d0 = dy + (size_t)b * out_s, *x0 = x + (size_t)b * in_s;   /* channel 0 */
        double s = 0.0;
        if (pi.role == ZC_PARAM_BIAS || pi.role == ZC_PARAM_BN_BETA) {
            for (size_t k = 0; k < hw; k++) s += d0[k];
        } else if (pi.role == ZC_PARAM_BN_GAMMA) {   /* eval mode: x normalised by the running stats */
            double mean, inv;
            zc_net_bn_eval_stats(net, pi.node, 0, &mean, &inv);
            for (size_t k = 0; k < hw; k++) s += (double)d0[k] * (x0[k] - mean) * inv;
        } else if (n.op == ZC_OP_LINEAR) {
            s = (double)d0[0] * x0[0];
        } else if (n.op == ZC_OP_CONV2D) {   /* W[0][0][0][0]: input channel 0 at offset (-pad, -pad) */
            for (int i = 0; i < n.h; i++)
                for (int j = 0; j < n.w; j++) {
                    int yi = i * n.stride - n.pad, xj = j * n.stride - n.pad;
                    if (yi >= 0 && yi < in.h && xj >= 0 && xj < in.w) s += (double)d0[(size_t)i * n.w + j] * x0[(size_t)yi * in.w + xj];
                }
        } else {
            return zc_fail(ZC_EUNSUPPORTED, "vkdnw: parameter %s of a %s layer", pi.name, zc_op_name(n.op));
        }
        g[b] = s;
    }
    return ZC_OK;
}

zc_status zc_vkdnw_net(zc_net *net, const float *x, int B, double *dim, double *entropy)
{
    return zc_vkdnw_net_ex(net, x, B, 0, dim, entropy);
}

zc_status zc_vkdnw_net_ex(zc_net *net, const float *x, int B, int flags, double *dim, double *entropy)
{
    int mobilenet = (flags & ZC_VKDNW_MOBILENET) != 0;
    int np = zc_net_num_params(net), P = np < VK_PARAMS ? np : VK_PARAMS, out = zc_net_output_node(net);
    *dim = np;
    if (P < 1) return zc_fail(ZC_EUNSUPPORTED, "vkdnw: the network has no parameters");
    /* theta: element 0 of tensors sel[0..P): the first P, or (MobileNet) Python's
     * random.Random(#tensors).sample of 128 */
    int *sel = malloc((size_t)np * sizeof *sel), *scratch = malloc((size_t)np * sizeof *scratch);
    if (!sel || !scratch) { free(sel); free(scratch); return zc_fail(ZC_ENOMEM, "vkdnw: out of memory"); }
    for (int p = 0; p < np; p++) sel[p] = p;
    if (mobilenet && np >= VK_PARAMS) {
        zci_pyrandom r;
        zci_pyrandom_seed(&r, (uint64_t)np);
        zci_pyrandom_sample(&r, np, VK_PARAMS, sel, scratch);
    }
    free(scratch);
    size_t max_in = 0, max_out = 0;
    for (int p = 0; p < P; p++) {
        zc_param_info pi;
        zc_net_param_info(net, sel[p], &pi);
        zc_node_info n, in;
        zc_net_node_info(net, pi.node, &n);
        zc_net_node_info(net, n.in[0], &in);
        if (n.tiles > 1) {
            free(sel);
            return zc_fail(ZC_EUNSUPPORTED, "vkdnw is not defined for networks run on tiles");
        }
        size_t a = (size_t)B * in.c * in.h * in.w, c = (size_t)B * n.c * n.h * n.w;
        if (a > max_in) max_in = a;
        if (c > max_out) max_out = c;
        zc_net_keep(net, pi.node);
        zc_net_keep(net, n.in[0]);
    }
    zc_net_keep(net, out);
    zc_net_keep(net, 0);
    zc_net_set_param_grads(net, 0);   /* the Jacobian is read off activations and their gradients */
    zc_status st = ZC_OK;
    if (mobilenet) {   /* AZ-NAS' training forward first: running stats move once */
        zc_net_set_bn_momentum(net, 0.1);
        st = zc_net_forward(net, x, B, ZC_RUN_TRAIN);
    }
    zc_net_set_bn_eval(net, 1);
    if (st == ZC_OK) st = zc_net_forward(net, x, B, ZC_RUN_TRAIN);
    int nb = 0, K = 0;
    const float *z = st == ZC_OK ? zc_net_output(net, &nb, &K) : NULL;
    float *zc = NULL, *bx = malloc((max_in ? max_in : 1) * sizeof *bx), *bd = malloc((max_out ? max_out : 1) * sizeof *bd);
    double *J = NULL, *F = NULL, *A = NULL, *pi = NULL, *L = NULL, *g = malloc((size_t)B * sizeof *g);
    if (st == ZC_OK) {
        zc = malloc((size_t)B * K * sizeof *zc);
        J = calloc((size_t)B * K * P, sizeof *J);   /* J[b][c][p] */
        F = calloc((size_t)P * P, sizeof *F);
        A = malloc((size_t)K * P * sizeof *A);
        pi = malloc((size_t)K * sizeof *pi);
        L = malloc((size_t)K * K * sizeof *L);
        if (!zc || !J || !F || !A || !pi || !L || !bx || !bd || !g) st = zc_fail(ZC_ENOMEM, "vkdnw: out of memory");
        else memcpy(zc, z, (size_t)B * K * sizeof *zc);
    }
    float *dout = st == ZC_OK ? calloc((size_t)B * K, sizeof *dout) : NULL;
    if (st == ZC_OK && !dout) st = zc_fail(ZC_ENOMEM, "vkdnw: out of memory");
    for (int c = 0; c < K && st == ZC_OK; c++) {
        for (int b = 0; b < B; b++)
            for (int k = 0; k < K; k++) dout[(size_t)b * K + k] = k == c;
        if ((st = zc_net_backward_block(net, out, dout, 0)) != ZC_OK) break;
        for (int p = 0; p < P && st == ZC_OK; p++) {
            zc_param_info info;
            zc_net_param_info(net, sel[p], &info);
            zc_node_info n;
            zc_net_node_info(net, info.node, &n);
            if (!n.live || !zc_net_has_buffer(net, info.node, 1)) continue;   /* no gradient reaches it */
            if ((st = zc_net_read(net, n.in[0], 0, bx)) != ZC_OK || (st = zc_net_read(net, info.node, 1, bd)) != ZC_OK)
                break;
            if ((st = element0_grads(net, sel[p], bx, bd, B, g)) != ZC_OK) break;
            for (int b = 0; b < B; b++) J[((size_t)b * K + c) * P + p] = g[b];
        }
    }
    for (int b = 0; b < B && st == ZC_OK; b++) {
        zc_vkdnw_pi_L_ex(zc + (size_t)b * K, K, (flags & ZC_VKDNW_EXACT_CONSTANTS) != 0, pi, L);
        const double *Jb = J + (size_t)b * K * P;
        for (int i = 0; i < K; i++)   /* A = L_b J_b */
            for (int p = 0; p < P; p++) {
                double s = 0.0;
                for (int k = 0; k <= i; k++) s += L[(size_t)i * K + k] * Jb[(size_t)k * P + p];
                A[(size_t)i * P + p] = s;
            }
        for (int p = 0; p < P; p++)
            for (int q = p; q < P; q++) {
                double s = 0.0;
                for (int i = 0; i < K; i++) s += A[(size_t)i * P + p] * A[(size_t)i * P + q];
                F[(size_t)p * P + q] += s / B;
            }
    }
    if (st == ZC_OK) {
        for (int p = 0; p < P; p++)
            for (int q = 0; q < p; q++) F[(size_t)p * P + q] = F[(size_t)q * P + p];
        double *w = malloc((size_t)P * sizeof *w);
        if (w && zci_sym_eigvals(F, P, w) == ZC_OK) {   /* F is symmetric: singular values = |eigenvalues| */
            for (int p = 0; p < P; p++) w[p] = fabs(w[p]);
            *entropy = zc_vkdnw_entropy_q(w, P, mobilenet ? 11 : 9);
        } else {   /* the NB201 code scores a failed decomposition (0, 0); the MobileNet code's
                      zero spectrum has entropy 0 and it counts the tensors anyway */
            if (!mobilenet) *dim = 0.0;
            *entropy = 0.0;
        }
        zc_clear_error();
        free(w);
    }
    zc_net_set_bn_eval(net, 0);
    zc_net_set_bn_momentum(net, 0.0);
    zc_net_set_param_grads(net, 1);
    zc_net_release_buffers(net);
    free(zc); free(bx); free(bd); free(J); free(F); free(A); free(pi); free(L); free(g); free(dout); free(sel);
    return st;
}

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    const zc_batch *b = NULL;
    zc_status st = zci_proxy_need_batch(in, "vkdnw", &b);
    if (st != ZC_OK) return st;
    zc_rng rng;
    zc_net *net;
    int mobilenet = in->space->space->mobilenet_protocol;
    if ((st = zci_proxy_build_init(in, opts, ZCI_INIT_KAIMING | ZCI_BUILD_RESLINK, &rng, &net)) != ZC_OK) return st;
    if ((st = zci_proxy_untiled(net, "vkdnw")) != ZC_OK) return st;
    float *x = zci_gaussian_input(net, VK_BATCH, &rng);
    int flags = (mobilenet ? ZC_VKDNW_MOBILENET : 0) | (opts->vkdnw_exact_constants ? ZC_VKDNW_EXACT_CONSTANTS : 0);
    st = x ? zc_vkdnw_net_ex(net, x, VK_BATCH, flags, &out[0], &out[1]) : ZC_ENOMEM;
    zc_net_set_param_grads(net, 0);   /* jacov reads input gradients only */
    if (st == ZC_OK) st = zc_jacob_cov_net(net, b, &out[2]);
    free(x);
    zc_net_free(net);
    return st;
}

const zc_proxy zc_proxy_vkdnw = {
    .name = "vkdnw",
    .help = "VKDNW sub-scores vkdnw_dim (parameter tensors), vkdnw_entropy (Fisher spectrum, 64 N(0,1) images) and "
            "vkdnw_jacov; vkdnw / vkdnw_agg (zennas: vkdnw_mbv2) rank them over the architectures compared",
    .data = {ZC_INPUT_IMAGES, "vkdnw", VK_BATCH, 1, (uint64_t)6 << 40, 0},
    .init = ZC_INIT_KAIMING,
    .score = score,
    .outputs = (const char *const[]){"vkdnw_dim", "vkdnw_entropy", "vkdnw_jacov", NULL},
    .act_copies = 1.5f,   /* measured: peak RSS of NB201 networks at batch 64 */
};
