/* meco / meco_opt: MeCo (Jiang et al., NeurIPS 2023; HamsterMimi/MeCo; spec-proxies2 section 2). The
 * official code hooks EVERY module of the model (the root, containers and leaves) and, at each call,
 * takes the output's first sample, reshapes it to n x m (n = its first dimension: channels x positions),
 * computes the Pearson correlation of the n rows with NaN and inf entries set to 0, and adds the
 * smallest real part of its eigenvalues. Containers repeat their last child's tensor, an Identity edge
 * repeats its input: the space's builder records how many modules return each node's tensor
 * (zc_net_add_module_outputs), and each node counts that many times. Firings with n = 1 are skipped
 * (the official code's eig call fails on them).
 * The NB201 script: PyTorch's default init, BN in training mode, ONE real training image (the meco lane:
 * one image drawn with the run's seed); --meco-input random uses one N(0, 1) image of the network's input
 * size instead (the paper's "one random data" and the foresight measure used for NAS-Bench-101).
 * meco_opt: per firing 8 distinct random rows (Python's random.sample; here the architecture's stream),
 * value = lambda_min of their 8 x 8 correlation times n / 8 (all n rows, factor 1, when n < 8: the
 * official code fails there). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "proxies/proxy_impl.h"

double zc_meco_value(const float *rows, int n, size_t m)
{
    double *r = malloc((size_t)n * n * sizeof *r), *w = malloc((size_t)n * sizeof *w), v = NAN;
    if (r && w) {
        zci_corrcoef_rows(rows, n, m, r);
        for (size_t k = 0; k < (size_t)n * n; k++) if (!isfinite(r[k])) r[k] = 0.0;
        if (zci_sym_eigvals(r, n, w) == ZC_OK) v = w[0];
        zc_clear_error();
    }
    free(r); free(w);
    return v;
}

zc_status zc_meco_net(zc_net *net, const float *x, int opt, zc_rng *rng, double *score)
{
    if (!zc_net_has_module_map(net))
        return zc_fail(ZC_EUNSUPPORTED, "meco: the space does not describe its reference model's modules");
    int nn = zc_net_num_nodes(net);
    size_t max_d = 0;
    for (int i = 0; i < nn; i++) {
        zc_node_info n;
        zc_net_node_info(net, i, &n);
        if (n.modules <= 0 || (!n.live && i != 0)) continue;
        size_t d = (size_t)n.tiles * n.c * n.h * n.w;
        if (d > max_d) max_d = d;
        zc_net_keep(net, i);
    }
    float *buf = malloc((max_d ? max_d : 1) * sizeof *buf), *sub = malloc((max_d ? max_d : 1) * sizeof *sub);
    zc_status st = buf && sub ? ZC_OK : zc_fail(ZC_ENOMEM, "meco: out of memory");
    if (st == ZC_OK) st = zc_net_forward(net, x, 1, ZC_RUN_INFER);
    double total = 0.0;
    for (int i = 0; i < nn && st == ZC_OK; i++) {
        zc_node_info n;
        zc_net_node_info(net, i, &n);
        if (n.modules <= 0 || (!n.live && i != 0)) continue;
        int rows = n.tiles * n.c;
        size_t m = (size_t)n.h * n.w;
        if (rows < 2) continue;
        if ((st = zc_net_read(net, i, 0, buf)) != ZC_OK) break;
        for (int f = 0; f < n.modules; f++) {   /* each firing (meco_opt draws its rows per firing) */
            double v;
            if (opt && rows > 8) {
                int pick[8];
                for (int k = 0; k < 8; k++) {   /* 8 distinct rows */
                    int ok;
                    do {
                        pick[k] = (int)zc_rng_below(rng, (uint64_t)rows);
                        ok = 1;
                        for (int q = 0; q < k; q++) ok &= pick[q] != pick[k];
                    } while (!ok);
                    memcpy(sub + (size_t)k * m, buf + (size_t)pick[k] * m, m * sizeof *sub);
                }
                v = zc_meco_value(sub, 8, m) * rows / 8.0;
            } else {
                v = zc_meco_value(buf, rows, m);
                if (!opt) { if (isfinite(v)) total += v * n.modules; break; }
            }
            if (isfinite(v)) total += v;   /* the NB201 script drops NaN and inf values */
        }
    }
    if (st == ZC_OK) *score = total;
    zc_net_release_buffers(net);
    free(buf); free(sub);
    return st;
}

static zc_status score_meco(const zc_proxy_input *in, const zc_proxy_opts *opts, int opt, double *out)
{
    const char *name = opt ? "meco_opt" : "meco";
    const zc_batch *b = NULL;
    zc_status st = ZC_OK;
    if (!opts->meco_random_input && (st = zci_proxy_need_batch(in, name, &b)) != ZC_OK) return st;
    zc_rng rng;
    zc_net *net;
    if ((st = zci_proxy_build_init(in, opts, ZCI_INIT_DEFAULT, &rng, &net)) != ZC_OK) return st;
    if ((st = zci_proxy_untiled(net, name)) != ZC_OK) return st;
    float *x = opts->meco_random_input ? zci_gaussian_input(net, 1, &rng) : NULL;
    if (opts->meco_random_input && !x) st = ZC_ENOMEM;
    if (st == ZC_OK) st = zc_meco_net(net, x ? x : b->x, opt, &rng, out);
    free(x);
    zc_net_free(net);
    return st;
}

static zc_status score_plain(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    return score_meco(in, opts, 0, out);
}

static zc_status score_opt(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    return score_meco(in, opts, 1, out);
}

#define MECO_LANE {ZC_INPUT_IMAGES, "meco", 1, 1, (uint64_t)5 << 40, 1}

const zc_proxy zc_proxy_meco = {
    .name = "meco",
    .help = "MeCo: sum over every module's output of the smallest eigenvalue of its channel correlation (one "
            "real image; --meco-input random)",
    .data = MECO_LANE,
    .init = ZC_INIT_DEFAULT,
    .score = score_plain,
};

const zc_proxy zc_proxy_meco_opt = {
    .name = "meco_opt",
    .help = "MeCo_opt: as meco on 8 random channels per module output, times channels / 8",
    .data = MECO_LANE,
    .init = ZC_INIT_DEFAULT,
    .score = score_opt,
};
