/* A network's weights as a folder of .npy files named by PyTorch state_dict keys, so that
 *   sd = {f[:-4]: torch.from_numpy(np.load(dir + "/" + f)) for f in os.listdir(dir)}
 *   model.load_state_dict(sd, strict=True)
 * works on what we save, and a folder from another architecture is refused on load. */
#define _POSIX_C_SOURCE 200809L  /* mkdir, stat, opendir */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "zcnas/weights.h"

#define PATH_CAP 4096

/* Batch-norm buffers that PyTorch keeps in the state_dict next to the parameters. */
static const char *const BN_BUFFERS[] = {"running_mean", "running_var", "num_batches_tracked"};
#define N_BN_BUFFERS 3

static int has_buffers(const zc_node_info *nd) {
    return nd->op == ZC_OP_BATCHNORM && nd->track_stats;
}

/* A key becomes a file name, so it must not escape the folder. */
static int bad_key(const char *key) {
    return !key[0] || strchr(key, '/') || strcmp(key, ".") == 0 || strcmp(key, "..") == 0;
}

static zc_status tensor_path(char *out, const char *dir, const char *key, const char *buffer) {
    size_t d = strlen(dir);
    const char *sep = (d > 0 && dir[d - 1] == '/') ? "" : "/";
    int n = buffer ? snprintf(out, PATH_CAP, "%s%s%s.%s.npy", dir, sep, key, buffer)
                   : snprintf(out, PATH_CAP, "%s%s%s.npy", dir, sep, key);
    if (n < 0 || n >= PATH_CAP)
        return zc_fail(ZC_EINVAL, "weights: %s: path of tensor %s is too long", dir, key);
    return ZC_OK;
}

/* "(16, 3, 3, 3)", numpy style. */
static const char *shape_str(char *buf, size_t cap, int ndim, const int *shape) {
    size_t n = (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i < ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, i ? ", %d" : "%d", shape[i]);
    if (n < cap) snprintf(buf + n, cap - n, ndim == 1 ? ",)" : ")");
    return buf;
}

static zc_status check_net(const zc_net *net, const char *dir) {
    if (!net || !dir || !*dir) return zc_fail(ZC_EINVAL, "weights: missing network or directory");
    if (zc_net_is_shapes_only(net)) return zc_fail(ZC_EINVAL, "weights: the network has no parameter values");
    for (int i = 0; i < zc_net_num_params(net); i++) {
        zc_param_info p;
        zc_net_param_info(net, i, &p);
        if (bad_key(p.name))
            return zc_fail(ZC_EINVAL, "weights: parameter %d has an unusable name '%s'", i, p.name);
        size_t numel = 1;
        if (p.ndim < 0 || p.ndim > 4)
            return zc_fail(ZC_EINVAL, "weights: parameter %s has %d dimensions", p.name, p.ndim);
        for (int d = 0; d < p.ndim; d++) numel *= p.shape[d] > 0 ? (size_t)p.shape[d] : 0;
        if (numel != p.numel) return zc_fail(ZC_EINVAL, "weights: parameter %s: shape and size disagree", p.name);
    }
    for (int i = 0; i < zc_net_num_nodes(net); i++) {
        zc_node_info nd;
        zc_net_node_info(net, i, &nd);
        if (has_buffers(&nd) && bad_key(nd.name))
            return zc_fail(ZC_EINVAL, "weights: batch norm node %d has an unusable name '%s'", i, nd.name);
    }
    return ZC_OK;
}

/* mkdir -p: creates the folder and its missing parents; fine if it exists. */
static zc_status make_dirs(const char *dir) {
    char p[PATH_CAP];
    size_t n = strlen(dir);
    if (n >= sizeof p) return zc_fail(ZC_EINVAL, "weights: %s: path too long", dir);
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0') continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return zc_fail(ZC_EIO, "weights: cannot create directory %s: %s", p, strerror(errno));
        p[i] = c;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return zc_fail(ZC_EIO, "weights: %s exists and is not a directory", dir);
    return ZC_OK;
}

zc_status zc_net_save_weights(zc_net *net, const char *dir) {
    zc_status s = check_net(net, dir);
    if (s != ZC_OK) return s;
    if ((s = make_dirs(dir)) != ZC_OK) return s;
    char path[PATH_CAP];
    for (int i = 0; i < zc_net_num_params(net); i++) {
        zc_param_info p;
        zc_net_param_info(net, i, &p);
        const float *data = zc_net_param_data(net, i);
        if (!data) return zc_fail(ZC_ENOMEM, "weights: out of memory reading %s", p.name);
        if ((s = tensor_path(path, dir, p.name, NULL)) != ZC_OK) return s;
        if ((s = zc_npy_write_f32(path, data, p.ndim, p.shape)) != ZC_OK) return s;
    }
    for (int i = 0; i < zc_net_num_nodes(net); i++) {
        zc_node_info info;
        zc_net_node_info(net, i, &info);
        const zc_node_info *nd = &info;
        if (!has_buffers(nd)) continue;
        int c = nd->c;
        float *v = malloc((size_t)(c > 0 ? c : 1) * sizeof *v);
        if (!v) return zc_fail(ZC_ENOMEM, "weights: out of memory saving %s", nd->name);
        /* A freshly constructed BatchNorm2d: mean 0, variance 1, no batches seen. */
        for (int k = 0; k < c; k++) v[k] = 0.0f;
        s = tensor_path(path, dir, nd->name, BN_BUFFERS[0]);
        if (s == ZC_OK) s = zc_npy_write_f32(path, v, 1, &c);
        for (int k = 0; k < c; k++) v[k] = 1.0f;
        if (s == ZC_OK) s = tensor_path(path, dir, nd->name, BN_BUFFERS[1]);
        if (s == ZC_OK) s = zc_npy_write_f32(path, v, 1, &c);
        free(v);
        const int64_t zero = 0;
        if (s == ZC_OK) s = tensor_path(path, dir, nd->name, BN_BUFFERS[2]);
        if (s == ZC_OK) s = zc_npy_write_i64(path, &zero, 0, NULL);
        if (s != ZC_OK) return s;
    }
    return ZC_OK;
}

/* NaN or infinite weights (or a negative running variance) would only surface later as a NaN loss. */
static zc_status check_finite(const char *path, const float *v, size_t n, int variance) {
    for (size_t k = 0; k < n; k++)
        if (!isfinite(v[k]) || (variance && v[k] < 0))
            return zc_fail(ZC_EDATA, "weights: %s: element %zu is %g (%s)", path, k, (double)v[k],
                           variance ? "a variance must be finite and >= 0" : "weights must be finite");
    return ZC_OK;
}

/* 1 when `key` names a parameter or a running-stat buffer of this network. */
static int known_key(const zc_net *net, const char *key) {
    if (zc_net_find_param(net, key) >= 0) return 1;
    const char *dot = strrchr(key, '.');
    if (!dot) return 0;
    size_t base = (size_t)(dot - key);
    int is_buffer = 0;
    for (int b = 0; b < N_BN_BUFFERS; b++) is_buffer |= strcmp(dot + 1, BN_BUFFERS[b]) == 0;
    if (!is_buffer) return 0;
    for (int i = 0; i < zc_net_num_nodes(net); i++) {
        zc_node_info nd;
        zc_net_node_info(net, i, &nd);
        if (has_buffers(&nd) && strlen(nd.name) == base && strncmp(nd.name, key, base) == 0) return 1;
    }
    return 0;
}

/* Refuses a folder holding tensors this network does not have (another architecture's). */
static zc_status check_folder(const zc_net *net, const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return zc_fail(ZC_EIO, "weights: %s: cannot open directory: %s", dir, strerror(errno));
    zc_status s = ZC_OK;
    char key[ZC_NAME_MAX + 32];
    struct dirent *e;
    while (s == ZC_OK && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n <= 4 || strcmp(e->d_name + n - 4, ".npy") != 0) continue;
        if (n - 4 >= sizeof key) {
            s = zc_fail(ZC_EDATA, "weights: unexpected tensor %s in %s (not a parameter of this network)",
                        e->d_name, dir);
            break;
        }
        memcpy(key, e->d_name, n - 4);
        key[n - 4] = '\0';
        if (!known_key(net, key))
            s = zc_fail(ZC_EDATA, "weights: unexpected tensor %s in %s (not a parameter of this network)",
                        e->d_name, dir);
    }
    closedir(d);
    return s;
}

zc_status zc_net_load_weights(zc_net *net, const char *dir) {
    zc_status s = check_net(net, dir);
    if (s != ZC_OK) return s;
    if ((s = check_folder(net, dir)) != ZC_OK) return s;
    /* Everything is read before anything is copied, so a failure leaves the network untouched. */
    int np = zc_net_num_params(net);
    float **tmp = calloc((size_t)(np > 0 ? np : 1), sizeof *tmp);
    if (!tmp) return zc_fail(ZC_ENOMEM, "weights: out of memory loading %s", dir);
    char path[PATH_CAP];
    for (int i = 0; i < np && s == ZC_OK; i++) {
        zc_param_info info;
        zc_net_param_info(net, i, &info);
        const zc_param_info *p = &info;
        char want[96], got[96];
        if ((s = tensor_path(path, dir, p->name, NULL)) != ZC_OK) break;
        struct stat st;
        if (stat(path, &st) != 0) {
            s = zc_fail(ZC_EIO, "weights: %s: missing (parameter %s of shape %s)", path, p->name,
                        shape_str(want, sizeof want, p->ndim, p->shape));
            break;
        }
        int ndim, shape[ZC_NPY_MAX_DIMS];
        if ((s = zc_npy_read_f32(path, &tmp[i], &ndim, shape)) != ZC_OK) break;
        int same = ndim == p->ndim;
        for (int d = 0; same && d < ndim; d++) same = shape[d] == p->shape[d];
        if (!same)
            s = zc_fail(ZC_EDATA, "weights: %s has shape %s but parameter %s has shape %s", path,
                        shape_str(got, sizeof got, ndim, shape), p->name,
                        shape_str(want, sizeof want, p->ndim, p->shape));
        if (s == ZC_OK) s = check_finite(path, tmp[i], p->numel, 0);
    }
    /* The running stats are not used (batch norms run on batch statistics, or on a fresh model's
     * 0 / 1 in eval mode), but a damaged file is reported rather than passed over. */
    for (int i = 0; s == ZC_OK && i < zc_net_num_nodes(net); i++) {
        zc_node_info nd;
        zc_net_node_info(net, i, &nd);
        for (int b = 0; b < 2 && s == ZC_OK && has_buffers(&nd); b++) {
            struct stat st;
            if ((s = tensor_path(path, dir, nd.name, BN_BUFFERS[b])) != ZC_OK || stat(path, &st) != 0) continue;
            float *v = NULL;
            int ndim, shape[ZC_NPY_MAX_DIMS];
            if ((s = zc_npy_read_f32(path, &v, &ndim, shape)) == ZC_OK && (ndim != 1 || shape[0] != nd.c))
                s = zc_fail(ZC_EDATA, "weights: %s: expected %d values (the channels of %s)", path, nd.c, nd.name);
            if (s == ZC_OK) s = check_finite(path, v, (size_t)nd.c, b == 1);
            free(v);
        }
    }
    for (int i = 0; i < np; i++) {
        if (s == ZC_OK) s = zc_net_param_write(net, i, tmp[i]);
        free(tmp[i]);
    }
    free(tmp);
    return s;
}
