/* Average pooling (PyTorch's count_include_pad rule) and global average pooling. */
#include <string.h>
#include "dnnl_internal.h"

static dn_entry *entry(zc_net *net, zc_node *node, int batch, int backward, zc_status *st)
{
    const zc_node *in = &net->nodes[node->in[0]];
    dn_key key;
    memset(&key, 0, sizeof key);
    key.op = node->op;
    key.n = batch; key.c = in->c; key.h = in->h; key.w = in->w;
    key.oh = node->h; key.ow = node->w;
    key.k = node->k; key.s = node->stride; key.p = node->pad; key.cip = node->count_include_pad;
    key.in_layout = in->layout;
    int created;
    dn_entry *e = dn_cache_get(&key, &created);
    *st = e ? ZC_OK : zc_fail(ZC_ENOMEM, "out of memory (primitive cache)");
    if (!e) return NULL;
    dnnl_memory_desc_t src, dst;
    dn_md_node(in, batch, &src);
    dn_md_node(node, batch, &dst);
    dnnl_dims_t k, s, pl, pr;
    dnnl_alg_kind_t alg;
    if (node->op == ZC_OP_GAP) {
        k[0] = in->h; k[1] = in->w;
        s[0] = s[1] = 1;
        pl[0] = pl[1] = pr[0] = pr[1] = 0;
        alg = dnnl_pooling_avg_exclude_padding;
    } else {
        k[0] = k[1] = node->k;
        s[0] = s[1] = node->stride;
        pl[0] = pl[1] = node->pad;
        pr[0] = (node->h - 1) * node->stride + node->k - in->h - node->pad;
        pr[1] = (node->w - 1) * node->stride + node->k - in->w - node->pad;
        alg = node->count_include_pad ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding;
    }
    if (!e->fwd) {
        dnnl_pooling_desc_t d;
        *st = dn_check(dnnl_pooling_forward_desc_init(&d, dnnl_forward_training, alg, &src, &dst, s, k, pl, pr), "pooling");
        if (*st == ZC_OK) *st = dn_check(dnnl_primitive_desc_create(&e->fwd_pd, &d, NULL, dn_engine(), NULL), "pooling");
        if (*st == ZC_OK) *st = dn_make(e->fwd_pd, &e->fwd, "pooling");
    }
    if (*st == ZC_OK && backward && !e->backward_ready) {
        dnnl_pooling_desc_t d;
        *st = dn_check(dnnl_pooling_backward_desc_init(&d, alg, &src, &dst, s, k, pl, pr), "pooling backward");
        if (*st == ZC_OK) *st = dn_check(dnnl_primitive_desc_create(&e->bwd_data_pd, &d, NULL, dn_engine(), e->fwd_pd), "pooling backward");
        if (*st == ZC_OK) *st = dn_make(e->bwd_data_pd, &e->bwd_data, "pooling backward");
        e->backward_ready = *st == ZC_OK;
    }
    return *st == ZC_OK ? e : NULL;
}

zc_status dn_pool_forward(zc_net *net, zc_node *node, int batch)
{
    zc_status st;
    dn_entry *e = entry(net, node, batch, 0, &st);
    if (!e) return st;
    zc_node *in = &net->nodes[node->in[0]];
    dnnl_memory_desc_t src, dst;
    dn_md_node(in, batch, &src);
    dn_md_node(node, batch, &dst);
    dn_arg a[2] = {{DNNL_ARG_SRC, &src, in->out}, {DNNL_ARG_DST, &dst, node->out}};
    return dn_exec(e->fwd, 2, a, "pooling");
}

zc_status dn_pool_backward(zc_net *net, zc_node *node, int batch)
{
    zc_status st;
    dn_entry *e = entry(net, node, batch, 1, &st);
    if (!e) return st;
    zc_node *in = &net->nodes[node->in[0]];
    if (!in->grad) return ZC_OK;
    size_t n = dn_numel(in, batch);
    float *dx = dn_diff_target(net, in, n, 0);
    if (!dx) return zc_fail(ZC_ENOMEM, "out of memory (pooling)");
    dnnl_memory_desc_t src, dst;
    dn_md_node(in, batch, &src);
    dn_md_node(node, batch, &dst);
    dn_arg a[2] = {{DNNL_ARG_DIFF_DST, &dst, node->grad}, {DNNL_ARG_DIFF_SRC, &src, dx}};
    st = dn_exec(e->bwd_data, 2, a, "pooling backward");
    if (st == ZC_OK) dn_accumulate(in, dx, n);
    return st;
}
