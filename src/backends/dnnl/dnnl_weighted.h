/* Shared forward/backward for the weighted oneDNN ops (convolution, inner product). */
#ifndef ZC_DNNL_WEIGHTED_H
#define ZC_DNNL_WEIGHTED_H
#include "dnnl_internal.h"

typedef struct dn_wdesc {
    dnnl_memory_desc_t src, dst, bias, w_plain;   /* w_plain: the parameter's own OIHW layout */
    int has_bias;
} dn_wdesc;

/* After the op created e->fwd_pd (resp. e->bwd_data_pd and e->bwd_w_pd). */
zc_status dn_weighted_finish_fwd(dn_entry *e, const dn_wdesc *d, const char *what);
zc_status dn_weighted_finish_bwd(dn_entry *e, const dn_wdesc *d, const char *what);
zc_status dn_weighted_forward(zc_net *net, zc_node *node, dn_entry *e, const dn_wdesc *d, const char *what);
zc_status dn_weighted_backward(zc_net *net, zc_node *node, int batch, dn_entry *e, const dn_wdesc *d,
                               const char *what);

#endif
