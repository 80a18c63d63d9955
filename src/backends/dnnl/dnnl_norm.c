/* Batch normalisation with batch statistics (training mode); mean and biased variance go to the
 * node's workspace for the backward pass. */
#include <stdlib.h>
#include <string.h>
#include "dnnl_internal.h"

static dn_entry *entry(zc_net *net, zc_node *node, int batch, int backward, zc_status *st)
{
    const zc_node *in = &net->nodes[node->in[0]];
    dn_key key;
    memset(&key, 0, sizeof key);
    key.op = ZC_OP_BATCHNORM;
    key.n = batch; key.c = node->c; key.h = node->h; key.w = node->w;
    key.eps = node->eps; key.affine = node->affine; key.in_layout = in->layout;
    int created;
    dn_entry *e = dn_cache_get(&key, &created);
    *st = e ? ZC_OK : zc_fail(ZC_ENOMEM, "out of memory (primitive cache)");
    if (!e) return NULL;
    dnnl_memory_desc_t md;
    dn_md_node(node, batch, &md);
    unsigned flags = node->affine ? (dnnl_use_scale | dnnl_use_shift) : 0;
    if (!e->fwd) {
        dnnl_batch_normalization_desc_t d;
        *st = dn_check(dnnl_batch_normalization_forward_desc_init(&d, dnnl_forward_training, &md, node->eps, flags), "batch norm");
        if (*st == ZC_OK) *st = dn_check(dnnl_primitive_desc_create(&e->fwd_pd, &d, NULL, dn_engine(), NULL), "batch norm");
        if (*st == ZC_OK) *st = dn_make(e->fwd_pd, &e->fwd, "batch norm");
    }
    if (*st == ZC_OK && backward && !e->backward_ready) {
        dnnl_batch_normalization_desc_t d;
        *st = dn_check(dnnl_batch_normalization_backward_desc_init(&d, node->affine ? dnnl_backward : dnnl_backward_data,
                                                                   &md, &md, node->eps, flags), "batch norm backward");
        if (*st == ZC_OK) *st = dn_check(dnnl_primitive_desc_create(&e->bwd_data_pd, &d, NULL, dn_engine(), e->fwd_pd), "batch norm backward");
        if (*st == ZC_OK) *st = dn_make(e->bwd_data_pd, &e->bwd_data, "batch norm backward");
        e->backward_ready = *st == ZC_OK;
    }
    return *st == ZC_OK ? e : NULL;
}

zc_status dn_bn_forward(zc_net *net, zc_node *node, int batch)
{
    zc_status st;
    dn_entry *e = entry(net, node, batch, 0, &st);
    if (!e) return st;
    zc_node *in = &net->nodes[node->in[0]];
    free(node->ws);
    if (!(node->ws = malloc(2 * (size_t)node->c * sizeof(float)))) return zc_fail(ZC_ENOMEM, "out of memory (batch norm)");
    dnnl_memory_desc_t md, cmd;
    dn_md_node(node, batch, &md);
    dnnl_dims_t c = {node->c};
    dn_md_tag(&cmd, 1, c, dnnl_x);
    dn_arg a[6] = {{DNNL_ARG_SRC, &md, in->out}, {DNNL_ARG_DST, &md, node->out},
                   {DNNL_ARG_MEAN, &cmd, node->ws}, {DNNL_ARG_VARIANCE, &cmd, node->ws + node->c},
                   {DNNL_ARG_SCALE, &cmd, node->affine ? net->params[node->weight].data : NULL},
                   {DNNL_ARG_SHIFT, &cmd, node->affine ? net->params[node->bias].data : NULL}};
    return dn_exec(e->fwd, node->affine ? 6 : 4, a, "batch norm");
}

zc_status dn_bn_backward(zc_net *net, zc_node *node, int batch)
{
    zc_status st;
    dn_entry *e = entry(net, node, batch, 1, &st);
    if (!e) return st;
    zc_node *in = &net->nodes[node->in[0]];
    size_t n = dn_numel(node, batch);
    float *dx = dn_diff_target(net, in, n, 0);   /* scratch when the input grad is not wanted */
    if (!dx) return zc_fail(ZC_ENOMEM, "out of memory (batch norm)");
    dnnl_memory_desc_t md, cmd;
    dn_md_node(node, batch, &md);
    dnnl_dims_t c = {node->c};
    dn_md_tag(&cmd, 1, c, dnnl_x);
    dn_arg a[9] = {{DNNL_ARG_SRC, &md, in->out}, {DNNL_ARG_DIFF_DST, &md, node->grad},
                   {DNNL_ARG_MEAN, &cmd, node->ws}, {DNNL_ARG_VARIANCE, &cmd, node->ws + node->c},
                   {DNNL_ARG_DIFF_SRC, &md, dx},
                   {DNNL_ARG_SCALE, &cmd, node->affine ? net->params[node->weight].data : NULL},
                   {DNNL_ARG_SHIFT, &cmd, node->affine ? net->params[node->bias].data : NULL},
                   {DNNL_ARG_DIFF_SCALE, &cmd, node->affine ? net->params[node->weight].grad : NULL},
                   {DNNL_ARG_DIFF_SHIFT, &cmd, node->affine ? net->params[node->bias].grad : NULL}};
    st = dn_exec(e->bwd_data, node->affine ? 9 : 5, a, "batch norm backward");
    if (st == ZC_OK) dn_accumulate(in, dx, n);
    return st;
}
