/* ZiCo (Li et al., ICLR 2023) exactly as the official compute_zico.py: per conv/linear layer, the
 * sum over weights of mean|g| / std(g) across N batches (population std of the SIGNED gradient;
 * elements with zero std dropped), natural log of each nonzero layer sum, summed over layers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "zcnas/proxy.h"

/* Per-element statistics in float32, the way numpy computes them on the official float32 arrays. */
void zc_zico_layer(const float *g, int n_batches, size_t k, int paper_std, double *term, int *used)
{
    double sum = 0.0;
    float inv_n = (float)n_batches;
    for (size_t j = 0; j < k; j++) {
        float s = 0.0f, sabs = 0.0f;
        for (int n = 0; n < n_batches; n++) {
            float v = g[(size_t)n * k + j];
            s += paper_std ? fabsf(v) : v;
            sabs += fabsf(v);
        }
        float mean = s / inv_n, ss = 0.0f;
        for (int n = 0; n < n_batches; n++) {
            float v = g[(size_t)n * k + j];
            float d = (paper_std ? fabsf(v) : v) - mean;
            ss += d * d;
        }
        float std = sqrtf(ss / inv_n);
        if (std != 0.0f) sum += (double)((sabs / inv_n) / std);
    }
    *used = sum != 0.0;
    *term = *used ? log(sum) : 0.0;
}

static int is_scored_layer(const zc_net *net, const zc_param *p)
{
    zc_op op = net->nodes[p->node].op;
    return p->role == ZC_PARAM_WEIGHT && (op == ZC_OP_CONV2D || op == ZC_OP_LINEAR);
}

zc_status zc_zico_net(zc_net *net, const zc_batch *batches, int n_batches, int paper_std,
                      double *score)
{
    if (n_batches < 1) return zc_fail(ZC_EINVAL, "zico: needs at least one batch");
    /* Gradients through 'none' (x*0) are exactly zero and ZiCo drops zero-std elements, so what
     * feeds only 'none' ops need not be computed. */
    if (!net->prune_zero) { net->prune_zero = 1; zc_net_finish(net, net->output); }
    /* G[p] holds n_batches rows of parameter p's gradient (NULL for params ZiCo ignores). */
    float **G = calloc((size_t)net->n_params, sizeof *G);
    float *dlogits = NULL;
    zc_status st = G ? ZC_OK : zc_fail(ZC_ENOMEM, "zico: out of memory");
    for (int i = 0; i < net->n_params && st == ZC_OK; i++)
        if (is_scored_layer(net, &net->params[i]) &&
            !(G[i] = malloc((size_t)n_batches * net->params[i].numel * sizeof(float))))
            st = zc_fail(ZC_ENOMEM, "zico: out of memory");
    for (int b = 0; b < n_batches && st == ZC_OK; b++) {
        const zc_batch *bt = &batches[b];
        st = zc_net_forward(net, bt->x, bt->n, ZC_RUN_TRAIN);
        if (st != ZC_OK) break;
        int nb, dim;
        const float *logits = zc_net_output(net, &nb, &dim);
        free(dlogits);
        dlogits = malloc((size_t)nb * dim * sizeof *dlogits);
        if (!dlogits) { st = zc_fail(ZC_ENOMEM, "zico: out of memory"); break; }
        double loss;
        st = zc_cross_entropy(logits, bt->y, nb, dim, &loss, dlogits);
        if (st == ZC_OK && !isfinite(loss)) st = zc_fail(ZC_ENUM, "zico: the loss is %g", loss);
        if (st == ZC_OK) st = zc_net_backward(net, dlogits);
        for (int i = 0; i < net->n_params && st == ZC_OK; i++)
            if (G[i]) memcpy(G[i] + (size_t)b * net->params[i].numel, net->params[i].grad,
                             net->params[i].numel * sizeof(float));
    }
    zc_net_release_buffers(net);
    double total = 0.0;
    for (int i = 0; i < net->n_params && st == ZC_OK; i++) {
        if (!G[i]) continue;
        double term;
        int used;
        zc_zico_layer(G[i], n_batches, net->params[i].numel, paper_std, &term, &used);
        if (used) total += term;
    }
    if (st == ZC_OK && !isfinite(total)) st = zc_fail(ZC_ENUM, "zico: the score is %g (non-finite gradients?)", total);
    for (int i = 0; G && i < net->n_params; i++) free(G[i]);
    free(G);
    free(dlogits);
    if (st == ZC_OK) *score = total;
    return st;
}
