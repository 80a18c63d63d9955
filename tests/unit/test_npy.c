/* .npy files and weight folders: float32 round trips of every rank, numpy's header layout,
 * float64 input, refusal of malformed files, and save/load of a small hand-built network
 * (missing, mis-shaped and foreign tensors refused, nothing half-loaded). */
#define _POSIX_C_SOURCE 200809L  /* mkdir, rmdir for the scratch folder */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "engine/engine_impl.h"
#include "zcnas/weights.h"

#define TMP "test_npy.tmp"

static int msg_has(const char *needle) { return strstr(zc_last_error(), needle) != NULL; }

/* memmem is not standard C. */
static int contains(const unsigned char *buf, size_t n, const char *s) {
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(buf + i, s, k) == 0) return 1;
    return 0;
}

static size_t read_all(const char *path, unsigned char *buf, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void write_bytes(const char *path, const void *a, size_t na, const void *b, size_t nb) {
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    if ((na && fwrite(a, 1, na, f) != na) || (nb && fwrite(b, 1, nb, f) != nb)) { perror(path); exit(2); }
    fclose(f);
}

/* A v1.0 file with the given header dict (unpadded: numpy accepts any length) and raw data. */
static void write_npy_raw(const char *path, int major, const char *dict, const void *data, size_t n) {
    unsigned char head[512];
    size_t len = strlen(dict), pre = major == 1 ? 10 : 12;
    memcpy(head, "\x93NUMPY", 6);
    head[6] = (unsigned char)major;
    head[7] = 0;
    head[8] = (unsigned char)((len + 1) & 0xff);
    head[9] = (unsigned char)((len + 1) >> 8);
    if (major != 1) head[10] = head[11] = 0;
    memcpy(head + pre, dict, len);
    head[pre + len] = '\n';
    write_bytes(path, head, pre + len + 1, data, n);
}

static void test_roundtrip(void) {
    static const int shapes[][8] = {{0}, {0}, {5}, {2, 3}, {2, 3, 4, 5}, {1, 2, 1, 2, 1, 2, 1, 2}};
    static const int ndims[] = {0, 1, 1, 2, 4, 8};
    for (int t = 0; t < 6; t++) {
        size_t numel = 1;
        for (int d = 0; d < ndims[t]; d++) numel *= (size_t)shapes[t][d];
        float *x = malloc((numel ? numel : 1) * sizeof *x);
        for (size_t i = 0; i < numel; i++) x[i] = (float)i * 0.37f - 1.5f;
        if (numel >= 4) { x[0] = -0.0f; x[1] = INFINITY; x[2] = NAN; x[3] = 1e-40f; /* denormal */ }
        char path[256];
        snprintf(path, sizeof path, TMP "/t%d.npy", t);
        CHECK_MSG(zc_npy_write_f32(path, x, ndims[t], shapes[t]) == ZC_OK, "%s", zc_last_error());

        /* numpy's layout: magic, v1.0, header padded with spaces to a 64-byte boundary, '\n'. */
        unsigned char raw[4096];
        size_t n = read_all(path, raw, sizeof raw);
        size_t hlen = raw[8] | (size_t)raw[9] << 8;
        CHECK(n >= 10 && memcmp(raw, "\x93NUMPY\x01\x00", 8) == 0);
        CHECK((10 + hlen) % 64 == 0 && raw[10 + hlen - 1] == '\n' && raw[10 + hlen - 2] == ' ');
        CHECK(n == 10 + hlen + 4 * numel);
        CHECK(contains(raw, n, "'descr': '<f4'") && contains(raw, n, "'fortran_order': False"));
        if (t == 0) CHECK(contains(raw, n, "'shape': ()"));
        if (t == 2) CHECK(contains(raw, n, "'shape': (5,)"));
        if (t == 3) CHECK(contains(raw, n, "'shape': (2, 3)"));
        if (t == 2) CHECK(memcmp(raw + 10 + hlen + 4, "\x00\x00\x80\x7f", 4) == 0);  /* +inf, little-endian */

        float *y = NULL;
        int nd = -1, shape[ZC_NPY_MAX_DIMS];
        CHECK_MSG(zc_npy_read_f32(path, &y, &nd, shape) == ZC_OK, "%s", zc_last_error());
        CHECK(nd == ndims[t] && y != NULL);
        int same_shape = nd == ndims[t];
        for (int d = 0; same_shape && d < nd; d++) same_shape = shape[d] == shapes[t][d];
        CHECK(same_shape);
        if (y && numel) CHECK(memcmp(x, y, numel * sizeof *x) == 0);  /* bit-exact, NaN included */
        free(x);
        free(y);
        remove(path);
    }

    /* int64 scalar, as num_batches_tracked. */
    int64_t v = 0x0102030405060708LL;
    CHECK(zc_npy_write_i64(TMP "/i.npy", &v, 0, NULL) == ZC_OK);
    unsigned char raw[256];
    size_t n = read_all(TMP "/i.npy", raw, sizeof raw);
    /* The 0-d header does not fit in 64 bytes: numpy pads it to 128. */
    CHECK(n == 136 && contains(raw, n, "'descr': '<i8'") && raw[128] == 8 && raw[135] == 1);
    remove(TMP "/i.npy");

    int bad_shape[1] = {-1};
    CHECK(zc_npy_write_f32(TMP "/neg.npy", NULL, 1, bad_shape) == ZC_EINVAL);
    CHECK(zc_npy_write_f32(TMP "/no_dir/x.npy", &(float){1}, 0, NULL) == ZC_EIO && msg_has("no_dir/x.npy"));
}

static void test_read_foreign(void) {
    /* float64, as numpy writes by default, is converted; values beyond float32 become inf. */
    double d[4] = {1.5, -2.25, 1e300, 3.141592653589793};
    unsigned char le[32];
    for (int i = 0; i < 4; i++) {
        uint64_t u;
        memcpy(&u, &d[i], 8);
        for (int b = 0; b < 8; b++) le[i * 8 + b] = (unsigned char)(u >> (8 * b));
    }
    write_npy_raw(TMP "/f8.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", le, 32);
    float *y = NULL;
    int nd, shape[ZC_NPY_MAX_DIMS];
    CHECK_MSG(zc_npy_read_f32(TMP "/f8.npy", &y, &nd, shape) == ZC_OK, "%s", zc_last_error());
    CHECK(nd == 2 && shape[0] == 2 && shape[1] == 2);
    if (y) CHECK(y[0] == 1.5f && y[1] == -2.25f && isinf(y[2]) && y[2] > 0 && y[3] == (float)3.141592653589793);
    free(y);

    /* Version 2.0 (4-byte header length), double quotes, no trailing comma, 1-tuple. */
    float f[3] = {1, 2, 3};
    write_npy_raw(TMP "/v2.npy", 2, "{\"descr\": \"<f4\", \"shape\": (3,), \"fortran_order\": False}", f, 12);
    y = NULL;
    CHECK_MSG(zc_npy_read_f32(TMP "/v2.npy", &y, &nd, shape) == ZC_OK, "%s", zc_last_error());
    CHECK(nd == 1 && shape[0] == 3 && y && y[2] == 3.0f);
    free(y);
    remove(TMP "/f8.npy");
    remove(TMP "/v2.npy");
}

/* Each malformed file is refused with a message naming it; *data stays NULL. */
static void expect_reject(const char *what, zc_status code, const char *needle) {
    static float junk;
    float *y = &junk;
    int nd = 7, shape[ZC_NPY_MAX_DIMS];
    zc_status s = zc_npy_read_f32(TMP "/bad.npy", &y, &nd, shape);
    CHECK_MSG(s == code && y == NULL && msg_has(TMP "/bad.npy") && msg_has(needle),
              "%s: status %d, message '%s'", what, (int)s, zc_last_error());
}

static void test_reject(void) {
    float f[4] = {1, 2, 3, 4};
    const char *ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }";
    write_npy_raw(TMP "/bad.npy", 1, ok, f, 12);
    expect_reject("truncated data", ZC_EDATA, "truncated");
    write_npy_raw(TMP "/bad.npy", 1, ok, f, 16);
    float one = 0;
    FILE *fp = fopen(TMP "/bad.npy", "ab");
    fwrite(&one, 4, 1, fp);
    fclose(fp);
    expect_reject("trailing data", ZC_EDATA, "trailing");
    write_npy_raw(TMP "/bad.npy", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", f, 16);
    expect_reject("fortran", ZC_EUNSUPPORTED, "fortran");
    write_npy_raw(TMP "/bad.npy", 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", f, 16);
    expect_reject("big-endian", ZC_EUNSUPPORTED, "big-endian");
    write_npy_raw(TMP "/bad.npy", 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }", f, 16);
    expect_reject("int32", ZC_EUNSUPPORTED, "'<i4'");
    write_npy_raw(TMP "/bad.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }", f, 16);
    expect_reject("negative shape", ZC_EDATA, "shape");
    write_npy_raw(TMP "/bad.npy", 1, "{'descr': '<f4', 'shape': (4,), }", f, 16);
    expect_reject("missing key", ZC_EDATA, "fortran_order");
    write_npy_raw(TMP "/bad.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,) ", f, 16);
    expect_reject("unterminated dict", ZC_EDATA, "malformed");
    write_npy_raw(TMP "/bad.npy", 1, "[1, 2, 3]", f, 16);
    expect_reject("not a dict", ZC_EDATA, "dict");
    write_npy_raw(TMP "/bad.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }", f, 16);
    expect_reject("huge shape", ZC_EDATA, "large");
    write_npy_raw(TMP "/bad.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536, 65536, 65536), }", f, 16);
    expect_reject("overflowing shape", ZC_EDATA, "large");
    unsigned char head[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 200, 0};
    write_bytes(TMP "/bad.npy", head, 10, "{'descr'", 8);
    expect_reject("truncated header", ZC_EDATA, "truncated header");
    head[6] = 9;
    write_bytes(TMP "/bad.npy", head, 10, NULL, 0);
    expect_reject("version", ZC_EUNSUPPORTED, "version 9.0");
    static const char zip[] = "PK\x03\x04 not numpy";
    write_bytes(TMP "/bad.npy", zip, sizeof zip - 1, NULL, 0);
    expect_reject("bad magic", ZC_EDATA, "not a .npy");
    write_bytes(TMP "/bad.npy", "", 0, NULL, 0);
    expect_reject("empty", ZC_EDATA, "not a .npy");
    remove(TMP "/bad.npy");
    expect_reject("missing", ZC_EIO, "cannot open");
}

/* ---- weights: a hand-built net (stem conv + tracked BN, untracked BN, linear head) ---- */

typedef struct spec { const char *name; int node, ndim, shape[4]; } spec;
static const spec PARAMS[] = {
    {"stem.0.weight", 1, 4, {4, 3, 3, 3}}, {"stem.1.weight", 2, 1, {4}}, {"stem.1.bias", 2, 1, {4}},
    {"cells.0.bn.weight", 3, 1, {4}},      {"cells.0.bn.bias", 3, 1, {4}},
    {"classifier.weight", 5, 2, {10, 4}},  {"classifier.bias", 5, 1, {10}},
};
#define N_PARAMS 7

static zc_net *make_net(float fill) {
    zc_net *net = calloc(1, sizeof *net);
    net->n_nodes = net->cap_nodes = 6;
    net->nodes = calloc(6, sizeof *net->nodes);
    static const zc_op ops[6] = {ZC_OP_INPUT, ZC_OP_CONV2D, ZC_OP_BATCHNORM, ZC_OP_BATCHNORM,
                                 ZC_OP_GAP, ZC_OP_LINEAR};
    static const char *names[6] = {"", "stem.0", "stem.1", "cells.0.bn", "", "classifier"};
    for (int i = 0; i < 6; i++) {
        net->nodes[i].op = ops[i];
        net->nodes[i].c = i == 5 ? 10 : i == 0 ? 3 : 4;
        net->nodes[i].affine = 1;
        net->nodes[i].weight = net->nodes[i].bias = -1;
        snprintf(net->nodes[i].name, ZC_NAME_MAX, "%s", names[i]);
    }
    net->nodes[2].track_stats = 1;  /* cells.0.bn is built with track_running_stats=False */
    net->n_params = net->cap_params = N_PARAMS;
    net->params = calloc(N_PARAMS, sizeof *net->params);
    for (int i = 0; i < N_PARAMS; i++) {
        zc_param *p = &net->params[i];
        snprintf(p->name, ZC_NAME_MAX, "%s", PARAMS[i].name);
        p->node = PARAMS[i].node;
        p->ndim = PARAMS[i].ndim;
        p->numel = 1;
        for (int d = 0; d < p->ndim; d++) { p->shape[d] = PARAMS[i].shape[d]; p->numel *= (size_t)p->shape[d]; }
        p->data = malloc(p->numel * sizeof(float));
        for (size_t k = 0; k < p->numel; k++) p->data[k] = fill == 0 ? (float)(i * 1000 + (int)k) * 0.01f : fill;
    }
    return net;
}

static void free_net(zc_net *net) {
    for (int i = 0; i < net->n_params; i++) free(net->params[i].data);
    free(net->params);
    free(net->nodes);
    free(net);
}

static int nets_equal(const zc_net *a, const zc_net *b) {
    for (int i = 0; i < a->n_params; i++)
        if (memcmp(a->params[i].data, b->params[i].data, a->params[i].numel * sizeof(float))) return 0;
    return 1;
}

static int exists(const char *path) { struct stat st; return stat(path, &st) == 0; }

static void test_weights(void) {
    zc_net *a = make_net(0), *b = make_net(-7.0f), *sentinel = make_net(-7.0f);
    const char *dir = TMP "/w/nested";
    CHECK_MSG(zc_net_save_weights(a, dir) == ZC_OK, "%s", zc_last_error());
    CHECK(zc_net_save_weights(a, dir) == ZC_OK);  /* the folder may already exist */
    CHECK(exists(TMP "/w/nested/stem.0.weight.npy") && exists(TMP "/w/nested/classifier.bias.npy"));
    CHECK(exists(TMP "/w/nested/stem.1.running_mean.npy") && exists(TMP "/w/nested/stem.1.running_var.npy") &&
          exists(TMP "/w/nested/stem.1.num_batches_tracked.npy"));
    CHECK(!exists(TMP "/w/nested/cells.0.bn.running_mean.npy"));

    float *v = NULL;
    int nd, shape[ZC_NPY_MAX_DIMS];
    CHECK(zc_npy_read_f32(TMP "/w/nested/stem.1.running_var.npy", &v, &nd, shape) == ZC_OK);
    CHECK(nd == 1 && shape[0] == 4 && v && v[0] == 1.0f && v[3] == 1.0f);
    free(v);
    unsigned char raw[256];
    size_t n = read_all(TMP "/w/nested/stem.1.num_batches_tracked.npy", raw, sizeof raw);
    CHECK(n == 136 && contains(raw, n, "'<i8'") && contains(raw, n, "'shape': ()"));

    CHECK_MSG(zc_net_load_weights(b, dir) == ZC_OK, "%s", zc_last_error());
    CHECK(nets_equal(a, b));

    /* A mis-shaped tensor: refused with both shapes, and nothing of the net is changed. */
    float w[40] = {0};
    int bad[2] = {4, 10};
    CHECK(zc_npy_write_f32(TMP "/w/nested/classifier.weight.npy", w, 2, bad) == ZC_OK);
    CHECK(zc_net_load_weights(sentinel, dir) == ZC_EDATA);
    CHECK(msg_has("classifier.weight.npy") && msg_has("(4, 10)") && msg_has("(10, 4)"));
    zc_net *untouched = make_net(-7.0f);
    CHECK(nets_equal(sentinel, untouched));
    free_net(untouched);
    CHECK(zc_npy_write_f32(TMP "/w/nested/classifier.weight.npy", a->params[5].data, 2, a->params[5].shape) == ZC_OK);

    /* A missing tensor. */
    remove(TMP "/w/nested/classifier.bias.npy");
    CHECK(zc_net_load_weights(b, dir) == ZC_EIO && msg_has("classifier.bias.npy") && msg_has("missing"));
    CHECK(zc_npy_write_f32(TMP "/w/nested/classifier.bias.npy", a->params[6].data, 1, a->params[6].shape) == ZC_OK);

    /* Foreign tensors: another architecture's parameter, running stats of an untracked BN. */
    CHECK(zc_npy_write_f32(TMP "/w/nested/cells.1.weight.npy", w, 1, (int[]){4}) == ZC_OK);
    CHECK(zc_net_load_weights(b, dir) == ZC_EDATA && msg_has("unexpected tensor cells.1.weight.npy") &&
          msg_has("not a parameter"));
    remove(TMP "/w/nested/cells.1.weight.npy");
    CHECK(zc_npy_write_f32(TMP "/w/nested/cells.0.bn.running_mean.npy", w, 1, (int[]){4}) == ZC_OK);
    CHECK(zc_net_load_weights(b, dir) == ZC_EDATA && msg_has("cells.0.bn.running_mean.npy"));
    remove(TMP "/w/nested/cells.0.bn.running_mean.npy");
    CHECK(zc_net_load_weights(b, dir) == ZC_OK && nets_equal(a, b));

    CHECK(zc_net_load_weights(b, TMP "/w/none") == ZC_EIO && msg_has(TMP "/w/none"));
    write_bytes(TMP "/w/file", "x", 1, NULL, 0);
    CHECK(zc_net_save_weights(a, TMP "/w/file") != ZC_OK && msg_has(TMP "/w/file"));
    remove(TMP "/w/file");

    for (int i = 0; i < N_PARAMS; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s.npy", dir, PARAMS[i].name);
        remove(p);
    }
    remove(TMP "/w/nested/stem.1.running_mean.npy");
    remove(TMP "/w/nested/stem.1.running_var.npy");
    remove(TMP "/w/nested/stem.1.num_batches_tracked.npy");
    rmdir(dir);
    rmdir(TMP "/w");
    free_net(a);
    free_net(b);
    free_net(sentinel);
}

int main(void) {
    mkdir(TMP, 0777);
    test_roundtrip();
    test_read_foreign();
    test_reject();
    test_weights();
    rmdir(TMP);
    return check_report("test_npy");
}
