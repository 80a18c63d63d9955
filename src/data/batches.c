/* Mini-batches for the proxies: seeded sampling (shuffled epochs or file order), NAS-Bench-201
 * normalisation and optional train-time augmentation, all reproducible from the seed alone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "zcnas/data.h"
#include "zcnas/rng.h"

/* The sampler and the augmentation use separate streams of the seed, so that turning augmentation
 * on or off never changes which records are drawn. */
#define STREAM_SAMPLER 0x73616d706c6572ULL  /* "sampler" */
#define STREAM_AUGMENT 0x6175676d656e74ULL  /* "augment" */
#define PAD 4                               /* RandomCrop(size, padding=4) */

static void draw_permutation(int *perm, int n, zc_rng *r) {
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)zc_rng_below(r, (uint64_t)i + 1);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

/* Byte -> normalised value per channel, computed exactly as torchvision does in float32:
 * ToTensor gives byte / 255.0f, Normalize gives (x - mean) / std. */
static void make_lut(zc_dataset_kind kind, float lut[3][256]) {
    float mean[3], std[3];
    zc_dataset_norm(kind, mean, std);
    for (int ch = 0; ch < 3; ch++)
        for (int b = 0; b < 256; b++) {
            float x = (float)b / 255.0f;
            lut[ch][b] = (x - mean[ch]) / std[ch];
        }
}

/* One image, optionally cropped from its zero-padded copy at (dy, dx) and mirrored. */
static void put_image(const zc_dataset *ds, int rec, const float lut[3][256], int augment,
                      int dy, int dx, int flip, float *dst) {
    int h = ds->h, w = ds->w;
    const uint8_t *src = ds->pixels + (size_t)rec * ds->c * h * w;
    for (int ch = 0; ch < ds->c; ch++) {
        const uint8_t *plane = src + (size_t)ch * h * w;
        float *out = dst + (size_t)ch * h * w;
        if (!augment) {
            for (int i = 0; i < h * w; i++) out[i] = lut[ch][plane[i]];
            continue;
        }
        for (int y = 0; y < h; y++) {
            int sy = y + dy - PAD;
            for (int x = 0; x < w; x++) {
                int sx = (flip ? w - 1 - x : x) + dx - PAD;
                /* Padding is pixel value 0 of the raw image, normalised like any other pixel. */
                uint8_t v = (sy >= 0 && sy < h && sx >= 0 && sx < w) ? plane[sy * w + sx] : 0;
                out[y * w + x] = lut[ch][v];
            }
        }
    }
}

zc_status zc_batches_make(const zc_dataset *ds, const zc_batch_opts *opts, zc_batch *out) {
    if (!ds || !opts || !out) return zc_fail(ZC_EINVAL, "batches: missing argument");
    const char *name = zc_dataset_name(ds->kind);
    if (ds->n <= 0 || !ds->pixels || !ds->labels || ds->c != 3 || ds->h <= 0 || ds->w <= 0)
        return zc_fail(ZC_EINVAL, "batches: the %s dataset is empty or not loaded", name);
    if (opts->batch_size <= 0)
        return zc_fail(ZC_EINVAL, "batches: batch size must be positive (got %d)", opts->batch_size);
    if (opts->n_batches <= 0)
        return zc_fail(ZC_EINVAL, "batches: number of batches must be positive (got %d)",
                       opts->n_batches);
    if (opts->batch_size > ds->n)
        return zc_fail(ZC_EINVAL, "batches: batch size %d is larger than the dataset (%s has %d records)",
                       opts->batch_size, name, ds->n);
    if (opts->sampler != ZC_SAMPLER_RANDOM && opts->sampler != ZC_SAMPLER_SEQUENTIAL)
        return zc_fail(ZC_EINVAL, "batches: unknown sampler %d", (int)opts->sampler);
    if (opts->augment != 0 && opts->augment != 1)
        return zc_fail(ZC_EINVAL, "batches: augment must be 0 or 1 (got %d)", opts->augment);

    int bs = opts->batch_size, n = ds->n;
    size_t img = (size_t)ds->c * ds->h * ds->w;
    memset(out, 0, (size_t)opts->n_batches * sizeof *out);

    float lut[3][256];
    make_lut(ds->kind, lut);
    zc_rng samp, aug;
    zc_rng_seed(&samp, opts->seed, STREAM_SAMPLER);
    zc_rng_seed(&aug, opts->seed, STREAM_AUGMENT);

    int *perm = NULL;
    if (opts->sampler == ZC_SAMPLER_RANDOM) {
        perm = malloc((size_t)n * sizeof *perm);
        if (!perm) goto nomem;
        draw_permutation(perm, n, &samp);
    }
    size_t pos = 0;  /* position in the permutation (random) or the file (sequential) */
    for (int b = 0; b < opts->n_batches; b++) {
        zc_batch *bt = &out[b];
        bt->x = malloc((size_t)bs * img * sizeof *bt->x);
        bt->y = malloc((size_t)bs * sizeof *bt->y);
        if (!bt->x || !bt->y) goto nomem;
        bt->n = bs;
        bt->c = ds->c;
        bt->h = ds->h;
        bt->w = ds->w;
        /* Like a shuffling DataLoader with drop_last: an incomplete tail would repeat records
         * inside a batch, so a new epoch (permutation) starts instead. */
        if (perm && pos + (size_t)bs > (size_t)n) {
            draw_permutation(perm, n, &samp);
            pos = 0;
        }
        for (int i = 0; i < bs; i++) {
            int rec;
            if (perm) {
                rec = perm[pos++];
            } else {
                rec = (int)pos;
                pos = (pos + 1) % (size_t)n;
            }
            int dy = 0, dx = 0, flip = 0;
            if (opts->augment) {
                dy = (int)zc_rng_below(&aug, 2 * PAD + 1);
                dx = (int)zc_rng_below(&aug, 2 * PAD + 1);
                flip = zc_rng_float(&aug) < 0.5f;
            }
            put_image(ds, rec, (const float(*)[256])lut, opts->augment, dy, dx, flip,
                      bt->x + (size_t)i * img);
            bt->y[i] = ds->labels[rec];
        }
    }
    free(perm);
    return ZC_OK;
nomem:
    free(perm);
    for (int b = 0; b < opts->n_batches; b++) zc_batch_free(&out[b]);
    return zc_fail(ZC_ENOMEM, "batches: cannot allocate %d batches of %d %s images", opts->n_batches,
                   bs, name);
}

void zc_batch_free(zc_batch *b) {
    if (!b) return;
    free(b->x);
    free(b->y);
    free(b->t);
    memset(b, 0, sizeof *b);
}
