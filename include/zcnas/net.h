/* The engine: a network is a small DAG of ops (nodes in topological order, built by a search
 * space), run forward and reverse-mode backward by a backend. Parameters are listed in definition
 * order and named by the official PyTorch model's state_dict() keys.
 *
 * zc_net is opaque: its structure is read through zc_net_node_info / zc_net_param_info, and its
 * tensors (which live in the backend's memory) through the accessors below. */
#ifndef ZCNAS_NET_H
#define ZCNAS_NET_H
#include <stddef.h>
#include <stdint.h>
#include "zcnas/error.h"
#include "zcnas/rng.h"

#define ZC_MAX_INPUTS 128   /* a recurrent layer's output stacks one input per time step */
#define ZC_NAME_MAX 96

typedef enum zc_op {
    ZC_OP_INPUT,
    ZC_OP_CONV2D,      /* kernel, stride, padding, groups, optional bias */
    ZC_OP_BATCHNORM,   /* batch statistics (train mode), biased variance */
    ZC_OP_RELU,
    ZC_OP_AVGPOOL,     /* k x k, stride, padding, count_include_pad flag */
    ZC_OP_GAP,         /* global average pooling: N x C x H x W -> N x C x 1 x 1 */
    ZC_OP_LINEAR,      /* on the flattened input */
    ZC_OP_ADD,         /* sum of 1..ZC_MAX_INPUTS same-shaped inputs */
    ZC_OP_ZERO,        /* x * 0: NB201 'none'; inf/NaN inputs propagate as NaN */
    ZC_OP_SIGMOID,     /* 1 / (1 + exp(-x)) */
    ZC_OP_SCALE,       /* in[0] (C x H x W) times in[1] (C x 1 x 1) broadcast over H x W (SE) */
    ZC_OP_MAXPOOL,     /* k x k, stride, padding (padding never wins: PyTorch's max_pool2d) */
    ZC_OP_CONCAT,      /* channel concatenation of 1..ZC_MAX_INPUTS inputs of the same H x W */
    ZC_OP_TRUNCATE,    /* the first C channels of the input (NAS-Bench-101's Truncate) */
    ZC_OP_DECONV2D,    /* transposed convolution: kernel, stride, padding, output padding, optional bias */
    ZC_OP_LEAKY_RELU,  /* x if x > 0 else alpha * x */
    ZC_OP_TANH,
    ZC_OP_SHIFT,       /* y[i][j] = x[i+1][j+1], 0 past the edge (FactorizedReduce's shifted branch) */
    ZC_OP_UNTILE,      /* the tiles of a sample side by side as channels: T x (C x 1 x 1) -> (T*C) x 1 x 1 */
    /* Recurrent networks: a sequence is a tiled node (one tile per time step, time-major inside) */
    ZC_OP_EMBEDDING,   /* token ids (C = 1) -> rows of a [vocab][dim] weight */
    ZC_OP_MUL,         /* element-wise product of 2 same-shaped inputs */
    ZC_OP_BLEND,       /* a * b + (1 - a) * c of 3 same-shaped inputs */
    ZC_OP_STEP,        /* time step k (attribute k) of a sequence: one tile of a tiled node */
    ZC_OP_STACK,       /* steps -> sequence: input t becomes tile t */
    ZC_OP_STATE,       /* an initial recurrent state: a constant C x 1 x 1 (no input; see zc_net_state) */
    ZC_OP_COUNT
} zc_op;

typedef enum zc_param_role {
    ZC_PARAM_WEIGHT,   /* conv or linear weight */
    ZC_PARAM_BIAS,     /* conv or linear bias */
    ZC_PARAM_BN_GAMMA, /* batch-norm weight */
    ZC_PARAM_BN_BETA   /* batch-norm bias */
} zc_param_role;

typedef struct zc_net zc_net;
typedef struct zc_node zc_node;
typedef struct zc_param zc_param;
struct zc_backend;

/* What a node computes (a copy; see zc_net_node_info). */
typedef struct zc_node_info {
    zc_op op;
    int n_in;
    int in[ZC_MAX_INPUTS];
    int c, h, w;              /* output shape of one sample */
    int k, stride, pad, groups, count_include_pad;
    int affine, track_stats;  /* batch norm */
    float eps;
    int weight, bias;         /* parameter indices, -1 when absent */
    const char *name;         /* module path in the PyTorch model, "" for param-less ops */
    int live;                 /* computed in the current graph (reaches the output) */
    int merged;               /* identical param-free nodes it stands for (0: merged into another) */
    int hooks;                /* ReLU: NASWOT's hooked modules reading its input, over the merged nodes
                                 (see zc_net_set_relu_modules) */
    int modules;              /* modules of the reference model that return this tensor, over the merged
                                 nodes (see zc_net_add_module_outputs; MeCo hooks every module) */
    float alpha;              /* leaky ReLU: the negative slope */
    int out_pad;              /* transposed convolution: extra rows/columns at the bottom/right */
    int tiles;                /* images per sample this node runs on (1; 9 inside a jigsaw encoder). The
                                 shape above is of ONE tile; a sample's values are its tiles one after
                                 the other, so a sample of a tiled node holds tiles*c*h*w values */
} zc_node_info;

/* How zc_net_init_constant sets a parameter (epsinas' rule per parameter). */
typedef enum zc_const_rule {
    ZC_CONST_WEIGHTS = 0,   /* weights and BN gammas take the value, biases and betas 0 (the default) */
    ZC_CONST_ALL,           /* the value whatever the role (epsinas' recurrent cells: biases too) */
    ZC_CONST_UNIFORM01      /* U(0, 1) from a generator seeded 21, the same for every value (epsinas' embedding) */
} zc_const_rule;

typedef struct zc_param_info {
    const char *name;         /* state_dict key */
    zc_param_role role;
    int node;                 /* owning node */
    int ndim;
    int shape[4];
    size_t numel;
} zc_param_info;

/* ---- building (returns the new node's index, or -1 with zc_last_error set) ---- */
zc_net *zc_net_new(int c, int h, int w);                 /* node 0 is the input */
/* A network whose every sample is `tiles` images of c x h x w (a jigsaw puzzle: the input is
 * batch x tiles x c x h x w). Nodes run on each tile as an image of its own, with shared weights,
 * until zc_net_untile puts the tiles side by side. */
zc_net *zc_net_new_tiled(int c, int h, int w, int tiles);
/* Parameters get shapes but never values (enough for counting); call before adding layers. */
void zc_net_set_shapes_only(zc_net *net);
void zc_net_free(zc_net *net);
int zc_net_conv2d(zc_net *net, int x, const char *name, int c_out, int k, int stride, int pad,
                  int groups, int bias);
int zc_net_batchnorm(zc_net *net, int x, const char *name, float eps, int affine,
                     int track_running_stats);
int zc_net_relu(zc_net *net, int x);
int zc_net_avgpool(zc_net *net, int x, int k, int stride, int pad, int count_include_pad);
int zc_net_gap(zc_net *net, int x);
int zc_net_linear(zc_net *net, int x, const char *name, int out_features, int bias);
int zc_net_add(zc_net *net, int n, const int *xs);
int zc_net_zero(zc_net *net, int x);
int zc_net_sigmoid(zc_net *net, int x);
/* x * s with s of shape C x 1 x 1 (same C as x): per-sample, per-channel factors. */
int zc_net_scale(zc_net *net, int x, int s);
/* Max pooling; the gradient goes to the first maximum of each window in row-major order (a NaN
 * counts as the maximum), as PyTorch's CPU max_pool2d. */
int zc_net_maxpool(zc_net *net, int x, int k, int stride, int pad);
/* Channels of xs[0], then xs[1], ... (same H x W). */
int zc_net_concat(zc_net *net, int n, const int *xs);
/* The first `channels` channels of x (x itself when it has exactly that many). */
int zc_net_truncate(zc_net *net, int x, int channels);
static inline int zc_net_identity(zc_net *net, int x) { (void)net; return x; }
/* PyTorch's ConvTranspose2d (groups 1): output (H - 1) * stride - 2 * pad + k + out_pad; weight
 * [C_in][C_out][k][k]. */
int zc_net_deconv2d(zc_net *net, int x, const char *name, int c_out, int k, int stride, int pad, int out_pad,
                    int bias);
int zc_net_leaky_relu(zc_net *net, int x, float alpha);
int zc_net_tanh(zc_net *net, int x);
/* x[:, :, 1:, 1:] padded back to the input size with zeros at the bottom and right. */
int zc_net_shift(zc_net *net, int x);
/* A 'none' edge that changes shape (TransNAS-Bench-101's Zero): with c_out == C_in it is
 * x[:, :, ::stride, ::stride] * 0 (NaN stays visible); otherwise fresh zeros of c_out x
 * ceil(H / stride) x ceil(W / stride). */
int zc_net_zero_to(zc_net *net, int x, int c_out, int stride);
/* Puts the tiles of a tiled node (1 x 1 maps) side by side: T x C -> T*C channels, tile by tile,
 * as torch.cat of the per-tile outputs along dim 1. */
int zc_net_untile(zc_net *net, int x);
/* ---- recurrent networks ----
 * A sequence of T steps is a tiled node with T tiles (zc_net_new_tiled(1, 1, 1, T) for token ids: the
 * input is batch x T ids as floats). Steps are untiled nodes; weights are shared across steps by
 * building every step's linear on the same parameters (zc_net_param + zc_net_linear_with); shared
 * parameters accumulate their gradient over every node that uses them. */
/* rows (x cols when cols > 0) parameter `name`, used by nodes built with zc_net_linear_with. */
int zc_net_param(zc_net *net, const char *name, zc_param_role role, int rows, int cols);
/* y = x W^T (+ b) with existing parameters: weight [out][in] (in = x's C*H*W), bias [out] or -1. */
int zc_net_linear_with(zc_net *net, int x, int weight, int bias);
/* Embedding lookup: x holds token ids (C = H = W = 1); weight `name`.weight [vocab][dim]. Ids that
 * are not integers in 0..vocab-1 fail the forward pass with ZC_EDATA. */
int zc_net_embedding(zc_net *net, int x, const char *name, int vocab, int dim);
int zc_net_mul(zc_net *net, int a, int b);
int zc_net_blend(zc_net *net, int a, int b, int c);
/* Step t of the tiled node x (an untiled node of x's shape). */
int zc_net_step(zc_net *net, int x, int t);
/* The n untiled, same-shaped steps xs as one sequence of n tiles (n <= ZC_MAX_INPUTS). */
int zc_net_stack(zc_net *net, int n, const int *xs);
/* An initial recurrent state of c x 1 x 1 per sample: 0 after zc_net_init_default / _gaussian, the
 * value after zc_net_init_constant (epsinas fills the hidden states with its weight). */
int zc_net_state(zc_net *net, int c);
/* Initialisation rules of one parameter: zc_net_init_default draws U(-bound, bound) when bound > 0,
 * zeros when bound == 0, PyTorch's default rule when bound < 0 (the default); zc_net_init_constant
 * follows `rule`. */
void zc_net_set_param_init(zc_net *net, int param, float bound, zc_const_rule rule);

/* The conv's weight is initialised by zc_net_init_default with kaiming_normal_(mode='fan_out',
 * nonlinearity='relu'), N(0, 2 / (C_out k k)), as TransNAS-Bench-101's encoder does. */
void zc_net_set_kaiming_fan_out(zc_net *net, int conv);
/* NASWOT hooks every module whose class name contains 'ReLU' and reads its input: a ReLU node stands
 * for `modules` such modules of the reference PyTorch model (default 1: its nn.ReLU; 2 when it opens a
 * module that is hooked too, as xautodl's ReLUConvBN). */
void zc_net_set_relu_modules(zc_net *net, int relu, int modules);
/* The builder marks the outputs of the network's stages in order (the stem, then each cell or block:
 * AZ-NAS' feature maps; each stage reads only the previous one). */
zc_status zc_net_mark_feature(zc_net *net, int node);
/* The marked stage outputs (count; their node ids in *nodes, may be NULL). */
int zc_net_features(const zc_net *net, const int **nodes);
/* The builder's description of its reference PyTorch model for proxies that hook every module (MeCo):
 * `count` more modules (a layer, the Sequential or cell around it, an Identity edge reading it, ...) return
 * this node's tensor. Nodes merged by zc_net_finish sum their counts. */
void zc_net_add_module_outputs(zc_net *net, int node, int count);
/* 1 when the builder described the modules (else proxies that hook modules are not defined). */
int zc_net_has_module_map(const zc_net *net);
/* Marks the output, merges identical parameter-free nodes (same op on the same input) and
 * computes which nodes are needed. */
zc_status zc_net_finish(zc_net *net, int output);
/* Treats 'none' (x*0) as exactly 0: what feeds only 'none' ops is not computed, and sums drop such
 * terms. Exact for finite activations; gradient proxies set it (their gradients through x*0 are
 * exactly 0 anyway). */
void zc_net_prune_zero(zc_net *net);
/* Backward also computes d loss / d input (read it with zc_net_read(net, 0, 1, ...)). */
void zc_net_need_input_grad(zc_net *net, int on);

/* ---- structure ---- */
int zc_net_num_nodes(const zc_net *net);
int zc_net_num_params(const zc_net *net);
int zc_net_output_node(const zc_net *net);
int zc_net_is_shapes_only(const zc_net *net);
void zc_net_node_info(const zc_net *net, int node, zc_node_info *out);
void zc_net_param_info(const zc_net *net, int param, zc_param_info *out);
int zc_net_find_param(const zc_net *net, const char *name);
/* 1 for the weight of a Conv2d or Linear layer (what ZiCo and the zero-cost-nas measures score). */
int zc_net_is_layer_weight(const zc_net *net, int param);

/* ---- parameter values (in the backend's memory; these are host views) ----
 * A view stays valid until the next forward, backward, write or zc_net_set_backend. */
const float *zc_net_param_data(zc_net *net, int param);   /* NULL in a shapes-only net */
const float *zc_net_param_grad(zc_net *net, int param);   /* NULL before a backward pass */
zc_status zc_net_param_write(zc_net *net, int param, const float *values);   /* numel values */
/* PyTorch default init: conv/linear weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * batch-norm gamma 1, beta 0. Deterministic given the rng. */
zc_status zc_net_init_default(zc_net *net, zc_rng *rng);
/* Gaussian init N(0, 1) of conv/linear weights, biases 0, BN gamma 1 beta 0 (Zen-score style). */
zc_status zc_net_init_gaussian(zc_net *net, zc_rng *rng);
/* epsilon's constant init: every weight (conv, linear, BN gamma) = value, every bias/beta = 0. */
zc_status zc_net_init_constant(zc_net *net, float value);
/* kaiming_normal_ (fan_in, ReLU gain): conv/linear weights N(0, 2 / fan_in), biases 0, BN gamma 1 beta 0
 * (AZ-NAS, VKDNW). */
zc_status zc_net_init_kaiming(zc_net *net, zc_rng *rng);
/* on = 1: batch norms normalise with their running statistics: a freshly built model's (mean 0, var 1:
 * y = gamma x / sqrt(1 + eps) + beta), as a new PyTorch model in eval mode, unless zc_net_set_bn_momentum
 * let training forwards move them; samples are then independent.
 * 0 (the default): batch statistics. */
void zc_net_set_bn_eval(zc_net *net, int on);
/* momentum > 0: every training-mode forward also updates each batch norm's running statistics as
 * PyTorch's does (r = (1 - m) r + m * batch statistic, the variance unbiased), starting from a fresh
 * model's (0, 1); eval mode then normalises with them (VKDNW's MobileNet code scores AZ-NAS' training
 * forward first, then the Fisher information in eval mode). Untiled networks. Any call resets the
 * running statistics to fresh; 0 (the default) leaves them there. */
void zc_net_set_bn_momentum(zc_net *net, double momentum);
/* The statistics batch norm `node` normalises channel c with in eval mode: its running mean and
 * 1/sqrt(running var + eps). */
void zc_net_bn_eval_stats(const zc_net *net, int node, int c, double *mean, double *invstd);
/* on = 0: later backward passes compute only activation gradients (parameter gradients stay 0), which
 * saves the weight-gradient half of conv and linear layers (proxies that read activation gradients).
 * 1 (the default): every parameter's gradient. */
void zc_net_set_param_grads(zc_net *net, int on);

/* ---- running ---- */
typedef enum zc_run_mode {
    ZC_RUN_INFER,   /* forward only: intermediate buffers are released as soon as they are consumed */
    ZC_RUN_TRAIN    /* keep what backward needs */
} zc_run_mode;

/* Runs the net on this backend from now on (NULL: the default one). */
void zc_net_set_backend(zc_net *net, const struct zc_backend *backend);
/* x: batch x c x h x w of the input node (host memory). */
zc_status zc_net_forward(zc_net *net, const float *x, int batch, zc_run_mode mode);
/* The output after a forward pass (a host view, batch x dim), or NULL. */
const float *zc_net_output(zc_net *net, int *batch, int *dim);
/* Backward from d loss / d output (batch x dim); fills every parameter's grad (overwriting). */
zc_status zc_net_backward(zc_net *net, const float *dout);
/* A vector-Jacobian product of one part of the network: seeds node `from` with dfrom (plain NCHW,
 * batch x c x h x w) and runs the backward of the nodes after `stop` up to `from`; the gradient at node
 * `stop` is then readable (zc_net_read(net, stop, 1, ...)). Parameter grads are overwritten.
 * Activations are kept, so it can be called for several parts of one training-mode forward pass; both
 * nodes must be kept (zc_net_keep) and every node in between must read only nodes after `stop` or
 * `stop` itself (a sequential stage of the network). */
zc_status zc_net_backward_block(zc_net *net, int from, const float *dfrom, int stop);
/* Copies a node's output (which = 0) or gradient (which = 1) as plain NCHW (batch x c x h x w; a tiled
 * node's as batch x tiles x c x h x w, the input's layout)
 * into dst, whatever layout the backend keeps it in. ZC_EINVAL when that buffer does not exist
 * (outputs are released during training runs unless kept: see zc_net_keep). */
zc_status zc_net_read(zc_net *net, int node, int which, float *dst);
/* 1 when the node's output (which = 0) or gradient (which = 1) exists now. */
int zc_net_has_buffer(const zc_net *net, int node, int which);
/* Keeps a node's output and gradient until the next forward (for proxies that inspect them). */
void zc_net_keep(zc_net *net, int node);
/* Releases activation buffers (keeps parameters and their grads). */
void zc_net_release_buffers(zc_net *net);
int zc_net_batch(const zc_net *net);

/* Mean cross-entropy over the batch; writes d loss / d logits to dlogits if not NULL. */
zc_status zc_cross_entropy(const float *logits, const int *labels, int batch, int classes,
                           double *loss, float *dlogits);

const char *zc_op_name(zc_op op);

#endif
