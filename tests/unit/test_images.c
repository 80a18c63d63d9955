/* Image folders: scanning and labels, JPEG/PNG decoding of known pixels, the evaluation transform's
 * geometry and normalisation, the augmentation pipeline's determinism and bounds, clean errors for
 * broken files, and zc_batch_resize. The images are written here with libjpeg / libpng.
 *
 * With arguments `--tool ...` the program is the driver of tests/oracle/oracle_images.py instead (decodes and
 * transforms one image with given parameters and writes the result as .npy), see tool_main(). */
#define _POSIX_C_SOURCE 200809L  /* mkdir, opendir, rmdir for the scratch folder */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "data/image_ops.h"
#include "zcnas/data.h"
#include "zcnas/images.h"
#include "zcnas/rng.h"
#include "zcnas/weights.h"
#ifdef ZCNAS_HAVE_JPEG
#include <jpeglib.h>
#endif
#ifdef ZCNAS_HAVE_PNG
#include <png.h>
#endif

#define TMP "test_images.tmp"

static int msg_has(const char *needle) { return strstr(zc_last_error(), needle) != NULL; }

static void rm_tree(const char *path) {
    struct stat sb;
    if (lstat(path, &sb) != 0) return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char sub[1024];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_tree(sub);
        }
        if (d) closedir(d);
        rmdir(path);
    } else {
        remove(path);
    }
}

static void write_bytes(const char *path, const void *bytes, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    if (n && fwrite(bytes, 1, n, f) != n) { perror(path); exit(2); }
    fclose(f);
}

#if defined(ZCNAS_HAVE_JPEG) && defined(ZCNAS_HAVE_PNG)
static const float MEAN[3] = {0.485f, 0.456f, 0.406f}, STD[3] = {0.229f, 0.224f, 0.225f};

static unsigned char *read_bytes(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}
#endif

/* ---- Writers ---- */

#if defined(ZCNAS_HAVE_JPEG) && defined(ZCNAS_HAVE_PNG)
/* color: PNG_COLOR_TYPE_*; depth 8 or 16 (16: each byte b becomes b * 257); px holds channels(color)
 * bytes per pixel (palette: indices, with `pal` of npal RGB entries). */
static void write_png(const char *path, int w, int h, int color, int depth, const uint8_t *px,
                      const uint8_t *pal, int npal) {
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) { fprintf(stderr, "libpng write failed\n"); exit(2); }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth, color, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    int ch = color == PNG_COLOR_TYPE_RGB ? 3 : color == PNG_COLOR_TYPE_RGBA ? 4
           : color == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : 1;
    if (color == PNG_COLOR_TYPE_PALETTE) {
        png_color pc[256];
        for (int i = 0; i < npal; i++) {
            pc[i].red = pal[3 * i];
            pc[i].green = pal[3 * i + 1];
            pc[i].blue = pal[3 * i + 2];
        }
        png_set_PLTE(png, info, pc, npal);
        png_byte trans[1] = {0};  /* entry 0 transparent: must not change the RGB values */
        png_set_tRNS(png, info, trans, 1, NULL);
    }
    png_write_info(png, info);
    int bpp = ch * (depth / 8);
    uint8_t *row = malloc((size_t)w * bpp);
    for (int y = 0; y < h; y++) {
        for (int i = 0; i < w * ch; i++) {
            uint8_t v = px[(size_t)y * w * ch + i];
            if (depth == 16) {
                row[2 * i] = v;       /* big-endian: high byte v, low byte v (v * 257) */
                row[2 * i + 1] = v;
            } else {
                row[i] = v;
            }
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    fclose(f);
}
#endif

#if defined(ZCNAS_HAVE_JPEG) && defined(ZCNAS_HAVE_PNG)
/* comps 1 (grey), 3 (RGB) or 4 (CMYK, stored as given); 4:4:4 sampling. */
static void write_jpeg(const char *path, int w, int h, int comps, const uint8_t *px, int quality) {
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, f);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = comps;
    c.in_color_space = comps == 1 ? JCS_GRAYSCALE : comps == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    for (int i = 0; i < c.num_components; i++)
        c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW r = (JSAMPROW)(px + (size_t)c.next_scanline * w * comps);
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
}
#endif

#if defined(ZCNAS_HAVE_JPEG) && defined(ZCNAS_HAVE_PNG)
static uint8_t *flat(int w, int h, int comps, const uint8_t *v) {
    uint8_t *p = malloc((size_t)w * h * comps);
    for (int i = 0; i < w * h; i++) memcpy(p + (size_t)i * comps, v, (size_t)comps);
    return p;
}

/* A pattern with every pixel different enough to locate crops: (x*7+y*3, x*2+y*11, x*y) mod 256. */
static uint8_t pattern(int x, int y, int c) {
    return (uint8_t)(c == 0 ? x * 7 + y * 3 : c == 1 ? x * 2 + y * 11 : x * y + 5);
}

static uint8_t *pattern_image(int w, int h) {
    uint8_t *p = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) p[((size_t)y * w + x) * 3 + c] = pattern(x, y, c);
    return p;
}
#endif

/* ---- Tests ---- */

/* TMP/good: a_cls {img0.png RGB pattern 12x9, img1.PNG palette, img2.jpg flat RGB}, b_cls
 * {grey.jpeg, rgba.png, zz16.png 16-bit grey}, c_cls {x.JPEG CMYK}; plus ignored entries. */
static int make_good_folder(void) {
#if defined(ZCNAS_HAVE_JPEG) && defined(ZCNAS_HAVE_PNG)
    mkdir(TMP "/good", 0777);
    mkdir(TMP "/good/a_cls", 0777);
    mkdir(TMP "/good/b_cls", 0777);
    mkdir(TMP "/good/c_cls", 0777);
    mkdir(TMP "/good/.hidden", 0777);
    mkdir(TMP "/good/a_cls/sub", 0777);
    write_bytes(TMP "/good/notes.txt", "x", 1);
    write_bytes(TMP "/good/a_cls/notes.txt", "x", 1);
    write_bytes(TMP "/good/.hidden/h.png", "x", 1);
    uint8_t *p = pattern_image(12, 9);
    write_png(TMP "/good/a_cls/img0.png", 12, 9, PNG_COLOR_TYPE_RGB, 8, p, NULL, 0);
    free(p);
    static const uint8_t pal[9] = {10, 20, 30, 200, 100, 50, 0, 255, 128};
    uint8_t idx[20];
    for (int i = 0; i < 20; i++) idx[i] = (uint8_t)(i % 3);
    write_png(TMP "/good/a_cls/img1.PNG", 5, 4, PNG_COLOR_TYPE_PALETTE, 8, idx, pal, 3);
    static const uint8_t rgb[3] = {200, 60, 30};
    p = flat(16, 16, 3, rgb);
    write_jpeg(TMP "/good/a_cls/img2.jpg", 16, 16, 3, p, 100);
    free(p);
    static const uint8_t grey[1] = {77};
    p = flat(24, 8, 1, grey);
    write_jpeg(TMP "/good/b_cls/grey.jpeg", 24, 8, 1, p, 100);
    free(p);
    static const uint8_t rgba[4] = {1, 2, 250, 17};
    p = flat(6, 7, 4, rgba);
    write_png(TMP "/good/b_cls/rgba.png", 6, 7, PNG_COLOR_TYPE_RGBA, 8, p, NULL, 0);
    free(p);
    static const uint8_t g16[1] = {140};
    p = flat(3, 3, 1, g16);
    write_png(TMP "/good/b_cls/zz16.png", 3, 3, PNG_COLOR_TYPE_GRAY, 16, p, NULL, 0);
    free(p);
    static const uint8_t cmyk[4] = {200, 100, 50, 255};  /* Adobe polarity: RGB ~ (200, 100, 50) */
    p = flat(8, 8, 4, cmyk);
    write_jpeg(TMP "/good/c_cls/x.JPEG", 8, 8, 4, p, 100);
    free(p);
    return 1;
#else
    return 0;
#endif
}

#if defined(ZCNAS_HAVE_JPEG) && defined(ZCNAS_HAVE_PNG)
static void test_scan(void) {
    zc_image_folder f;
    CHECK(zc_image_folder_scan(&f, TMP "/good/") == ZC_OK);
    CHECK(f.classes == 3 && f.n == 7);
    if (f.classes != 3 || f.n != 7) {
        zc_image_folder_free(&f);
        return;
    }
    CHECK(!strcmp(f.class_names[0], "a_cls") && !strcmp(f.class_names[1], "b_cls") &&
          !strcmp(f.class_names[2], "c_cls"));
    static const char *names[7] = {"img0.png", "img1.PNG", "img2.jpg", "grey.jpeg",
                                   "rgba.png", "zz16.png", "x.JPEG"};
    static const int labels[7] = {0, 0, 0, 1, 1, 1, 2};
    for (int i = 0; i < 7; i++) {
        CHECK_MSG(!strcmp(f.names + f.name_off[i], names[i]), "image %d is %s", i,
                  f.names + f.name_off[i]);
        CHECK(f.labels[i] == labels[i]);
    }
    char *p = zc_image_folder_path(&f, 6);
    CHECK(p && !strcmp(p, TMP "/good/c_cls/x.JPEG"));
    free(p);
    CHECK(zc_image_folder_path(&f, 7) == NULL && zc_image_folder_path(&f, -1) == NULL);
    zc_image_folder_free(&f);
}

#endif

static void test_scan_errors(void) {
    zc_image_folder f;
    CHECK(zc_image_folder_scan(&f, TMP "/missing") != ZC_OK && msg_has(TMP "/missing") &&
          msg_has("no such directory"));
    write_bytes(TMP "/plain.txt", "x", 1);
    CHECK(zc_image_folder_scan(&f, TMP "/plain.txt") != ZC_OK && msg_has("not a directory"));
    mkdir(TMP "/noclass", 0777);
    write_bytes(TMP "/noclass/a.jpg", "x", 1);
    CHECK(zc_image_folder_scan(&f, TMP "/noclass") == ZC_EDATA && msg_has(TMP "/noclass") &&
          msg_has("no class sub-folders"));
    mkdir(TMP "/noimages", 0777);
    mkdir(TMP "/noimages/k1", 0777);
    mkdir(TMP "/noimages/k2", 0777);
    write_bytes(TMP "/noimages/k1/readme.txt", "x", 1);
    CHECK(zc_image_folder_scan(&f, TMP "/noimages") == ZC_EDATA && msg_has(TMP "/noimages") &&
          msg_has("no .jpg/.jpeg/.png images"));
    write_bytes(TMP "/noimages/k2/a.jpeg", "x", 1);
    CHECK(zc_image_folder_scan(&f, TMP "/noimages") == ZC_EDATA && msg_has("class folder k1"));
    CHECK(f.n == 0 && f.names == NULL);  /* nothing left allocated after a failure */
}

#if defined(ZCNAS_HAVE_JPEG) && defined(ZCNAS_HAVE_PNG)
static int max_diff(const zc_image *im, const uint8_t rgb[3]) {
    int m = 0;
    for (int i = 0; i < im->w * im->h; i++)
        for (int c = 0; c < 3; c++) {
            int d = abs((int)im->px[3 * i + c] - rgb[c]);
            if (d > m) m = d;
        }
    return m;
}

static void test_decode(void) {
    zc_image im;
    CHECK(zc_image_load(TMP "/good/a_cls/img0.png", &im) == ZC_OK);
    CHECK(im.w == 12 && im.h == 9);
    int ok = 1;
    for (int y = 0; y < 9; y++)
        for (int x = 0; x < 12; x++)
            for (int c = 0; c < 3; c++) ok &= im.px[(y * 12 + x) * 3 + c] == pattern(x, y, c);
    CHECK_MSG(ok, "RGB PNG pixels differ from the written ones");
    zc_image_free(&im);

    static const uint8_t pal[3][3] = {{10, 20, 30}, {200, 100, 50}, {0, 255, 128}};
    CHECK(zc_image_load(TMP "/good/a_cls/img1.PNG", &im) == ZC_OK && im.w == 5 && im.h == 4);
    ok = 1;
    for (int i = 0; i < 20; i++) ok &= !memcmp(im.px + 3 * i, pal[i % 3], 3);
    CHECK_MSG(ok, "palette PNG (with a transparent entry) not looked up exactly");
    zc_image_free(&im);

    static const uint8_t rgba_rgb[3] = {1, 2, 250}, g16[3] = {140, 140, 140};
    CHECK(zc_image_load(TMP "/good/b_cls/rgba.png", &im) == ZC_OK && im.w == 6 && im.h == 7);
    CHECK_MSG(max_diff(&im, rgba_rgb) == 0, "RGBA PNG: alpha must be dropped, not composited");
    zc_image_free(&im);
    CHECK(zc_image_load(TMP "/good/b_cls/zz16.png", &im) == ZC_OK && im.w == 3 && im.h == 3);
    CHECK(max_diff(&im, g16) == 0);
    zc_image_free(&im);

    static const uint8_t rgb[3] = {200, 60, 30}, grey[3] = {77, 77, 77}, cmyk_rgb[3] = {200, 100, 50};
    CHECK(zc_image_load(TMP "/good/a_cls/img2.jpg", &im) == ZC_OK && im.w == 16 && im.h == 16);
    CHECK_MSG(max_diff(&im, rgb) <= 3, "flat RGB JPEG off by %d levels", max_diff(&im, rgb));
    zc_image_free(&im);
    CHECK(zc_image_load(TMP "/good/b_cls/grey.jpeg", &im) == ZC_OK && im.w == 24 && im.h == 8);
    CHECK_MSG(max_diff(&im, grey) <= 1, "flat grey JPEG off by %d levels", max_diff(&im, grey));
    zc_image_free(&im);
    CHECK(zc_image_load(TMP "/good/c_cls/x.JPEG", &im) == ZC_OK && im.w == 8 && im.h == 8);
    CHECK_MSG(max_diff(&im, cmyk_rgb) <= 3, "CMYK JPEG off by %d levels", max_diff(&im, cmyk_rgb));
    zc_image_free(&im);
}

/* Truncated, fake and corrupt files: ZC_EDATA with the file's name; never a crash or exit(). */
static void test_bad_files(void) {
    mkdir(TMP "/bad", 0777);
    mkdir(TMP "/bad/k", 0777);
    uint8_t *p = pattern_image(64, 48);
    write_jpeg(TMP "/bad/k/full.jpg", 64, 48, 3, p, 90);
    write_png(TMP "/bad/k/full.png", 64, 48, PNG_COLOR_TYPE_RGB, 8, p, NULL, 0);
    free(p);
    size_t n;
    unsigned char *jpg = read_bytes(TMP "/bad/k/full.jpg", &n);
    write_bytes(TMP "/bad/k/trunc.jpg", jpg, n / 2);
    write_bytes(TMP "/bad/k/trunchead.jpg", jpg, 40);
    jpg[n / 3] ^= 0xFF;  /* damage entropy-coded data and a marker segment */
    for (size_t i = 2; i + 1 < n; i++)
        if (jpg[i] == 0xFF && jpg[i + 1] == 0xC4) { jpg[i + 4] = 0xFF; jpg[i + 5] = 0xFF; break; }
    write_bytes(TMP "/bad/k/corrupt.jpg", jpg, n);
    free(jpg);
    unsigned char *png = read_bytes(TMP "/bad/k/full.png", &n);
    write_bytes(TMP "/bad/k/trunc.png", png, n - 20);
    png[n / 2] ^= 0x55;  /* CRC / zlib failure */
    write_bytes(TMP "/bad/k/crc.png", png, n);
    free(png);
    write_bytes(TMP "/bad/k/fake.jpg", "this is not an image\n", 21);
    write_bytes(TMP "/bad/k/empty.png", "", 0);

    static const char *bad[] = {TMP "/bad/k/trunc.jpg", TMP "/bad/k/trunchead.jpg",
                                TMP "/bad/k/corrupt.jpg", TMP "/bad/k/trunc.png",
                                TMP "/bad/k/crc.png", TMP "/bad/k/fake.jpg", TMP "/bad/k/empty.png"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zc_image im = {1, 1, NULL};
        zc_status st = zc_image_load(bad[i], &im);
        CHECK_MSG(st == ZC_EDATA && msg_has(bad[i]), "%s: status %d, message '%s'", bad[i], (int)st,
                  zc_last_error());
        CHECK(im.px == NULL && im.w == 0);
    }
    zc_image im;
    CHECK(zc_image_load(TMP "/bad/k/trunc.jpg", &im) == ZC_EDATA && msg_has("truncated"));
    CHECK(zc_image_load(TMP "/bad/k/fake.jpg", &im) == ZC_EDATA && msg_has("not a JPEG or PNG"));
    CHECK(zc_image_load(TMP "/bad/k/nothere.jpg", &im) == ZC_EIO && msg_has("nothere.jpg"));

    /* A draw touching a broken file fails naming it; with skip_bad the good images are used. */
    zc_image_folder f;
    CHECK(zc_image_folder_scan(&f, TMP "/bad") == ZC_OK && f.n == 9);
    zc_image_opts o;
    zc_image_opts_default(&o);
    o.resolution = 8;
    o.batch_size = 9;
    o.n_batches = 1;
    zc_batch b[2] = {{0}};
    CHECK(zc_image_batches_opts(&f, &o, b) == ZC_EDATA && msg_has(TMP "/bad/k/"));
    o.skip_bad = 1;
    o.batch_size = 2;
    o.n_batches = 2;
    fprintf(stderr, "test_images: the following 'skipping' warnings are expected\n");
    CHECK(zc_image_batches_opts(&f, &o, b) == ZC_OK);
    CHECK(b[0].n == 2 && b[1].n == 2 && b[0].h == 8);
    zc_batch_free(&b[0]);
    zc_batch_free(&b[1]);
    zc_image_folder_free(&f);
}

static void test_eval_geometry(void) {
    /* 40x30 -> res 16: shorter side to 16*256/224 = 18, longer int(18*40/30) = 24, crop at (1, 4). */
    uint8_t *p = pattern_image(40, 30);
    zc_image in = {40, 30, p}, r, c;
    CHECK(zc_img_resize_shorter(&in, 18, &r) == ZC_OK && r.w == 24 && r.h == 18);
    zc_image_free(&r);
    zc_image portrait = {30, 40, p};  /* same bytes seen as 30x40 */
    CHECK(zc_img_resize_shorter(&portrait, 18, &r) == ZC_OK && r.w == 18 && r.h == 24);
    zc_image_free(&r);
    /* Shorter side already 18: untouched; the crop is the window at top round(24/2) = 12, left 1. */
    free(p);
    p = pattern_image(18, 40);
    zc_image tall = {18, 40, p};
    CHECK(zc_img_eval_transform(&tall, 16, &c) == ZC_OK && c.w == 16 && c.h == 16);
    int ok = 1;
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 16; x++)
            for (int ch = 0; ch < 3; ch++) ok &= c.px[(y * 16 + x) * 3 + ch] == pattern(x + 1, y + 12, ch);
    CHECK_MSG(ok, "center crop window of an unresized image is not at (top 12, left 1)");
    zc_image_free(&c);
    free(p);
    /* Python's round() halves to even: 19x17 -> 16: left round(1.5) = 2, top round(0.5) = 0. */
    p = pattern_image(19, 17);
    zc_image odd = {19, 17, p};
    CHECK(zc_img_center_crop(&odd, 16, &c) == ZC_OK);
    CHECK(c.px[0] == pattern(2, 0, 0) && c.px[1] == pattern(2, 0, 1) && c.px[2] == pattern(2, 0, 2));
    zc_image_free(&c);
    free(p);

    /* A flat image stays flat through resize + crop and normalises to (v/255 - mean)/std. */
    static const uint8_t v[3] = {10, 128, 250};
    p = flat(41, 29, 3, v);
    zc_image fl = {41, 29, p};
    float x[3 * 16 * 16];
    zc_rng rng;
    zc_rng_seed(&rng, 1, 0);
    CHECK(zc_img_pipeline(&fl, 16, 0, 0, &rng, x) == ZC_OK);
    double worst = 0;
    for (int ch = 0; ch < 3; ch++) {
        double want = ((double)v[ch] / 255.0 - MEAN[ch]) / STD[ch];
        for (int i = 0; i < 256; i++) worst = fmax(worst, fabs(x[ch * 256 + i] - want));
    }
    CHECK_NEAR(worst, 0.0, 1e-5);
    CHECK_NEAR(x[0], (10.0 / 255 - 0.485) / 0.229, 1e-5);
    /* Upscaling a flat image (shorter side 5 -> 18) is flat too. */
    zc_image small = {7, 5, p};
    CHECK(zc_img_pipeline(&small, 16, 0, 0, &rng, x) == ZC_OK);
    worst = 0;
    for (int i = 0; i < 256; i++) worst = fmax(worst, fabs(x[i] - x[0]));
    CHECK_NEAR(worst, 0.0, 0.0);
    free(p);
}

/* RandomResizedCrop parameters always describe a box inside the image with an allowed shape. */
static void test_rrc_params(void) {
    zc_rng r;
    zc_rng_seed(&r, 7, 0);
    static const int sizes[][2] = {{500, 375}, {64, 64}, {300, 20}, {20, 300}, {1, 1}, {3, 2}};
    int bad = 0, fallback_seen = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int t = 0; t < 500; t++) {
            int w = sizes[s][0], h = sizes[s][1], top, left, ch, cw;
            zc_img_rrc_params(w, h, &r, &top, &left, &ch, &cw);
            if (ch < 1 || cw < 1 || top < 0 || left < 0 || top + ch > h || left + cw > w) bad++;
            if (w == 300 && h == 20 && cw == 27 && ch == 20 && left == 136) fallback_seen++;
        }
    CHECK_MSG(bad == 0, "%d crops outside their image", bad);
    /* 300x20 is too elongated for most attempts: the fallback is the central 27x20 (round(20*4/3)). */
    CHECK(fallback_seen > 0);
}

static int same_batches(const zc_batch *a, const zc_batch *b, int nb) {
    for (int i = 0; i < nb; i++) {
        size_t n = (size_t)a[i].n * a[i].c * a[i].h * a[i].w;
        if (a[i].n != b[i].n || memcmp(a[i].x, b[i].x, n * sizeof(float)) ||
            memcmp(a[i].y, b[i].y, (size_t)a[i].n * sizeof(int)))
            return 0;
    }
    return 1;
}

static void test_batches(void) {
    zc_batch a[3], b[3];
    /* All 7 images once, evaluation transforms: every label appears as often as its class has files. */
    CHECK(zc_image_batches(TMP "/good", 12, 7, 1, 3, 0, a) == ZC_OK);
    CHECK(a[0].n == 7 && a[0].c == 3 && a[0].h == 12 && a[0].w == 12);
    int count[3] = {0, 0, 0};
    for (int i = 0; i < 7; i++)
        if (a[0].y[i] >= 0 && a[0].y[i] < 3) count[a[0].y[i]]++;
    CHECK(count[0] == 3 && count[1] == 3 && count[2] == 1);
    /* The flat grey image normalises to its known values: find it by its label-1 uniform planes. */
    int found = 0;
    for (int i = 0; i < 7; i++) {
        const float *x = a[0].x + (size_t)i * 3 * 144;
        double want = (77.0 / 255 - MEAN[0]) / STD[0];
        if (a[0].y[i] == 1 && fabs(x[0] - want) < 0.02 && fabs(x[143] - want) < 0.02) found++;
    }
    CHECK(found == 1);
    zc_batch_free(&a[0]);

    /* Augmented: deterministic for a seed, different across seeds, values in the normalised range. */
    CHECK(zc_image_batches(TMP "/good", 16, 3, 3, 11, 1, a) == ZC_OK);
    CHECK(zc_image_batches(TMP "/good", 16, 3, 3, 11, 1, b) == ZC_OK);
    CHECK(same_batches(a, b, 3));
    double lo = 1e9, hi = -1e9;
    for (int i = 0; i < 3; i++)
        for (size_t j = 0; j < (size_t)3 * 3 * 256; j++) {
            lo = fmin(lo, a[i].x[j]);
            hi = fmax(hi, a[i].x[j]);
        }
    CHECK(lo >= (0 - 0.485) / 0.229 - 1e-4 && hi <= (1 - 0.406) / 0.225 + 1e-4);
    for (int i = 0; i < 3; i++) {
        /* No image twice inside a batch: at most the class sizes. */
        int cnt[3] = {0, 0, 0};
        for (int j = 0; j < 3; j++) cnt[a[i].y[j]]++;
        CHECK(cnt[2] <= 1);
        zc_batch_free(&b[i]);
    }
    CHECK(zc_image_batches(TMP "/good", 16, 3, 3, 12, 1, b) == ZC_OK);
    CHECK(!same_batches(a, b, 3));
    for (int i = 0; i < 3; i++) {
        zc_batch_free(&a[i]);
        zc_batch_free(&b[i]);
    }
    /* Color jitter on/off changes the pixels, not which images are drawn. */
    zc_image_folder f;
    CHECK(zc_image_folder_scan(&f, TMP "/good") == ZC_OK);
    zc_image_opts o;
    zc_image_opts_default(&o);
    o.resolution = 16;
    o.batch_size = 4;
    o.n_batches = 2;
    o.seed = 5;
    CHECK(zc_image_batches_opts(&f, &o, a) == ZC_OK);
    o.color = 0;
    CHECK(zc_image_batches_opts(&f, &o, b) == ZC_OK);
    CHECK(!memcmp(a[0].y, b[0].y, 4 * sizeof(int)) && !memcmp(a[1].y, b[1].y, 4 * sizeof(int)));
    CHECK(memcmp(a[0].x, b[0].x, (size_t)4 * 3 * 256 * sizeof(float)) != 0);
    for (int i = 0; i < 2; i++) {
        zc_batch_free(&a[i]);
        zc_batch_free(&b[i]);
    }
    /* Argument errors. */
    o.batch_size = 8;
    CHECK(zc_image_batches_opts(&f, &o, a) == ZC_EINVAL && msg_has("larger than"));
    o.batch_size = 2;
    o.resolution = 0;
    CHECK(zc_image_batches_opts(&f, &o, a) == ZC_EINVAL);
    zc_image_folder_free(&f);
    CHECK(zc_image_batches(TMP "/missing", 16, 2, 1, 0, 1, a) != ZC_OK && msg_has(TMP "/missing"));
}

/* The colour operations keep grey grey (saturation, hue) and leave images alone at factor 1. */
static void test_color_ops(void) {
    uint8_t *p = pattern_image(9, 7);
    uint8_t *q = malloc(9 * 7 * 3);
    memcpy(q, p, 9 * 7 * 3);
    zc_image im = {9, 7, q};
    zc_img_brightness(&im, 1.0f);
    zc_img_contrast(&im, 1.0f);
    zc_img_saturation(&im, 1.0f);
    CHECK(!memcmp(p, q, 9 * 7 * 3));  /* (hue 0 is not an identity: PIL's 8-bit HSV round trip) */
    zc_img_hflip(&im);
    CHECK(q[0] == p[8 * 3] && q[8 * 3 + 1] == p[1]);
    zc_img_hflip(&im);
    CHECK(!memcmp(p, q, 9 * 7 * 3));
    zc_img_brightness(&im, 0.5f);
    CHECK(q[3] == (uint8_t)(p[3] * 0.5f));
    zc_img_brightness(&im, 0.0f);
    int zero = 1;
    for (int i = 0; i < 9 * 7 * 3; i++) zero &= q[i] == 0;
    CHECK(zero);
    static const uint8_t g[3] = {90, 90, 90};
    uint8_t *gp = flat(5, 5, 3, g);
    zc_image gi = {5, 5, gp};
    zc_img_saturation(&gi, 1.4f);
    zc_img_hue(&gi, 0.2);
    zc_img_contrast(&gi, 0.7f);
    CHECK(max_diff(&gi, g) == 0);
    /* Lighting: a channel whose increment is negative loses one level, others are unchanged. */
    float rnd[3] = {0.1f, 0.0f, 0.0f};  /* inc = eigvec[:,0] * 0.02175 < 0 on all channels */
    zc_img_lighting(&gi, rnd);
    static const uint8_t g1[3] = {89, 89, 89};
    CHECK(max_diff(&gi, g1) == 0);
    float rnd2[3] = {-0.1f, 0.0f, 0.0f};
    zc_img_lighting(&gi, rnd2);
    CHECK(max_diff(&gi, g1) == 0);
    free(gp);
    free(p);
    free(q);
}
#endif

static void test_batch_resize(void) {
    zc_batch in = {.n = 2, .c = 3, .h = 4, .w = 5, .x = NULL, .y = NULL}, out;
    in.x = malloc(sizeof(float) * 2 * 3 * 4 * 5);
    int y[2] = {3, 8};
    in.y = y;
    for (int i = 0; i < 2 * 3 * 20; i++) in.x[i] = (float)(-1.25 + 0.5 * (i / 20));
    CHECK(zc_batch_resize(&in, 11, &out) == ZC_OK);
    CHECK(out.n == 2 && out.c == 3 && out.h == 11 && out.w == 11 && out.y[0] == 3 && out.y[1] == 8);
    double worst = 0;
    for (int p = 0; p < 6; p++)
        for (int i = 0; i < 121; i++) worst = fmax(worst, fabs(out.x[p * 121 + i] - (-1.25 + 0.5 * p)));
    CHECK_NEAR(worst, 0.0, 1e-6);
    zc_batch_free(&out);
    /* A 1x2 ramp [0, 1] doubled: align_corners=False gives 0, 0.25, 0.75, 1 on each row. */
    zc_batch ramp = {.n = 1, .c = 1, .h = 2, .w = 2, .x = NULL, .y = NULL};
    float rx[4] = {0, 1, 0, 1};
    ramp.x = rx;
    CHECK(zc_batch_resize(&ramp, 4, &out) == ZC_OK && out.y == NULL);
    static const float want[4] = {0, 0.25f, 0.75f, 1};
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) CHECK_NEAR(out.x[r * 4 + c], want[c], 1e-7);
    zc_batch_free(&out);
    CHECK(zc_batch_resize(&in, 0, &out) == ZC_EINVAL);
    free(in.x);

    /* The bundled CIFAR sample as a stand-in for ImageNet: 32 -> 224 keeps each image's mean. */
    const char *root = getenv("ZCNAS_DATA");
    if (!root) return;
    char path[2048];
    snprintf(path, sizeof path, "%s/cifar10", root);
    zc_dataset ds;
    if (zc_dataset_load(&ds, ZC_CIFAR10, path) != ZC_OK) {
        CHECK_MSG(0, "cannot load %s: %s", path, zc_last_error());
        return;
    }
    zc_batch_opts bo = {4, 1, ZC_SAMPLER_SEQUENTIAL, 0, 0};
    zc_batch b = {0};
    CHECK(zc_batches_make(&ds, &bo, &b) == ZC_OK);
    CHECK(zc_batch_resize(&b, 224, &out) == ZC_OK && out.h == 224 && out.y[0] == b.y[0]);
    for (int p = 0; p < 4 * 3; p++) {
        double m0 = 0, m1 = 0;
        for (int i = 0; i < 32 * 32; i++) m0 += b.x[p * 1024 + i];
        for (int i = 0; i < 224 * 224; i++) m1 += out.x[(size_t)p * 224 * 224 + i];
        CHECK_NEAR(m1 / (224 * 224), m0 / 1024, 0.02);
    }
    zc_batch_free(&out);
    zc_batch_free(&b);
    zc_dataset_free(&ds);
}

static void test_unsupported(void) {
    /* Without a decoder, a JPEG / PNG is refused with ZC_EUNSUPPORTED rather than misread. */
    static const unsigned char jpeg_head[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0};
    write_bytes(TMP "/head.jpg", jpeg_head, sizeof jpeg_head);
    zc_image im;
    zc_status st = zc_image_load(TMP "/head.jpg", &im);
    if (zc_images_have_jpeg())
        CHECK(st == ZC_EDATA && msg_has("head.jpg"));
    else
        CHECK(st == ZC_EUNSUPPORTED && msg_has("without libjpeg"));
}

/* ---- Driver for tests/oracle/oracle_images.py ----
 *   --tool caps                                  prints "jpeg J png P"
 *   --tool decode IN OUT                         RGB bytes as float32 [h, w, 3]
 *   --tool eval IN RES OUT                       Resize+CenterCrop+ToTensor+Normalize, [3, RES, RES]
 *   --tool op IN OUT NAME ARGS...                one operation, RGB bytes [h, w, 3]; NAME ARGS:
 *       resize W H | resized_crop TOP LEFT H W SIZE | brightness F | contrast F | saturation F |
 *       hue F | lighting A0 A1 A2 | hflip */
static int write_rgb(const char *path, const zc_image *im) {
    size_t n = (size_t)im->w * im->h * 3;
    float *f = malloc(n * sizeof *f);
    for (size_t i = 0; i < n; i++) f[i] = im->px[i];
    int shape[3] = {im->h, im->w, 3};
    zc_status st = zc_npy_write_f32(path, f, 3, shape);
    free(f);
    if (st != ZC_OK) fprintf(stderr, "test_images: %s\n", zc_last_error());
    return st == ZC_OK ? 0 : 1;
}

static int tool_main(int argc, char **argv) {
    if (argc >= 1 && !strcmp(argv[0], "caps")) {
        printf("jpeg %d png %d\n", zc_images_have_jpeg(), zc_images_have_png());
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "test_images --tool: bad arguments\n");
        return 2;
    }
    zc_image im;
    if (zc_image_load(argv[1], &im) != ZC_OK) {
        fprintf(stderr, "test_images: %s\n", zc_last_error());
        return 1;
    }
    int rc = 0;
    if (!strcmp(argv[0], "decode")) {
        rc = write_rgb(argv[2], &im);
    } else if (!strcmp(argv[0], "eval") && argc == 4) {
        int res = atoi(argv[2]);
        float *x = malloc(sizeof(float) * 3 * res * res);
        zc_rng r;
        zc_rng_seed(&r, 0, 0);
        if (zc_img_pipeline(&im, res, 0, 0, &r, x) != ZC_OK) {
            fprintf(stderr, "test_images: %s\n", zc_last_error());
            rc = 1;
        } else {
            int shape[3] = {3, res, res};
            rc = zc_npy_write_f32(argv[3], x, 3, shape) != ZC_OK;
        }
        free(x);
    } else if (!strcmp(argv[0], "op") && argc >= 4) {
        const char *name = argv[3];
        char **a = argv + 4;
        int na = argc - 4;
        zc_status st = ZC_OK;
        zc_image out = {0, 0, NULL};
        if (!strcmp(name, "resize") && na == 2) {
            st = zc_img_resize(&im, atoi(a[0]), atoi(a[1]), &out);
        } else if (!strcmp(name, "resized_crop") && na == 5) {
            zc_image c;
            st = zc_img_crop(&im, atoi(a[0]), atoi(a[1]), atoi(a[2]), atoi(a[3]), &c);
            if (st == ZC_OK) {
                st = zc_img_resize(&c, atoi(a[4]), atoi(a[4]), &out);
                zc_image_free(&c);
            }
        } else {
            out = im;  /* the in-place operations */
            im.px = NULL;
            if (!strcmp(name, "brightness") && na == 1) zc_img_brightness(&out, (float)atof(a[0]));
            else if (!strcmp(name, "contrast") && na == 1) zc_img_contrast(&out, (float)atof(a[0]));
            else if (!strcmp(name, "saturation") && na == 1) zc_img_saturation(&out, (float)atof(a[0]));
            else if (!strcmp(name, "hue") && na == 1) zc_img_hue(&out, atof(a[0]));
            else if (!strcmp(name, "hflip") && na == 0) zc_img_hflip(&out);
            else if (!strcmp(name, "lighting") && na == 3) {
                float rnd[3] = {(float)atof(a[0]), (float)atof(a[1]), (float)atof(a[2])};
                zc_img_lighting(&out, rnd);
            } else {
                fprintf(stderr, "test_images --tool op: unknown operation %s\n", name);
                rc = 2;
            }
        }
        if (st != ZC_OK) {
            fprintf(stderr, "test_images: %s\n", zc_last_error());
            rc = 1;
        } else if (rc == 0) {
            rc = write_rgb(argv[2], &out);
        }
        zc_image_free(&out);
    } else {
        fprintf(stderr, "test_images --tool: unknown command %s\n", argv[0]);
        rc = 2;
    }
    zc_image_free(&im);
    return rc;
}

int main(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "--tool")) return tool_main(argc - 2, argv + 2);
    rm_tree(TMP);
    mkdir(TMP, 0777);
    test_scan_errors();
    test_batch_resize();
    test_unsupported();
    if (make_good_folder()) {
#if defined(ZCNAS_HAVE_JPEG) && defined(ZCNAS_HAVE_PNG)
        test_scan();
        test_decode();
        test_bad_files();
        test_eval_geometry();
        test_rrc_params();
        test_batches();
        test_color_ops();
#endif
    } else {
        printf("test_images: built without libjpeg/libpng: decoding tests skipped\n");
        mkdir(TMP "/nolib", 0777);
        mkdir(TMP "/nolib/k", 0777);
        write_bytes(TMP "/nolib/k/a.jpg", "\xFF\xD8\xFF", 3);
        zc_batch b = {0};
        zc_status st = zc_image_batches(TMP "/nolib", 16, 1, 1, 0, 0, &b);
        if (zc_images_have_jpeg())
            CHECK(st == ZC_EDATA && msg_has("a.jpg"));
        else
            CHECK(st == ZC_EUNSUPPORTED && msg_has("without lib"));
    }
    rm_tree(TMP);
    return check_report("test_images");
}
