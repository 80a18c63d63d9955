/* Forward and backward of ops with a weight tensor (convolution, inner product): the op files create
 * the primitive descriptors; this file reorders the plain OIHW parameters into the primitives'
 * preferred layouts, runs them, and reorders the weight gradients back. */
#include <stdlib.h>
#include <string.h>
#include "dnnl_weighted.h"

static const dnnl_memory_desc_t *query(dnnl_primitive_desc_t pd, dnnl_query_t what)
{
    return dnnl_primitive_desc_query_md(pd, what, 0);
}

zc_status dn_weighted_finish_fwd(dn_entry *e, const dn_wdesc *d, const char *what)
{
    zc_status st = dn_make(e->fwd_pd, &e->fwd, what);
    const dnnl_memory_desc_t *w = query(e->fwd_pd, dnnl_query_weights_md);
    if (st == ZC_OK) st = dn_make_reorder(&d->w_plain, w, &e->w_to_fwd);
    e->w_fwd_size = dnnl_memory_desc_get_size(w);
    return st;
}

zc_status dn_weighted_finish_bwd(dn_entry *e, const dn_wdesc *d, const char *what)
{
    zc_status st = dn_make(e->bwd_data_pd, &e->bwd_data, what);
    if (st == ZC_OK) st = dn_make(e->bwd_w_pd, &e->bwd_w, what);
    const dnnl_memory_desc_t *wf = query(e->fwd_pd, dnnl_query_weights_md);
    const dnnl_memory_desc_t *wb = query(e->bwd_data_pd, dnnl_query_weights_md);
    const dnnl_memory_desc_t *dw = query(e->bwd_w_pd, dnnl_query_diff_weights_md);
    /* Backward data reads the forward's reordered weights when the layouts agree. */
    if (st == ZC_OK && !dnnl_memory_desc_equal(wf, wb)) st = dn_make_reorder(&d->w_plain, wb, &e->w_to_bwd_data);
    if (st == ZC_OK) st = dn_make_reorder(dw, &d->w_plain, &e->dw_to_plain);
    e->w_bwd_data_size = dnnl_memory_desc_get_size(wb);
    e->dw_size = dnnl_memory_desc_get_size(dw);
    e->backward_ready = st == ZC_OK;
    return st;
}

zc_status dn_weighted_forward(zc_net *net, zc_node *node, dn_entry *e, const dn_wdesc *d, const char *what)
{
    zc_node *in = &net->nodes[node->in[0]];
    float *w = net->params[node->weight].data;
    zc_status st = ZC_OK;
    if (e->w_to_fwd) {
        zci_host_release(NULL, node->ws);
        if (!(node->ws = zci_host_alloc(NULL, (e->w_fwd_size + sizeof(float) - 1) / sizeof(float), 0)))
            return zc_fail(ZC_ENOMEM, "out of memory (%s weights)", what);
        dn_arg r[2] = {{DNNL_ARG_FROM, &d->w_plain, w},
                       {DNNL_ARG_TO, query(e->fwd_pd, dnnl_query_weights_md), node->ws}};
        if ((st = dn_exec(e->w_to_fwd, 2, r, "weight reorder")) != ZC_OK) return st;
        w = node->ws;
    }
    dn_arg a[4] = {{DNNL_ARG_SRC, &d->src, in->out},
                   {DNNL_ARG_WEIGHTS, query(e->fwd_pd, dnnl_query_weights_md), w},
                   {DNNL_ARG_DST, &d->dst, node->out},
                   {DNNL_ARG_BIAS, &d->bias, d->has_bias ? net->params[node->bias].data : NULL}};
    return dn_exec(e->fwd, d->has_bias ? 4 : 3, a, what);
}

zc_status dn_weighted_backward(zc_net *net, zc_node *node, int batch, dn_entry *e, const dn_wdesc *d,
                               const char *what)
{
    zc_node *in = &net->nodes[node->in[0]];
    zc_param *wp = &net->params[node->weight], *bp = d->has_bias ? &net->params[node->bias] : NULL;
    /* d loss / d weights (and bias); a parameter shared by several nodes (a recurrent layer's steps)
     * gets each node's part in scratch, added to what the others left */
    int acc_w = wp->users > 1, acc_b = bp && bp->users > 1;
    zc_status st = ZC_OK;
    if (wp->no_grad) goto input_grad;   /* activation gradients only (zc_net_set_param_grads) */
    float *dw_plain = acc_w ? dn_scratch(4, wp->numel * sizeof(float)) : wp->grad;
    float *db = !bp ? NULL : acc_b ? dn_scratch(5, bp->numel * sizeof(float)) : bp->grad;
    float *dw = e->dw_to_plain ? dn_scratch(1, e->dw_size) : dw_plain;
    if (!dw || !dw_plain || (bp && !db)) return zc_fail(ZC_ENOMEM, "out of memory (%s)", what);
    const dnnl_memory_desc_t *dwmd = query(e->bwd_w_pd, dnnl_query_diff_weights_md);
    dn_arg a[4] = {{DNNL_ARG_SRC, &d->src, in->out},
                   {DNNL_ARG_DIFF_DST, &d->dst, node->grad},
                   {DNNL_ARG_DIFF_WEIGHTS, dwmd, dw},
                   {DNNL_ARG_DIFF_BIAS, &d->bias, db}};
    st = dn_exec(e->bwd_w, d->has_bias ? 4 : 3, a, what);
    if (st == ZC_OK && e->dw_to_plain) {
        dn_arg r[2] = {{DNNL_ARG_FROM, dwmd, dw}, {DNNL_ARG_TO, &d->w_plain, dw_plain}};
        st = dn_exec(e->dw_to_plain, 2, r, "weight-gradient reorder");
    }
    if (st == ZC_OK && acc_w)
        for (size_t i = 0; i < wp->numel; i++) wp->grad[i] += dw_plain[i];
    if (st == ZC_OK && acc_b)
        for (size_t i = 0; i < bp->numel; i++) bp->grad[i] += db[i];
input_grad:
    if (st != ZC_OK || !in->grad) return st;
    /* d loss / d input */
    const dnnl_memory_desc_t *wb = query(e->bwd_data_pd, dnnl_query_weights_md);
    /* The forward's weights when both primitives want the same layout, else the plain parameter,
     * reordered when backward data wants yet another layout. */
    float *w = dnnl_memory_desc_equal(wb, query(e->fwd_pd, dnnl_query_weights_md)) && node->ws ? node->ws : wp->data;
    if (e->w_to_bwd_data) {
        if (!(w = dn_scratch(2, e->w_bwd_data_size))) return zc_fail(ZC_ENOMEM, "out of memory (%s)", what);
        dn_arg r[2] = {{DNNL_ARG_FROM, &d->w_plain, wp->data}, {DNNL_ARG_TO, wb, w}};
        if ((st = dn_exec(e->w_to_bwd_data, 2, r, "weight reorder")) != ZC_OK) return st;
    }
    size_t n_in = dn_numel(in, batch);
    float *dx = dn_diff_target(net, in, n_in, 0);
    if (!dx) return zc_fail(ZC_ENOMEM, "out of memory (%s)", what);
    dn_arg b[3] = {{DNNL_ARG_DIFF_DST, &d->dst, node->grad}, {DNNL_ARG_WEIGHTS, wb, w}, {DNNL_ARG_DIFF_SRC, &d->src, dx}};
    if ((st = dn_exec(e->bwd_data, 3, b, what)) == ZC_OK) dn_accumulate(in, dx, n_in);
    return st;
}

/* The thread's cached primitives for this node's shape, created on first use. */
static zc_status weighted_entry(const dn_weighted_op *op, zc_net *net, zc_node *node, int batch, int backward,
                                dn_entry **out, dn_wdesc *d)
{
    dn_key key;
    op->describe(net, node, batch, d, &key);
    /* A parameter shared by many nodes (a recurrent layer's steps) stays plain: a layout of oneDNN's
     * choice would be reordered into every node's workspace on every pass. */
    key.plain_w = net->params[node->weight].users > 1;
    int created;
    dn_entry *e = dn_cache_get(&key, &created);
    if (!e) return zc_fail(ZC_ENOMEM, "out of memory (primitive cache)");
    dnnl_memory_desc_t wany;
    if (key.plain_w) wany = d->w_plain;
    else dnnl_memory_desc_init_by_tag(&wany, d->w_plain.ndims, d->w_plain.dims, dnnl_f32, dnnl_format_tag_any);
    zc_status st = ZC_OK;
    if (!e->fwd) {
        st = dn_check(op->fwd_pd(net, node, d, &wany, &e->fwd_pd), op->name);
        if (st == ZC_OK) st = dn_weighted_finish_fwd(e, d, op->name);
    }
    if (st == ZC_OK && backward && !e->backward_ready) {
        const char *what = op->backward_name;
        st = dn_check(op->bwd_data_pd(net, node, d, &wany, e->fwd_pd, &e->bwd_data_pd), what);
        if (st == ZC_OK) st = dn_check(op->bwd_w_pd(net, node, d, &wany, e->fwd_pd, &e->bwd_w_pd), what);
        if (st == ZC_OK) st = dn_weighted_finish_bwd(e, d, what);
    }
    *out = e;
    return st;
}

zc_status dn_weighted_run_forward(const dn_weighted_op *op, zc_net *net, zc_node *node, int batch)
{
    dn_entry *e = NULL;
    dn_wdesc d;
    zc_status st = weighted_entry(op, net, node, batch, 0, &e, &d);
    return st != ZC_OK ? st : dn_weighted_forward(net, node, e, &d, op->name);
}

zc_status dn_weighted_run_backward(const dn_weighted_op *op, zc_net *net, zc_node *node, int batch)
{
    dn_entry *e = NULL;
    dn_wdesc d;
    zc_status st = weighted_entry(op, net, node, batch, 1, &e, &d);
    return st != ZC_OK ? st : dn_weighted_backward(net, node, batch, e, &d, op->backward_name);
}
