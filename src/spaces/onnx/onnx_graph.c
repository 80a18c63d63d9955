/* ONNX models onto the engine: the file is parsed with protobuf-c (C code generated at build time from
 * Debian's /usr/include/onnx/onnx.proto), its graph walked in order (ONNX requires topological order)
 * and each node mapped to the engine's op, its tensors' names to node ids. Only what a CNN classifier
 * exported from PyTorch uses is mapped; the first other node fails with its name and op. */
#include "spaces/onnx/onnx_graph.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "onnx/onnx.pb-c.h"
#include "util/util.h"
#include "zcnas/error.h"

struct zci_onnx {
    char path[4096];
    char md5[33];
    Onnx__ModelProto *model;
    const Onnx__GraphProto *g;
    const Onnx__ValueInfoProto *input;
    int c, h, w, classes;
    zci_strmap inits;          /* initialiser name -> its position in g->initializer */
};

/* ---------------------------------------------------------------- reading */

zc_status zci_onnx_load(const char *path, zci_onnx **out)
{
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0) return zc_fail(ZC_EIO, "%s: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode)) return zc_fail(ZC_EIO, "%s: not a regular file", path);
    if (sb.st_size > ZCI_ONNX_MAX_BYTES)
        return zc_fail(ZC_ENOMEM, "%s: %lld bytes, more than the %lld an ONNX model may have here", path,
                       (long long)sb.st_size, ZCI_ONNX_MAX_BYTES);
    FILE *f = fopen(path, "rb");
    if (!f) return zc_fail(ZC_EIO, "%s: %s", path, strerror(errno));
    size_t len = 0;
    char *buf = zci_read_stream(f, &len);
    fclose(f);
    if (!buf) return zc_fail(errno == ENOMEM ? ZC_ENOMEM : ZC_EIO, "%s: cannot read it", path);
    zc_status st;
    zci_onnx *m = calloc(1, sizeof *m);
    if (!m) {
        free(buf);
        return zc_fail(ZC_ENOMEM, "%s: out of memory", path);
    }
    snprintf(m->path, sizeof m->path, "%s", path);
    zci_md5_hex(buf, len, m->md5);
    m->model = onnx__model_proto__unpack(NULL, len, (const uint8_t *)buf);
    free(buf);
    if (!m->model || !m->model->graph) {
        st = zc_fail(ZC_EDATA, "%s: not an ONNX model (the protobuf message does not parse%s)", path,
                       len ? "" : ": the file is empty");
        goto fail;
    }
    m->g = m->model->graph;
    for (size_t i = 0; i < m->g->n_initializer; i++) {
        const char *name = m->g->initializer[i]->name;
        if (!name || zci_strmap_put(&m->inits, name, (double)i) < 0) {
            st = zc_fail(name ? ZC_ENOMEM : ZC_EDATA, "%s: an initialiser without a name", path);
            goto fail;
        }
    }
    /* the one graph input that is not an initialiser: float32 N x C x H x W */
    for (size_t i = 0; i < m->g->n_input; i++) {
        const Onnx__ValueInfoProto *v = m->g->input[i];
        if (!v->name || zci_strmap_get(&m->inits, v->name, NULL)) continue;
        if (m->input) {
            st = zc_fail(ZC_EUNSUPPORTED, "%s: the graph has more than one input ('%s' and '%s'); zcnas scores "
                           "image classifiers with one image input", path, m->input->name, v->name);
            goto fail;
        }
        m->input = v;
    }
    const Onnx__TypeProto *t = m->input ? m->input->type : NULL;
    const Onnx__TypeProto__Tensor *tt = t && t->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ? t->tensor_type : NULL;
    if (!tt || !tt->shape || tt->shape->n_dim != 4 || (tt->has_elem_type && tt->elem_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)) {
        st = zc_fail(ZC_EUNSUPPORTED, "%s: the graph's input must be a float32 N x C x H x W image tensor", path);
        goto fail;
    }
    int64_t d[3];
    for (int k = 0; k < 3; k++) {
        const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[k + 1];
        d[k] = dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ? dim->dim_value : -1;
    }
    if (d[0] < 1 || d[0] > 4096 || d[1] < 1 || d[1] > 4096 || d[2] != d[1]) {
        st = zc_fail(ZC_EUNSUPPORTED, "%s: input '%s' is %lld x %lld x %lld; zcnas needs fixed C x H x W with H = W "
                       "(export with a fixed input size)", path, m->input->name, (long long)d[0], (long long)d[1],
                       (long long)d[2]);
        goto fail;
    }
    m->c = (int)d[0];
    m->h = (int)d[1];
    m->w = (int)d[2];
    if (m->g->n_output < 1) {
        st = zc_fail(ZC_EUNSUPPORTED, "%s: the graph has no output", path);
        goto fail;
    }
    /* map it once without parameters: every unsupported node is found now, and the class count */
    zc_net *net = zci_onnx_build(m, 1, 1, 0, NULL);
    if (!net) {
        st = ZC_EUNSUPPORTED;   /* the message names the node */
        goto fail;
    }
    zc_node_info logits;
    zc_net_node_info(net, zc_net_output_node(net), &logits);
    m->classes = logits.c * logits.h * logits.w;
    zc_net_free(net);
    *out = m;
    return ZC_OK;
fail:
    zci_onnx_free(m);
    return st;
}

void zci_onnx_free(zci_onnx *m)
{
    if (!m) return;
    if (m->model) onnx__model_proto__free_unpacked(m->model, NULL);
    zci_strmap_free(&m->inits);
    free(m);
}

const char *zci_onnx_md5(const zci_onnx *m) { return m->md5; }

void zci_onnx_shape(const zci_onnx *m, int *c, int *res, int *classes)
{
    *c = m->c;
    *res = m->h;
    *classes = m->classes;
}

/* ---------------------------------------------------------------- attributes and initialisers */

static const Onnx__AttributeProto *attr(const Onnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name && !strcmp(n->attribute[i]->name, name)) return n->attribute[i];
    return NULL;
}

static int64_t attr_int(const Onnx__NodeProto *n, const char *name, int64_t def)
{
    const Onnx__AttributeProto *a = attr(n, name);
    return a && a->has_i ? a->i : def;
}

static float attr_float(const Onnx__NodeProto *n, const char *name, float def)
{
    const Onnx__AttributeProto *a = attr(n, name);
    return a && a->has_f ? a->f : def;
}

/* A list of ints attribute whose values are all equal (square kernels, equal strides, symmetric
 * pads): that value, def when absent, -1 when they differ or are out of 0..4096. */
static int attr_uniform(const Onnx__NodeProto *n, const char *name, int def)
{
    const Onnx__AttributeProto *a = attr(n, name);
    if (!a || !a->n_ints) return def;
    for (size_t i = 0; i < a->n_ints; i++)
        if (a->ints[i] != a->ints[0] || a->ints[i] < 0 || a->ints[i] > 4096) return -1;
    return (int)a->ints[0];
}

/* The constant tensor of that name: an initialiser, or the value of a Constant node. */
static const Onnx__TensorProto *init_of(const zci_onnx *m, const char *name)
{
    double v;
    if (!name) return NULL;
    if (zci_strmap_get(&m->inits, name, &v)) return m->g->initializer[(size_t)v];
    for (size_t i = 0; i < m->g->n_node; i++) {
        const Onnx__NodeProto *n = m->g->node[i];
        if (n->op_type && !strcmp(n->op_type, "Constant") && n->n_output && n->output[0] && !strcmp(n->output[0], name)) {
            const Onnx__AttributeProto *a = attr(n, "value");
            return a ? a->t : NULL;
        }
    }
    return NULL;
}

/* The module name of a layer from its weight initialiser: PyTorch's "layer1.0.conv1.weight" gives
 * "layer1.0.conv1" (so the net's parameters carry the state_dict keys); other names stay whole. */
static void module_name(const char *weight, char *buf, size_t size)
{
    size_t n = strlen(weight);
    if (n > 7 && !strcmp(weight + n - 7, ".weight")) n -= 7;
    if (n >= size) n = size - 1;
    memcpy(buf, weight, n);
    buf[n] = '\0';
}

/* ---------------------------------------------------------------- the graph */

/* A small integer vector computed from constants and tensor shapes (the Shape / Gather / Unsqueeze /
 * Concat chains PyTorch's exporter writes for x.view(x.size(0), -1)); BATCH stands for the batch. */
#define SHAPE_MAX 8
#define BATCH (-2)
typedef struct shapevec {
    int n;
    int64_t v[SHAPE_MAX];
} shapevec;

typedef struct mapper {
    const zci_onnx *m;
    zc_net *net;
    zci_strmap tensors;        /* tensor name -> node id */
    zci_strmap shapes;         /* tensor name -> index into vecs */
    shapevec *vecs;
    int n_vecs;
    int track_running_stats;
    FILE *log;
} mapper;

static int tensor(mapper *mp, const char *name)
{
    double v;
    return name && zci_strmap_get(&mp->tensors, name, &v) ? (int)v : -1;
}

/* The integer vector of a constant (initialiser or Constant node of up to SHAPE_MAX ints) or of an
 * earlier shape computation; 0 when the name is neither. */
static int shape_vec(const mapper *mp, const char *name, shapevec *out)
{
    double v;
    if (name && zci_strmap_get(&mp->shapes, name, &v)) {
        *out = mp->vecs[(int)v];
        return 1;
    }
    const Onnx__TensorProto *t = init_of(mp->m, name);
    if (!t || t->n_dims > 1 || (t->n_dims == 1 && (t->dims[0] < 0 || t->dims[0] > SHAPE_MAX))) return 0;
    size_t n = t->n_dims ? (size_t)t->dims[0] : 1;
    out->n = (int)n;
    if (n == 0) return 1;   /* an empty vector: protobuf-c leaves its arrays NULL (no memcpy from NULL) */
    if (t->n_int64_data == n) memcpy(out->v, t->int64_data, n * 8);
    else if (t->has_raw_data && t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 && t->raw_data.len == n * 8)
        memcpy(out->v, t->raw_data.data, n * 8);
    else if (t->n_int32_data == n) for (size_t i = 0; i < n; i++) out->v[i] = t->int32_data[i];
    else return 0;
    return 1;
}

static int put_shape(mapper *mp, const char *name, const shapevec *v)
{
    shapevec *nv = realloc(mp->vecs, (size_t)(mp->n_vecs + 1) * sizeof *nv);
    if (!nv) return -1;
    mp->vecs = nv;
    mp->vecs[mp->n_vecs] = *v;
    return zci_strmap_put(&mp->shapes, name, (double)mp->n_vecs++) < 0 ? -1 : 0;
}

/* A float scalar constant (Mul by 0 is NAS-Bench-201's 'none'); 0 when the name is not one. */
static int scalar_of(const zci_onnx *m, const char *name, float *out)
{
    const Onnx__TensorProto *t = init_of(m, name);
    if (!t || (t->n_dims && !(t->n_dims == 1 && t->dims[0] == 1)) ||
        (t->has_data_type && t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT))
        return 0;
    if (t->n_float_data == 1) *out = t->float_data[0];
    else if (t->has_raw_data && t->raw_data.len == 4) memcpy(out, t->raw_data.data, 4);
    else return 0;
    return 1;
}

/* Shape arithmetic: nodes whose inputs are all integer vectors (or Shape of an image tensor) give an
 * integer vector; 1 when n was one (its output recorded), 0 when it is not, -1 on failure. */
static int shape_node(mapper *mp, const Onnx__NodeProto *n, const char *where)
{
    const char *op = n->op_type ? n->op_type : "";
    if (!n->n_output || !n->output[0]) return 0;
    shapevec in[SHAPE_MAX], out = {0, {0}};
    if (!strcmp(op, "Shape")) {
        int x = n->n_input ? tensor(mp, n->input[0]) : -1;
        if (x < 0) return 0;
        zc_node_info info;
        zc_net_node_info(mp->net, x, &info);
        out.n = 4;
        out.v[0] = BATCH, out.v[1] = info.c, out.v[2] = info.h, out.v[3] = info.w;
        return put_shape(mp, n->output[0], &out) < 0 ? -1 : 1;
    }
    if (strcmp(op, "Gather") && strcmp(op, "Unsqueeze") && strcmp(op, "Squeeze") && strcmp(op, "Concat") &&
        strcmp(op, "Cast") && strcmp(op, "Constant"))
        return 0;
    if (!strcmp(op, "Constant")) return shape_vec(mp, n->output[0], &out) ? (put_shape(mp, n->output[0], &out) < 0 ? -1 : 1) : 0;
    if (!n->n_input || n->n_input > SHAPE_MAX) return 0;
    for (size_t i = 0; i < n->n_input; i++)
        if (!shape_vec(mp, n->input[i], &in[i])) return 0;
    if (!strcmp(op, "Gather")) {
        if (n->n_input != 2 || in[1].n != 1 || in[1].v[0] < -in[0].n || in[1].v[0] >= in[0].n)
            return zc_fail(ZC_EUNSUPPORTED, "%s: an index outside the shape", where), -1;
        out.n = 1;
        out.v[0] = in[0].v[in[1].v[0] < 0 ? in[1].v[0] + in[0].n : in[1].v[0]];
    } else if (!strcmp(op, "Concat")) {
        for (size_t i = 0; i < n->n_input; i++) {
            if (out.n + in[i].n > SHAPE_MAX) return zc_fail(ZC_EUNSUPPORTED, "%s: a shape of more than %d", where, SHAPE_MAX), -1;
            memcpy(out.v + out.n, in[i].v, (size_t)in[i].n * 8);
            out.n += in[i].n;
        }
    } else {
        out = in[0];   /* Unsqueeze / Squeeze / Cast keep the values of a vector */
    }
    return put_shape(mp, n->output[0], &out) < 0 ? -1 : 1;
}

static void shape_of(const mapper *mp, int node, int *c, int *h, int *w)
{
    zc_node_info in;
    zc_net_node_info(mp->net, node, &in);
    *c = in.c, *h = in.h, *w = in.w;
}

/* The engine node for one ONNX node (an alias's input for Identity-like ops), -1 on failure with
 * the message naming the node. */
static int map_node(mapper *mp, const Onnx__NodeProto *n, const char *where)
{
    const char *op = n->op_type ? n->op_type : "";
    int x = n->n_input ? tensor(mp, n->input[0]) : -1;
    if (x < 0) {
        zc_fail(ZC_EUNSUPPORTED, "%s: its input '%s' is not an image tensor of the graph", where,
                n->n_input && n->input[0] ? n->input[0] : "(none)");
        return -1;
    }
    int c, h, w;
    shape_of(mp, x, &c, &h, &w);
    char name[256];
    if (!strcmp(op, "Conv")) {
        const Onnx__TensorProto *W = n->n_input > 1 ? init_of(mp->m, n->input[1]) : NULL;
        const Onnx__TensorProto *B = n->n_input > 2 && n->input[2][0] ? init_of(mp->m, n->input[2]) : NULL;
        int k = attr_uniform(n, "kernel_shape", -1), s = attr_uniform(n, "strides", 1), p = attr_uniform(n, "pads", 0),
            dil = attr_uniform(n, "dilations", 1);
        int64_t g = attr_int(n, "group", 1);
        const Onnx__AttributeProto *ap = attr(n, "auto_pad");
        if (!W || W->n_dims != 4 || (n->n_input > 2 && n->input[2][0] && !B))
            return zc_fail(ZC_EUNSUPPORTED, "%s: the weights must be initialisers (4-D)", where), -1;
        if (k < 0) k = (int)W->dims[2];
        if (k < 1 || W->dims[2] != k || W->dims[3] != k || s < 1 || p < 0 || dil != 1 || g < 1 || g > c ||
            (ap && ap->has_s && ap->s.len && strncmp((const char *)ap->s.data, "NOTSET", ap->s.len)))
            return zc_fail(ZC_EUNSUPPORTED, "%s: only square kernels, equal strides, symmetric explicit pads and no "
                           "dilation are mapped", where), -1;
        if (W->dims[1] * g != c || W->dims[0] < 1 || W->dims[0] % g || W->dims[0] > (1 << 20))
            return zc_fail(ZC_EUNSUPPORTED, "%s: weights %lld x %lld x %d x %d do not fit %d input channels in %lld groups",
                           where, (long long)W->dims[0], (long long)W->dims[1], k, k, c, (long long)g), -1;
        module_name(W->name, name, sizeof name);
        return zc_net_conv2d(mp->net, x, name, (int)W->dims[0], k, s, p, (int)g, B != NULL);
    }
    if (!strcmp(op, "BatchNormalization")) {
        const Onnx__TensorProto *S = n->n_input > 1 ? init_of(mp->m, n->input[1]) : NULL;
        if (!S || S->n_dims != 1 || S->dims[0] != c || n->n_input < 5)
            return zc_fail(ZC_EUNSUPPORTED, "%s: scale, bias, mean and variance must be initialisers of %d channels",
                           where, c), -1;
        module_name(S->name, name, sizeof name);
        float eps = attr_float(n, "epsilon", 1e-5f);
        if (!(eps > 0 && eps < 1)) return zc_fail(ZC_EUNSUPPORTED, "%s: epsilon %g", where, eps), -1;
        return zc_net_batchnorm(mp->net, x, name, eps, 1, mp->track_running_stats);
    }
    if (!strcmp(op, "Relu")) return zc_net_relu(mp->net, x);
    if (!strcmp(op, "Sigmoid")) return zc_net_sigmoid(mp->net, x);
    if (!strcmp(op, "Tanh")) return zc_net_tanh(mp->net, x);
    if (!strcmp(op, "LeakyRelu")) return zc_net_leaky_relu(mp->net, x, attr_float(n, "alpha", 0.01f));
    float scalar;
    if (!strcmp(op, "Mul") && n->n_input == 2 && scalar_of(mp->m, n->input[1], &scalar)) {
        if (scalar == 0.0f) return zc_net_zero(mp->net, x);   /* NAS-Bench-201's 'none' (x.mul(0.)) */
        if (scalar == 1.0f) return x;
        return zc_fail(ZC_EUNSUPPORTED, "%s: multiplication by the constant %g (only 0 and 1 are mapped)", where,
                       scalar), -1;
    }
    if (!strcmp(op, "Pad")) {
        shapevec pads;
        int zero = n->n_input > 1 && shape_vec(mp, n->input[1], &pads);
        for (int i = 0; zero && i < pads.n; i++) zero = pads.v[i] == 0;
        if (!zero) return zc_fail(ZC_EUNSUPPORTED, "%s: only padding by nothing is mapped (pads go into Conv and "
                                  "pooling nodes)", where), -1;
        return x;
    }
    if (!strcmp(op, "Add") || !strcmp(op, "Mul") || !strcmp(op, "Concat")) {
        int xs[ZC_MAX_INPUTS];
        if (n->n_input < 2 || n->n_input > ZC_MAX_INPUTS || (strcmp(op, "Concat") && n->n_input != 2))
            return zc_fail(ZC_EUNSUPPORTED, "%s: %zu inputs", where, n->n_input), -1;
        for (size_t i = 0; i < n->n_input; i++) {
            xs[i] = tensor(mp, n->input[i]);
            int ci, hi, wi;
            if (xs[i] >= 0) shape_of(mp, xs[i], &ci, &hi, &wi);
            if (xs[i] < 0 || hi != h || wi != w || (strcmp(op, "Concat") && ci != c))
                return zc_fail(ZC_EUNSUPPORTED, "%s: input '%s' is %s (only tensors of the same shape%s are mapped: no "
                               "broadcasting, no constants)", where, n->input[i], xs[i] < 0 ? "not an image tensor" :
                               "of another shape", strcmp(op, "Concat") ? "" : " but channels"), -1;
        }
        if (!strcmp(op, "Concat")) {
            int64_t axis = attr_int(n, "axis", 1);
            if (axis != 1 && axis != -3) return zc_fail(ZC_EUNSUPPORTED, "%s: concatenation along axis %lld (only the "
                                                        "channels, axis 1)", where, (long long)axis), -1;
            return zc_net_concat(mp->net, (int)n->n_input, xs);
        }
        return !strcmp(op, "Add") ? zc_net_add(mp->net, 2, xs) : zc_net_mul(mp->net, xs[0], xs[1]);
    }
    if (!strcmp(op, "AveragePool") || !strcmp(op, "MaxPool")) {
        int k = attr_uniform(n, "kernel_shape", -1), s = attr_uniform(n, "strides", 1), p = attr_uniform(n, "pads", 0),
            dil = attr_uniform(n, "dilations", 1);
        if (k < 1 || s < 1 || p < 0 || dil != 1 || attr_int(n, "ceil_mode", 0) || n->n_output > 1)
            return zc_fail(ZC_EUNSUPPORTED, "%s: only square windows, equal strides, symmetric pads, no dilation or "
                           "ceil_mode are mapped", where), -1;
        return op[0] == 'A' ? zc_net_avgpool(mp->net, x, k, s, p, (int)attr_int(n, "count_include_pad", 0))
                            : zc_net_maxpool(mp->net, x, k, s, p);
    }
    if (!strcmp(op, "GlobalAveragePool")) return zc_net_gap(mp->net, x);
    if (!strcmp(op, "Identity") || !strcmp(op, "Dropout")) return x;
    if (!strcmp(op, "Flatten")) {
        int64_t axis = attr_int(n, "axis", 1);
        if (axis != 1) return zc_fail(ZC_EUNSUPPORTED, "%s: flattening from axis %lld (only 1)", where, (long long)axis), -1;
        return x;   /* the engine's linear layers read C x H x W as features */
    }
    if (!strcmp(op, "Reshape")) {
        /* each sample to one row of features ([N, -1] or [N, C*H*W], N the traced batch or 0 / -1), or
         * to its own shape: the engine's linear layers read C x H x W as features */
        shapevec v;
        int64_t chw = (int64_t)c * h * w;
        int ok = n->n_input > 1 && shape_vec(mp, n->input[1], &v) &&
                 ((v.n == 2 && (v.v[1] == -1 || v.v[1] == chw)) ||
                  (v.n == 4 && v.v[1] == c && v.v[2] == h && v.v[3] == w));
        if (!ok)
            return zc_fail(ZC_EUNSUPPORTED, "%s: only a reshape of each sample to one row of features is mapped "
                           "(x.view(x.size(0), -1), torch.flatten(x, 1))", where), -1;
        return x;
    }
    if (!strcmp(op, "Gemm") || !strcmp(op, "MatMul")) {
        int gemm = op[0] == 'G';
        const Onnx__TensorProto *W = n->n_input > 1 ? init_of(mp->m, n->input[1]) : NULL;
        const Onnx__TensorProto *B = gemm && n->n_input > 2 && n->input[2][0] ? init_of(mp->m, n->input[2]) : NULL;
        int64_t transB = gemm ? attr_int(n, "transB", 0) : 0;
        if (!W || W->n_dims != 2 || (gemm && n->n_input > 2 && n->input[2][0] && !B) ||
            (gemm && (attr_int(n, "transA", 0) || attr_float(n, "alpha", 1) != 1.0f || attr_float(n, "beta", 1) != 1.0f)))
            return zc_fail(ZC_EUNSUPPORTED, "%s: only x W^T + b with initialisers W, b (PyTorch's Linear) is mapped",
                           where), -1;
        int64_t in = transB ? W->dims[1] : W->dims[0], outf = transB ? W->dims[0] : W->dims[1];
        if (in != (int64_t)c * h * w || outf < 1 || outf > (1 << 24))
            return zc_fail(ZC_EUNSUPPORTED, "%s: weights for %lld input features, the tensor has %d x %d x %d = %lld "
                           "(another input resolution than the model was exported for?)", where, (long long)in, c, h, w,
                           (long long)c * h * w), -1;
        module_name(W->name, name, sizeof name);
        return zc_net_linear(mp->net, x, name, (int)outf, B != NULL);
    }
    return zc_fail(ZC_EUNSUPPORTED, "%s: op %s is not mapped (zcnas maps Conv, BatchNormalization, Relu, Sigmoid, Tanh, "
                   "LeakyRelu, Add, Mul, Concat, AveragePool, MaxPool, GlobalAveragePool, Gemm, MatMul, Flatten, "
                   "Reshape, Pad by nothing, Identity, Dropout, and shape arithmetic)", where, op), -1;
}

zc_net *zci_onnx_build(const zci_onnx *m, int track_running_stats, int shapes_only, int res, FILE *log)
{
    mapper mp = {m, zc_net_new(m->c, res > 0 ? res : m->h, res > 0 ? res : m->w), {0}, {0}, NULL, 0, track_running_stats, log};
    if (!mp.net) return NULL;
    if (shapes_only) zc_net_set_shapes_only(mp.net);
    if (zci_strmap_put(&mp.tensors, m->input->name, 0) < 0) goto oom;
    for (size_t i = 0; i < m->g->n_node; i++) {
        const Onnx__NodeProto *n = m->g->node[i];
        char where[768];
        snprintf(where, sizeof where, "%.500s: node %zu '%.100s' (%.60s)", m->path, i, n->name ? n->name : "",
                 n->op_type ? n->op_type : "?");
        if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx")) {
            zc_fail(ZC_EUNSUPPORTED, "%s: operator domain '%s' (only the standard ONNX operators are mapped)", where,
                    n->domain);
            goto fail;
        }
        int sn = shape_node(&mp, n, where);
        if (sn < 0) goto fail;
        if (sn > 0 || !strcmp(n->op_type ? n->op_type : "", "Constant")) continue;   /* constants: init_of */
        int id = map_node(&mp, n, where);
        if (id < 0) {
            if (!strstr(zc_last_error(), m->path)) zc_fail(ZC_EUNSUPPORTED, "%s: %s", where, zc_last_error());
            goto fail;
        }
        if (!n->n_output || !n->output[0]) continue;
        if (zci_strmap_put(&mp.tensors, n->output[0], (double)id) < 0) goto oom;
        if (log) {
            zc_node_info info;
            zc_net_node_info(mp.net, id, &info);
            int alias = n->n_input && id == tensor(&mp, n->input[0]);   /* Identity, Flatten, ...: no new node */
            fprintf(log, "  %-28.28s %-20s -> %-10s %d x %d x %d%s%s\n", n->name ? n->name : "", n->op_type,
                    alias ? "(its input)" : zc_op_name(info.op), info.c, info.h, info.w,
                    !alias && info.name && info.name[0] ? "  " : "", !alias && info.name ? info.name : "");
        }
    }
    /* the logits: the last output (a model returning (features, logits) as NAS-Bench-201's does) */
    const Onnx__ValueInfoProto *logits = m->g->output[m->g->n_output - 1];
    int out = tensor(&mp, logits->name);
    if (out < 0) {
        zc_fail(ZC_EUNSUPPORTED, "%s: the graph's output '%s' is not computed by a mapped node", m->path,
                logits->name ? logits->name : "");
        goto fail;
    }
    if (zc_net_finish(mp.net, out) != ZC_OK) goto fail;
    zci_strmap_free(&mp.tensors);
    zci_strmap_free(&mp.shapes);
    free(mp.vecs);
    return mp.net;
oom:
    zc_fail(ZC_ENOMEM, "%s: out of memory mapping the graph", m->path);
fail:
    zci_strmap_free(&mp.tensors);
    zci_strmap_free(&mp.shapes);
    free(mp.vecs);
    zc_net_free(mp.net);
    return NULL;
}

/* ---------------------------------------------------------------- weights */

/* The float32 values of an initialiser (float_data or little-endian raw_data), count checked. */
static const float *tensor_floats(const Onnx__TensorProto *t, size_t want, float **owned)
{
    *owned = NULL;
    if (t->has_data_type && t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) return NULL;
    if (t->n_float_data == want) return t->float_data;
    if (want && t->has_raw_data && t->raw_data.len == want * sizeof(float)) {
        if (!(*owned = malloc(want * sizeof(float)))) return NULL;
        memcpy(*owned, t->raw_data.data, want * sizeof(float));
        return *owned;
    }
    return NULL;
}

zc_status zci_onnx_load_weights(const zci_onnx *m, zc_net *net)
{
    for (size_t i = 0; i < m->g->n_node; i++) {
        const Onnx__NodeProto *n = m->g->node[i];
        const char *op = n->op_type ? n->op_type : "";
        int conv = !strcmp(op, "Conv"), bn = !strcmp(op, "BatchNormalization"), gemm = !strcmp(op, "Gemm"),
            matmul = !strcmp(op, "MatMul");
        if (!conv && !bn && !gemm && !matmul) continue;
        const Onnx__TensorProto *first = init_of(m, n->input[1]);
        char module[256];
        module_name(first->name, module, sizeof module);
        static const char *const suffix[] = {"weight", "bias"};
        for (int k = 0; k < 2; k++) {
            if ((size_t)k + 1 >= n->n_input || !n->input[k + 1][0] || (matmul && k)) continue;
            const Onnx__TensorProto *t = init_of(m, n->input[k + 1]);
            char pname[300];
            snprintf(pname, sizeof pname, "%s.%s", module, suffix[k]);
            int p = zc_net_find_param(net, pname);
            if (p < 0 || !t) continue;   /* merged away or absent */
            zc_param_info pi;
            zc_net_param_info(net, p, &pi);
            float *owned;
            const float *v = tensor_floats(t, pi.numel, &owned);
            if (!v) return zc_fail(ZC_EDATA, "%s: initialiser '%s' is not %zu float32 values", m->path, t->name, pi.numel);
            zc_status st = ZC_OK;
            if (matmul) {   /* stored in x out: the engine's weight is out x in */
                size_t rows = (size_t)t->dims[0], cols = (size_t)t->dims[1];
                float *tr = malloc(pi.numel * sizeof *tr);
                if (!tr) st = zc_fail(ZC_ENOMEM, "%s: out of memory", m->path);
                for (size_t r = 0; tr && r < rows; r++)
                    for (size_t c = 0; c < cols; c++) tr[c * rows + r] = v[r * cols + c];
                if (tr) st = zc_net_param_write(net, p, tr);
                free(tr);
            } else {
                st = zc_net_param_write(net, p, v);
            }
            free(owned);
            if (st != ZC_OK) return st;
        }
    }
    return ZC_OK;
}
