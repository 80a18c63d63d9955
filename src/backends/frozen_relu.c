/* The ReLU freezer (zcnas/backend.h): a backend that wraps the net's own, records ReLU masks, then
 * replays them. Everything but ReLU is delegated; the wrapper's context points at its state. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "backends/backend_impl.h"

struct zc_relu_freezer {
    zc_backend b;               /* the wrapper installed on the net; b.ctx points at this struct */
    const zc_backend *base;     /* the backend it wraps */
    const zc_backend *restore;  /* what net->backend was (possibly NULL: the default) */
    int record;                 /* 1: ReLU as usual, recording m = 1[x > 0]; 0: x * m */
    int n_nodes, batch;
    uint8_t **mask;             /* per node: batch x c x h x w bits (ReLU nodes only) */
};

static zc_status frozen_forward(void *ctx, zc_net *net, zc_node *node, int batch, zc_run_mode mode)
{
    zc_relu_freezer *f = ctx;
    if (node->op != ZC_OP_RELU) return f->base->forward(f->base->ctx, net, node, batch, mode);
    int id = (int)(node - net->nodes);
    size_t n = (size_t)batch * node->c * node->h * node->w;
    const float *x = net->nodes[node->in[0]].out;
    if (f->record) {
        if (!f->mask[id] && !(f->mask[id] = calloc((n + 7) / 8, 1)))
            return zc_fail(ZC_ENOMEM, "relu freezer: out of memory for ReLU masks");
        uint8_t *m = f->mask[id];
        memset(m, 0, (n + 7) / 8);
        for (size_t i = 0; i < n; i++)
            if (x[i] > 0.0f) m[i >> 3] |= (uint8_t)(1u << (i & 7));
        f->batch = batch;
        return f->base->forward(f->base->ctx, net, node, batch, mode);
    }
    const uint8_t *m = f->mask[id];
    if (!m || batch != f->batch) return zc_fail(ZC_EINVAL, "relu freezer: no recorded ReLU mask");
    for (size_t i = 0; i < n; i++) node->out[i] = (m[i >> 3] >> (i & 7)) & 1 ? x[i] : 0.0f;
    return ZC_OK;
}

static zc_status frozen_backward(void *ctx, zc_net *net, zc_node *node, int batch)
{
    zc_relu_freezer *f = ctx;
    if (node->op != ZC_OP_RELU || f->record) return f->base->backward(f->base->ctx, net, node, batch);
    zc_node *in = &net->nodes[node->in[0]];
    const uint8_t *m = f->mask[node - net->nodes];
    if (!in->grad) return ZC_OK;
    if (!m || batch != f->batch) return zc_fail(ZC_EINVAL, "relu freezer: no recorded ReLU mask");
    size_t n = (size_t)batch * node->c * node->h * node->w;
    /* The base backend's accumulation protocol: write-first (grad_set) or add into zeros. */
    int add = !f->base->writes_first_grad || in->grad_set;
    for (size_t i = 0; i < n; i++) {
        float v = (m[i >> 3] >> (i & 7)) & 1 ? node->grad[i] : 0.0f;
        in->grad[i] = add ? in->grad[i] + v : v;
    }
    in->grad_set = 1;
    return ZC_OK;
}

static zc_status frozen_prepare(void *ctx, zc_net *net, int batch)
{
    zc_relu_freezer *f = ctx;
    return f->base->prepare ? f->base->prepare(f->base->ctx, net, batch) : ZC_OK;
}

static void frozen_thread_init(void *ctx, int threads)
{
    zc_relu_freezer *f = ctx;
    if (f->base->thread_init) f->base->thread_init(f->base->ctx, threads);
}

static zc_status frozen_to_plain(void *ctx, zc_net *net, const zc_node *node, const float *src, float *dst, int batch)
{
    zc_relu_freezer *f = ctx;
    return f->base->to_plain(f->base->ctx, net, node, src, dst, batch);
}

/* Memory stays the base backend's: the wrapper forwards to it with the base's own context. */
static float *frozen_alloc(void *ctx, size_t floats, int zeroed)
{
    zc_relu_freezer *f = ctx;
    return f->base->alloc(f->base->ctx, floats, zeroed);
}

static void frozen_release(void *ctx, float *data)
{
    zc_relu_freezer *f = ctx;
    f->base->release(f->base->ctx, data);
}

static void frozen_read(void *ctx, const float *src, float *dst, size_t n)
{
    zc_relu_freezer *f = ctx;
    f->base->read(f->base->ctx, src, dst, n);
}

static void frozen_write(void *ctx, float *dst, const float *src, size_t n)
{
    zc_relu_freezer *f = ctx;
    f->base->write(f->base->ctx, dst, src, n);
}

zc_status zc_relu_freezer_attach(zc_net *net, zc_relu_freezer **out)
{
    zc_relu_freezer *f = calloc(1, sizeof *f);
    if (!f || !(f->mask = calloc((size_t)net->n_nodes, sizeof *f->mask))) {
        free(f);
        return zc_fail(ZC_ENOMEM, "relu freezer: out of memory");
    }
    f->base = zci_net_backend(net);
    if (!f->base->host_memory) {
        const char *name = f->base->name;
        free(f->mask);
        free(f);
        return zc_fail(ZC_EUNSUPPORTED, "relu freezer: backend %s keeps tensors off the host", name);
    }
    f->restore = net->backend;
    f->record = 1;
    f->n_nodes = net->n_nodes;
    f->b = *f->base;
    f->b.name = "relu-freezer";
    f->b.ctx = f;
    f->b.forward = frozen_forward;
    f->b.backward = frozen_backward;
    f->b.prepare = frozen_prepare;
    f->b.thread_init = frozen_thread_init;
    f->b.to_plain = f->base->to_plain ? frozen_to_plain : NULL;
    f->b.alloc = frozen_alloc;
    f->b.release = frozen_release;
    f->b.read = frozen_read;
    f->b.write = frozen_write;
    net->backend = &f->b;   /* same memory: no migration (zc_net_set_backend would copy) */
    *out = f;
    return ZC_OK;
}

void zc_relu_freezer_freeze(zc_relu_freezer *f) { f->record = 0; }

void zc_relu_freezer_detach(zc_relu_freezer *f, zc_net *net)
{
    if (!f) return;
    zc_net_release_buffers(net);   /* allocated through the wrapper: released while it is there */
    net->backend = f->restore;
    for (int i = 0; i < f->n_nodes; i++) free(f->mask[i]);
    free(f->mask);
    free(f);
}
