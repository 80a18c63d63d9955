/* NAS-Bench-NLP inside zcnas: the benchmark's AWD-style language model built from a recipe, and the
 * word-level corpora it reads (internal to src/spaces/nbnlp/). */
#ifndef ZC_SPACES_NBNLP_H
#define ZC_SPACES_NBNLP_H
#include "spaces/nbnlp/recipe.h"
#include "zcnas/data.h"
#include "zcnas/net.h"
#include "zcnas/space.h"

/* The model's sizes: the benchmark trains emsize 400, nhid 600, 3 layers, bptt 70. */
typedef struct zc_nlp_dims {
    int vocab, emsize, nhid, nlayers, seq_len;
} zc_nlp_dims;
#define ZC_NLP_EMSIZE 400
#define ZC_NLP_NHID 600
#define ZC_NLP_NLAYERS 3
#define ZC_NLP_SEQ_LEN 70
#define ZC_NLP_MAX_LAYERS 8

/* The language model unrolled over dims->seq_len steps: input batch x seq_len token ids; output the
 * logits batch x (seq_len x vocab) (step-major per sample), or with unit0 epsinas' view, the last
 * layer's hidden unit 0 at every step (batch x seq_len). NULL with zc_last_error set on error. */
zc_net *zc_nlp_build(const zc_nlp_arch *a, const zc_nlp_dims *dims, int unit0, int shapes_only);

/* The space's datasets (--dataset): corpus folder under the data root's text/ and its vocabulary. */
typedef struct zc_nlp_dataset { const char *name, *dir; int vocab; } zc_nlp_dataset;
extern const zc_nlp_dataset zc_nlp_datasets[];
#define ZC_NLP_DATASET_LIST "ptb,wikitext2"
zc_status zc_nlp_load_batches(const zc_space_ctx *ctx, const char *path, int batch_size, int n_batches, uint64_t seed,
                              zc_batch *out);
void zc_nlp_data_source(const zc_space_ctx *ctx, char *buf, size_t size);

#endif
