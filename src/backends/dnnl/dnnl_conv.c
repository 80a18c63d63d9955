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

static zc_status weights_any(const dn_wdesc *d, dnnl_memory_desc_t *any)
{
    *any = d->w_plain;
    dnnl_memory_desc_init_by_tag(any, d->w_plain.ndims, d->w_plain.dims, dnnl_f32, dnnl_format_tag_any);
    return ZC_OK;
}

static zc_status entry(zc_net *net, zc_node *node, int batch, int backward, dn_entry **out, dn_wdesc *d)
{
    dn_key key;
    describe(net, node, batch, d, &key);
    int created;
    dn_entry *e = dn_cache_get(&key, &created);
    if (!e) return zc_fail(ZC_ENOMEM, "out of memory (primitive cache)");
    dnnl_dims_t s, pl, pr;
    geometry(net, node, s, pl, pr);
    dnnl_memory_desc_t wany;
    weights_any(d, &wany);
    zc_status st = ZC_OK;
    if (!e->fwd) {
        dnnl_convolution_desc_t cd;
        st = dn_check(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_training, dnnl_convolution_direct, &d->src,
                                                         &wany, d->has_bias ? &d->bias : NULL, &d->dst, s, pl, pr),
                      "convolution");
        if (st == ZC_OK) st = dn_check(dnnl_primitive_desc_create(&e->fwd_pd, &cd, NULL, dn_engine(), NULL), "convolution");
        if (st == ZC_OK) st = dn_weighted_finish_fwd(e, d, "convolution");
    }
    if (st == ZC_OK && backward && !e->backward_ready) {
        dnnl_convolution_desc_t bd, wd;
        st = dn_check(dnnl_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &d->src, &wany, &d->dst,
                                                               s, pl, pr), "convolution backward");
        if (st == ZC_OK)
            st = dn_check(dnnl_primitive_desc_create(&e->bwd_data_pd, &bd, NULL, dn_engine(), e->fwd_pd), "convolution backward");
        dnnl_memory_desc_t dwany = wany;
        if (st == ZC_OK)
            st = dn_check(dnnl_convolution_backward_weights_desc_init(&wd, dnnl_convolution_direct, &d->src, &dwany,
                                                                      d->has_bias ? &d->bias : NULL, &d->dst, s, pl, pr),
                          "convolution backward weights");
        if (st == ZC_OK)
            st = dn_check(dnnl_primitive_desc_create(&e->bwd_w_pd, &wd, NULL, dn_engine(), e->fwd_pd), "convolution backward weights");
        if (st == ZC_OK) st = dn_weighted_finish_bwd(e, d, "convolution backward");
    }
    *out = e;
    return st;
}

zc_status dn_conv_forward(zc_net *net, zc_node *node, int batch)
{
    dn_entry *e;
    dn_wdesc d;
    zc_status st = entry(net, node, batch, 0, &e, &d);
    return st != ZC_OK ? st : dn_weighted_forward(net, node, e, &d, "convolution");
}

zc_status dn_conv_backward(zc_net *net, zc_node *node, int batch)
{
    dn_entry *e;
    dn_wdesc d;
    zc_status st = entry(net, node, batch, 1, &e, &d);
    return st != ZC_OK ? st : dn_weighted_backward(net, node, batch, e, &d, "convolution backward");
}
