/* Shared forward/backward for the weighted oneDNN ops (convolution, inner product). */
#ifndef ZC_DNNL_WEIGHTED_H
#define ZC_DNNL_WEIGHTED_H
#include "dnnl_internal.h"

typedef struct dn_wdesc {
    dnnl_memory_desc_t src, dst, bias, w_plain;   /* w_plain: the parameter's own OIHW layout */
    int has_bias;
} dn_wdesc;

/* What a weighted op supplies: its cache key and descriptors, and its three primitive descriptors
 * (forward, backward data and backward weights hinted by the forward), given weights in "any" layout. */
typedef struct dn_weighted_op {
    const char *name, *backward_name;   /* for errors: "convolution", "convolution backward" */
    void (*describe)(const zc_net *net, const zc_node *node, int batch, dn_wdesc *d, dn_key *key);
    dnnl_status_t (*fwd_pd)(const zc_net *net, const zc_node *node, const dn_wdesc *d, const dnnl_memory_desc_t *wany,
                            dnnl_primitive_desc_t *pd);
    dnnl_status_t (*bwd_data_pd)(const zc_net *net, const zc_node *node, const dn_wdesc *d,
                                 const dnnl_memory_desc_t *wany, dnnl_primitive_desc_t hint, dnnl_primitive_desc_t *pd);
    dnnl_status_t (*bwd_w_pd)(const zc_net *net, const zc_node *node, const dn_wdesc *d, const dnnl_memory_desc_t *wany,
                              dnnl_primitive_desc_t hint, dnnl_primitive_desc_t *pd);
} dn_weighted_op;

/* Forward / backward of a weighted op, creating (once per shape and thread) what it needs. */
zc_status dn_weighted_run_forward(const dn_weighted_op *op, zc_net *net, zc_node *node, int batch);
zc_status dn_weighted_run_backward(const dn_weighted_op *op, zc_net *net, zc_node *node, int batch);

/* After the op created e->fwd_pd (resp. e->bwd_data_pd and e->bwd_w_pd). */
zc_status dn_weighted_finish_fwd(dn_entry *e, const dn_wdesc *d, const char *what);
zc_status dn_weighted_finish_bwd(dn_entry *e, const dn_wdesc *d, const char *what);
zc_status dn_weighted_forward(zc_net *net, zc_node *node, dn_entry *e, const dn_wdesc *d, const char *what);
zc_status dn_weighted_backward(zc_net *net, zc_node *node, int batch, dn_entry *e, const dn_wdesc *d,
                               const char *what);

#endif
