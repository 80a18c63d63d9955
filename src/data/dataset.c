/* Dataset identities (names, classes, resolution, normalisation) and loading of the training split
 * from the official binary formats, with every defect reported against its file and record. */
#define _POSIX_C_SOURCE 200809L  /* stat() to tell directories from files */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "zcnas/data.h"

typedef struct kind_info {
    const char *name;
    int classes, res;
    int header;         /* label bytes before the pixels; the label used is the last of them */
    int coarse;         /* CIFAR-100: classes of the coarse byte, validated too; 0 otherwise */
    const char *files;  /* expected directory contents, for messages */
    const char *source; /* where the official files are published */
} kind_info;

static const kind_info KINDS[] = {
    [ZC_CIFAR10] = {"cifar10", 10, 32, 1, 0, "data_batch_1.bin .. data_batch_5.bin",
                    "cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, extracted "
                    "(the folder cifar-10-batches-bin/ or its parent)"},
    [ZC_CIFAR100] = {"cifar100", 100, 32, 2, 20, "train.bin",
                     "cifar-100-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, extracted "
                     "(the folder cifar-100-binary/ or its parent)"},
    [ZC_IMAGENET16] = {"imagenet16", 120, 16, 1, 0,
                       "imagenet16_120.bin or train_data_batch_1 .. train_data_batch_10",
                       "the 16x16 downsampled ImageNet (Imagenet16_train from https://image-net.org/download-images), "
                       "classes 1..120 converted to imagenet16_120.bin as the README shows"},
};
#define N_KINDS ((int)(sizeof KINDS / sizeof KINDS[0]))

static const kind_info *info(zc_dataset_kind kind) {
    return ((int)kind >= 0 && (int)kind < N_KINDS) ? &KINDS[kind] : NULL;
}

static size_t pixel_bytes(const kind_info *k) { return (size_t)3 * k->res * k->res; }
static size_t record_bytes(const kind_info *k) { return (size_t)k->header + pixel_bytes(k); }

const char *zc_dataset_name(zc_dataset_kind kind) {
    const kind_info *k = info(kind);
    return k ? k->name : "unknown";
}

const char *zc_dataset_source(zc_dataset_kind kind) {
    const kind_info *k = info(kind);
    return k ? k->source : "unknown dataset";
}

int zc_dataset_classes(zc_dataset_kind kind) {
    const kind_info *k = info(kind);
    return k ? k->classes : 0;
}

int zc_dataset_resolution(zc_dataset_kind kind) {
    const kind_info *k = info(kind);
    return k ? k->res : 0;
}

static int same_nocase(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b) return 0;
    }
    return *a == *b;
}

zc_status zc_dataset_kind_parse(const char *name, zc_dataset_kind *kind) {
    if (!name || !kind) return zc_fail(ZC_EINVAL, "dataset name: missing argument");
    if (same_nocase(name, "cifar10")) *kind = ZC_CIFAR10;
    else if (same_nocase(name, "cifar100")) *kind = ZC_CIFAR100;
    else if (same_nocase(name, "imagenet16") || same_nocase(name, "imagenet16-120"))
        *kind = ZC_IMAGENET16;
    else
        return zc_fail(ZC_EINVAL, "unknown dataset '%s' (expected cifar10, cifar100 or imagenet16)",
                       name);
    return ZC_OK;
}

void zc_dataset_norm(zc_dataset_kind kind, float mean[3], float std[3]) {
    /* NAS-Bench-201's constants in 0..255 units; divided in double then rounded to float32, as
     * Python computes [x / 255 for x in ...] before torchvision turns them into a float tensor. */
    static const double M[3][3] = {{125.3, 123.0, 113.9}, {129.3, 124.1, 112.4},
                                   {122.68, 116.66, 104.01}};
    static const double S[3][3] = {{63.0, 62.1, 66.7}, {68.2, 65.4, 70.4}, {63.22, 61.26, 65.09}};
    for (int ch = 0; ch < 3; ch++) {
        if (!info(kind)) { mean[ch] = 0.0f; std[ch] = 1.0f; continue; }
        mean[ch] = (float)(M[kind][ch] / 255.0);
        std[ch] = (float)(S[kind][ch] / 255.0);
    }
}

/* ---- loading ---- */

#define MAX_FILES 20

typedef struct file_list {
    int n;
    char *path[MAX_FILES];
    long long size[MAX_FILES];
} file_list;

static void files_free(file_list *fl) {
    for (int i = 0; i < fl->n; i++) free(fl->path[i]);
    fl->n = 0;
}

static char *join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    int slash = a > 0 && dir[a - 1] != '/';
    char *p = malloc(a + slash + b + 1);
    if (!p) return NULL;
    memcpy(p, dir, a);
    if (slash) p[a] = '/';
    memcpy(p + a + slash, name, b + 1);
    return p;
}

/* Adds dir/name when it is a regular file; 1 if added, 0 if absent, -1 on allocation failure. */
static int add_if_file(file_list *fl, const char *dir, const char *name) {
    if (fl->n >= MAX_FILES) return 0;
    char *p = join(dir, name);
    if (!p) return -1;
    struct stat st;
    if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) { free(p); return 0; }
    fl->path[fl->n] = p;
    fl->size[fl->n++] = (long long)st.st_size;
    return 1;
}

/* The files of one split directory, in load order; -1 on allocation failure. */
static int scan_dir(file_list *fl, zc_dataset_kind kind, const char *dir) {
    char name[64];
    int r = 0;
    switch (kind) {
    case ZC_CIFAR10:
        for (int i = 1; i <= 5 && r >= 0; i++) {
            snprintf(name, sizeof name, "data_batch_%d.bin", i);
            r = add_if_file(fl, dir, name);
        }
        break;
    case ZC_CIFAR100:
        r = add_if_file(fl, dir, "train.bin");
        break;
    case ZC_IMAGENET16:
        r = add_if_file(fl, dir, "imagenet16_120.bin");
        if (r != 0) break;
        /* Best effort: converted xautodl batches, named with or without an extension. */
        for (int i = 1; i <= 10 && r >= 0; i++) {
            snprintf(name, sizeof name, "train_data_batch_%d", i);
            r = add_if_file(fl, dir, name);
            if (r == 0) {
                snprintf(name, sizeof name, "train_data_batch_%d.bin", i);
                r = add_if_file(fl, dir, name);
            }
        }
        break;
    }
    return r < 0 ? -1 : 0;
}

/* The official archives extract to these folders; accept their parent directory too. */
static const char *extracted_subdir(zc_dataset_kind kind) {
    switch (kind) {
    case ZC_CIFAR10: return "cifar-10-batches-bin";
    case ZC_CIFAR100: return "cifar-100-binary";
    default: return NULL;
    }
}

/* A hint for the usual mistakes (a pickle, an archive, another dataset's file), or "". */
static const char *hint(const kind_info *k, const char *path, long long size, char *buf, size_t cap) {
    unsigned char head[2] = {0, 0};
    FILE *f = fopen(path, "rb");
    if (f) {
        if (fread(head, 1, 2, f) != 2) head[0] = head[1] = 0;
        fclose(f);
    }
    if (head[0] == 0x80 && head[1] >= 2 && head[1] <= 5)
        return " (it looks like a Python pickle: zcnas reads the binary version of the dataset)";
    if (head[0] == 0x1f && head[1] == 0x8b)
        return " (it looks like a gzip archive: extract it first)";
    for (int i = 0; i < N_KINDS && size > 0; i++) {
        if (&KINDS[i] != k && size % (long long)record_bytes(&KINDS[i]) == 0 &&
            size % (long long)record_bytes(k) != 0) {
            snprintf(buf, cap, " (its size fits %s records: wrong dataset?)", KINDS[i].name);
            return buf;
        }
    }
    return "";
}

/* Reads the records of one file into ds at record index `first`. */
static zc_status read_file(zc_dataset *ds, const kind_info *k, const char *path, long long size,
                           int first) {
    size_t rec = record_bytes(k), pix = pixel_bytes(k);
    long long count = size / (long long)rec;
    unsigned char buf[2 + 3 * 32 * 32];
    FILE *f = fopen(path, "rb");
    if (!f) return zc_fail(ZC_EIO, "%s: %s: cannot open: %s", k->name, path, strerror(errno));
    for (long long r = 0; r < count; r++) {
        if (fread(buf, 1, rec, f) != rec) {
            int err = ferror(f);
            fclose(f);
            if (err) return zc_fail(ZC_EIO, "%s: %s: read error at record %lld", k->name, path, r);
            return zc_fail(ZC_EDATA, "%s: %s: file ended at record %lld of %lld (changed while reading?)",
                           k->name, path, r, count);
        }
        /* CIFAR-100's coarse byte is not used, but a bad one still means a corrupt record. */
        const char *what = "label";
        int label = buf[0], lim = k->classes;
        if (k->coarse && label < k->coarse) {
            what = "fine label";
            label = buf[1];
        } else if (k->coarse) {
            what = "coarse label";
            lim = k->coarse;
        }
        if (label >= lim) {
            char hb[96];
            fclose(f);
            return zc_fail(ZC_EDATA, "%s: %s: record %lld (byte offset %lld) has %s %d, expected 0..%d%s",
                           k->name, path, r, r * (long long)rec, what, label, lim - 1,
                           r == 0 ? hint(k, path, size, hb, sizeof hb) : "");
        }
        size_t idx = (size_t)first + (size_t)r;
        ds->labels[idx] = label;
        memcpy(ds->pixels + idx * pix, buf + k->header, pix);
    }
    fclose(f);
    return ZC_OK;
}

zc_status zc_dataset_load(zc_dataset *ds, zc_dataset_kind kind, const char *path) {
    if (!ds) return zc_fail(ZC_EINVAL, "dataset load: missing dataset argument");
    memset(ds, 0, sizeof *ds);
    const kind_info *k = info(kind);
    if (!k) return zc_fail(ZC_EINVAL, "dataset load: unknown dataset kind %d", (int)kind);
    if (!path || !*path) return zc_fail(ZC_EINVAL, "%s: no data path given", k->name);

    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return zc_fail(ZC_EIO, "%s: %s: no such file or directory (expected a directory with %s, or one "
                           "such file); official files: %s", k->name, path, k->files, k->source);
        return zc_fail(ZC_EIO, "%s: %s: %s", k->name, path, strerror(errno));
    }

    file_list fl = {0};
    zc_status s = ZC_OK;
    if (S_ISDIR(st.st_mode)) {
        if (scan_dir(&fl, kind, path) < 0) goto nomem_list;
        const char *sub = extracted_subdir(kind);
        if (fl.n == 0 && sub) {
            char *p = join(path, sub);
            if (!p) goto nomem_list;
            int r = scan_dir(&fl, kind, p);
            free(p);
            if (r < 0) goto nomem_list;
        }
        if (fl.n == 0)
            return zc_fail(ZC_EIO, "%s: %s: no %s in this directory; official files: %s", k->name, path,
                           k->files, k->source);
    } else if (S_ISREG(st.st_mode)) {
        size_t len = strlen(path);
        fl.path[0] = malloc(len + 1);
        if (!fl.path[0]) goto nomem_list;
        memcpy(fl.path[0], path, len + 1);
        fl.size[0] = (long long)st.st_size;
        fl.n = 1;
    } else {
        return zc_fail(ZC_EINVAL, "%s: %s: not a regular file or directory", k->name, path);
    }

    /* Validate every size before allocating, so that no bad file costs a large allocation. */
    size_t rec = record_bytes(k), pix = pixel_bytes(k);
    long long total = 0;
    for (int i = 0; i < fl.n; i++) {
        long long sz = fl.size[i];
        if (sz == 0) {
            s = zc_fail(ZC_EDATA, "%s: %s: empty file", k->name, fl.path[i]);
            goto done;
        }
        if (sz % (long long)rec != 0) {
            char hb[96];
            const char *h = hint(k, fl.path[i], sz, hb, sizeof hb);
            s = zc_fail(ZC_EDATA, "%s: %s: %lld bytes is not a whole number of %zu-byte records %s",
                        k->name, fl.path[i], sz, rec, *h ? h + 1 : "(truncated?)");
            goto done;
        }
        total += sz / (long long)rec;
        if (total > INT_MAX || (unsigned long long)total > SIZE_MAX / pix) {
            s = zc_fail(ZC_ENOMEM, "%s: %s: too many records (%lld in all so far)", k->name,
                        fl.path[i], total);
            goto done;
        }
    }

    ds->pixels = malloc((size_t)total * pix);
    ds->labels = malloc((size_t)total * sizeof *ds->labels);
    if (!ds->pixels || !ds->labels) {
        s = zc_fail(ZC_ENOMEM, "%s: %s: cannot allocate %.1f MiB for %lld images", k->name, path,
                    (double)total * (double)(pix + sizeof(int)) / 1048576.0, total);
        goto done;
    }
    int at = 0;
    for (int i = 0; i < fl.n && s == ZC_OK; i++) {
        s = read_file(ds, k, fl.path[i], fl.size[i], at);
        at += (int)(fl.size[i] / (long long)rec);
    }
    if (s == ZC_OK) {
        ds->kind = kind;
        ds->n = (int)total;
        ds->c = 3;
        ds->h = ds->w = k->res;
        ds->classes = k->classes;
        if (kind == ZC_CIFAR10 && fl.n < 5)   /* batches drawn from part of the training set differ */
            fprintf(stderr, "zcnas: note: %s: %s has %d of the 5 training files (%s); batches are drawn from "
                            "those\n", k->name, path, fl.n, k->files);
    }
done:
    files_free(&fl);
    if (s != ZC_OK) zc_dataset_free(ds);
    return s;
nomem_list:
    files_free(&fl);
    return zc_fail(ZC_ENOMEM, "%s: %s: out of memory listing the data files", k->name, path);
}

void zc_dataset_free(zc_dataset *ds) {
    if (!ds) return;
    free(ds->pixels);
    free(ds->labels);
    memset(ds, 0, sizeof *ds);
}
