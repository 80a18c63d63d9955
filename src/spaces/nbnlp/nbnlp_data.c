/* The token batches of the NAS-Bench-NLP space: a word-level corpus (zcnas/text.h) batchified into
 * batch_size columns as the benchmark's loaders do, and its first windows of 70 steps with the next
 * tokens as targets. Every lane takes the first windows of the training split (epsinas: the first, at
 * batch 256; ZiCo: the first two at its batch size), as the benchmark's training loop meets them.
 * Windows are fixed, not drawn: the seed does not change them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spaces/nbnlp/nbnlp.h"
#include "zcnas/text.h"

const zc_nlp_dataset zc_nlp_datasets[] = {
    {"ptb", "ptb", 10000},          /* Mikolov's Penn Treebank: the benchmark's corpus */
    {"wikitext2", "wikitext-2", 33278},   /* train + valid + test vocabulary of WikiText-2 */
};

void zc_nlp_data_source(const zc_space_ctx *ctx, char *buf, size_t size)
{
    const char *root = zc_data_root();
    snprintf(buf, size, "%s/text/%s", root ? root : "$" ZC_DATA_ENV, zc_nlp_datasets[ctx->dataset].dir);
}

zc_status zc_nlp_load_batches(const zc_space_ctx *ctx, const char *path, int batch_size, int n_batches, uint64_t seed,
                              zc_batch *out)
{
    (void)seed;
    memset(out, 0, (size_t)n_batches * sizeof *out);
    char dir[4096];
    if (path) snprintf(dir, sizeof dir, "%s", path);
    else if (!zc_data_root())
        return zc_fail(ZC_EIO, "the %s corpus: give --data DIR (train.txt, valid.txt, test.txt) or set %s to the data "
                       "root holding text/%s", zc_nlp_datasets[ctx->dataset].name, ZC_DATA_ENV,
                       zc_nlp_datasets[ctx->dataset].dir);
    else zc_nlp_data_source(ctx, dir, sizeof dir);
    zc_corpus c;
    zc_status st = zc_corpus_load(&c, dir);
    if (st != ZC_OK) return st;
    int split = zc_corpus_source_split(&c), len = ZC_NLP_SEQ_LEN;
    if (c.vocab > ctx->cfg.num_classes)
        st = zc_fail(ZC_EDATA, "%s: %d distinct words, more than the vocabulary of %d (--vocab-size)", dir, c.vocab,
                     ctx->cfg.num_classes);
    size_t n = (size_t)batch_size * len;
    float *x = st == ZC_OK ? malloc((size_t)n_batches * n * sizeof *x) : NULL;
    int *y = st == ZC_OK ? malloc((size_t)n_batches * n * sizeof *y) : NULL;
    if (st == ZC_OK && (!x || !y)) st = zc_fail(ZC_ENOMEM, "%s: out of memory for %d batches", dir, n_batches);
    if (st == ZC_OK) st = zc_corpus_windows(&c, split, batch_size, len, n_batches, x, y);
    for (int b = 0; st == ZC_OK && b < n_batches; b++) {
        zc_batch *o = &out[b];
        memset(o, 0, sizeof *o);
        o->n = batch_size; o->c = len; o->h = o->w = 1;
        o->loss = ZC_LOSS_TOKEN_CE;
        o->y_dim = len;
        o->x = malloc(n * sizeof *o->x);
        o->y = malloc(n * sizeof *o->y);
        if (!o->x || !o->y) { st = zc_fail(ZC_ENOMEM, "%s: out of memory", dir); break; }
        memcpy(o->x, x + (size_t)b * n, n * sizeof *o->x);
        memcpy(o->y, y + (size_t)b * n, n * sizeof *o->y);
    }
    if (st != ZC_OK)
        for (int b = 0; b < n_batches; b++) zc_batch_free(&out[b]);
    free(x);
    free(y);
    zc_corpus_free(&c);
    return st;
}
