/* Scanning an image-folder dataset (torchvision ImageFolder's layout): class sub-folders sorted by
 * name give the labels, and the JPEG/PNG files inside each, sorted by name, the images. */
#define _POSIX_C_SOURCE 200809L  /* opendir/readdir, stat */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "zcnas/images.h"

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_image_ext(const char *name) {
    static const char *const exts[] = {".jpg", ".jpeg", ".png"};
    size_t n = strlen(name);
    for (size_t e = 0; e < sizeof exts / sizeof exts[0]; e++) {
        size_t m = strlen(exts[e]);
        if (n <= m) continue;
        size_t i;
        for (i = 0; i < m; i++) {
            char c = name[n - m + i];
            if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
            if (c != exts[e][i]) break;
        }
        if (i == m) return 1;
    }
    return 0;
}

static char *join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (!s) return NULL;
    memcpy(s, a, la);
    s[la] = '/';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

/* A growable list of strings. */
typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static int strlist_add(strlist *l, const char *s) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) return -1;
        l->v = v;
        l->cap = cap;
    }
    size_t len = strlen(s);
    char *c = malloc(len + 1);
    if (!c) return -1;
    memcpy(c, s, len + 1);
    l->v[l->n++] = c;
    return 0;
}

static void strlist_free(strlist *l) {
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void zc_image_folder_free(zc_image_folder *f) {
    if (!f) return;
    for (int c = 0; c < f->classes && f->class_names; c++) free(f->class_names[c]);
    free(f->class_names);
    free(f->root);
    free(f->labels);
    free(f->name_off);
    free(f->names);
    memset(f, 0, sizeof *f);
}

char *zc_image_folder_path(const zc_image_folder *f, int i) {
    if (!f || i < 0 || i >= f->n) return NULL;
    const char *cls = f->class_names[f->labels[i]], *name = f->names + f->name_off[i];
    size_t lr = strlen(f->root), lc = strlen(cls), ln = strlen(name);
    char *s = malloc(lr + lc + ln + 3);
    if (!s) return NULL;
    memcpy(s, f->root, lr);
    s[lr] = '/';
    memcpy(s + lr + 1, cls, lc);
    s[lr + 1 + lc] = '/';
    memcpy(s + lr + lc + 2, name, ln + 1);
    return s;
}

/* Appends the sorted image names of one class folder to f. */
static zc_status scan_class(zc_image_folder *f, int label, size_t *names_cap, size_t *files_cap,
                            size_t *names_len) {
    char *dir = join(f->root, f->class_names[label]);
    if (!dir) return zc_fail(ZC_ENOMEM, "image folder %s: out of memory", f->root);
    DIR *d = opendir(dir);
    if (!d) {
        zc_status st = zc_fail(ZC_EIO, "image folder: cannot open class folder %s: %s", dir,
                               strerror(errno));
        free(dir);
        return st;
    }
    strlist files = {0};
    struct dirent *e;
    int oom = 0;
    while (!oom && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && has_image_ext(e->d_name) && strlist_add(&files, e->d_name))
            oom = 1;
    closedir(d);
    if (oom) {
        strlist_free(&files);
        free(dir);
        return zc_fail(ZC_ENOMEM, "image folder %s: out of memory", f->root);
    }
    if (files.n > 0) qsort(files.v, files.n, sizeof *files.v, cmp_str);
    if ((size_t)f->n + files.n > INT_MAX) {
        strlist_free(&files);
        free(dir);
        return zc_fail(ZC_ENOMEM, "image folder %s: more than %d images", f->root, INT_MAX);
    }
    for (size_t i = 0; i < files.n; i++) {
        size_t len = strlen(files.v[i]) + 1;
        if ((size_t)f->n == *files_cap) {
            size_t cap = *files_cap ? 2 * *files_cap : 1024;
            int *lab = realloc(f->labels, cap * sizeof *lab);
            if (lab) f->labels = lab;
            size_t *off = realloc(f->name_off, cap * sizeof *off);
            if (off) f->name_off = off;
            if (!lab || !off) goto nomem;
            *files_cap = cap;
        }
        if (*names_len + len > *names_cap) {
            size_t cap = *names_cap ? 2 * *names_cap : 1 << 16;
            while (cap < *names_len + len) cap *= 2;
            char *nm = realloc(f->names, cap);
            if (!nm) goto nomem;
            f->names = nm;
            *names_cap = cap;
        }
        memcpy(f->names + *names_len, files.v[i], len);
        f->name_off[f->n] = *names_len;
        f->labels[f->n] = label;
        *names_len += len;
        f->n++;
    }
    strlist_free(&files);
    free(dir);
    return ZC_OK;
nomem:
    strlist_free(&files);
    free(dir);
    return zc_fail(ZC_ENOMEM, "image folder %s: out of memory", f->root);
}

zc_status zc_image_folder_scan(zc_image_folder *f, const char *root) {
    if (!f || !root || !*root) return zc_fail(ZC_EINVAL, "image folder: missing path");
    memset(f, 0, sizeof *f);
    struct stat sb;
    if (stat(root, &sb) != 0)
        return zc_fail(errno == ENOENT ? ZC_EINVAL : ZC_EIO, "image folder %s: %s", root,
                       errno == ENOENT ? "no such directory" : strerror(errno));
    if (!S_ISDIR(sb.st_mode)) return zc_fail(ZC_EINVAL, "image folder %s: not a directory", root);

    size_t lr = strlen(root);
    while (lr > 1 && root[lr - 1] == '/') lr--;  /* "data/" -> "data" for tidy paths */
    f->root = malloc(lr + 1);
    if (!f->root) return zc_fail(ZC_ENOMEM, "image folder %s: out of memory", root);
    memcpy(f->root, root, lr);
    f->root[lr] = '\0';
    if (lr == 1 && f->root[0] == '/') f->root[0] = '\0';  /* "/" + "/" + class */

    DIR *d = opendir(root);
    if (!d) {
        zc_status st = zc_fail(ZC_EIO, "image folder %s: cannot open: %s", root, strerror(errno));
        zc_image_folder_free(f);
        return st;
    }
    strlist classes = {0};
    struct dirent *e;
    int oom = 0;
    while (!oom && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *p = join(f->root, e->d_name);
        struct stat cs;
        if (!p) oom = 1;
        else if (stat(p, &cs) == 0 && S_ISDIR(cs.st_mode) && strlist_add(&classes, e->d_name))
            oom = 1;
        free(p);
    }
    closedir(d);
    if (oom || classes.n > INT_MAX) {
        strlist_free(&classes);
        zc_image_folder_free(f);
        return zc_fail(ZC_ENOMEM, "image folder %s: out of memory", root);
    }
    if (classes.n == 0) {
        strlist_free(&classes);
        zc_image_folder_free(f);
        return zc_fail(ZC_EDATA,
                       "image folder %s: no class sub-folders (expected one folder of images per class)",
                       root);
    }
    qsort(classes.v, classes.n, sizeof *classes.v, cmp_str);
    f->class_names = classes.v;  /* ownership moves to f */
    f->classes = (int)classes.n;

    size_t names_cap = 0, files_cap = 0, names_len = 0;
    int empty = -1;
    for (int c = 0; c < f->classes; c++) {
        int before = f->n;
        zc_status st = scan_class(f, c, &names_cap, &files_cap, &names_len);
        if (st != ZC_OK) {
            zc_image_folder_free(f);
            return st;
        }
        if (f->n == before && empty < 0) empty = c;
    }
    if (f->n == 0) {
        zc_status st = zc_fail(ZC_EDATA,
                               "image folder %s: no .jpg/.jpeg/.png images in its %d class folder%s",
                               root, f->classes, f->classes == 1 ? "" : "s");
        zc_image_folder_free(f);
        return st;
    }
    if (empty >= 0) {
        /* torchvision's ImageFolder refuses empty classes as well: labels would be misleading. */
        zc_status st = zc_fail(ZC_EDATA, "image folder %s: class folder %s has no .jpg/.jpeg/.png images",
                               root, f->class_names[empty]);
        zc_image_folder_free(f);
        return st;
    }
    return ZC_OK;
}

int zc_data_is_image_folder(const char *path) {
    DIR *d = opendir(path);
    if (!d) return 0;
    int found = 0;
    struct dirent *e;
    /* A class folder with an image in it makes an image folder (the official binary datasets hold
     * files, or one extracted folder of files). */
    while (!found && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *sub = join(path, e->d_name);
        struct stat st;
        if (sub && stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *c = opendir(sub);
            struct dirent *f;
            while (c && !found && (f = readdir(c)) != NULL) found = has_image_ext(f->d_name);
            if (c) closedir(c);
        }
        free(sub);
    }
    closedir(d);
    return found;
}
