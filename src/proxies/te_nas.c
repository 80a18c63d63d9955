/* te_nas: TE-NAS' two training-free indicators as the stand-alone copy in AZ-NAS' and VKDNW's NB201
 * code runs them (Chen et al., ICLR 2021; spec-proxies2 section 4), on one network with PyTorch's default
 * init and BN in training mode:
 *   ntk             -cond(Theta): one real batch of 64; for each sample i the gradient g_i of sum_c z_ic
 *                   (backpropagated through the whole batch's graph) w.r.t. every parameter named
 *                   '*weight*' (conv and linear weights, BN gammas); Theta = G G^T; cond = the largest
 *                   eigenvalue over the smallest (no guard for a smallest <= 0, as the official code);
 *                   NaN -> cond 1e5 (inf stays inf: the official 1.8e308 overflows to it)
 *   linear_regions  the distinct ReLU patterns of the samples (rows of sign(A), relu_patterns.c) on 64
 *                   N(0, 1) images, same network
 * The TE-NAS score ranks both over a population (aggregate te_nas: rank(ntk) + rank(linear_regions)). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "backends/ref/simd.h"
#include "proxies/proxy_impl.h"

#define TE_BATCH 64

double zc_ntk_from_gram(double *theta, int n)
{
    double *w = malloc((size_t)(n > 0 ? n : 1) * sizeof *w), cond = NAN;
    if (w && zci_sym_eigvals(theta, n, w) == ZC_OK) cond = w[n - 1] / w[0];
    zc_clear_error();
    free(w);
    if (isnan(cond)) cond = 1e5;   /* (the official +-1.8e308 for +-inf is inf itself in float64) */
    return -cond;
}

/* Theta = G G^T in double, over column blocks that stay in cache while all pairs of rows use them:
 * G is read from memory once (it is up to 64 x 1.5M floats), not once per pair. */
static void gram_blocked(const float *G, int n, size_t P, double *theta)
{
    enum { BLOCK = 2048 };
    memset(theta, 0, (size_t)n * n * sizeof *theta);
    for (size_t k0 = 0; k0 < P; k0 += BLOCK) {
        size_t len = P - k0 < BLOCK ? P - k0 : BLOCK;
        for (int s = 0; s < n; s++)
            for (int j = 0; j <= s; j++)
                theta[(size_t)s * n + j] += zc_dot_f64(G + (size_t)s * P + k0, G + (size_t)j * P + k0, len);
    }
    for (int s = 0; s < n; s++)
        for (int j = 0; j < s; j++) theta[(size_t)j * n + s] = theta[(size_t)s * n + j];
}

zc_status zc_te_nas_ntk_net(zc_net *net, const float *x, int batch, double *ntk)
{
    int np = zc_net_num_params(net);
    size_t P = 0;
    for (int i = 0; i < np; i++) {
        zc_param_info pi;
        zc_net_param_info(net, i, &pi);
        if (strstr(pi.name, "weight")) P += pi.numel;
    }
    int out = zc_net_output_node(net);
    zc_net_keep(net, out);
    zc_net_keep(net, 0);
    zc_status st = zc_net_forward(net, x, batch, ZC_RUN_TRAIN);
    if (st != ZC_OK) return st;
    int nb, dim;
    zc_net_output(net, &nb, &dim);
    float *G = malloc((size_t)batch * (P ? P : 1) * sizeof *G), *dout = calloc((size_t)batch * dim, sizeof *dout);
    double *theta = malloc((size_t)batch * batch * sizeof *theta);
    if (!G || !dout || !theta) st = zc_fail(ZC_ENOMEM, "te_nas: out of memory for %d gradients of %zu weights", batch, P);
    for (int s = 0; s < batch && st == ZC_OK; s++) {
        memset(dout, 0, (size_t)batch * dim * sizeof *dout);
        for (int c = 0; c < dim; c++) dout[(size_t)s * dim + c] = 1.0f;
        if ((st = zc_net_backward_block(net, out, dout, 0)) != ZC_OK) break;
        float *g = G + (size_t)s * P;
        for (int i = 0; i < np; i++) {
            zc_param_info pi;
            zc_net_param_info(net, i, &pi);
            if (!strstr(pi.name, "weight")) continue;
            const float *gr = zc_net_param_grad(net, i);
            if (gr) memcpy(g, gr, pi.numel * sizeof *g);
            else memset(g, 0, pi.numel * sizeof *g);
            g += pi.numel;
        }
    }
    if (st == ZC_OK) {
        gram_blocked(G, batch, P, theta);
        *ntk = zc_ntk_from_gram(theta, batch);
    }
    zc_net_release_buffers(net);
    free(G); free(dout); free(theta);
    return st;
}

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    const zc_batch *b = NULL;
    zc_status st = zci_proxy_need_batch(in, "te_nas", &b);
    if (st != ZC_OK) return st;
    zc_rng rng;
    zc_net *net;
    if ((st = zci_proxy_build_init(in, opts, ZCI_INIT_DEFAULT, &rng, &net)) != ZC_OK) return st;
    if ((st = zci_proxy_untiled(net, "te_nas")) != ZC_OK) return st;
    st = zc_te_nas_ntk_net(net, b->x, b->n, &out[0]);
    float *x = st == ZC_OK ? zci_gaussian_input(net, TE_BATCH, &rng) : NULL;
    if (st == ZC_OK && !x) st = ZC_ENOMEM;
    if (st == ZC_OK) st = zc_relu_patterns_net(net, x, TE_BATCH, NULL, &out[1]);
    free(x);
    zc_net_free(net);
    return st;
}

const zc_proxy zc_proxy_te_nas = {
    .name = "te_nas",
    .help = "TE-NAS sub-scores ntk (-condition number of the NTK, 64 real images) and linear_regions (64 N(0,1) "
            "images); the te_nas score ranks both over the architectures compared",
    .data = {ZC_INPUT_IMAGES, "te_nas", TE_BATCH, 1, (uint64_t)4 << 40, 0},
    .init = ZC_INIT_DEFAULT,
    .score = score,
    .outputs = (const char *const[]){"ntk", "linear_regions", NULL},
    .per_sample_grads = 1,   /* the NTK: batch x weights gradients */
    .act_copies = 1.5f,      /* measured: peak RSS of NB201 networks at batch 64 */
};
