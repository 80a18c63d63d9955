/* Image datasets in their official binary formats, per-dataset normalisation and
 * deterministic batch sampling. */
#ifndef ZCNAS_DATA_H
#define ZCNAS_DATA_H
#include <stddef.h>
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

/* The loss a batch's targets are trained with (the task's). */
typedef enum zc_loss {
    ZC_LOSS_CE = 0,      /* mean cross-entropy with one label per sample (y) */
    ZC_LOSS_SOFT_CE,     /* TransNAS-Bench-101's SoftmaxCrossEntropyWithLogits: soft targets t (n x classes),
                            mean over samples of -sum t log(softmax + 1e-5) */
    ZC_LOSS_MSE,         /* mean squared error against t (n x t_dim), mean over every element */
    ZC_LOSS_L1,          /* mean absolute error against t (n x t_dim) */
    ZC_LOSS_PIXEL_CE,    /* cross-entropy per pixel: outputs n x C x H x W, labels y n x H x W (y_dim = H*W),
                            mean over pixels (F.cross_entropy) */
    ZC_LOSS_TOKEN_CE     /* next-token cross-entropy of a language model: outputs n x (L x C) (each position's C
                            logits together), labels y n x L (y_dim = L), mean over the n*L positions */
} zc_loss;

/* A batch of normalised float32 images (NCHW) with their targets. A sample may be several images
 * (a jigsaw puzzle's 9 tiles: then c counts every tile's channels). */
typedef struct zc_batch {
    int n, c, h, w;
    float *x;
    int *y;              /* labels: n, or n x y_dim */
    zc_loss loss;        /* 0: cross-entropy with y */
    int y_dim;           /* labels per sample (0: 1) */
    float *t;            /* float targets, n x t_dim (NULL when the loss uses labels) */
    int t_dim;
} zc_batch;

const char *zc_loss_name(zc_loss loss);
/* The batch's loss of a network output (n x dim, n = b->n) and, when dout is not NULL, its gradient
 * d loss / d output. Errors name the mismatch (labels out of range, target sizes, missing targets). */
zc_status zc_batch_loss(const zc_batch *b, const float *out, int n, int dim, double *loss, float *dout);

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
/* Where the dataset's official files are published and which of them zcnas reads (for messages). */
const char *zc_dataset_source(zc_dataset_kind kind);

/* ---- where data is found (src/data/data_root.c) ----
 * zcnas ships no third-party data. Datasets and benchmark tables come from, in order, an explicit
 * path (a command's --data / --bench) and the data root: the directory named by $ZCNAS_DATA, laid
 * out as cifar10/, cifar100/, imagenet16/, benchmarks/ and text/. */
#define ZC_DATA_ENV "ZCNAS_DATA"
/* $ZCNAS_DATA, or NULL when it is unset or empty. */
const char *zc_data_root(void);
/* The dataset's path: explicit_path when given, else <data root>/<dataset name>. Without either,
 * ZC_EIO with a message naming the dataset, both ways to give it, and where to obtain it. */
zc_status zc_data_dataset_path(zc_dataset_kind kind, const char *explicit_path, char *buf, size_t size);
/* A benchmark table such as "nb201_accuracy.csv": explicit_path when given, else
 * <data root>/benchmarks/<file>. ZC_EIO, naming the table, where it was looked for and how to
 * obtain it, when neither is set or the file does not exist. */
zc_status zc_data_bench_path(const char *file, const char *explicit_path, char *buf, size_t size);
/* 1 when path is a folder of class folders holding JPEG/PNG images (torchvision's ImageFolder
 * layout, read by images.h) rather than a dataset's binary files. */
int zc_data_is_image_folder(const char *path);

#endif
