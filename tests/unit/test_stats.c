/* Hand-checked rank statistics. `test_stats --eval FILE` instead prints
 * "spearman kendall pearson" (%.17g) for the "x y" lines of FILE, for tests/oracle/oracle_stats.py. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "zcnas/stats.h"

static int eval_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) { fprintf(stderr, "test_stats: cannot open '%s'\n", path); return 2; }
    size_t n = 0, cap = 0;
    double *x = NULL, *y = NULL, a, b;
    int rc = 0;
    while (fscanf(f, "%lf %lf", &a, &b) == 2) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            double *nx = realloc(x, cap * sizeof *x), *ny = nx ? realloc(y, cap * sizeof *y) : NULL;
            if (nx) x = nx;
            if (!nx || !ny) { fprintf(stderr, "test_stats: out of memory\n"); rc = 2; goto done; }
            y = ny;
        }
        x[n] = a;
        y[n] = b;
        n++;
    }
    if (!feof(f)) { fprintf(stderr, "test_stats: '%s': malformed line %zu\n", path, n + 1); rc = 2; goto done; }
    printf("%.17g %.17g %.17g\n", zc_spearman(x, y, n), zc_kendall_tau_b(x, y, n), zc_pearson(x, y, n));
done:
    free(x);
    free(y);
    fclose(f);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--eval") == 0) return eval_file(argv[2]);

    /* Values from scipy 1.10 spearmanr / kendalltau / pearsonr. */
    const double x1[] = {1, 2, 3, 4, 5}, y1[] = {5, 6, 7, 8, 7};
    CHECK_NEAR(zc_spearman(x1, y1, 5), 0.8207826816681233, 1e-15);
    CHECK_NEAR(zc_kendall_tau_b(x1, y1, 5), 0.7378647873726218, 1e-15);
    CHECK_NEAR(zc_pearson(x1, y1, 5), 0.8320502943378436, 1e-15);

    /* Ties in x, in y and joint ties (1,1),(2,1)... */
    const double x2[] = {1, 1, 2, 2, 3, 3}, y2[] = {1, 2, 1, 2, 1, 3};
    CHECK_NEAR(zc_spearman(x2, y2, 6), 0.19364916731037088, 1e-15);
    CHECK_NEAR(zc_kendall_tau_b(x2, y2, 6), 0.17407765595569785, 1e-15);
    CHECK_NEAR(zc_pearson(x2, y2, 6), 0.27386127875258304, 1e-15);

    const double v[] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
    const double want[] = {4.5, 1.5, 6, 1.5, 7.5, 10, 3, 9, 7.5, 4.5};
    double r[10];
    zc_rank_average(v, 10, r);
    for (int i = 0; i < 10; i++) CHECK_NEAR(r[i], want[i], 0);

    /* Perfect (anti-)correlation, n = 2 */
    const double a[] = {0.5, 2.0}, b[] = {3.0, -1.0};
    CHECK_NEAR(zc_spearman(a, b, 2), -1.0, 1e-15);
    CHECK_NEAR(zc_kendall_tau_b(a, b, 2), -1.0, 0);
    CHECK_NEAR(zc_pearson(a, a, 2), 1.0, 1e-15);

    /* NaN for n < 2, a constant input, or NaN in the input. */
    const double c[] = {0.1, 0.1, 0.1}, d[] = {1, 2, 3}, e[] = {1, NAN, 3};
    CHECK(isnan(zc_spearman(d, d, 1)));
    CHECK(isnan(zc_kendall_tau_b(d, d, 0)));
    CHECK(isnan(zc_pearson(d, d, 1)));
    CHECK(isnan(zc_spearman(c, d, 3)));
    CHECK(isnan(zc_kendall_tau_b(d, c, 3)));
    CHECK(isnan(zc_pearson(c, d, 3)));
    CHECK(isnan(zc_spearman(e, d, 3)));
    CHECK(isnan(zc_kendall_tau_b(d, e, 3)));
    CHECK(isnan(zc_pearson(e, d, 3)));

    /* Larger input against the O(n^2) tau-b definition. */
    enum { N = 300 };
    double p[N], q[N];
    unsigned s = 12345;
    for (int i = 0; i < N; i++) {
        s = s * 1103515245u + 12345u;
        p[i] = (double)((s >> 16) % 17);
        s = s * 1103515245u + 12345u;
        q[i] = (double)((s >> 16) % 23) + 0.1 * p[i];
    }
    long long con = 0, dis = 0, tx = 0, ty = 0;
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) {
            double sx = p[i] - p[j], sy = q[i] - q[j];
            if (sx == 0 && sy == 0) continue;
            if (sx == 0) tx++;
            else if (sy == 0) ty++;
            else if ((sx > 0) == (sy > 0)) con++;
            else dis++;
        }
    double tau = (double)(con - dis) / sqrt((double)(con + dis + tx) * (double)(con + dis + ty));
    CHECK_NEAR(zc_kendall_tau_b(p, q, N), tau, 1e-12);

    return check_report("test_stats");
}
