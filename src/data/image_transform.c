/* Image transforms of ZiCo's ImageNet loader, reproduced operation by operation from what
 * torchvision 0.11 runs on PIL images (PIL's Resample.c, Blend.c, Convert.c, ImageEnhance and
 * xautodl's Lighting), including PIL's integer rounding, so that equal parameters give equal bytes.
 * Also the float resampling of already-normalised batches (zc_batch_resize). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "image_ops.h"

/* ---------------------------------------------------------------------------------------------
 * Resampling: PIL's separable convolution with the bilinear (triangle) filter, stretched by the
 * scale factor when shrinking (antialiasing). */

#define PRECISION_BITS (32 - 8 - 2)

typedef struct coeffs {
    int ksize;
    int *bounds;   /* per output sample: first input index, number of taps */
    double *k;     /* out x ksize normalised weights */
} coeffs;

static double triangle(double x) {
    if (x < 0.0) x = -x;
    return x < 1.0 ? 1.0 - x : 0.0;
}

/* PIL precompute_coeffs(inSize, 0, inSize, outSize, BILINEAR). */
static int coeffs_make(coeffs *c, int in_size, int out_size) {
    double scale = (double)in_size / out_size, filterscale = scale < 1.0 ? 1.0 : scale;
    double support = 1.0 * filterscale;
    c->ksize = (int)ceil(support) * 2 + 1;
    c->bounds = malloc((size_t)out_size * 2 * sizeof *c->bounds);
    c->k = malloc((size_t)out_size * (size_t)c->ksize * sizeof *c->k);
    if (!c->bounds || !c->k) {
        free(c->bounds);
        free(c->k);
        return -1;
    }
    for (int xx = 0; xx < out_size; xx++) {
        double center = (xx + 0.5) * scale, ww = 0.0, ss = 1.0 / filterscale;
        int xmin = (int)(center - support + 0.5);
        if (xmin < 0) xmin = 0;
        int xmax = (int)(center + support + 0.5);
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        double *k = &c->k[(size_t)xx * c->ksize];
        int x;
        for (x = 0; x < xmax; x++) {
            double w = triangle((x + xmin - center + 0.5) * ss);
            k[x] = w;
            ww += w;
        }
        for (x = 0; x < xmax; x++)
            if (ww != 0.0) k[x] /= ww;
        for (; x < c->ksize; x++) k[x] = 0;
        c->bounds[2 * xx] = xmin;
        c->bounds[2 * xx + 1] = xmax;
    }
    return 0;
}

static void coeffs_free(coeffs *c) {
    free(c->bounds);
    free(c->k);
}

/* PIL normalize_coeffs_8bpc: weights in fixed point with PRECISION_BITS fractional bits. */
static int32_t *coeffs_fixed(const coeffs *c, int out_size) {
    size_t n = (size_t)out_size * c->ksize;
    int32_t *kk = malloc(n * sizeof *kk);
    if (!kk) return NULL;
    for (size_t i = 0; i < n; i++)
        kk[i] = c->k[i] < 0 ? (int32_t)(-0.5 + c->k[i] * (1 << PRECISION_BITS))
                            : (int32_t)(0.5 + c->k[i] * (1 << PRECISION_BITS));
    return kk;
}

/* PIL clip8: the accumulator (rounding offset included) shifted down and clamped. Bilinear
 * weights are non-negative, so the sums stay far from int32 overflow. */
static inline uint8_t clip8(int32_t v) {
    if (v < 0) return 0;
    v >>= PRECISION_BITS;
    return v > 255 ? 255 : (uint8_t)v;
}

zc_status zc_img_resize(const zc_image *in, int w, int h, zc_image *out) {
    memset(out, 0, sizeof *out);
    if (!in || !in->px || in->w <= 0 || in->h <= 0 || w <= 0 || h <= 0)
        return zc_fail(ZC_EINVAL, "image resize: bad size %dx%d -> %dx%d", in ? in->w : 0,
                       in ? in->h : 0, w, h);
    if ((int64_t)w * h > ZC_IMAGE_MAX_PIXELS)
        return zc_fail(ZC_EDATA, "image resize: %dx%d -> %dx%d is over %d pixels", in->w, in->h, w,
                       h, ZC_IMAGE_MAX_PIXELS);
    coeffs ch = {0}, cv = {0};
    int32_t *kh = NULL, *kv = NULL;
    uint8_t *tmp = NULL;
    out->px = malloc((size_t)w * h * 3);
    if (!out->px || coeffs_make(&cv, in->h, h)) goto nomem;
    out->w = w;
    out->h = h;
    kv = coeffs_fixed(&cv, h);
    if (!kv) goto nomem;
    /* Rows of the input the vertical pass reads. */
    int y_first = cv.bounds[0], y_last = cv.bounds[2 * h - 2] + cv.bounds[2 * h - 1];
    int th = y_last - y_first;
    const uint8_t *src = in->px + (size_t)y_first * in->w * 3;
    int sw = in->w;
    if (w != in->w) {  /* horizontal pass into rows y_first .. y_last - 1 */
        if (coeffs_make(&ch, in->w, w)) goto nomem;
        kh = coeffs_fixed(&ch, w);
        tmp = malloc((size_t)w * th * 3);
        if (!kh || !tmp) goto nomem;
        for (int y = 0; y < th; y++) {
            const uint8_t *row = src + (size_t)y * in->w * 3;
            uint8_t *o = tmp + (size_t)y * w * 3;
            for (int xx = 0; xx < w; xx++) {
                int xmin = ch.bounds[2 * xx], xmax = ch.bounds[2 * xx + 1];
                const int32_t *k = &kh[(size_t)xx * ch.ksize];
                int32_t s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
                for (int x = 0; x < xmax; x++) {
                    const uint8_t *p = row + (size_t)(x + xmin) * 3;
                    s0 += p[0] * k[x];
                    s1 += p[1] * k[x];
                    s2 += p[2] * k[x];
                }
                o[3 * xx] = clip8(s0);
                o[3 * xx + 1] = clip8(s1);
                o[3 * xx + 2] = clip8(s2);
            }
        }
        src = tmp;
        sw = w;
    }
    /* Vertical pass (an identity when the height is unchanged, as PIL's skipped pass is). */
    for (int yy = 0; yy < h; yy++) {
        int ymin = cv.bounds[2 * yy] - y_first, ymax = cv.bounds[2 * yy + 1];
        const int32_t *k = &kv[(size_t)yy * cv.ksize];
        uint8_t *o = out->px + (size_t)yy * w * 3;
        for (int xx = 0; xx < 3 * w; xx++) {
            int32_t s = 1 << (PRECISION_BITS - 1);
            for (int y = 0; y < ymax; y++) s += src[(size_t)(y + ymin) * sw * 3 + xx] * k[y];
            o[xx] = clip8(s);
        }
    }
    coeffs_free(&ch);
    coeffs_free(&cv);
    free(kh);
    free(kv);
    free(tmp);
    return ZC_OK;
nomem:
    coeffs_free(&ch);
    coeffs_free(&cv);
    free(kh);
    free(kv);
    free(tmp);
    zc_image_free(out);
    return zc_fail(ZC_ENOMEM, "image resize: out of memory (%dx%d -> %dx%d)", in->w, in->h, w, h);
}

zc_status zc_img_crop(const zc_image *in, int top, int left, int h, int w, zc_image *out) {
    memset(out, 0, sizeof *out);
    if (!in || !in->px || h <= 0 || w <= 0 || top < 0 || left < 0 || top > in->h - h ||
        left > in->w - w)
        return zc_fail(ZC_EINVAL, "image crop: box %dx%d at (%d, %d) is outside the %dx%d image", w,
                       h, left, top, in ? in->w : 0, in ? in->h : 0);
    out->px = malloc((size_t)w * h * 3);
    if (!out->px) return zc_fail(ZC_ENOMEM, "image crop: out of memory (%dx%d)", w, h);
    out->w = w;
    out->h = h;
    for (int y = 0; y < h; y++)
        memcpy(out->px + (size_t)y * w * 3, in->px + ((size_t)(top + y) * in->w + left) * 3,
               (size_t)w * 3);
    return ZC_OK;
}

zc_status zc_img_resize_shorter(const zc_image *in, int s, zc_image *out) {
    memset(out, 0, sizeof *out);
    if (!in || !in->px || in->w <= 0 || in->h <= 0 || s <= 0)
        return zc_fail(ZC_EINVAL, "image resize: bad size");
    int w = in->w, h = in->h;
    int shorter = w <= h ? w : h, longer = w <= h ? h : w;
    if (shorter == s) {  /* torchvision returns the image untouched */
        out->px = malloc((size_t)w * h * 3);
        if (!out->px) return zc_fail(ZC_ENOMEM, "image resize: out of memory (%dx%d)", w, h);
        memcpy(out->px, in->px, (size_t)w * h * 3);
        out->w = w;
        out->h = h;
        return ZC_OK;
    }
    /* Python: int(s * long / short), true division in double, truncated. */
    double nl = (double)((int64_t)s * longer) / shorter;
    if (nl * s > ZC_IMAGE_MAX_PIXELS)
        return zc_fail(ZC_EDATA, "image resize: %dx%d is too elongated to resize to %d", w, h, s);
    int new_long = (int)nl;
    return w <= h ? zc_img_resize(in, s, new_long, out) : zc_img_resize(in, new_long, s, out);
}

zc_status zc_img_center_crop(const zc_image *in, int s, zc_image *out) {
    memset(out, 0, sizeof *out);
    if (!in || in->w < s || in->h < s)
        return zc_fail(ZC_EINVAL, "image center crop: %dx%d is smaller than %d", in ? in->w : 0,
                       in ? in->h : 0, s);
    /* int(round((size - crop) / 2.0)), Python's round: halves to even. */
    int top = (int)nearbyint((in->h - s) / 2.0), left = (int)nearbyint((in->w - s) / 2.0);
    return zc_img_crop(in, top, left, s, s, out);
}

zc_status zc_img_eval_transform(const zc_image *in, int res, zc_image *out) {
    zc_image tmp;
    zc_status st = zc_img_resize_shorter(in, (int)((int64_t)res * 256 / 224), &tmp);
    if (st != ZC_OK) return st;
    st = zc_img_center_crop(&tmp, res, out);
    zc_image_free(&tmp);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * RandomResizedCrop.get_params(img, scale=(0.08, 1.0), ratio=(3/4, 4/3)). */

void zc_img_rrc_params(int w, int h, zc_rng *r, int *top, int *left, int *ch, int *cw) {
    const double smin = 0.08, smax = 1.0, rmin = 3.0 / 4.0, rmax = 4.0 / 3.0;
    double area = (double)w * h, lrmin = log(rmin), lrmax = log(rmax);
    for (int attempt = 0; attempt < 10; attempt++) {
        double target = area * (smin + (smax - smin) * zc_rng_double(r));
        double aspect = exp(lrmin + (lrmax - lrmin) * zc_rng_double(r));
        /* Python round(): halves to even, as nearbyint in the default rounding mode. */
        double fw = nearbyint(sqrt(target * aspect)), fh = nearbyint(sqrt(target / aspect));
        if (fw > 0 && fw <= w && fh > 0 && fh <= h) {
            *cw = (int)fw;
            *ch = (int)fh;
            *top = (int)zc_rng_below(r, (uint64_t)(h - *ch + 1));
            *left = (int)zc_rng_below(r, (uint64_t)(w - *cw + 1));
            return;
        }
    }
    /* Fallback: central crop of the largest box with an allowed aspect ratio. */
    double in_ratio = (double)w / h;
    if (in_ratio < rmin) {
        *cw = w;
        *ch = (int)nearbyint(*cw / rmin);
    } else if (in_ratio > rmax) {
        *ch = h;
        *cw = (int)nearbyint(*ch * rmax);
    } else {
        *cw = w;
        *ch = h;
    }
    if (*ch > h) *ch = h;  /* cannot happen (w / rmin < h); keeps the crop inside regardless */
    if (*cw > w) *cw = w;
    if (*ch < 1) *ch = 1;
    if (*cw < 1) *cw = 1;
    *top = (h - *ch) / 2;
    *left = (w - *cw) / 2;
}

/* ---------------------------------------------------------------------------------------------
 * ColorJitter. PIL's ImageEnhance.X(img).enhance(f) = Image.blend(degenerate, img, f), where
 * ImagingBlend computes in1 + alpha * (in2 - in1) in float with alpha = (float)f, truncating to a
 * byte, and clamps only when alpha is outside [0, 1]. */

static inline uint8_t blend(uint8_t deg, uint8_t v, float alpha) {
    float t = (float)((int)deg + alpha * ((int)v - (int)deg));
    if (alpha >= 0 && alpha <= 1.0) return (uint8_t)t;
    if (t <= 0.0) return 0;
    if (t >= 255.0) return 255;
    return (uint8_t)t;
}

/* PIL's RGB -> L (ITU-R 601-2 luma in 16-bit fixed point). */
static inline uint8_t luma(const uint8_t *p) {
    return (uint8_t)((p[0] * 19595 + p[1] * 38470 + p[2] * 7471 + 0x8000) >> 16);
}

void zc_img_brightness(zc_image *im, float factor) {
    if (factor == 0.0f || factor == 1.0f) {  /* ImagingBlend's shortcuts: copies */
        if (factor == 0.0f) memset(im->px, 0, (size_t)im->w * im->h * 3);
        return;
    }
    size_t n = (size_t)im->w * im->h * 3;
    for (size_t i = 0; i < n; i++) im->px[i] = blend(0, im->px[i], factor);
}

void zc_img_contrast(zc_image *im, float factor) {
    size_t n = (size_t)im->w * im->h;
    /* ImageStat mean of the L image, rounded as int(mean + 0.5). */
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += luma(im->px + 3 * i);
    uint8_t mean = (uint8_t)(int)((double)sum / (double)n + 0.5);
    if (factor == 1.0f) return;
    for (size_t i = 0; i < 3 * n; i++)
        im->px[i] = factor == 0.0f ? mean : blend(mean, im->px[i], factor);
}

void zc_img_saturation(zc_image *im, float factor) {
    if (factor == 1.0f) return;
    size_t n = (size_t)im->w * im->h;
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = im->px + 3 * i, l = luma(p);
        for (int c = 0; c < 3; c++) p[c] = factor == 0.0f ? l : blend(l, p[c], factor);
    }
}

#define CLIP8(v) ((v) <= 0 ? 0 : (v) < 256 ? (v) : 255)

/* PIL rgb2hsv_row, with its float/double mix kept. */
static void rgb2hsv(const uint8_t *in, uint8_t *out) {
    uint8_t r = in[0], g = in[1], b = in[2];
    uint8_t maxc = r > g ? (r > b ? r : b) : (g > b ? g : b);
    uint8_t minc = r < g ? (r < b ? r : b) : (g < b ? g : b);
    uint8_t uh, us, uv = maxc;
    if (minc == maxc) {
        uh = 0;
        us = 0;
    } else {
        float h, s, rc, gc, bc, cr;
        cr = (float)(maxc - minc);
        s = cr / (float)maxc;
        rc = ((float)(maxc - r)) / cr;
        gc = ((float)(maxc - g)) / cr;
        bc = ((float)(maxc - b)) / cr;
        if (r == maxc)
            h = bc - gc;
        else if (g == maxc)
            h = (float)(2.0 + rc - bc);
        else
            h = (float)(4.0 + gc - rc);
        h = (float)fmod((h / 6.0 + 1.0), 1.0);
        int ih = (int)(h * 255.0), is = (int)(s * 255.0);
        uh = (uint8_t)CLIP8(ih);
        us = (uint8_t)CLIP8(is);
    }
    out[0] = uh;
    out[1] = us;
    out[2] = uv;
}

/* PIL hsv2rgb. */
static void hsv2rgb(const uint8_t *in, uint8_t *out) {
    uint8_t h = in[0], s = in[1], v = in[2];
    if (s == 0) {
        out[0] = out[1] = out[2] = v;
        return;
    }
    int i = (int)floor((float)h * 6.0 / 255.0);
    float f = (float)((float)h * 6.0 / 255.0 - (float)i);
    float fs = (float)(((float)s) / 255.0);
    int p = (int)round((float)v * (1.0 - fs));
    int q = (int)round((float)v * (1.0 - fs * f));
    int t = (int)round((float)v * (1.0 - fs * (1.0 - f)));
    uint8_t up = (uint8_t)CLIP8(p), uq = (uint8_t)CLIP8(q), ut = (uint8_t)CLIP8(t);
    switch (i % 6) {
    case 0: out[0] = v; out[1] = ut; out[2] = up; break;
    case 1: out[0] = uq; out[1] = v; out[2] = up; break;
    case 2: out[0] = up; out[1] = v; out[2] = ut; break;
    case 3: out[0] = up; out[1] = uq; out[2] = v; break;
    case 4: out[0] = ut; out[1] = up; out[2] = v; break;
    default: out[0] = v; out[1] = up; out[2] = uq; break;
    }
}

void zc_img_hue(zc_image *im, double factor) {
    /* np.uint8(hue_factor * 255): truncation towards zero, then modulo 256 (x86 numpy). */
    int shift = (int)(factor * 255.0);
    uint8_t d = (uint8_t)(shift & 255);
    size_t n = (size_t)im->w * im->h;
    for (size_t i = 0; i < n; i++) {
        uint8_t hsv[3], *p = im->px + 3 * i;
        rgb2hsv(p, hsv);
        hsv[0] = (uint8_t)(hsv[0] + d);
        hsv2rgb(hsv, p);
    }
}

/* ---------------------------------------------------------------------------------------------
 * xautodl Lighting(alphastd) on a PIL image: inc = eigvec . (rnd * eigval) is added to the 0..255
 * pixel values, clipped and truncated back to bytes. The increments are tiny (|inc| < 0.03 for
 * alphastd 0.1), so in effect a channel with a negative increment loses one level. */

void zc_img_lighting(zc_image *im, const float rnd[3]) {
    static const double eigval[3] = {0.2175, 0.0188, 0.0045};
    static const double eigvec[3][3] = {
        {-0.5675, 0.7192, 0.4009}, {-0.5808, -0.0045, -0.8140}, {-0.5836, -0.6948, 0.4203}};
    double v[3], inc[3];
    for (int j = 0; j < 3; j++) v[j] = (double)rnd[j] * eigval[j];
    for (int c = 0; c < 3; c++) inc[c] = eigvec[c][0] * v[0] + eigvec[c][1] * v[1] + eigvec[c][2] * v[2];
    uint8_t lut[3][256];
    for (int c = 0; c < 3; c++)
        for (int b = 0; b < 256; b++) {
            double x = b + inc[c];
            x = x < 0 ? 0 : x > 255 ? 255 : x;
            lut[c][b] = (uint8_t)x;
        }
    size_t n = (size_t)im->w * im->h;
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++) im->px[3 * i + c] = lut[c][im->px[3 * i + c]];
}

void zc_img_hflip(zc_image *im) {
    for (int y = 0; y < im->h; y++) {
        uint8_t *row = im->px + (size_t)y * im->w * 3;
        for (int a = 0, b = im->w - 1; a < b; a++, b--)
            for (int c = 0; c < 3; c++) {
                uint8_t t = row[3 * a + c];
                row[3 * a + c] = row[3 * b + c];
                row[3 * b + c] = t;
            }
    }
}

/* ---------------------------------------------------------------------------------------------
 * ToTensor + Normalize in float32 as torchvision: (b / 255) then (x - mean) / std. */

void zc_img_to_tensor(const zc_image *im, float *dst) {
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
    float lut[3][256];
    for (int c = 0; c < 3; c++)
        for (int b = 0; b < 256; b++) lut[c][b] = ((float)b / 255.0f - mean[c]) / std[c];
    size_t n = (size_t)im->w * im->h;
    for (int c = 0; c < 3; c++)
        for (size_t i = 0; i < n; i++) dst[(size_t)c * n + i] = lut[c][im->px[3 * i + c]];
}

/* ---------------------------------------------------------------------------------------------
 * The per-image pipeline. Random draws, in order: crop (scale, log-ratio per attempt, then top,
 * left), ColorJitter (order of the four functions, brightness, contrast, saturation, hue
 * factors), Lighting (three normals), flip. */

zc_status zc_img_pipeline(const zc_image *in, int res, int augment, int color, zc_rng *r,
                          float *dst) {
    zc_image a, b;
    zc_status st;
    if (!augment) {
        st = zc_img_eval_transform(in, res, &a);
        if (st != ZC_OK) return st;
        zc_img_to_tensor(&a, dst);
        zc_image_free(&a);
        return ZC_OK;
    }
    int top, left, ch, cw;
    zc_img_rrc_params(in->w, in->h, r, &top, &left, &ch, &cw);
    st = zc_img_crop(in, top, left, ch, cw, &a);
    if (st != ZC_OK) return st;
    st = zc_img_resize(&a, res, res, &b);
    zc_image_free(&a);
    if (st != ZC_OK) return st;
    if (color) {
        /* ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.2): torch.randperm(4)
         * order, factors uniform in [0.6, 1.4] (float32) and [-0.2, 0.2]. */
        int order[4] = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) {
            int j = (int)zc_rng_below(r, (uint64_t)i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        float fb = (float)(0.6 + 0.8 * zc_rng_double(r));
        float fc = (float)(0.6 + 0.8 * zc_rng_double(r));
        float fs = (float)(0.6 + 0.8 * zc_rng_double(r));
        double fh = (double)(float)(-0.2 + 0.4 * zc_rng_double(r));
        for (int i = 0; i < 4; i++) {
            switch (order[i]) {
            case 0: zc_img_brightness(&b, fb); break;
            case 1: zc_img_contrast(&b, fc); break;
            case 2: zc_img_saturation(&b, fs); break;
            default: zc_img_hue(&b, fh); break;
            }
        }
        float rnd[3];
        for (int i = 0; i < 3; i++) rnd[i] = (float)(zc_rng_normal(r) * 0.1);
        zc_img_lighting(&b, rnd);
    }
    if (zc_rng_double(r) < 0.5) zc_img_hflip(&b);
    zc_img_to_tensor(&b, dst);
    zc_image_free(&b);
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------------------
 * zc_batch_resize: the same triangle filter on floats (double accumulation, no rounding). */

zc_status zc_batch_resize(const zc_batch *in, int resolution, zc_batch *out) {
    if (!in || !out) return zc_fail(ZC_EINVAL, "batch resize: missing argument");
    memset(out, 0, sizeof *out);
    if (!in->x || in->n <= 0 || in->c <= 0 || in->h <= 0 || in->w <= 0)
        return zc_fail(ZC_EINVAL, "batch resize: the input batch is empty");
    if (resolution <= 0 || resolution > 4096)
        return zc_fail(ZC_EINVAL, "batch resize: resolution must be in 1..4096 (got %d)", resolution);
    if (in->t || in->y_dim > 1)
        return zc_fail(ZC_EINVAL, "batch resize: the batch's %s targets cannot be resized with its images",
                       zc_loss_name(in->loss));
    memset(out, 0, sizeof *out);
    int h = in->h, w = in->w, R = resolution;
    size_t planes = (size_t)in->n * in->c;
    coeffs ch = {0}, cv = {0};
    double *tmp = NULL;
    out->x = malloc(planes * R * R * sizeof *out->x);
    out->y = in->y ? malloc((size_t)in->n * sizeof *out->y) : NULL;
    tmp = malloc((size_t)h * R * sizeof *tmp);
    if (!out->x || (in->y && !out->y) || !tmp || coeffs_make(&ch, w, R) || coeffs_make(&cv, h, R))
        goto nomem;
    for (size_t p = 0; p < planes; p++) {
        const float *src = in->x + p * h * w;
        float *dst = out->x + p * R * R;
        for (int y = 0; y < h; y++)
            for (int xx = 0; xx < R; xx++) {
                int xmin = ch.bounds[2 * xx], xmax = ch.bounds[2 * xx + 1];
                const double *k = &ch.k[(size_t)xx * ch.ksize];
                double s = 0;
                for (int x = 0; x < xmax; x++) s += src[(size_t)y * w + xmin + x] * k[x];
                tmp[(size_t)y * R + xx] = s;
            }
        for (int yy = 0; yy < R; yy++) {
            int ymin = cv.bounds[2 * yy], ymax = cv.bounds[2 * yy + 1];
            const double *k = &cv.k[(size_t)yy * cv.ksize];
            for (int xx = 0; xx < R; xx++) {
                double s = 0;
                for (int y = 0; y < ymax; y++) s += tmp[(size_t)(ymin + y) * R + xx] * k[y];
                dst[(size_t)yy * R + xx] = (float)s;
            }
        }
    }
    if (in->y) memcpy(out->y, in->y, (size_t)in->n * sizeof *out->y);
    out->n = in->n;
    out->c = in->c;
    out->h = out->w = R;
    out->loss = in->loss;
    coeffs_free(&ch);
    coeffs_free(&cv);
    free(tmp);
    return ZC_OK;
nomem:
    coeffs_free(&ch);
    coeffs_free(&cv);
    free(tmp);
    zc_batch_free(out);
    return zc_fail(ZC_ENOMEM, "batch resize: out of memory (%d images to %dx%d)", in->n, R, R);
}
