/* A backend runs the forward and backward of single nodes. The reference backend (plain C)
 * implements every op and is the oracle for faster backends. */
#ifndef ZCNAS_BACKEND_H
#define ZCNAS_BACKEND_H
#include "zcnas/net.h"

typedef struct zc_backend {
    const char *name;
    /* Computes node->out (already allocated, batch x c x h x w) from its inputs' outputs. */
    zc_status (*forward)(zc_net *net, zc_node *node, int batch, zc_run_mode mode);
    /* Adds d loss / d input into each input's grad buffer and writes parameter grads. */
    zc_status (*backward)(zc_net *net, zc_node *node, int batch);
    /* Optional: called before a forward pass (choose layouts, check support). */
    zc_status (*prepare)(zc_net *net, int batch);
    /* Optional: a worker thread will use `threads` threads inside this backend. */
    void (*thread_init)(int threads);
    /* 0: input-grad buffers are zero-filled and ops add into them; 1: the first contribution is
     * written (node->grad_set tracks it), later ones added, saving a fill and a read. */
    int writes_first_grad;
    /* Optional: converts one of node's buffers (its out or grad, in the backend's layout) to plain
     * NCHW. NULL: buffers are always plain. */
    zc_status (*to_plain)(zc_net *net, const zc_node *node, const float *src, float *dst, int batch);
} zc_backend;

const zc_backend *zc_backend_ref(void);
/* By name ("ref", ...); NULL with zc_last_error set when unknown or not built in. */
const zc_backend *zc_backend_get(const char *name);
/* The fastest backend available in this build. */
const zc_backend *zc_backend_default(void);
void zc_net_set_backend(zc_net *net, const zc_backend *backend);

#endif
