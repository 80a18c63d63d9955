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
 * double backward (tests/oracle_baselines.py): ~2e-5..5e-5 on a well-conditioned network (3e-4
 * along g); 1e-3..4e-2 on networks where PyTorch float32 itself is 1-2.5% off float64.
 *
 * ReLU masks are frozen at W: autograd's double backward differentiates ReLU's backward
 * (grad * 1[x > 0]) with the mask held constant, i.e. it ignores the gradient jumps where a unit
 * changes sign. A plain finite difference would count them: the number of units flipping inside the
 * step grows like e while each jump is O(1), so their share of the difference quotient does not
 * vanish as e -> 0 (measured along g: 50-100% of the score on NAS-Bench-201 networks). The two
 * perturbed passes therefore run through a wrapper backend whose ReLUs apply the masks recorded in
 * the first pass (forward x * m, backward grad * m); the network is then smooth along the step (BN,
 * softmax) and the central difference converges to autograd's value.
 * Cost: three forward/backward passes and one bit per ReLU element. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "proxies/baseline.h"

#define GRASP_REL 1e-3

/* ---- a backend that runs ReLUs with recorded masks and delegates everything else ---- */
typedef struct frozen_backend {
    zc_backend b;               /* first member: net->backend points here */
    const zc_backend *base;
    int record;                 /* 1: ReLU as usual, recording m = 1[x > 0]; 0: x * m */
    int n_nodes, batch;
    uint8_t **mask;             /* per node: batch x c x h x w bits (ReLU nodes only) */
} frozen_backend;

static frozen_backend *frozen_of(const zc_net *net) { return (frozen_backend *)(uintptr_t)net->backend; }

static zc_status frozen_forward(zc_net *net, zc_node *node, int batch, zc_run_mode mode)
{
    frozen_backend *fb = frozen_of(net);
    if (node->op != ZC_OP_RELU) return fb->base->forward(net, node, batch, mode);
    int id = (int)(node - net->nodes);
    size_t n = (size_t)batch * node->c * node->h * node->w;
    const float *x = net->nodes[node->in[0]].out;
    if (fb->record) {
        if (!fb->mask[id] && !(fb->mask[id] = calloc((n + 7) / 8, 1)))
            return zc_fail(ZC_ENOMEM, "grasp: out of memory for ReLU masks");
        uint8_t *m = fb->mask[id];
        memset(m, 0, (n + 7) / 8);
        for (size_t i = 0; i < n; i++)
            if (x[i] > 0.0f) m[i >> 3] |= (uint8_t)(1u << (i & 7));
        fb->batch = batch;
        return fb->base->forward(net, node, batch, mode);
    }
    const uint8_t *m = fb->mask[id];
    if (!m || batch != fb->batch) return zc_fail(ZC_EINVAL, "grasp: no recorded ReLU mask");
    for (size_t i = 0; i < n; i++) node->out[i] = (m[i >> 3] >> (i & 7)) & 1 ? x[i] : 0.0f;
    return ZC_OK;
}

static zc_status frozen_backward(zc_net *net, zc_node *node, int batch)
{
    frozen_backend *fb = frozen_of(net);
    if (node->op != ZC_OP_RELU || fb->record) return fb->base->backward(net, node, batch);
    zc_node *in = &net->nodes[node->in[0]];
    const uint8_t *m = fb->mask[node - net->nodes];
    if (!in->grad) return ZC_OK;
    if (!m || batch != fb->batch) return zc_fail(ZC_EINVAL, "grasp: no recorded ReLU mask");
    size_t n = (size_t)batch * node->c * node->h * node->w;
    /* The base backend's accumulation protocol: write-first (grad_set) or add into zeros. */
    int add = !fb->base->writes_first_grad || in->grad_set;
    for (size_t i = 0; i < n; i++) {
        float v = (m[i >> 3] >> (i & 7)) & 1 ? node->grad[i] : 0.0f;
        in->grad[i] = add ? in->grad[i] + v : v;
    }
    in->grad_set = 1;
    return ZC_OK;
}

static zc_status frozen_init(frozen_backend *fb, zc_net *net)
{
    memset(fb, 0, sizeof *fb);
    fb->base = net->backend;
    fb->b = *net->backend;
    fb->b.name = "grasp-frozen-relu";
    fb->b.forward = frozen_forward;
    fb->b.backward = frozen_backward;
    fb->record = 1;
    fb->n_nodes = net->n_nodes;
    fb->mask = calloc((size_t)net->n_nodes, sizeof *fb->mask);
    if (!fb->mask) return zc_fail(ZC_ENOMEM, "grasp: out of memory");
    zc_net_set_backend(net, &fb->b);
    return ZC_OK;
}

static void frozen_free(frozen_backend *fb, zc_net *net)
{
    if (fb->base) zc_net_set_backend(net, fb->base);
    for (int i = 0; fb->mask && i < fb->n_nodes; i++) free(fb->mask[i]);
    free(fb->mask);
}

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    const zc_batch *b = in->base_batch;
    zc_status st = zc_proxy_need_batch(b, "grasp");
    if (st != ZC_OK) return st;
    zc_net *net;
    if ((st = zc_proxy_build_initialised(in, opts, &net)) != ZC_OK) return st;
    zc_proxy_prune_zero(net);
    frozen_backend fb;
    if ((st = frozen_init(&fb, net)) != ZC_OK) { zc_net_free(net); return st; }
    size_t total = 0;
    for (int i = 0; i < net->n_params; i++)
        if (zc_proxy_is_layer_weight(net, &net->params[i])) total += net->params[i].numel;
    /* w0: the weights, g: the first gradient, gp: the gradient at W (1 + e) (all layers concatenated). */
    float *w0 = malloc((total ? total : 1) * sizeof *w0);
    float *g = malloc((total ? total : 1) * sizeof *g);
    float *gp = malloc((total ? total : 1) * sizeof *gp);
    if (!w0 || !g || !gp) st = zc_fail(ZC_ENOMEM, "grasp: out of memory");
    if (st == ZC_OK) st = zc_proxy_loss_backward(net, b, NULL);
    double wn2 = 0.0, gn2 = 0.0;
    size_t off0 = 0;
    for (int i = 0; i < net->n_params && st == ZC_OK; i++) {
        zc_param *p = &net->params[i];
        if (!zc_proxy_is_layer_weight(net, p)) continue;
        memcpy(w0 + off0, p->data, p->numel * sizeof *w0);
        memcpy(g + off0, p->grad, p->numel * sizeof *g);
        for (size_t j = 0; j < p->numel; j++) {
            wn2 += (double)p->data[j] * p->data[j];
            gn2 += (double)p->grad[j] * p->grad[j];
        }
        off0 += p->numel;
    }
    double result = 0.0;
    if (st == ZC_OK && !(isfinite(gn2) && isfinite(wn2))) result = NAN;
    else if (st == ZC_OK && gn2 > 0.0) {   /* g = 0 (no path to the loss): Hg = 0, score 0 */
        const double e = GRASP_REL;
        fb.record = 0;
        for (int pass = 0; pass < 2 && st == ZC_OK; pass++) {
            const double scale = pass == 0 ? 1.0 + e : 1.0 - e;
            size_t off = 0;
            for (int i = 0; i < net->n_params; i++) {
                zc_param *p = &net->params[i];
                if (!zc_proxy_is_layer_weight(net, p)) continue;
                for (size_t j = 0; j < p->numel; j++) p->data[j] = (float)((double)w0[off + j] * scale);
                off += p->numel;
            }
            if ((st = zc_proxy_loss_backward(net, b, NULL)) != ZC_OK) break;
            off = 0;
            for (int i = 0; i < net->n_params; i++) {
                zc_param *p = &net->params[i];
                if (!zc_proxy_is_layer_weight(net, p)) continue;
                if (pass == 0) memcpy(gp + off, p->grad, p->numel * sizeof *gp);
                else
                    for (size_t j = 0; j < p->numel; j++)
                        result -= (double)g[off + j] * (((double)gp[off + j] - p->grad[j]) / (2.0 * e));
                off += p->numel;
            }
        }
    }
    free(w0);
    free(g);
    free(gp);
    frozen_free(&fb, net);
    zc_net_free(net);
    if (st == ZC_OK) *out = result;
    return st;
}

const zc_proxy zc_proxy_grasp = {
    "grasp", "-sum of w * (H g) over conv/linear weights (zero-cost-nas; one batch)", ZC_DATA_BASE, score, 0};
