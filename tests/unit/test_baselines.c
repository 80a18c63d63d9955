/* The zero-cost-nas baselines' building blocks (Jacobi eigenvalues, corrcoef) on hand-checkable
 * inputs, and the proxies on a tiny network: closed forms where there is one (l2_norm; jacob_cov of a
 * batch of identical images), determinism, errors. Against PyTorch: tests/oracle/oracle_baselines.py. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "proxies/proxy_impl.h"
#include "test_space.h"
#include "zcnas/zcnas.h"

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A = Q diag(lambda) Q^T with Q a product of three random Householder reflections. */
static void make_sym(int n, const double *lambda, zc_rng *rng, double *a)
{
    double *q = calloc((size_t)n * n, sizeof *q), *t = malloc((size_t)n * n * sizeof *t), *v = malloc((size_t)n * sizeof *v);
    for (int i = 0; i < n; i++) q[(size_t)i * n + i] = 1.0;
    for (int r = 0; r < 3; r++) {
        double nv = 0;
        for (int i = 0; i < n; i++) { v[i] = zc_rng_normal(rng); nv += v[i] * v[i]; }
        for (int i = 0; i < n; i++) v[i] /= sqrt(nv);
        /* q <- q (I - 2 v v^T) */
        for (int i = 0; i < n; i++) {
            double d = 0;
            for (int k = 0; k < n; k++) d += q[(size_t)i * n + k] * v[k];
            for (int k = 0; k < n; k++) q[(size_t)i * n + k] -= 2 * d * v[k];
        }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) t[(size_t)i * n + j] = q[(size_t)i * n + j] * lambda[j];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++) s += t[(size_t)i * n + k] * q[(size_t)j * n + k];
            a[(size_t)i * n + j] = s;
        }
    free(q); free(t); free(v);
}

static void test_jacobi(void)
{
    double a2[4] = {2, 1, 1, 2}, w2[2];
    CHECK(zci_sym_eigvals(a2, 2, w2) == ZC_OK);
    CHECK_NEAR(w2[0], 1.0, 1e-14);
    CHECK_NEAR(w2[1], 3.0, 1e-14);
    double a1[1] = {-4}, w1[1];
    CHECK(zci_sym_eigvals(a1, 1, w1) == ZC_OK && w1[0] == -4);
    double bad[4] = {1, NAN, NAN, 1};
    CHECK(zci_sym_eigvals(bad, 2, w2) == ZC_ENUM);
    zc_rng rng;
    zc_rng_seed(&rng, 7, 0);
    const int sizes[] = {3, 7, 20, 64};
    for (int s = 0; s < 4; s++) {
        int n = sizes[s];
        double *lam = malloc((size_t)n * sizeof *lam), *a = malloc((size_t)n * n * sizeof *a), *w = malloc((size_t)n * sizeof *w);
        /* A correlation-like spectrum: one large, a cluster of equal values, exact zeros, tiny and
         * slightly negative ones. */
        for (int i = 0; i < n; i++) lam[i] = zc_rng_double(&rng) * 2;
        lam[0] = n / 2.0;
        lam[1] = 0.0;
        lam[2] = 1e-9;
        if (n > 3) { lam[3] = -1e-3; lam[4] = lam[5] = lam[6] = 0.75; }
        make_sym(n, lam, &rng, a);
        CHECK(zci_sym_eigvals(a, n, w) == ZC_OK);
        qsort(lam, (size_t)n, sizeof *lam, cmp_d);
        double err = 0;
        for (int i = 0; i < n; i++) err = fmax(err, fabs(w[i] - lam[i]));
        CHECK_MSG(err <= 1e-13 * n, "n = %d: max eigenvalue error %g", n, err);
        free(lam); free(a); free(w);
    }
}

static void test_corrcoef(void)
{
    const float x[] = {1, 2, 3, 4,   2, 4, 6, 8,   4, 3, 2, 1,   1, 0, 0, 1,   5, 5, 5, 5};
    double r[25];
    zci_corrcoef_rows(x, 5, 4, r);
    CHECK_NEAR(r[0 * 5 + 1], 1.0, 1e-15);
    CHECK_NEAR(r[0 * 5 + 2], -1.0, 1e-15);
    CHECK_NEAR(r[0 * 5 + 3], 0.0, 1e-15);
    CHECK(r[0 * 5 + 0] == 1.0 && r[3 * 5 + 3] == 1.0);
    CHECK(r[2 * 5 + 1] == r[1 * 5 + 2]);
    CHECK(isnan(r[4 * 5 + 0]) && isnan(r[0 * 5 + 4]) && isnan(r[4 * 5 + 4]));   /* constant row, as numpy */
}

/* A tiny network: conv 3->4 (3x3) -> BN -> ReLU -> GAP -> linear -> classes. */
static zc_net *tiny(int classes, int trs, int shapes_only)
{
    zc_net *net = zc_net_new(3, 6, 6);
    if (shapes_only) zc_net_set_shapes_only(net);
    int x = zc_net_conv2d(net, 0, "stem.0", 4, 3, 1, 1, 1, 0);
    x = zc_net_batchnorm(net, x, "stem.1", 1e-5f, 1, trs);
    x = zc_net_relu(net, x);
    x = zc_net_gap(net, x);
    x = zc_net_linear(net, x, "classifier", classes, 1);
    zc_net_finish(net, x);
    return net;
}

static void test_proxies_tiny(void)
{
    enum { B = 6, C = 3, H = 6, W = 6 };
    zc_rng rng;
    zc_rng_seed(&rng, 11, 0);
    float xb[B * C * H * W], same[B * C * H * W];
    int yb[B] = {0, 1, 2, 3, 4, 0};
    for (int i = 0; i < B * C * H * W; i++) xb[i] = (float)zc_rng_normal(&rng);
    for (int i = 0; i < B * C * H * W; i++) same[i] = xb[i % (C * H * W)];
    zc_batch batch = {.n = B, .c = C, .h = H, .w = W, .x = xb, .y = yb}, same_batch = {.n = B, .c = C, .h = H, .w = W, .x = same, .y = yb};
    zc_proxy_opts opts;
    zc_proxy_opts_default(&opts);
    opts.backend = zc_backend_get("ref");
    zc_space_ctx *space = test_space_open(tiny, 5, 6);
    test_arch arch = {9};
    zc_proxy_input in;
    memset(&in, 0, sizeof in);
    in.space = space;
    in.arch = &arch;
    in.seed = 5;
    in.stream = 9;
    in.batches = &batch;
    in.n_batches = 1;
    const char *names[] = {"grad_norm", "snip", "grasp", "fisher", "jacob_cov", "plain", "l2_norm"};
    for (int i = 0; i < 7; i++) {
        const zc_proxy *p = zc_proxy_find(names[i]);
        CHECK_MSG(p != NULL, "%s not registered", names[i]);
        if (!p) continue;
        double s1 = NAN, s2 = NAN;
        CHECK_MSG(p->score(&in, &opts, &s1) == ZC_OK, "%s: %s", names[i], zc_last_error());
        CHECK_MSG(p->score(&in, &opts, &s2) == ZC_OK && s1 == s2, "%s not deterministic", names[i]);
        CHECK_MSG(isfinite(s1), "%s = %g", names[i], s1);
        if (p->data.input == ZC_INPUT_IMAGES) {
            zc_proxy_input none = in;
            none.batches = NULL;
            none.n_batches = 0;
            CHECK_MSG(p->score(&none, &opts, &s2) == ZC_EINVAL, "%s without a batch", names[i]);
        }
    }
    /* l2_norm: the sum of the two weights' norms of the same default init. */
    zc_net *net = tiny(5, 1, 0);
    zc_net_set_backend(net, opts.backend);
    zc_rng r;
    zc_rng_seed(&r, in.seed, in.stream);
    zc_net_init_default(net, &r);
    double want = 0;
    for (int i = 0; i < zc_net_num_params(net); i++) {
        zc_param_info pi;
        zc_net_param_info(net, i, &pi);
        if (pi.role != ZC_PARAM_WEIGHT) continue;
        const float *w = zc_net_param_data(net, i);
        double s = 0;
        for (size_t j = 0; j < pi.numel; j++) s += (double)w[j] * w[j];
        want += sqrt(s);
    }
    zc_net_free(net);
    double got;
    CHECK(zc_proxy_find("l2_norm")->score(&in, &opts, &got) == ZC_OK);
    CHECK_NEAR(got, want, 1e-12 * want);
    /* jacob_cov of B identical images: identical Jacobian rows, R = all ones, eigenvalues B and 0
     * (B - 1 times): -(ln(B + k) + 1/(B + k) + (B - 1)(ln k + 1/k)), k = 1e-5. */
    zc_proxy_input si = in;
    si.batches = &same_batch;
    CHECK(zc_proxy_find("jacob_cov")->score(&si, &opts, &got) == ZC_OK);
    double k = 1e-5;
    want = -(log(B + k) + 1 / (B + k) + (B - 1) * (log(k) + 1 / k));
    CHECK_NEAR(got, want, 1e-9 * fabs(want));
    /* grad_norm: the ZiCo-repo variant is another quantity, also deterministic and positive. */
    double zcn, zico1, zico2;
    CHECK(zc_proxy_find("grad_norm")->score(&in, &opts, &zcn) == ZC_OK);
    opts.grad_norm_zico = 1;
    CHECK(zc_proxy_find("grad_norm")->score(&in, &opts, &zico1) == ZC_OK);
    CHECK(zc_proxy_find("grad_norm")->score(&in, &opts, &zico2) == ZC_OK);
    CHECK(zico1 == zico2 && zico1 > 0 && isfinite(zico1) && zico1 != zcn);
    zc_space_close(space);
}

int main(void)
{
    test_jacobi();
    test_corrcoef();
    test_proxies_tiny();
    return check_report("test_baselines");
}
