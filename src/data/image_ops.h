/* Internal: the pixel operations behind zc_image_batches, each equal to the torchvision 0.11 / PIL
 * operation named (on PIL "RGB" images). Exposed to the tests and their PIL oracle. */
#ifndef ZCNAS_IMAGE_OPS_H
#define ZCNAS_IMAGE_OPS_H
#include "zcnas/images.h"
#include "zcnas/rng.h"

/* PIL Image.resize((w, h), Image.BILINEAR): antialiased two-pass resampling in 8-bit fixed point
 * (horizontal pass first, rounded to bytes, then vertical). */
zc_status zc_img_resize(const zc_image *in, int w, int h, zc_image *out);
/* PIL Image.crop((left, top, left + w, top + h)) for a box inside the image. */
zc_status zc_img_crop(const zc_image *in, int top, int left, int h, int w, zc_image *out);

/* torchvision F.resize(img, s) for an int s: shorter side to s, longer to int(s * long / short). */
zc_status zc_img_resize_shorter(const zc_image *in, int s, zc_image *out);
/* torchvision F.center_crop(img, s) for an image at least s x s. */
zc_status zc_img_center_crop(const zc_image *in, int s, zc_image *out);
/* The evaluation transform: Resize(res * 256 / 224) + CenterCrop(res). */
zc_status zc_img_eval_transform(const zc_image *in, int res, zc_image *out);

/* RandomResizedCrop.get_params (10 attempts, then the central-crop fallback). */
void zc_img_rrc_params(int w, int h, zc_rng *r, int *top, int *left, int *ch, int *cw);

/* ColorJitter's four functions (torchvision F.adjust_*, i.e. PIL ImageEnhance / HSV), in place. */
void zc_img_brightness(zc_image *im, float factor);
void zc_img_contrast(zc_image *im, float factor);
void zc_img_saturation(zc_image *im, float factor);
void zc_img_hue(zc_image *im, double factor);   /* factor in [-0.5, 0.5] */
/* xautodl Lighting on a PIL image with rnd = randn(3) * alphastd already drawn (float32). */
void zc_img_lighting(zc_image *im, const float rnd[3]);
void zc_img_hflip(zc_image *im);

/* ToTensor + Normalize(ImageNet mean/std) into 3 x h x w floats. */
void zc_img_to_tensor(const zc_image *im, float *dst);

/* The whole per-image pipeline of zc_image_batches (augment / color as in zc_image_opts). */
zc_status zc_img_pipeline(const zc_image *in, int res, int augment, int color, zc_rng *r,
                          float *dst);

#endif
