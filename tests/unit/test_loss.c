/* The task losses (zc_batch_loss): each kind's gradient against central differences of its value in
 * double, values against direct formulas (the benchmark's soft-target CE with its + 1e-5, MSE and L1
 * means over every element, per-pixel CE as the mean over pixels of the per-pixel CE), and the
 * errors: missing targets, wrong target size, labels out of range. */
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
