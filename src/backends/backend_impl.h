/* The backend interface (internal): a function table with a context pointer, on the engine's
 * graph (engine_impl.h). A backend owns the memory of tensors (activations, gradients and
 * parameters): the engine allocates, releases, reads and writes them only through these functions,
 * so a device backend can keep them in device memory. */
#ifndef ZC_BACKEND_IMPL_H
#define ZC_BACKEND_IMPL_H
#include <stddef.h>
#include "engine/engine_impl.h"
#include "zcnas/backend.h"

struct zc_backend {
    const char *name;
    void *ctx;   /* the backend's own state, passed to every function */
    /* Computes node->out (already allocated, batch x c x h x w) from its inputs' outputs. */
    zc_status (*forward)(void *ctx, zc_net *net, zc_node *node, int batch, zc_run_mode mode);
    /* Adds d loss / d input into each input's grad buffer and writes parameter grads. */
    zc_status (*backward)(void *ctx, zc_net *net, zc_node *node, int batch);
    /* Optional: called before a forward pass (choose layouts, check support). */
    zc_status (*prepare)(void *ctx, zc_net *net, int batch);
    /* Optional: a worker thread will use `threads` threads inside this backend. */
    void (*thread_init)(void *ctx, int threads);
    /* 0: input-grad buffers are zero-filled and ops add into them; 1: the first contribution is
     * written (node->grad_set tracks it), later ones added, saving a fill and a read. */
    int writes_first_grad;
    /* Optional: converts one of node's buffers (its out or grad, in the backend's layout) to plain
     * NCHW host memory. NULL: buffers are always plain. */
    zc_status (*to_plain)(void *ctx, zc_net *net, const zc_node *node, const float *src, float *dst, int batch);
    /* Optional: the inverse, plain NCHW host memory into a buffer of node's layout (a gradient seeded
     * inside the network). NULL: buffers are always plain. */
    zc_status (*from_plain)(void *ctx, zc_net *net, const zc_node *node, const float *src, float *dst, int batch);
    /* Tensor memory: `floats` elements, zero-filled when asked; NULL when out of memory. */
    float *(*alloc)(void *ctx, size_t floats, int zeroed);
    void (*release)(void *ctx, float *data);
    /* Copies between the backend's memory and host memory. */
    void (*read)(void *ctx, const float *src, float *host_dst, size_t floats);
    void (*write)(void *ctx, float *dst, const float *host_src, size_t floats);
    /* 1: the backend's memory is host memory, so host views are the buffers themselves. */
    int host_memory;
};

/* Host memory for CPU backends: pooled, 64-byte aligned (engine/buffers.h), plain copies. */
float *zci_host_alloc(void *ctx, size_t floats, int zeroed);
void zci_host_release(void *ctx, float *data);
void zci_host_read(void *ctx, const float *src, float *host_dst, size_t floats);
void zci_host_write(void *ctx, float *dst, const float *host_src, size_t floats);

const zc_backend *zci_backend_ref(void);
#ifdef ZCNAS_HAVE_DNNL
const zc_backend *zci_backend_dnnl(void);
#endif

#endif
