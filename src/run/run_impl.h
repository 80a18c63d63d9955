/* The scoring context's state (internal to src/run): run.c fills it, fingerprint.c reads it. */
#ifndef ZC_RUN_IMPL_H
#define ZC_RUN_IMPL_H
#include "zcnas/run.h"

typedef struct lane {
    const char *name;
    zc_data_need need;          /* as declared by its first proxy */
    int batch_size, n_batches;  /* after the run's overrides */
    zc_batch *batches;
} lane;

struct zc_run {
    zc_run_opts o;
    zc_dataset ds;              /* loaded here (when o.loaded is NULL and images are needed) */
    const zc_dataset *data;
    char source[4096];          /* where the images came from */
    int records;
    lane lanes[ZC_RUN_MAX_LANES];
    int n_lanes;
    int lane_of[ZC_RUN_MAX_PROXIES];   /* per proxy: its lane, -1 for none */
};

#endif
