/* Convolution (grouped and depth-wise too) with oneDNN's direct algorithm. */
#include <string.h>
#include "dnnl_weighted.h"

static void describe(const zc_net *net, const zc_node *node, int batch, dn_wdesc *d, dn_key *key)
{
    const zc_node *in = &net->nodes[node->in[0]];
    memset(key, 0, sizeof *key);
    key->op = ZC_OP_CONV2D;
    key->n = batch; key->c = in->c; key->h = in->h; key->w = in->w;
    key->oc = node->c; key->oh = node->h; key->ow = node->w;
    key->k = node->k; key->s = node->stride; key->p = node->pad; key->g = node->groups;
    key->bias = node->bias >= 0;
    key->in_layout = in->layout; key->out_layout = node->layout;
    memset(d, 0, sizeof *d);
    dn_md_node(in, batch, &d->src);
    dn_md_node(node, batch, &d->dst);
    d->has_bias = key->bias;
    dnnl_dims_t b = {node->c};
    dn_md_tag(&d->bias, 1, b, dnnl_x);
    int g = node->groups;
    if (g == 1) {
        dnnl_dims_t w = {node->c, in->c, node->k, node->k};
        dn_md_tag(&d->w_plain, 4, w, dnnl_oihw);
    } else {
        dnnl_dims_t w = {g, node->c / g, in->c / g, node->k, node->k};
        dn_md_tag(&d->w_plain, 5, w, dnnl_goihw);
    }
}

/* PyTorch's output size is floor((H + 2p - k) / s) + 1: the right/bottom padding that oneDNN needs
 * for it may be smaller than p. */
static void geometry(const zc_net *net, const zc_node *node, dnnl_dims_t strides, dnnl_dims_t pl, dnnl_dims_t pr)
{
    const zc_node *in = &net->nodes[node->in[0]];
    strides[0] = strides[1] = node->stride;
    pl[0] = pl[1] = node->pad;
    pr[0] = (node->h - 1) * node->stride + node->k - in->h - node->pad;
    pr[1] = (node->w - 1) * node->stride + node->k - in->w - node->pad;
}

static dnnl_status_t fwd_pd(const zc_net *net, const zc_node *node, const dn_wdesc *d, const dnnl_memory_desc_t *wany,
                            dnnl_primitive_desc_t *pd)
{
    dnnl_dims_t s, pl, pr;
    geometry(net, node, s, pl, pr);
    dnnl_convolution_desc_t cd;
    dnnl_status_t r = dnnl_convolution_forward_desc_init(&cd, dnnl_forward_training, dnnl_convolution_direct, &d->src, wany,
                                                         d->has_bias ? &d->bias : NULL, &d->dst, s, pl, pr);
    return r != dnnl_success ? r : dnnl_primitive_desc_create(pd, &cd, NULL, dn_engine(), NULL);
}

static dnnl_status_t bwd_data_pd(const zc_net *net, const zc_node *node, const dn_wdesc *d,
                                 const dnnl_memory_desc_t *wany, dnnl_primitive_desc_t hint, dnnl_primitive_desc_t *pd)
{
    dnnl_dims_t s, pl, pr;
    geometry(net, node, s, pl, pr);
    dnnl_convolution_desc_t bd;
    dnnl_status_t r = dnnl_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &d->src, wany, &d->dst, s, pl, pr);
    return r != dnnl_success ? r : dnnl_primitive_desc_create(pd, &bd, NULL, dn_engine(), hint);
}

static dnnl_status_t bwd_w_pd(const zc_net *net, const zc_node *node, const dn_wdesc *d, const dnnl_memory_desc_t *wany,
                              dnnl_primitive_desc_t hint, dnnl_primitive_desc_t *pd)
{
    dnnl_dims_t s, pl, pr;
    geometry(net, node, s, pl, pr);
    dnnl_convolution_desc_t wd;
    dnnl_status_t r = dnnl_convolution_backward_weights_desc_init(&wd, dnnl_convolution_direct, &d->src, wany,
                                                                  d->has_bias ? &d->bias : NULL, &d->dst, s, pl, pr);
    return r != dnnl_success ? r : dnnl_primitive_desc_create(pd, &wd, NULL, dn_engine(), hint);
}

static const dn_weighted_op conv_op = {"convolution", "convolution backward", describe, fwd_pd, bwd_data_pd, bwd_w_pd};

/* A conv from a blocked input to a plain output (a dense head's last conv to 3 or 17 channels, forced
 * plain by the network output) has no JIT kernel in oneDNN 2.6: its reference implementation is ~100x
 * slower. Such a conv reads a plain copy of its input instead (one reorder), and its input gradient is
 * reordered back. */
static int mixed(const zc_net *net, const zc_node *node)
{
    return node->layout == DN_PLAIN && net->nodes[node->in[0]].layout != DN_PLAIN;
}

/* A plain copy of in->out (batch images) in thread scratch `slot`, or NULL. */
static float *plain_copy(zc_node *in, int batch, const float *src, int slot)
{
    dnnl_memory_desc_t from, to;
    dn_md_node(in, batch, &from);
    dnnl_dims_t d = {batch, in->c, in->h, in->w};
    dn_md_tag(&to, 4, d, dnnl_nchw);
    float *dst = dn_scratch(slot, dn_numel(in, batch) * sizeof(float));
    dnnl_primitive_t r;
    if (!dst || dn_make_reorder(&from, &to, &r) != ZC_OK) return NULL;
    dn_arg a[2] = {{DNNL_ARG_FROM, &from, (void *)src}, {DNNL_ARG_TO, &to, dst}};
    zc_status st = r ? dn_exec(r, 2, a, "reorder to NCHW") : ZC_OK;
    if (r) dnnl_primitive_destroy(r);
    return st == ZC_OK ? dst : NULL;
}

zc_status dn_conv_forward(zc_net *net, zc_node *node, int batch)
{
    if (!mixed(net, node)) return dn_weighted_run_forward(&conv_op, net, node, batch);
    zc_node *in = &net->nodes[node->in[0]];
    float *keep = in->out, *plain = plain_copy(in, batch, in->out, 3);
    if (!plain) return zc_fail(ZC_ENOMEM, "out of memory (convolution input reorder)");
    int layout = in->layout;
    in->out = plain;
    in->layout = DN_PLAIN;
    zc_status st = dn_weighted_run_forward(&conv_op, net, node, batch);
    in->out = keep;
    in->layout = layout;
    return st;
}

zc_status dn_conv_backward(zc_net *net, zc_node *node, int batch)
{
    if (!mixed(net, node)) return dn_weighted_run_backward(&conv_op, net, node, batch);
    zc_node *in = &net->nodes[node->in[0]];
    size_t n = dn_numel(in, batch);
    float *keep_out = in->out, *keep_grad = in->grad, *plain = plain_copy(in, batch, in->out, 3);
    float *dx = in->grad ? zci_host_alloc(NULL, n, 0) : NULL;
    if (!plain || (in->grad && !dx)) return zc_fail(ZC_ENOMEM, "out of memory (convolution input reorder)");
    int layout = in->layout, grad_set = in->grad_set;
    in->out = plain;
    in->grad = dx;
    in->grad_set = 0;
    in->layout = DN_PLAIN;
    zc_status st = dn_weighted_run_backward(&conv_op, net, node, batch);
    in->out = keep_out;
    in->grad = keep_grad;
    in->grad_set = grad_set;
    in->layout = layout;
    if (st == ZC_OK && dx) {   /* the plain input gradient, back into the input's layout */
        dnnl_memory_desc_t from, to;
        dnnl_dims_t d = {batch, in->c, in->h, in->w};
        dn_md_tag(&from, 4, d, dnnl_nchw);
        dn_md_node(in, batch, &to);
        float *blocked = dn_scratch(3, n * sizeof(float));
        dnnl_primitive_t r = NULL;
        if (!blocked) st = zc_fail(ZC_ENOMEM, "out of memory (convolution gradient reorder)");
        if (st == ZC_OK) st = dn_make_reorder(&from, &to, &r);
        dn_arg a[2] = {{DNNL_ARG_FROM, &from, dx}, {DNNL_ARG_TO, &to, blocked}};
        if (st == ZC_OK && r) st = dn_exec(r, 2, a, "reorder from NCHW");
        if (r) dnnl_primitive_destroy(r);
        if (st == ZC_OK && in->grad_set) for (size_t i = 0; i < n; i++) in->grad[i] += blocked[i];
        else if (st == ZC_OK) memcpy(in->grad, blocked, n * sizeof(float));
        in->grad_set |= st == ZC_OK;
    }
    zci_host_release(NULL, dx);
    return st;
}
