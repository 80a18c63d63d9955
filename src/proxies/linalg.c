/* Small dense linear algebra in double precision for the proxies (no LAPACK): the eigenvalues of a
 * symmetric matrix by cyclic Jacobi rotations and numpy's corrcoef of a set of rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "proxies/proxy_impl.h"

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Cyclic Jacobi (Golub & Van Loan, Alg. 8.5.3, with the numerically stable rotation of Rutishauser):
 * each sweep annihilates every off-diagonal element once; converges quadratically. Only the
 * eigenvalues are accumulated. The upper triangle is the reference (a is symmetrised first). */
zc_status zci_sym_eigvals(double *a, int n, double *w)
{
    if (n < 1) return zc_fail(ZC_EINVAL, "eigenvalues of an empty matrix");
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (!isfinite(a[(size_t)i * n + j])) return zc_fail(ZC_ENUM, "eigenvalues: the matrix has a non-finite entry");
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double s = 0.5 * (a[(size_t)i * n + j] + a[(size_t)j * n + i]);
            a[(size_t)i * n + j] = a[(size_t)j * n + i] = s;
        }
    double fro = 0.0;
    for (size_t k = 0; k < (size_t)n * n; k++) fro += a[k] * a[k];
    fro = sqrt(fro);
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0.0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) off += a[(size_t)i * n + j] * a[(size_t)i * n + j];
        if (sqrt(2.0 * off) <= 1e-15 * fro || off == 0.0) {
            for (int i = 0; i < n; i++) w[i] = a[(size_t)i * n + i];
            qsort(w, (size_t)n, sizeof *w, cmp_double);
            return ZC_OK;
        }
        for (int p = 0; p < n - 1; p++)
            for (int q = p + 1; q < n; q++) {
                double apq = a[(size_t)p * n + q];
                if (apq == 0.0) continue;
                double app = a[(size_t)p * n + p], aqq = a[(size_t)q * n + q];
                double theta = (aqq - app) / (2.0 * apq);
                double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
                double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
                /* A <- J^T A J with J the rotation in the (p, q) plane. */
                for (int k = 0; k < n; k++) {
                    double akp = a[(size_t)k * n + p], akq = a[(size_t)k * n + q];
                    a[(size_t)k * n + p] = c * akp - s * akq;
                    a[(size_t)k * n + q] = s * akp + c * akq;
                }
                for (int k = 0; k < n; k++) {
                    double apk = a[(size_t)p * n + k], aqk = a[(size_t)q * n + k];
                    a[(size_t)p * n + k] = c * apk - s * aqk;
                    a[(size_t)q * n + k] = s * apk + c * aqk;
                }
                a[(size_t)p * n + q] = a[(size_t)q * n + p] = 0.0;
            }
    }
    return zc_fail(ZC_ENUM, "eigenvalues: Jacobi iteration did not converge");
}

void zci_corrcoef_rows(const float *x, int n, size_t d, double *r)
{
    double *c = malloc((size_t)n * d * sizeof *c);
    if (!c) {
        for (size_t k = 0; k < (size_t)n * n; k++) r[k] = NAN;
        return;
    }
    for (int i = 0; i < n; i++) {
        const float *xi = x + (size_t)i * d;
        double m = 0.0;
        for (size_t k = 0; k < d; k++) m += xi[k];
        m /= (double)d;
        for (size_t k = 0; k < d; k++) c[(size_t)i * d + k] = xi[k] - m;
    }
    for (int i = 0; i < n; i++)
        for (int j = i; j < n; j++) {
            const double *ci = c + (size_t)i * d, *cj = c + (size_t)j * d;
            double s = 0.0;
            for (size_t k = 0; k < d; k++) s += ci[k] * cj[k];
            r[(size_t)i * n + j] = r[(size_t)j * n + i] = s / (double)(d > 1 ? d - 1 : 1);
        }
    double *sd = malloc((size_t)n * sizeof *sd);
    if (!sd) {
        free(c);
        for (size_t k = 0; k < (size_t)n * n; k++) r[k] = NAN;
        return;
    }
    for (int i = 0; i < n; i++) sd[i] = sqrt(r[(size_t)i * n + i]);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double v = r[(size_t)i * n + j] / sd[i] / sd[j];   /* 0/0 -> NaN for a constant row */
            r[(size_t)i * n + j] = v > 1.0 ? 1.0 : v < -1.0 ? -1.0 : v;   /* NaN stays NaN */
        }
    free(sd);
    free(c);
}
