/* Image datasets in their official binary formats, per-dataset normalisation and
 * deterministic batch sampling. */
#ifndef ZCNAS_DATA_H
#define ZCNAS_DATA_H
#include <stdint.h>
#include "zcnas/error.h"

typedef enum zc_dataset_kind {
    ZC_CIFAR10,      /* records: 1 label byte + 3072 pixel bytes (R, G, B planes of 32x32) */
    ZC_CIFAR100,     /* records: coarse byte + fine byte + 3072; the fine label is used */
    ZC_IMAGENET16    /* ImageNet16-120: 1 label byte (0..119) + 768 bytes (3 planes of 16x16) */
} zc_dataset_kind;

typedef struct zc_dataset {
    zc_dataset_kind kind;
    int n;              /* number of records */
    int c, h, w;
    int classes;
    uint8_t *pixels;    /* n x c x h x w */
    int *labels;        /* n */
} zc_dataset;

const char *zc_dataset_name(zc_dataset_kind kind);
/* "cifar10", "cifar100", "imagenet16" (also "imagenet16-120"). */
zc_status zc_dataset_kind_parse(const char *name, zc_dataset_kind *kind);
int zc_dataset_classes(zc_dataset_kind kind);
int zc_dataset_resolution(zc_dataset_kind kind);

/* Loads the training split. `path` is a directory (CIFAR-10: every data_batch_{1..5}.bin present,
 * at least one; CIFAR-100: train.bin; ImageNet16: imagenet16_120.bin or train_data_batch_* in the
 * binary layout above) or a single file. Every error names the file and what is wrong with it. */
zc_status zc_dataset_load(zc_dataset *ds, zc_dataset_kind kind, const char *path);
void zc_dataset_free(zc_dataset *ds);

typedef enum zc_sampler { ZC_SAMPLER_RANDOM, ZC_SAMPLER_SEQUENTIAL } zc_sampler;

/* A batch of normalised float32 images (NCHW) with labels. */
typedef struct zc_batch {
    int n, c, h, w;
    float *x;
    int *y;
} zc_batch;

typedef struct zc_batch_opts {
    int batch_size;
    int n_batches;
    zc_sampler sampler;   /* random: a seeded permutation of the records, reshuffled when used up;
                             sequential: records in file order, wrapping around */
    uint64_t seed;
    int augment;          /* 0: none (default); 1: random crop (pad 4) + horizontal flip */
} zc_batch_opts;

/* Draws opts->n_batches batches into `out` (array of that many). */
zc_status zc_batches_make(const zc_dataset *ds, const zc_batch_opts *opts, zc_batch *out);
void zc_batch_free(zc_batch *b);

/* Per-channel mean and std (in [0,1] units) used by NAS-Bench-201 for the dataset. */
void zc_dataset_norm(zc_dataset_kind kind, float mean[3], float std[3]);

#endif
