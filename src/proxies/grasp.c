/* grasp (Wang et al. 2020, as zero-cost-nas's compute_grasp_per_weight): with W the Conv2d/Linear
 * weights, L the mean cross-entropy of ONE training batch (used for both passes, train-mode BN,
 * PyTorch default init):
 *   g = dL/dW (first pass, a constant), Hg = d/dW (sum_layers g . dL/dW) = H_WW g,
 *   score = sum over all those weights of -W * Hg = -W^T H g.
 * zero-cost-nas gets Hg by double backward. The engine has none, so the score is computed as
 * -g^T (H W) (the same number: H is symmetric; only the per-weight values, never reported, differ),
 * with H W the central difference of the gradient along W itself:
 *   H W ~= (dL/dW(W (1 + e)) - dL/dW(W (1 - e))) / (2 e),   e = GRASP_REL = 1e-3,
 * i.e. every conv/linear weight scaled by 1 +- e (BN parameters stay, as H_WW). Why along W and not
 * along g: the networks are scale-invariant in every conv followed by BN (up to BN's eps), so the
 * loss is nearly linear along W and the step can be a fixed relative 1e-3 (the float32 rounding of
 * W (1 +- e) is u / e = 6e-5 of the step). Along g the same networks at initialisation are extremely
 * curved: steps that change the loss by more than ~3e-3 nats are swamped by O(e^2) truncation, and
 * smaller ones put most weights' perturbation below their float32 ulp. Measured against PyTorch's
 * double backward (tests/oracle/oracle_baselines.py): ~2e-5..5e-5 on a well-conditioned network (3e-4
 * along g); 1e-3..4e-2 on networks where PyTorch float32 itself is 1-2.5% off float64.
 *
 * ReLU masks are frozen at W: autograd's double backward differentiates ReLU's backward
 * (grad * 1[x > 0]) with the mask held constant, i.e. it ignores the gradient jumps where a unit
 * changes sign. A plain finite difference would count them: the number of units flipping inside the
 * step grows like e while each jump is O(1), so their share of the difference quotient does not
 * vanish as e -> 0 (measured along g: 50-100% of the score on NAS-Bench-201 networks). The two
 * perturbed passes therefore run through a wrapper backend whose ReLUs apply the masks recorded in
 * the first pass (forward x * m, backward grad * m: zc_relu_freezer, src/backends/frozen_relu.c); the
 * network is then smooth along the step (BN, softmax) and the central difference converges to
 * autograd's value.
 * Cost: three forward/backward passes and one bit per ReLU element. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "proxies/proxy_impl.h"

#define GRASP_REL 1e-3

/* The conv/linear weights of the net concatenated into dst (which = 0) or their gradients (1). */
static void gather(zc_net *net, int which, float *dst)
{
    size_t off = 0;
    for (int i = 0; i < zc_net_num_params(net); i++) {
        if (!zc_net_is_layer_weight(net, i)) continue;
        zc_param_info p;
        zc_net_param_info(net, i, &p);
        memcpy(dst + off, which ? zc_net_param_grad(net, i) : zc_net_param_data(net, i), p.numel * sizeof *dst);
        off += p.numel;
    }
}

/* Every conv/linear weight set to w0 * scale. */
static zc_status scale_weights(zc_net *net, const float *w0, double scale, float *tmp)
{
    size_t off = 0;
    zc_status st = ZC_OK;
    for (int i = 0; i < zc_net_num_params(net) && st == ZC_OK; i++) {
        if (!zc_net_is_layer_weight(net, i)) continue;
        zc_param_info p;
        zc_net_param_info(net, i, &p);
        for (size_t j = 0; j < p.numel; j++) tmp[j] = (float)((double)w0[off + j] * scale);
        st = zc_net_param_write(net, i, tmp);
        off += p.numel;
    }
    return st;
}

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    const zc_batch *b = NULL;
    zc_status st = zci_proxy_need_batch(in, "grasp", &b);
    if (st != ZC_OK) return st;
    zc_net *net;
    if ((st = zci_proxy_build_initialised(in, opts, &net)) != ZC_OK) return st;
    zc_net_prune_zero(net);
    zc_relu_freezer *fr = NULL;
    if ((st = zc_relu_freezer_attach(net, &fr)) != ZC_OK) { zc_net_free(net); return st; }
    size_t total = 0, largest = 1;
    for (int i = 0; i < zc_net_num_params(net); i++)
        if (zc_net_is_layer_weight(net, i)) {
            zc_param_info p;
            zc_net_param_info(net, i, &p);
            total += p.numel;
            if (p.numel > largest) largest = p.numel;
        }
    /* w0: the weights, g: the first gradient, gp: the gradient at W (1 + e), gm: at W (1 - e)
     * (all layers concatenated). */
    float *w0 = malloc((total ? total : 1) * sizeof *w0);
    float *g = malloc((total ? total : 1) * sizeof *g);
    float *gp = malloc((total ? total : 1) * sizeof *gp);
    float *gm = malloc((total ? total : 1) * sizeof *gm);
    float *tmp = malloc(largest * sizeof *tmp);
    if (!w0 || !g || !gp || !gm || !tmp) st = zc_fail(ZC_ENOMEM, "grasp: out of memory");
    if (st == ZC_OK) st = zci_proxy_loss_backward(net, b, NULL);
    double wn2 = 0.0, gn2 = 0.0;
    if (st == ZC_OK) {
        gather(net, 0, w0);
        gather(net, 1, g);
        for (size_t j = 0; j < total; j++) {
            wn2 += (double)w0[j] * w0[j];
            gn2 += (double)g[j] * g[j];
        }
    }
    double result = 0.0;
    if (st == ZC_OK && !(isfinite(gn2) && isfinite(wn2))) result = NAN;
    else if (st == ZC_OK && gn2 > 0.0) {   /* g = 0 (no path to the loss): Hg = 0, score 0 */
        const double e = GRASP_REL;
        zc_relu_freezer_freeze(fr);
        for (int pass = 0; pass < 2 && st == ZC_OK; pass++) {
            if ((st = scale_weights(net, w0, pass == 0 ? 1.0 + e : 1.0 - e, tmp)) != ZC_OK) break;
            if ((st = zci_proxy_loss_backward(net, b, NULL)) != ZC_OK) break;
            gather(net, 1, pass == 0 ? gp : gm);
        }
        for (size_t j = 0; st == ZC_OK && j < total; j++)
            result -= (double)g[j] * (((double)gp[j] - gm[j]) / (2.0 * e));
    }
    free(w0);
    free(g);
    free(gp);
    free(gm);
    free(tmp);
    zc_relu_freezer_detach(fr, net);
    zc_net_free(net);
    if (st == ZC_OK) *out = result;
    return st;
}

const zc_proxy zc_proxy_grasp = {
    .name = "grasp",
    .help = "-sum of w * (H g) over conv/linear weights (zero-cost-nas; one batch)",
    .data = ZCI_BASELINE_BATCH,
    .init = ZC_INIT_DEFAULT,
    .score = score,
};
