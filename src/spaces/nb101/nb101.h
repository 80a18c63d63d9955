/* NAS-Bench-101 (Ying et al. 2019) cell specs as google-research/nasbench defines them: a DAG of up to 7
 * vertices and 9 edges (input, up to 5 operations, output), pruned of vertices off every input ->
 * output path; the benchmark's graph hash; and the network (stem 128, three stacks of three cells,
 * max pooling between stacks) with zero-cost-nas' PyTorch module names. */
#ifndef ZC_SPACES_NB101_H
#define ZC_SPACES_NB101_H
#include <stddef.h>
#include <stdint.h>
#include "zcnas/net.h"
#include "zcnas/rng.h"

#define ZC_NB101_MAX_V 7
#define ZC_NB101_MAX_EDGES 9
/* Unique cells of the benchmark (graphs up to isomorphism, by hash). */
#define ZC_NB101_SIZE 423624
/* "<21 bits>:" + 7 op names */
#define ZC_NB101_STR_MAX 160

/* Interior ops in the benchmark's `available_ops` order (also the hash labels 0, 1, 2). */
typedef enum zc_nb101_op {
    ZC_NB101_CONV3X3 = 0,
    ZC_NB101_CONV1X1 = 1,
    ZC_NB101_MAXPOOL = 2,
    ZC_NB101_INPUT = 3,
    ZC_NB101_OUTPUT = 4
} zc_nb101_op;

/* A pruned cell: every vertex lies on an input -> output path; vertex 0 is the input, n - 1 the
 * output, edges go from lower to higher vertices. */
typedef struct zc_nb101_spec {
    uint8_t n;                         /* vertices, 2..7 */
    uint8_t adj[ZC_NB101_MAX_V];       /* bit j of adj[i]: edge i -> j */
    uint8_t ops[ZC_NB101_MAX_V];
} zc_nb101_spec;

const char *zc_nb101_op_name(int op);
/* "<adjacency bits>:<op>,...,<op>": the strictly upper triangle of the adjacency matrix row by row
 * ((0,1), (0,2), ..., (0,V-1), (1,2), ...), then the V op names (input first, output last). The spec is
 * pruned and validated (input connected to output, at most 9 edges after pruning); errors name the
 * problem. */
zc_status zc_nb101_parse(const char *s, zc_nb101_spec *spec);
void zc_nb101_format(const zc_nb101_spec *spec, char *buf, size_t size);
/* Prunes a raw n x n spec (adj / ops as in zc_nb101_spec, any vertices) into *out: 0 when valid,
 * else -1 (no input -> output path, or more than 9 edges left). */
int zc_nb101_prune(int n, const uint8_t *adj, const uint8_t *ops, zc_nb101_spec *out);
int zc_nb101_edges(const zc_nb101_spec *spec);
/* The benchmark's fingerprint (nasbench graph_util.hash_module): 32 lowercase hex digits. */
void zc_nb101_hash(const zc_nb101_spec *spec, char hex[33]);
/* compute_vertex_channels: the channels of every vertex of a cell from c_in to c_out. */
void zc_nb101_vertex_channels(const zc_nb101_spec *spec, int c_in, int c_out, int *vc);
/* The NASBench API's random_spec(): 21 fair edge bits and uniform ops on 7 vertices, redrawn until
 * the pruned spec is valid. */
void zc_nb101_random(zc_rng *rng, zc_nb101_spec *spec);
/* The NASBench API's mutate_spec(mutation_rate 1) on the cell laid out on 7 vertices (unused vertices
 * disconnected): each of the 21 edge bits flips with probability 1/7, each interior op changes with
 * probability 1/5 to one of the other two; redrawn from the parent until valid (the child may equal
 * the parent). */
void zc_nb101_mutate_api(const zc_nb101_spec *parent, zc_rng *rng, zc_nb101_spec *child);
/* epsinas' mutation (nasspace.Nasbench101.mutate_arch): the cell's edge slots in a random order, the
 * first whose flip leaves a valid cell; ops unchanged. -1 when no flip is valid. child may be parent. */
int zc_nb101_mutate_epsinas(const zc_nb101_spec *parent, zc_rng *rng, zc_nb101_spec *child);

typedef struct zc_nb101_config {
    int stem_channels;        /* 128 */
    int stacks, cells;        /* 3 stacks of 3 cells */
    int num_classes;          /* 10, or 1 for epsilon */
    int resolution;           /* 32 */
    int track_running_stats;  /* zero-cost-nas' model 1; epsinas' 0 */
    int shapes_only;
} zc_nb101_config;

zc_nb101_config zc_nb101_default_config(int num_classes, int resolution);
/* The network, parameters uninitialised (state_dict names of zero-cost-nas' nasbench1.Network:
 * layers.<L>.vertex_op.<t>.conv3x3.conv_bn_relu.{0,1}, layers.<L>.input_op.<t>.conv_bn_relu.{0,1},
 * classifier). NULL on error. */
zc_net *zc_nb101_build(const zc_nb101_spec *spec, const zc_nb101_config *cfg);

#endif
