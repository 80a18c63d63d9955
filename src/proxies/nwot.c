/* nwot: NASWOT (Mellor et al., original BayesWatch code score_networks.py; spec 3 "NASWOT
 * variants", pitfalls 15, 19). One batch of real images (128 in the paper's NB201 runs), PyTorch
 * default init, train mode (BN batch statistics). For every hooked module, c = 1[module input > 0]
 * flattened per sample and K += c c^T + (1 - c)(1 - c)^T (B x B: for each pair of samples, the number
 * of units on which both codes agree); score = ln|det K| (numpy slogdet's second value).
 *
 * Which modules: the official code hooks every module whose type name contains 'ReLU'. In xautodl's
 * TinyNetwork that is every nn.ReLU AND every ReLUConvBN (ReLU -> Conv -> BN, the conv edges of the
 * cells and both convs of the reductions), whose input is the same tensor as its inner ReLU's: each
 * ReLUConvBN's code is counted twice, the final lastact ReLU once. zc_nwot_net(..., wrapper_hooks = 1)
 * reproduces that (the default of the proxy); 0 counts every ReLU module once (the paper's "for every
 * ReLU"). Which modules are hooked is the space builder's knowledge of its reference model
 * (zc_net_set_relu_modules: NB201's ReLUConvBN ReLUs count 2; NAS-Bench-101's ConvBnRelu, whose name
 * has 'Relu', not 'ReLU', and PlainNet's blocks count 1).
 *
 * The official hooks accumulate K on a second forward after a backward pass; K does not depend on
 * that order (the second forward computes the same activations), so one forward is enough here.
 * TinyNetwork's final in-place lastact ReLU is a module like the others; reading its input after
 * the in-place op would see the rectified tensor, whose code (> 0) is the same (pitfall 19).
 *
 * The engine merges identical ReLU nodes (the same input: e.g. the ReLUConvBN edges leaving one cell
 * node), keeping their count in node->merged: in the PyTorch model each is its own hooked module,
 * so each merged node contributes `merged` times (twice that for ReLUConvBNs).
 *
 * Codes are packed as bits: for codes a, b of length D, a.b + (1-a).(1-b) = D - |a| - |b| + 2 a.b,
 * and a.b is a popcount of a AND b. K is accumulated in integers (exact, as the float counts of the
 * official code are), then ln|det K| by LU with partial pivoting in double. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "zcnas/proxy.h"
#include "proxies/proxy_impl.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define NWOT_POPCNT __attribute__((target_clones("popcnt", "default")))
#else
#define NWOT_POPCNT
#endif

double zc_log_abs_det(double *a, int n)
{
    for (size_t i = 0; i < (size_t)n * n; i++)
        if (a[i] != a[i]) return NAN;
    double logdet = 0.0;
    for (int k = 0; k < n; k++) {
        int piv = k;
        double best = fabs(a[(size_t)k * n + k]);
        for (int i = k + 1; i < n; i++) {
            double v = fabs(a[(size_t)i * n + k]);
            if (v > best) { best = v; piv = i; }
        }
        if (best != best) return NAN;   /* inf - inf on the way */
        if (best == 0.0) return -INFINITY;
        if (piv != k)
            for (int j = 0; j < n; j++) {
                double t = a[(size_t)k * n + j];
                a[(size_t)k * n + j] = a[(size_t)piv * n + j];
                a[(size_t)piv * n + j] = t;
            }
        double p = a[(size_t)k * n + k];
        logdet += log(fabs(p));
        for (int i = k + 1; i < n; i++) {
            double f = a[(size_t)i * n + k] / p;
            double *ri = a + (size_t)i * n, *rk = a + (size_t)k * n;
            for (int j = k + 1; j < n; j++) ri[j] -= f * rk[j];
        }
    }
    return logdet;
}

/* K[i][j] += weight * (D - n_i - n_j + 2 popcount(code_i & code_j)) for i <= j. */
static NWOT_POPCNT void accumulate(const uint64_t *bits, const int64_t *ones, int B, size_t words,
                                   int64_t D, int64_t weight, int64_t *K)
{
    for (int i = 0; i < B; i++) {
        const uint64_t *bi = bits + (size_t)i * words;
        for (int j = i; j < B; j++) {
            const uint64_t *bj = bits + (size_t)j * words;
            int64_t both = 0;
            for (size_t w = 0; w < words; w++) both += __builtin_popcountll(bi[w] & bj[w]);
            K[(size_t)i * B + j] += weight * (D - ones[i] - ones[j] + 2 * both);
        }
    }
}


zc_status zc_nwot_net(zc_net *net, const zc_batch *batch, int wrapper_hooks, double *score)
{
    if (!batch || !batch->x || batch->n < 1) return zc_fail(ZC_EINVAL, "nwot: needs a batch of images");
    int nn = zc_net_num_nodes(net);
    zc_node_info *info = malloc((size_t)nn * sizeof *info);
    if (!info) return zc_fail(ZC_ENOMEM, "nwot: out of memory");
    for (int i = 0; i < nn; i++) zc_net_node_info(net, i, &info[i]);
    const zc_node_info *in0 = &info[0];
    if (batch->c != in0->c || batch->h != in0->h || batch->w != in0->w) {
        zc_status e = zc_fail(ZC_EINVAL, "nwot: batch images are %dx%dx%d, the network takes %dx%dx%d", batch->c,
                              batch->h, batch->w, in0->c, in0->h, in0->w);
        free(info);
        return e;
    }
    int B = batch->n;
    size_t max_d = 0;
    int n_relu = 0;
    for (int i = 0; i < nn; i++) {
        const zc_node_info *n = &info[i];
        if (n->op != ZC_OP_RELU || !n->live || n->merged <= 0) continue;
        const zc_node_info *src = &info[n->in[0]];
        size_t d = (size_t)src->c * src->h * src->w;
        if (d > max_d) max_d = d;
        zc_net_keep(net, n->in[0]);
        n_relu++;
    }
    if (!n_relu) return free(info), zc_fail(ZC_EINVAL, "nwot: the network has no ReLU");
    size_t words = (max_d + 63) / 64;
    float *buf = malloc((size_t)B * max_d * sizeof *buf);
    uint64_t *bits = malloc((size_t)B * words * sizeof *bits);
    int64_t *ones = malloc((size_t)B * sizeof *ones);
    int64_t *K = calloc((size_t)B * B, sizeof *K);
    double *Kd = malloc((size_t)B * B * sizeof *Kd);
    zc_status st = ZC_OK;
    if (!buf || !bits || !ones || !K || !Kd) st = zc_fail(ZC_ENOMEM, "nwot: out of memory");
    if (st == ZC_OK) st = zc_net_forward(net, batch->x, B, ZC_RUN_INFER);   /* BN: batch statistics */
    for (int i = 0; i < nn && st == ZC_OK; i++) {
        const zc_node_info *n = &info[i];
        if (n->op != ZC_OP_RELU || !n->live || n->merged <= 0) continue;
        const zc_node_info *src = &info[n->in[0]];
        size_t d = (size_t)src->c * src->h * src->w, nw = (d + 63) / 64;
        if ((st = zc_net_read(net, n->in[0], 0, buf)) != ZC_OK) break;
        for (int b = 0; b < B; b++) {
            const float *x = buf + (size_t)b * d;
            uint64_t *row = bits + (size_t)b * nw;
            memset(row, 0, nw * sizeof *row);
            int64_t cnt = 0;
            for (size_t j = 0; j < d; j++)
                if (x[j] > 0.0f) { row[j >> 6] |= (uint64_t)1 << (j & 63); cnt++; }
            ones[b] = cnt;
        }
        int64_t weight = wrapper_hooks ? (int64_t)n->hooks : (int64_t)n->merged;
        accumulate(bits, ones, B, nw, (int64_t)d, weight, K);
    }
    if (st == ZC_OK) {
        for (int i = 0; i < B; i++)
            for (int j = i; j < B; j++)
                Kd[(size_t)i * B + j] = Kd[(size_t)j * B + i] = (double)K[(size_t)i * B + j];
        *score = zc_log_abs_det(Kd, B);
    }
    zc_net_release_buffers(net);
    free(buf); free(bits); free(ones); free(K); free(Kd); free(info);
    return st;
}

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    const zc_batch *b = NULL;
    zc_status st = zci_proxy_need_batch(in, "nwot", &b);
    if (st != ZC_OK) return st;
    zc_net *net;
    if ((st = zci_proxy_build_initialised(in, opts, &net)) != ZC_OK) return st;
    if ((st = zci_proxy_untiled(net, "nwot")) != ZC_OK) return st;
    st = zc_nwot_net(net, b, 1, out);
    zc_net_free(net);
    return st;
}

const zc_proxy zc_proxy_nwot = {
    .name = "nwot",
    .help = "NASWOT: ln|det| of the ReLU-code agreement kernel on one batch (original code)",
    .data = {ZC_INPUT_IMAGES, "nwot", 128, 1, (uint64_t)2 << 40, 0},
    .init = ZC_INIT_DEFAULT,
    .score = score,
};
