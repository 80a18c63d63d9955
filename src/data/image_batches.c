/* Batches from an image folder: a seeded shuffling sampler (like DataLoader(shuffle=True,
 * drop_last=True)) feeding the per-image decode + transform pipeline. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "image_ops.h"
#include "zcnas/images.h"
#include "zcnas/rng.h"

/* The sampler and the augmentation use separate streams of the seed; image k of a draw gets its
 * own augmentation stream, so its transform never depends on how earlier images were processed. */
#define STREAM_SAMPLER 0x696d6773616d70ULL   /* "imgsamp" */
#define STREAM_AUGMENT 0x696d6761756700ULL   /* "imgaug" */
#define MAX_RESOLUTION 4096

void zc_image_opts_default(zc_image_opts *o) {
    memset(o, 0, sizeof *o);
    o->resolution = 224;
    o->batch_size = 128;
    o->n_batches = 2;
    o->seed = 0;
    o->augment = 1;
    o->color = 1;
    o->skip_bad = 0;
}

static void shuffle(int *perm, int n, zc_rng *r) {
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)zc_rng_below(r, (uint64_t)i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

/* Decodes image `idx` and writes its transformed tensor to dst. */
static zc_status load_one(const zc_image_folder *f, int idx, const zc_image_opts *o, uint64_t k,
                          float *dst) {
    char *path = zc_image_folder_path(f, idx);
    if (!path) return zc_fail(ZC_ENOMEM, "image folder %s: out of memory", f->root);
    zc_image img;
    zc_status st = zc_image_load(path, &img);
    if (st == ZC_OK) {
        zc_rng r;
        zc_rng_seed(&r, o->seed, STREAM_AUGMENT + k);
        st = zc_img_pipeline(&img, o->resolution, o->augment, o->color, &r, dst);
        if (st != ZC_OK && st != ZC_ENOMEM) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", zc_last_error());
            st = zc_fail(st, "%s: %s", path, msg);
        }
        zc_image_free(&img);
    }
    free(path);
    return st;
}

zc_status zc_image_batches_opts(const zc_image_folder *f, const zc_image_opts *o, zc_batch *out) {
    if (!f || !o || !out) return zc_fail(ZC_EINVAL, "image batches: missing argument");
    if (f->n <= 0 || !f->labels) return zc_fail(ZC_EINVAL, "image batches: the image folder is empty");
    if (o->resolution <= 0 || o->resolution > MAX_RESOLUTION)
        return zc_fail(ZC_EINVAL, "image batches: resolution must be in 1..%d (got %d)", MAX_RESOLUTION,
                       o->resolution);
    if (o->batch_size <= 0)
        return zc_fail(ZC_EINVAL, "image batches: batch size must be positive (got %d)", o->batch_size);
    if (o->n_batches <= 0)
        return zc_fail(ZC_EINVAL, "image batches: number of batches must be positive (got %d)",
                       o->n_batches);
    if (o->batch_size > f->n)
        return zc_fail(ZC_EINVAL, "image batches: batch size %d is larger than %s (%d images)",
                       o->batch_size, f->root, f->n);
    if ((o->augment != 0 && o->augment != 1) || (o->color != 0 && o->color != 1) ||
        (o->skip_bad != 0 && o->skip_bad != 1))
        return zc_fail(ZC_EINVAL, "image batches: augment, color and skip_bad must be 0 or 1");
    if (!zc_images_have_jpeg() && !zc_images_have_png())
        return zc_fail(ZC_EUNSUPPORTED,
                       "image folder %s: zcnas was built without libjpeg and libpng, cannot decode images",
                       f->root);

    int n = f->n, bs = o->batch_size, R = o->resolution;
    size_t img = (size_t)3 * R * R;
    memset(out, 0, (size_t)o->n_batches * sizeof *out);
    zc_rng samp;
    zc_rng_seed(&samp, o->seed, STREAM_SAMPLER);
    int *perm = malloc((size_t)n * sizeof *perm);
    unsigned char *bad = o->skip_bad ? calloc((size_t)n, 1) : NULL;
    zc_status st = ZC_OK;
    if (!perm || (o->skip_bad && !bad)) goto nomem;
    shuffle(perm, n, &samp);
    int pos = 0, n_bad = 0;
    uint64_t k = 0;  /* images drawn so far: the augmentation stream of the next one */
    for (int b = 0; b < o->n_batches; b++) {
        zc_batch *bt = &out[b];
        bt->x = malloc((size_t)bs * img * sizeof *bt->x);
        bt->y = malloc((size_t)bs * sizeof *bt->y);
        if (!bt->x || !bt->y) goto nomem;
        bt->n = bs;
        bt->c = 3;
        bt->h = bt->w = R;
        if (pos + bs > n) {  /* drop_last: a new epoch rather than a short batch */
            shuffle(perm, n, &samp);
            pos = 0;
        }
        for (int i = 0; i < bs; i++, k++) {
            for (;;) {
                if (pos == n) {  /* only when images were skipped inside this batch */
                    shuffle(perm, n, &samp);
                    pos = 0;
                }
                int idx = perm[pos++];
                if (bad && bad[idx]) continue;
                st = load_one(f, idx, o, k, bt->x + (size_t)i * img);
                if (st == ZC_OK) {
                    bt->y[i] = f->labels[idx];
                    break;
                }
                if (!o->skip_bad || st == ZC_ENOMEM) goto fail;
                fprintf(stderr, "zcnas: warning: skipping an unreadable image: %s\n", zc_last_error());
                bad[idx] = 1;
                if (++n_bad == n) {
                    st = zc_fail(ZC_EDATA, "image folder %s: none of its %d images could be read",
                                 f->root, n);
                    goto fail;
                }
            }
        }
    }
    free(perm);
    free(bad);
    return ZC_OK;
nomem:
    st = zc_fail(ZC_ENOMEM, "image batches: cannot allocate %d batches of %d images of %dx%d",
                 o->n_batches, bs, R, R);
fail:
    free(perm);
    free(bad);
    for (int b = 0; b < o->n_batches; b++) zc_batch_free(&out[b]);
    return st;
}

zc_status zc_image_batches(const char *root, int resolution, int batch_size, int n_batches,
                           uint64_t seed, int augment, zc_batch *out) {
    zc_image_folder f;
    zc_status st = zc_image_folder_scan(&f, root);
    if (st != ZC_OK) return st;
    zc_image_opts o;
    zc_image_opts_default(&o);
    o.resolution = resolution;
    o.batch_size = batch_size;
    o.n_batches = n_batches;
    o.seed = seed;
    o.augment = augment;
    st = zc_image_batches_opts(&f, &o, out);
    zc_image_folder_free(&f);
    return st;
}
