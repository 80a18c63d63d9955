/* Word-level text corpora for language-model spaces (NAS-Bench-NLP): the PyTorch word_language_model /
 * AWD-LSTM data loader (data.py Corpus, utils.py batchify / get_batch), reproduced token for token. */
#ifndef ZCNAS_TEXT_H
#define ZCNAS_TEXT_H
#include <stddef.h>
#include <stdint.h>
#include "zcnas/error.h"

enum { ZC_SPLIT_TRAIN, ZC_SPLIT_VALID, ZC_SPLIT_TEST, ZC_SPLIT_COUNT };

typedef struct zc_corpus {
    int vocab;                      /* distinct words, '<eos>' included */
    char **words;                   /* vocab entries, in order of first appearance (NUL-terminated) */
    size_t *word_len;               /* bytes of each word: a word may hold NUL bytes (Python accepts them) */
    int32_t *ids[ZC_SPLIT_COUNT];   /* token ids of each split (NULL when its file is absent) */
    long len[ZC_SPLIT_COUNT];       /* tokens of each split, one '<eos>' per line included */
    char *file[ZC_SPLIT_COUNT];     /* the path read, NULL when absent */
    long lines[ZC_SPLIT_COUNT];     /* lines of each split (Python's universal newlines) */
    /* Internal: the word -> id hash table (open addressing, FNV-1a; -1 marks an empty slot). */
    int32_t *slot_;
    size_t slot_cap_;
} zc_corpus;

/* Reads the corpus in directory `dir` like Corpus(dir): train, valid, test in that order with one shared
 * dictionary; every line (UTF-8, ended by \n, \r\n or \r) gives line.split() + ['<eos>'], split on runs of
 * Unicode whitespace exactly as Python's str.split(). Each split is the first file present among
 * <split>.txt, ptb.<split>.txt, wiki.<split>.tokens, <split>.tokens. A missing train split is allowed when
 * valid or test exists (the vocabulary then covers only the splits present). Every error is one line that
 * names the file (and the line for bad UTF-8); `c` is left zeroed on failure. */
zc_status zc_corpus_load(zc_corpus *c, const char *dir);
void zc_corpus_free(zc_corpus *c);

/* The id of a word, -1 if absent. */
int zc_corpus_word_id(const zc_corpus *c, const char *word);
/* "train", "valid", "test" ("?" otherwise). */
const char *zc_split_name(int split);
/* The first present split among train, valid, test (what a scoring batch is drawn from); -1 when none. */
int zc_corpus_source_split(const zc_corpus *c);

/* Windows of a batchified split: window k (k = 0..n_windows-1) is
 * get_batch(batchify(split, batch), k*seq_len, seq_len), batchify putting tokens j*nbatch .. j*nbatch+nbatch-1
 * (nbatch = len / batch) in column j:
 *   x[(k*batch + b)*seq_len + t] = token at row k*seq_len+t of column b (sample-major), as float (exact: ids
 *   stay below 2^24), y likewise the next row's token (the target), as int; y may be NULL.
 * x holds n_windows*batch*seq_len floats. ZC_EINVAL for a bad argument or an absent split; ZC_EDATA when
 * the split is too short for n_windows full windows (the message says the tokens needed and available). */
zc_status zc_corpus_windows(const zc_corpus *c, int split, int batch, int seq_len, int n_windows,
                            float *x, int *y);

#endif
