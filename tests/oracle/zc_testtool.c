/* zc_testtool: a small driver that exposes single ops, the NB201 network and the two proxies of
 * libzcnas to the Python oracles (tests/oracle/oracle_*.py), exchanging tensors as .npy files.
 *
 *   zc_testtool op KIND [attributes] --in-dir D --out-dir O [--backend NAME]
 *       KIND: conv2d, batchnorm, relu, avgpool, gap, linear, add, zero, maxpool, concat, truncate.
 *       Reads D/x.npy (N,C,H,W; for linear also (N,F)), D/dy.npy (the output's shape) and the
 *       parameters from D/params/ (m.weight.npy, m.bias.npy, ... as state_dict keys). Builds a
 *       one-op network, runs forward (train mode) and backward(dy), writes O/y.npy, O/dx.npy
 *       (d/dx of the input) and O/<param>.grad.npy.
 *       attributes: conv2d  --cout C --k K [--stride 1] [--pad 0] [--groups 1] [--bias 0|1]
 *                   batchnorm [--eps 1e-5] [--affine 1]
 *                   avgpool --k K [--stride K] [--pad 0] [--count-include-pad 1]
 *                   linear  --out F [--bias 1]
 *                   maxpool --k K [--stride K] [--pad 0]
 *                   truncate --channels K   (the first K channels)
 *                   add     --branches LIST  (comma list of id, relu, zero, avgpool, maxpool, conv,
 *                           conv:K, trunc:K; branch i of kind conv is a bias-free 1x1 conv C->C (or
 *                           C->K) named b<i>, trunc:K the first K channels of the input; the add sums
 *                           the branches in list order, so `id,id` exercises gradient accumulation)
 *                   concat  --branches LIST  (the same branches, concatenated along channels)
 *   zc_testtool ce --in-dir D --out-dir O
 *       D/logits.npy (N,K), D/labels.npy (N, float): writes O/loss.npy (1,), O/dlogits.npy and
 *       prints the mean loss with %.17g.
 *   zc_testtool nb201 --arch STR --classes K --weights D --x X.npy --labels Y.npy --out-dir O
 *       [--backend NAME] [--channels C] [--cells-per-stage N] [--kinks DIR [--kink-tol T]]:
 *       TinyNetwork (C=16, N=5 unless given) forward (train mode), mean
 *       cross-entropy, backward; writes O/logits.npy, O/loss.npy and O/<state_dict key>.grad.npy for
 *       every parameter. With --kinks, for every ReLU (named by its PyTorch module, e.g.
 *       cells.3.layers.2.op.0 or lastact.1) it writes DIR/<module>.idx.npy (int64 flat indices of the
 *       ReLU inputs with |v| <= T * rms(v), T default 1e-4) and DIR/<module>.pos.npy (float32, 1
 *       where zcnas's input there is > 0): the elements where a float64 reference may take the
 *       other side of the kink, so that it can use zcnas's choice there; and for every max pooling,
 *       in network order, DIR/maxpool.<k>.choice.npy (int64 per output: the window position that
 *       took the maximum), for the same purpose at near-tied windows.
 *   zc_testtool net --space NAME --arch STR --classes K --weights D --x X.npy --labels Y.npy --out-dir O
 *       [--backend NAME] [--kinks DIR [--kink-tol T]]: the same for any space's network (zc_space_build,
 *       BN with running stats), at the resolution of X.
 *   zc_testtool zico --arch STR --classes K --weights D --x0 X0 --y0 Y0 --x1 X1 --y1 Y1
 *       [--backend NAME] [--paper-std] [--channels C] [--cells-per-stage N]: prints zc_zico_net's
 *       score with %.17g.
 *   zc_testtool proxy2 --which az|meco|meco_opt|swap|lr|ntk|vkdnw --arch A --weights D --x X.npy [--v V.npy]
 *               [--classes K] [--backend B]    (AZ-NAS, MeCo, SWAP / linear regions, TE-NAS NTK, VKDNW)
 *   zc_testtool nbnlp --arch JSON --vocab V --tokens X.npy --out-dir O [--targets Y.npy] [--emsize 400]
 *       [--nhid 600] [--layers 3] [--seed 0] [--backend NAME] [--epsilon LO,HI]: NAS-Bench-NLP's language model
 *       on X (B x T token ids, as floats) with the benchmark's default init (seed): saves the weights to
 *       O/weights/, runs one train-mode step against the next tokens Y (B x T) and writes O/output.npy
 *       (B, T*V), O/loss.npy and O/<param>.grad.npy. With --epsilon: epsinas' view (the last layer's unit
 *       0): for each weight, O/y_low.npy / O/y_high.npy (B, T) after zc_net_init_constant, O/embedding.npy
 *       (the U(0,1) embedding they share); prints zc_epsilon_net's score with %.17g.
 *   zc_testtool backends: lists the backends built in (ref, dnnl), one per line.
 *   zc_testtool epsilon --arch STR --x X.npy [--w-low 1e-7] [--w-high 1] [--backend NAME]:
 *       one output, BN without running stats; prints zc_epsilon_net's score with %.17g (nan ok).
 *
 * Exit status: 0 success, 2 usage error, 1 runtime error (message on stderr). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include "engine/engine_impl.h"
#include "spaces/nb201/nb201.h"
#include "spaces/nbnlp/nbnlp.h"
#include "zcnas/zcnas.h"

#define PATH_CAP 4096
#define MAX_KV 32

static const char *prog = "zc_testtool";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see the comment at the top of tests/oracle/zc_testtool.c)\n");
    return 2;
}

static int lib_error(const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, zc_last_error());
    return 1;
}

/* ---- options: --key value pairs (and bare flags listed in `flags`) ---- */
typedef struct kv { const char *key, *value; int used; } kv;
typedef struct kvs { kv items[MAX_KV]; int n; } kvs;

static int parse_kv(int argc, char **argv, const char *const *allowed, const char *const *flags, kvs *out)
{
    out->n = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || !a[2]) return usage_error("unexpected argument '%s'", a);
        const char *key = a + 2;
        int is_flag = 0, ok = 0;
        for (const char *const *f = flags; f && *f; f++) if (!strcmp(*f, key)) is_flag = ok = 1;
        for (const char *const *k = allowed; *k; k++) if (!strcmp(*k, key)) ok = 1;
        if (!ok) return usage_error("unknown option '%s'", a);
        for (int j = 0; j < out->n; j++)
            if (!strcmp(out->items[j].key, key)) return usage_error("option '%s' given twice", a);
        if (out->n == MAX_KV) return usage_error("too many options");
        const char *value = "1";
        if (!is_flag) {
            if (i + 1 >= argc) return usage_error("option '%s' needs a value", a);
            value = argv[++i];
        }
        out->items[out->n++] = (kv){key, value, 0};
    }
    return 0;
}

static const char *get(kvs *o, const char *key)
{
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->items[i].key, key)) { o->items[i].used = 1; return o->items[i].value; }
    return NULL;
}

static int need(kvs *o, const char *key, const char **out)
{
    *out = get(o, key);
    return *out ? 0 : usage_error("missing required option --%s", key);
}

static int get_int(kvs *o, const char *key, long def, long lo, long hi, int required, int *out)
{
    const char *s = get(o, key);
    if (!s) {
        if (required) return usage_error("missing required option --%s", key);
        *out = (int)def;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return usage_error("--%s: expected an integer in %ld..%ld, got '%s'", key, lo, hi, s);
    *out = (int)v;
    return 0;
}

static int get_double(kvs *o, const char *key, double def, double *out)
{
    const char *s = get(o, key);
    if (!s) { *out = def; return 0; }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v)) return usage_error("--%s: expected a number, got '%s'", key, s);
    *out = v;
    return 0;
}

static int set_backend(zc_net *net, kvs *o)
{
    const char *name = get(o, "backend");
    if (!name) return 0;
    const zc_backend *b = zc_backend_get(name);
    if (!b) return usage_error("--backend: %s", zc_last_error());
    zc_net_set_backend(net, b);
    return 0;
}

/* ---- activation layouts ----
 * A backend may keep a node's out/grad in its own layout (zc_node.layout, 0 = plain NCHW). The one
 * built-in backend that does is dnnl, with oneDNN's channel-blocked nChw8c (layout 1) and nChw16c
 * (layout 2) for tensors whose channel count is a multiple of the block (src/backends/dnnl/
 * dnnl_internal.h: DN_BLOCK8, DN_BLOCK16). The tool converts at its boundary: outputs and ReLU
 * inputs to NCHW when written, the upstream gradient from NCHW when read. Unknown codes are errors. */
static int layout_block(const zc_node *n)
{
    switch (n->layout) {
    case 0: return 1;
    case 1: return 8;
    case 2: return 16;
    default: return -1;
    }
}

/* dir > 0: src (node layout) -> dst (NCHW); dir < 0: src (NCHW) -> dst (node layout). */
static int convert_layout(const zc_node *n, int batch, const float *src, float *dst, int dir)
{
    int blk = layout_block(n);
    size_t hw = (size_t)n->h * n->w, total = (size_t)batch * n->c * hw;
    if (blk < 0 || (blk > 1 && n->c % blk)) {
        fprintf(stderr, "%s: node layout %d (channels %d) is not one this tool knows\n", prog, n->layout, n->c);
        return 1;
    }
    if (blk == 1) { memcpy(dst, src, total * sizeof *dst); return 0; }
    for (int b = 0; b < batch; b++)
        for (int c = 0; c < n->c; c++)
            for (size_t j = 0; j < hw; j++) {
                size_t plain = ((size_t)b * n->c + c) * hw + j;
                size_t blocked = (((size_t)b * (n->c / blk) + c / blk) * hw + j) * blk + c % blk;
                if (dir > 0) dst[plain] = src[blocked];
                else dst[blocked] = src[plain];
            }
    return 0;
}

/* A malloc'ed NCHW copy of a node's output (NULL on error, message printed). */
static float *node_out_nchw(const zc_node *n, int batch)
{
    size_t total = (size_t)batch * n->c * n->h * n->w;
    float *p = malloc((total ? total : 1) * sizeof *p);
    if (!p) { lib_error("out of memory"); return NULL; }
    if (convert_layout(n, batch, n->out, p, 1)) { free(p); return NULL; }
    return p;
}

/* ---- tensors ---- */
typedef struct tensor { float *data; int ndim; int shape[ZC_NPY_MAX_DIMS]; size_t numel; } tensor;

static int read_tensor(const char *path, tensor *t)
{
    memset(t, 0, sizeof *t);
    if (zc_npy_read_f32(path, &t->data, &t->ndim, t->shape) != ZC_OK) return lib_error("reading input");
    t->numel = 1;
    for (int i = 0; i < t->ndim; i++) t->numel *= (size_t)t->shape[i];
    return 0;
}

static int write_out(const char *dir, const char *name, const float *data, int ndim, const int *shape)
{
    char path[PATH_CAP];
    if (snprintf(path, sizeof path, "%s/%s.npy", dir, name) >= (int)sizeof path)
        return usage_error("output path too long");
    return zc_npy_write_f32(path, data, ndim, shape) == ZC_OK ? 0 : lib_error("writing output");
}

static int write_param_grads(const zc_net *net, const char *dir)
{
    for (int i = 0; i < net->n_params; i++) {
        const zc_param *p = &net->params[i];
        char name[ZC_NAME_MAX + 16];
        snprintf(name, sizeof name, "%s.grad", p->name);
        if (!p->grad) { fprintf(stderr, "%s: parameter %s has no gradient\n", prog, p->name); return 1; }
        int rc = write_out(dir, name, p->grad, p->ndim, p->shape);
        if (rc) return rc;
    }
    return 0;
}

/* Labels stored as a float array (npy reading supports f4/f8 only); they must be integers. */
static int labels_from(const tensor *t, int n, int classes, int **out)
{
    if (t->numel != (size_t)n) return usage_error("labels: %zu values for a batch of %d", t->numel, n);
    int *y = malloc((size_t)n * sizeof *y);
    if (!y) return lib_error("out of memory");
    for (int i = 0; i < n; i++) {
        float v = t->data[i];
        if (!(v >= 0 && v < classes) || v != floorf(v)) {
            free(y);
            return usage_error("labels: value %g at %d is not a class in 0..%d", v, i, classes - 1);
        }
        y[i] = (int)v;
    }
    *out = y;
    return 0;
}

static int check_unused(kvs *o)
{
    for (int i = 0; i < o->n; i++)
        if (!o->items[i].used) return usage_error("option --%s does not apply here", o->items[i].key);
    return 0;
}

/* ---- op ---- */
#define OP_KINDS "conv2d, batchnorm, relu, avgpool, gap, linear, add, zero, maxpool, concat, truncate"
static int build_branch(zc_net *net, const char *kind, int idx, int c)
{
    char name[32];
    if (!strcmp(kind, "id")) return 0;
    if (!strcmp(kind, "relu")) return zc_net_relu(net, 0);
    if (!strcmp(kind, "zero")) return zc_net_zero(net, 0);
    if (!strcmp(kind, "avgpool")) return zc_net_avgpool(net, 0, 3, 1, 1, 0);
    if (!strcmp(kind, "maxpool")) return zc_net_maxpool(net, 0, 3, 1, 1);
    if (!strncmp(kind, "conv", 4)) {   /* conv: 1x1 to C channels; conv:K: to K channels */
        int k = c;
        if (kind[4] == ':') k = atoi(kind + 5);
        else if (kind[4]) k = -1;
        if (k <= 0 || k > 4096) { zc_fail(ZC_EINVAL, "bad branch '%s' (conv or conv:K)", kind); return -2; }
        snprintf(name, sizeof name, "b%d", idx);
        return zc_net_conv2d(net, 0, name, k, 1, 1, 0, 1, 0);
    }
    if (!strncmp(kind, "trunc:", 6)) {   /* the first K channels of the input */
        int k = atoi(kind + 6);
        if (k <= 0 || k > c) { zc_fail(ZC_EINVAL, "bad branch '%s' (trunc:K, K <= %d)", kind, c); return -2; }
        return zc_net_truncate(net, 0, k);
    }
    zc_fail(ZC_EINVAL, "unknown branch kind '%s' (id, relu, zero, avgpool, maxpool, conv[:K], trunc:K)", kind);
    return -2;
}

static int cmd_op(int argc, char **argv)
{
    if (argc < 1) return usage_error("op: missing KIND");
    const char *kind = argv[0];
    static const char *const kinds[] = {"conv2d", "batchnorm", "relu", "avgpool", "gap", "linear", "add", "zero",
                                        "maxpool", "concat", "truncate", NULL};
    int known = 0;
    for (const char *const *k = kinds; *k; k++) known |= !strcmp(*k, kind);
    if (!known)
        return usage_error("op: unknown KIND '%s' (%s)", kind, OP_KINDS);
    static const char *const allowed[] = {"in-dir", "out-dir", "backend", "cout", "k", "stride", "pad",
                                          "groups", "bias", "eps", "affine", "count-include-pad",
                                          "out", "branches", "channels", NULL};
    kvs o;
    int rc = parse_kv(argc - 1, argv + 1, allowed, NULL, &o);
    if (rc) return rc;
    const char *in_dir, *out_dir;
    if ((rc = need(&o, "in-dir", &in_dir)) || (rc = need(&o, "out-dir", &out_dir))) return rc;
    char path[PATH_CAP];
    tensor x, dy;
    snprintf(path, sizeof path, "%s/x.npy", in_dir);
    if ((rc = read_tensor(path, &x))) return rc;
    int n, c, h, w;
    if (x.ndim == 4) { n = x.shape[0]; c = x.shape[1]; h = x.shape[2]; w = x.shape[3]; }
    else if (x.ndim == 2 && !strcmp(kind, "linear")) { n = x.shape[0]; c = x.shape[1]; h = w = 1; }
    else { free(x.data); return usage_error("x.npy: expected 4 dimensions (N,C,H,W), got %d", x.ndim); }
    if (n <= 0) { free(x.data); return usage_error("x.npy: empty batch"); }

    zc_net *net = zc_net_new(c, h, w);
    if (!net) { free(x.data); return lib_error("building"); }
    int out = -1;
    if (!strcmp(kind, "conv2d")) {
        int cout, k, stride, pad, groups, bias;
        if ((rc = get_int(&o, "cout", 0, 1, 1 << 16, 1, &cout)) || (rc = get_int(&o, "k", 0, 1, 64, 1, &k)) ||
            (rc = get_int(&o, "stride", 1, 1, 64, 0, &stride)) || (rc = get_int(&o, "pad", 0, 0, 64, 0, &pad)) ||
            (rc = get_int(&o, "groups", 1, 1, 1 << 16, 0, &groups)) || (rc = get_int(&o, "bias", 0, 0, 1, 0, &bias)))
            goto done;
        out = zc_net_conv2d(net, 0, "m", cout, k, stride, pad, groups, bias);
    } else if (!strcmp(kind, "batchnorm")) {
        double eps;
        int affine;
        if ((rc = get_double(&o, "eps", 1e-5, &eps)) || (rc = get_int(&o, "affine", 1, 0, 1, 0, &affine))) goto done;
        out = zc_net_batchnorm(net, 0, "m", (float)eps, affine, 1);
    } else if (!strcmp(kind, "relu")) {
        out = zc_net_relu(net, 0);
    } else if (!strcmp(kind, "avgpool")) {
        int k, stride, pad, cip;
        if ((rc = get_int(&o, "k", 0, 1, 64, 1, &k)) || (rc = get_int(&o, "stride", k, 1, 64, 0, &stride)) ||
            (rc = get_int(&o, "pad", 0, 0, 64, 0, &pad)) || (rc = get_int(&o, "count-include-pad", 1, 0, 1, 0, &cip)))
            goto done;
        out = zc_net_avgpool(net, 0, k, stride, pad, cip);
    } else if (!strcmp(kind, "gap")) {
        out = zc_net_gap(net, 0);
    } else if (!strcmp(kind, "linear")) {
        int f, bias;
        if ((rc = get_int(&o, "out", 0, 1, 1 << 20, 1, &f)) || (rc = get_int(&o, "bias", 1, 0, 1, 0, &bias))) goto done;
        out = zc_net_linear(net, 0, "m", f, bias);
    } else if (!strcmp(kind, "zero")) {
        out = zc_net_zero(net, 0);
    } else if (!strcmp(kind, "maxpool")) {
        int k, stride, pad;
        if ((rc = get_int(&o, "k", 0, 1, 64, 1, &k)) || (rc = get_int(&o, "stride", k, 1, 64, 0, &stride)) ||
            (rc = get_int(&o, "pad", 0, 0, 64, 0, &pad)))
            goto done;
        out = zc_net_maxpool(net, 0, k, stride, pad);
    } else if (!strcmp(kind, "truncate")) {
        int ch;
        if ((rc = get_int(&o, "channels", 0, 1, 1 << 16, 1, &ch))) goto done;
        out = zc_net_truncate(net, 0, ch);
    } else if (!strcmp(kind, "add") || !strcmp(kind, "concat")) {
        const char *list;
        if ((rc = need(&o, "branches", &list))) goto done;
        char buf[256];
        if (strlen(list) >= sizeof buf) { rc = usage_error("--branches: too long"); goto done; }
        strcpy(buf, list);
        int xs[ZC_MAX_INPUTS], nb = 0;
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            if (nb == ZC_MAX_INPUTS) { rc = usage_error("--branches: at most %d", ZC_MAX_INPUTS); goto done; }
            int b = build_branch(net, tok, nb, c);
            if (b == -2) { rc = usage_error("--branches: %s", zc_last_error()); goto done; }
            if (b < 0) { rc = lib_error("building a branch"); goto done; }
            xs[nb++] = b;
        }
        if (nb < 1) { rc = usage_error("--branches: empty"); goto done; }
        out = !strcmp(kind, "add") ? zc_net_add(net, nb, xs) : zc_net_concat(net, nb, xs);
    } else {
        rc = usage_error("op: unknown KIND '%s' (%s)", kind, OP_KINDS);
        goto done;
    }
    if (out < 0) { rc = lib_error("building the op"); goto done; }
    if ((rc = set_backend(net, &o)) || (rc = check_unused(&o))) goto done;
    if (zc_net_finish(net, out) != ZC_OK) { rc = lib_error("finishing"); goto done; }
    net->need_input_grad = 1;   /* the oracle compares d loss / d input too */
    if (net->n_params > 0) {
        snprintf(path, sizeof path, "%s/params", in_dir);
        if (zc_net_load_weights(net, path) != ZC_OK) { rc = lib_error("loading parameters"); goto done; }
    }
    if (zc_net_forward(net, x.data, n, ZC_RUN_TRAIN) != ZC_OK) { rc = lib_error("forward"); goto done; }
    const zc_node *on = &net->nodes[out];
    size_t out_numel = (size_t)n * on->c * on->h * on->w;
    snprintf(path, sizeof path, "%s/dy.npy", in_dir);
    if ((rc = read_tensor(path, &dy))) goto done;
    if (dy.numel != out_numel) {
        rc = usage_error("dy.npy: %zu values, the output has %zu", dy.numel, out_numel);
        free(dy.data);
        goto done;
    }
    int yshape4[4] = {n, on->c, on->h, on->w}, yshape2[2] = {n, on->c};
    int lin = on->op == ZC_OP_LINEAR;
    float *y = node_out_nchw(on, n), *dyl = malloc(out_numel * sizeof *dyl);
    if (!y || !dyl) rc = 1;
    if (!rc) rc = write_out(out_dir, "y", y, lin ? 2 : 4, lin ? yshape2 : yshape4);
    if (!rc) rc = convert_layout(on, n, dy.data, dyl, -1);
    if (!rc && zc_net_backward(net, dyl) != ZC_OK) rc = lib_error("backward");
    free(y);
    free(dyl);
    free(dy.data);
    if (rc) goto done;
    if (!net->nodes[0].grad) { fprintf(stderr, "%s: no gradient reached the input\n", prog); rc = 1; goto done; }
    rc = write_out(out_dir, "dx", net->nodes[0].grad, x.ndim, x.shape);
    if (!rc) rc = write_param_grads(net, out_dir);
done:
    zc_net_free(net);
    free(x.data);
    return rc;
}

/* ---- ce ---- */
static int cmd_ce(int argc, char **argv)
{
    static const char *const allowed[] = {"in-dir", "out-dir", NULL};
    kvs o;
    int rc = parse_kv(argc, argv, allowed, NULL, &o);
    if (rc) return rc;
    const char *in_dir, *out_dir;
    if ((rc = need(&o, "in-dir", &in_dir)) || (rc = need(&o, "out-dir", &out_dir))) return rc;
    char path[PATH_CAP];
    tensor z, lab;
    snprintf(path, sizeof path, "%s/logits.npy", in_dir);
    if ((rc = read_tensor(path, &z))) return rc;
    if (z.ndim != 2 || z.shape[0] < 1 || z.shape[1] < 1) { free(z.data); return usage_error("logits.npy: expected (N, K)"); }
    snprintf(path, sizeof path, "%s/labels.npy", in_dir);
    if ((rc = read_tensor(path, &lab))) { free(z.data); return rc; }
    int n = z.shape[0], k = z.shape[1], *y = NULL;
    rc = labels_from(&lab, n, k, &y);
    float *dz = rc ? NULL : malloc(z.numel * sizeof *dz);
    double loss = 0;
    if (!rc && !dz) rc = lib_error("out of memory");
    if (!rc && zc_cross_entropy(z.data, y, n, k, &loss, dz) != ZC_OK) rc = lib_error("cross entropy");
    if (!rc) {
        float lf = (float)loss;
        int one = 1;
        rc = write_out(out_dir, "loss", &lf, 1, &one);
        if (!rc) rc = write_out(out_dir, "dlogits", dz, 2, z.shape);
        if (!rc) printf("%.17g\n", loss);
    }
    free(dz); free(y); free(z.data); free(lab.data);
    return rc;
}

/* ---- the NB201 network ---- */
static int parse_arch(kvs *o, zc_nb201_arch *arch)
{
    const char *s;
    int rc = need(o, "arch", &s);
    if (rc) return rc;
    if (zc_nb201_parse(s, arch) != ZC_OK) return usage_error("--arch: %s", zc_last_error());
    return 0;
}

static int read_images(const char *path, tensor *x)
{
    int rc = read_tensor(path, x);
    if (rc) return rc;
    if (x->ndim != 4 || x->shape[1] != 3 || x->shape[2] != x->shape[3] || x->shape[0] < 1) {
        free(x->data);
        x->data = NULL;
        return usage_error("%s: expected images of shape (N, 3, R, R)", path);
    }
    return 0;
}

/* TinyNetwork size for `nb201` (0: the NB201 default C=16, N=5); smaller nets keep float32 rounding
 * from growing through depth, so that they can be compared with a float64 reference tightly. */
static int net_C = 0, net_N = 0;

static zc_net *build_nb201(const zc_nb201_arch *arch, int classes, int resolution, int trs)
{
    zc_nb201_config cfg = zc_nb201_default_config(classes, resolution);
    cfg.track_running_stats = trs;
    if (net_C) cfg.C = net_C;
    if (net_N) cfg.N = net_N;
    zc_net *net = zc_nb201_build(arch, &cfg);
    if (!net) lib_error("building the NB201 network");
    return net;
}

/* The PyTorch module of a ReLU as seen from one consumer: op.0 of the ReLUConvBN whose conv (op.1)
 * reads it, or lastact.1 when global pooling reads it (NB201 and its relatives; NB101's ReLUs are
 * named after their BN in write_kinks). (zc_net_finish merges identical ReLUs of one
 * input, so one ReLU node may stand for several PyTorch modules.) */
static void relu_module_name(const zc_node *consumer, int i, char *buf, size_t size)
{
    size_t len = strlen(consumer->name);
    if (consumer->op == ZC_OP_CONV2D && len > 5 && !strcmp(consumer->name + len - 5, ".op.1"))
        snprintf(buf, size, "%.*s.op.0", (int)(len - 5), consumer->name);
    else if (consumer->op == ZC_OP_CONV2D && len > 6 && !strcmp(consumer->name + len - 6, ".ops.1"))
        snprintf(buf, size, "%.*s.ops.0", (int)(len - 6), consumer->name);   /* TransNAS-Bench-101's ReLUConvBN */
    else if (consumer->op == ZC_OP_CONV2D && len > 8 && !strcmp(consumer->name + len - 8, ".convs.0"))
        snprintf(buf, size, "%.*s.relu", (int)(len - 8), consumer->name);    /* its FactorizedReduce */
    else if (consumer->op == ZC_OP_GAP)
        snprintf(buf, size, "lastact.1");
    else
        snprintf(buf, size, "relu_node%d", i);
}

static int write_kink_files(const char *dir, const char *module, const int64_t *idx, const float *pos, int n)
{
    char name[ZC_NAME_MAX + 16], path[PATH_CAP];
    snprintf(name, sizeof name, "%s", module);
    snprintf(path, sizeof path, "%s/%s.idx.npy", dir, name);
    if (zc_npy_write_i64(path, idx, 1, &n) != ZC_OK) return lib_error("writing kinks");
    return write_out(dir, strcat(name, ".pos"), pos, 1, &n);
}

/* Max pooling's counterpart of a kink: in a window whose two largest inputs are (nearly) tied, float32
 * rounding decides which one takes the gradient. For every live max-pool node, in network order,
 * DIR/maxpool.<k>.choice.npy holds zcnas's choice per output element (int64: ky * k + kx of the first
 * strict maximum, as the kernels and PyTorch pick it), so that a float64 reference can take it at ties. */
static int write_maxpool_choices(const zc_net *net, int batch, const char *dir)
{
    int k_th = 0;
    for (int i = 0; i < net->n_nodes; i++) {
        const zc_node *p = &net->nodes[i];
        if (p->op != ZC_OP_MAXPOOL || !p->live) continue;
        const zc_node *in = &net->nodes[p->in[0]];
        float *v = node_out_nchw(in, batch);
        size_t m = (size_t)batch * p->c * p->h * p->w;
        int64_t *choice = malloc((m ? m : 1) * sizeof *choice);
        if (!v || !choice) { free(v); free(choice); return lib_error("out of memory"); }
        for (size_t o = 0; o < m; o++) {
            size_t plane = o / ((size_t)p->h * p->w);
            int oy = (int)(o / p->w % p->h), ox = (int)(o % p->w);
            const float *x = v + plane * in->h * in->w;
            float best = -INFINITY;
            int64_t at = -1;
            for (int ky = 0; ky < p->k; ky++)
                for (int kx = 0; kx < p->k; kx++) {
                    int y = oy * p->stride - p->pad + ky, xx = ox * p->stride - p->pad + kx;
                    if (y < 0 || y >= in->h || xx < 0 || xx >= in->w) continue;
                    float val = x[y * in->w + xx];
                    if (at < 0 || val > best || val != val) { best = val; at = ky * p->k + kx; }
                }
            choice[o] = at;
        }
        free(v);
        char path[PATH_CAP];
        int n = (int)m;
        snprintf(path, sizeof path, "%s/maxpool.%d.choice.npy", dir, k_th++);
        zc_status st = zc_npy_write_i64(path, choice, 1, &n);
        free(choice);
        if (st != ZC_OK) return lib_error("writing max-pool choices");
    }
    return 0;
}

static int write_kinks(const zc_net *net, int batch, const char *dir, double tol)
{
    for (int i = 0; i < net->n_nodes; i++) {
        const zc_node *r = &net->nodes[i];
        if ((r->op != ZC_OP_RELU && r->op != ZC_OP_LEAKY_RELU) || !r->live) continue;
        const zc_node *in = &net->nodes[r->in[0]];
        /* a tiled node is tile-major: tile 0 of every sample, then tile 1, ... (= the reference's calls) */
        size_t m = (size_t)batch * in->tiles * in->c * in->h * in->w;
        float *v = node_out_nchw(in, batch * in->tiles);
        if (!v) return 1;
        double ss = 0.0;
        for (size_t j = 0; j < m; j++) ss += (double)v[j] * v[j];
        double thr = tol * sqrt(ss / (double)m);
        size_t count = 0;
        for (size_t j = 0; j < m; j++) count += fabs((double)v[j]) <= thr;
        int64_t *idx = malloc((count ? count : 1) * sizeof *idx);
        float *pos = malloc((count ? count : 1) * sizeof *pos);
        if (!idx || !pos) { free(v); free(idx); free(pos); return lib_error("out of memory"); }
        size_t k = 0;
        for (size_t j = 0; j < m; j++)
            if (fabs((double)v[j]) <= thr) { idx[k] = (int64_t)j; pos[k++] = v[j] > 0.0f; }
        free(v);
        int n1 = (int)count, rc = 0;
        char name[ZC_NAME_MAX + 16];
        /* NB101's ConvBnRelu: the ReLU is module .2 after its BN (.1), whatever reads it */
        size_t len = strlen(in->name), suf = strlen(".conv_bn_relu.1");
        int after_bn = in->op == ZC_OP_BATCHNORM && len > suf && !strcmp(in->name + len - suf, ".conv_bn_relu.1");
        /* TransNAS-Bench-101's ConvLayer: BN '<m>.norm' -> LeakyReLU '<m>.activation' */
        size_t nsuf = strlen(".norm");
        if (r->op == ZC_OP_LEAKY_RELU) {
            if (in->op != ZC_OP_BATCHNORM || len <= nsuf || strcmp(in->name + len - nsuf, ".norm")) {
                free(idx);
                free(pos);
                return usage_error("leaky ReLU after %s: no module name", in->name);
            }
            snprintf(name, sizeof name, "leaky/%.*s.activation", (int)(len - nsuf), in->name);   /* not a ReLU module */
            char sub[PATH_CAP];
            snprintf(sub, sizeof sub, "%s/leaky", dir);
            mkdir(sub, 0755);
            rc = write_kink_files(dir, name, idx, pos, n1);
            after_bn = 1;   /* named: skip the consumers */
        } else if (after_bn) {
            snprintf(name, sizeof name, "%.*s2", (int)(len - 1), in->name);
            rc = write_kink_files(dir, name, idx, pos, n1);
        }
        for (int c = i + 1; c < net->n_nodes && !rc && !after_bn; c++) {
            const zc_node *cn = &net->nodes[c];
            if (!cn->live) continue;
            int reads = 0;
            for (int q = 0; q < cn->n_in; q++) reads |= cn->in[q] == i;
            if (!reads || cn->op == ZC_OP_SHIFT) continue;   /* FactorizedReduce's shifted branch: its ReLU is named by convs.0 */
            relu_module_name(cn, i, name, sizeof name);
            rc = write_kink_files(dir, name, idx, pos, n1);
        }
        free(idx);
        free(pos);
        if (rc) return rc;
    }
    return 0;
}

/* Forward (train mode), mean cross-entropy, backward of a built net with loaded weights: O/logits.npy,
 * O/loss.npy, O/<param>.grad.npy, and the kinks when asked. */
static int run_net(zc_net *net, kvs *o, const char *wdir, const tensor *x, const int *y, int classes,
                   const char *out_dir, const char *kinks, double kink_tol)
{
    int rc, n = x->shape[0];
    float *dz = NULL;
    if ((rc = set_backend(net, o))) return rc;
    if (zc_net_load_weights(net, wdir) != ZC_OK) return lib_error("loading weights");
    /* max pooling reads ReLU outputs, which the engine does not keep: keep them for the choices */
    for (int i = 0; kinks && i < net->n_nodes; i++)
        if (net->nodes[i].op == ZC_OP_MAXPOOL && net->nodes[i].live) net->nodes[net->nodes[i].in[0]].keep = 1;
    if (zc_net_forward(net, x->data, n, ZC_RUN_TRAIN) != ZC_OK) return lib_error("forward");
    int nb, dim;
    const float *logits = zc_net_output(net, &nb, &dim);
    int zshape[2] = {nb, dim};
    if (dim != classes) return usage_error("the network has %d outputs, not %d", dim, classes);
    if ((rc = write_out(out_dir, "logits", logits, 2, zshape))) return rc;
    if (kinks && ((rc = write_kinks(net, n, kinks, kink_tol)) || (rc = write_maxpool_choices(net, n, kinks)))) return rc;
    if (!(dz = malloc((size_t)nb * dim * sizeof *dz))) return lib_error("out of memory");
    double loss;
    if (zc_cross_entropy(logits, y, nb, dim, &loss, dz) != ZC_OK) { free(dz); return lib_error("cross entropy"); }
    float lf = (float)loss;
    int one = 1;
    if ((rc = write_out(out_dir, "loss", &lf, 1, &one))) { free(dz); return rc; }
    printf("%.17g\n", loss);
    if (zc_net_backward(net, dz) != ZC_OK) { free(dz); return lib_error("backward"); }
    free(dz);
    return write_param_grads(net, out_dir);
}

/* Any space's network (zc_space_build, BN with running stats as the benchmarks' models). */
static int cmd_net(int argc, char **argv)
{
    static const char *const allowed[] = {"space", "arch", "classes", "weights", "x", "labels", "out-dir", "backend",
                                          "kinks", "kink-tol", NULL};
    kvs o;
    int rc = parse_kv(argc, argv, allowed, NULL, &o);
    if (rc) return rc;
    int classes;
    const char *sname, *astr, *wdir, *xpath, *ypath, *out_dir;
    if ((rc = need(&o, "space", &sname)) || (rc = need(&o, "arch", &astr)) ||
        (rc = get_int(&o, "classes", 0, 1, 100000, 1, &classes)) || (rc = need(&o, "weights", &wdir)) ||
        (rc = need(&o, "x", &xpath)) || (rc = need(&o, "labels", &ypath)) || (rc = need(&o, "out-dir", &out_dir)))
        return rc;
    const char *kinks = get(&o, "kinks");
    double kink_tol;
    if ((rc = get_double(&o, "kink-tol", 1e-4, &kink_tol))) return rc;
    const zc_space *sp = zc_space_find(sname);
    if (!sp) return usage_error("--space: %s", zc_last_error());
    tensor x, lab;
    if ((rc = read_images(xpath, &x))) return rc;
    if ((rc = read_tensor(ypath, &lab))) { free(x.data); return rc; }
    int *y = NULL;
    zc_space_ctx *ctx = NULL;
    zc_net *net = NULL;
    void *arch = calloc(1, sp->arch_size);
    zc_space_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.num_classes = classes;
    cfg.resolution = x.shape[2];
    if (!arch) rc = lib_error("out of memory");
    if (!rc) rc = labels_from(&lab, x.shape[0], classes, &y);
    if (!rc && zc_space_open(sp, &cfg, &ctx) != ZC_OK) rc = lib_error("opening the space");
    if (!rc && zc_space_parse(ctx, astr, arch) != ZC_OK) rc = usage_error("--arch: %s", zc_last_error());
    zc_build_opts bo = {classes, 1, 0, 0};
    if (!rc && !(net = zc_space_build(ctx, arch, &bo))) rc = lib_error("building");
    if (!rc) rc = run_net(net, &o, wdir, &x, y, classes, out_dir, kinks, kink_tol);
    zc_net_free(net);
    zc_space_close(ctx);
    free(arch); free(y); free(x.data); free(lab.data);
    return rc;
}

/* A TransNAS-Bench-101 task network (or any space with tasks): one train-mode step with the task's
 * loss on the given targets (floats for soft CE / MSE / L1, labels for CE and per-pixel CE); writes
 * output, loss and parameter gradients. */
static int cmd_task(int argc, char **argv)
{
    static const char *const allowed[] = {"space", "arch", "task", "weights", "x", "targets", "out-dir", "backend",
                                          "kinks", "kink-tol", NULL};
    kvs o;
    int rc = parse_kv(argc, argv, allowed, NULL, &o);
    if (rc) return rc;
    const char *sname, *astr, *task, *wdir, *xpath, *tpath, *out_dir;
    if ((rc = need(&o, "space", &sname)) || (rc = need(&o, "arch", &astr)) || (rc = need(&o, "task", &task)) ||
        (rc = need(&o, "weights", &wdir)) || (rc = need(&o, "x", &xpath)) || (rc = need(&o, "targets", &tpath)) ||
        (rc = need(&o, "out-dir", &out_dir)))
        return rc;
    const zc_space *sp = zc_space_find(sname);
    if (!sp) return usage_error("--space: %s", zc_last_error());
    tensor x, tg;
    if ((rc = read_tensor(xpath, &x))) return rc;
    if (x.ndim != 4) { free(x.data); return usage_error("x: expected n x c x h x w"); }
    if ((rc = read_tensor(tpath, &tg))) { free(x.data); return rc; }
    zc_space_ctx *ctx = NULL;
    zc_net *net = NULL;
    void *arch = calloc(1, sp->arch_size);
    zc_space_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.resolution = x.shape[2];
    cfg.task = task;
    zc_batch b = {.n = x.shape[0], .c = x.shape[1], .h = x.shape[2], .w = x.shape[3], .x = x.data};
    if (!arch) rc = lib_error("out of memory");
    if (!rc && zc_space_open(sp, &cfg, &ctx) != ZC_OK) rc = lib_error("opening the space");
    if (!rc && zc_space_parse(ctx, astr, arch) != ZC_OK) rc = usage_error("--arch: %s", zc_last_error());
    if (!rc && !(net = zc_space_build(ctx, arch, NULL))) rc = lib_error("building");
    if (!rc && (rc = set_backend(net, &o)) == 0 && zc_net_load_weights(net, wdir) != ZC_OK) rc = lib_error("loading weights");
    if (!rc && zc_net_forward(net, x.data, b.n, ZC_RUN_TRAIN) != ZC_OK) rc = lib_error("forward");
    int nb = 0, dim = 0;
    const float *out = rc ? NULL : zc_net_output(net, &nb, &dim);
    float *dz = NULL;
    if (!rc) {
        /* The loss kind from the task's data loader: one probe of the space's batch conventions. */
        static const zc_loss kinds[] = {ZC_LOSS_SOFT_CE, ZC_LOSS_SOFT_CE, ZC_LOSS_CE, ZC_LOSS_MSE, ZC_LOSS_PIXEL_CE,
                                        ZC_LOSS_L1, ZC_LOSS_L1};
        b.loss = kinds[ctx->task];
        if (b.loss == ZC_LOSS_CE || b.loss == ZC_LOSS_PIXEL_CE) {
            b.y = malloc(tg.numel * sizeof *b.y);
            for (size_t i = 0; b.y && i < tg.numel; i++) b.y[i] = (int)tg.data[i];
            b.y_dim = (int)(tg.numel / (size_t)b.n);
        } else {
            b.t = tg.data;
            b.t_dim = (int)(tg.numel / (size_t)b.n);
        }
        int zshape[2] = {nb, dim};
        rc = write_out(out_dir, "output", out, 2, zshape);
        double kink_tol;
        const char *kinks = get(&o, "kinks");
        if (!rc) rc = get_double(&o, "kink-tol", 1e-4, &kink_tol);
        if (!rc && kinks) rc = write_kinks(net, b.n, kinks, kink_tol);
    }
    double loss = 0;
    if (!rc && !(dz = malloc((size_t)nb * dim * sizeof *dz))) rc = lib_error("out of memory");
    if (!rc && zc_batch_loss(&b, out, nb, dim, &loss, dz) != ZC_OK) rc = lib_error("loss");
    if (!rc) {
        float lf = (float)loss;
        int one = 1;
        rc = write_out(out_dir, "loss", &lf, 1, &one);
        printf("%.17g\n", loss);
    }
    if (!rc && zc_net_backward(net, dz) != ZC_OK) rc = lib_error("backward");
    if (!rc) rc = write_param_grads(net, out_dir);
    free(dz);
    free(b.y);
    zc_net_free(net);
    zc_space_close(ctx);
    free(arch); free(x.data); free(tg.data);
    return rc;
}

static int cmd_nb201(int argc, char **argv)
{
    static const char *const allowed[] = {"arch", "classes", "weights", "x", "labels", "out-dir", "backend",
                                          "kinks", "kink-tol", "channels", "cells-per-stage", NULL};
    kvs o;
    int rc = parse_kv(argc, argv, allowed, NULL, &o);
    if (rc) return rc;
    zc_nb201_arch arch;
    int classes;
    const char *wdir, *xpath, *ypath, *out_dir;
    if ((rc = parse_arch(&o, &arch)) || (rc = get_int(&o, "classes", 0, 1, 100000, 1, &classes)) ||
        (rc = need(&o, "weights", &wdir)) || (rc = need(&o, "x", &xpath)) || (rc = need(&o, "labels", &ypath)) ||
        (rc = need(&o, "out-dir", &out_dir)))
        return rc;
    if ((rc = get_int(&o, "channels", 0, 0, 4096, 0, &net_C)) ||
        (rc = get_int(&o, "cells-per-stage", 0, 0, 64, 0, &net_N)))
        return rc;
    const char *kinks = get(&o, "kinks");
    double kink_tol;
    if ((rc = get_double(&o, "kink-tol", 1e-4, &kink_tol))) return rc;
    tensor x, lab;
    if ((rc = read_images(xpath, &x))) return rc;
    if ((rc = read_tensor(ypath, &lab))) { free(x.data); return rc; }
    int *y = NULL;
    zc_net *net = NULL;
    if ((rc = labels_from(&lab, x.shape[0], classes, &y))) goto done;
    if (!(net = build_nb201(&arch, classes, x.shape[2], 1))) { rc = 1; goto done; }
    rc = run_net(net, &o, wdir, &x, y, classes, out_dir, kinks, kink_tol);
done:
    zc_net_free(net);
    free(y); free(x.data); free(lab.data);
    return rc;
}

static int cmd_zico(int argc, char **argv)
{
    static const char *const allowed[] = {"arch", "classes", "weights", "x0", "y0", "x1", "y1", "backend",
                                          "channels", "cells-per-stage", NULL};
    static const char *const flags[] = {"paper-std", NULL};
    kvs o;
    int rc = parse_kv(argc, argv, allowed, flags, &o);
    if (rc) return rc;
    zc_nb201_arch arch;
    int classes;
    const char *wdir, *paths[4];
    static const char *const keys[4] = {"x0", "y0", "x1", "y1"};
    if ((rc = parse_arch(&o, &arch)) || (rc = get_int(&o, "classes", 0, 1, 100000, 1, &classes)) ||
        (rc = need(&o, "weights", &wdir)))
        return rc;
    for (int i = 0; i < 4; i++) if ((rc = need(&o, keys[i], &paths[i]))) return rc;
    if ((rc = get_int(&o, "channels", 0, 0, 4096, 0, &net_C)) ||
        (rc = get_int(&o, "cells-per-stage", 0, 0, 64, 0, &net_N)))
        return rc;
    int paper = get(&o, "paper-std") != NULL;
    zc_batch b[2] = {{0}};
    memset(b, 0, sizeof b);
    tensor x[2], lab[2];
    memset(x, 0, sizeof x);
    memset(lab, 0, sizeof lab);
    zc_net *net = NULL;
    for (int i = 0; i < 2 && !rc; i++) {
        if ((rc = read_images(paths[2 * i], &x[i]))) break;
        if ((rc = read_tensor(paths[2 * i + 1], &lab[i]))) break;
        b[i].n = x[i].shape[0]; b[i].c = 3; b[i].h = x[i].shape[2]; b[i].w = x[i].shape[3];
        b[i].x = x[i].data;
        rc = labels_from(&lab[i], b[i].n, classes, &b[i].y);
    }
    if (!rc && x[0].shape[2] != x[1].shape[2]) rc = usage_error("the two batches have different resolutions");
    if (!rc && !(net = build_nb201(&arch, classes, x[0].shape[2], 1))) rc = 1;
    if (!rc) rc = set_backend(net, &o);
    if (!rc && zc_net_load_weights(net, wdir) != ZC_OK) rc = lib_error("loading weights");
    double score;
    if (!rc && zc_zico_net(net, b, 2, paper, &score) != ZC_OK) rc = lib_error("zico");
    if (!rc) printf("%.17g\n", score);
    zc_net_free(net);
    for (int i = 0; i < 2; i++) { free(x[i].data); free(lab[i].data); free(b[i].y); }
    return rc;
}

static int cmd_epsilon(int argc, char **argv)
{
    static const char *const allowed[] = {"arch", "x", "w-low", "w-high", "backend", NULL};
    kvs o;
    int rc = parse_kv(argc, argv, allowed, NULL, &o);
    if (rc) return rc;
    zc_nb201_arch arch;
    const char *xpath;
    double lo, hi;
    if ((rc = parse_arch(&o, &arch)) || (rc = need(&o, "x", &xpath)) ||
        (rc = get_double(&o, "w-low", 1e-7, &lo)) || (rc = get_double(&o, "w-high", 1.0, &hi)))
        return rc;
    if (!(lo > 0) || !(hi > 0)) return usage_error("--w-low/--w-high must be positive");
    tensor x;
    if ((rc = read_images(xpath, &x))) return rc;
    zc_batch b = {.n = x.shape[0], .c = 3, .h = x.shape[2], .w = x.shape[3], .x = x.data, .y = NULL};
    zc_net *net = build_nb201(&arch, 1, x.shape[2], 0);
    if (!net) rc = 1;
    if (!rc) rc = set_backend(net, &o);
    double score;
    if (!rc && zc_epsilon_net(net, &b, (float)lo, (float)hi, 1, &score) != ZC_OK) rc = lib_error("epsilon");
    if (!rc) printf("%.17g\n", score);
    zc_net_free(net);
    free(x.data);
    return rc;
}

/* The proxies after ZiCo (spec-proxies2) on one NB201 network with given weights and inputs:
 * `key value` lines. */
static int cmd_proxy2(int argc, char **argv)
{
    static const char *const allowed[] = {"which", "arch", "weights", "x", "v", "classes", "backend", "vkdnw-flags",
                                          NULL};
    kvs o;
    int rc = parse_kv(argc, argv, allowed, NULL, &o);
    if (rc) return rc;
    zc_nb201_arch arch;
    int classes, vk_flags;
    const char *which, *wdir, *xpath, *vpath;
    if ((rc = parse_arch(&o, &arch)) || (rc = get_int(&o, "classes", 10, 1, 100000, 0, &classes)) ||
        (rc = get_int(&o, "vkdnw-flags", 0, 0, 3, 0, &vk_flags)) ||
        (rc = need(&o, "which", &which)) || (rc = need(&o, "weights", &wdir)) || (rc = need(&o, "x", &xpath)))
        return rc;
    vpath = get(&o, "v");
    tensor x, v;
    memset(&v, 0, sizeof v);
    if ((rc = read_images(xpath, &x))) return rc;
    if (vpath && (rc = read_tensor(vpath, &v))) { free(x.data); return rc; }
    zc_net *net = build_nb201(&arch, classes, x.shape[2], 1);
    if (!net) rc = 1;
    if (!rc) rc = set_backend(net, &o);
    if (!rc && zc_net_load_weights(net, wdir) != ZC_OK) rc = lib_error("loading weights");
    int B = x.shape[0];
    zc_rng rng;
    zc_rng_seed(&rng, 1, 0);
    if (!rc && !strcmp(which, "az")) {
        double r[3];
        if (zc_az_nas_net(net, x.data, B, v.data, &rng, r) != ZC_OK) rc = lib_error("az_nas");
        else printf("expressivity %.17g\nprogressivity %.17g\ntrainability %.17g\n", r[0], r[1], r[2]);
    } else if (!rc && (!strcmp(which, "meco") || !strcmp(which, "meco_opt"))) {
        double r;
        if (B != 1) rc = usage_error("meco: --x must hold one image");
        else if (zc_meco_net(net, x.data, !strcmp(which, "meco_opt"), &rng, &r) != ZC_OK) rc = lib_error("meco");
        else printf("%s %.17g\n", which, r);
    } else if (!rc && (!strcmp(which, "swap") || !strcmp(which, "lr"))) {
        double c, r;
        if (zc_relu_patterns_net(net, x.data, B, &c, &r) != ZC_OK) rc = lib_error("relu patterns");
        else printf("swap %.17g\nlinear_regions %.17g\n", c, r);
    } else if (!rc && !strcmp(which, "ntk")) {
        double r;
        if (zc_te_nas_ntk_net(net, x.data, B, &r) != ZC_OK) rc = lib_error("ntk");
        else printf("ntk %.17g\n", r);
    } else if (!rc && !strcmp(which, "vkdnw")) {
        double d, e;
        if (zc_vkdnw_net_ex(net, x.data, B, vk_flags, &d, &e) != ZC_OK) rc = lib_error("vkdnw");
        else printf("vkdnw_dim %.17g\nvkdnw_entropy %.17g\n", d, e);
    } else if (!rc) {
        rc = usage_error("--which: expected az, meco, meco_opt, swap, lr, ntk or vkdnw, got '%s'", which);
    }
    zc_net_free(net);
    free(x.data);
    free(v.data);
    return rc;
}

static int cmd_nbnlp(int argc, char **argv)
{
    static const char *const allowed[] = {"arch", "vocab", "tokens", "targets", "out-dir", "emsize", "nhid", "layers",
                                          "seed", "backend", "epsilon", NULL};
    kvs o;
    int rc = parse_kv(argc, argv, allowed, NULL, &o);
    if (rc) return rc;
    const char *astr, *xpath, *out_dir, *eps = get(&o, "epsilon");
    zc_nlp_dims d;
    int seed;
    if ((rc = need(&o, "arch", &astr)) || (rc = need(&o, "tokens", &xpath)) || (rc = need(&o, "out-dir", &out_dir)) ||
        (rc = get_int(&o, "vocab", 0, 1, 1 << 24, 1, &d.vocab)) || (rc = get_int(&o, "emsize", 400, 1, 4096, 0, &d.emsize)) ||
        (rc = get_int(&o, "nhid", 600, 1, 4096, 0, &d.nhid)) || (rc = get_int(&o, "layers", 3, 1, 8, 0, &d.nlayers)) ||
        (rc = get_int(&o, "seed", 0, 0, 1 << 30, 0, &seed)))
        return rc;
    double lo = 0, hi = 0;
    if (eps && sscanf(eps, "%lf,%lf", &lo, &hi) != 2) return usage_error("--epsilon: expected LO,HI");
    zc_nlp_arch arch;
    if (zc_nlp_parse(astr, &arch) != ZC_OK) return usage_error("--arch: %s", zc_last_error());
    tensor x, y = {0};
    if ((rc = read_tensor(xpath, &x))) return rc;
    if (x.ndim != 2) { free(x.data); return usage_error("tokens: expected (B, T)"); }
    d.seq_len = x.shape[1];
    int B = x.shape[0], T = x.shape[1];
    zc_net *net = zc_nlp_build(&arch, &d, eps != NULL, 0);
    if (!net) rc = lib_error("building");
    if (!rc) rc = set_backend(net, &o);
    if (!rc && eps) {
        float *ys[2] = {malloc((size_t)B * T * sizeof(float)), malloc((size_t)B * T * sizeof(float))};
        const char *names[2] = {"y_low", "y_high"};
        double w[2] = {lo, hi}, score = 0;
        int shape[2] = {B, T};
        for (int k = 0; k < 2 && !rc; k++) {
            if (!ys[k]) rc = lib_error("out of memory");
            if (!rc && zc_net_init_constant(net, (float)w[k]) != ZC_OK) rc = lib_error("init");
            if (!rc && zc_net_forward(net, x.data, B, ZC_RUN_INFER) != ZC_OK) rc = lib_error("forward");
            if (!rc) memcpy(ys[k], zc_net_output(net, NULL, NULL), (size_t)B * T * sizeof(float));
            if (!rc) rc = write_out(out_dir, names[k], ys[k], 2, shape);
        }
        const zc_param *e = &net->params[zc_net_find_param(net, "encoder.weight")];
        if (!rc) rc = write_out(out_dir, "embedding", e->data, 2, e->shape);
        zc_batch b = {.n = B, .c = T, .h = 1, .w = 1, .x = x.data};
        if (!rc && zc_epsilon_net(net, &b, (float)lo, (float)hi, 1, &score) != ZC_OK) rc = lib_error("epsilon");
        if (!rc) printf("%.17g\n", score);
        free(ys[0]);
        free(ys[1]);
    } else if (!rc) {
        const char *ypath;
        if ((rc = need(&o, "targets", &ypath)) || (rc = read_tensor(ypath, &y))) goto done;
        zc_rng r;
        zc_rng_seed(&r, (uint64_t)seed, 0);
        char wdir[4096];
        snprintf(wdir, sizeof wdir, "%s/weights", out_dir);
        mkdir(wdir, 0777);
        zc_batch b = {.n = B, .c = T, .h = 1, .w = 1, .x = x.data, .loss = ZC_LOSS_TOKEN_CE, .y_dim = T};
        int nb = 0, dim = 0;
        double loss = 0;
        float *dz = NULL;
        if (!(b.y = malloc(y.numel * sizeof *b.y))) rc = lib_error("out of memory");
        for (size_t i = 0; !rc && i < y.numel; i++) b.y[i] = (int)y.data[i];
        if (!rc && (zc_net_init_default(net, &r) != ZC_OK || zc_net_save_weights(net, wdir) != ZC_OK)) rc = lib_error("init");
        if (!rc && zc_net_forward(net, x.data, B, ZC_RUN_TRAIN) != ZC_OK) rc = lib_error("forward");
        const float *out = rc ? NULL : zc_net_output(net, &nb, &dim);
        int zshape[2] = {nb, dim}, one = 1;
        if (!rc) rc = write_out(out_dir, "output", out, 2, zshape);
        if (!rc && !(dz = malloc((size_t)nb * dim * sizeof *dz))) rc = lib_error("out of memory");
        if (!rc && zc_batch_loss(&b, out, nb, dim, &loss, dz) != ZC_OK) rc = lib_error("loss");
        float lf = (float)loss;
        if (!rc) rc = write_out(out_dir, "loss", &lf, 1, &one);
        if (!rc) printf("%.17g\n", loss);
        if (!rc && zc_net_backward(net, dz) != ZC_OK) rc = lib_error("backward");
        if (!rc) rc = write_param_grads(net, out_dir);
        free(dz);
        free(b.y);
    }
done:
    zc_net_free(net);
    free(x.data);
    free(y.data);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage_error("missing subcommand (op, ce, nb201, zico, epsilon, backends)");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "op")) return cmd_op(argc - 2, argv + 2);
    if (!strcmp(cmd, "ce")) return cmd_ce(argc - 2, argv + 2);
    if (!strcmp(cmd, "nb201")) return cmd_nb201(argc - 2, argv + 2);
    if (!strcmp(cmd, "net")) return cmd_net(argc - 2, argv + 2);
    if (!strcmp(cmd, "task")) return cmd_task(argc - 2, argv + 2);
    if (!strcmp(cmd, "zico")) return cmd_zico(argc - 2, argv + 2);
    if (!strcmp(cmd, "epsilon")) return cmd_epsilon(argc - 2, argv + 2);
    if (!strcmp(cmd, "nbnlp")) return cmd_nbnlp(argc - 2, argv + 2);
    if (!strcmp(cmd, "proxy2")) return cmd_proxy2(argc - 2, argv + 2);
    if (!strcmp(cmd, "backends")) {
        /* The backends built in, one per line (the oracles test each). */
        static const char *const names[] = {"ref", "dnnl"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (zc_backend_get(names[i])) printf("%s\n", names[i]);
        zc_clear_error();
        return 0;
    }
    return usage_error("unknown subcommand '%s' (op, ce, nb201, net, task, zico, epsilon, nbnlp, proxy2, backends)", cmd);
}
