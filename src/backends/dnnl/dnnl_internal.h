/* oneDNN (2.x C API) backend internals. Activations stay in oneDNN's blocked layouts (nChw16c on
 * AVX-512, nChw8c on AVX2) from the first conv to the classifier; only weights are reordered, to and
 * from PyTorch's OIHW layout that the parameters keep. Primitives are created once per shape and
 * thread and reused across architectures. */
#ifndef ZC_DNNL_INTERNAL_H
#define ZC_DNNL_INTERNAL_H
#include <oneapi/dnnl/dnnl.h>
#include "backends/backend_impl.h"

enum { DN_PLAIN = 0, DN_BLOCK8 = 1, DN_BLOCK16 = 2 };

/* Identifies a primitive set: every field that changes the primitive (zero-filled before use, so
 * the struct compares with memcmp). */
typedef struct dn_key {
    int op;
    int n, c, h, w;         /* input */
    int oc, oh, ow;         /* output */
    int k, s, p, g, bias, cip, affine;
    int in_layout, out_layout;
    int plain_w;            /* weights kept plain (a parameter shared by many nodes: no per-node reorder) */
    float eps;
} dn_key;

typedef struct dn_entry {
    dn_key key;
    dnnl_primitive_desc_t fwd_pd, bwd_data_pd, bwd_w_pd;
    dnnl_primitive_t fwd, bwd_data, bwd_w;
    /* weight reorders between the plain OIHW parameters and the primitives' layouts (NULL: same) */
    dnnl_primitive_t w_to_fwd, w_to_bwd_data, dw_to_plain;
    size_t w_fwd_size, w_bwd_data_size, dw_size;   /* bytes */
    int backward_ready;
} dn_entry;

dnnl_engine_t dn_engine(void);
dnnl_stream_t dn_stream(void);
/* The thread's cached entry for key (created empty on first use; NULL on out of memory). */
dn_entry *dn_cache_get(const dn_key *key, int *created);
/* Memory descriptor of a node's activation (its layout), or of a plain 1-D vector / OIHW weights. */
void dn_md_node(const zc_node *n, int batch, dnnl_memory_desc_t *md);
void dn_md_tag(dnnl_memory_desc_t *md, int ndims, const dnnl_dims_t dims, dnnl_format_tag_t tag);
/* Creates a primitive (and a reorder between two descriptors when they differ; *out = NULL if equal). */
zc_status dn_make(dnnl_primitive_desc_t pd, dnnl_primitive_t *prim, const char *what);
zc_status dn_make_reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, dnnl_primitive_t *out);
/* Executes with (arg, md, pointer) triples. */
typedef struct dn_arg { int arg; const dnnl_memory_desc_t *md; void *ptr; } dn_arg;
zc_status dn_exec(dnnl_primitive_t prim, int n, const dn_arg *args, const char *what);
zc_status dn_check(dnnl_status_t s, const char *what);
/* Thread-local scratch of at least `bytes` (valid until the next call with the same slot). */
float *dn_scratch(int slot, size_t bytes);
/* Where an op writes d loss / d input: straight into the input's grad when it is the only reader
 * (that buffer is still zero), else into scratch to be added by dn_accumulate. */
float *dn_diff_target(const zc_net *net, const zc_node *in, size_t floats, int slot);
void dn_accumulate(zc_node *in, const float *diff, size_t floats);
size_t dn_numel(const zc_node *n, int batch);

zc_status dn_conv_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_conv_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_bn_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_bn_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_pool_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_pool_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_linear_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_linear_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_relu_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_add_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_zero_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_sigmoid_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_scale_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_scale_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_maxpool_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_maxpool_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_concat_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_concat_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_truncate_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_truncate_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_deconv_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_deconv_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_leaky_relu_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_leaky_relu_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_tanh_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_tanh_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_shift_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_shift_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_zero_to_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_zero_to_backward(zc_net *net, zc_node *node, int batch);
zc_status dn_untile_forward(zc_net *net, zc_node *node, int batch);
zc_status dn_untile_backward(zc_net *net, zc_node *node, int batch);

#endif
