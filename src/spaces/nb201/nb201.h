/* NAS-Bench-201 / NATS-Bench-TSS search space: arch strings, benchmark indices, and the
 * xautodl TinyNetwork (C=16, N=5) built exactly, with state_dict parameter names. */
#ifndef ZC_SPACES_NB201_H
#define ZC_SPACES_NB201_H
#include <stddef.h>
#include <stdint.h>
#include "zcnas/net.h"
#include "zcnas/rng.h"

#define ZC_NB201_EDGES 6
#define ZC_NB201_OPS 5
#define ZC_NB201_SIZE 15625
#define ZC_NB201_STR_MAX 128

/* Canonical NB201 op order. */
typedef enum zc_nb201_op {
    ZC_NB201_NONE = 0,
    ZC_NB201_SKIP = 1,
    ZC_NB201_CONV1X1 = 2,
    ZC_NB201_CONV3X3 = 3,
    ZC_NB201_AVGPOOL = 4
} zc_nb201_op;

/* Edges in string order: 0->1 | 0->2, 1->2 | 0->3, 1->3, 2->3. */
typedef struct zc_nb201_arch { uint8_t ops[ZC_NB201_EDGES]; } zc_nb201_arch;

const char *zc_nb201_op_name(int op);
/* Parses "|nor_conv_3x3~0|+|...|"; errors name the offending token. */
zc_status zc_nb201_parse(const char *s, zc_nb201_arch *arch);
void zc_nb201_format(const zc_nb201_arch *arch, char *buf, size_t size);
/* The arch code: the six ops as a base-5 number (edge 0 least significant), a bijection with
 * 0..ZC_NB201_SIZE-1 that needs no benchmark table. */
int zc_nb201_code(const zc_nb201_arch *arch);
void zc_nb201_from_code(int code, zc_nb201_arch *arch);

/* The benchmark's (API) index <-> arch mapping, read from a benchmark table with `index` and `arch`
 * columns (e.g. $ZCNAS_DATA/benchmarks/nb201_accuracy.csv): nothing of the benchmark is compiled in. */
typedef struct zc_nb201_index_map {
    uint16_t code_of[ZC_NB201_SIZE];    /* arch code of benchmark index i */
    int16_t index_of[ZC_NB201_SIZE];    /* benchmark index of arch code c */
} zc_nb201_index_map;
struct zc_bench_table;
/* Every index 0..ZC_NB201_SIZE-1 exactly once, every arch string valid and distinct; otherwise
 * ZC_EDATA naming the table and the first bad row. */
zc_status zc_nb201_index_map_from_table(zc_nb201_index_map *map, const struct zc_bench_table *t,
                                        const char *path);
zc_status zc_nb201_index_map_load(zc_nb201_index_map *map, const char *path);
int zc_nb201_index(const zc_nb201_index_map *map, const zc_nb201_arch *arch);
zc_status zc_nb201_from_index(const zc_nb201_index_map *map, int index, zc_nb201_arch *arch);
/* Source/target node of each edge. */
void zc_nb201_edge_nodes(int edge, int *from, int *to);
/* epsinas' NB201 mutation: a uniform node k in 1..3, a uniform incoming edge of k, a different op
 * uniform among the other four. */
void zc_nb201_mutate(const zc_nb201_arch *a, zc_rng *rng, zc_nb201_arch *out);
/* 1 when some path from cell input to cell output uses only skip_connect / avg_pool_3x3. */
int zc_nb201_has_convfree_path(const zc_nb201_arch *arch);

typedef struct zc_nb201_config {
    int C;                /* 16 */
    int N;                /* 5 cells per stage */
    int num_classes;      /* 10 / 100 / 120, or 1 for epsilon */
    int resolution;       /* 32 or 16 */
    int track_running_stats; /* 1 for xautodl's model, 0 for epsinas' (affects saved buffers only) */
    int shapes_only;         /* no parameter values (for counting params and FLOPs) */
    const int *channels;     /* NATS-Bench size space (xautodl's DynamicShapeTinyNet): the widths of the
                                3N + 2 macro layers (stem and first cells, then each reduction and the
                                cells after it); NULL: C for N cells, 2C, 4C (TinyNetwork) */
} zc_nb201_config;

zc_nb201_config zc_nb201_default_config(int num_classes, int resolution);
/* Builds the TinyNetwork; parameters are left uninitialised (call an init). NULL on error. */
zc_net *zc_nb201_build(const zc_nb201_arch *arch, const zc_nb201_config *cfg);

#endif
