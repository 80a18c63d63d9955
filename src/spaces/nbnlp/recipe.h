/* NAS-Bench-NLP (Klyuchnikov et al. 2020) recurrent-cell recipes: the benchmark's JSON dict
 * node -> {"op": ..., "input": [...]} (fmsnew/nas-bench-nlp-release, custom_rnn.py), parsed into a flat,
 * fixed-size struct, formatted back byte for byte as the benchmark's Python writes it, and the
 * benchmark's random generator (search_space.py) plus a mutation for local search. */
#ifndef ZC_SPACES_NBNLP_RECIPE_H
#define ZC_SPACES_NBNLP_RECIPE_H
#include <stddef.h>
#include <stdint.h>
#include "zcnas/error.h"
#include "zcnas/rng.h"

/* Bounds of the fixed-size struct (the benchmark's recipes have at most 15 nodes, 3 inputs, 3 states). */
#define ZC_NLP_MAX_NODES 24      /* nodes defined by a recipe (keys) */
#define ZC_NLP_MAX_IN 8          /* inputs of one node */
#define ZC_NLP_NAME_MAX 32       /* node name bytes including the NUL */
#define ZC_NLP_MAX_HIDDEN 8      /* hidden tuple size */
/* zc_nlp_format of any valid recipe fits: 24 nodes x at most 347 bytes, the braces and the NUL. */
#define ZC_NLP_JSON_MAX 8448

/* Input references: x and h_prev_i are the cell's inputs, not nodes; node references are >= 0
 * (indices into node[]). */
#define ZC_NLP_X (-1)                /* the layer input x */
#define ZC_NLP_HPREV(i) (-2 - (i))   /* h_prev_i, the previous hidden state i */

/* linear: a learned map of the concatenated inputs (>= 1; only op that may read x, whose width
 * differs from the hidden state's); blend: a*b + (1-a)*c (3 inputs); elementwise_prod / _sum: 2 inputs
 * (the official cell mis-indexes a third); activations: 1 input. */
typedef enum zc_nlp_op {
    ZC_NLP_LINEAR, ZC_NLP_BLEND, ZC_NLP_PROD, ZC_NLP_SUM, ZC_NLP_TANH, ZC_NLP_SIGM,
    ZC_NLP_LEAKY_RELU, ZC_NLP_OP_COUNT
} zc_nlp_op;

typedef struct zc_nlp_node {
    char name[ZC_NLP_NAME_MAX];   /* [A-Za-z0-9_.-]; outputs are h_new_0 .. h_new_{hidden-1} */
    int op;                       /* zc_nlp_op */
    int n_in;
    int in[ZC_NLP_MAX_IN];        /* ZC_NLP_X, ZC_NLP_HPREV(i) or a node index */
} zc_nlp_node;

/* Nodes in the recipe's key order (which is not a topological order). Every function that fills one
 * zeroes it first, unused bytes included, so equal recipes are byte-equal (memcmp / hashing). */
typedef struct zc_nlp_arch {
    int n_nodes;
    int hidden;                   /* hidden tuple size: 1 + the largest i of a key h_new_i */
    zc_nlp_node node[ZC_NLP_MAX_NODES];
} zc_nlp_arch;

/* "linear", "blend", "elementwise_prod", "elementwise_sum", "activation_tanh", "activation_sigm",
 * "activation_leaky_relu"; "?" out of range. */
const char *zc_nlp_op_name(int op);

/* Strict reader of exactly the benchmark's shape (an object of {"op": string, "input": [strings]},
 * either key order, JSON whitespace and string escapes allowed). Rejects, with a one-line message
 * naming the node: malformed JSON (what was expected, byte offset), trailing garbage, unknown ops,
 * wrong arities, empty input lists, undefined inputs, cycles, missing outputs h_new_0..h_new_{T-1},
 * h_prev_i with i >= T, x feeding anything but a linear node (the official model cannot run it),
 * duplicate keys, keys x / h_prev_*, bad names, too many nodes / inputs / states. Nodes that reach no
 * output are kept: the official model still builds (and counts the parameters of) them. */
zc_status zc_nlp_parse(const char *json, zc_nlp_arch *a);
/* Compact JSON as Python's json.dumps(recipe, separators=(',', ':')), keys in stored order: the
 * benchmark's recipe_json column byte for byte. ZC_EINVAL (and buf "") if it does not fit in size. */
zc_status zc_nlp_format(const zc_nlp_arch *a, char *buf, size_t size);
/* ZC_OK when *a is a recipe zc_nlp_parse would produce (names aside): arities, references, x only into
 * linear nodes, outputs present, acyclic; else ZC_EINVAL with the parser's message. */
zc_status zc_nlp_validate(const zc_nlp_arch *a);

/* A valid recipe's node indices in an evaluation order, inputs first; among ready nodes the first in
 * key order goes first (deterministic, unlike networkx's order, which does not matter for the values). */
void zc_nlp_topo_order(const zc_nlp_arch *a, int *order);
/* Node index of h_new_i, or -1. */
int zc_nlp_output(const zc_nlp_arch *a, int i);
/* Bit j set when node j feeds (directly or not) some output h_new_i, the outputs included. */
uint32_t zc_nlp_live(const zc_nlp_arch *a);
/* generate_random_recepie's is_sanity_check_ok, for any hidden size: x and every h_prev_i feed some
 * output, and no output reads an h_prev_i directly (the cell would otherwise copy a state through). */
int zc_nlp_sane(const zc_nlp_arch *a);

/* RecepieGenerator().generate_random_recepie() with its defaults, redrawn until the sanity check
 * passes: 2 hidden states, 9 vertex draws (up to 10 nodes node_<i>) of linear / blend / prod / sum
 * weighted 3:1:1:1, each linear reading 2 (weight 4) or 3 (weight 1) distinct picks of x, h_prev_*
 * and the activation nodes so far, and followed by a uniform activation of it; blend / prod / sum read
 * 3 / 2 distinct picks of h_prev_* and every node so far. Two distinct random nodes become h_new_0 and
 * h_new_1 (moved to the end of the key order, as the official dict renaming does) and nodes that feed
 * no output are dropped. Same distribution as the official code, not its numpy stream. */
void zc_nlp_random(zc_rng *rng, zc_nlp_arch *a);

/* NAS-Bench-NLP has no official mutation. This one picks a node uniformly, then one change uniformly
 * among those its op allows:
 *   - an activation becomes one of the other two activations;
 *   - elementwise_prod <-> elementwise_sum;
 *   - blend -> elementwise_prod / _sum, dropping one of its three inputs;
 *   - elementwise_prod / _sum -> blend, adding a third input at a random position;
 *   - a linear node gains an input (when it has < 3, the generator's largest fan-in) or loses one
 *     (when it has > 2);
 *   - one input is rewired to another candidate: x (linear nodes only), h_prev_i or another node.
 * Names, key order and the hidden size stay. An added or rewired input is never one the node already
 * reads. The child must be valid (zc_nlp_validate: acyclic, arities), pass zc_nlp_sane, differ from
 * the parent and leave no node dead (feeding no output) that was live in the parent, so generated
 * recipes mutate within the generator's space without shrinking. Invalid draws are redrawn (up to
 * 1000 times), then every single change is enumerated and a valid one picked uniformly; ZC_EINVAL
 * when there is none (or the parent is invalid). child may be parent; on failure it is untouched. */
zc_status zc_nlp_mutate(const zc_nlp_arch *a, zc_rng *rng, zc_nlp_arch *child);

#endif
