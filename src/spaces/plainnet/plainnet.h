/* ZenNAS / ZiCo PlainNet search space (ImageNet MobileNet-like, search_space_IDW_fixfc):
 * structure strings, the MasterNet built on the engine with ZenNAS' state_dict names, the PlainNet
 * FLOPs/params/layers counter used for the search budgets, and the evolutionary search's mutation.
 *
 * A structure string is a concatenation of blocks with no separators, e.g.
 *   SuperConvK3BNRELU(3,8,2,1)SuperResIDWE6K3(8,32,2,8,1)...SuperConvK1BNRELU(128,2048,1,1)
 * Block types: SuperConvK{1,3,5,7}BNRELU(C_in,C_out,stride,L) and
 * SuperResIDWE{1,2,4,6}K{3,5,7}(C_in,C_out,stride,B,L) (expansion E, depth-wise kernel K,
 * bottleneck B, L sub-layers). An optional "name|" prefix inside the parentheses is accepted and
 * dropped. Every block's C_in must equal the previous block's C_out. */
#ifndef ZC_SPACES_PLAINNET_H
#define ZC_SPACES_PLAINNET_H
#include <stddef.h>
#include <stdint.h>
#include "zcnas/net.h"
#include "zcnas/rng.h"

#define ZC_PLAINNET_MAX_BLOCKS 64
#define ZC_PLAINNET_MAX_CHANNELS 65536
#define ZC_PLAINNET_MAX_STRIDE 8
#define ZC_PLAINNET_MAX_LAYERS 256      /* sub-layers of one block */
#define ZC_PLAINNET_STR_MAX (ZC_PLAINNET_MAX_BLOCKS * 64)   /* enough for any canonical string */
/* 12 block types x 9 output widths x 5 depths x 9 bottleneck widths. */
#define ZC_PLAINNET_MAX_CANDIDATES (12 * 9 * 5 * 9)
/* The evolutionary search's starting point (ZenNAS/ZiCo ImageNet scripts). */
#define ZC_PLAINNET_INITIAL_STRUCTURE                                                            \
    "SuperConvK3BNRELU(3,8,2,1)SuperResIDWE6K3(8,32,2,8,1)SuperResIDWE6K3(32,48,2,32,1)"       \
    "SuperResIDWE6K3(48,96,2,48,1)SuperResIDWE6K3(96,128,2,96,1)SuperConvK1BNRELU(128,2048,1,1)"

typedef enum zc_plainnet_kind {
    ZC_PLAINNET_CONV = 0,   /* SuperConvK{k}BNRELU: L x (conv k x k -> BN -> ReLU) */
    ZC_PLAINNET_IDW = 1     /* SuperResIDWE{e}K{k}: L x two inverted depth-wise bottleneck units */
} zc_plainnet_kind;

typedef struct zc_plainnet_block {
    int kind;         /* zc_plainnet_kind */
    int k;            /* conv kernel (1, 3, 5, 7) or depth-wise kernel (3, 5, 7) */
    int e;            /* expansion (1, 2, 4, 6); 0 for conv blocks */
    int c_in, c_out, stride;
    int bottleneck;   /* B; 0 for conv blocks */
    int layers;       /* L, sub-layers */
} zc_plainnet_block;

typedef struct zc_plainnet {
    int n;
    zc_plainnet_block blocks[ZC_PLAINNET_MAX_BLOCKS];
} zc_plainnet;

/* ZenNAS global_utils.smart_round(x, base) = max(base, round(x / base) * base), Python's round
 * (half to even) on the double x / base. */
int zc_plainnet_smart_round(double x, int base);

/* ---- strings (src/spaces/plainnet.c) ---- */
/* Parses a structure string (leading/trailing white space ignored). ZC_EINVAL with a one-line
 * message naming the block and its offset on any malformed input. */
zc_status zc_plainnet_parse(const char *s, zc_plainnet *out);
/* The same checks on a structure built in memory. */
zc_status zc_plainnet_validate(const zc_plainnet *s);
/* Canonical string (ZenNAS str()): "Name(C_in,C_out,stride,L)" / "Name(C_in,C_out,stride,B,L)".
 * ZC_EINVAL when buf is too small (ZC_PLAINNET_STR_MAX always suffices). */
zc_status zc_plainnet_format(const zc_plainnet *s, char *buf, size_t size);
/* Block type name, e.g. "SuperResIDWE6K3"; buf needs 24 bytes. */
void zc_plainnet_block_name(const zc_plainnet_block *b, char *buf, size_t size);
/* MasterNet.get_num_layers(): the sum of every block's L. */
int zc_plainnet_layers(const zc_plainnet *s);

/* ---- networks and costs ---- */
typedef struct zc_plainnet_config {
    int num_classes;   /* classifier outputs (1000 for ImageNet) */
    int resolution;    /* input images are resolution x resolution */
    int no_reslink;    /* 1: no residual/projection branches (how the search SCORES candidates);
                          0: ResBlockProj/ResBlock wrappers (the real model; the search BUDGETS) */
    int use_se;        /* 1: SE module after every depth-wise conv's ReLU (the trained models) */
    int shapes_only;   /* parameters get shapes but no values */
} zc_plainnet_config;

/* num_classes, resolution; residual branches on, no SE. */
zc_plainnet_config zc_plainnet_default_config(int num_classes, int resolution);

/* MasterNet (src/spaces/plainnet_build.c): the blocks, global average pooling, Linear(C_last ->
 * num_classes, bias). Every BN has eps 1e-3, affine, running statistics. Parameter names are the
 * PyTorch MasterNet's state_dict keys, e.g. "module_list.1.module_list.0.module_list.3.netblock.weight"
 * (block 1, unit A's ResBlockProj, its depth-wise conv), "module_list.1.module_list.0.proj.0.bias",
 * "fc_linear.netblock.weight". Parameters are left uninitialised. NULL on error (zc_last_error). */
zc_net *zc_plainnet_build(const zc_plainnet *s, const zc_plainnet_config *cfg);

/* The PlainNet counter (src/spaces/plainnet_cost.c), exactly as ZenNAS/ZiCo's get_FLOPs(),
 * get_model_size() and get_num_layers(): per-layer integer formulas at resolution // stride,
 * projection FLOPs divided by the stride twice (a float, as in the official code), Linear FLOPs
 * in*out and params in*out + 1. FLOPs are summed in double in the official order (exact for all
 * realistic structures). The search budgets use cfg = zc_plainnet_default_config(1000, 224):
 * residual branches ON (no_reslink = 0), even though candidates are scored without them. Any
 * output pointer may be NULL. */
zc_status zc_plainnet_cost(const zc_plainnet *s, const zc_plainnet_config *cfg, double *flops,
                           int64_t *params, int *layers);

/* ---- mutation (src/spaces/plainnet_mutate.c) ---- */
/* The candidate replacements of block `index` (search_space_IDW_fixfc.gen_search_space), in a
 * fixed order without duplicates, with their weights in the official random.choice: it draws from
 * a flattened list that holds the strings of the t-th of the 12 IDW types (E1K3, E2K3, E4K3, E6K3,
 * E1K5, ..., E6K7) 12 times for t = 0, 1 and 13 - t times for t >= 2 (a list-aliasing quirk, see
 * plainnet_mutate.c); conv-block candidates weigh 1. C_in is the block's own C_in. Returns the count
 * (at most ZC_PLAINNET_MAX_CANDIDATES; `weights` may be NULL), or -1 with zc_last_error set. */
int zc_plainnet_candidates(const zc_plainnet *s, int index, zc_plainnet_block *out, int *weights, int max);

/* evolution_search.get_new_random_structure_str: n_replacements times, a uniform block index (an
 * index already replaced is skipped) is replaced by a random candidate with C_in = the previous
 * block's C_out; then every C_in is re-chained and the result split (zc_plainnet_split, 6).
 * zc_plainnet_mutate draws candidates with the official weights; _ex with uniform = 1 draws
 * uniformly from the candidate set instead. `out` may alias `s`. */
zc_status zc_plainnet_mutate(const zc_plainnet *s, int n_replacements, zc_rng *rng, zc_plainnet *out);
zc_status zc_plainnet_mutate_ex(const zc_plainnet *s, int n_replacements, int uniform, zc_rng *rng,
                                zc_plainnet *out);

/* MasterNet.split(threshold): every SuperResIDW block with L >= threshold becomes
 * (C_in,C_out,stride,B,threshold/2) + (C_out,C_out,1,B,threshold - threshold/2) -- the official code
 * uses the threshold, not L, for the two depths (L = 7 becomes 3 + 3). Conv blocks are kept.
 * ZC_EINVAL when the result would exceed ZC_PLAINNET_MAX_BLOCKS. `out` may alias `s`. */
zc_status zc_plainnet_split(const zc_plainnet *s, int threshold, zc_plainnet *out);

#endif
