/* Compute backends, looked up by name. A backend runs single ops forward and backward and owns the
 * memory of a network's tensors; which ones exist depends on the build (ref always, dnnl with
 * oneDNN). The function table itself is internal (src/backends/backend_impl.h). */
#ifndef ZCNAS_BACKEND_H
#define ZCNAS_BACKEND_H
#include "zcnas/net.h"

typedef struct zc_backend zc_backend;

/* By name ("ref", "dnnl"); NULL with zc_last_error set when unknown or not built in. */
const zc_backend *zc_backend_get(const char *name);
/* The fastest backend of this build: the one place that decides the default. */
const zc_backend *zc_backend_default(void);
const char *zc_backend_name(const zc_backend *backend);
/* "ref, dnnl": the backends of this build, for messages. */
const char *zc_backend_names(void);
/* A worker thread will use `threads` threads inside the backend (1 for reproducible scoring). */
void zc_backend_thread_init(const zc_backend *backend, int threads);

/* A backend decorator for finite differences through a fixed activation pattern (grasp). Attached
 * to a net, it first records: ReLUs run as usual and store their masks 1[x > 0]; after
 * zc_relu_freezer_freeze they apply the recorded masks instead (forward x * m, backward g * m), so
 * the network is smooth along a small parameter step. Detach restores the net's backend. */
typedef struct zc_relu_freezer zc_relu_freezer;
zc_status zc_relu_freezer_attach(zc_net *net, zc_relu_freezer **out);
void zc_relu_freezer_freeze(zc_relu_freezer *f);
void zc_relu_freezer_detach(zc_relu_freezer *f, zc_net *net);

#endif
