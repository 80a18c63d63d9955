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

/* Householder reduction to tridiagonal form (eigenvalues only: the transforms are not kept), then the
 * implicit QL iteration with Wilkinson shifts (tred2 / tqli as in Numerical Recipes, 0-based): O(n^3)
 * with a small constant, for the matrices where Jacobi's sweeps are too slow (hundreds of channels). a is
 * symmetric (full storage) and destroyed; w gets the eigenvalues in ascending order. */
zc_status zci_sym_eigvals_ql(double *a, int n, double *w)
{
    double *e = calloc((size_t)n, sizeof *e), *d = w;
    if (!e) return zc_fail(ZC_ENOMEM, "eigenvalues: out of memory");
#define A(i, j) a[(size_t)(i) * n + (j)]
    for (int i = n - 1; i > 0; i--) {
        int l = i - 1;
        double h = 0.0, scale = 0.0;
        if (l > 0) {
            for (int k = 0; k <= l; k++) scale += fabs(A(i, k));
            if (scale == 0.0) {
                e[i] = A(i, l);
            } else {
                for (int k = 0; k <= l; k++) { A(i, k) /= scale; h += A(i, k) * A(i, k); }
                double f = A(i, l), g = f >= 0.0 ? -sqrt(h) : sqrt(h);
                e[i] = scale * g;
                h -= f * g;
                A(i, l) = f - g;
                f = 0.0;
                for (int j = 0; j <= l; j++) {
                    g = 0.0;
                    for (int k = 0; k <= j; k++) g += A(j, k) * A(i, k);
                    for (int k = j + 1; k <= l; k++) g += A(k, j) * A(i, k);
                    e[j] = g / h;
                    f += e[j] * A(i, j);
                }
                double hh = f / (h + h);
                for (int j = 0; j <= l; j++) {
                    f = A(i, j);
                    e[j] = g = e[j] - hh * f;
                    for (int k = 0; k <= j; k++) A(j, k) -= f * e[k] + g * A(i, k);
                }
            }
        } else {
            e[i] = A(i, l);
        }
    }
    for (int i = 0; i < n; i++) d[i] = A(i, i);
#undef A
    for (int i = 1; i < n; i++) e[i - 1] = e[i];
    e[n - 1] = 0.0;
    double norm = 0.0;   /* an off-diagonal negligible next to the whole matrix splits it too (zero eigenvalues) */
    for (int i = 0; i < n; i++) norm = fmax(norm, fabs(d[i]) + fabs(e[i]));
    for (int l = 0; l < n; l++) {
        int iter = 0, m;
        do {
            for (m = l; m < n - 1; m++) {
                double dd = fabs(d[m]) + fabs(d[m + 1]);
                if (fabs(e[m]) <= 1e-16 * dd || fabs(e[m]) <= 1e-18 * norm) break;
            }
            if (m != l) {
                if (iter++ == 60) { free(e); return zc_fail(ZC_ENUM, "eigenvalues: the QL iteration does not converge"); }
                double g = (d[l + 1] - d[l]) / (2.0 * e[l]), r = hypot(g, 1.0);
                g = d[m] - d[l] + e[l] / (g + copysign(r, g));
                double s = 1.0, c = 1.0, p = 0.0;
                int i;
                for (i = m - 1; i >= l; i--) {
                    double f = s * e[i], b = c * e[i];
                    e[i + 1] = r = hypot(f, g);
                    if (r == 0.0) { d[i + 1] -= p; e[m] = 0.0; break; }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2.0 * c * b;
                    d[i + 1] = g + (p = s * r);
                    g = c * r - b;
                }
                if (r == 0.0 && i >= l) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0.0;
            }
        } while (m != l);
    }
    free(e);
    qsort(w, (size_t)n, sizeof *w, cmp_double);
    return ZC_OK;
}

/* Cyclic Jacobi (Golub & Van Loan, Alg. 8.5.3, with the numerically stable rotation of Rutishauser):
 * each sweep annihilates every off-diagonal element once; converges quadratically. Only the
 * eigenvalues are accumulated. The upper triangle is the reference (a is symmetrised first). Matrices
 * larger than 128 (hundreds of channels) go to zci_sym_eigvals_ql: the results of the NB201-sized
 * proxies (at most 64 channels, 64 samples, VKDNW's 128 weights) stay Jacobi's. */
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
    if (n > 128) return zci_sym_eigvals_ql(a, n, w);
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
