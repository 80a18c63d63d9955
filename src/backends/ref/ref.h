/* Reference backend internals: one function pair per op, on plain NCHW float arrays. */
#ifndef ZC_REF_H
#define ZC_REF_H
#include <stddef.h>
#include "engine/engine_impl.h"

/* C[m x n] += A[m x k] * B[k x n] (row-major, leading dimensions given). Products are formed
 * before they are added (no fused multiply-add), which epsilon's float32 underflow relies on. */
void zci_ref_gemm_nn(int m, int n, int k, const float *a, int lda, const float *b, int ldb,
                    float *c, int ldc);
/* C[m x n] += A[m x k] * B[n x k]^T */
void zci_ref_gemm_nt(int m, int n, int k, const float *a, int lda, const float *b, int ldb,
                    float *c, int ldc);
/* C[m x n] += A[k x m]^T * B[k x n] */
void zci_ref_gemm_tn(int m, int n, int k, const float *a, int lda, const float *b, int ldb,
                    float *c, int ldc);

/* A convolution's geometry: input cin x h x w, output cout x oh x ow. */
typedef struct zci_conv_geom {
    int cin, h, w, cout, oh, ow, k, s, p, g;
    int cin_g, cout_g, kk;   /* per-group channels; kk = cin_g * k * k (rows of the column matrix) */
    int direct;              /* 1x1, stride 1, no padding: the input already is the column matrix */
} zci_conv_geom;
/* col[(c*k + ki)*k + kj][oy*ow + ox] = x[c][oy*s - p + ki][ox*s - p + kj] (0 outside), c < cin_g. */
void zci_ref_im2col(const zci_conv_geom *q, const float *x, float *col);
/* Its adjoint: adds the columns back onto the image (dx). */
void zci_ref_col2im(const zci_conv_geom *q, const float *col, float *dx);

/* Array-level kernels, shared with evaluation strategies that work on reduced channel counts. */
typedef struct zci_pool_geom { int h, w, oh, ow, k, s, p, count_include_pad; } zci_pool_geom;
void zci_ref_bn_forward_arrays(const float *in, float *out, int batch, int C, size_t hw,
                              const float *gamma, const float *beta, float eps, double *saved);
/* The same; eval: normalise with that node's running statistics (zci_bn_eval_stats) instead of the
 * batch's (NULL: the batch's). */
void zci_ref_bn_forward_stats(const float *in, float *out, int batch, int C, size_t hw, const float *gamma,
                              const float *beta, float eps, double *saved, const zc_node *eval);
void zci_ref_avgpool_forward_arrays(const zci_pool_geom *g, const float *in, float *out, int planes);
void zci_ref_gap_forward_arrays(const float *in, float *out, int planes, size_t hw);

zc_status zci_ref_conv2d_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_conv2d_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_batchnorm_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_batchnorm_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_relu_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_relu_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_avgpool_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_avgpool_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_gap_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_gap_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_linear_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_linear_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_add_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_add_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_zero_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_zero_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_sigmoid_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_sigmoid_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_scale_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_scale_backward(zc_net *net, zc_node *node, int batch);
/* Array kernels of sigmoid and scale shared with the oneDNN backend: `accumulate` / acc_*: add into
 * the gradient (else overwrite); scale's x is in layout nChw<blk>c (blk 1 = NCHW, <= 64, dividing C),
 * s and ds plain batch x C; dx or ds may be NULL. */
void zci_ref_sigmoid_arrays(const float *x, float *y, size_t n);
void zci_ref_sigmoid_backward_arrays(const float *x, const float *g, float *dx, size_t n, int accumulate);
void zci_ref_scale_forward_arrays(const float *x, const float *s, float *y, int batch, int C, size_t hw, int blk);
void zci_ref_scale_backward_arrays(const float *g, const float *x, const float *s, float *dx, float *ds, int batch,
                                  int C, size_t hw, int blk, int acc_dx, int acc_ds);

zc_status zci_ref_deconv2d_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_deconv2d_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_leaky_relu_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_leaky_relu_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_tanh_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_tanh_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_shift_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_shift_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_untile_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_untile_backward(zc_net *net, zc_node *node, int batch);
/* Layout-generic kernels (planes = batch x C / blk, each h x w x blk), shared with the oneDNN backend;
 * `accumulate`: add into the gradient, else overwrite. */
void zci_ref_leaky_relu_arrays(const float *x, float *y, size_t n, float alpha);
void zci_ref_leaky_relu_backward_arrays(const float *x, const float *g, float *dx, size_t n, float alpha, int accumulate);
void zci_ref_tanh_arrays(const float *x, float *y, size_t n);
void zci_ref_tanh_backward_arrays(const float *x, const float *g, float *dx, size_t n, int accumulate);
void zci_ref_shift_arrays(const float *x, float *y, int planes, int h, int w, int blk);
void zci_ref_shift_backward_arrays(const float *g, float *dx, int planes, int h, int w, int blk, int accumulate);
/* Tile-major (T x batch) x C -> batch x (T x C); backward = 1: the reverse from `out` into `in`. */
void zci_ref_untile_arrays(const float *in, float *out, int batch, int tiles, int c, int backward, int accumulate);
/* 'none' that changes shape (see zc_net_zero_to): x[::s, ::s] * 0 when the channels agree, else 0. */
void zci_ref_zero_to_arrays(const float *x, float *y, int same_c, int planes, int h, int w, int oh, int ow, int s, int blk);
zc_status zci_ref_maxpool_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_maxpool_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_concat_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_concat_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_truncate_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_truncate_backward(zc_net *net, zc_node *node, int batch);
/* Layout-generic array kernels of max pooling and channel moves, shared with the oneDNN backend:
 * planes = batch x C / blk, each h x w x blk (blk 1 = NCHW). Max-pool backward adds into dx. */
void zci_ref_maxpool_forward_arrays(const zci_pool_geom *g, const float *in, float *out, int planes, int blk);
void zci_ref_maxpool_backward_arrays(const zci_pool_geom *g, const float *in, const float *dy, float *dx, int planes,
                                     int blk);
/* A batch of C-channel maps in layout nChw<blk>c (blk divides C). */
typedef struct zci_chan_view { float *data; int c, blk; } zci_chan_view;
/* Channels [src_off, src_off + n) of src into [dst_off, dst_off + n) of dst (added when accumulate). */
void zci_ref_copy_channels(const zci_chan_view *src, int src_off, const zci_chan_view *dst, int dst_off, int n,
                           int batch, size_t hw, int accumulate);
void zci_ref_zero_channels(const zci_chan_view *dst, int off, int n, int batch, size_t hw);

/* Recurrent networks (recurrent.c), shared with the oneDNN backend: `wf` 1 = write-first gradients. */
zc_status zci_rnn_embedding_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_rnn_embedding_backward(zc_net *net, zc_node *node, int batch, int wf);
zc_status zci_rnn_mul_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_rnn_mul_backward(zc_net *net, zc_node *node, int batch, int wf);
zc_status zci_rnn_blend_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_rnn_blend_backward(zc_net *net, zc_node *node, int batch, int wf);
zc_status zci_rnn_step_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_rnn_step_backward(zc_net *net, zc_node *node, int batch, int wf);
zc_status zci_rnn_stack_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_rnn_stack_backward(zc_net *net, zc_node *node, int batch, int wf);
zc_status zci_rnn_state_forward(zc_net *net, zc_node *node, int batch);
zc_status zci_rnn_state_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_embedding_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_mul_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_blend_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_step_backward(zc_net *net, zc_node *node, int batch);
zc_status zci_ref_stack_backward(zc_net *net, zc_node *node, int batch);

static inline zc_node *zci_ref_input(zc_net *net, const zc_node *node, int i)
{
    return &net->nodes[node->in[i]];
}
static inline size_t zci_ref_numel(const zc_node *n, int batch)
{
    return (size_t)batch * n->c * n->h * n->w;
}

#endif
