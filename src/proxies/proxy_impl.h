/* What the proxies share (internal): building and initialising an architecture's network, the
 * train-mode loss step, the batch check, and small linear algebra. Proxies see networks through
 * zcnas/net.h only (structure info and tensor accessors), never the engine's internals. */
#ifndef ZC_PROXY_IMPL_H
#define ZC_PROXY_IMPL_H
#include "zcnas/proxy.h"

/* A fresh network of in->arch (built by its space) on opts->backend, parameters uninitialised. */
zc_status zci_proxy_build(const zc_proxy_input *in, const zc_proxy_opts *o, const zc_build_opts *bo, zc_net **out);
/* The same for the space's classes with BN running stats (the benchmark's model), with PyTorch's
 * default init from (in->seed, in->stream), or the weights of opts->weights_dir when set. */
zc_status zci_proxy_build_initialised(const zc_proxy_input *in, const zc_proxy_opts *o, zc_net **out);

/* 1 when the run scores given weights (--weights, or an ONNX model's own): the networks are not
 * initialised, nor re-initialised by proxies that draw several inits (SWAP, grad_norm's ZiCo variant). */
static inline int zci_fixed_weights(const zc_proxy_opts *o) { return o->weights_dir || o->arch_weights; }
/* A fresh network with the given init drawn from rng, which is seeded with (in->seed, in->stream) first
 * and left for the proxy's further draws (inputs); fixed weights (zci_fixed_weights) replace the init. */
typedef enum zci_init { ZCI_INIT_DEFAULT, ZCI_INIT_KAIMING, ZCI_INIT_GAUSSIAN } zci_init;
/* OR'd into the init: build with the residual links a space's scoring network may leave out
 * (zc_build_opts.reslink: the MobileNet space's MasterNet, as AZ-NAS and VKDNW score it). */
#define ZCI_BUILD_RESLINK 0x100
zc_status zci_proxy_build_init(const zc_proxy_input *in, const zc_proxy_opts *o, int init, zc_rng *rng,
                               zc_net **out);
/* batch N(0, 1) inputs of the network's input shape drawn from rng (NULL with the error set). */
float *zci_gaussian_input(const zc_net *net, int batch, zc_rng *rng);

/* ZC_EUNSUPPORTED (net freed) when the network runs its input as tiles (jigsaw): proxies that read
 * per-sample activations have no definition there (the official hooks see one call per tile). */
zc_status zci_proxy_untiled(zc_net *net, const char *proxy);
/* 1 when the network's input is token ids (a language model's embedding reads it). */
int zci_net_reads_tokens(const zc_net *net);

/* The zero-cost-nas step: train-mode forward of the batch, mean cross-entropy with its labels,
 * backward (every parameter's gradient). *loss (may be NULL) gets the loss. */
zc_status zci_proxy_loss_backward(zc_net *net, const zc_batch *b, double *loss);

/* The proxy's first batch (images; labels are checked where they are used), or ZC_EINVAL naming the
 * proxy when its lane has none. */
zc_status zci_proxy_need_batch(const zc_proxy_input *in, const char *proxy, const zc_batch **b);

/* Eigenvalues of the symmetric n x n matrix a (row-major; destroyed) by cyclic Jacobi rotations in
 * double precision, in ascending order in w. ZC_ENUM when a has a non-finite entry or the iteration
 * does not converge. Defined in linalg.c. */
zc_status zci_sym_eigvals(double *a, int n, double *w);
/* The same by Householder tridiagonalisation and implicit QL (what zci_sym_eigvals uses above n = 128). */
zc_status zci_sym_eigvals_ql(double *a, int n, double *w);

/* Pearson correlation matrix of the n rows (length d, row-major) of x, as numpy.corrcoef: rows
 * centred, covariance in double, divided by the product of standard deviations, clipped to [-1, 1].
 * A row with zero variance gives NaN entries (as numpy). r is n x n. Defined in linalg.c. */
void zci_corrcoef_rows(const float *x, int n, size_t d, double *r);

/* One train-mode step on the proxy's batch, then the sum over conv/linear weights of W * dL/dW
 * (absolute = 0: plain) or of |W * dL/dW| (absolute = 1: snip). */
zc_status zci_proxy_weight_grad_sum(const zc_proxy_input *in, const zc_proxy_opts *opts, const char *name,
                                    int absolute, double *out);

/* The data need of the zero-cost-nas baselines: one training batch of 64, its own seed lane. */
#define ZCI_BASELINE_BATCH {ZC_INPUT_IMAGES, "base", 64, 1, (uint64_t)1 << 40, 0}

#endif
