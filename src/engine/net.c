/* Network graph: building, parameter registry, initialisation, and the forward/backward driver.
 * Nodes are appended in topological order, so a forward pass is a loop over the node array and a
 * backward pass the same loop reversed. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backends/backend_impl.h"
#include "engine/engine_impl.h"

/* Activations larger than this (elements of one tensor) are treated as an absurd request. */
#define ZC_MAX_TENSOR_ELEMS ((size_t)1 << 34)

static const char *const op_names[ZC_OP_COUNT] = {
    "input", "conv2d", "batchnorm", "relu", "avgpool", "gap", "linear", "add", "zero", "sigmoid", "scale",
    "maxpool", "concat", "truncate", "deconv2d", "leaky_relu", "tanh", "shift", "untile",
    "embedding", "mul", "blend", "step", "stack", "state"};

const char *zc_op_name(zc_op op) { return (op >= 0 && op < ZC_OP_COUNT) ? op_names[op] : "?"; }

zc_net *zc_net_new(int c, int h, int w) { return zc_net_new_tiled(c, h, w, 1); }

zc_net *zc_net_new_tiled(int c, int h, int w, int tiles)
{
    if (c <= 0 || h <= 0 || w <= 0 || tiles <= 0 || tiles > ZC_MAX_INPUTS || (size_t)tiles * c * h * w > ZC_MAX_TENSOR_ELEMS) {
        zc_fail(ZC_EINVAL, "invalid network input shape %dx%dx%dx%d", tiles, c, h, w);
        return NULL;
    }
    zc_net *net = calloc(1, sizeof *net);
    if (!net) return NULL;
    net->output = -1;
    zc_node *in = NULL;
    net->cap_nodes = 64;
    net->nodes = calloc((size_t)net->cap_nodes, sizeof *net->nodes);
    if (!net->nodes) { free(net); zc_fail(ZC_ENOMEM, "out of memory building a network"); return NULL; }
    in = &net->nodes[0];
    in->op = ZC_OP_INPUT;
    in->c = c; in->h = h; in->w = w;
    in->tiles = tiles;
    in->weight = in->bias = -1;
    net->n_nodes = 1;
    return net;
}

const zc_backend *zci_net_backend(const zc_net *net)
{
    return net->backend ? net->backend : zc_backend_default();
}

void zc_net_set_shapes_only(zc_net *net) { net->shapes_only = 1; }

/* Parameter storage lives in the backend's memory and is allocated when values are first needed
 * (a shapes-only network never gets any). */
static zc_status ensure_params(zc_net *net)
{
    if (net->params_ready) return ZC_OK;
    if (net->shapes_only) return zc_fail(ZC_EINVAL, "the network has parameter shapes only (no values)");
    const zc_backend *be = zci_net_backend(net);
    for (int i = 0; i < net->n_params; i++) {
        zc_param *p = &net->params[i];
        if (!p->data && !(p->data = be->alloc(be->ctx, p->numel, 1)))
            return zc_fail(ZC_ENOMEM, "out of memory for parameter %s", p->name);
    }
    net->params_ready = 1;
    return ZC_OK;
}

static void release_params(zc_net *net, const zc_backend *be)
{
    for (int i = 0; i < net->n_params; i++) {
        zc_param *p = &net->params[i];
        be->release(be->ctx, p->data);
        be->release(be->ctx, p->grad);
        p->data = p->grad = NULL;
        free(p->host_data);
        free(p->host_grad);
        p->host_data = p->host_grad = NULL;
    }
    net->params_ready = 0;
}

void zc_net_release_buffers(zc_net *net)
{
    if (!net) return;
    const zc_backend *be = zci_net_backend(net);
    for (int i = 0; i < net->n_nodes; i++) {
        zc_node *n = &net->nodes[i];
        be->release(be->ctx, n->out);
        be->release(be->ctx, n->grad);
        be->release(be->ctx, n->ws);
        free(n->saved);
        n->out = n->grad = n->ws = NULL;
        n->saved = NULL;
        for (int t = 0; n->tile_saved && t < n->tiles; t++) free(n->tile_saved[t]);
        free(n->tile_saved);
        n->tile_saved = NULL;
    }
    free(net->host_out);
    net->host_out = NULL;
    net->batch = 0;
}

static void reset_running(zc_net *net);

void zc_net_free(zc_net *net)
{
    if (!net) return;
    zc_net_release_buffers(net);
    reset_running(net);
    release_params(net, zci_net_backend(net));
    free(net->params);
    free(net->nodes);
    free(net->features);
    free(net);
}

zc_status zc_net_mark_feature(zc_net *net, int node)
{
    if (node < 0 || node >= net->n_nodes) return zc_fail(ZC_EINVAL, "mark_feature: no node %d", node);
    if (net->n_features == net->cap_features) {
        int cap = net->cap_features ? 2 * net->cap_features : 32;
        int *f = realloc(net->features, (size_t)cap * sizeof *f);
        if (!f) return zc_fail(ZC_ENOMEM, "out of memory");
        net->features = f;
        net->cap_features = cap;
    }
    net->features[net->n_features++] = node;
    return ZC_OK;
}

int zc_net_features(const zc_net *net, const int **nodes)
{
    if (nodes) *nodes = net->features;
    return net->n_features;
}

void zc_net_add_module_outputs(zc_net *net, int node, int count)
{
    if (node < 0 || node >= net->n_nodes) return;
    net->nodes[node].module_outputs += count;
    net->has_module_map = 1;
}

int zc_net_has_module_map(const zc_net *net) { return net->has_module_map; }

void zc_net_set_backend(zc_net *net, const zc_backend *backend)
{
    const zc_backend *from = zci_net_backend(net), *to = backend ? backend : zc_backend_default();
    if (from == to) {
        net->backend = backend;
        return;
    }
    /* The values move into the new backend's memory; activations and gradients are recomputed. */
    zc_net_release_buffers(net);
    for (int i = 0; i < net->n_params; i++) {
        zc_param *p = &net->params[i];
        from->release(from->ctx, p->grad);
        p->grad = NULL;
        if (!p->data) continue;
        float *moved = to->alloc(to->ctx, p->numel, 0), *tmp = malloc(p->numel * sizeof *tmp);
        if (moved && tmp) {
            from->read(from->ctx, p->data, tmp, p->numel);
            to->write(to->ctx, moved, tmp, p->numel);
        }
        free(tmp);
        from->release(from->ctx, p->data);
        p->data = moved;   /* NULL on allocation failure: ensure_params allocates it again (zeroed) */
        if (!moved) net->params_ready = 0;
    }
    net->backend = backend;
}

/* ---------------------------------------------------------------- building */

static zc_node *check_input(zc_net *net, int x)
{
    if (!net || x < 0 || x >= net->n_nodes) {
        zc_fail(ZC_EINVAL, "network builder: input node %d does not exist", x);
        return NULL;
    }
    return &net->nodes[x];
}

static int push_node(zc_net *net, zc_op op, int n_in, const int *in, int c, int h, int w)
{
    if (c <= 0 || h <= 0 || w <= 0 || (size_t)c * h * w > ZC_MAX_TENSOR_ELEMS) {
        zc_fail(ZC_EINVAL, "%s: invalid output shape %dx%dx%d", zc_op_name(op), c, h, w);
        return -1;
    }
    if (net->n_nodes == net->cap_nodes) {
        int cap = net->cap_nodes * 2;
        zc_node *nodes = realloc(net->nodes, (size_t)cap * sizeof *nodes);
        if (!nodes) { zc_fail(ZC_ENOMEM, "out of memory building a network"); return -1; }
        net->nodes = nodes;
        net->cap_nodes = cap;
    }
    zc_node *n = &net->nodes[net->n_nodes];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->n_in = n_in;
    for (int i = 0; i < n_in; i++) n->in[i] = in[i];
    n->c = c; n->h = h; n->w = w;
    n->weight = n->bias = -1;
    n->groups = 1;
    n->tiles = n_in > 0 ? net->nodes[in[0]].tiles : 1;
    for (int i = 1; i < n_in; i++)
        if (net->nodes[in[i]].tiles != n->tiles) {
            zc_fail(ZC_EINVAL, "%s: inputs of different tile counts", zc_op_name(op));
            return -1;
        }
    return net->n_nodes++;
}

static int push_param(zc_net *net, int node, const char *module, const char *suffix,
                      zc_param_role role, int ndim, const int *shape)
{
    if (net->n_params == net->cap_params) {
        int cap = net->cap_params ? net->cap_params * 2 : 32;
        zc_param *p = realloc(net->params, (size_t)cap * sizeof *p);
        if (!p) { zc_fail(ZC_ENOMEM, "out of memory building a network"); return -1; }
        net->params = p;
        net->cap_params = cap;
    }
    zc_param *p = &net->params[net->n_params];
    memset(p, 0, sizeof *p);
    if ((size_t)snprintf(p->name, sizeof p->name, "%s.%s", module, suffix) >= sizeof p->name) {
        zc_fail(ZC_EINVAL, "parameter name too long: %s.%s", module, suffix);
        return -1;
    }
    p->role = role;
    p->node = node;
    p->users = node >= 0;
    p->ndim = ndim;
    p->numel = 1;
    for (int i = 0; i < ndim; i++) { p->shape[i] = shape[i]; p->numel *= (size_t)shape[i]; }
    net->params_ready = 0;   /* storage comes with the first values (ensure_params) */
    return net->n_params++;
}

/* A weighted node's parameters: `name`.weight of the given shape, and `name`.bias (c_out) when asked. */
static int add_weight_bias(zc_net *net, int id, const char *name, int ndim, const int *wshape, int c_out, int bias)
{
    int w = push_param(net, id, name, "weight", ZC_PARAM_WEIGHT, ndim, wshape);
    if (w < 0) return -1;
    net->nodes[id].weight = w;
    if (bias) {
        int b = push_param(net, id, name, "bias", ZC_PARAM_BIAS, 1, &c_out);
        if (b < 0) return -1;
        net->nodes[id].bias = b;
    }
    return id;
}

static int set_name(zc_node *n, const char *name)
{
    if (!name) name = "";
    if (strlen(name) >= sizeof n->name) return zc_fail(ZC_EINVAL, "module name too long: %s", name), -1;
    strcpy(n->name, name);
    return 0;
}

int zc_net_conv2d(zc_net *net, int x, const char *name, int c_out, int k, int stride, int pad,
                  int groups, int bias)
{
    zc_node *in = check_input(net, x);
    if (!in) return -1;
    if (c_out <= 0 || k <= 0 || stride <= 0 || pad < 0 || groups <= 0 || in->c % groups ||
        c_out % groups) {
        zc_fail(ZC_EINVAL, "conv2d %s: invalid configuration (C_in %d, C_out %d, k %d, stride %d, "
                "pad %d, groups %d)", name, in->c, c_out, k, stride, pad, groups);
        return -1;
    }
    int oh = (in->h + 2 * pad - k) / stride + 1, ow = (in->w + 2 * pad - k) / stride + 1;
    if (in->h + 2 * pad < k || in->w + 2 * pad < k) oh = ow = 0;
    int cin = in->c;
    int id = push_node(net, ZC_OP_CONV2D, 1, &x, c_out, oh, ow);
    if (id < 0) return -1;
    zc_node *n = &net->nodes[id];
    n->k = k; n->stride = stride; n->pad = pad; n->groups = groups;
    if (set_name(n, name)) return -1;
    int wshape[4] = {c_out, cin / groups, k, k};
    return add_weight_bias(net, id, name, 4, wshape, c_out, bias);
}

int zc_net_batchnorm(zc_net *net, int x, const char *name, float eps, int affine,
                     int track_running_stats)
{
    zc_node *in = check_input(net, x);
    if (!in) return -1;
    if (!(eps > 0.0f)) { zc_fail(ZC_EINVAL, "batchnorm %s: eps must be > 0", name); return -1; }
    int c = in->c;
    int id = push_node(net, ZC_OP_BATCHNORM, 1, &x, in->c, in->h, in->w);
    if (id < 0) return -1;
    zc_node *n = &net->nodes[id];
    n->eps = eps;
    n->affine = affine;
    n->track_stats = track_running_stats;
    if (set_name(n, name)) return -1;
    if (affine) {
        int g = push_param(net, id, name, "weight", ZC_PARAM_BN_GAMMA, 1, &c);
        if (g < 0) return -1;
        int b = push_param(net, id, name, "bias", ZC_PARAM_BN_BETA, 1, &c);
        if (b < 0) return -1;
        net->nodes[id].weight = g;
        net->nodes[id].bias = b;
    }
    return id;
}

int zc_net_relu(zc_net *net, int x)
{
    zc_node *in = check_input(net, x);
    int id = in ? push_node(net, ZC_OP_RELU, 1, &x, in->c, in->h, in->w) : -1;
    if (id >= 0) net->nodes[id].relu_modules = 1;
    return id;
}

void zc_net_set_relu_modules(zc_net *net, int relu, int modules)
{
    if (relu > 0 && relu < net->n_nodes && net->nodes[relu].op == ZC_OP_RELU && modules >= 1)
        net->nodes[relu].relu_modules = modules;
}

int zc_net_avgpool(zc_net *net, int x, int k, int stride, int pad, int count_include_pad)
{
    zc_node *in = check_input(net, x);
    if (!in) return -1;
    if (k <= 0 || stride <= 0 || pad < 0 || 2 * pad > k) {
        zc_fail(ZC_EINVAL, "avgpool: invalid configuration (k %d, stride %d, pad %d)", k, stride, pad);
        return -1;
    }
    int oh = (in->h + 2 * pad - k) / stride + 1, ow = (in->w + 2 * pad - k) / stride + 1;
    if (in->h + 2 * pad < k || in->w + 2 * pad < k) oh = ow = 0;
    int id = push_node(net, ZC_OP_AVGPOOL, 1, &x, in->c, oh, ow);
    if (id < 0) return -1;
    zc_node *n = &net->nodes[id];
    n->k = k; n->stride = stride; n->pad = pad; n->count_include_pad = count_include_pad;
    return id;
}

int zc_net_gap(zc_net *net, int x)
{
    zc_node *in = check_input(net, x);
    return in ? push_node(net, ZC_OP_GAP, 1, &x, in->c, 1, 1) : -1;
}

int zc_net_linear(zc_net *net, int x, const char *name, int out_features, int bias)
{
    zc_node *in = check_input(net, x);
    if (!in) return -1;
    if (out_features <= 0) { zc_fail(ZC_EINVAL, "linear %s: out_features must be > 0", name); return -1; }
    int in_features = in->c * in->h * in->w;
    int id = push_node(net, ZC_OP_LINEAR, 1, &x, out_features, 1, 1);
    if (id < 0) return -1;
    if (set_name(&net->nodes[id], name)) return -1;
    int wshape[2] = {out_features, in_features};
    return add_weight_bias(net, id, name, 2, wshape, out_features, bias);
}

int zc_net_add(zc_net *net, int n, const int *xs)
{
    if (n < 1 || n > ZC_MAX_INPUTS) { zc_fail(ZC_EINVAL, "add: %d inputs (1..%d allowed)", n, ZC_MAX_INPUTS); return -1; }
    zc_node *first = check_input(net, xs[0]);
    if (!first) return -1;
    for (int i = 1; i < n; i++) {
        zc_node *o = check_input(net, xs[i]);
        if (!o) return -1;
        if (o->c != first->c || o->h != first->h || o->w != first->w) {
            zc_fail(ZC_EINVAL, "add: shape mismatch %dx%dx%d vs %dx%dx%d", first->c, first->h,
                    first->w, o->c, o->h, o->w);
            return -1;
        }
    }
    return push_node(net, ZC_OP_ADD, n, xs, first->c, first->h, first->w);
}

/* A parameter-free op whose output has its input's shape. */
static int same_shape(zc_net *net, int x, zc_op op)
{
    zc_node *in = check_input(net, x);
    return in ? push_node(net, op, 1, &x, in->c, in->h, in->w) : -1;
}

int zc_net_zero(zc_net *net, int x) { return same_shape(net, x, ZC_OP_ZERO); }

int zc_net_sigmoid(zc_net *net, int x) { return same_shape(net, x, ZC_OP_SIGMOID); }

int zc_net_scale(zc_net *net, int x, int s)
{
    zc_node *in = check_input(net, x), *f = check_input(net, s);
    if (!in || !f) return -1;
    if (f->c != in->c || f->h != 1 || f->w != 1) {
        zc_fail(ZC_EINVAL, "scale: factors of shape %dx%dx%d for a %dx%dx%d input (want %dx1x1)", f->c, f->h, f->w,
                in->c, in->h, in->w, in->c);
        return -1;
    }
    int xs[2] = {x, s};
    return push_node(net, ZC_OP_SCALE, 2, xs, in->c, in->h, in->w);
}

int zc_net_maxpool(zc_net *net, int x, int k, int stride, int pad)
{
    zc_node *in = check_input(net, x);
    if (!in) return -1;
    if (k <= 0 || stride <= 0 || pad < 0 || 2 * pad > k) {
        zc_fail(ZC_EINVAL, "maxpool: invalid configuration (k %d, stride %d, pad %d)", k, stride, pad);
        return -1;
    }
    int oh = (in->h + 2 * pad - k) / stride + 1, ow = (in->w + 2 * pad - k) / stride + 1;
    if (in->h + 2 * pad < k || in->w + 2 * pad < k) oh = ow = 0;
    int id = push_node(net, ZC_OP_MAXPOOL, 1, &x, in->c, oh, ow);
    if (id < 0) return -1;
    zc_node *n = &net->nodes[id];
    n->k = k; n->stride = stride; n->pad = pad;
    return id;
}

int zc_net_concat(zc_net *net, int n, const int *xs)
{
    if (n < 1 || n > ZC_MAX_INPUTS) { zc_fail(ZC_EINVAL, "concat: %d inputs (1..%d allowed)", n, ZC_MAX_INPUTS); return -1; }
    zc_node *first = check_input(net, xs[0]);
    if (!first) return -1;
    int c = 0;
    for (int i = 0; i < n; i++) {
        zc_node *o = check_input(net, xs[i]);
        if (!o) return -1;
        if (o->h != first->h || o->w != first->w) {
            zc_fail(ZC_EINVAL, "concat: spatial size mismatch %dx%d vs %dx%d", first->h, first->w, o->h, o->w);
            return -1;
        }
        c += o->c;
    }
    return push_node(net, ZC_OP_CONCAT, n, xs, c, first->h, first->w);
}

int zc_net_truncate(zc_net *net, int x, int channels)
{
    zc_node *in = check_input(net, x);
    if (!in) return -1;
    if (channels <= 0 || channels > in->c) {
        zc_fail(ZC_EINVAL, "truncate: %d channels of a %d-channel input", channels, in->c);
        return -1;
    }
    if (channels == in->c) return x;
    return push_node(net, ZC_OP_TRUNCATE, 1, &x, channels, in->h, in->w);
}

int zc_net_deconv2d(zc_net *net, int x, const char *name, int c_out, int k, int stride, int pad, int out_pad,
                    int bias)
{
    zc_node *in = check_input(net, x);
    if (!in) return -1;
    /* PyTorch requires output_padding < stride (or dilation). */
    if (c_out <= 0 || k <= 0 || stride <= 0 || pad < 0 || out_pad < 0 || out_pad >= stride) {
        zc_fail(ZC_EINVAL, "deconv2d %s: invalid configuration (C_out %d, k %d, stride %d, pad %d, output padding %d)",
                name, c_out, k, stride, pad, out_pad);
        return -1;
    }
    int cin = in->c;
    long oh = (long)(in->h - 1) * stride - 2 * pad + k + out_pad, ow = (long)(in->w - 1) * stride - 2 * pad + k + out_pad;
    if (oh <= 0 || ow <= 0 || oh > INT32_MAX || ow > INT32_MAX) {
        zc_fail(ZC_EINVAL, "deconv2d %s: no output for a %dx%d input", name, in->h, in->w);
        return -1;
    }
    int id = push_node(net, ZC_OP_DECONV2D, 1, &x, c_out, (int)oh, (int)ow);
    if (id < 0) return -1;
    zc_node *n = &net->nodes[id];
    n->k = k; n->stride = stride; n->pad = pad; n->out_pad = out_pad;
    if (set_name(n, name)) return -1;
    int wshape[4] = {cin, c_out, k, k};
    return add_weight_bias(net, id, name, 4, wshape, c_out, bias);
}

int zc_net_leaky_relu(zc_net *net, int x, float alpha)
{
    zc_node *in = check_input(net, x);
    if (!in) return -1;
    if (!(alpha >= 0.0f && alpha < 1.0f)) { zc_fail(ZC_EINVAL, "leaky_relu: slope %g is not in [0, 1)", alpha); return -1; }
    int id = push_node(net, ZC_OP_LEAKY_RELU, 1, &x, in->c, in->h, in->w);
    if (id >= 0) net->nodes[id].alpha = alpha;
    return id;
}

int zc_net_tanh(zc_net *net, int x) { return same_shape(net, x, ZC_OP_TANH); }

int zc_net_shift(zc_net *net, int x) { return same_shape(net, x, ZC_OP_SHIFT); }

int zc_net_zero_to(zc_net *net, int x, int c_out, int stride)
{
    zc_node *in = check_input(net, x);
    if (!in) return -1;
    if (c_out <= 0 || stride <= 0) { zc_fail(ZC_EINVAL, "zero: invalid C_out %d or stride %d", c_out, stride); return -1; }
    if (c_out == in->c && stride == 1) return zc_net_zero(net, x);
    int id = push_node(net, ZC_OP_ZERO, 1, &x, c_out, (in->h + stride - 1) / stride, (in->w + stride - 1) / stride);
    if (id >= 0) net->nodes[id].stride = stride;
    return id;
}

int zc_net_untile(zc_net *net, int x)
{
    zc_node *in = check_input(net, x);
    if (!in) return -1;
    if (in->h != 1 || in->w != 1) {
        zc_fail(ZC_EINVAL, "untile: the tiles must be pooled to 1x1 first (got %dx%d)", in->h, in->w);
        return -1;
    }
    if ((size_t)in->tiles * in->c > INT32_MAX) { zc_fail(ZC_EINVAL, "untile: too many channels"); return -1; }
    int id = push_node(net, ZC_OP_UNTILE, 1, &x, in->tiles * in->c, 1, 1);
    if (id >= 0) net->nodes[id].tiles = 1;
    return id;
}

/* ---------------------------------------------------------------- recurrent networks */

int zc_net_param(zc_net *net, const char *name, zc_param_role role, int rows, int cols)
{
    if (!net || !name || rows <= 0 || cols < 0 || (size_t)rows * (size_t)(cols ? cols : 1) > ZC_MAX_TENSOR_ELEMS) {
        zc_fail(ZC_EINVAL, "parameter %s: invalid shape %dx%d", name ? name : "?", rows, cols);
        return -1;
    }
    int shape[2] = {rows, cols};
    const char *dot = strrchr(name, '.');
    if (!dot) { zc_fail(ZC_EINVAL, "parameter %s: expected a module path and a name", name); return -1; }
    char module[ZC_NAME_MAX];
    if ((size_t)(dot - name) >= sizeof module) { zc_fail(ZC_EINVAL, "parameter name too long: %s", name); return -1; }
    memcpy(module, name, (size_t)(dot - name));
    module[dot - name] = '\0';
    return push_param(net, -1, module, dot + 1, role, cols ? 2 : 1, shape);
}

/* A node starts using parameter p: the first user owns it (its module, its layer kind). */
static int use_param(zc_net *net, int id, int p)
{
    if (p < 0) return 0;
    if (p >= net->n_params) return zc_fail(ZC_EINVAL, "parameter %d does not exist", p), -1;
    zc_param *q = &net->params[p];
    if (q->node < 0) q->node = id;
    q->users++;
    return 0;
}

int zc_net_linear_with(zc_net *net, int x, int weight, int bias)
{
    zc_node *in = check_input(net, x);
    if (!in) return -1;
    if (weight < 0 || weight >= net->n_params || bias >= net->n_params) {
        zc_fail(ZC_EINVAL, "linear: parameter %d does not exist", weight < 0 || weight >= net->n_params ? weight : bias);
        return -1;
    }
    const zc_param *w = &net->params[weight];
    int nin = in->c * in->h * in->w;
    if (w->ndim != 2 || w->shape[1] != nin || (bias >= 0 && net->params[bias].numel != (size_t)w->shape[0])) {
        zc_fail(ZC_EINVAL, "linear with %s: weight %dx%d does not fit an input of %d features%s", w->name, w->shape[0],
                w->ndim == 2 ? w->shape[1] : 1, nin, bias >= 0 ? " (or the bias does not fit it)" : "");
        return -1;
    }
    int out = w->shape[0];
    int id = push_node(net, ZC_OP_LINEAR, 1, &x, out, 1, 1);
    if (id < 0) return -1;
    net->nodes[id].weight = weight;
    net->nodes[id].bias = bias;
    const char *dot = strrchr(w->name, '.');
    size_t len = dot ? (size_t)(dot - w->name) : strlen(w->name);
    if (len >= sizeof net->nodes[id].name) len = sizeof net->nodes[id].name - 1;
    memcpy(net->nodes[id].name, w->name, len);
    net->nodes[id].name[len] = '\0';
    if (use_param(net, id, weight) || use_param(net, id, bias)) return -1;
    return id;
}

int zc_net_embedding(zc_net *net, int x, const char *name, int vocab, int dim)
{
    zc_node *in = check_input(net, x);
    if (!in) return -1;
    if (in->c != 1 || in->h != 1 || in->w != 1) {
        zc_fail(ZC_EINVAL, "embedding %s: the input must be one token id per step (got %dx%dx%d)", name, in->c, in->h, in->w);
        return -1;
    }
    if (vocab <= 0 || dim <= 0 || vocab > (1 << 24)) {   /* ids travel as floats: exact up to 2^24 */
        zc_fail(ZC_EINVAL, "embedding %s: invalid vocabulary %d or dimension %d", name, vocab, dim);
        return -1;
    }
    int id = push_node(net, ZC_OP_EMBEDDING, 1, &x, dim, 1, 1);
    if (id < 0 || set_name(&net->nodes[id], name)) return -1;
    int wshape[2] = {vocab, dim};
    return add_weight_bias(net, id, name, 2, wshape, dim, 0);
}

static int same_shaped(zc_net *net, zc_op op, int n, const int *xs)
{
    for (int i = 0; i < n; i++)
        if (!check_input(net, xs[i])) return -1;
    const zc_node *a = &net->nodes[xs[0]];
    for (int i = 1; i < n; i++) {
        const zc_node *b = &net->nodes[xs[i]];
        if (a->c != b->c || a->h != b->h || a->w != b->w) {
            zc_fail(ZC_EINVAL, "%s: inputs of different shapes (%dx%dx%d and %dx%dx%d)", zc_op_name(op), a->c, a->h,
                    a->w, b->c, b->h, b->w);
            return -1;
        }
    }
    return push_node(net, op, n, xs, a->c, a->h, a->w);
}

int zc_net_mul(zc_net *net, int a, int b)
{
    int xs[2] = {a, b};
    return same_shaped(net, ZC_OP_MUL, 2, xs);
}

int zc_net_blend(zc_net *net, int a, int b, int c)
{
    int xs[3] = {a, b, c};
    return same_shaped(net, ZC_OP_BLEND, 3, xs);
}

int zc_net_step(zc_net *net, int x, int t)
{
    zc_node *in = check_input(net, x);
    if (!in) return -1;
    if (in->tiles < 2 || t < 0 || t >= in->tiles) {
        zc_fail(ZC_EINVAL, "step %d of a node with %d steps", t, in->tiles);
        return -1;
    }
    int id = push_node(net, ZC_OP_STEP, 1, &x, in->c, in->h, in->w);
    if (id < 0) return -1;
    net->nodes[id].k = t;
    net->nodes[id].tiles = 1;
    return id;
}

int zc_net_stack(zc_net *net, int n, const int *xs)
{
    if (n < 2 || n > ZC_MAX_INPUTS) { zc_fail(ZC_EINVAL, "stack: %d steps (2..%d allowed)", n, ZC_MAX_INPUTS); return -1; }
    for (int i = 0; i < n; i++)
        if (check_input(net, xs[i]) && net->nodes[xs[i]].tiles != 1) {
            zc_fail(ZC_EINVAL, "stack: step %d is a sequence itself", i);
            return -1;
        }
    int id = same_shaped(net, ZC_OP_STACK, n, xs);
    if (id >= 0) net->nodes[id].tiles = n;
    return id;
}

int zc_net_state(zc_net *net, int c)
{
    if (!net) return -1;
    int id = push_node(net, ZC_OP_STATE, 0, NULL, c, 1, 1);
    if (id >= 0) net->nodes[id].tiles = 1;
    return id;
}

void zc_net_set_param_init(zc_net *net, int param, float bound, zc_const_rule rule)
{
    if (!net || param < 0 || param >= net->n_params) return;
    net->params[param].has_bound = bound >= 0.0f;
    net->params[param].bound = bound;
    net->params[param].const_rule = rule;
}

void zc_net_set_kaiming_fan_out(zc_net *net, int conv)
{
    if (conv > 0 && conv < net->n_nodes && net->nodes[conv].op == ZC_OP_CONV2D && net->nodes[conv].weight >= 0)
        net->params[net->nodes[conv].weight].kaiming_fan_out = 1;
}

/* Parameter-free unary ops computing the same thing from the same input. */
static int duplicate_of(const zc_node *a, const zc_node *b)
{
    return a->op == b->op && a->n_in == 1 && b->n_in == 1 && a->in[0] == b->in[0] &&
           a->weight < 0 && b->weight < 0 && a->k == b->k && a->stride == b->stride &&
           a->pad == b->pad && a->count_include_pad == b->count_include_pad && a->c == b->c &&
           a->alpha == b->alpha &&
           (a->op == ZC_OP_RELU || a->op == ZC_OP_LEAKY_RELU || a->op == ZC_OP_TANH || a->op == ZC_OP_SHIFT || a->op == ZC_OP_AVGPOOL || a->op == ZC_OP_GAP || a->op == ZC_OP_ZERO ||
            a->op == ZC_OP_MAXPOOL || a->op == ZC_OP_TRUNCATE);
}

/* With pruned 'none' ops, x + none(y) is x exactly (a pruned 'none' yields +0 and x + 0 == x, the
 * sign of a zero aside): such terms leave their sums, and a sum left with one term is bypassed, so
 * neither the zeros nor the copy of the remaining term are ever materialised. */
static void drop_pruned_terms(zc_net *net)
{
    for (int i = 1; i < net->n_nodes; i++) {
        zc_node *n = &net->nodes[i];
        if (n->op != ZC_OP_ADD) continue;
        int kept = 0;
        for (int j = 0; j < n->n_in; j++)
            if (net->nodes[n->in[j]].op != ZC_OP_ZERO) n->in[kept++] = n->in[j];
        if (kept > 0) n->n_in = kept;   /* a sum of 'none's only stays as it is: it is 0 */
    }
    for (int i = 1; i < net->n_nodes; i++) {
        zc_node *n = &net->nodes[i];
        for (int j = 0; j < n->n_in; j++) {
            int src = n->in[j];
            while (src != net->output && !net->nodes[src].keep && net->nodes[src].op == ZC_OP_ADD &&
                   net->nodes[src].n_in == 1)
                src = net->nodes[src].in[0];
            n->in[j] = src;
        }
    }
}

zc_status zc_net_finish(zc_net *net, int output)
{
    if (!check_input(net, output)) return ZC_EINVAL;
    for (int i = 0; i < net->n_params; i++)
        if (net->params[i].node < 0) return zc_fail(ZC_EINVAL, "parameter %s is used by no node", net->params[i].name);
    net->output = output;
    if (net->prune_zero) drop_pruned_terms(net);
    /* Merge duplicates: consumers are redirected to the first of identical nodes (exact: the
     * values are equal, and gradients from all consumers are summed at the one node). */
    for (int i = 0; i < net->n_nodes; i++) {
        net->nodes[i].merged = 1;
        net->nodes[i].hooks = net->nodes[i].relu_modules;
        net->nodes[i].modules = net->nodes[i].module_outputs;
    }
    /* Only single-input nodes reading the same node can be duplicates: each node keeps the list, in
     * index order, of the single-input nodes read from it (first[p], then next[k]). A node's inputs are
     * final once its own turn has passed, and every node compared below has had its turn, so the lists
     * are filled as the loop goes; an unrolled RNN of thousands of nodes no longer costs n^2 tests. */
    int n = net->n_nodes;
    int *first = malloc((size_t)n * sizeof *first), *last = malloc((size_t)n * sizeof *last);
    int *next = malloc((size_t)n * sizeof *next);
    if (!first || !last || !next) {
        free(first), free(last), free(next);
        return zc_fail(ZC_ENOMEM, "zc_net_finish: out of memory for %d nodes", n);
    }
    for (int i = 0; i < n; i++) first[i] = last[i] = next[i] = -1;
    for (int i = 1; i < n; i++) {
        zc_node *node = &net->nodes[i];
        for (int j = 0; j < node->n_in; j++) {
            int src = node->in[j];
            if (net->nodes[src].n_in != 1) continue;
            for (int k = first[net->nodes[src].in[0]]; k >= 0 && k < src; k = next[k])
                if (net->nodes[k].merged > 0 && duplicate_of(&net->nodes[k], &net->nodes[src])) {
                    node->in[j] = k;
                    if (net->nodes[src].merged > 0) {
                        net->nodes[k].merged += net->nodes[src].merged;
                        net->nodes[k].hooks += net->nodes[src].hooks;
                        net->nodes[k].modules += net->nodes[src].modules;
                        net->nodes[src].merged = 0;   /* now unused */
                        net->nodes[src].hooks = 0;
                        net->nodes[src].modules = 0;
                    }
                    break;
                }
        }
        if (node->n_in == 1) {   /* its input is final now: list it under that input */
            int p = node->in[0];
            if (last[p] < 0) first[p] = i;
            else next[last[p]] = i;
            last[p] = i;
        }
    }
    free(first), free(last), free(next);
    for (int i = 0; i < net->n_nodes; i++) { net->nodes[i].live = 0; net->nodes[i].users = 0; }
    net->nodes[output].live = 1;
    for (int i = output; i >= 0; i--) {
        zc_node *n = &net->nodes[i];
        if (!n->live) continue;
        if (n->op == ZC_OP_ZERO && net->prune_zero) continue;   /* 0 without reading its input */
        for (int j = 0; j < n->n_in; j++) {
            net->nodes[n->in[j]].live = 1;
            net->nodes[n->in[j]].users++;
        }
    }
    return ZC_OK;
}

void zc_net_prune_zero(zc_net *net)
{
    if (net->prune_zero) return;
    net->prune_zero = 1;
    if (net->output >= 0) zc_net_finish(net, net->output);
}

void zc_net_need_input_grad(zc_net *net, int on) { net->need_input_grad = on != 0; }

/* ---------------------------------------------------------------- structure */

int zc_net_num_nodes(const zc_net *net) { return net->n_nodes; }
int zc_net_num_params(const zc_net *net) { return net->n_params; }
int zc_net_output_node(const zc_net *net) { return net->output; }
int zc_net_is_shapes_only(const zc_net *net) { return net->shapes_only; }
int zc_net_batch(const zc_net *net) { return net->batch; }

void zc_net_node_info(const zc_net *net, int node, zc_node_info *out)
{
    const zc_node *n = &net->nodes[node];
    out->op = n->op;
    out->n_in = n->n_in;
    memcpy(out->in, n->in, sizeof out->in);
    out->c = n->c; out->h = n->h; out->w = n->w;
    out->k = n->k; out->stride = n->stride; out->pad = n->pad; out->groups = n->groups;
    out->count_include_pad = n->count_include_pad;
    out->affine = n->affine; out->track_stats = n->track_stats;
    out->eps = n->eps;
    out->weight = n->weight; out->bias = n->bias;
    out->name = n->name;
    out->live = n->live;
    out->merged = n->merged;
    out->hooks = n->hooks;
    out->modules = n->modules;
    out->alpha = n->alpha;
    out->out_pad = n->out_pad;
    out->tiles = n->tiles;
}

void zc_net_param_info(const zc_net *net, int param, zc_param_info *out)
{
    const zc_param *p = &net->params[param];
    out->name = p->name;
    out->role = p->role;
    out->node = p->node;
    out->ndim = p->ndim;
    memcpy(out->shape, p->shape, sizeof out->shape);
    out->numel = p->numel;
}

int zc_net_find_param(const zc_net *net, const char *name)
{
    for (int i = 0; i < net->n_params; i++)
        if (strcmp(net->params[i].name, name) == 0) return i;
    return -1;
}

int zc_net_is_layer_weight(const zc_net *net, int param)
{
    const zc_param *p = &net->params[param];
    if (p->node < 0) return 0;   /* used by no node yet */
    zc_op op = net->nodes[p->node].op;
    return p->role == ZC_PARAM_WEIGHT && (op == ZC_OP_CONV2D || op == ZC_OP_LINEAR);
}

/* ---------------------------------------------------------------- parameter values */

/* A host view of backend memory: the buffer itself on host-memory backends, else a host copy. */
static const float *host_view(zc_net *net, const float *src, float **shadow, size_t n)
{
    const zc_backend *be = zci_net_backend(net);
    if (!src) return NULL;
    if (be->host_memory) return src;
    if (!*shadow && !(*shadow = malloc(n * sizeof **shadow))) return NULL;
    be->read(be->ctx, src, *shadow, n);
    return *shadow;
}

const float *zc_net_param_data(zc_net *net, int param)
{
    zc_param *p = &net->params[param];
    if (!net->shapes_only && ensure_params(net) != ZC_OK) return NULL;
    return host_view(net, p->data, &p->host_data, p->numel);
}

const float *zc_net_param_grad(zc_net *net, int param)
{
    zc_param *p = &net->params[param];
    return host_view(net, p->grad, &p->host_grad, p->numel);
}

zc_status zc_net_param_write(zc_net *net, int param, const float *values)
{
    zc_status st = ensure_params(net);
    if (st != ZC_OK) return st;
    const zc_backend *be = zci_net_backend(net);
    zc_param *p = &net->params[param];
    be->write(be->ctx, p->data, values, p->numel);
    return ZC_OK;
}

/* Fills every parameter from fill(p, host buffer); the values reach the backend's memory in place
 * on host-memory backends, else through one host buffer per tensor. */
typedef void (*fill_fn)(const zc_net *net, const zc_param *p, float *dst, void *arg);

static zc_status fill_params(zc_net *net, fill_fn fill, void *arg)
{
    zc_status st = ensure_params(net);
    if (st != ZC_OK) return st;
    const zc_backend *be = zci_net_backend(net);
    for (int i = 0; i < net->n_params; i++) {
        zc_param *p = &net->params[i];
        if (be->host_memory) {
            fill(net, p, p->data, arg);
            continue;
        }
        float *tmp = malloc(p->numel * sizeof *tmp);
        if (!tmp) return zc_fail(ZC_ENOMEM, "out of memory initialising %s", p->name);
        fill(net, p, tmp, arg);
        be->write(be->ctx, p->data, tmp, p->numel);
        free(tmp);
    }
    return ZC_OK;
}

static size_t fan_in(const zc_param *w)
{
    size_t f = 1;
    for (int d = 1; d < w->ndim; d++) f *= (size_t)w->shape[d];
    return f;
}

static void fill_default(const zc_net *net, const zc_param *p, float *data, void *arg)
{
    zc_rng *rng = arg;
    if (p->has_bound) {   /* the builder's own rule (NAS-Bench-NLP: U(-1/sqrt(hidden), ..), embeddings U(-0.1, 0.1)) */
        for (size_t j = 0; j < p->numel; j++)
            data[j] = p->bound > 0.0f ? (float)((2.0 * zc_rng_double(rng) - 1.0) * p->bound) : 0.0f;
        return;
    }
    switch (p->role) {
    case ZC_PARAM_WEIGHT:
        if (p->kaiming_fan_out) {   /* std sqrt(2 / fan_out), fan_out = C_out * k * k */
            double std = sqrt(2.0 / (double)(p->numel / (size_t)p->shape[1]));
            for (size_t j = 0; j < p->numel; j++) data[j] = (float)(zc_rng_normal(rng) * std);
            break;
        }
        /* fall through */
    case ZC_PARAM_BIAS: {
        /* kaiming_uniform(a=sqrt(5)) and the bias rule both give bound 1/sqrt(fan_in) (a bias no node
         * uses yet: its own size). */
        const zc_param *w = p->node >= 0 && net->nodes[p->node].weight >= 0 ? &net->params[net->nodes[p->node].weight] : p;
        double bound = 1.0 / sqrt((double)fan_in(w));
        for (size_t j = 0; j < p->numel; j++) data[j] = (float)((2.0 * zc_rng_double(rng) - 1.0) * bound);
        break;
    }
    case ZC_PARAM_BN_GAMMA:
        for (size_t j = 0; j < p->numel; j++) data[j] = 1.0f;
        break;
    case ZC_PARAM_BN_BETA:
        memset(data, 0, p->numel * sizeof *data);
        break;
    }
}

/* Initial recurrent states follow the init (see zc_net_state). */
static void set_states(zc_net *net, float v)
{
    for (int i = 0; i < net->n_nodes; i++)
        if (net->nodes[i].op == ZC_OP_STATE) net->nodes[i].alpha = v;
}

zc_status zc_net_init_default(zc_net *net, zc_rng *rng)
{
    set_states(net, 0.0f);
    return fill_params(net, fill_default, rng);
}

static void fill_gaussian(const zc_net *net, const zc_param *p, float *data, void *arg)
{
    (void)net;
    zc_rng *rng = arg;
    if (p->role == ZC_PARAM_WEIGHT)
        for (size_t j = 0; j < p->numel; j++) data[j] = (float)zc_rng_normal(rng);
    else if (p->role == ZC_PARAM_BN_GAMMA)
        for (size_t j = 0; j < p->numel; j++) data[j] = 1.0f;
    else
        memset(data, 0, p->numel * sizeof *data);
}

/* kaiming_normal_(mode='fan_in', nonlinearity='relu') of conv/linear weights, biases 0, BN 1 / 0. */
static void fill_kaiming(const zc_net *net, const zc_param *p, float *data, void *arg)
{
    zc_rng *rng = arg;
    if (p->role == ZC_PARAM_WEIGHT) {
        double std = sqrt(2.0 / (double)fan_in(p));
        for (size_t j = 0; j < p->numel; j++) data[j] = (float)(zc_rng_normal(rng) * std);
        return;
    }
    (void)net;
    for (size_t j = 0; j < p->numel; j++) data[j] = p->role == ZC_PARAM_BN_GAMMA ? 1.0f : 0.0f;
}

zc_status zc_net_init_kaiming(zc_net *net, zc_rng *rng)
{
    set_states(net, 0.0f);
    return fill_params(net, fill_kaiming, rng);
}

void zc_net_set_bn_eval(zc_net *net, int on) { net->bn_eval = on != 0; }

static void reset_running(zc_net *net)
{
    for (int i = 0; i < net->n_nodes; i++) {
        free(net->nodes[i].running);
        net->nodes[i].running = NULL;
    }
}

void zc_net_set_bn_momentum(zc_net *net, double momentum)
{
    reset_running(net);
    net->bn_momentum = momentum > 0.0 ? momentum : 0.0;
}

void zci_bn_update_running(zc_net *net, zc_node *node, const double *mean, const double *invstd, double count)
{
    if (!(net->bn_momentum > 0.0) || net->bn_eval) return;
    int C = node->c;
    if (!node->running) {   /* a fresh model's: mean 0, var 1 */
        if (!(node->running = malloc(2 * (size_t)C * sizeof *node->running))) return;   /* stays fresh */
        for (int c = 0; c < C; c++) node->running[c] = 0.0, node->running[C + c] = 1.0;
    }
    double m = net->bn_momentum, unbias = count > 1.0 ? count / (count - 1.0) : 1.0;
    for (int c = 0; c < C; c++) {
        double var = 1.0 / (invstd[c] * invstd[c]) - node->eps;   /* the biased batch variance */
        node->running[c] = (1.0 - m) * node->running[c] + m * mean[c];
        node->running[C + c] = (1.0 - m) * node->running[C + c] + m * var * unbias;
    }
}

void zc_net_bn_eval_stats(const zc_net *net, int node, int c, double *mean, double *invstd)
{
    zci_bn_eval_stats(&net->nodes[node], c, mean, invstd);
}

void zci_bn_eval_stats(const zc_node *node, int c, double *mean, double *invstd)
{
    *mean = node->running ? node->running[c] : 0.0;
    *invstd = 1.0 / sqrt((node->running ? node->running[node->c + c] : 1.0) + node->eps);
}

void zc_net_set_param_grads(zc_net *net, int on)
{
    for (int i = 0; i < net->n_params; i++) net->params[i].no_grad = !on;
}

zc_status zc_net_init_gaussian(zc_net *net, zc_rng *rng)
{
    set_states(net, 0.0f);
    return fill_params(net, fill_gaussian, rng);
}

static void fill_constant(const zc_net *net, const zc_param *p, float *data, void *arg)
{
    (void)net;
    if (p->const_rule == ZC_CONST_UNIFORM01) {   /* reseeded for each value: identical draws */
        zc_rng r;
        zc_rng_seed(&r, 21, 0);
        for (size_t j = 0; j < p->numel; j++) data[j] = zc_rng_float(&r);
        return;
    }
    float v = (p->role == ZC_PARAM_WEIGHT || p->role == ZC_PARAM_BN_GAMMA || p->const_rule == ZC_CONST_ALL)
                  ? *(const float *)arg : 0.0f;
    for (size_t j = 0; j < p->numel; j++) data[j] = v;
}

zc_status zc_net_init_constant(zc_net *net, float value)
{
    set_states(net, value);
    return fill_params(net, fill_constant, &value);
}

/* ---------------------------------------------------------------- running */

/* Ops whose backward reads their input's value (conv and linear for the weight gradient, batch norm
 * for the normalised input, ReLU for its mask, sigmoid to recompute its output, scale for both
 * factors, max pooling for the position of each maximum). Sums, average pooling, concatenation,
 * truncation and 'none' only need shapes. */
static int needs_input_in_backward(zc_op op)
{
    return op == ZC_OP_CONV2D || op == ZC_OP_LINEAR || op == ZC_OP_BATCHNORM || op == ZC_OP_RELU ||
           op == ZC_OP_SIGMOID || op == ZC_OP_SCALE || op == ZC_OP_MAXPOOL || op == ZC_OP_DECONV2D ||
           op == ZC_OP_LEAKY_RELU || op == ZC_OP_TANH || op == ZC_OP_EMBEDDING || op == ZC_OP_MUL || op == ZC_OP_BLEND;
}

/* batch: the net's; a tiled node holds batch * tiles images. */
static float *alloc_tensor(const zc_backend *be, const zc_node *n, int batch, int zeroed)
{
    return be->alloc(be->ctx, (size_t)batch * n->tiles * n->c * n->h * n->w, zeroed);
}

/* Batch norm on a tiled node runs once per tile on that tile's contiguous batch (its statistics are
 * the tile's, as when the official code calls the encoder on each tile), each with its own `saved`. */
static zc_status tiled_bn(const zc_backend *be, zc_net *net, zc_node *n, int batch, int backward, zc_run_mode mode)
{
    zc_node *in = &net->nodes[n->in[0]];
    size_t chw = (size_t)n->c * n->h * n->w, step = (size_t)batch * chw;
    if (!n->tile_saved && !(n->tile_saved = calloc((size_t)n->tiles, sizeof *n->tile_saved)))
        return zc_fail(ZC_ENOMEM, "out of memory (batch norm)");
    float *out = n->out, *grad = n->grad, *iout = in->out, *igrad = in->grad;
    double *saved = n->saved;
    int grad_set = in->grad_set;
    zc_status st = ZC_OK;
    for (int t = 0; t < n->tiles && st == ZC_OK; t++) {
        n->out = out ? out + t * step : NULL;
        n->grad = grad ? grad + t * step : NULL;
        in->out = iout ? iout + t * step : NULL;
        in->grad = igrad ? igrad + t * step : NULL;
        in->grad_set = grad_set;   /* every tile's slice starts as the whole buffer did */
        n->saved = n->tile_saved[t];
        st = backward ? be->backward(be->ctx, net, n, batch) : be->forward(be->ctx, net, n, batch, mode);
        n->tile_saved[t] = n->saved;
    }
    n->out = out; n->grad = grad; in->out = iout; in->grad = igrad;
    n->saved = saved;
    return st;
}

static zc_status run_forward(const zc_backend *be, zc_net *net, zc_node *n, int batch, zc_run_mode mode)
{
    if (n->tiles > 1 && n->op == ZC_OP_BATCHNORM) return tiled_bn(be, net, n, batch, 0, mode);
    return be->forward(be->ctx, net, n, batch * n->tiles, mode);
}

static zc_status run_backward(const zc_backend *be, zc_net *net, zc_node *n, int batch)
{
    if (n->tiles > 1 && n->op == ZC_OP_BATCHNORM) return tiled_bn(be, net, n, batch, 1, ZC_RUN_TRAIN);
    return be->backward(be->ctx, net, n, batch * n->tiles);
}

/* The input: samples of `tiles` images each (batch x tiles x c x h x w) stored tile-major. */
static void write_input(const zc_backend *be, zc_node *n, const float *x, int batch)
{
    size_t chw = (size_t)n->c * n->h * n->w;
    if (n->tiles == 1) {
        be->write(be->ctx, n->out, x, (size_t)batch * chw);
        return;
    }
    for (int b = 0; b < batch; b++)
        for (int t = 0; t < n->tiles; t++)
            be->write(be->ctx, n->out + ((size_t)t * batch + b) * chw, x + ((size_t)b * n->tiles + t) * chw, chw);
}

zc_status zc_net_forward(zc_net *net, const float *x, int batch, zc_run_mode mode)
{
    if (net->output < 0) return zc_fail(ZC_EINVAL, "network has no output (zc_net_finish not called)");
    const zc_node *in0 = &net->nodes[0];
    if (batch <= 0 || (size_t)batch * in0->tiles * in0->c * in0->h * in0->w > ZC_MAX_TENSOR_ELEMS)
        return zc_fail(ZC_EINVAL, "invalid batch size %d", batch);
    zc_status st = ensure_params(net);
    if (st != ZC_OK) return st;
    zc_net_release_buffers(net);
    net->batch = batch;
    const zc_backend *be = zci_net_backend(net);
    if (be->prepare && (st = be->prepare(be->ctx, net, batch)) != ZC_OK) return st;
    /* pending: forward consumers still to run. An output is released after its last consumer
     * unless (training) some consumer's backward reads it (see needs_input_in_backward). */
    int *pending = malloc((size_t)net->n_nodes * sizeof *pending);
    char *keep = calloc((size_t)net->n_nodes, 1);
    if (!pending || !keep) { free(pending); free(keep); return zc_fail(ZC_ENOMEM, "out of memory"); }
    for (int i = 0; i < net->n_nodes; i++) {
        const zc_node *n = &net->nodes[i];
        pending[i] = n->users;
        /* ReLU outputs are not kept: backward recomputes them from the ReLU's input, which is kept
         * for the ReLU's own backward (saves a third of the memory at no measurable cost). */
        if (mode == ZC_RUN_TRAIN && n->live && needs_input_in_backward(n->op))
            for (int j = 0; j < n->n_in; j++) keep[n->in[j]] |= net->nodes[n->in[j]].op != ZC_OP_RELU;
    }
    keep[net->output] = 1;
    for (int i = 0; i < net->n_nodes; i++) keep[i] |= net->nodes[i].keep;
    for (int i = 0; i < net->n_nodes && st == ZC_OK; i++) {
        zc_node *n = &net->nodes[i];
        if (!n->live) continue;
        int pruned = n->op == ZC_OP_ZERO && net->prune_zero;
        n->out = alloc_tensor(be, n, batch, pruned);
        if (!n->out) { st = zc_fail(ZC_ENOMEM, "out of memory for activations (batch %d)", batch); break; }
        if (n->op == ZC_OP_INPUT) {
            write_input(be, n, x, batch);
            continue;
        }
        if (pruned) continue;   /* exactly zero */
        st = run_forward(be, net, n, batch, mode);
        for (int j = 0; j < n->n_in; j++) {
            zc_node *src = &net->nodes[n->in[j]];
            if (--pending[n->in[j]] == 0 && !keep[n->in[j]]) {
                be->release(be->ctx, src->out);
                src->out = NULL;
                if (mode == ZC_RUN_INFER) { free(src->saved); src->saved = NULL; }
            }
        }
    }
    free(pending);
    free(keep);
    if (st != ZC_OK) zc_net_release_buffers(net);
    return st;
}

int zc_net_has_buffer(const zc_net *net, int node, int which)
{
    if (node < 0 || node >= net->n_nodes) return 0;
    return (which ? net->nodes[node].grad : net->nodes[node].out) != NULL;
}

void zc_net_keep(zc_net *net, int node)
{
    if (node >= 0 && node < net->n_nodes) net->nodes[node].keep = 1;
}

zc_status zc_net_read(zc_net *net, int node, int which, float *dst)
{
    if (node < 0 || node >= net->n_nodes) return zc_fail(ZC_EINVAL, "zc_net_read: node %d does not exist", node);
    const zc_node *n = &net->nodes[node];
    const float *src = which ? n->grad : n->out;
    if (!src) return zc_fail(ZC_EINVAL, "zc_net_read: node %d has no %s now", node, which ? "gradient" : "output");
    const zc_backend *be = zci_net_backend(net);
    size_t chw = (size_t)n->c * n->h * n->w, total = (size_t)zci_node_batch(net, n) * chw;
    float *plain = dst;
    if (n->tiles > 1 && !(plain = malloc(total * sizeof *plain))) return zc_fail(ZC_ENOMEM, "zc_net_read: out of memory");
    zc_status st = ZC_OK;
    if (be->to_plain) st = be->to_plain(be->ctx, net, n, src, plain, zci_node_batch(net, n));
    else be->read(be->ctx, src, plain, total);
    if (n->tiles > 1) {   /* tile-major inside, sample-major (batch x tiles x c x h x w) outside */
        for (int t = 0; st == ZC_OK && t < n->tiles; t++)
            for (int b = 0; b < net->batch; b++)
                memcpy(dst + ((size_t)b * n->tiles + t) * chw, plain + ((size_t)t * net->batch + b) * chw, chw * sizeof *dst);
        free(plain);
    }
    return st;
}

const float *zc_net_output(zc_net *net, int *batch, int *dim)
{
    const zc_node *o = &net->nodes[net->output];
    size_t n = (size_t)net->batch * o->c * o->h * o->w;
    if (batch) *batch = net->batch;
    if (dim) *dim = o->c * o->h * o->w;
    if (!o->out) return NULL;
    /* The output is plain (every backend keeps the network output in NCHW). */
    if (zci_net_backend(net)->host_memory) return o->out;
    if (!net->host_out && !(net->host_out = malloc(n * sizeof *net->host_out))) return NULL;
    if (zc_net_read(net, net->output, 0, net->host_out) != ZC_OK) return NULL;
    return net->host_out;
}

/* Backward from node `from` (seeded with dfrom, plain NCHW) down to node `stop` (exclusive). release:
 * free activations and gradients once consumed (a whole-network pass); 0 keeps every activation, so
 * that several parts of one forward pass can be differentiated in turn. */
static zc_status backward_range(zc_net *net, int from, const float *dfrom, int stop, int release)
{
    int batch = net->batch;
    zc_node *o = &net->nodes[from];
    if (!o->out) return zc_fail(ZC_EINVAL, "backward without a training-mode forward pass");
    const zc_backend *be = zci_net_backend(net);
    for (int i = 0; i < net->n_params; i++) {
        zc_param *p = &net->params[i];
        if (p->grad) be->release(be->ctx, p->grad);
        if (!(p->grad = be->alloc(be->ctx, p->numel, 1))) return zc_fail(ZC_ENOMEM, "out of memory for gradients");
    }
    for (int i = 0; i < net->n_nodes; i++) {
        be->release(be->ctx, net->nodes[i].grad);
        net->nodes[i].grad = NULL;
        net->nodes[i].grad_set = 0;
    }
    o->grad = alloc_tensor(be, o, batch, 0);
    if (!o->grad) return zc_fail(ZC_ENOMEM, "out of memory for gradients");
    if (from != net->output && be->from_plain) {   /* an inner node may live in a blocked layout */
        zc_status e = be->from_plain(be->ctx, net, o, dfrom, o->grad, batch * o->tiles);
        if (e != ZC_OK) return e;
    } else {
        be->write(be->ctx, o->grad, dfrom, (size_t)batch * o->tiles * o->c * o->h * o->w);
    }
    o->grad_set = 1;
    /* Activations are released once every consumer's backward has run. */
    int *pending = malloc((size_t)net->n_nodes * sizeof *pending);
    if (!pending) return zc_fail(ZC_ENOMEM, "out of memory");
    for (int i = 0; i < net->n_nodes; i++) pending[i] = net->nodes[i].users;
    zc_status st = ZC_OK;
    for (int i = from; i > stop && st == ZC_OK; i--) {
        zc_node *n = &net->nodes[i];
        if (!n->live) continue;
        int run = n->grad != NULL;   /* no gradient reaches it: its param grads stay 0 */
        if (n->op == ZC_OP_ZERO && net->prune_zero) run = 0;
        /* The network input's gradient is only computed on request. */
        if (n->n_in == 1 && n->in[0] == 0 && !net->need_input_grad && n->weight < 0) run = 0;
        for (int j = 0; run && j < n->n_in; j++) {
            zc_node *src = &net->nodes[n->in[j]];
            if (n->in[j] == 0 && !net->need_input_grad) continue;
            if (!src->grad && !(src->grad = alloc_tensor(be, src, batch, !be->writes_first_grad)))
                st = zc_fail(ZC_ENOMEM, "out of memory for gradients");
        }
        for (int j = 0; run && st == ZC_OK && j < n->n_in && needs_input_in_backward(n->op); j++) {
            zc_node *src = &net->nodes[n->in[j]];
            if (src->out || src->op != ZC_OP_RELU) continue;
            if (!(src->out = alloc_tensor(be, src, batch, 0))) st = zc_fail(ZC_ENOMEM, "out of memory for activations");
            else st = run_forward(be, net, src, batch, ZC_RUN_TRAIN);   /* rematerialise */
        }
        if (run && st == ZC_OK) st = run_backward(be, net, n, batch);
        if (!release) continue;
        if (!n->keep) {   /* consumed: every user has already been visited */
            be->release(be->ctx, n->grad);
            n->grad = NULL;
        }
        if (n->op == ZC_OP_ZERO && net->prune_zero) continue;   /* did not read its input */
        for (int j = 0; j < n->n_in; j++)
            if (--pending[n->in[j]] == 0 && n->in[j] != 0 && !net->nodes[n->in[j]].keep) {
                zc_node *src = &net->nodes[n->in[j]];
                be->release(be->ctx, src->out);
                src->out = NULL;
            }
    }
    free(pending);
    return st;
}

zc_status zc_net_backward(zc_net *net, const float *dout)
{
    return backward_range(net, net->output, dout, 0, 1);
}

zc_status zc_net_backward_block(zc_net *net, int from, const float *dfrom, int stop)
{
    if (from <= stop || stop < 0 || from > net->output)
        return zc_fail(ZC_EINVAL, "backward_block: node %d does not follow node %d", from, stop);
    if (!net->nodes[stop].keep || !net->nodes[from].keep)
        return zc_fail(ZC_EINVAL, "backward_block: nodes %d and %d must be kept (zc_net_keep)", from, stop);
    return backward_range(net, from, dfrom, stop, 0);
}

zc_status zc_cross_entropy(const float *logits, const int *labels, int batch, int classes,
                           double *loss, float *dlogits)
{
    double total = 0.0, *scratch = NULL;
    if (dlogits && !(scratch = malloc((size_t)classes * sizeof *scratch))) return zc_fail(ZC_ENOMEM, "loss: out of memory");
    for (int b = 0; b < batch; b++) {
        const float *z = logits + (size_t)b * classes;
        int y = labels[b];
        if (y < 0 || y >= classes) {
            free(scratch);
            return zc_fail(ZC_EINVAL, "label %d out of range 0..%d", y, classes - 1);
        }
        double m = z[0];
        for (int c = 1; c < classes; c++) if (z[c] > m) m = z[c];
        double s = 0.0;
        for (int c = 0; c < classes; c++) {   /* one exp per logit: a language model has 10^4+ classes */
            double e = exp((double)z[c] - m);
            s += e;
            if (scratch) scratch[c] = e;
        }
        double lse = m + log(s);
        total += lse - (double)z[y];
        if (dlogits)
            for (int c = 0; c < classes; c++)
                dlogits[(size_t)b * classes + c] = (float)((scratch[c] / s - (c == y ? 1.0 : 0.0)) / batch);
    }
    free(scratch);
    if (loss) *loss = total / batch;
    return ZC_OK;
}
