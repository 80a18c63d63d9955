/* oneDNN backend: engine, per-thread stream and primitive cache, layouts, dispatch. Element-wise
 * ops (ReLU, sums, 'none') run the reference kernels, which are layout-agnostic because every
 * tensor of a node and of its inputs shares one layout. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "backends/ref/ref.h"
#include "dnnl_internal.h"

/* libgomp, which oneDNN's OpenMP runtime uses (linked with the library). */
void omp_set_num_threads(int n);

static dnnl_engine_t engine;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static int block = 16;

static void engine_init(void)
{
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) engine = NULL;
    block = (dnnl_get_effective_cpu_isa() & dnnl_cpu_isa_avx512_core) == dnnl_cpu_isa_avx512_core ? 16 : 8;
}

dnnl_engine_t dn_engine(void)
{
    pthread_once(&engine_once, engine_init);
    return engine;
}

/* ---- per-thread state: stream, primitive cache, scratch ---- */
typedef struct dn_thread {
    dnnl_stream_t stream;
    dn_entry *entries;
    int n, cap;
    float *scratch[6];
    size_t scratch_size[6];
} dn_thread;

static pthread_key_t thread_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void destroy_entry(dn_entry *e)
{
    dnnl_primitive_desc_t pds[] = {e->fwd_pd, e->bwd_data_pd, e->bwd_w_pd};
    dnnl_primitive_t prims[] = {e->fwd, e->bwd_data, e->bwd_w, e->w_to_fwd, e->w_to_bwd_data, e->dw_to_plain};
    for (size_t i = 0; i < sizeof pds / sizeof pds[0]; i++) if (pds[i]) dnnl_primitive_desc_destroy(pds[i]);
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++) if (prims[i]) dnnl_primitive_destroy(prims[i]);
}

static void thread_free(void *p)
{
    dn_thread *t = p;
    for (int i = 0; i < t->n; i++) destroy_entry(&t->entries[i]);
    free(t->entries);
    for (int i = 0; i < 6; i++) free(t->scratch[i]);
    if (t->stream) dnnl_stream_destroy(t->stream);
    free(t);
}

static void key_init(void) { pthread_key_create(&thread_key, thread_free); }

static dn_thread *thread_state(void)
{
    pthread_once(&key_once, key_init);
    dn_thread *t = pthread_getspecific(thread_key);
    if (!t) {
        t = calloc(1, sizeof *t);
        if (!t) return NULL;
        if (!dn_engine() || dnnl_stream_create(&t->stream, dn_engine(), dnnl_stream_default_flags) != dnnl_success) {
            free(t);
            return NULL;
        }
        pthread_setspecific(thread_key, t);
    }
    return t;
}

dnnl_stream_t dn_stream(void)
{
    dn_thread *t = thread_state();
    return t ? t->stream : NULL;
}

dn_entry *dn_cache_get(const dn_key *key, int *created)
{
    dn_thread *t = thread_state();
    if (!t) return NULL;
    for (int i = 0; i < t->n; i++)
        if (!memcmp(&t->entries[i].key, key, sizeof *key)) { *created = 0; return &t->entries[i]; }
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 64;
        dn_entry *e = realloc(t->entries, (size_t)cap * sizeof *e);
        if (!e) return NULL;
        t->entries = e;
        t->cap = cap;
    }
    dn_entry *e = &t->entries[t->n++];
    memset(e, 0, sizeof *e);
    e->key = *key;
    *created = 1;
    return e;
}

float *dn_scratch(int slot, size_t bytes)
{
    dn_thread *t = thread_state();
    if (!t) return NULL;
    if (t->scratch_size[slot] < bytes) {
        free(t->scratch[slot]);
        t->scratch[slot] = malloc(bytes);
        t->scratch_size[slot] = t->scratch[slot] ? bytes : 0;
    }
    return t->scratch[slot];
}

/* ---- descriptors and execution ---- */
zc_status dn_check(dnnl_status_t s, const char *what)
{
    if (s == dnnl_success) return ZC_OK;
    if (s == dnnl_out_of_memory) return zc_fail(ZC_ENOMEM, "oneDNN: out of memory (%s)", what);
    if (s == dnnl_unimplemented) return zc_fail(ZC_EUNSUPPORTED, "oneDNN: no implementation for %s", what);
    return zc_fail(ZC_EBACKEND, "oneDNN: error %d in %s", (int)s, what);
}

void dn_md_tag(dnnl_memory_desc_t *md, int ndims, const dnnl_dims_t dims, dnnl_format_tag_t tag)
{
    dnnl_memory_desc_init_by_tag(md, ndims, dims, dnnl_f32, tag);
}

void dn_md_node(const zc_node *n, int batch, dnnl_memory_desc_t *md)
{
    if (n->op == ZC_OP_LINEAR) {
        dnnl_dims_t d = {batch, n->c};
        dn_md_tag(md, 2, d, dnnl_nc);
        return;
    }
    dnnl_dims_t d = {batch, n->c, n->h, n->w};
    dn_md_tag(md, 4, d, n->layout == DN_BLOCK16 ? dnnl_nChw16c : n->layout == DN_BLOCK8 ? dnnl_nChw8c : dnnl_nchw);
}

zc_status dn_make(dnnl_primitive_desc_t pd, dnnl_primitive_t *prim, const char *what)
{
    return dn_check(dnnl_primitive_create(prim, pd), what);
}

zc_status dn_make_reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, dnnl_primitive_t *out)
{
    *out = NULL;
    if (dnnl_memory_desc_equal(from, to)) return ZC_OK;
    dnnl_primitive_desc_t pd;
    zc_status st = dn_check(dnnl_reorder_primitive_desc_create(&pd, from, dn_engine(), to, dn_engine(), NULL), "reorder");
    if (st != ZC_OK) return st;
    st = dn_make(pd, out, "reorder");
    dnnl_primitive_desc_destroy(pd);
    return st;
}

zc_status dn_exec(dnnl_primitive_t prim, int n, const dn_arg *args, const char *what)
{
    dnnl_exec_arg_t ea[12];
    dnnl_memory_t mem[12];
    int made = 0;
    zc_status st = ZC_OK;
    for (int i = 0; i < n && st == ZC_OK; i++) {
        st = dn_check(dnnl_memory_create(&mem[i], args[i].md, dn_engine(), args[i].ptr), what);
        if (st == ZC_OK) { ea[i].arg = args[i].arg; ea[i].memory = mem[i]; made++; }
    }
    if (st == ZC_OK) st = dn_check(dnnl_primitive_execute(prim, dn_stream(), n, ea), what);
    if (st == ZC_OK) st = dn_check(dnnl_stream_wait(dn_stream()), what);
    for (int i = 0; i < made; i++) dnnl_memory_destroy(mem[i]);
    return st;
}

size_t dn_numel(const zc_node *n, int batch) { return (size_t)batch * n->c * n->h * n->w; }

float *dn_diff_target(const zc_net *net, const zc_node *in, size_t floats, int slot)
{
    (void)net;
    if (in->grad && !in->grad_set) return in->grad;   /* first contribution: written in place */
    return dn_scratch(slot, floats * sizeof(float));
}

void dn_accumulate(zc_node *in, const float *diff, size_t floats)
{
    if (!in->grad) return;
    if (diff == in->grad) { in->grad_set = 1; return; }
    for (size_t i = 0; i < floats; i++) in->grad[i] += diff[i];
}

/* ---- the backend ---- */
/* Ops that choose their output's layout (convs, linear, and the channel moves, which convert); the
 * others produce their input's layout. */
static int chooses_layout(zc_op op)
{
    return op == ZC_OP_INPUT || op == ZC_OP_CONV2D || op == ZC_OP_LINEAR || op == ZC_OP_CONCAT || op == ZC_OP_TRUNCATE ||
           op == ZC_OP_DECONV2D || op == ZC_OP_UNTILE;
}

/* One channel block for the whole network: oneDNN's JIT convolutions need the same blocking on both
 * sides (a conv from nChw8c to nChw16c falls back to its slow reference implementation), so the
 * block is the machine's (16 on AVX-512, 8 on AVX2) when every layer's width is a multiple of it,
 * else 8 when every width is a multiple of 8 (the AVX2 kernels run there), else plain NCHW (gemm-based
 * convolutions) everywhere. */
static int net_layout(const zc_net *net)
{
    int all16 = block == 16, all8 = 1;
    for (int i = 1; i < net->n_nodes; i++) {
        const zc_node *n = &net->nodes[i];
        if (!n->live || n->op == ZC_OP_LINEAR || n->layout == DN_PLAIN || !chooses_layout(n->op) || n->op == ZC_OP_UNTILE)
            continue;
        all16 &= n->c % 16 == 0;
        all8 &= n->c % 8 == 0;
    }
    return all16 ? DN_BLOCK16 : all8 ? DN_BLOCK8 : DN_PLAIN;
}


static zc_status dn_prepare(void *ctx, zc_net *net, int batch)
{
    (void)ctx;
    (void)batch;
    if (!dn_engine() || !dn_stream()) return zc_fail(ZC_EBACKEND, "oneDNN: cannot create a CPU engine");
    /* The network output is read as plain NCHW: the chain of layout-inheriting ops above it, up to
     * the convs that produce it, stays plain (in real networks the output is a linear layer). */
    for (int i = 0; i < net->n_nodes; i++) net->nodes[i].layout = -1;
    net->nodes[net->output].layout = DN_PLAIN;
    for (int i = net->output; i > 0; i--) {
        zc_node *n = &net->nodes[i];
        if (n->live && n->layout == DN_PLAIN && !chooses_layout(n->op))
            for (int j = 0; j < n->n_in; j++) net->nodes[n->in[j]].layout = DN_PLAIN;
    }
    /* The block, from the widths of the convs that are not forced plain by the output (a dense
     * head's last conv to 3 channels does not unblock the whole network). */
    int blocked = net_layout(net);
    for (int i = 0; i < net->n_nodes; i++) {
        zc_node *n = &net->nodes[i];
        if (!n->live) continue;
        switch (n->op) {
        case ZC_OP_INPUT: n->layout = DN_PLAIN; break;
        case ZC_OP_CONV2D:
        case ZC_OP_DECONV2D:
        case ZC_OP_CONCAT:
        case ZC_OP_TRUNCATE: n->layout = n->layout == DN_PLAIN || n->c % (blocked == DN_BLOCK16 ? 16 : 8) ? DN_PLAIN : blocked; break;
        case ZC_OP_LINEAR:
        case ZC_OP_UNTILE: n->layout = DN_PLAIN; break;
        case ZC_OP_EMBEDDING:
        case ZC_OP_MUL:
        case ZC_OP_BLEND:
        case ZC_OP_STEP:
        case ZC_OP_STACK:
        case ZC_OP_STATE:   /* recurrent networks: plain 2-D tensors throughout */
            n->layout = DN_PLAIN;
            for (int j = 0; j < n->n_in; j++)
                if (net->nodes[n->in[j]].layout != DN_PLAIN)
                    return zc_fail(ZC_EUNSUPPORTED, "dnnl backend: %s of a blocked tensor", zc_op_name(n->op));
            break;
        default:
            /* A pruned 'none' does not read its input: give it the layout convs would produce. */
            n->layout = net->nodes[n->in[0]].live ? net->nodes[n->in[0]].layout : blocked;
            for (int j = 1; j < n->n_in; j++)
                if (net->nodes[n->in[j]].layout != n->layout)
                    return zc_fail(ZC_EUNSUPPORTED, "dnnl backend: %s of tensors in different layouts", zc_op_name(n->op));
        }
    }
    return ZC_OK;
}

static zc_status dn_forward(void *ctx, zc_net *net, zc_node *node, int batch, zc_run_mode mode)
{
    (void)ctx;
    (void)mode;
    switch (node->op) {
    case ZC_OP_CONV2D: return dn_conv_forward(net, node, batch);
    case ZC_OP_BATCHNORM: return dn_bn_forward(net, node, batch);
    case ZC_OP_AVGPOOL:
    case ZC_OP_GAP: return dn_pool_forward(net, node, batch);
    case ZC_OP_LINEAR: return dn_linear_forward(net, node, batch);
    case ZC_OP_RELU: return zci_ref_relu_forward(net, node, batch);
    case ZC_OP_ADD: return zci_ref_add_forward(net, node, batch);
    case ZC_OP_ZERO:
        return zci_zero_reshapes(net, node) ? dn_zero_to_forward(net, node, batch) : zci_ref_zero_forward(net, node, batch);
    case ZC_OP_DECONV2D: return dn_deconv_forward(net, node, batch);
    case ZC_OP_LEAKY_RELU: return dn_leaky_relu_forward(net, node, batch);
    case ZC_OP_TANH: return dn_tanh_forward(net, node, batch);
    case ZC_OP_SHIFT: return dn_shift_forward(net, node, batch);
    case ZC_OP_UNTILE: return dn_untile_forward(net, node, batch);
    case ZC_OP_SIGMOID: return zci_ref_sigmoid_forward(net, node, batch);
    case ZC_OP_SCALE: return dn_scale_forward(net, node, batch);
    case ZC_OP_MAXPOOL: return dn_maxpool_forward(net, node, batch);
    case ZC_OP_CONCAT: return dn_concat_forward(net, node, batch);
    case ZC_OP_TRUNCATE: return dn_truncate_forward(net, node, batch);
    case ZC_OP_EMBEDDING: return zci_rnn_embedding_forward(net, node, batch);
    case ZC_OP_MUL: return zci_rnn_mul_forward(net, node, batch);
    case ZC_OP_BLEND: return zci_rnn_blend_forward(net, node, batch);
    case ZC_OP_STEP: return zci_rnn_step_forward(net, node, batch);
    case ZC_OP_STACK: return zci_rnn_stack_forward(net, node, batch);
    case ZC_OP_STATE: return zci_rnn_state_forward(net, node, batch);
    default: return zc_fail(ZC_EUNSUPPORTED, "dnnl backend: no forward for op %s", zc_op_name(node->op));
    }
}

static zc_status dn_backward(void *ctx, zc_net *net, zc_node *node, int batch)
{
    (void)ctx;
    switch (node->op) {
    case ZC_OP_CONV2D: return dn_conv_backward(net, node, batch);
    case ZC_OP_BATCHNORM: return dn_bn_backward(net, node, batch);
    case ZC_OP_AVGPOOL:
    case ZC_OP_GAP: return dn_pool_backward(net, node, batch);
    case ZC_OP_LINEAR: return dn_linear_backward(net, node, batch);
    case ZC_OP_RELU: return dn_relu_backward(net, node, batch);
    case ZC_OP_ADD: return dn_add_backward(net, node, batch);
    case ZC_OP_ZERO:
        return zci_zero_reshapes(net, node) ? dn_zero_to_backward(net, node, batch) : dn_zero_backward(net, node, batch);
    case ZC_OP_DECONV2D: return dn_deconv_backward(net, node, batch);
    case ZC_OP_LEAKY_RELU: return dn_leaky_relu_backward(net, node, batch);
    case ZC_OP_TANH: return dn_tanh_backward(net, node, batch);
    case ZC_OP_SHIFT: return dn_shift_backward(net, node, batch);
    case ZC_OP_UNTILE: return dn_untile_backward(net, node, batch);
    case ZC_OP_SIGMOID: return dn_sigmoid_backward(net, node, batch);
    case ZC_OP_SCALE: return dn_scale_backward(net, node, batch);
    case ZC_OP_MAXPOOL: return dn_maxpool_backward(net, node, batch);
    case ZC_OP_CONCAT: return dn_concat_backward(net, node, batch);
    case ZC_OP_TRUNCATE: return dn_truncate_backward(net, node, batch);
    case ZC_OP_EMBEDDING: return zci_rnn_embedding_backward(net, node, batch, 1);
    case ZC_OP_MUL: return zci_rnn_mul_backward(net, node, batch, 1);
    case ZC_OP_BLEND: return zci_rnn_blend_backward(net, node, batch, 1);
    case ZC_OP_STEP: return zci_rnn_step_backward(net, node, batch, 1);
    case ZC_OP_STACK: return zci_rnn_stack_backward(net, node, batch, 1);
    case ZC_OP_STATE: return zci_rnn_state_backward(net, node, batch);
    default: return zc_fail(ZC_EUNSUPPORTED, "dnnl backend: no backward for op %s", zc_op_name(node->op));
    }
}

static void dn_thread_init(void *ctx, int threads)
{
    (void)ctx;
    omp_set_num_threads(threads > 0 ? threads : 1);
}

/* A node's buffer between its layout and plain NCHW host memory (a linear's output is plain). */
static zc_status reorder_plain(const zc_node *node, const float *src, float *dst, int batch, int to_plain)
{
    dnnl_memory_desc_t own, plain;
    dn_md_node(node, batch, &own);
    if (node->op == ZC_OP_LINEAR) plain = own;
    else {
        dnnl_dims_t d = {batch, node->c, node->h, node->w};
        dn_md_tag(&plain, 4, d, dnnl_nchw);
    }
    if (dnnl_memory_desc_equal(&own, &plain)) {
        memcpy(dst, src, dn_numel(node, batch) * sizeof(float));
        return ZC_OK;
    }
    const dnnl_memory_desc_t *from = to_plain ? &own : &plain, *to = to_plain ? &plain : &own;
    dnnl_primitive_t r;
    zc_status st = dn_make_reorder(from, to, &r);
    if (st != ZC_OK) return st;
    dn_arg a[2] = {{DNNL_ARG_FROM, from, (void *)src}, {DNNL_ARG_TO, to, dst}};
    st = dn_exec(r, 2, a, to_plain ? "reorder to NCHW" : "reorder from NCHW");
    dnnl_primitive_destroy(r);
    return st;
}

static zc_status dn_to_plain(void *ctx, zc_net *net, const zc_node *node, const float *src, float *dst, int batch)
{
    (void)ctx;
    (void)net;
    return reorder_plain(node, src, dst, batch, 1);
}

static zc_status dn_from_plain(void *ctx, zc_net *net, const zc_node *node, const float *src, float *dst, int batch)
{
    (void)ctx;
    (void)net;
    return reorder_plain(node, src, dst, batch, 0);
}

/* Activations and parameters stay in host memory (the CPU engine reads them in place). */
static const zc_backend dnnl_backend = {
    .name = "dnnl",
    .forward = dn_forward,
    .backward = dn_backward,
    .prepare = dn_prepare,
    .thread_init = dn_thread_init,
    .writes_first_grad = 1,
    .to_plain = dn_to_plain,
    .from_plain = dn_from_plain,
    .alloc = zci_host_alloc,
    .release = zci_host_release,
    .read = zci_host_read,
    .write = zci_host_write,
    .host_memory = 1,
};

const zc_backend *zci_backend_dnnl(void) { return &dnnl_backend; }
