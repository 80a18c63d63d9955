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

static dnnl_status_t fwd_pd(const zc_net *net, const zc_node *node, const dn_wdesc *d, const dnnl_memory_desc_t *wany,
                            dnnl_primitive_desc_t *pd)
{
    (void)net; (void)node;
    dnnl_inner_product_desc_t id;
    dnnl_status_t r = dnnl_inner_product_forward_desc_init(&id, dnnl_forward_training, &d->src, wany,
                                                           d->has_bias ? &d->bias : NULL, &d->dst);
    return r != dnnl_success ? r : dnnl_primitive_desc_create(pd, &id, NULL, dn_engine(), NULL);
}

static dnnl_status_t bwd_data_pd(const zc_net *net, const zc_node *node, const dn_wdesc *d,
                                 const dnnl_memory_desc_t *wany, dnnl_primitive_desc_t hint, dnnl_primitive_desc_t *pd)
{
    (void)net; (void)node;
    dnnl_inner_product_desc_t bd;
    dnnl_status_t r = dnnl_inner_product_backward_data_desc_init(&bd, &d->src, wany, &d->dst);
    return r != dnnl_success ? r : dnnl_primitive_desc_create(pd, &bd, NULL, dn_engine(), hint);
}

static dnnl_status_t bwd_w_pd(const zc_net *net, const zc_node *node, const dn_wdesc *d, const dnnl_memory_desc_t *wany,
                              dnnl_primitive_desc_t hint, dnnl_primitive_desc_t *pd)
{
    (void)net; (void)node;
    dnnl_inner_product_desc_t wd;
    dnnl_status_t r = dnnl_inner_product_backward_weights_desc_init(&wd, &d->src, wany, d->has_bias ? &d->bias : NULL, &d->dst);
    return r != dnnl_success ? r : dnnl_primitive_desc_create(pd, &wd, NULL, dn_engine(), hint);
}

static const dn_weighted_op linear_op = {"inner product", "inner product backward", describe, fwd_pd, bwd_data_pd, bwd_w_pd};

zc_status dn_linear_forward(zc_net *net, zc_node *node, int batch) { return dn_weighted_run_forward(&linear_op, net, node, batch); }

zc_status dn_linear_backward(zc_net *net, zc_node *node, int batch)
{
    return dn_weighted_run_backward(&linear_op, net, node, batch);
}
