/* Backend registry: name -> implementation. zc_backend_default() is the one place that decides the
 * default backend; nothing else names a backend. */
#include <string.h>
#include "backends/backend_impl.h"
#include "engine/buffers.h"

static const zc_backend *(*const backends[])(void) = {
#ifdef ZCNAS_HAVE_DNNL
    zci_backend_dnnl,   /* first: the default */
#endif
    zci_backend_ref,
};
#define N_BACKENDS (int)(sizeof backends / sizeof backends[0])

const zc_backend *zc_backend_get(const char *name)
{
    if (!name) return zc_backend_default();
    for (int i = 0; i < N_BACKENDS; i++)
        if (!strcmp(backends[i]()->name, name)) return backends[i]();
    if (!strcmp(name, "dnnl"))
        zc_fail(ZC_EUNSUPPORTED, "backend 'dnnl' is not built in (oneDNN was not found at build time)");
    else
        zc_fail(ZC_EINVAL, "unknown backend '%s' (this build has %s)", name, zc_backend_names());
    return NULL;
}

const zc_backend *zc_backend_default(void) { return backends[0](); }

const char *zc_backend_name(const zc_backend *b) { return b ? b->name : zc_backend_default()->name; }

const char *zc_backend_names(void)
{
#ifdef ZCNAS_HAVE_DNNL
    return "dnnl, ref";
#else
    return "ref";
#endif
}

void zc_backend_thread_init(const zc_backend *b, int threads)
{
    if (!b) b = zc_backend_default();
    if (b->thread_init) b->thread_init(b->ctx, threads);
}

/* ---- host memory, shared by the CPU backends ---- */
float *zci_host_alloc(void *ctx, size_t floats, int zeroed)
{
    (void)ctx;
    return zci_buf_get(floats, zeroed);
}

void zci_host_release(void *ctx, float *data)
{
    (void)ctx;
    zci_buf_put(data);
}

void zci_host_read(void *ctx, const float *src, float *host_dst, size_t floats)
{
    (void)ctx;
    memcpy(host_dst, src, floats * sizeof *src);
}

void zci_host_write(void *ctx, float *dst, const float *host_src, size_t floats)
{
    (void)ctx;
    memcpy(dst, host_src, floats * sizeof *dst);
}
