/* The task losses (zc_batch_loss): each kind's gradient against central differences of its value in
 * double, values against direct formulas (the benchmark's soft-target CE with its + 1e-5, MSE and L1
 * means over every element, per-pixel CE as the mean over pixels of the per-pixel CE, per-token CE
 * against hand values and a direct log-softmax per position), and the errors: missing targets, wrong
 * target size (a per-token y_dim that does not divide the output), labels out of range. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "zcnas/zcnas.h"

static zc_rng rng;

static void fd_check(const char *name, zc_batch *b, int n, int dim)
{
    float *z = malloc((size_t)n * dim * sizeof *z), *dz = malloc((size_t)n * dim * sizeof *dz);
    for (int i = 0; i < n * dim; i++) z[i] = (float)zc_rng_normal(&rng);
    double l;
    CHECK(zc_batch_loss(b, z, n, dim, &l, dz) == ZC_OK);
    double worst = 0;
    for (int i = 0; i < n * dim; i++) {
        float v = z[i];
        double lp, lm;
        /* L1 has a kink at z == t: keep the step inside one side */
        float h = 1e-2f;
        if (b->loss == ZC_LOSS_L1 && fabsf(z[i] - b->t[i]) < 2 * h) continue;
        z[i] = v + h; zc_batch_loss(b, z, n, dim, &lp, NULL);
        z[i] = v - h; zc_batch_loss(b, z, n, dim, &lm, NULL);
        z[i] = v;
        double fd = (lp - lm) / ((double)(v + h) - (double)(v - h));
        double e = fabs(fd - dz[i]) / fmax(1e-3, fabs(fd));
        if (e > worst) worst = e;
    }
    CHECK_MSG(worst < 2e-3, "%s: worst relative gradient error %.3g", name, worst);
    printf("%-28s worst relative |fd - analytic| %.2e, loss %.6f\n", name, worst, l);
    free(z);
    free(dz);
}

/* Next-token cross-entropy: outputs n x (L x C) (position l of sample b is the C logits at
 * b * L * C + l * C), labels n x L, mean over the n * L positions. */
static void token_ce_checks(void)
{
    enum { N = 2, L = 3, C = 4 };
    int y[N * L] = {3, 0, 2, 1, 1, 0};
    float z[N * L * C], dz[N * L * C];
    zc_batch tok = {.n = N, .loss = ZC_LOSS_TOKEN_CE, .y = y, .y_dim = L};
    double l;
    /* Hand values: all-zero logits give log C at every position; one position with logits
     * (0, 0, 0, log 3) and label 3 (p = 1/2) or 0 (p = 1/6), the other 5 positions uniform. */
    for (int i = 0; i < N * L * C; i++) z[i] = 0.0f;
    CHECK(zc_batch_loss(&tok, z, N, L * C, &l, dz) == ZC_OK);
    CHECK_NEAR(l, log(4.0), 1e-12);
    for (int b = 0; b < N; b++)   /* d/dz = (softmax - onehot) / (N L): 1/4 - [c == y], over 6 */
        for (int p = 0; p < L; p++)
            for (int c = 0; c < C; c++)
                CHECK_NEAR(dz[(b * L + p) * C + c], (0.25 - (c == y[b * L + p])) / 6.0, 1e-7);
    z[1 * L * C + 2 * C + 3] = (float)log(3.0);   /* sample 1, position 2 (label 0) */
    CHECK(zc_batch_loss(&tok, z, N, L * C, &l, NULL) == ZC_OK);
    CHECK_NEAR(l, (5 * log(4.0) + log(6.0)) / 6.0, 1e-7);
    y[5] = 3;
    CHECK(zc_batch_loss(&tok, z, N, L * C, &l, dz) == ZC_OK);
    CHECK_NEAR(l, (5 * log(4.0) + log(2.0)) / 6.0, 1e-7);
    CHECK_NEAR(dz[1 * L * C + 2 * C + 3], (0.5 - 1.0) / 6.0, 1e-7);
    CHECK_NEAR(dz[1 * L * C + 2 * C + 0], (1.0 / 6.0) / 6.0, 1e-7);
    y[5] = 0;
    /* Random logits against a direct log-softmax per position, in double. */
    for (int i = 0; i < N * L * C; i++) z[i] = 3.0f * (float)zc_rng_normal(&rng);
    CHECK(zc_batch_loss(&tok, z, N, L * C, &l, dz) == ZC_OK);
    double want = 0;
    for (int b = 0; b < N; b++)
        for (int p = 0; p < L; p++) {
            const float *zp = z + (b * L + p) * C;
            double s = 0;
            for (int c = 0; c < C; c++) s += exp((double)zp[c]);
            want += log(s) - zp[y[b * L + p]];
            for (int c = 0; c < C; c++)
                CHECK_NEAR(dz[(b * L + p) * C + c], (exp((double)zp[c]) / s - (c == y[b * L + p])) / (N * L), 1e-7);
        }
    CHECK_MSG(fabs(l - want / (N * L)) < 1e-9, "token CE %.12f, formula %.12f", l, want / (N * L));
    /* Its gradient against central differences. */
    fd_check("per-token CE (2 x 3 x 4)", &tok, N, L * C);
    int y2[3 * 5];
    for (int i = 0; i < 15; i++) y2[i] = (int)zc_rng_below(&rng, 7);
    zc_batch tok2 = {.n = 3, .loss = ZC_LOSS_TOKEN_CE, .y = y2, .y_dim = 5};
    fd_check("per-token CE (3 x 5 x 7)", &tok2, 3, 5 * 7);
    /* One position per sample is plain cross-entropy. */
    zc_batch one = {.n = N, .loss = ZC_LOSS_TOKEN_CE, .y = y, .y_dim = 1}, ce = {.n = N, .y = y};
    double a, c;
    CHECK(zc_batch_loss(&one, z, N, C, &a, NULL) == ZC_OK && zc_batch_loss(&ce, z, N, C, &c, NULL) == ZC_OK);
    CHECK_MSG(fabs(a - c) < 1e-12, "token CE of 1 position %.9f vs CE %.9f", a, c);
    /* Errors: y_dim that does not divide the output (5 or 8 for 12 values: labels 0 fit the 2 or 1
     * classes a rounded-down division would give), larger than it, 0 or negative, no labels, a label
     * out of range (C, -1), a batch of another size. */
    const int bad_dims[5] = {5, 8, 13, 0, -3};
    int y0[N * 13] = {0};
    for (int i = 0; i < 5; i++) {
        zc_batch bad = {.n = N, .loss = ZC_LOSS_TOKEN_CE, .y = y0, .y_dim = bad_dims[i]};
        zc_clear_error();
        CHECK_MSG(zc_batch_loss(&bad, z, N, L * C, &l, dz) == ZC_EINVAL, "y_dim %d", bad_dims[i]);
        CHECK_MSG(zc_last_error()[0] != '\0', "y_dim %d: no message", bad_dims[i]);
    }
    zc_batch nolab = {.n = N, .loss = ZC_LOSS_TOKEN_CE, .y_dim = L};
    CHECK(zc_batch_loss(&nolab, z, N, L * C, &l, NULL) == ZC_EINVAL);
    const int bad_labels[2] = {C, -1};
    for (int i = 0; i < 2; i++) {
        int yb[N * L] = {0, 1, 2, 3, 0, 1};
        yb[4] = bad_labels[i];
        zc_batch bad = {.n = N, .loss = ZC_LOSS_TOKEN_CE, .y = yb, .y_dim = L};
        CHECK_MSG(zc_batch_loss(&bad, z, N, L * C, &l, NULL) == ZC_EINVAL, "label %d", bad_labels[i]);
    }
    CHECK(zc_batch_loss(&tok, z, N + 1, L * C, &l, NULL) == ZC_EINVAL);
}

int main(void)
{
    zc_rng_seed(&rng, 7, 0);
    int n = 3, k = 5;
    float t[3 * 5 * 4];
    int y[3 * 4];
    for (int i = 0; i < 60; i++) t[i] = zc_rng_float(&rng);
    for (int b = 0; b < n; b++) {   /* soft targets sum to 1 per sample */
        float s = 0;
        for (int c = 0; c < k; c++) s += t[b * k + c];
        for (int c = 0; c < k; c++) t[b * k + c] /= s;
    }
    zc_batch soft = {.n = n, .loss = ZC_LOSS_SOFT_CE, .t = t, .t_dim = k};
    fd_check("soft-target CE", &soft, n, k);
    /* its value: -mean_b sum_c t log(softmax + 1e-5) */
    float z[15] = {0.1f, -2, 3, 0.5f, 1, 2, 2, 2, 2, 2, -1, 0, 1, 0, -1};
    double l, want = 0;
    CHECK(zc_batch_loss(&soft, z, n, k, &l, NULL) == ZC_OK);
    for (int b = 0; b < n; b++) {
        double m = -1e30, s = 0;
        for (int c = 0; c < k; c++) m = fmax(m, z[b * k + c]);
        for (int c = 0; c < k; c++) s += exp(z[b * k + c] - m);
        for (int c = 0; c < k; c++) want -= t[b * k + c] * log(exp(z[b * k + c] - m) / s + 1e-5);
    }
    CHECK_MSG(fabs(l - want / n) < 1e-6, "soft CE %.9f, formula %.9f", l, want / n);
    zc_batch mse = {.n = n, .loss = ZC_LOSS_MSE, .t = t, .t_dim = k};
    fd_check("MSE", &mse, n, k);
    zc_batch l1 = {.n = n, .loss = ZC_LOSS_L1, .t = t, .t_dim = k};
    fd_check("L1", &l1, n, k);
    CHECK(zc_batch_loss(&l1, t, n, k, &l, NULL) == ZC_OK && l == 0.0);
    for (int i = 0; i < 12; i++) y[i] = (int)zc_rng_below(&rng, 5);
    zc_batch pix = {.n = n, .loss = ZC_LOSS_PIXEL_CE, .y = y, .y_dim = 4};
    fd_check("per-pixel CE (5 classes, 2x2)", &pix, n, k * 4);
    /* per-pixel CE of one pixel per sample equals plain CE */
    zc_batch one = {.n = n, .loss = ZC_LOSS_PIXEL_CE, .y = y, .y_dim = 1}, ce = {.n = n, .y = y};
    double a, c;
    CHECK(zc_batch_loss(&one, z, n, k, &a, NULL) == ZC_OK && zc_batch_loss(&ce, z, n, k, &c, NULL) == ZC_OK);
    CHECK_MSG(fabs(a - c) < 1e-12, "pixel CE of 1 pixel %.9f vs CE %.9f", a, c);
    token_ce_checks();
    /* errors */
    zc_batch none = {.n = n, .loss = ZC_LOSS_MSE};
    CHECK(zc_batch_loss(&none, z, n, k, &l, NULL) == ZC_EINVAL);
    zc_batch short_t = {.n = n, .loss = ZC_LOSS_MSE, .t = t, .t_dim = 4};
    CHECK(zc_batch_loss(&short_t, z, n, k, &l, NULL) == ZC_EINVAL);
    int bad[3] = {0, 9, 1};
    zc_batch badpix = {.n = n, .loss = ZC_LOSS_PIXEL_CE, .y = bad, .y_dim = 1};
    CHECK(zc_batch_loss(&badpix, z, n, k, &l, NULL) == ZC_EINVAL);
    CHECK(zc_batch_loss(&soft, z, 2, k, &l, NULL) == ZC_EINVAL);   /* batch size mismatch */
    return check_report("test_loss");
}
