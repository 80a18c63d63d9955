/* Search spaces as plug-ins. A space is a descriptor (zc_space: a name and methods), registered
 * in one table (src/spaces/registry.c); each space lives in its own folder under src/spaces/.
 * Every command and library function works on any registered space through this interface.
 *
 * An architecture is a plain-data value of `arch_size` bytes, owned by the caller; a space's methods
 * run on an opened space (zc_space_ctx): its settings (classes, input size) and whatever it loaded
 * (the benchmark's index table). */
#ifndef ZCNAS_SPACE_H
#define ZCNAS_SPACE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "zcnas/data.h"
#include "zcnas/net.h"
#include "zcnas/rng.h"

typedef struct zc_space zc_space;
typedef struct zc_space_ctx zc_space_ctx;

/* What a network is built for. */
typedef struct zc_build_opts {
    int num_classes;           /* classifier outputs (0: the space context's) */
    int track_running_stats;   /* BN keeps running-stat buffers (the benchmark models do) */
    int shapes_only;           /* parameters get shapes but no values (for counting) */
    int reslink;               /* 1: keep the residual links that a space's scoring network leaves out
                                  (zennas: AZ-NAS' and VKDNW's MobileNet code score the residual
                                  MasterNet, ZiCo's search the plain one); other spaces ignore it */
} zc_build_opts;

/* The cost of an architecture as its benchmark counts it. */
typedef struct zc_cost {
    double flops;              /* multiply-accumulates per image */
    double params;             /* trainable parameters */
    int layers;                /* layers as the space's search budgets count them (-1: not defined) */
} zc_cost;

/* Settings of an opened space. Zero fields take the space's defaults. */
typedef struct zc_space_config {
    int num_classes;           /* classifier outputs */
    int resolution;            /* input images are resolution x resolution */
    const char *bench_path;    /* benchmark table with `index` and `arch` columns (NULL:
                                  $ZCNAS_DATA/benchmarks/<space bench_table>) */
    int need_index;            /* 1: a missing benchmark table is an error; 0: indices are simply
                                  unavailable without it */
    int cost_resolution;       /* input size at which zc_space_cost counts (0: the space's own rule) */
    const char *mutation;      /* one of the space's `mutations` (NULL: its default, the first) */
    const char *task;          /* one of the space's `tasks` (NULL: its default, the first) */
    const char *dataset;       /* one of the space's own `datasets` (NULL: its default, the first) */
} zc_space_config;

struct zc_space_ctx {
    const zc_space *space;
    zc_space_config cfg;       /* with the defaults filled in */
    int has_index;             /* the benchmark's index <-> arch mapping is loaded */
    int mutation;              /* position of cfg.mutation in space->mutations (0: the default) */
    int task;                  /* position of cfg.task in space->tasks (0: the default) */
    int dataset;               /* position of cfg.dataset in space->datasets (0: the default) */
    void *priv;                /* the space's own state */
};

struct zc_space {
    const char *name;          /* canonical name, e.g. "nb201" */
    const char *aliases;       /* other accepted names, comma-separated ("" for none) */
    const char *title;         /* one line for lists and `zcnas info` */
    size_t arch_size;          /* bytes of one architecture */
    size_t str_max;            /* buffer size that holds any formatted architecture */
    const char *bench_table;   /* benchmark table under $ZCNAS_DATA/benchmarks/ that maps indices,
                                  NULL when the space has no benchmark index */
    const char *dataset;       /* default dataset ("cifar10") */
    int resolution;            /* default input size (0: the dataset's) */
    int num_classes;           /* default classifier outputs (0: the dataset's; -1: set by `open`) */
    int user_resolution;       /* 1: the input size is a free setting (--resolution) */
    int cost_resolution;       /* default input size of the cost counters (0: the network's own) */
    const char *initial;       /* starting architecture of evolutionary searches (NULL: a sample) */
    const char *mutations;     /* the mutation variants `mutate` implements, comma-separated, the default
                                  first (NULL: one) */
    const char *target;        /* benchmark column to rank against, "%s" = the dataset name (NULL:
                                  "%s_test") */
    const char *reported_note; /* how the papers' numbers for this space were measured (reproduce) */

    /* Optional: load tables into ctx->priv (ctx->cfg is filled in); undone by close. */
    zc_status (*open)(zc_space_ctx *ctx);
    void (*close)(zc_space_ctx *ctx);
    /* Architecture strings: parse (errors name the offending part) and canonical format. */
    zc_status (*parse)(const zc_space_ctx *ctx, const char *s, void *arch);
    zc_status (*format)(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size);
    /* Number of architectures, 0 when too many to enumerate. */
    long long (*size)(const zc_space_ctx *ctx);
    /* Benchmark index <-> arch; index_of returns -1 when unknown. Both NULL for spaces without one;
     * from_index needs ctx->has_index. */
    long (*index_of)(const zc_space_ctx *ctx, const void *arch);
    zc_status (*from_index)(const zc_space_ctx *ctx, long index, void *arch);
    /* A uniform draw from the space. */
    void (*sample)(const zc_space_ctx *ctx, zc_rng *rng, void *arch);
    /* A random neighbour: `strength` changes (a space may treat it as 1). */
    zc_status (*mutate)(const zc_space_ctx *ctx, const void *arch, int strength, zc_rng *rng, void *child);
    /* Optional: the number of distinct single mutations of arch (0: unknown). */
    int (*neighbours)(const zc_space_ctx *ctx, const void *arch);
    /* The network, parameters uninitialised. NULL with zc_last_error set on error. */
    zc_net *(*build)(const zc_space_ctx *ctx, const void *arch, const zc_build_opts *opts);
    /* zc_space_network_cost when the benchmark counts on the network itself. */
    zc_status (*cost)(const zc_space_ctx *ctx, const void *arch, zc_cost *cost);
    /* Optional: architectures that carry trained weights (an ONNX file's initialisers) write them into
     * a network `build` made (zc_proxy_opts.arch_weights asks for them instead of a fresh init). */
    zc_status (*load_weights)(const zc_space_ctx *ctx, const void *arch, zc_net *net);
    /* A few lines about the architecture for `zcnas info` (structure, network, notes). */
    void (*info)(const zc_space_ctx *ctx, const void *arch, FILE *out);
    /* Each network's random initialisation is drawn from (seed, stream): its benchmark index when it
     * has one, else this (a stream that no index uses). */
    uint64_t (*stream)(const zc_space_ctx *ctx, const void *arch);
    /* Optional: the architecture's identity in the benchmark's own terms (NAS-Bench-101: the graph
     * hash, equal for isomorphic cells), printed as a column `key_name` after arch and used to match
     * benchmark rows that have no index. NULL: the canonical arch string is the identity. */
    const char *key_name;
    zc_status (*key)(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size);
    /* epsinas' published weight pair for this space (0, 0: the proxy's default 1e-7, 1). */
    float eps_weights[2];
    /* 1: the ZenNAS / ZiCo ImageNet MobileNet space, where AZ-NAS and VKDNW have their own official
     * setting (ImageNet_MBV2: the residual network; VKDNW's 128 random tensors, 11 quantiles, ...). */
    int mobilenet_protocol;
    /* Optional: the tasks the space's networks are built for (`--task`), comma-separated, the default
     * first; the chosen one is ctx->task. NULL: image classification only. */
    const char *tasks;
    /* Optional: the space reads its own data (task targets the image datasets do not have): draws
     * n_batches batches of batch_size samples from `path` (NULL: the data root's default) with the
     * seed, targets and loss set for ctx's task. NULL: the run draws labelled images. */
    zc_status (*load_batches)(const zc_space_ctx *ctx, const char *path, int batch_size, int n_batches, uint64_t seed,
                              zc_batch *out);
    /* Optional: benchmark tables in long form (one row per architecture and task): the rows of this
     * space ("column=value") and the columns that hold the task, the metric value and the arch key. */
    const char *bench_rows;
    /* Optional: the datasets a space that reads its own data offers (`--dataset`), comma-separated, the
     * default first; the chosen one is ctx->dataset. */
    const char *datasets;
    /* Optional: where load_batches reads when given no path, for messages. */
    void (*data_source)(const zc_space_ctx *ctx, char *buf, size_t size);
    /* 1: lower targets are better (a loss): evaluations rank accordingly unless told otherwise. */
    int target_minimised;
    /* Optional: the dataset the papers report this space on, whatever the run's (reproduce's lookup). */
    const char *reported_dataset;

    /* ---- optional: NAS-Bench-Suite-Zero (NASLib's zero-cost benchmark JSON, zc_<suitezero_space>.json;
     * src/run/suitezero.c writes it, src/eval/suitezero_read.c reads it). All NULL: the space has no
     * Suite-Zero convention and both refuse it. */
    const char *suitezero_space;   /* NASLib's search-space name, e.g. "nasbench201" */
    /* The file's top-level key for the opened space on `dataset` (a zcnas dataset name, e.g. "cifar100";
     * NULL: the space's default) into key, and the benchmark column holding NASLib's val_accuracy there
     * into column (spaces with tasks: the context's task decides both). */
    zc_status (*suitezero_dataset)(const zc_space_ctx *ctx, const char *dataset, char *key, size_t key_size,
                                   char *column, size_t column_size);
    /* The arch key, NASLib's str(tuple) "(a, b, ...)", and back (errors name the key). */
    zc_status (*suitezero_key)(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size);
    zc_status (*suitezero_parse)(const zc_space_ctx *ctx, const char *key, void *arch);
};

/* ---- the registry ---- */
/* NULL-terminated list of every space. */
const zc_space *const *zc_space_all(void);
/* By name or alias (case-insensitive); NULL with zc_last_error naming the known spaces. */
const zc_space *zc_space_find(const char *name);

/* ---- opened spaces ---- */
zc_status zc_space_open(const zc_space *space, const zc_space_config *cfg, zc_space_ctx **out);
void zc_space_close(zc_space_ctx *ctx);

/* Thin wrappers over the methods, with the checks every caller would repeat. */
zc_status zc_space_parse(const zc_space_ctx *ctx, const char *s, void *arch);
zc_status zc_space_format(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size);
long zc_space_index_of(const zc_space_ctx *ctx, const void *arch);      /* -1: none */
zc_status zc_space_from_index(const zc_space_ctx *ctx, long index, void *arch);
long long zc_space_size(const zc_space_ctx *ctx);
/* (seed, stream) of a network's initialisation: the benchmark index when known, else space->stream. */
uint64_t zc_space_stream(const zc_space_ctx *ctx, const void *arch);
zc_net *zc_space_build(const zc_space_ctx *ctx, const void *arch, const zc_build_opts *opts);
zc_status zc_space_cost(const zc_space_ctx *ctx, const void *arch, zc_cost *cost);
/* The architecture's own weights into net (ZC_EUNSUPPORTED naming the space when it has none). */
zc_status zc_space_load_weights(const zc_space_ctx *ctx, const void *arch, zc_net *net);
/* The benchmark column a space ranks against on a dataset (space->target, default "<dataset>_test"). */
void zc_space_target(const zc_space *space, const char *dataset, char *buf, size_t size);
/* The column an opened space ranks against: its task's name for spaces with tasks (TransNAS-Bench-101's
 * table has one column per task), else zc_space_target for the dataset. */
void zc_space_target_ctx(const zc_space_ctx *ctx, const char *dataset, char *buf, size_t size);
/* The name of the opened space's own dataset ("" for spaces without `datasets`). */
void zc_space_dataset_name(const zc_space_ctx *ctx, char *buf, size_t size);
/* The name of the opened space's task ("" for spaces without tasks). */
void zc_space_task_name(const zc_space_ctx *ctx, char *buf, size_t size);
/* A space's `cost` for benchmarks that count on the network: builds it shapes-only and counts its
 * parameters and MACs (conv and linear), layers unknown. */
zc_status zc_space_network_cost(const zc_space_ctx *ctx, const void *arch, zc_cost *cost);
zc_status zc_space_mutate(const zc_space_ctx *ctx, const void *arch, int strength, zc_rng *rng, void *child);
/* The identity used to match benchmark rows: space->key, else the canonical string. */
zc_status zc_space_key(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size);
/* FNV-1a of a string: a stream for spaces whose architectures have no index. */
uint64_t zc_space_hash(const char *s);

#endif
