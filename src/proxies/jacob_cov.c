/* jacob_cov (Mellor et al. 2021, as zero-cost-nas's jacob_cov): train-mode forward of a training batch
 * (PyTorch default init), backward of the sum of all logits (dlogits = 1), the per-sample input
 * gradients J (B rows of C*H*W); R = corrcoef of the rows (numpy), v = eigenvalues of R;
 *   score = -sum_i ( ln(v_i + 1e-5) + 1 / (v_i + 1e-5) ).
 * NaN where zero-cost-nas gets NaN: a row with zero variance (numpy's corrcoef gives NaN and the
 * eigen-solver raises), non-finite gradients, or ln of a negative number. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "proxies/proxy_impl.h"

zc_status zc_jacob_cov_net(zc_net *net, const zc_batch *b, double *out)
{
    if (b->n < 2)   /* numpy's corrcoef of one row is a scalar, and the eigen-solver then raises */
        return zc_fail(ZC_EINVAL, "jacob_cov needs at least 2 samples (got %d): it correlates the samples' input "
                                  "gradients", b->n);
    zc_status st = ZC_OK;
    zc_net_prune_zero(net);
    zc_net_need_input_grad(net, 1);
    int n = b->n;
    size_t d = (size_t)b->c * b->h * b->w;
    float *J = malloc((size_t)n * d * sizeof *J), *ones = NULL;
    double *R = malloc((size_t)n * n * sizeof *R), *v = malloc((size_t)n * sizeof *v);
    if (!J || !R || !v) st = zc_fail(ZC_ENOMEM, "jacob_cov: out of memory");
    if (st == ZC_OK) st = zc_net_forward(net, b->x, n, ZC_RUN_TRAIN);
    if (st == ZC_OK) {
        int nb, dim;
        zc_net_output(net, &nb, &dim);
        if (!(ones = malloc((size_t)nb * dim * sizeof *ones))) st = zc_fail(ZC_ENOMEM, "jacob_cov: out of memory");
        for (size_t k = 0; ones && k < (size_t)nb * dim; k++) ones[k] = 1.0f;
    }
    if (st == ZC_OK) st = zc_net_backward(net, ones);
    /* No path from the input to the output except through 'none' (x*0): the Jacobian is 0. */
    if (st == ZC_OK && !zc_net_has_buffer(net, 0, 1)) memset(J, 0, (size_t)n * d * sizeof *J);
    else if (st == ZC_OK) st = zc_net_read(net, 0, 1, J);
    if (st == ZC_OK) {
        double s = NAN;
        zci_corrcoef_rows(J, n, d, R);
        if (zci_sym_eigvals(R, n, v) == ZC_OK) {
            s = 0.0;
            for (int i = 0; i < n; i++) s += log(v[i] + 1e-5) + 1.0 / (v[i] + 1e-5);
            s = -s;
        }
        zc_clear_error();
        *out = s;
    }
    free(J);
    free(ones);
    free(R);
    free(v);
    zc_net_release_buffers(net);
    return st;
}

static zc_status score(const zc_proxy_input *in, const zc_proxy_opts *opts, double *out)
{
    const zc_batch *b = NULL;
    zc_status st = zci_proxy_need_batch(in, "jacob_cov", &b);
    if (st != ZC_OK) return st;
    zc_net *net;
    if ((st = zci_proxy_build_initialised(in, opts, &net)) != ZC_OK) return st;
    if ((st = zci_proxy_untiled(net, "jacob_cov")) != ZC_OK) return st;
    st = zc_jacob_cov_net(net, b, out);
    zc_net_free(net);
    return st;
}

const zc_proxy zc_proxy_jacob_cov = {
    .name = "jacob_cov",
    .help = "eigenvalues of the input-gradient correlation (zero-cost-nas; one batch; NaN possible)",
    .data = ZCI_BASELINE_BATCH,
    .init = ZC_INIT_DEFAULT,
    .score = score,
};
