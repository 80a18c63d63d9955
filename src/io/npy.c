/* NumPy .npy files (format versions 1.0 to 3.0): float32/int64 writing and float32/float64 reading,
 * byte order handled explicitly so the files are the same on any host. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"
#include "zcnas/weights.h"

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6
#define ALIGN 64                 /* numpy >= 1.14 aligns the data to 64 bytes */
#define MAX_HEADER (1 << 20)     /* numpy's own headers are < 200 bytes; larger means corrupt */

/* ---- writing ---- */

static zc_status check_shape(const char *path, int ndim, const int *shape, size_t elem,
                             size_t *numel) {
    if (ndim < 0 || ndim > ZC_NPY_MAX_DIMS || (ndim > 0 && !shape))
        return zc_fail(ZC_EINVAL, "npy: %s: cannot write %d dimensions (0..%d supported)", path,
                       ndim, ZC_NPY_MAX_DIMS);
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return zc_fail(ZC_EINVAL, "npy: %s: negative extent %d in dimension %d", path, shape[i], i);
        if (shape[i] > 0 && n > SIZE_MAX / elem / (size_t)shape[i])
            return zc_fail(ZC_EINVAL, "npy: %s: shape too large", path);
        n *= (size_t)shape[i];
    }
    *numel = n;
    return ZC_OK;
}

/* Writes the magic, version 1.0 and the dict padded with spaces and '\n' to a multiple of ALIGN. */
static int write_header(FILE *f, const char *descr, int ndim, const int *shape) {
    char dict[256];
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (int i = 0; i < ndim; i++)
        len += snprintf(dict + len, sizeof dict - (size_t)len, i ? ", %d" : "%d", shape[i]);
    /* A 1-tuple needs its trailing comma to be a tuple in Python. */
    len += snprintf(dict + len, sizeof dict - (size_t)len, "%s), }", ndim == 1 ? "," : "");
    int pre = MAGIC_LEN + 2 + 2;
    int total = (pre + len + 1 + ALIGN - 1) / ALIGN * ALIGN;
    int hlen = total - pre;
    unsigned char fixed[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                               (unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8)};
    if (fwrite(fixed, 1, sizeof fixed, f) != sizeof fixed || fwrite(dict, 1, (size_t)len, f) != (size_t)len)
        return -1;
    for (int i = len; i < hlen - 1; i++)
        if (fputc(' ', f) == EOF) return -1;
    return fputc('\n', f) == EOF ? -1 : 0;
}

/* Writes numel little-endian elements of `size` bytes (4 or 8), whatever the host's byte order. */
static int write_le(FILE *f, const void *data, size_t numel, size_t size) {
    unsigned char buf[4096];
    const unsigned char *src = data;
    size_t per = sizeof buf / size;
    for (size_t done = 0; done < numel;) {
        size_t k = numel - done < per ? numel - done : per;
        for (size_t i = 0; i < k; i++) {
            uint64_t v = 0;
            if (size == 4) {
                uint32_t u;
                memcpy(&u, src + (done + i) * 4, 4);
                v = u;
            } else {
                memcpy(&v, src + (done + i) * 8, 8);
            }
            for (size_t b = 0; b < size; b++) buf[i * size + b] = (unsigned char)(v >> (8 * b));
        }
        if (fwrite(buf, size, k, f) != k) return -1;
        done += k;
    }
    return 0;
}

static zc_status write_npy(const char *path, const void *data, int ndim, const int *shape,
                           const char *descr, size_t size) {
    if (!path) return zc_fail(ZC_EINVAL, "npy: no output path given");
    size_t numel = 0;
    zc_status s = check_shape(path, ndim, shape, size, &numel);
    if (s != ZC_OK) return s;
    if (numel > 0 && !data) return zc_fail(ZC_EINVAL, "npy: %s: no data to write", path);
    FILE *f = zci_whole_open(path, "wb");   /* a half-written tensor never takes the real name */
    if (!f) return ZC_EIO;
    if (write_header(f, descr, ndim, shape) != 0 || write_le(f, data, numel, size) != 0) {
        int err = errno;
        zci_whole_abort(f, path);
        return zc_fail(ZC_EIO, "error writing '%s': %s", path, strerror(err));
    }
    return zci_whole_close(f, path);
}

zc_status zc_npy_write_f32(const char *path, const float *data, int ndim, const int *shape) {
    return write_npy(path, data, ndim, shape, "<f4", 4);
}

zc_status zc_npy_write_i64(const char *path, const int64_t *data, int ndim, const int *shape) {
    return write_npy(path, data, ndim, shape, "<i8", 8);
}

/* ---- reading: a parser for the small Python-literal dict numpy writes ---- */

typedef struct hdr {
    const char *p, *end;
    char descr[32];
    int fortran;          /* -1 until seen */
    int ndim;             /* -1 until seen */
    int shape[ZC_NPY_MAX_DIMS];
    int unsupported;      /* the error is a valid header we cannot handle, not a corrupt one */
} hdr;

static void skip_ws(hdr *h) {
    while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r')) h->p++;
}

static int eat(hdr *h, char c) {
    skip_ws(h);
    if (h->p < h->end && *h->p == c) { h->p++; return 1; }
    return 0;
}

/* A quoted string into out; 0 on a syntax error or an over-long string. */
static int parse_str(hdr *h, char *out, size_t cap) {
    skip_ws(h);
    if (h->p >= h->end || (*h->p != '\'' && *h->p != '"')) return 0;
    char q = *h->p++;
    size_t n = 0;
    while (h->p < h->end && *h->p != q) {
        if (n + 1 >= cap) return 0;
        out[n++] = *h->p++;
    }
    if (h->p >= h->end) return 0;
    h->p++;
    out[n] = '\0';
    return 1;
}

static int parse_word(hdr *h, const char *w) {
    skip_ws(h);
    size_t n = strlen(w);
    if ((size_t)(h->end - h->p) < n || memcmp(h->p, w, n) != 0) return 0;
    h->p += n;
    return 1;
}

/* '(' [int {',' int} [','] ] ')'; returns a message on error, NULL on success. */
static const char *parse_shape(hdr *h) {
    if (!eat(h, '(')) return "shape is not a tuple";
    h->ndim = 0;
    for (;;) {
        if (eat(h, ')')) return NULL;
        skip_ws(h);
        if (h->p >= h->end || *h->p < '0' || *h->p > '9') return "shape holds something other than non-negative integers";
        long long v = 0;
        while (h->p < h->end && *h->p >= '0' && *h->p <= '9') {
            v = v * 10 + (*h->p++ - '0');
            if (v > INT32_MAX) return "shape has an extent too large";
        }
        parse_word(h, "L");  /* Python 2 long literal */
        if (h->ndim >= ZC_NPY_MAX_DIMS) {
            h->unsupported = 1;
            return "more than 8 dimensions are not supported";
        }
        h->shape[h->ndim++] = (int)v;
        if (!eat(h, ',')) return eat(h, ')') ? NULL : "shape tuple is malformed";
    }
}

static const char *parse_dict(hdr *h) {
    h->descr[0] = '\0';
    h->fortran = -1;
    h->ndim = -1;
    if (!eat(h, '{')) return "header is not a Python dict";
    while (!eat(h, '}')) {
        char key[32];
        if (!parse_str(h, key, sizeof key) || !eat(h, ':')) return "header dict is malformed";
        if (strcmp(key, "descr") == 0) {
            skip_ws(h);
            if (h->p < h->end && *h->p == '[') {
                h->unsupported = 1;
                return "structured dtypes are not supported";
            }
            if (!parse_str(h, h->descr, sizeof h->descr)) return "header 'descr' is malformed";
        } else if (strcmp(key, "fortran_order") == 0) {
            if (parse_word(h, "True")) h->fortran = 1;
            else if (parse_word(h, "False")) h->fortran = 0;
            else return "header 'fortran_order' is neither True nor False";
        } else if (strcmp(key, "shape") == 0) {
            const char *e = parse_shape(h);
            if (e) return e;
        } else {
            return "header has an unknown key";
        }
        if (!eat(h, ',')) {
            if (!eat(h, '}')) return "header dict is malformed";
            break;
        }
    }
    if (!h->descr[0] || h->fortran < 0 || h->ndim < 0)
        return "header lacks one of 'descr', 'fortran_order', 'shape'";
    skip_ws(h);   /* only padding may follow the dict (numpy refuses anything else too) */
    if (h->p < h->end) return "header has text after the dict";
    return NULL;
}

static uint64_t get_le(const unsigned char *b, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = (v << 8) | b[i];
    return v;
}

zc_status zc_npy_read_f32(const char *path, float **data, int *ndim, int shape[ZC_NPY_MAX_DIMS]) {
    if (!path || !data || !ndim || !shape) return zc_fail(ZC_EINVAL, "npy: missing argument");
    *data = NULL;
    *ndim = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return zc_fail(ZC_EIO, "npy: %s: cannot open: %s", path, strerror(errno));
    zc_status s = ZC_OK;
    char *text = NULL;
    float *out = NULL;
    unsigned char pre[12];

    if (fread(pre, 1, 8, f) != 8 || memcmp(pre, MAGIC, MAGIC_LEN) != 0) {
        s = zc_fail(ZC_EDATA, "npy: %s: not a .npy file (no \\x93NUMPY magic)", path);
        goto done;
    }
    int major = pre[6], minor = pre[7];
    int lenbytes = major == 1 ? 2 : (major == 2 || major == 3) ? 4 : 0;
    if (!lenbytes || minor != 0) {
        s = zc_fail(ZC_EUNSUPPORTED, "npy: %s: unsupported .npy format version %d.%d", path, major, minor);
        goto done;
    }
    if (fread(pre + 8, 1, (size_t)lenbytes, f) != (size_t)lenbytes) {
        s = zc_fail(ZC_EDATA, "npy: %s: truncated header", path);
        goto done;
    }
    uint64_t hlen = get_le(pre + 8, lenbytes);
    if (hlen > MAX_HEADER) {
        s = zc_fail(ZC_EDATA, "npy: %s: header length %llu is implausible (corrupt file?)", path,
                    (unsigned long long)hlen);
        goto done;
    }
    text = malloc((size_t)hlen + 1);
    if (!text) {
        s = zc_fail(ZC_ENOMEM, "npy: %s: out of memory", path);
        goto done;
    }
    if (fread(text, 1, (size_t)hlen, f) != (size_t)hlen) {
        s = zc_fail(ZC_EDATA, "npy: %s: truncated header (%llu bytes announced)", path,
                    (unsigned long long)hlen);
        goto done;
    }
    hdr h = {.p = text, .end = text + hlen};
    const char *err = parse_dict(&h);
    if (err) {
        s = zc_fail(h.unsupported ? ZC_EUNSUPPORTED : ZC_EDATA, "npy: %s: %s", path, err);
        goto done;
    }
    int size;
    if (strcmp(h.descr, "<f4") == 0) size = 4;
    else if (strcmp(h.descr, "<f8") == 0) size = 8;
    else {
        const char *why = (h.descr[0] == '>') ? "big-endian data is not supported"
                                              : "only '<f4' and '<f8' are supported";
        s = zc_fail(ZC_EUNSUPPORTED, "npy: %s: dtype '%s': %s", path, h.descr, why);
        goto done;
    }
    if (h.fortran) {
        s = zc_fail(ZC_EUNSUPPORTED, "npy: %s: fortran_order True is not supported (save a C-order array, e.g. np.ascontiguousarray)",
                    path);
        goto done;
    }
    size_t numel = 1;
    for (int i = 0; i < h.ndim; i++) {
        if (h.shape[i] > 0 && numel > SIZE_MAX / 8 / (size_t)h.shape[i]) {
            s = zc_fail(ZC_EDATA, "npy: %s: shape too large", path);
            goto done;
        }
        numel *= (size_t)h.shape[i];
    }

    /* Compare the announced size with the file before allocating: a corrupt shape must not
     * cost a huge allocation. */
    long start = ftell(f);
    if (start < 0 || fseek(f, 0, SEEK_END) != 0) {
        s = zc_fail(ZC_EIO, "npy: %s: cannot seek: %s", path, strerror(errno));
        goto done;
    }
    long end = ftell(f);
    if (end < 0 || fseek(f, start, SEEK_SET) != 0) {
        s = zc_fail(ZC_EIO, "npy: %s: cannot seek: %s", path, strerror(errno));
        goto done;
    }
    unsigned long long have = (unsigned long long)(end - start), want = (unsigned long long)numel * size;
    if (have != want) {
        s = zc_fail(ZC_EDATA, "npy: %s: %s: the header announces %llu data bytes, the file holds %llu",
                    path, have < want ? "truncated" : "trailing bytes", want, have);
        goto done;
    }
    out = malloc((numel ? numel : 1) * sizeof *out);
    if (!out) {
        s = zc_fail(ZC_ENOMEM, "npy: %s: cannot allocate %zu floats", path, numel);
        goto done;
    }
    unsigned char buf[4096];
    size_t per = sizeof buf / (size_t)size;
    for (size_t got = 0; got < numel;) {
        size_t k = numel - got < per ? numel - got : per;
        if (fread(buf, (size_t)size, k, f) != k) {
            s = zc_fail(ZC_EIO, "npy: %s: read error in the data", path);
            goto done;
        }
        for (size_t i = 0; i < k; i++) {
            uint64_t v = get_le(buf + i * (size_t)size, size);
            if (size == 4) {
                uint32_t u = (uint32_t)v;
                memcpy(&out[got + i], &u, 4);
            } else {
                double d;
                memcpy(&d, &v, 8);
                /* Round-to-nearest as numpy's astype(float32) does: from FLT_MAX + half an ulp
                 * up it is +-inf. Spelled out because C leaves out-of-range conversions undefined. */
                double a = fabs(d);
                if (isfinite(d) && a >= 0x1.ffffffp+127) out[got + i] = d > 0 ? INFINITY : -INFINITY;
                else if (isfinite(d) && a > FLT_MAX) out[got + i] = d > 0 ? FLT_MAX : -FLT_MAX;
                else out[got + i] = (float)d;
            }
        }
        got += k;
    }
    *data = out;
    out = NULL;
    *ndim = h.ndim;
    for (int i = 0; i < h.ndim; i++) shape[i] = h.shape[i];
done:
    fclose(f);
    free(text);
    free(out);
    return s;
}
