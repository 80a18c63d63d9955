/* The exact constant-weight evaluator (src/evaluators/uniform.c) against the full float32 forward on
 * networks whose maps are concatenations of channel groups (NAS-Bench-101-like cells: truncations,
 * a concatenated cell output plus a projection, max pooling), for several constants. Both compute
 * the same function; only the float summation order differs, so the outputs must agree to 1e-4
 * relative (norm), and be exactly zero or NaN together. A mistake in the group bookkeeping (a wrong
 * group size, a term added to the wrong group) moves outputs by O(1). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "zcnas/zcnas.h"

static zc_rng rng;

/* conv -> BN (no running stats) -> ReLU */
static int cbr(zc_net *net, int x, const char *name, int c, int k)
{
    char n[64];
    snprintf(n, sizeof n, "%s.conv", name);
    int v = zc_net_conv2d(net, x, n, c, k, 1, k / 2, 1, 0);
    snprintf(n, sizeof n, "%s.bn", name);
    return zc_net_relu(net, zc_net_batchnorm(net, v, n, 1e-5f, 1, 0));
}

/* stem 12 -> a cell with three vertices of 5, 5, 4 channels (one a max pool of a truncation, one
 * fed by two truncated vertices plus a projection) -> concat (14) + projection -> max pool 2x2 ->
 * a second cell reading the grouped map through its projection and a truncation -> GAP -> linear. */
static zc_net *build(int variant)
{
    zc_net *net = zc_net_new(3, 8, 8);
    int s = cbr(net, 0, "stem", 12, 3);
    int v1 = cbr(net, cbr(net, s, "p1", 5, 1), "v1", 5, 3);
    int v2 = zc_net_maxpool(net, zc_net_truncate(net, cbr(net, s, "p2", 5, 1), 5), 3, 1, 1);
    int t3[3] = {zc_net_truncate(net, v1, 4), zc_net_truncate(net, v2, 4), cbr(net, s, "p3", 4, 1)};
    int v3 = cbr(net, zc_net_add(net, 3, t3), "v3", 4, variant ? 3 : 1);
    int parts[3] = {v1, v2, v3};
    int sum[2] = {zc_net_concat(net, 3, parts), cbr(net, s, "proj", 14, 1)};
    int o = zc_net_maxpool(net, zc_net_add(net, 2, sum), 2, 2, 0);
    int head = o;
    if (variant) {   /* a second cell on the grouped map */
        int w1 = cbr(net, zc_net_truncate(net, o, 9), "w1", 9, 3);
        int w2 = zc_net_maxpool(net, zc_net_truncate(net, o, 7), 3, 1, 1);
        int p2[2] = {w1, w2};
        int s2[2] = {zc_net_concat(net, 2, p2), cbr(net, o, "proj2", 16, 1)};
        head = zc_net_add(net, 2, s2);
    }
    int out = zc_net_linear(net, zc_net_gap(net, head), "fc", 1, 1);
    if (zc_net_finish(net, out) != ZC_OK) { zc_net_free(net); return NULL; }
    return net;
}

static void compare(int variant, float w, int batch)
{
    zc_net *net = build(variant);
    CHECK_MSG(net != NULL, "build: %s", zc_last_error());
    if (!net) return;
    zc_net_set_backend(net, zc_backend_get("ref"));
    CHECK(zc_net_init_constant(net, w) == ZC_OK);
    size_t n = (size_t)batch * 3 * 8 * 8;
    float *x = malloc(n * sizeof *x), *fast = calloc((size_t)batch, sizeof *fast);
    for (size_t i = 0; i < n; i++) x[i] = (float)zc_rng_normal(&rng);
    CHECK(zc_eval_uniform(net, x, batch, fast) == ZC_OK);
    CHECK(zc_net_forward(net, x, batch, ZC_RUN_INFER) == ZC_OK);
    const float *full = zc_net_output(net, NULL, NULL);
    double d = 0, r = 0;
    int pattern = 1;
    for (int b = 0; b < batch; b++) {
        pattern &= isnan(fast[b]) == isnan(full[b]) && (fast[b] == 0.0f) == (full[b] == 0.0f);
        if (!isnan(full[b])) { d += ((double)fast[b] - full[b]) * ((double)fast[b] - full[b]); r += (double)full[b] * full[b]; }
    }
    double rel = r > 0 ? sqrt(d / r) : sqrt(d);
    CHECK_MSG(pattern, "variant %d, w %g: zero/NaN pattern differs", variant, w);
    CHECK_MSG(rel <= 1e-4, "variant %d, w %g: exact vs full %.3g (first %.9g vs %.9g)", variant, w, rel, fast[0], full[0]);
    printf("cell variant %d, w = %-6g batch %d: relative difference %.2e\n", variant, w, batch, rel);
    free(x);
    free(fast);
    zc_net_free(net);
}

int main(void)
{
    zc_rng_seed(&rng, 2024, 0);
    const float ws[] = {1.0f, 0.5f, 10.0f, 1e-2f};
    for (int v = 0; v < 2; v++)
        for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++) compare(v, ws[i], 6);
    return check_report("test_uniform");
}
