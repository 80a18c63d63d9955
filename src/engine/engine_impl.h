/* The engine's data structures (internal): graph nodes with their run-time state, parameters and
 * the network. Only the engine, the backends and the evaluators of src/evaluators include this;
 * everything else goes through include/zcnas/net.h (opaque zc_net, node/param info, accessors). */
#ifndef ZC_ENGINE_IMPL_H
#define ZC_ENGINE_IMPL_H
#include "zcnas/net.h"

struct zc_backend;

struct zc_param {
    char name[ZC_NAME_MAX];  /* state_dict key, e.g. "cells.0.layers.1.op.1.weight" */
    zc_param_role role;
    int node;                /* owning node */
    int ndim;
    int shape[4];
    size_t numel;
    float *data;             /* backend memory; NULL until the values are needed (and in shapes-only nets) */
    float *grad;             /* backend memory; NULL until a backward pass needs it */
    float *host_data, *host_grad;   /* host copies for the accessors when the backend's memory is not
                                       host memory (NULL otherwise) */
    int kaiming_fan_out;     /* default init is kaiming_normal_(fan_out, relu) instead of PyTorch's */
    int has_bound;           /* default init is U(-bound, bound) (zeros when bound is 0) */
    float bound;
    int const_rule;          /* zc_const_rule of zc_net_init_constant */
    int users;               /* nodes that read it (> 1: shared; backward accumulates its gradient) */
    int no_grad;             /* backward leaves its gradient 0 (zc_net_set_param_grads) */
};

struct zc_node {
    zc_op op;
    int n_in;
    int in[ZC_MAX_INPUTS];
    int c, h, w;             /* output shape of one sample */
    /* attributes (meaning depends on op) */
    int k, stride, pad, groups;
    int count_include_pad;
    int affine, track_stats;  /* batch norm: learnable gamma/beta; has running-stat buffers */
    float eps;
    float alpha;             /* leaky ReLU slope; STATE: its value (set by the init functions) */
    int out_pad;             /* transposed convolution */
    int tiles;               /* images per sample (>= 1): backends see a batch of batch * tiles, stored
                                tile-major (tile 0 of every sample, then tile 1, ...) so that each tile's
                                batch is contiguous: batch norm keeps per-tile statistics, as the official
                                code calling the encoder once per tile */
    int weight, bias;        /* parameter indices, -1 when absent */
    char name[ZC_NAME_MAX];  /* module path in the PyTorch model ("stem.0"), "" for param-less ops */
    /* run-time state, owned by the net, in the backend's memory */
    float *out;              /* batch x c x h x w, in the backend's layout for this node */
    float *grad;             /* d loss / d out, same layout */
    double *saved;           /* op-specific host state (batch norm: per-channel mean and invstd) */
    double **tile_saved;     /* batch norm on a tiled node: each tile's `saved` (tiles entries) */
    double *running;         /* batch norm: running mean, then running var (c each), once a training
                                forward updated them (zc_net_set_bn_momentum); NULL: a fresh model's 0, 1 */
    float *ws;               /* backend workspace (e.g. reordered weights), freed with the buffers */
    int layout;              /* backend-defined memory layout; 0 = plain NCHW */
    int live;                /* 1 when the node is computed (its value reaches the output) */
    int users;               /* live nodes that read this output */
    int merged;              /* identical param-free nodes merged into this one (CSE), plus 1 */
    int relu_modules;        /* ReLU: modules of the reference PyTorch model hooked by NASWOT on its input
                                (class names containing 'ReLU'; 1 unless the builder says otherwise) */
    int hooks;               /* relu_modules summed over the nodes merged into this one */
    int module_outputs;      /* modules of the reference model returning this tensor (zc_net_add_module_outputs) */
    int modules;             /* module_outputs summed over the nodes merged into this one */
    int grad_set;            /* backends that write first contributions: grad holds a value */
    int keep;                /* output and grad kept through forward and backward (zc_net_keep) */
};

struct zc_net {
    zc_node *nodes;
    int n_nodes, cap_nodes;
    zc_param *params;
    int n_params, cap_params;
    int output;              /* node index of the network output (logits) */
    int batch;               /* batch size of the buffers currently allocated */
    int prune_zero;          /* see zc_net_prune_zero */
    int need_input_grad;     /* backward also computes d loss / d input (nodes[0].grad) */
    int bn_eval;             /* batch norms use their running stats (see zc_net_set_bn_eval) */
    double bn_momentum;      /* > 0: training forwards update the running stats (zc_net_set_bn_momentum) */
    int has_module_map;      /* the builder described its reference model's modules */
    int *features, n_features, cap_features;   /* stage outputs (zc_net_mark_feature) */
    int shapes_only;         /* parameters have shapes but no values (set before adding layers) */
    int params_ready;        /* parameter storage allocated in the backend's memory */
    const struct zc_backend *backend;   /* NULL until set: the default backend is used */
    float *host_out;         /* host copy of the output (zc_net_output) when the backend memory is not host memory */
};

/* The batch a node's backend calls and buffers use: the net's batch times the node's tiles. */
static inline int zci_node_batch(const zc_net *net, const zc_node *n) { return net->batch * n->tiles; }

/* A 'none' node that changes shape (zc_net_zero_to: other channels or a stride), not x * 0 in place. */
static inline int zci_zero_reshapes(const zc_net *net, const zc_node *n)
{
    const zc_node *in = &net->nodes[n->in[0]];
    return in->c != n->c || in->h != n->h || in->w != n->w;
}

/* The backend that runs the net (its own, else the default). */
const struct zc_backend *zci_net_backend(const zc_net *net);

/* Batch norm's running statistics (net.c), for the backends: after a training forward of `count`
 * values per channel with batch mean and 1/sqrt(var + eps), update them (when net->bn_momentum > 0); in
 * eval mode, channel c's mean and 1/sqrt(running var + eps). */
void zci_bn_update_running(zc_net *net, zc_node *node, const double *mean, const double *invstd, double count);
void zci_bn_eval_stats(const zc_node *node, int c, double *mean, double *invstd);

#endif
