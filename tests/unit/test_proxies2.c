/* The proxies after ZiCo on their raw inputs: the hand-checkable vectors of spec-proxies2 section 7
 * (each computed by hand there and checked with torch 1.13), and the aggregates on small populations
 * with ties and -inf. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "spaces/tnb101/tnb101.h"
#include "util/util.h"
#include "zcnas/zcnas.h"

static void test_meco(void)
{
    const float a[8] = {1, 2, 3, 4, 1, 3, 2, 4};   /* r = 0.8 -> eigenvalues 0.2, 1.8 */
    CHECK_NEAR(zc_meco_value(a, 2, 4), 0.2, 1e-12);
    const float b[8] = {1, 2, 3, 4, 4, 3, 2, 1};   /* r = -1 -> 0, 2 */
    CHECK_NEAR(zc_meco_value(b, 2, 4), 0.0, 1e-12);
    const float c[8] = {1, 2, 3, 4, 5, 5, 5, 5};   /* a constant row: NaN entries -> 0, diag(1, 0) */
    CHECK_NEAR(zc_meco_value(c, 2, 4), 0.0, 0.0);
    const float d[8] = {1, 0, 0, 0, 0, 1, 0, 0};   /* r = -1/3 -> 2/3 */
    CHECK_NEAR(zc_meco_value(d, 2, 4), 2.0 / 3.0, 1e-12);
}

static void test_az(void)
{
    /* Two channels on 2 x 2 positions, batch 1: covariance I -> ln 2. */
    const float e1[8] = {1, 1, -1, -1, 1, -1, 1, -1};
    CHECK_NEAR(zc_az_expressivity_of(e1, 1, 2, 4), 0.6931472, 1e-7);
    const float e2[8] = {1, 1, -1, -1, 2, -2, 2, -2};   /* eigenvalues 1, 4 */
    CHECK_NEAR(zc_az_expressivity_of(e2, 1, 2, 4), 0.5004024, 1e-7);
    const float e3[8] = {1, 1, -1, -1, 2, 2, -2, -2};   /* rank 1 */
    CHECK_NEAR(zc_az_expressivity_of(e3, 1, 2, 4), 0.0, 1e-7);
    const float zero[8] = {0};
    CHECK(isnan(zc_az_expressivity_of(zero, 1, 2, 4)));
    /* Trainability: V rows (1,1), (1,-1), (1,1), (1,-1) (channel planes below); u = diag(2, 0.5) v per
     * position -> M = diag(2, 0.5), s = 2. */
    const float v[8] = {1, 1, 1, 1, 1, -1, 1, -1};
    const float u[8] = {2, 2, 2, 2, 0.5f, -0.5f, 0.5f, -0.5f};
    CHECK_NEAR(zc_az_block_trainability(u, v, 1, 2, 2, 2, 2, 2, 2), -0.4999998, 1e-7);
    const float swapped[8] = {1, -1, 1, -1, 1, 1, 1, 1};   /* an orthogonal map: s = 1 */
    CHECK_NEAR(zc_az_block_trainability(swapped, v, 1, 2, 2, 2, 2, 2, 2), 1e-6, 1e-9);
    CHECK(zc_az_block_trainability(v, v, 1, 2, 2, 2, 2, 2, 2) == -INFINITY);   /* identity */
    /* Space-to-depth: a 2 x 2 input block per output position, u = v on the block's first pixel. */
    const float vs[2] = {1, -1};                 /* batch 2, 1 channel, 1 x 1 */
    const float us[8] = {1, 0, 0, 0, -1, 0, 0, 0};   /* batch 2, 1 channel, 2 x 2 */
    CHECK_NEAR(zc_az_block_trainability(us, vs, 2, 1, 2, 2, 1, 1, 1), 2.0 - 1.0 - 1.0 / (1.0 + 1e-6), 1e-12);
}

static void aggregate(const char *name, const double *const *cols, size_t n, double *out)
{
    const zc_aggregate *a = zc_aggregate_find(name);
    CHECK(a != NULL);
    if (a) CHECK(zc_aggregate_compute(a, cols, n, out) == ZC_OK);
}

static void test_aggregates(void)
{
    double out[4];
    const double flops[4] = {10, 40, 20, 30}, E[4] = {3, 1, 2, 2}, P[4] = {.1, .4, .3, .2},
                 T[4] = {-1, -INFINITY, -.5, -.2};
    const double *az[4] = {flops, E, P, T};
    aggregate("az_nas", az, 4, out);
    const double want[4] = {-3.46574, -2.77259, -1.73851, -1.45083};
    for (int i = 0; i < 4; i++) CHECK_NEAR(out[i], want[i], 1e-5);
    const double ntk[4] = {-5, -2, -3, -1e5}, lr[4] = {10, 30, 30, 5};
    const double *te[2] = {ntk, lr};
    aggregate("te_nas", te, 4, out);
    const double want_te[4] = {4, 7.5, 6.5, 2};
    for (int i = 0; i < 4; i++) CHECK_NEAR(out[i], want_te[i], 0.0);
    /* VKDNW: dense ranks of (aleph, entropy); ties share a rank, NaN is lowest. */
    const double dim[5] = {21, 66, 66, 21, 66}, ent[5] = {1.0, 0.5, 0.7, 1.0, NAN};
    const double *vk[2] = {dim, ent};
    double o5[5];
    aggregate("vkdnw", vk, 5, o5);
    const double want_vk[5] = {1, 3, 4, 1, 2};
    for (int i = 0; i < 5; i++) CHECK_NEAR(o5[i], want_vk[i], 0.0);
    /* VKDNW_agg: ln r(vkdnw) + ln r(flops) + ln r(E) + ln r(T) + ln r(jacov), jacov NaN -> its minimum
     * (ties with it). Here r(vkdnw) = (1.5, 3, 4, 1.5, ...) over the 4 first archs. */
    const double f4[4] = {1, 2, 3, 4}, e4[4] = {4, 3, 2, 1}, t4[4] = {1, 1, 2, 2}, j4[4] = {NAN, -3, -5, 0};
    const double *va[6] = {dim, ent, f4, e4, t4, j4};
    aggregate("vkdnw_agg", va, 4, out);
    /* jacov -> (-5, -3, -5, 0): ranks (1.5, 3, 1.5, 4) */
    const double rv[4] = {1.5, 3, 4, 1.5}, rf[4] = {1, 2, 3, 4}, re[4] = {4, 3, 2, 1}, rt[4] = {1.5, 1.5, 3.5, 3.5},
                 rj[4] = {1.5, 3, 1.5, 4};
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(out[i], log(rv[i]) + log(rf[i]) + log(re[i]) + log(rt[i]) + log(rj[i]), 1e-12);
}

static void test_patterns(void)
{
    const float a[12] = {.5f, .1f, 0, 1, 0, 0, 0, 1, 2, 3, 0, 1};   /* 3 samples x 4 neurons */
    double cols, rows;
    CHECK(zc_relu_patterns(a, 3, 4, &cols, &rows) == ZC_OK);
    CHECK(cols == 3 && rows == 2);
    CHECK_NEAR(zc_reg_swap_factor(1.5e6, 1000, 5e5), 0.6065307, 1e-7);
    double theta[9] = {1, 1, 0, 1, 2, 0, 0, 0, 4};   /* G G^T of rows (1,0,0), (1,1,0), (0,0,2) */
    CHECK_NEAR(zc_ntk_from_gram(theta, 3), -10.47214, 1e-5);
    double singular[4] = {1, 0, 0, 0};   /* lambda_min = 0: cond inf */
    CHECK(zc_ntk_from_gram(singular, 2) == -INFINITY);
}

static void test_vkdnw(void)
{
    double pi[3], L[9], pi2[3], L2[9];
    const float z0[3] = {0, 0, 0}, z1[3] = {1, 0, -1};
    zc_vkdnw_pi_L(z0, 3, pi, L);
    for (int i = 0; i < 3; i++) CHECK_NEAR(pi[i], 0.333394378, 1e-8);
    const double want_L[9] = {0.4714261, 0, 0, -0.2357778, 0.4082296, 0, -0.2357778, -0.4084539, 0};
    for (int i = 0; i < 9; i++) CHECK_NEAR(L[i], want_L[i], 1e-6);
    zc_vkdnw_pi_L(z1, 3, pi2, L2);
    const double want_pi[3] = {0.648771405, 0.249202445, 0.102209225};
    for (int i = 0; i < 3; i++) CHECK_NEAR(pi2[i], want_pi[i], 1e-8);
    /* J = I for both samples: F = mean of L^T L; its eigenvalues and their deciles' entropy. */
    double F[9] = {0}, w[3];
    for (int p = 0; p < 3; p++)
        for (int q = 0; q < 3; q++)
            for (int i = 0; i < 3; i++) F[p * 3 + q] += 0.5 * (L[i * 3 + p] * L[i * 3 + q] + L2[i * 3 + p] * L2[i * 3 + q]);
    double Fs[9];
    for (int i = 0; i < 9; i++) Fs[i] = F[i];
    extern zc_status zci_sym_eigvals(double *a, int n, double *w);
    CHECK(zci_sym_eigvals(Fs, 3, w) == ZC_OK);
    CHECK_NEAR(w[2], 0.3539214, 1e-6);
    CHECK_NEAR(w[1], 0.2329909, 1e-6);
    CHECK_NEAR(w[0], 0.0, 1e-9);
    CHECK_NEAR(zc_vkdnw_entropy_of(w, 3), 2.0828888, 1e-6);
    const double lam[9] = {9, 1, 2, 3, 4, 5, 6, 7, 8};
    /* 2.1068220 is torch's float32 result; float64 gives 2.10682217 */
    CHECK_NEAR(zc_vkdnw_entropy_of(lam, 9), 2.1068221674948804, 1e-12);
}

/* The QL solver (zci_sym_eigvals above 128) against Jacobi and against known spectra. */
static void test_eigen_solvers(void)
{
    extern zc_status zci_sym_eigvals(double *a, int n, double *w);
    extern zc_status zci_sym_eigvals_ql(double *a, int n, double *w);
    zc_rng rng;
    zc_rng_seed(&rng, 3, 0);
    const int sizes[4] = {1, 2, 17, 60};
    for (int t = 0; t < 4; t++) {
        int n = sizes[t];
        double *a = malloc((size_t)n * n * sizeof *a), *b = malloc((size_t)n * n * sizeof *b);
        double *w1 = malloc((size_t)n * sizeof *w1), *w2 = malloc((size_t)n * sizeof *w2);
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++) a[i * n + j] = a[j * n + i] = zc_rng_normal(&rng);
        if (n == 60)   /* a rank-deficient covariance with repeated zero eigenvalues */
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) a[i * n + j] = (double)((i % 3) + 1) * ((j % 3) + 1);
        memcpy(b, a, (size_t)n * n * sizeof *a);
        CHECK(zci_sym_eigvals(a, n, w1) == ZC_OK);
        CHECK(zci_sym_eigvals_ql(b, n, w2) == ZC_OK);
        double scale = 0.0;
        for (int i = 0; i < n; i++) scale = fmax(scale, fabs(w1[i]));
        for (int i = 0; i < n; i++) CHECK_NEAR(w2[i], w1[i], 1e-11 * (scale + 1.0));
        free(a); free(b); free(w1); free(w2);
    }
    /* diag(1..300) rotated by a Householder reflection: the large path of zci_sym_eigvals */
    int n = 300;
    double *v = malloc((size_t)n * sizeof *v), *a = malloc((size_t)n * n * sizeof *a), *w = malloc((size_t)n * sizeof *w);
    double vv = 0.0;
    for (int i = 0; i < n; i++) { v[i] = zc_rng_normal(&rng); vv += v[i] * v[i]; }
    for (int i = 0; i < n; i++)   /* H D H, H = I - 2 v v^T / v^T v */
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < n; k++) {
                double hik = (i == k) - 2.0 * v[i] * v[k] / vv, hkj = (k == j) - 2.0 * v[k] * v[j] / vv;
                s += hik * (k + 1) * hkj;
            }
            a[i * n + j] = s;
        }
    CHECK(zci_sym_eigvals(a, n, w) == ZC_OK);
    double worst = 0.0;
    for (int i = 0; i < n; i++) worst = fmax(worst, fabs(w[i] - (i + 1)));
    CHECK_MSG(worst < 1e-9, "QL on diag(1..300): worst error %g", worst);
    free(v); free(a); free(w);
}

/* TransNAS-Bench-101 marks AZ-NAS' stages: the encoder's stem and each of its cells or blocks, at the
 * shapes the encoder gives them. */
static void test_tnb101_stages(void)
{
    static const struct { int macro; const char *arch; int stages; int last_c; } cases[] = {
        {0, "64-41414-3_11_212", 11, 512}, {1, "64-2314-basic", 9, 256}, {1, "64-411111-basic", 13, 128}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zc_tnb_arch a;
        CHECK(zc_tnb_parse(cases[i].macro, cases[i].arch, &a) == ZC_OK);
        zc_build_opts o = {0, 1, 1, 0};
        zc_net *net = zc_tnb_build(&a, ZC_TNB_CLASS_SCENE, 64, &o);
        CHECK_MSG(net != NULL, "build %s", cases[i].arch);
        if (!net) continue;
        const int *feat;
        int nf = zc_net_features(net, &feat);
        CHECK_MSG(nf == cases[i].stages, "%s: %d stages (want %d)", cases[i].arch, nf, cases[i].stages);
        zc_node_info first, last;
        zc_net_node_info(net, feat[0], &first);
        zc_net_node_info(net, feat[nf - 1], &last);
        CHECK_MSG(first.c == 64 && first.h == 16, "%s: stem stage %dx%d", cases[i].arch, first.c, first.h);
        CHECK_MSG(last.c == cases[i].last_c, "%s: last stage %d channels", cases[i].arch, last.c);
        zc_net_free(net);
    }
}

/* Python's random.Random(n).sample(range(n), k), VKDNW's MobileNet choice of 128 tensors: the first 8
 * draws and sum_i i * s[i], printed by CPython 3.11.2 (both of sample's algorithms: the pool for
 * n <= 1045, the set above). */
static void test_pyrandom(void)
{
    static const struct { int n, k, first[8]; long weighted; } cases[] = {
        {300, 128, {182, 176, 0, 251, 177, 270, 216, 292}, 1081359},
        {129, 128, {69, 11, 113, 116, 126, 88, 122, 51}, 502471},
        {2000, 128, {918, 101, 1939, 1573, 971, 1940, 1709, 1619}, 8058660},
        {128, 128, {60, 51, 65, 46, 17, 61, 3, 19}, 536266},
        {10, 3, {9, 0, 6}, 12},
        {7, 7, {2, 1, 3, 0, 4, 6, 5}, 83},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int n = cases[c].n, k = cases[c].k, *out = malloc((size_t)k * sizeof *out), *tmp = malloc((size_t)n * sizeof *tmp);
        zci_pyrandom r;
        zci_pyrandom_seed(&r, (uint64_t)n);
        CHECK(zci_pyrandom_sample(&r, n, k, out, tmp) == 0);
        long w = 0;
        int first = 1;
        for (int i = 0; i < k; i++) w += (long)i * out[i];
        for (int i = 0; i < k && i < 8; i++) first &= out[i] == cases[c].first[i];
        CHECK_MSG(first && w == cases[c].weighted, "random.Random(%d).sample(range(%d), %d)", n, n, k);
        free(out);
        free(tmp);
    }
    zci_pyrandom r;
    int out[4], tmp[4];
    zci_pyrandom_seed(&r, 5);
    CHECK(zci_pyrandom_sample(&r, 3, 4, out, tmp) == -1);   /* Python's ValueError */
    zci_pyrandom_seed(&r, 0);   /* randrange(1000) x 5 */
    static const unsigned want0[5] = {864, 394, 776, 911, 430};
    for (int i = 0; i < 5; i++) CHECK(zci_pyrandom_below(&r, 1000) == want0[i]);
}

int main(void)
{
    test_meco();
    test_az();
    test_aggregates();
    test_patterns();
    test_vkdnw();
    test_eigen_solvers();
    test_tnb101_stages();
    test_pyrandom();
    return check_report("test_proxies2");
}
