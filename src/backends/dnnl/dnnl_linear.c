/* Fully connected layer as a oneDNN inner product on the (possibly blocked) 4-D input. */
#include <string.h>
#include "dnnl_weighted.h"

static void describe(const zc_net *net, const zc_node *node, int batch, dn_wdesc *d, dn_key *key)
{
    const zc_node *in = &net->nodes[node->in[0]];
    memset(key, 0, sizeof *key);
    key->op = ZC_OP_LINEAR;
    key->n = batch; key->c = in->c; key->h = in->h; key->w = in->w;
    key->oc = node->c;
    key->bias = node->bias >= 0;
    key->in_layout = in->op == ZC_OP_LINEAR ? -1 : in->layout;
    memset(d, 0, sizeof *d);
    dn_md_node(in, batch, &d->src);
    dn_md_node(node, batch, &d->dst);
    d->has_bias = key->bias;
    dnnl_dims_t b = {node->c};
    dn_md_tag(&d->bias, 1, b, dnnl_x);
    /* The parameter is [out][C*H*W] in NCHW order: OIHW for a 4-D input, OI for a 2-D one. */
    if (in->op == ZC_OP_LINEAR) {
        dnnl_dims_t w = {node->c, in->c};
        dn_md_tag(&d->w_plain, 2, w, dnnl_oi);
    } else {
        dnnl_dims_t w = {node->c, in->c, in->h, in->w};
        dn_md_tag(&d->w_plain, 4, w, dnnl_oihw);
    }
}

static zc_status entry(zc_net *net, zc_node *node, int batch, int backward, dn_entry **out, dn_wdesc *d)
{
    dn_key key;
    describe(net, node, batch, d, &key);
    int created;
    dn_entry *e = dn_cache_get(&key, &created);
    if (!e) return zc_fail(ZC_ENOMEM, "out of memory (primitive cache)");
    dnnl_memory_desc_t wany;
    dnnl_memory_desc_init_by_tag(&wany, d->w_plain.ndims, d->w_plain.dims, dnnl_f32, dnnl_format_tag_any);
    zc_status st = ZC_OK;
    if (!e->fwd) {
        dnnl_inner_product_desc_t id;
        st = dn_check(dnnl_inner_product_forward_desc_init(&id, dnnl_forward_training, &d->src, &wany,
                                                           d->has_bias ? &d->bias : NULL, &d->dst), "inner product");
        if (st == ZC_OK) st = dn_check(dnnl_primitive_desc_create(&e->fwd_pd, &id, NULL, dn_engine(), NULL), "inner product");
        if (st == ZC_OK) st = dn_weighted_finish_fwd(e, d, "inner product");
    }
    if (st == ZC_OK && backward && !e->backward_ready) {
        dnnl_inner_product_desc_t bd, wd;
        st = dn_check(dnnl_inner_product_backward_data_desc_init(&bd, &d->src, &wany, &d->dst), "inner product backward");
        if (st == ZC_OK)
            st = dn_check(dnnl_primitive_desc_create(&e->bwd_data_pd, &bd, NULL, dn_engine(), e->fwd_pd), "inner product backward");
        if (st == ZC_OK)
            st = dn_check(dnnl_inner_product_backward_weights_desc_init(&wd, &d->src, &wany, d->has_bias ? &d->bias : NULL,
                                                                        &d->dst), "inner product backward weights");
        if (st == ZC_OK)
            st = dn_check(dnnl_primitive_desc_create(&e->bwd_w_pd, &wd, NULL, dn_engine(), e->fwd_pd), "inner product backward weights");
        if (st == ZC_OK) st = dn_weighted_finish_bwd(e, d, "inner product backward");
    }
    *out = e;
    return st;
}

zc_status dn_linear_forward(zc_net *net, zc_node *node, int batch)
{
    dn_entry *e;
    dn_wdesc d;
    zc_status st = entry(net, node, batch, 0, &e, &d);
    return st != ZC_OK ? st : dn_weighted_forward(net, node, e, &d, "inner product");
}

zc_status dn_linear_backward(zc_net *net, zc_node *node, int batch)
{
    dn_entry *e;
    dn_wdesc d;
    zc_status st = entry(net, node, batch, 1, &e, &d);
    return st != ZC_OK ? st : dn_weighted_backward(net, node, batch, e, &d, "inner product backward");
}
