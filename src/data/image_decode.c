/* Decoding one JPEG (libjpeg) or PNG (libpng) file into 8-bit RGB the way PIL's
 * Image.open(path).convert("RGB") does. Both libraries report fatal errors through longjmp from our
 * handlers (never exit()); every failure becomes one message naming the file. */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zcnas/images.h"
#ifdef ZCNAS_HAVE_JPEG
#include <jpeglib.h>
#include <jerror.h>
#endif
#ifdef ZCNAS_HAVE_PNG
#include <png.h>
#endif

#define MAX_FILE_BYTES ((size_t)1 << 30)

int zc_images_have_jpeg(void) {
#ifdef ZCNAS_HAVE_JPEG
    return 1;
#else
    return 0;
#endif
}

int zc_images_have_png(void) {
#ifdef ZCNAS_HAVE_PNG
    return 1;
#else
    return 0;
#endif
}

void zc_image_free(zc_image *img) {
    if (!img) return;
    free(img->px);
    memset(img, 0, sizeof *img);
}

static zc_status read_file(const char *path, uint8_t **data, size_t *size) {
    *data = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return zc_fail(ZC_EIO, "%s: cannot open the image", path);
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            return zc_fail(ZC_ENOMEM, "%s: out of memory reading the image", path);
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        if (cap >= MAX_FILE_BYTES) {
            free(buf);
            fclose(f);
            return zc_fail(ZC_EDATA, "%s: image file larger than 1 GiB", path);
        }
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) free(buf);
        buf = nb;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return zc_fail(ZC_EIO, "%s: read error", path);
    }
    *data = buf;
    *size = n;
    return ZC_OK;
}

#if defined(ZCNAS_HAVE_JPEG) || defined(ZCNAS_HAVE_PNG)
static zc_status check_size(const char *path, long w, long h) {
    if (w <= 0 || h <= 0) return zc_fail(ZC_EDATA, "%s: image has no pixels (%ldx%ld)", path, w, h);
    if ((int64_t)w * h > ZC_IMAGE_MAX_PIXELS)
        return zc_fail(ZC_EDATA, "%s: image of %ldx%ld pixels is over the limit of %d", path, w, h,
                       ZC_IMAGE_MAX_PIXELS);
    return ZC_OK;
}
#endif

/* ------------------------------------------------------------------------------------------- */
#ifdef ZCNAS_HAVE_JPEG

typedef struct jpeg_err {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    int eof;                          /* the data ended before the image did */
    char msg[JMSG_LENGTH_MAX];
} jpeg_err;

static void jpeg_on_error(j_common_ptr c) {
    jpeg_err *e = (jpeg_err *)c->err;
    c->err->format_message(c, e->msg);
    longjmp(e->jump, 1);
}

/* Warnings (level -1) and traces are not printed. libjpeg pads a truncated stream with an EOI
 * marker and only warns; PIL refuses such files ("image file is truncated"), so do we. */
static void jpeg_on_message(j_common_ptr c, int level) {
    jpeg_err *e = (jpeg_err *)c->err;
    if (level < 0) {
        c->err->num_warnings++;
        if (c->err->msg_code == JWRN_JPEG_EOF) e->eof = 1;
    }
}

static zc_status decode_jpeg(const char *path, const uint8_t *data, size_t size, zc_image *img) {
    struct jpeg_decompress_struct cinfo;
    jpeg_err err;
    uint8_t *volatile px = NULL;
    uint8_t *volatile row = NULL;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = jpeg_on_error;
    err.pub.emit_message = jpeg_on_message;
    err.eof = 0;
    err.msg[0] = '\0';
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(px);
        free(row);
        if (err.eof) return zc_fail(ZC_EDATA, "%s: truncated JPEG (%s)", path, err.msg);
        return zc_fail(ZC_EDATA, "%s: corrupt JPEG (%s)", path, err.msg);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, (const unsigned char *)data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    if (err.eof) {
        jpeg_destroy_decompress(&cinfo);
        return zc_fail(ZC_EDATA, "%s: truncated JPEG (the file ends inside the header)", path);
    }
    /* PIL: 1 component = L, 3 = RGB (libjpeg converts YCbCr), 4 = CMYK with Adobe polarity. */
    int comps = cinfo.num_components;
    if (comps == 1)
        cinfo.out_color_space = JCS_GRAYSCALE;
    else if (comps == 3)
        cinfo.out_color_space = JCS_RGB;
    else if (comps == 4)
        cinfo.out_color_space = JCS_CMYK;
    else {
        jpeg_destroy_decompress(&cinfo);
        return zc_fail(ZC_EDATA, "%s: JPEG with %d colour components is not supported", path, comps);
    }
    zc_status st = check_size(path, (long)cinfo.image_width, (long)cinfo.image_height);
    if (st != ZC_OK) {
        jpeg_destroy_decompress(&cinfo);
        return st;
    }
    jpeg_start_decompress(&cinfo);
    int w = (int)cinfo.output_width, h = (int)cinfo.output_height, oc = cinfo.output_components;
    px = malloc((size_t)w * h * 3);
    row = malloc((size_t)w * oc);
    if (!px || !row) {
        jpeg_destroy_decompress(&cinfo);
        free(px);
        free(row);
        return zc_fail(ZC_ENOMEM, "%s: out of memory decoding a %dx%d JPEG", path, w, h);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        int y = (int)cinfo.output_scanline;
        JSAMPROW rows[1] = {row};
        /* Past the end of the data libjpeg makes up grey rows: stop at once (a header can announce
         * 178 million pixels in a few hundred bytes). */
        if (jpeg_read_scanlines(&cinfo, rows, 1) != 1 || err.eof) break;
        uint8_t *o = px + (size_t)y * w * 3;
        if (oc == 1) {
            for (int x = 0; x < w; x++) o[3 * x] = o[3 * x + 1] = o[3 * x + 2] = row[x];
        } else if (oc == 3) {
            memcpy(o, row, (size_t)w * 3);
        } else {
            /* PIL "CMYK;I" unpacking (inverted), then cmyk2rgb. */
            for (int x = 0; x < w; x++) {
                const uint8_t *p = row + 4 * x;
                int nk = p[3];  /* 255 - (255 - k) */
                for (int c = 0; c < 3; c++) {
                    int v = 255 - p[c], tmp = v * nk + 128;
                    int r = nk - (((tmp >> 8) + tmp) >> 8);
                    o[3 * x + c] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
                }
            }
        }
    }
    if (err.eof || cinfo.output_scanline < cinfo.output_height) {
        int eof = err.eof;
        jpeg_destroy_decompress(&cinfo);
        free(px);
        free(row);
        return zc_fail(ZC_EDATA, "%s: %s", path,
                       eof ? "truncated JPEG (the file ends inside the image data)"
                           : "corrupt JPEG (decoding stopped early)");
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    img->w = w;
    img->h = h;
    img->px = px;
    return ZC_OK;
}
#endif

/* ------------------------------------------------------------------------------------------- */
#ifdef ZCNAS_HAVE_PNG

typedef struct png_src {
    const uint8_t *data;
    size_t size, pos;
    char msg[200];
} png_src;

static void png_on_error(png_structp png, png_const_charp msg) {
    png_src *s = (png_src *)png_get_error_ptr(png);
    snprintf(s->msg, sizeof s->msg, "%s", msg ? msg : "unknown error");
    png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
}

static void png_read_mem(png_structp png, png_bytep out, size_t n) {
    png_src *s = (png_src *)png_get_io_ptr(png);
    if (n > s->size - s->pos) png_error(png, "the file is truncated");
    memcpy(out, s->data + s->pos, n);
    s->pos += n;
}

static zc_status decode_png(const char *path, const uint8_t *data, size_t size, zc_image *img) {
    png_src src = {data, size, 0, ""};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_on_error,
                                             png_on_warning);
    if (!png) return zc_fail(ZC_ENOMEM, "%s: out of memory (libpng)", path);
    png_infop info = png_create_info_struct(png);
    uint8_t *volatile px = NULL;
    png_bytep *volatile rows = NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return zc_fail(ZC_ENOMEM, "%s: out of memory (libpng)", path);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(px);
        free(rows);
        return zc_fail(ZC_EDATA, "%s: corrupt PNG (%s)", path, src.msg);
    }
    png_set_read_fn(png, &src, png_read_mem);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int color = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
    zc_status st = check_size(path, (long)w, (long)h);
    if (st != ZC_OK) {
        png_destroy_read_struct(&png, &info, NULL);
        return st;
    }
    /* As PIL's convert("RGB"): palettes looked up, grey replicated (1/2/4-bit scaled to 0..255),
     * alpha (and tRNS) dropped without compositing, 16-bit samples reduced to their high byte. */
    if (depth == 16) png_set_strip_16(png);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if ((color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if (rowbytes != (size_t)w * 3 || png_get_bit_depth(png, info) != 8)
        png_error(png, "unexpected pixel layout after conversion to RGB");
    px = malloc((size_t)w * h * 3);
    rows = malloc((size_t)h * sizeof *rows);
    if (!px || !rows) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < h; y++) rows[y] = px + (size_t)y * w * 3;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    img->w = (int)w;
    img->h = (int)h;
    img->px = px;
    return ZC_OK;
}
#endif

/* ------------------------------------------------------------------------------------------- */

zc_status zc_image_load(const char *path, zc_image *img) {
    if (!path || !img) return zc_fail(ZC_EINVAL, "image load: missing argument");
    memset(img, 0, sizeof *img);
    uint8_t *data;
    size_t size;
    zc_status st = read_file(path, &data, &size);
    if (st != ZC_OK) return st;
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    int is_jpeg = size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;
    int is_png = size >= 8 && memcmp(data, png_sig, 8) == 0;
    if (is_jpeg) {
#ifdef ZCNAS_HAVE_JPEG
        st = decode_jpeg(path, data, size, img);
#else
        st = zc_fail(ZC_EUNSUPPORTED, "%s: zcnas was built without libjpeg", path);
#endif
    } else if (is_png) {
#ifdef ZCNAS_HAVE_PNG
        st = decode_png(path, data, size, img);
#else
        st = zc_fail(ZC_EUNSUPPORTED, "%s: zcnas was built without libpng", path);
#endif
    } else {
        st = zc_fail(ZC_EDATA, "%s: %s", path,
                     size == 0 ? "empty file, not an image" : "not a JPEG or PNG image");
    }
    free(data);
    return st;
}
