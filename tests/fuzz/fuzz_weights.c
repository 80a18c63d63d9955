/* Fuzzes the weights-folder reader (src/io/weights.c, zc_net_load_weights, and the .npy reader under it):
 * a small network (conv, batch norm with running stats, linear) saves its weights once to a folder; each
 * input replaces one file of it (the first byte picks which: a parameter, a running-stat buffer, or a file
 * the network does not have) with the rest of the input, then the folder is loaded into the network.
 * Asserts: a failure leaves an error message and the network's parameters untouched; after a successful
 * load every parameter holds the values its file holds. */
#include "fuzz_common.h"
#include "zcnas/rng.h"
#include "zcnas/weights.h"

static const char *const FILES[] = {"conv.weight.npy", "bn.weight.npy", "bn.bias.npy", "fc.weight.npy",
                                    "fc.bias.npy", "bn.running_mean.npy", "bn.num_batches_tracked.npy",
                                    "extra.weight.npy", "bn.running_std.npy", "conv.npy"};
#define N_FILES ((int)(sizeof FILES / sizeof FILES[0]))

static zc_net *net;
static char dir[512];
static float **saved;   /* each parameter's initial values */

static void setup(void)
{
    zcf_path(dir, sizeof dir, "weights");
    net = zc_net_new(3, 4, 4);
    ZCF_SETUP(net, "zc_net_new");
    int x = zc_net_conv2d(net, 0, "conv", 2, 3, 1, 1, 1, 0);
    if (x >= 0) x = zc_net_batchnorm(net, x, "bn", 1e-5f, 1, 1);
    if (x >= 0) x = zc_net_relu(net, x);
    if (x >= 0) x = zc_net_gap(net, x);
    if (x >= 0) x = zc_net_linear(net, x, "fc", 3, 1);
    ZCF_SETUP(x >= 0 && zc_net_finish(net, x) == ZC_OK, "the network");
    zc_rng rng;
    zc_rng_seed(&rng, 1, 2);
    ZCF_SETUP(zc_net_init_default(net, &rng) == ZC_OK, "init");
    ZCF_SETUP(zc_net_save_weights(net, dir) == ZC_OK, "zc_net_save_weights");
    int np = zc_net_num_params(net);
    saved = calloc((size_t)np, sizeof *saved);
    ZCF_SETUP(saved, "allocation");
    for (int i = 0; i < np; i++) {
        zc_param_info p;
        zc_net_param_info(net, i, &p);
        saved[i] = malloc(p.numel * sizeof(float));
        ZCF_SETUP(saved[i], "allocation");
        memcpy(saved[i], zc_net_param_data(net, i), p.numel * sizeof(float));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!net) setup();
    if (size < 1) return 0;
    const char *name = FILES[data[0] % N_FILES];
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t orig_len = 0;
    char *orig = zcf_read(path, &orig_len);   /* NULL: the network has no such file */
    zcf_write(path, data + 1, size - 1);
    int np = zc_net_num_params(net);
    for (int i = 0; i < np; i++) ZCF_SETUP(zc_net_param_write(net, i, saved[i]) == ZC_OK, "reset");

    zc_clear_error();
    zc_status st = zc_net_load_weights(net, dir);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_net_load_weights");
    for (int i = 0; i < np; i++) {
        zc_param_info p;
        zc_net_param_info(net, i, &p);
        const float *now = zc_net_param_data(net, i);
        if (st != ZC_OK) {
            ZCF_CHECK(!memcmp(now, saved[i], p.numel * sizeof(float)), "a failed load (%s) changed %s", zc_last_error(),
                      p.name);
            continue;
        }
        char file[1024];
        snprintf(file, sizeof file, "%s/%s.npy", dir, p.name);
        float *want = NULL;
        int ndim, shape[ZC_NPY_MAX_DIMS];
        ZCF_CHECK(zc_npy_read_f32(file, &want, &ndim, shape) == ZC_OK, "%s loaded but does not read: %s", file,
                  zc_last_error());
        ZCF_CHECK(!memcmp(now, want, p.numel * sizeof(float)), "%s does not hold what %s holds", p.name, file);
        free(want);
    }
    if (orig) zcf_write(path, orig, orig_len);
    else unlink(path);
    free(orig);
    return 0;
}
