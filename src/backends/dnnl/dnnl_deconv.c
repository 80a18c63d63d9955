/* Transposed convolution with oneDNN's deconvolution primitive. PyTorch keeps the weight as
 * [C_in][C_out][k][k], which is oneDNN's (OC, IC, KH, KW) weights in the "iohw" order. */
#include <string.h>
#include "dnnl_weighted.h"

static void describe(const zc_net *net, const zc_node *node, int batch, dn_wdesc *d, dn_key *key)
{
    const zc_node *in = &net->nodes[node->in[0]];
    memset(key, 0, sizeof *key);
    key->op = ZC_OP_DECONV2D;
    key->n = batch; key->c = in->c; key->h = in->h; key->w = in->w;
    key->oc = node->c; key->oh = node->h; key->ow = node->w;
    key->k = node->k; key->s = node->stride; key->p = node->pad; key->g = 1;
    key->bias = node->bias >= 0;
    key->in_layout = in->layout; key->out_layout = node->layout;
    memset(d, 0, sizeof *d);
    dn_md_node(in, batch, &d->src);
    dn_md_node(node, batch, &d->dst);
    d->has_bias = key->bias;
    dnnl_dims_t b = {node->c};
    dn_md_tag(&d->bias, 1, b, dnnl_x);
    dnnl_dims_t w = {node->c, in->c, node->k, node->k};
    dn_md_tag(&d->w_plain, 4, w, dnnl_iohw);
}

/* OH = (IH - 1) * s - pl - pr + k: the right padding that gives PyTorch's output size. */
static void geometry(const zc_net *net, const zc_node *node, dnnl_dims_t strides, dnnl_dims_t pl, dnnl_dims_t pr)
{
    const zc_node *in = &net->nodes[node->in[0]];
    strides[0] = strides[1] = node->stride;
    pl[0] = pl[1] = node->pad;
    pr[0] = (in->h - 1) * node->stride + node->k - node->pad - node->h;
    pr[1] = (in->w - 1) * node->stride + node->k - node->pad - node->w;
}

static dnnl_status_t fwd_pd(const zc_net *net, const zc_node *node, const dn_wdesc *d, const dnnl_memory_desc_t *wany,
                            dnnl_primitive_desc_t *pd)
{
    dnnl_dims_t s, pl, pr;
    geometry(net, node, s, pl, pr);
    dnnl_deconvolution_desc_t dd;
    dnnl_status_t r = dnnl_deconvolution_forward_desc_init(&dd, dnnl_forward_training, dnnl_deconvolution_direct, &d->src,
                                                           wany, d->has_bias ? &d->bias : NULL, &d->dst, s, pl, pr);
    return r != dnnl_success ? r : dnnl_primitive_desc_create(pd, &dd, NULL, dn_engine(), NULL);
}

static dnnl_status_t bwd_data_pd(const zc_net *net, const zc_node *node, const dn_wdesc *d,
                                 const dnnl_memory_desc_t *wany, dnnl_primitive_desc_t hint, dnnl_primitive_desc_t *pd)
{
    dnnl_dims_t s, pl, pr;
    geometry(net, node, s, pl, pr);
    dnnl_deconvolution_desc_t bd;
    dnnl_status_t r = dnnl_deconvolution_backward_data_desc_init(&bd, dnnl_deconvolution_direct, &d->src, wany, &d->dst,
                                                                 s, pl, pr);
    return r != dnnl_success ? r : dnnl_primitive_desc_create(pd, &bd, NULL, dn_engine(), hint);
}

static dnnl_status_t bwd_w_pd(const zc_net *net, const zc_node *node, const dn_wdesc *d, const dnnl_memory_desc_t *wany,
                              dnnl_primitive_desc_t hint, dnnl_primitive_desc_t *pd)
{
    dnnl_dims_t s, pl, pr;
    geometry(net, node, s, pl, pr);
    dnnl_deconvolution_desc_t wd;
    dnnl_status_t r = dnnl_deconvolution_backward_weights_desc_init(&wd, dnnl_deconvolution_direct, &d->src, wany,
                                                                    d->has_bias ? &d->bias : NULL, &d->dst, s, pl, pr);
    return r != dnnl_success ? r : dnnl_primitive_desc_create(pd, &wd, NULL, dn_engine(), hint);
}

static const dn_weighted_op deconv_op = {"deconvolution", "deconvolution backward", describe, fwd_pd, bwd_data_pd,
                                         bwd_w_pd};

zc_status dn_deconv_forward(zc_net *net, zc_node *node, int batch)
{
    return dn_weighted_run_forward(&deconv_op, net, node, batch);
}

zc_status dn_deconv_backward(zc_net *net, zc_node *node, int batch)
{
    return dn_weighted_run_backward(&deconv_op, net, node, batch);
}
