/* Image-folder datasets (ImageNet's layout: one sub-folder of JPEG/PNG files per class), decoded and
 * transformed the way ZiCo's ImageNet search loader does it (torchvision ImageFolder + PIL):
 *
 *   augment = 1 (training transforms of xautodl's "imagenet-1k", used by ZiCo's evolution search):
 *     RandomResizedCrop(resolution, scale (0.08, 1), ratio (3/4, 4/3)), ColorJitter(0.4, 0.4, 0.4, 0.2),
 *     Lighting(0.1) (AlexNet PCA noise, xautodl's PIL version), RandomHorizontalFlip, ToTensor,
 *     Normalize(mean 0.485/0.456/0.406, std 0.229/0.224/0.225);
 *   augment = 0 (evaluation transforms): Resize(shorter side to resolution*256/224, rounded down) +
 *     CenterCrop(resolution), ToTensor, Normalize.
 *
 * Every pixel operation reproduces what torchvision 0.11 does on PIL images (PIL's antialiased
 * bilinear resampling in 8-bit fixed point, ImageEnhance blends, PIL's HSV conversion, ...), so that
 * given the same random parameters the output equals torchvision's to the bit. The random draws
 * themselves come from zcnas's seeded generator, not from torch's.
 *
 * Decoding needs libjpeg (JPEG) and libpng (PNG) at build time (ZCNAS_HAVE_JPEG / ZCNAS_HAVE_PNG);
 * without them the readers return ZC_EUNSUPPORTED. The format is recognised from the file's first
 * bytes, not its extension (ImageNet has a PNG and CMYK JPEGs named .JPEG). */
#ifndef ZCNAS_IMAGES_H
#define ZCNAS_IMAGES_H
#include <stddef.h>
#include <stdint.h>
#include "zcnas/data.h"
#include "zcnas/error.h"

/* ---- The folder: classes and files ---- */

typedef struct zc_image_folder {
    char *root;
    int classes;          /* sub-folders of root, sorted by name (byte order); label = index */
    char **class_names;   /* classes */
    int n;                /* images, class by class, sorted by file name inside each class */
    int *labels;          /* n */
    size_t *name_off;     /* n: offset of the file name in `names` */
    char *names;          /* NUL-terminated file names */
} zc_image_folder;

/* Scans root: every sub-folder whose name does not start with '.' is a class (like torchvision's
 * ImageFolder, which however also counts hidden folders); its files ending in .jpg, .jpeg or .png
 * (any case) are the class's images; sub-sub-folders and other files are ignored. Errors (naming
 * the path): root missing or not a folder, no class folders, a class folder without images
 * (torchvision refuses these too: labels would otherwise shift). */
zc_status zc_image_folder_scan(zc_image_folder *f, const char *root);
void zc_image_folder_free(zc_image_folder *f);
/* root/class/file of image i, malloc'ed (NULL when out of memory or i is out of range). */
char *zc_image_folder_path(const zc_image_folder *f, int i);

/* ---- One decoded image ---- */

/* PIL's decompression-bomb limit (2 * Image.MAX_IMAGE_PIXELS): larger images are refused. */
#ifndef ZC_IMAGE_MAX_PIXELS   /* the fuzz build lowers it, so that each input costs milliseconds */
#define ZC_IMAGE_MAX_PIXELS 178956970
#endif

/* 8-bit RGB, rows of w*3 interleaved bytes (PIL's "RGB" mode). */
typedef struct zc_image {
    int w, h;
    uint8_t *px;
} zc_image;

/* Decodes a JPEG or PNG file into RGB exactly as PIL's Image.open(path).convert("RGB") does:
 * greyscale is replicated, palettes are looked up, alpha is dropped (not composited), CMYK/YCCK
 * JPEGs are converted with PIL's formula (PIL always assumes Adobe's inverted polarity),
 * 16-bit PNG samples keep their high byte (PIL does the same for RGB; 16-bit greyscale differs:
 * PIL saturates it). A corrupt or truncated file, or one that is neither JPEG nor PNG, is an error
 * naming the file (ZC_EDATA); images over ZC_IMAGE_MAX_PIXELS are refused (ZC_EDATA). */
zc_status zc_image_load(const char *path, zc_image *img);
void zc_image_free(zc_image *img);

/* ---- Batches ---- */

typedef struct zc_image_opts {
    int resolution;    /* output side, 224 for ImageNet */
    int batch_size;
    int n_batches;
    uint64_t seed;
    int augment;       /* 1: training transforms (above); 0: Resize + CenterCrop */
    int color;         /* with augment = 1: 1 = ColorJitter + Lighting as ZiCo (default); 0 = crop+flip only */
    int skip_bad;      /* 1: an unreadable image is reported on stderr and replaced by the next one
                          drawn; 0 (default): it is an error naming the file */
} zc_image_opts;

/* resolution 224, batch_size 128, n_batches 2, seed 0, augment 1, color 1, skip_bad 0. */
void zc_image_opts_default(zc_image_opts *o);

/* Draws o->n_batches batches of o->batch_size images, like a shuffling DataLoader with drop_last:
 * a seeded permutation of all images, consumed batch by batch (no image repeats inside a batch;
 * a new permutation starts when fewer than batch_size images are left). Labels are the class
 * indices. The augmentation of the k-th image drawn depends only on (seed, k). `out` is an array of
 * n_batches batches, each n x 3 x resolution x resolution; free them with zc_batch_free. */
zc_status zc_image_batches_opts(const zc_image_folder *f, const zc_image_opts *o, zc_batch *out);

/* Convenience: scans root and draws with color jitter on when augment = 1 and skip_bad off. */
zc_status zc_image_batches(const char *root, int resolution, int batch_size, int n_batches,
                           uint64_t seed, int augment, zc_batch *out);

/* Resamples every channel of an already-normalised batch to resolution x resolution with a
 * separable triangle (bilinear) filter centred like PIL / align_corners=False. Upscaling equals
 * torch's F.interpolate(mode="bilinear", align_corners=False); downscaling widens the filter
 * (antialias=True). Labels are copied. Lets 32x32 CIFAR images stand in for ImageNet in demos and tests. */
zc_status zc_batch_resize(const zc_batch *in, int resolution, zc_batch *out);

/* 1 when the build can decode JPEG / PNG files. */
int zc_images_have_jpeg(void);
int zc_images_have_png(void);

#endif
