/* Exact evaluation of a network whose every parameter tensor holds one constant (epsilon's init).
 *
 * With constant weights every output channel of a conv or linear layer is the same function of its
 * input, so all channels of every feature map downstream are identical: each map is carried as ONE
 * plane per image, and a conv over C identical input channels is the single-channel sum times C.
 * Concatenation (NAS-Bench-101's cell outputs) joins maps that differ, so in general a map is a list
 * of channel GROUPS, consecutive channels that are identical, one plane each: batch norm, ReLU and
 * pooling act per group, a sum takes the common refinement of its terms' groups, truncation cuts
 * the list, and a conv or linear layer sums group g's single-channel result times its size n_g.
 * Two more exact shortcuts follow from the constants:
 *  - nodes computing the same op on the same inputs (e.g. conv3x3 on edges 0->2 and 0->3 of a cell)
 *    are identical, so each is computed once;
 *  - a map that is exactly zero everywhere stays zero through conv (zero bias), batch norm (zero
 *    beta), ReLU and pooling, and drops out of sums, so it is never materialised. At a tiny weight
 *    (1e-7) the conv paths underflow to exact zeros within a few layers; this is what makes the
 *    float32 NaN pattern of epsilon cheap to reproduce.
 * Products are formed as w*x before they are summed, as in the full computation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "backends/ref/ref.h"
#include "backends/ref/simd.h"
#include "engine/buffers.h"
#include "zcnas/evaluators.h"

typedef struct uval {
    float *data;     /* batch x ng x h x w (a plane per group), NULL when zero */
    int borrowed;    /* data is the caller's input batch: read only, never released */
    int ng;          /* channel groups (1: all channels identical; node->c: all distinct) */
    int *gsz;        /* the groups' sizes, in channel order (NULL when ng == 1) */
    int zero;        /* exactly zero everywhere */
    int refs;        /* pending consumers */
} uval;

/* Sets v's groups (sizes copied; ng == 1 needs none). */
static zc_status set_groups(uval *v, int ng, const int *sizes)
{
    free(v->gsz);
    v->gsz = NULL;
    v->ng = ng;
    if (ng == 1) return ZC_OK;
    if (!(v->gsz = malloc((size_t)ng * sizeof *v->gsz))) return zc_fail(ZC_ENOMEM, "out of memory");
    memcpy(v->gsz, sizes, (size_t)ng * sizeof *sizes);
    return ZC_OK;
}

static int group_size(const uval *v, int g, int channels) { return v->ng == 1 ? channels : v->gsz[g]; }

int zc_net_params_constant(zc_net *net)
{
    for (int i = 0; i < zc_net_num_params(net); i++) {
        zc_param_info pi;
        zc_net_param_info(net, i, &pi);
        const float *d = zc_net_param_data(net, i);
        if (!d) return 0;
        for (size_t j = 1; j < pi.numel; j++)
            if (memcmp(&d[j], &d[0], sizeof *d) != 0) return 0;
    }
    return 1;
}

static float param_const(zc_net *net, int idx, float dflt)
{
    return idx >= 0 ? zc_net_param_data(net, idx)[0] : dflt;
}

/* Two nodes compute the same function of the same (canonical) inputs under constant weights. */
static int same_node(zc_net *net, const zc_node_info *a, const zc_node_info *b, const int *canon)
{
    if (a->op != b->op || a->op == ZC_OP_INPUT || a->n_in != b->n_in || a->c != b->c || a->h != b->h ||
        a->w != b->w || a->k != b->k || a->stride != b->stride || a->pad != b->pad ||
        a->groups != b->groups || a->count_include_pad != b->count_include_pad || a->eps != b->eps ||
        a->affine != b->affine || (a->weight < 0) != (b->weight < 0) || (a->bias < 0) != (b->bias < 0))
        return 0;
    if (a->weight >= 0 && param_const(net, a->weight, 0) != param_const(net, b->weight, 0)) return 0;
    if (a->bias >= 0 && param_const(net, a->bias, 0) != param_const(net, b->bias, 0)) return 0;
    if (a->op == ZC_OP_ADD) {
        /* Sums compare as multisets of canonical inputs (the order of a sum of 2-3 terms only changes
         * rounding, but keep it exact: require the same order). */
        for (int i = 0; i < a->n_in; i++)
            if (canon[a->in[i]] != canon[b->in[i]]) return 0;
        return 1;
    }
    for (int i = 0; i < a->n_in; i++)
        if (canon[a->in[i]] != canon[b->in[i]]) return 0;
    return 1;
}

static ZC_VECTORIZE int all_zero(const float *x, size_t n)
{
    /* Branch-free blocks of 64: most maps are either all zero or nonzero early on. */
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        int nz = 0;
        for (int l = 0; l < 64; l++) nz |= x[i + l] != 0.0f;
        if (nz) return 0;
    }
    for (; i < n; i++)
        if (x[i] != 0.0f) return 0;
    return 1;
}

static ZC_VECTORIZE void scale_shift(float *restrict o, size_t n, float copies, float b)
{
    for (size_t j = 0; j < n; j++) o[j] = o[j] * copies + b;
}

static ZC_VECTORIZE void relu_plane(const float *restrict x, float *restrict y, size_t n)
{
    for (size_t j = 0; j < n; j++) { float v = x[j]; y[j] = v < 0.0f ? 0.0f : v; }
}

static ZC_VECTORIZE void add_plane(float *restrict y, const float *restrict x, size_t n)
{
    for (size_t j = 0; j < n; j++) y[j] += x[j];
}

static ZC_VECTORIZE int all_finite(const float *x, size_t n)
{
    int ok = 1;
    for (size_t i = 0; i < n; i++) ok &= isfinite(x[i]) != 0;
    return ok;
}

/* One output plane of a conv with constant weight w: out = sum over channels c of sum over the
 * window of w * x_c (c outer, window row-major inner, as the im2col order of the full conv).
 * `padded` is the (h + 2p) x (w + 2p) frame whose zero border the caller has set once. */
static ZC_VECTORIZE void conv_plane(const float *x, int channels, int h, int w, int k, int s, int p, float wt,
                                    float *restrict out, int oh, int ow, float *restrict padded)
{
    int wp = w + 2 * p;
    for (int i = 0; i < oh * ow; i++) out[i] = 0.0f;
    for (int c = 0; c < channels; c++) {
        const float *xc = x + (size_t)c * h * w;
        const float *src = xc;
        if (p > 0) {
            for (int y = 0; y < h; y++) memcpy(padded + (size_t)(y + p) * wp + p, xc + (size_t)y * w, (size_t)w * sizeof *xc);
            src = padded;
        }
        if (k == 3 && s == 1) {   /* NB201's 3x3 convs: the nine taps of an output in registers */
            for (int oy = 0; oy < oh; oy++) {
                float *restrict o = out + (size_t)oy * ow;
                const float *restrict r0 = src + (size_t)oy * wp, *restrict r1 = r0 + wp, *restrict r2 = r1 + wp;
                for (int ox = 0; ox < ow; ox++) {
                    float a = o[ox], t;
                    t = wt * r0[ox]; a += t; t = wt * r0[ox + 1]; a += t; t = wt * r0[ox + 2]; a += t;
                    t = wt * r1[ox]; a += t; t = wt * r1[ox + 1]; a += t; t = wt * r1[ox + 2]; a += t;
                    t = wt * r2[ox]; a += t; t = wt * r2[ox + 1]; a += t; t = wt * r2[ox + 2]; a += t;
                    o[ox] = a;
                }
            }
            continue;
        }
        for (int oy = 0; oy < oh; oy++) {
            float *restrict o = out + (size_t)oy * ow;
            for (int ki = 0; ki < k; ki++) {
                const float *restrict row = src + (size_t)(oy * s + ki) * wp;
                for (int kj = 0; kj < k; kj++)
                    if (s == 1)
                        for (int ox = 0; ox < ow; ox++) { float prod = wt * row[ox + kj]; o[ox] += prod; }
                    else
                        for (int ox = 0; ox < ow; ox++) { float prod = wt * row[ox * s + kj]; o[ox] += prod; }
            }
        }
    }
}

static float *alloc_planes(int batch, int groups, const zc_node_info *n)
{
    return zci_buf_get((size_t)batch * groups * n->h * n->w, 0);
}

static void release(uval *v)
{
    if (--v->refs == 0) {
        if (!v->borrowed) zci_buf_put(v->data);
        v->data = NULL;
    }
}

/* The planes of value v for image bi. */
static float *planes_of(const uval *v, int bi, size_t plane) { return v->data + (size_t)bi * v->ng * plane; }

/* out = sum over v's groups of n_g * (w * window sums of group g), the groups' results formed
 * separately (each of a single channel) and then scaled and summed in channel order. */
static zc_status conv_groups(const uval *in, const zc_node_info *src, const zc_node_info *n, float w, float *o,
                             const float *x, float *padded)
{
    size_t plane = (size_t)n->h * n->w, in_plane = (size_t)src->h * src->w;
    float *t = malloc(plane * sizeof *t);
    if (!t) return zc_fail(ZC_ENOMEM, "out of memory");
    for (size_t j = 0; j < plane; j++) o[j] = 0.0f;
    for (int g = 0; g < in->ng; g++) {
        conv_plane(x + (size_t)g * in_plane, 1, src->h, src->w, n->k, n->stride, n->pad, w, t, n->h, n->w, padded);
        float copies = (float)in->gsz[g];
        for (size_t j = 0; j < plane; j++) { float v = t[j] * copies; o[j] += v; }
    }
    free(t);
    return ZC_OK;
}

/* The common refinement of the groups of a sum's nonzero terms: sizes into out (capacity c). */
static int refine(const zc_node_info *n, const uval *const *terms, int nt, int *out)
{
    int ng = 0, pos = 0;
    int *next = calloc((size_t)nt, sizeof *next), *left = calloc((size_t)nt, sizeof *left);
    if (!next || !left) { free(next); free(left); return -1; }
    for (int k = 0; k < nt; k++) left[k] = group_size(terms[k], 0, n->c);
    while (pos < n->c) {
        int step = n->c - pos;
        for (int k = 0; k < nt; k++) if (left[k] < step) step = left[k];
        out[ng++] = step;
        pos += step;
        for (int k = 0; k < nt; k++)
            if ((left[k] -= step) == 0 && pos < n->c) left[k] = group_size(terms[k], ++next[k], n->c);
    }
    free(next);
    free(left);
    return ng;
}

/* Computes node i from its (already evaluated, canonical) inputs. */
static zc_status eval_node(zc_net *net, const zc_node_info *info, int i, const int *canon, uval *vals, int batch)
{
    const zc_node_info *n = &info[i];
    uval *out = &vals[i];
    size_t plane = (size_t)n->h * n->w;
    uval *in = n->n_in ? &vals[canon[n->in[0]]] : NULL;
    const zc_node_info *src = n->n_in ? &info[n->in[0]] : NULL;
    zc_status st = ZC_OK;
    out->ng = 1;
    switch (n->op) {
    case ZC_OP_CONV2D: {
        float w = param_const(net, n->weight, 0), b = param_const(net, n->bias, 0);
        if (in->ng > 1 && n->groups > 1)
            return zc_fail(ZC_EUNSUPPORTED, "uniform evaluation: grouped conv on distinct channels");
        if (in->zero && b == 0.0f) { out->zero = 1; return ZC_OK; }
        if (!(out->data = alloc_planes(batch, 1, n))) return zc_fail(ZC_ENOMEM, "out of memory");
        int hp = src->h + 2 * n->pad, wp = src->w + 2 * n->pad;
        float *padded = n->pad > 0 ? calloc((size_t)hp * wp, sizeof *padded) : NULL;   /* border stays 0 */
        if (n->pad > 0 && !padded) return zc_fail(ZC_ENOMEM, "out of memory");
        /* One group: each output sums (C_in / groups) copies of one plane. All distinct: the channels
         * in order, as the full conv. Otherwise group by group. */
        int singletons = in->ng == src->c;
        float copies = in->ng == 1 ? (float)(src->c / n->groups) : 1.0f;
        size_t in_plane = (size_t)src->h * src->w;
        for (int bi = 0; bi < batch && st == ZC_OK; bi++) {
            float *o = out->data + (size_t)bi * plane;
            if (in->zero) memset(o, 0, plane * sizeof *o);
            else if (in->ng == 1 || singletons)
                conv_plane(planes_of(in, bi, in_plane), in->ng, src->h, src->w, n->k, n->stride, n->pad, w, o,
                           n->h, n->w, padded);
            else st = conv_groups(in, src, n, w, o, planes_of(in, bi, in_plane), padded);
            scale_shift(o, plane, copies, b);
        }
        free(padded);
        break;
    }
    case ZC_OP_LINEAR: {
        float w = param_const(net, n->weight, 0), b = param_const(net, n->bias, 0);
        if (in->zero && b == 0.0f) { out->zero = 1; return ZC_OK; }
        if (!(out->data = alloc_planes(batch, 1, n))) return zc_fail(ZC_ENOMEM, "out of memory");
        size_t hw = (size_t)src->h * src->w;
        int singletons = in->ng == src->c;
        for (int bi = 0; bi < batch; bi++) {
            float s = 0.0f;
            if (!in->zero && (in->ng == 1 || singletons)) {
                const float *x = planes_of(in, bi, hw);
                for (size_t j = 0; j < (size_t)in->ng * hw; j++) { float prod = w * x[j]; s += prod; }
                if (in->ng == 1) s *= (float)src->c;
            } else if (!in->zero) {
                for (int g = 0; g < in->ng; g++) {
                    const float *x = planes_of(in, bi, hw) + (size_t)g * hw;
                    float sg = 0.0f;
                    for (size_t j = 0; j < hw; j++) { float prod = w * x[j]; sg += prod; }
                    float v = sg * (float)in->gsz[g];
                    s += v;
                }
            }
            out->data[bi] = s + b;
        }
        break;
    }
    case ZC_OP_BATCHNORM: {
        float g = param_const(net, n->weight, 1.0f), b = param_const(net, n->bias, 0.0f);
        if (in->zero && b == 0.0f) { out->zero = 1; return ZC_OK; }
        if ((st = set_groups(out, in->ng, in->gsz)) != ZC_OK) return st;
        if (!(out->data = alloc_planes(batch, out->ng, n))) return zc_fail(ZC_ENOMEM, "out of memory");
        if (in->zero) { for (size_t j = 0; j < (size_t)batch * out->ng * plane; j++) out->data[j] = b; break; }
        /* Per group: a channel's statistics are those of its group's plane. */
        float *gs = malloc((size_t)out->ng * 2 * sizeof *gs);
        if (!gs) return zc_fail(ZC_ENOMEM, "out of memory");
        for (int c = 0; c < out->ng; c++) { gs[c] = g; gs[out->ng + c] = b; }
        zci_ref_bn_forward_arrays(in->data, out->data, batch, out->ng, plane, gs, gs + out->ng, n->eps, NULL);
        free(gs);
        break;
    }
    case ZC_OP_RELU:
    case ZC_OP_AVGPOOL:
    case ZC_OP_MAXPOOL:
    case ZC_OP_GAP: {
        if (in->zero) { out->zero = 1; return ZC_OK; }
        if ((st = set_groups(out, in->ng, in->gsz)) != ZC_OK) return st;
        if (!(out->data = alloc_planes(batch, out->ng, n))) return zc_fail(ZC_ENOMEM, "out of memory");
        size_t count = (size_t)batch * out->ng;
        zci_pool_geom g = {src->h, src->w, n->h, n->w, n->k, n->stride, n->pad, n->count_include_pad};
        if (n->op == ZC_OP_RELU) relu_plane(in->data, out->data, count * plane);
        else if (n->op == ZC_OP_GAP) zci_ref_gap_forward_arrays(in->data, out->data, (int)count, (size_t)src->h * src->w);
        else if (n->op == ZC_OP_MAXPOOL) zci_ref_maxpool_forward_arrays(&g, in->data, out->data, (int)count, 1);
        else zci_ref_avgpool_forward_arrays(&g, in->data, out->data, (int)count);
        break;
    }
    case ZC_OP_ZERO: {
        /* x * 0 is exactly zero unless x holds inf or NaN. */
        size_t count = (size_t)batch * in->ng * plane;
        if (in->zero || all_finite(in->data, count)) { out->zero = 1; return ZC_OK; }
        if ((st = set_groups(out, in->ng, in->gsz)) != ZC_OK) return st;
        if (!(out->data = alloc_planes(batch, out->ng, n))) return zc_fail(ZC_ENOMEM, "out of memory");
        for (size_t j = 0; j < count; j++) out->data[j] = in->data[j] * 0.0f;
        break;
    }
    case ZC_OP_ADD: {
        const uval *terms[ZC_MAX_INPUTS];
        int nt = 0;
        for (int k = 0; k < n->n_in; k++) {
            uval *v = &vals[canon[n->in[k]]];
            if (!v->zero) terms[nt++] = v;
        }
        if (!nt) { out->zero = 1; return ZC_OK; }
        int *sizes = malloc((size_t)n->c * sizeof *sizes);
        int ng = sizes ? refine(n, terms, nt, sizes) : -1;
        if (ng < 0 || (st = set_groups(out, ng, sizes)) != ZC_OK) { free(sizes); return st ? st : zc_fail(ZC_ENOMEM, "out of memory"); }
        free(sizes);
        if (!(out->data = alloc_planes(batch, ng, n))) return zc_fail(ZC_ENOMEM, "out of memory");
        /* Terms in order, skipping exact zeros (x + 0 == x); the first is copied. Output group j takes
         * each term's group holding its first channel. */
        for (int k = 0; k < nt; k++) {
            const uval *v = terms[k];
            int tg = 0, tend = group_size(v, 0, n->c), pos = 0;
            for (int j = 0; j < ng; j++) {
                while (pos >= tend) tend += group_size(v, ++tg, n->c);
                for (int bi = 0; bi < batch; bi++) {
                    float *y = planes_of(out, bi, plane) + (size_t)j * plane;
                    const float *t = planes_of(v, bi, plane) + (size_t)tg * plane;
                    if (k == 0) memcpy(y, t, plane * sizeof *y);
                    else add_plane(y, t, plane);
                }
                pos += group_size(out, j, n->c);
            }
        }
        break;
    }
    case ZC_OP_CONCAT: {
        int ng = 0, all_zero_in = 1;
        for (int k = 0; k < n->n_in; k++) {
            const uval *v = &vals[canon[n->in[k]]];
            ng += v->zero ? 1 : v->ng;   /* a zero part is one group of zeros */
            all_zero_in &= v->zero;
        }
        if (all_zero_in) { out->zero = 1; return ZC_OK; }
        int *sizes = malloc((size_t)ng * sizeof *sizes);
        if (!sizes) return zc_fail(ZC_ENOMEM, "out of memory");
        int j = 0;
        for (int k = 0; k < n->n_in; k++) {
            const uval *v = &vals[canon[n->in[k]]];
            int ck = info[n->in[k]].c;
            if (v->zero) sizes[j++] = ck;
            else for (int g = 0; g < v->ng; g++) sizes[j++] = group_size(v, g, ck);
        }
        st = set_groups(out, ng, sizes);
        free(sizes);
        if (st != ZC_OK) return st;
        if (!(out->data = alloc_planes(batch, ng, n))) return zc_fail(ZC_ENOMEM, "out of memory");
        for (int bi = 0; bi < batch; bi++) {
            float *y = planes_of(out, bi, plane);
            for (int k = 0; k < n->n_in; k++) {
                const uval *v = &vals[canon[n->in[k]]];
                size_t m = (size_t)(v->zero ? 1 : v->ng) * plane;
                if (v->zero) memset(y, 0, m * sizeof *y);
                else memcpy(y, planes_of(v, bi, plane), m * sizeof *y);
                y += m;
            }
        }
        break;
    }
    case ZC_OP_TRUNCATE: {
        if (in->zero) { out->zero = 1; return ZC_OK; }
        int ng = 0, pos = 0;
        while (pos < n->c) pos += group_size(in, ng++, src->c);
        int *sizes = malloc((size_t)ng * sizeof *sizes);
        if (!sizes) return zc_fail(ZC_ENOMEM, "out of memory");
        for (int g = 0; g < ng; g++) sizes[g] = group_size(in, g, src->c);
        if (ng > 0) sizes[ng - 1] -= pos - n->c;   /* the last group is cut */
        st = set_groups(out, ng, sizes);
        free(sizes);
        if (st != ZC_OK) return st;
        if (!(out->data = alloc_planes(batch, ng, n))) return zc_fail(ZC_ENOMEM, "out of memory");
        for (int bi = 0; bi < batch; bi++)
            memcpy(planes_of(out, bi, plane), planes_of(in, bi, plane), (size_t)ng * plane * sizeof(float));
        break;
    }
    default:
        return zc_fail(ZC_EUNSUPPORTED, "uniform evaluation: op %s", zc_op_name(n->op));
    }
    if (st == ZC_OK && out->data && all_zero(out->data, (size_t)batch * out->ng * plane)) {
        zci_buf_put(out->data);
        out->data = NULL;
        out->zero = 1;
    }
    return st;
}

zc_status zc_eval_uniform(zc_net *net, const float *x, int batch, float *y)
{
    int output = zc_net_output_node(net);
    if (output < 0) return zc_fail(ZC_EINVAL, "network has no output (zc_net_finish not called)");
    if (batch <= 0) return zc_fail(ZC_EINVAL, "invalid batch size %d", batch);
    if (!zc_net_params_constant(net))
        return zc_fail(ZC_EUNSUPPORTED, "uniform evaluation needs constant parameter tensors");
    zc_net_release_buffers(net);
    int nn = zc_net_num_nodes(net);
    int *canon = malloc((size_t)nn * sizeof *canon);
    uval *vals = calloc((size_t)nn, sizeof *vals);
    zc_node_info *info = malloc((size_t)nn * sizeof *info);
    zc_status st = (canon && vals && info) ? ZC_OK : zc_fail(ZC_ENOMEM, "out of memory");
    for (int i = 0; st == ZC_OK && i < nn; i++) zc_net_node_info(net, i, &info[i]);
    /* Ops it does not cover are refused before any work (the caller then runs the full network). */
    for (int i = 1; st == ZC_OK && i < nn; i++) {
        const zc_node_info *n = &info[i];
        int ok = n->op == ZC_OP_CONV2D || n->op == ZC_OP_LINEAR || n->op == ZC_OP_BATCHNORM || n->op == ZC_OP_RELU ||
                 n->op == ZC_OP_AVGPOOL || n->op == ZC_OP_MAXPOOL || n->op == ZC_OP_GAP || n->op == ZC_OP_ADD ||
                 n->op == ZC_OP_CONCAT || n->op == ZC_OP_TRUNCATE ||
                 (n->op == ZC_OP_ZERO && n->c == info[n->in[0]].c && n->h == info[n->in[0]].h);
        if (n->live && (!ok || n->tiles > 1)) st = zc_fail(ZC_EUNSUPPORTED, "uniform evaluation: op %s", zc_op_name(n->op));
    }
    /* Canonical representative of every live node (common subexpressions share one). */
    for (int i = 0; st == ZC_OK && i < nn; i++) {
        canon[i] = i;
        if (!info[i].live) continue;
        for (int j = 0; j < i; j++)
            if (canon[j] == j && info[j].live && same_node(net, &info[j], &info[i], canon)) {
                canon[i] = j;
                break;
            }
    }
    if (st == ZC_OK) {
        for (int i = 0; i < nn; i++)
            if (info[i].live && canon[i] == i)
                for (int k = 0; k < info[i].n_in; k++) vals[canon[info[i].in[k]]].refs++;
        vals[canon[output]].refs++;
    }
    if (st == ZC_OK) {
        /* The images: every channel its own group. */
        int *ones = malloc((size_t)info[0].c * sizeof *ones);
        for (int c = 0; ones && c < info[0].c; c++) ones[c] = 1;
        st = ones ? set_groups(&vals[0], info[0].c, ones) : zc_fail(ZC_ENOMEM, "out of memory");
        free(ones);
        vals[0].data = (float *)x;   /* read in place: no op writes to its input */
        vals[0].borrowed = 1;
    }
    for (int i = 1; st == ZC_OK && i < nn; i++) {
        const zc_node_info *n = &info[i];
        if (!n->live || canon[i] != i) continue;
        st = eval_node(net, info, i, canon, vals, batch);
        for (int k = 0; k < n->n_in; k++) release(&vals[canon[n->in[k]]]);
    }
    if (st == ZC_OK) {
        /* The output in full, plain NCHW, as a normal forward would give it. */
        const zc_node_info *o = &info[output];
        uval *v = &vals[canon[output]];
        size_t plane = (size_t)o->h * o->w;
        if (v->zero) memset(y, 0, (size_t)batch * o->c * plane * sizeof *y);
        for (int bi = 0; !v->zero && bi < batch; bi++)
            for (int c = 0, g = 0, end = group_size(v, 0, o->c); c < o->c; c++) {
                if (c == end) end += group_size(v, ++g, o->c);
                memcpy(y + ((size_t)bi * o->c + c) * plane, planes_of(v, bi, plane) + (size_t)g * plane,
                       plane * sizeof(float));
            }
    }
    for (int i = 0; vals && i < nn; i++) {
        if (!vals[i].borrowed) zci_buf_put(vals[i].data);
        free(vals[i].gsz);
    }
    free(vals);
    free(canon);
    free(info);
    return st;
}
