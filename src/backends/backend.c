/* Backend registry: name -> implementation; the default is the fastest one built in. */
#include <string.h>
#include "zcnas/backend.h"

#ifdef ZCNAS_HAVE_DNNL
const zc_backend *zc_backend_dnnl(void);
#endif

const zc_backend *zc_backend_get(const char *name)
{
    if (!name || strcmp(name, "ref") == 0) return zc_backend_ref();
#ifdef ZCNAS_HAVE_DNNL
    if (strcmp(name, "dnnl") == 0) return zc_backend_dnnl();
#else
    if (strcmp(name, "dnnl") == 0) {
        zc_fail(ZC_EUNSUPPORTED, "backend 'dnnl' is not built in (oneDNN was not found at build time)");
        return NULL;
    }
#endif
    zc_fail(ZC_EINVAL, "unknown backend '%s' (expected ref or dnnl)", name);
    return NULL;
}

const zc_backend *zc_backend_default(void)
{
#ifdef ZCNAS_HAVE_DNNL
    return zc_backend_dnnl();
#else
    return zc_backend_ref();
#endif
}

void zc_net_set_backend(zc_net *net, const zc_backend *backend) { net->backend = backend; }
