/* Taskonomy data as TransNAS-Bench-101 reads it (its taskonomy_dataset.py and load_ops.py):
 *   DIR/[building/]rgb/point_<p>_view_<v>_domain_rgb.png        the input image
 *   DIR/[building/]<domain>/point_<p>_view_<v>_domain_<domain>.<ext>   the task's label:
 *     class_object, class_scene: .npy soft labels (the head's classes, or the full 1000 / 365 vector
 *     with the benchmark's selection mask class_<task>_selected.npy in DIR); room_layout: .npy of 9;
 *     segmentsemantic: .png class map (0 -> 1, then minus 1: classes 0..16); normal: .png.
 *   autoencoder and jigsaw take their targets from the image, so any folder of PNG/JPEG images works
 *   for them (flat, or one sub-folder level).
 * Validation transforms: PIL bilinear resize to R x R, ToTensor, the task's Normalize; jigsaw: resize
 * to 255, centre crop 0.9, resize back, nine 64 x 64 tiles at random offsets of the 3 x 3 grid in the
 * order of a permutation whose index is the label (the benchmark's permutations_hamming_max_1000.npy
 * from DIR when present, else a seeded set of 1000 distinct permutations). Samples are a seeded
 * shuffle of the images, each used once per pass. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "data/image_ops.h"
#include "spaces/tnb101/tnb101.h"
#include "zcnas/images.h"
#include "zcnas/weights.h"

typedef struct file_list {
    char **paths;
    int n, cap;
} file_list;

static void list_free(file_list *l)
{
    for (int i = 0; i < l->n; i++) free(l->paths[i]);
    free(l->paths);
    memset(l, 0, sizeof *l);
}

static int is_image_name(const char *s)
{
    size_t n = strlen(s);
    const char *e = n > 4 ? s + n - 4 : "";
    return !strcasecmp(e, ".png") || !strcasecmp(e, ".jpg") || (n > 5 && !strcasecmp(s + n - 5, ".jpeg"));
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Images of dir (sorted); with depth 1 also those of its sub-folders. */
static zc_status scan(const char *dir, int depth, file_list *l)
{
    DIR *d = opendir(dir);
    if (!d) return zc_fail(ZC_EIO, "cannot open the data folder '%s'", dir);
    struct dirent *e;
    zc_status st = ZC_OK;
    while (st == ZC_OK && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        if (!p) { st = zc_fail(ZC_ENOMEM, "out of memory"); break; }
        snprintf(p, n, "%s/%s", dir, e->d_name);
        if (depth > 0 && is_dir(p)) {
            st = scan(p, depth - 1, l);
            free(p);
            continue;
        }
        if (!is_image_name(e->d_name)) { free(p); continue; }
        if (l->n == l->cap) {
            int cap = l->cap ? 2 * l->cap : 256;
            char **np = realloc(l->paths, (size_t)cap * sizeof *np);
            if (!np) { free(p); st = zc_fail(ZC_ENOMEM, "out of memory"); break; }
            l->paths = np;
            l->cap = cap;
        }
        l->paths[l->n++] = p;
    }
    closedir(d);
    return st;
}

/* The rgb images of a Taskonomy tree: DIR/rgb, or DIR/<building>/rgb for every building. */
static zc_status scan_taskonomy(const char *root, file_list *l)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s/rgb", root) < (int)sizeof p && is_dir(p)) return scan(p, 0, l);
    DIR *d = opendir(root);
    if (!d) return zc_fail(ZC_EIO, "cannot open the data folder '%s'", root);
    struct dirent *e;
    zc_status st = ZC_OK;
    while (st == ZC_OK && (e = readdir(d)))
        if (e->d_name[0] != '.' && snprintf(p, sizeof p, "%s/%s/rgb", root, e->d_name) < (int)sizeof p && is_dir(p))
            st = scan(p, 0, l);
    closedir(d);
    return st;
}

/* The label file of an rgb image: .../rgb/point_X_view_Y_domain_rgb.png -> .../<domain>/..._domain_<domain>.<ext> */
static zc_status label_path(const char *rgb, const char *domain, const char *ext, char *out, size_t size)
{
    const char *slash = strrchr(rgb, '/'), *tag = strstr(slash ? slash : rgb, "domain_rgb.");
    if (!slash || slash - rgb < 4 || strncmp(slash - 4, "/rgb", 4) || !tag)
        return zc_fail(ZC_EDATA, "%s: not a Taskonomy rgb image (expected .../rgb/point_<p>_view_<v>_domain_rgb.png)", rgb);
    int dir_len = (int)(slash - 4 - rgb), stem_len = (int)(tag - slash - 1);
    if (snprintf(out, size, "%.*s/%s/%.*sdomain_%s.%s", dir_len, rgb, domain, stem_len, slash + 1, domain, ext) >= (int)size)
        return zc_fail(ZC_EINVAL, "%s: path too long", rgb);
    return ZC_OK;
}

static void to_tensor(const zc_image *im, const zc_tnb_task_info *t, float *dst)
{
    size_t hw = (size_t)im->w * im->h;
    for (int c = 0; c < 3; c++)
        for (size_t i = 0; i < hw; i++) {
            float v = im->px[i * 3 + c] / 255.0f;
            dst[c * hw + i] = t->std[c] > 0.0f ? (v - t->mean[c]) / t->std[c] : v;
        }
}

/* Loads and resizes to r x r; *w0, *h0 (may be NULL) get the file's own size. */
static zc_status load_resized(const char *path, int r, zc_image *out, int *w0, int *h0)
{
    zc_image im;
    zc_status st = zc_image_load(path, &im);
    if (st != ZC_OK) return st;
    if (w0) { *w0 = im.w; *h0 = im.h; }
    if (im.w == r && im.h == r) { *out = im; return ZC_OK; }
    st = zc_img_resize(&im, r, r, out);
    zc_image_free(&im);
    return st;
}

/* Nearest-neighbour resize of one channel (PIL NEAREST: source pixel floor((x + 0.5) * in / out)). */
static void nearest(const zc_image *im, int r, int *dst)
{
    for (int y = 0; y < r; y++)
        for (int x = 0; x < r; x++) {
            int sy = (int)((y + 0.5) * im->h / r), sx = (int)((x + 0.5) * im->w / r);
            dst[y * r + x] = im->px[((size_t)sy * im->w + sx) * 3];
        }
}

typedef struct loader {
    const zc_tnb_task_info *t;
    zc_tnb_task task;
    int r;                 /* input size (jigsaw: the tile) */
    const char *root;
    float *selection;      /* class tasks: the benchmark's selection mask over the full label vector */
    int selection_n;
    float *perms;          /* jigsaw: 1000 x 9 */
    int owns_perms;
} loader;

static zc_status class_target(loader *L, const char *rgb, float *dst)
{
    char p[4096];
    zc_status st = label_path(rgb, L->t->name, "npy", p, sizeof p);
    float *v = NULL;
    int nd, shape[ZC_NPY_MAX_DIMS];
    if (st == ZC_OK) st = zc_npy_read_f32(p, &v, &nd, shape);
    if (st != ZC_OK) return st;
    int n = nd == 1 ? shape[0] : -1, k = L->t->outputs, got = 0;
    if (n == k) {
        memcpy(dst, v, (size_t)k * sizeof *dst);
        got = k;
    } else if (L->selection && n == L->selection_n) {
        double sum = 0.0;
        for (int i = 0; i < n && got < k; i++)
            if (L->selection[i] != 0.0f) sum += (dst[got++] = v[i]);
        for (int i = 0; i < got && L->task != ZC_TNB_ROOM_LAYOUT; i++) dst[i] = (float)(dst[i] / sum);
    }
    free(v);
    if (got != k)
        return zc_fail(ZC_EDATA, "%s: %d values, expected %d for %s%s", p, n, k, L->t->name,
                       L->task == ZC_TNB_ROOM_LAYOUT ? "" : " (or the full vector with class_<task>_selected.npy in the data folder)");
    return ZC_OK;
}

/* One sample into x (and its target). */
static zc_status load_sample(loader *L, const char *rgb, zc_rng *rng, float *x, float *t, int *y)
{
    const zc_tnb_task_info *ti = L->t;
    zc_image im = {0}, lab = {0};
    zc_status st;
    if (L->task == ZC_TNB_JIGSAW) {
        zc_image big = {0}, crop = {0};
        if ((st = load_resized(rgb, 255, &big, NULL, NULL)) != ZC_OK) return st;
        /* F.center_crop(img, (229.5, 229.5)) crops int(round(229.5)) = 230 (Python rounds half to even: 230). */
        st = zc_img_center_crop(&big, 230, &crop);
        zc_image_free(&big);
        if (st == ZC_OK) st = zc_img_resize(&crop, 255, 255, &im);
        zc_image_free(&crop);
        if (st != ZC_OK) return st;
        int label = (int)zc_rng_below(rng, 1000), unit = 255 / 3;
        *y = label;
        for (int k = 0; k < 9 && st == ZC_OK; k++) {
            int pos = (int)L->perms[label * 9 + k];
            int top = (pos / 3) * unit + (int)zc_rng_below(rng, (uint64_t)(unit - L->r + 1));
            int left = (pos % 3) * unit + (int)zc_rng_below(rng, (uint64_t)(unit - L->r + 1));
            zc_image tile;
            if ((st = zc_img_crop(&im, top, left, L->r, L->r, &tile)) == ZC_OK) {
                to_tensor(&tile, ti, x + (size_t)k * 3 * L->r * L->r);
                zc_image_free(&tile);
            }
        }
        zc_image_free(&im);
        return st;
    }
    int w0, h0, lw, lh;
    if ((st = load_resized(rgb, L->r, &im, &w0, &h0)) != ZC_OK) return st;
    to_tensor(&im, ti, x);
    size_t hw = (size_t)L->r * L->r;
    char p[4096];
    switch (L->task) {
    case ZC_TNB_AUTOENCODER: memcpy(t, x, 3 * hw * sizeof *t); break;
    case ZC_TNB_NORMAL:
        if ((st = label_path(rgb, "normal", "png", p, sizeof p)) == ZC_OK && (st = load_resized(p, L->r, &lab, &lw, &lh)) == ZC_OK) {
            if (lw != w0 || lh != h0)
                st = zc_fail(ZC_EDATA, "%s: %dx%d, but its image %s is %dx%d (labels are per pixel)", p, lw, lh, rgb, w0, h0);
            else
                to_tensor(&lab, ti, t);
        }
        break;
    case ZC_TNB_SEGMENTSEMANTIC:
        if ((st = label_path(rgb, "segmentsemantic", "png", p, sizeof p)) == ZC_OK && (st = zc_image_load(p, &lab)) == ZC_OK) {
            if (lab.w != w0 || lab.h != h0) {
                st = zc_fail(ZC_EDATA, "%s: %dx%d, but its image %s is %dx%d (labels are per pixel)", p, lab.w, lab.h, rgb,
                             w0, h0);
                break;
            }
            nearest(&lab, L->r, y);
            for (size_t i = 0; i < hw; i++) {
                y[i] = (y[i] == 0 ? 1 : y[i]) - 1;
                if (y[i] >= ti->outputs) {
                    st = zc_fail(ZC_EDATA, "%s: class %d (the benchmark has %d: 0..%d after its shift)", p, y[i] + 1,
                                 ti->outputs, ti->outputs);
                    break;
                }
            }
        }
        break;
    default: st = class_target(L, rgb, t); break;
    }
    zc_image_free(&im);
    zc_image_free(&lab);
    return st;
}

static zc_status make_perms(loader *L, uint64_t seed)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/permutations_hamming_max_1000.npy", L->root);
    int nd, shape[ZC_NPY_MAX_DIMS];
    FILE *f = fopen(p, "rb");
    if (f) {
        fclose(f);
        zc_status st = zc_npy_read_f32(p, &L->perms, &nd, shape);
        if (st != ZC_OK) return st;
        L->owns_perms = 1;
        if (nd != 2 || shape[0] != 1000 || shape[1] != 9) return zc_fail(ZC_EDATA, "%s: expected 1000 x 9 permutations", p);
        for (int k = 0; k < 1000; k++) {   /* each row orders the 9 tiles: its values index the 3 x 3 grid */
            int seen = 0;
            for (int i = 0; i < 9; i++) {
                float v = L->perms[k * 9 + i];
                if (v >= 0 && v <= 8 && v == (int)v) seen |= 1 << (int)v;
            }
            if (seen != 0x1ff) return zc_fail(ZC_EDATA, "%s: row %d is not a permutation of 0..8", p, k);
        }
        return ZC_OK;
    }
    if (!(L->perms = malloc(9000 * sizeof *L->perms))) return zc_fail(ZC_ENOMEM, "out of memory");
    L->owns_perms = 1;
    zc_rng r;
    zc_rng_seed(&r, seed, 0x6a16);
    for (int k = 0; k < 1000; k++) {
        int v[9];
        for (int i = 0; i < 9; i++) v[i] = i;
        for (int i = 8; i > 0; i--) {
            int j = (int)zc_rng_below(&r, (uint64_t)i + 1), tmp = v[i];
            v[i] = v[j];
            v[j] = tmp;
        }
        for (int i = 0; i < 9; i++) L->perms[k * 9 + i] = (float)v[i];
    }
    return ZC_OK;
}

zc_status zc_tnb_load_batches(const zc_space_ctx *ctx, const char *path, int batch_size, int n_batches, uint64_t seed,
                              zc_batch *out)
{
    loader L = {0};
    L.task = (zc_tnb_task)ctx->task;
    L.t = zc_tnb_task_get(L.task);
    L.r = ctx->cfg.resolution;
    if (L.task == ZC_TNB_JIGSAW && ctx->cfg.resolution == 256) L.r = 64;   /* the default: the benchmark's tiles */
    if (L.task == ZC_TNB_JIGSAW && L.r > 85) return zc_fail(ZC_EINVAL, "jigsaw: tiles of %d exceed the 85-pixel grid", L.r);
    char root[4096];
    if (path) snprintf(root, sizeof root, "%s", path);
    else if (zc_data_root()) snprintf(root, sizeof root, "%s/taskonomy", zc_data_root());
    else return zc_fail(ZC_EIO, "%s: no data: give a Taskonomy folder with --data DIR (rgb/ and the task's label folder; "
                                "autoencoder and jigsaw take any folder of images) or set $%s", L.t->name, ZC_DATA_ENV);
    L.root = root;
    if (!is_dir(root)) return zc_fail(ZC_EIO, "%s: the data folder '%s' does not exist", L.t->name, root);
    file_list files = {0};
    zc_status st = scan_taskonomy(root, &files);
    int plain = 0;
    if (st == ZC_OK && files.n == 0 && (L.task == ZC_TNB_AUTOENCODER || L.task == ZC_TNB_JIGSAW)) {
        st = scan(root, 1, &files);   /* the task needs no labels: any images */
        plain = 1;
    }
    if (st == ZC_OK && files.n == 0)
        st = zc_fail(ZC_EDATA, "%s: no images under '%s' (expected rgb/point_*_domain_rgb.png%s)", L.t->name, root,
                     L.task == ZC_TNB_AUTOENCODER || L.task == ZC_TNB_JIGSAW ? ", or any PNG/JPEG images" : "");
    (void)plain;
    if (st == ZC_OK) qsort(files.paths, (size_t)files.n, sizeof *files.paths, cmp_str);
    if (st == ZC_OK && (L.task == ZC_TNB_CLASS_OBJECT || L.task == ZC_TNB_CLASS_SCENE)) {
        char p[4096];
        FILE *f = snprintf(p, sizeof p, "%s/%s_selected.npy", root, L.t->name) < (int)sizeof p ? fopen(p, "rb") : NULL;
        int nd, shape[ZC_NPY_MAX_DIMS];
        if (f) {
            fclose(f);
            if ((st = zc_npy_read_f32(p, &L.selection, &nd, shape)) == ZC_OK) L.selection_n = nd == 1 ? shape[0] : -1;
        }
    }
    if (st == ZC_OK && L.task == ZC_TNB_JIGSAW) st = make_perms(&L, seed);
    /* The shuffled order: a seeded permutation, reshuffled each pass. */
    int *order = st == ZC_OK ? malloc((size_t)files.n * sizeof *order) : NULL;
    if (st == ZC_OK && !order) st = zc_fail(ZC_ENOMEM, "out of memory");
    zc_rng rng;
    zc_rng_seed(&rng, seed, 0x7a5c);
    int used = files.n;
    int tiles = L.t->tiles, c = 3 * tiles;
    size_t xdim = (size_t)c * L.r * L.r, hw = (size_t)L.r * L.r;
    for (int b = 0; b < n_batches && st == ZC_OK; b++) {
        zc_batch *B = &out[b];
        memset(B, 0, sizeof *B);
        B->n = batch_size; B->c = c; B->h = L.r; B->w = L.r;
        B->loss = L.t->loss;
        B->x = malloc((size_t)batch_size * xdim * sizeof *B->x);
        int ylen = L.task == ZC_TNB_SEGMENTSEMANTIC ? (int)hw : 1;
        if (L.task == ZC_TNB_SEGMENTSEMANTIC) B->y_dim = (int)hw;
        if (L.t->loss == ZC_LOSS_CE || L.t->loss == ZC_LOSS_PIXEL_CE) B->y = malloc((size_t)batch_size * ylen * sizeof *B->y);
        else {
            B->t_dim = L.t->dense ? (int)(L.t->outputs * hw) : L.t->outputs;
            B->t = malloc((size_t)batch_size * B->t_dim * sizeof *B->t);
        }
        if (!B->x || (!B->y && !B->t)) { st = zc_fail(ZC_ENOMEM, "%s: out of memory for a batch of %d", L.t->name, batch_size); break; }
        for (int i = 0; i < batch_size && st == ZC_OK; i++) {
            if (used == files.n) {
                for (int k = 0; k < files.n; k++) order[k] = k;
                for (int k = files.n - 1; k > 0; k--) {
                    int j = (int)zc_rng_below(&rng, (uint64_t)k + 1), tmp = order[k];
                    order[k] = order[j];
                    order[j] = tmp;
                }
                used = 0;
            }
            const char *f = files.paths[order[used++]];
            st = load_sample(&L, f, &rng, B->x + (size_t)i * xdim, B->t ? B->t + (size_t)i * B->t_dim : NULL,
                             B->y ? B->y + (size_t)i * ylen : NULL);
        }
    }
    if (st != ZC_OK)
        for (int b = 0; b < n_batches; b++) zc_batch_free(&out[b]);
    free(order);
    free(L.selection);
    if (L.owns_perms) free(L.perms);
    list_free(&files);
    return st;
}
