/* Internal helpers shared by the proxies (not part of the public API). */
#ifndef ZCNAS_PROXIES_BASELINE_H
#define ZCNAS_PROXIES_BASELINE_H
#include "zcnas/proxy.h"

/* A fresh network of in->arch for in->num_classes outputs (BN with running stats, as the official
 * models), on opts->backend, with PyTorch's default init from rng (in->seed, in->stream), or the
 * weights of opts->weights_dir when set. Defined in registry.c. */
zc_status zc_proxy_build_initialised(const zc_proxy_input *in, const zc_proxy_opts *o, zc_net **out);

/* 1 for the weight of a Conv2d or Linear layer: what the zero-cost-nas measures score. */
int zc_proxy_is_layer_weight(const zc_net *net, const zc_param *p);

/* Skips what feeds only 'none' (x*0) ops: exact for gradient proxies (the gradient through x*0 is
 * exactly 0 for finite activations, so those parameters get the 0 PyTorch gives them). */
void zc_proxy_prune_zero(zc_net *net);

/* The zero-cost-nas step: train-mode forward of the batch, mean cross-entropy with its labels,
 * backward (every param->grad). *loss (may be NULL) gets the loss. */
zc_status zc_proxy_loss_backward(zc_net *net, const zc_batch *b, double *loss);

/* The batch a data proxy needs, or ZC_EINVAL naming the proxy when it is missing. */
zc_status zc_proxy_need_batch(const zc_batch *b, const char *proxy);

/* Eigenvalues of the symmetric n x n matrix a (row-major; destroyed) by cyclic Jacobi rotations in
 * double precision, in ascending order in w. ZC_ENUM when a has a non-finite entry or the iteration
 * does not converge. Defined in linalg.c. */
zc_status zc_sym_eigvals(double *a, int n, double *w);

/* Pearson correlation matrix of the n rows (length d, row-major) of x, as numpy.corrcoef: rows
 * centred, covariance in double, divided by the product of standard deviations, clipped to [-1, 1].
 * A row with zero variance gives NaN entries (as numpy). r is n x n. Defined in linalg.c. */
void zc_corrcoef_rows(const float *x, int n, size_t d, double *r);

/* One train-mode step on the baseline batch, then the sum over conv/linear weights of W * dL/dW
 * (absolute = 0: plain) or of |W * dL/dW| (absolute = 1: snip). */
zc_status zc_proxy_weight_grad_sum(const zc_proxy_input *in, const zc_proxy_opts *opts, const char *name,
                                   int absolute, double *out);

#endif
