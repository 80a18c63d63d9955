/* zen: Zen-score as the ZiCo repository computes it (ZeroShotProxy/compute_zen_score.py, the
 * ZenNAS code; spec 3 zen row, pitfall 7), with repeat = 1 and mixup_gamma = 1e-2:
 *   network_weight_gaussian_init (conv/linear weight N(0,1), bias 0, BN gamma 1, beta 0);
 *   x, eps ~ N(0,1) of batch B; x' = x + 0.01 eps;
 *   delta = mean_n sum_{c,h,w} |f(x) - f(x')| on the pre-GAP feature map (the input of the last
 *     global average pooling; NB201: lastact's ReLU);
 *   score = ln delta + sum over BatchNorm2d of ln sqrt(mean_c running_var),
 * the model in train mode: both forwards use batch statistics and each updates running_var with
 * momentum 0.1 from its initial 1, using the unbiased batch variance (PyTorch): after the two
 * forwards running_var = 0.9 (0.9 + 0.1 v1) + 0.1 v2.
 *
 * The engine keeps no running statistics, so v1 and v2 are computed here from each BN's input
 * (kept through the forward and read as plain NCHW), in double: independent of the backend.
 * BN layers without running stats are skipped (PyTorch would fail on their running_var = None).
 *
 * The inputs are random, not data: x, then eps, are drawn from the architecture's stream after
 * the Gaussian init (which always replaces any weights, as in the official code, so --weights is
 * not used). B = 64 (the zero-cost-nas NB201 batch), fixed: the baseline batch (--base-batch-size)
 * is only loaded when a data proxy asks for it, and a score must not depend on which other proxies
 * run alongside. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "proxies/proxy_impl.h"

#define ZEN_MIXUP_GAMMA 1e-2f
#define ZEN_MOMENTUM 0.1
#define ZEN_BATCH 64

static int is_stat_bn(const zc_node_info *n) { return n->op == ZC_OP_BATCHNORM && n->live && n->track_stats; }

/* One forward: the pre-GAP map into feat, and each tracked BN's running_var update. */
static zc_status pass(zc_net *net, const zc_node_info *info, const float *x, int batch, int feat_node, float *feat,
                      float *buf, double **rv)
{
    int nn = zc_net_num_nodes(net);
    zc_status st = zc_net_forward(net, x, batch, ZC_RUN_INFER);   /* BN: batch statistics */
    if (st == ZC_OK) st = zc_net_read(net, feat_node, 0, feat);
    for (int i = 0, k = 0; i < nn && st == ZC_OK; i++) {
        const zc_node_info *n = &info[i];
        if (!is_stat_bn(n)) continue;
        if ((st = zc_net_read(net, n->in[0], 0, buf)) != ZC_OK) break;
        size_t hw = (size_t)n->h * n->w, m = (size_t)batch * hw;
        for (int c = 0; c < n->c; c++) {
            double sum = 0.0, ss = 0.0;
            for (int b = 0; b < batch; b++) {
                const float *p = buf + ((size_t)b * n->c + c) * hw;
                for (size_t j = 0; j < hw; j++) sum += p[j];
            }
            double mean = sum / (double)m;
            for (int b = 0; b < batch; b++) {
                const float *p = buf + ((size_t)b * n->c + c) * hw;
                for (size_t j = 0; j < hw; j++) ss += (p[j] - mean) * (p[j] - mean);
            }
            double unbiased = ss / (double)(m - 1);
            rv[k][c] = (1.0 - ZEN_MOMENTUM) * rv[k][c] + ZEN_MOMENTUM * unbiased;
        }
        k++;
    }
    zc_net_release_buffers(net);
    return st;
}

zc_status zc_zen_net(zc_net *net, const float *x, const float *x_mixed, int batch, double *score)
{
    if (!net || zc_net_output_node(net) < 0)
        return zc_fail(ZC_EINVAL, "zen: network has no output (zc_net_finish not called)");
    if (batch < 1 || !x || !x_mixed) return zc_fail(ZC_EINVAL, "zen: needs two input batches");
    int nn = zc_net_num_nodes(net), gap = -1, n_bn = 0;
    zc_node_info *info = malloc((size_t)nn * sizeof *info);
    if (!info) return zc_fail(ZC_ENOMEM, "zen: out of memory");
    for (int i = 0; i < nn; i++) zc_net_node_info(net, i, &info[i]);
    size_t max_d = 0;
    for (int i = 0; i < nn; i++) {
        const zc_node_info *n = &info[i];
        if (n->op == ZC_OP_GAP && n->live) gap = i;   /* the last one: SE blocks have their own */
        if (is_stat_bn(n)) {
            const zc_node_info *src = &info[n->in[0]];
            size_t d = (size_t)src->c * src->h * src->w;
            if ((size_t)batch * n->h * n->w < 2) {
                zc_status e = zc_fail(ZC_EINVAL, "zen: batch norm %s sees one value per channel (batch %d)", n->name,
                                      batch);
                free(info);
                return e;
            }
            if (d > max_d) max_d = d;
            n_bn++;
        }
    }
    if (gap < 0) return free(info), zc_fail(ZC_EUNSUPPORTED, "zen: the network has no global average pooling");
    int feat_node = info[gap].in[0];
    const zc_node_info *fn = &info[feat_node];
    size_t fd = (size_t)fn->c * fn->h * fn->w;
    zc_net_keep(net, feat_node);
    for (int i = 0; i < nn; i++)
        if (is_stat_bn(&info[i])) zc_net_keep(net, info[i].in[0]);
    float *f1 = malloc((size_t)batch * fd * sizeof *f1), *f2 = malloc((size_t)batch * fd * sizeof *f2);
    float *buf = malloc((size_t)batch * (max_d ? max_d : 1) * sizeof *buf);
    double **rv = calloc((size_t)(n_bn ? n_bn : 1), sizeof *rv);
    zc_status st = (f1 && f2 && buf && rv) ? ZC_OK : zc_fail(ZC_ENOMEM, "zen: out of memory");
    for (int i = 0, k = 0; i < nn && st == ZC_OK; i++) {
        const zc_node_info *n = &info[i];
        if (!is_stat_bn(n)) continue;
        if (!(rv[k] = malloc((size_t)n->c * sizeof **rv))) { st = zc_fail(ZC_ENOMEM, "zen: out of memory"); break; }
        for (int c = 0; c < n->c; c++) rv[k][c] = 1.0;   /* PyTorch's initial running_var */
        k++;
    }
    if (st == ZC_OK) st = pass(net, info, x, batch, feat_node, f1, buf, rv);
    if (st == ZC_OK) st = pass(net, info, x_mixed, batch, feat_node, f2, buf, rv);
    if (st == ZC_OK) {
        double delta = 0.0;
        for (size_t j = 0; j < (size_t)batch * fd; j++) delta += fabs((double)f1[j] - (double)f2[j]);
        delta /= batch;
        double bn = 0.0;
        for (int i = 0, k = 0; i < nn; i++) {
            const zc_node_info *n = &info[i];
            if (!is_stat_bn(n)) continue;
            double mean = 0.0;
            for (int c = 0; c < n->c; c++) mean += rv[k][c];
            bn += log(sqrt(mean / n->c));
            k++;
        }
        *score = log(delta) + bn;
    }
    for (int k = 0; rv && k < n_bn; k++) free(rv[k]);
    free(rv); free(f1); free(f2); free(buf); free(info);
    return st;
}

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    zc_build_opts bo = {0, 1, 0, 0};
    zc_net *net;
    zc_status st = zci_proxy_build(in, opts, &bo, &net);
    if (st == ZC_OK && (st = zci_proxy_untiled(net, "zen")) != ZC_OK) return st;
    if (st != ZC_OK) return st;
    int B = ZEN_BATCH;
    zc_node_info in0;
    zc_net_node_info(net, 0, &in0);
    size_t d = (size_t)in0.c * in0.h * in0.w, n = (size_t)B * d;
    float *x = malloc(n * sizeof *x), *x2 = malloc(n * sizeof *x2);
    if (!x || !x2) st = zc_fail(ZC_ENOMEM, "zen: out of memory");
    zc_rng rng;
    zc_rng_seed(&rng, in->seed, in->stream);
    if (st == ZC_OK) st = zc_net_init_gaussian(net, &rng);
    if (st == ZC_OK) {
        for (size_t j = 0; j < n; j++) x[j] = (float)zc_rng_normal(&rng);
        for (size_t j = 0; j < n; j++) {
            float e = (float)zc_rng_normal(&rng);
            x2[j] = x[j] + ZEN_MIXUP_GAMMA * e;   /* float32, as torch: input + gamma * input2 */
        }
        st = zc_zen_net(net, x, x2, B, out);
    }
    free(x); free(x2);
    zc_net_free(net);
    return st;
}

const zc_proxy zc_proxy_zen = {
    .name = "zen",
    .help = "Zen-score: ln mean |f(x) - f(x + 0.01 eps)| + BN terms (Gaussian init and inputs)",
    .data = {ZC_INPUT_GAUSSIAN, NULL, ZEN_BATCH, 1, 0, 0},
    .init = ZC_INIT_GAUSSIAN,
    .score = score,
};
