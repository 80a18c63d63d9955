/* ZiCo (Li et al., ICLR 2023) exactly as the official compute_zico.py: per conv/linear layer, the
 * sum over weights of mean|g| / std(g) across N batches (population std of the SIGNED gradient;
 * elements with zero std dropped), natural log of each nonzero layer sum, summed over layers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "proxies/proxy_impl.h"

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

zc_status zc_zico_net(zc_net *net, const zc_batch *batches, int n_batches, int paper_std,
                      double *score)
{
    if (n_batches < 1) return zc_fail(ZC_EINVAL, "zico: needs at least one batch");
    /* Gradients through 'none' (x*0) are exactly zero and ZiCo drops zero-std elements, so what
     * feeds only 'none' ops need not be computed. */
    zc_net_prune_zero(net);
    /* G[p] holds n_batches rows of parameter p's gradient (NULL for params ZiCo ignores). */
    int np = zc_net_num_params(net);
    float **G = calloc((size_t)(np ? np : 1), sizeof *G);
    size_t *numel = calloc((size_t)(np ? np : 1), sizeof *numel);
    float *dlogits = NULL;
    zc_status st = G && numel ? ZC_OK : zc_fail(ZC_ENOMEM, "zico: out of memory");
    for (int i = 0; i < np && st == ZC_OK; i++) {
        zc_param_info p;
        zc_net_param_info(net, i, &p);
        numel[i] = p.numel;
        if (zc_net_is_layer_weight(net, i) && !(G[i] = malloc((size_t)n_batches * p.numel * sizeof(float))))
            st = zc_fail(ZC_ENOMEM, "zico: out of memory");
    }
    for (int b = 0; b < n_batches && st == ZC_OK; b++) {
        const zc_batch *bt = &batches[b];
        st = zc_net_forward(net, bt->x, bt->n, ZC_RUN_TRAIN);
        if (st != ZC_OK) break;
        int nb, dim;
        const float *logits = zc_net_output(net, &nb, &dim);
        if (!logits) { st = zc_fail(ZC_ENOMEM, "zico: out of memory"); break; }
        free(dlogits);
        dlogits = malloc((size_t)nb * dim * sizeof *dlogits);
        if (!dlogits) { st = zc_fail(ZC_ENOMEM, "zico: out of memory"); break; }
        double loss;
        st = zc_batch_loss(bt, logits, nb, dim, &loss, dlogits);
        if (st == ZC_OK && !isfinite(loss)) st = zc_fail(ZC_ENUM, "zico: the loss is %g", loss);
        if (st == ZC_OK) st = zc_net_backward(net, dlogits);
        for (int i = 0; i < np && st == ZC_OK; i++)
            if (G[i]) memcpy(G[i] + (size_t)b * numel[i], zc_net_param_grad(net, i), numel[i] * sizeof(float));
    }
    zc_net_release_buffers(net);
    double total = 0.0;
    for (int i = 0; i < np && st == ZC_OK; i++) {
        if (!G[i]) continue;
        double term;
        int used;
        zc_zico_layer(G[i], n_batches, numel[i], paper_std, &term, &used);
        if (used) total += term;
    }
    if (st == ZC_OK && !isfinite(total)) st = zc_fail(ZC_ENUM, "zico: the score is %g (non-finite gradients?)", total);
    for (int i = 0; G && i < np; i++) free(G[i]);
    free(G);
    free(numel);
    free(dlogits);
    if (st == ZC_OK) *score = total;
    return st;
}

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *o, double *score)
{
    if (in->n_batches < 2)   /* the std over one batch is 0: every layer skipped, score 0 for any network */
        return zc_fail(ZC_EINVAL, "zico needs at least 2 batches (got %d): its statistic is a std over batches",
                       in->n_batches);
    zc_net *net;
    zc_status st = zci_proxy_build_initialised(in, o, &net);
    if (st != ZC_OK) return st;
    st = zc_zico_net(net, in->batches, in->n_batches, o->zico_paper_std, score);
    zc_net_free(net);
    return st;
}

const zc_proxy zc_proxy_zico = {
    .name = "zico",
    .help = "ZiCo: sum over layers of log sum |mean g| / std g over N training batches",
    .data = {ZC_INPUT_IMAGES, "zico", 64, 2, 0, 1},
    .init = ZC_INIT_DEFAULT,
    .score = score,
};
