/* The float64 evaluator behind synflow, as the zero-cost-nas harness (ZCN, SamsungLabs) computes it
 * (spec 3, pitfall 16):
 * every state_dict tensor replaced by its absolute value, the model cast to float64, batch norm
 * replaced by the identity (measure flagged bn=False), input = all-ones 1 x C x H x W,
 * R = sum of the outputs, score = sum over Conv2d and Linear weights of |W * dR/dW|.
 *
 * Activations grow by ~10^40 over the 17 NB201 modules, so float32 would overflow: this file has
 * its own small float64 evaluator for batch 1 that walks the network graph forward and backward
 * (the float parameters converted to |double|; BN buffers do not matter once BN is the identity).
 *
 * Every value involved is >= 0 (all-ones input, |parameters|, ReLU, averages, sums), so for a
 * layer computing y = W x (+ b), sum_ij |W_ij dR/dW_ij| = sum_ij W_ij dR/dW_ij = sum_o g_o (W x)_o,
 * with g = dR/dy: the score is accumulated from the output gradients without forming dR/dW (exact
 * in real arithmetic; in float64 it differs from the element-wise sum by rounding only).
 * A tiled network (jigsaw) gets identical all-ones tiles, so one pass of its encoder stands for all
 * tiles: the untile copies it, and the tiles' gradients are summed into that pass. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "backends/ref/simd.h"
#include "zcnas/evaluators.h"

static ZC_VECTORIZE void axpy(double *y, double a, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] += a * x[i];
}

static ZC_VECTORIZE double dot(const double *x, const double *y, size_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) { s0 += x[i] * y[i]; s1 += x[i + 1] * y[i + 1]; s2 += x[i + 2] * y[i + 2]; s3 += x[i + 3] * y[i + 3]; }
    for (; i < n; i++) s0 += x[i] * y[i];
    return (s0 + s1) + (s2 + s3);
}

typedef struct conv_geom {
    int cin, h, w;      /* input of one group */
    int k, s, p, oh, ow;
} conv_geom;

/* col[(ci*k + ky)*k + kx][oy*ow + ox] = x[ci][oy*s - p + ky][ox*s - p + kx] (0 outside). */
static void im2col(const conv_geom *g, const double *x, double *col)
{
    size_t P = (size_t)g->oh * g->ow;
    for (int ci = 0; ci < g->cin; ci++)
        for (int ky = 0; ky < g->k; ky++)
            for (int kx = 0; kx < g->k; kx++) {
                double *row = col + ((size_t)(ci * g->k + ky) * g->k + kx) * P;
                const double *xc = x + (size_t)ci * g->h * g->w;
                for (int oy = 0; oy < g->oh; oy++) {
                    int iy = oy * g->s - g->p + ky;
                    double *r = row + (size_t)oy * g->ow;
                    if (iy < 0 || iy >= g->h) { memset(r, 0, (size_t)g->ow * sizeof *r); continue; }
                    for (int ox = 0; ox < g->ow; ox++) {
                        int ix = ox * g->s - g->p + kx;
                        r[ox] = (ix >= 0 && ix < g->w) ? xc[(size_t)iy * g->w + ix] : 0.0;
                    }
                }
            }
}

/* The adjoint of im2col: dx += scatter(dcol). */
static void col2im_add(const conv_geom *g, const double *dcol, double *dx)
{
    size_t P = (size_t)g->oh * g->ow;
    for (int ci = 0; ci < g->cin; ci++)
        for (int ky = 0; ky < g->k; ky++)
            for (int kx = 0; kx < g->k; kx++) {
                const double *row = dcol + ((size_t)(ci * g->k + ky) * g->k + kx) * P;
                double *xc = dx + (size_t)ci * g->h * g->w;
                for (int oy = 0; oy < g->oh; oy++) {
                    int iy = oy * g->s - g->p + ky;
                    if (iy < 0 || iy >= g->h) continue;
                    const double *r = row + (size_t)oy * g->ow;
                    for (int ox = 0; ox < g->ow; ox++) {
                        int ix = ox * g->s - g->p + kx;
                        if (ix >= 0 && ix < g->w) xc[(size_t)iy * g->w + ix] += r[ox];
                    }
                }
            }
}

static int is_pointwise(const conv_geom *g) { return g->k == 1 && g->s == 1 && g->p == 0; }

typedef struct f64_state {
    zc_net *net;
    int n_nodes, n_params;
    zc_node_info *info;     /* per node */
    double **out, **grad;   /* per node, batch 1, plain C x H x W */
    double **wabs;          /* per parameter: |data| in double */
    double *col;            /* im2col scratch */
    size_t col_cap;
} f64_state;

static size_t numel(const zc_node_info *n) { return (size_t)n->c * n->h * n->w; }

static zc_status ensure_col(f64_state *s, size_t n)
{
    if (n <= s->col_cap) return ZC_OK;
    free(s->col);
    s->col = malloc(n * sizeof *s->col);
    s->col_cap = s->col ? n : 0;
    return s->col ? ZC_OK : zc_fail(ZC_ENOMEM, "synflow: out of memory");
}

static conv_geom geom_of(const zc_node_info *in, const zc_node_info *n)
{
    conv_geom g = {in->c / n->groups, in->h, in->w, n->k, n->stride, n->pad, n->h, n->w};
    return g;
}

/* y = W x (no bias) into y (c_out x P). */
static zc_status conv_forward(f64_state *s, const zc_node_info *n, const zc_node_info *in, const double *x, double *y)
{
    conv_geom g = geom_of(in, n);
    size_t P = (size_t)g.oh * g.ow, K = (size_t)g.cin * g.k * g.k;
    int cog = n->c / n->groups;
    const double *W = s->wabs[n->weight];
    if (!is_pointwise(&g) && ensure_col(s, K * P) != ZC_OK) return ZC_ENOMEM;
    memset(y, 0, (size_t)n->c * P * sizeof *y);
    for (int gr = 0; gr < n->groups; gr++) {
        const double *xg = x + (size_t)gr * g.cin * g.h * g.w;
        const double *col = xg;
        if (!is_pointwise(&g)) { im2col(&g, xg, s->col); col = s->col; }
        for (int co = gr * cog; co < (gr + 1) * cog; co++)
            for (size_t kk = 0; kk < K; kk++) axpy(y + (size_t)co * P, W[(size_t)co * K + kk], col + kk * P, P);
    }
    return ZC_OK;
}

/* dx += W^T g. */
static zc_status conv_backward(f64_state *s, const zc_node_info *n, const zc_node_info *in, const double *gy, double *dx)
{
    conv_geom g = geom_of(in, n);
    size_t P = (size_t)g.oh * g.ow, K = (size_t)g.cin * g.k * g.k;
    int cog = n->c / n->groups;
    const double *W = s->wabs[n->weight];
    if (!is_pointwise(&g) && ensure_col(s, K * P) != ZC_OK) return ZC_ENOMEM;
    for (int gr = 0; gr < n->groups; gr++) {
        double *dxg = dx + (size_t)gr * g.cin * g.h * g.w;
        double *dcol = is_pointwise(&g) ? dxg : s->col;
        if (!is_pointwise(&g)) memset(dcol, 0, K * P * sizeof *dcol);
        for (int co = gr * cog; co < (gr + 1) * cog; co++)
            for (size_t kk = 0; kk < K; kk++) axpy(dcol + kk * P, W[(size_t)co * K + kk], gy + (size_t)co * P, P);
        if (!is_pointwise(&g)) col2im_add(&g, dcol, dxg);
    }
    return ZC_OK;
}

/* PyTorch's divisor for the window at (oy, ox) (as the reference backend). */
static int pool_count(const zc_node_info *in, const zc_node_info *n, int oy, int ox)
{
    int y0 = oy * n->stride - n->pad, x0 = ox * n->stride - n->pad;
    int y1 = y0 + n->k, x1 = x0 + n->k;
    if (n->count_include_pad) {
        int yh = y1 < in->h + n->pad ? y1 : in->h + n->pad;
        int xh = x1 < in->w + n->pad ? x1 : in->w + n->pad;
        return (yh - y0) * (xh - x0);
    }
    int ya = y0 < 0 ? 0 : y0, xa = x0 < 0 ? 0 : x0;
    int yb = y1 > in->h ? in->h : y1, xb = x1 > in->w ? in->w : x1;
    return (yb - ya) * (xb - xa);
}

/* dir 0: y = avgpool(x); dir 1: x += avgpool^T(y). */
static void avgpool(const zc_node_info *in, const zc_node_info *n, double *x, double *y, int dir)
{
    for (int c = 0; c < n->c; c++) {
        double *xc = x + (size_t)c * in->h * in->w, *yc = y + (size_t)c * n->h * n->w;
        for (int oy = 0; oy < n->h; oy++)
            for (int ox = 0; ox < n->w; ox++) {
                int y0 = oy * n->stride - n->pad, x0 = ox * n->stride - n->pad;
                double div = (double)pool_count(in, n, oy, ox), acc = 0.0;
                double gv = dir ? yc[oy * n->w + ox] / div : 0.0;
                for (int iy = y0; iy < y0 + n->k; iy++) {
                    if (iy < 0 || iy >= in->h) continue;
                    for (int ix = x0; ix < x0 + n->k; ix++) {
                        if (ix < 0 || ix >= in->w) continue;
                        if (dir) xc[iy * in->w + ix] += gv;
                        else acc += xc[iy * in->w + ix];
                    }
                }
                if (!dir) yc[oy * n->w + ox] = acc / div;
            }
    }
}

/* The input index of the first maximum of the window at (oy, ox) of plane x (NaN wins, padding
 * never: PyTorch's max_pool2d, as the backends). */
static size_t max_at(const zc_node_info *in, const zc_node_info *n, const double *x, int oy, int ox)
{
    int y0 = oy * n->stride - n->pad, x0 = ox * n->stride - n->pad;
    int ya = y0 < 0 ? 0 : y0, xa = x0 < 0 ? 0 : x0;
    int yb = y0 + n->k > in->h ? in->h : y0 + n->k, xb = x0 + n->k > in->w ? in->w : x0 + n->k;
    size_t best = (size_t)ya * in->w + xa;
    double m = -INFINITY;
    for (int iy = ya; iy < yb; iy++)
        for (int ix = xa; ix < xb; ix++) {
            size_t j = (size_t)iy * in->w + ix;
            if (x[j] > m || x[j] != x[j]) { m = x[j]; best = j; }
        }
    return best;
}

/* dir 0: y = maxpool(x); dir 1: dx += maxpool^T(gy) (x: the forward input). */
static void maxpool(const zc_node_info *in, const zc_node_info *n, const double *x, double *y, double *dx, int dir)
{
    size_t ip = (size_t)in->h * in->w, op = (size_t)n->h * n->w;
    for (int c = 0; c < n->c; c++)
        for (int oy = 0; oy < n->h; oy++)
            for (int ox = 0; ox < n->w; ox++) {
                size_t j = max_at(in, n, x + c * ip, oy, ox);
                if (dir) dx[c * ip + j] += y[c * op + (size_t)oy * n->w + ox];
                else y[c * op + (size_t)oy * n->w + ox] = x[c * ip + j];
            }
}

static void state_free(f64_state *s)
{
    if (s->out)
        for (int i = 0; i < s->n_nodes; i++) { free(s->out[i]); free(s->grad[i]); }
    if (s->wabs)
        for (int i = 0; i < s->n_params; i++) free(s->wabs[i]);
    free(s->out); free(s->grad); free(s->wabs); free(s->col); free(s->info);
}

/* Transposed convolution of one image (weight [C_in][C_out][k][k]): forward scatters every input
 * pixel through the kernel; backward gathers (the conv of g). Not a scored layer (the harness scores
 * Conv2d and Linear only). */
static void deconv(const zc_node_info *n, const zc_node_info *in, const double *W, double *x, double *y, int backward)
{
    int k = n->k, s = n->stride, p = n->pad;
    for (int ci = 0; ci < in->c; ci++)
        for (int co = 0; co < n->c; co++) {
            const double *w = W + ((size_t)ci * n->c + co) * k * k;
            double *xc = x + (size_t)ci * in->h * in->w;
            double *yc = y + (size_t)co * n->h * n->w;
            for (int iy = 0; iy < in->h; iy++)
                for (int ix = 0; ix < in->w; ix++)
                    for (int ky = 0; ky < k; ky++) {
                        int oy = iy * s - p + ky;
                        if (oy < 0 || oy >= n->h) continue;
                        for (int kx = 0; kx < k; kx++) {
                            int ox = ix * s - p + kx;
                            if (ox < 0 || ox >= n->w) continue;
                            double *yv = yc + (size_t)oy * n->w + ox, *xv = xc + (size_t)iy * in->w + ix;
                            if (backward) *xv += w[ky * k + kx] * *yv;
                            else *yv += w[ky * k + kx] * *xv;
                        }
                    }
        }
}

zc_status zc_synflow_net(zc_net *net, double *score)
{
    int output = net ? zc_net_output_node(net) : -1;
    if (output < 0) return zc_fail(ZC_EINVAL, "synflow: network has no output (zc_net_finish not called)");
    if (zc_net_is_shapes_only(net)) return zc_fail(ZC_EINVAL, "synflow: network has no parameter values");
    f64_state s;
    memset(&s, 0, sizeof s);
    s.net = net;
    s.n_nodes = zc_net_num_nodes(net);
    s.n_params = zc_net_num_params(net);
    zc_status st = ZC_OK;
    s.out = calloc((size_t)s.n_nodes, sizeof *s.out);
    s.grad = calloc((size_t)s.n_nodes, sizeof *s.grad);
    s.info = malloc((size_t)s.n_nodes * sizeof *s.info);
    s.wabs = calloc((size_t)(s.n_params ? s.n_params : 1), sizeof *s.wabs);
    if (!s.out || !s.grad || !s.wabs || !s.info) { state_free(&s); return zc_fail(ZC_ENOMEM, "synflow: out of memory"); }
    for (int i = 0; i < s.n_nodes; i++) zc_net_node_info(net, i, &s.info[i]);
    for (int i = 0; i < s.n_params && st == ZC_OK; i++) {
        zc_param_info p;
        zc_net_param_info(net, i, &p);
        const float *d = zc_net_param_data(net, i);
        if (!d) { st = zc_fail(ZC_ENOMEM, "synflow: out of memory"); break; }
        if (!(s.wabs[i] = malloc(p.numel * sizeof(double)))) { st = zc_fail(ZC_ENOMEM, "synflow: out of memory"); break; }
        for (size_t j = 0; j < p.numel; j++) s.wabs[i][j] = fabs((double)d[j]);
    }
    /* ---- forward ---- */
    for (int i = 0; i <= output && st == ZC_OK; i++) {
        const zc_node_info *n = &s.info[i];
        if (!n->live) continue;
        size_t m = numel(n);
        double *y = s.out[i] = malloc(m * sizeof *y);
        if (!y) { st = zc_fail(ZC_ENOMEM, "synflow: out of memory"); break; }
        const zc_node_info *in = n->n_in ? &s.info[n->in[0]] : NULL;
        const double *x = n->n_in ? s.out[n->in[0]] : NULL;
        switch (n->op) {
        case ZC_OP_INPUT:
            for (size_t j = 0; j < m; j++) y[j] = 1.0;
            break;
        case ZC_OP_CONV2D:
            st = conv_forward(&s, n, in, x, y);
            if (st == ZC_OK && n->bias >= 0)
                for (int c = 0; c < n->c; c++)
                    for (size_t j = 0; j < (size_t)n->h * n->w; j++) y[(size_t)c * n->h * n->w + j] += s.wabs[n->bias][c];
            break;
        case ZC_OP_BATCHNORM:   /* bn=False: the identity */
            memcpy(y, x, m * sizeof *y);
            break;
        case ZC_OP_RELU:
            for (size_t j = 0; j < m; j++) y[j] = x[j] > 0.0 ? x[j] : (x[j] != x[j] ? x[j] : 0.0);
            break;
        case ZC_OP_AVGPOOL:
            avgpool(in, n, (double *)x, y, 0);
            break;
        case ZC_OP_GAP: {
            size_t hw = (size_t)in->h * in->w;
            for (int c = 0; c < n->c; c++) {
                double acc = 0.0;
                for (size_t j = 0; j < hw; j++) acc += x[(size_t)c * hw + j];
                y[c] = acc / (double)hw;
            }
            break;
        }
        case ZC_OP_LINEAR: {
            size_t f = numel(in);
            const double *W = s.wabs[n->weight];
            for (int o = 0; o < n->c; o++)
                y[o] = dot(W + (size_t)o * f, x, f) + (n->bias >= 0 ? s.wabs[n->bias][o] : 0.0);
            break;
        }
        case ZC_OP_ADD:
            memcpy(y, x, m * sizeof *y);
            for (int k = 1; k < n->n_in; k++) axpy(y, 1.0, s.out[n->in[k]], m);
            break;
        case ZC_OP_ZERO:   /* TransNAS-Bench-101's reshaping Zero: x[::s, ::s] * 0 or fresh zeros */
            for (size_t j = 0; j < m; j++) y[j] = numel(in) == m ? x[j] * 0.0 : 0.0;
            break;
        case ZC_OP_MAXPOOL:
            maxpool(in, n, x, y, NULL, 0);
            break;
        case ZC_OP_CONCAT: {   /* batch 1: the inputs' planes one after another */
            size_t off = 0;
            for (int k = 0; k < n->n_in; k++) {
                size_t mk = numel(&s.info[n->in[k]]);
                memcpy(y + off, s.out[n->in[k]], mk * sizeof *y);
                off += mk;
            }
            break;
        }
        case ZC_OP_TRUNCATE:   /* the first channels: a prefix */
            memcpy(y, x, m * sizeof *y);
            break;
        case ZC_OP_DECONV2D:
            memset(y, 0, m * sizeof *y);
            deconv(n, in, s.wabs[n->weight], (double *)x, y, 0);
            if (n->bias >= 0)
                for (int c = 0; c < n->c; c++)
                    for (size_t j = 0; j < (size_t)n->h * n->w; j++) y[(size_t)c * n->h * n->w + j] += s.wabs[n->bias][c];
            break;
        case ZC_OP_UNTILE:   /* jigsaw: the all-ones tiles are identical, so one encoder pass stands for all */
            for (int t = 0; t < in->tiles; t++) memcpy(y + (size_t)t * in->c, x, (size_t)in->c * sizeof *y);
            break;
        case ZC_OP_LEAKY_RELU:
            for (size_t j = 0; j < m; j++) y[j] = x[j] > 0.0 ? x[j] : x[j] * n->alpha;
            break;
        case ZC_OP_TANH:
            for (size_t j = 0; j < m; j++) y[j] = tanh(x[j]);
            break;
        case ZC_OP_SHIFT:
            for (int c = 0; c < n->c; c++)
                for (int r = 0; r < n->h; r++)
                    for (int q = 0; q < n->w; q++)
                        y[((size_t)c * n->h + r) * n->w + q] =
                            r + 1 < n->h && q + 1 < n->w ? x[((size_t)c * n->h + r + 1) * n->w + q + 1] : 0.0;
            break;
        default:
            st = zc_fail(ZC_EUNSUPPORTED, "synflow: op %s is not supported", zc_op_name(n->op));
        }
    }
    /* ---- backward from dR/dy = 1, accumulating sum_o g_o (W x)_o per weighted layer ---- */
    double total = 0.0;
    if (st == ZC_OK) {
        const zc_node_info *o = &s.info[output];
        if (!(s.grad[output] = malloc(numel(o) * sizeof(double)))) st = zc_fail(ZC_ENOMEM, "synflow: out of memory");
        else for (size_t j = 0; j < numel(o); j++) s.grad[output][j] = 1.0;
    }
    for (int i = output; i > 0 && st == ZC_OK; i--) {
        const zc_node_info *n = &s.info[i];
        double *g = s.grad[i];
        if (!n->live || !g) continue;   /* no gradient reaches it */
        size_t m = numel(n);
        for (int k = 0; k < n->n_in && st == ZC_OK; k++) {
            int src = n->in[k];
            if (src > 0 && !s.grad[src] && !(s.grad[src] = calloc(numel(&s.info[src]), sizeof(double))))
                st = zc_fail(ZC_ENOMEM, "synflow: out of memory");
        }
        if (st != ZC_OK) break;
        const zc_node_info *in = &s.info[n->in[0]];
        double *dx = s.grad[n->in[0]];   /* NULL for the network input: not needed */
        const double *x = s.out[n->in[0]];
        switch (n->op) {
        case ZC_OP_CONV2D: {
            size_t hw = (size_t)n->h * n->w;
            double layer = 0.0;
            for (int c = 0; c < n->c; c++) {
                double b = n->bias >= 0 ? s.wabs[n->bias][c] : 0.0;
                for (size_t j = 0; j < hw; j++) layer += g[(size_t)c * hw + j] * (s.out[i][(size_t)c * hw + j] - b);
            }
            total += layer;
            if (dx) st = conv_backward(&s, n, in, g, dx);
            break;
        }
        case ZC_OP_LINEAR: {
            size_t f = numel(in);
            const double *W = s.wabs[n->weight];
            for (int o = 0; o < n->c; o++) {
                total += g[o] * dot(W + (size_t)o * f, x, f);
                if (dx) axpy(dx, g[o], W + (size_t)o * f, f);
            }
            break;
        }
        case ZC_OP_BATCHNORM:
            if (dx) axpy(dx, 1.0, g, m);
            break;
        case ZC_OP_RELU:
            if (dx)
                for (size_t j = 0; j < m; j++) dx[j] += s.out[i][j] > 0.0 ? g[j] : 0.0;
            break;
        case ZC_OP_AVGPOOL:
            if (dx) avgpool(in, n, dx, g, 1);
            break;
        case ZC_OP_GAP:
            if (dx) {
                size_t hw = (size_t)in->h * in->w;
                for (int c = 0; c < n->c; c++) {
                    double gv = g[c] / (double)hw;
                    for (size_t j = 0; j < hw; j++) dx[(size_t)c * hw + j] += gv;
                }
            }
            break;
        case ZC_OP_ADD:
            for (int k = 0; k < n->n_in; k++)
                if (s.grad[n->in[k]]) axpy(s.grad[n->in[k]], 1.0, g, m);
            break;
        case ZC_OP_ZERO:
            if (dx && numel(in) == m)
                for (size_t j = 0; j < m; j++) dx[j] += g[j] * 0.0;
            break;
        case ZC_OP_MAXPOOL:
            if (dx) maxpool(in, n, x, g, dx, 1);
            break;
        case ZC_OP_CONCAT: {
            size_t off = 0;
            for (int k = 0; k < n->n_in; k++) {
                size_t mk = numel(&s.info[n->in[k]]);
                if (s.grad[n->in[k]]) axpy(s.grad[n->in[k]], 1.0, g + off, mk);
                off += mk;
            }
            break;
        }
        case ZC_OP_TRUNCATE:
            if (dx) axpy(dx, 1.0, g, m);
            break;
        case ZC_OP_DECONV2D:
            if (dx) deconv(n, in, s.wabs[n->weight], dx, g, 1);
            break;
        case ZC_OP_UNTILE:   /* the tiles' gradients meet in the shared pass (the scores are linear in g) */
            if (dx)
                for (int t = 0; t < in->tiles; t++) axpy(dx, 1.0, g + (size_t)t * in->c, (size_t)in->c);
            break;
        case ZC_OP_LEAKY_RELU:
            if (dx)
                for (size_t j = 0; j < m; j++) dx[j] += x[j] > 0.0 ? g[j] : g[j] * n->alpha;
            break;
        case ZC_OP_TANH:
            if (dx)
                for (size_t j = 0; j < m; j++) dx[j] += g[j] * (1.0 - s.out[i][j] * s.out[i][j]);
            break;
        case ZC_OP_SHIFT:
            if (dx)
                for (int c = 0; c < n->c; c++)
                    for (int r = 0; r + 1 < n->h; r++)
                        for (int q = 0; q + 1 < n->w; q++)
                            dx[((size_t)c * n->h + r + 1) * n->w + q + 1] += g[((size_t)c * n->h + r) * n->w + q];
            break;
        default:
            break;
        }
        /* A node's gradient is complete once every consumer (all later) has run: free it. */
        free(s.grad[i]);
        s.grad[i] = NULL;
    }
    state_free(&s);
    if (st == ZC_OK) *score = total;
    return st;
}

