/* Small, cache-blocked matrix products for the reference backend. The inner loops are plain
 * axpy / dot forms that the compiler vectorises; every product is rounded before it is added. */
#include "ref.h"

#define TILE_N 256

void zci_ref_gemm_nn(int m, int n, int k, const float *a, int lda, const float *b, int ldb,
                    float *c, int ldc)
{
    for (int j0 = 0; j0 < n; j0 += TILE_N) {
        int jn = n - j0 < TILE_N ? n - j0 : TILE_N;
        for (int i = 0; i < m; i++) {
            float *ci = c + (size_t)i * ldc + j0;
            const float *ai = a + (size_t)i * lda;
            for (int p = 0; p < k; p++) {
                float av = ai[p];
                const float *bp = b + (size_t)p * ldb + j0;
                for (int j = 0; j < jn; j++) {
                    float prod = av * bp[j];
                    ci[j] += prod;
                }
            }
        }
    }
}

/* Dot product with eight independent partial sums (vectorisable without reassociation flags). */
static float dot(const float *x, const float *y, int n)
{
    float acc[8] = {0};
    int j = 0;
    for (; j + 8 <= n; j += 8)
        for (int l = 0; l < 8; l++) acc[l] += x[j + l] * y[j + l];
    float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; j < n; j++) s += x[j] * y[j];
    return s;
}

void zci_ref_gemm_nt(int m, int n, int k, const float *a, int lda, const float *b, int ldb,
                    float *c, int ldc)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
            c[(size_t)i * ldc + j] += dot(a + (size_t)i * lda, b + (size_t)j * ldb, k);
}

void zci_ref_gemm_tn(int m, int n, int k, const float *a, int lda, const float *b, int ldb,
                    float *c, int ldc)
{
    for (int j0 = 0; j0 < n; j0 += TILE_N) {
        int jn = n - j0 < TILE_N ? n - j0 : TILE_N;
        for (int i = 0; i < m; i++) {
            float *ci = c + (size_t)i * ldc + j0;
            for (int p = 0; p < k; p++) {
                float av = a[(size_t)p * lda + i];
                const float *bp = b + (size_t)p * ldb + j0;
                for (int j = 0; j < jn; j++) {
                    float prod = av * bp[j];
                    ci[j] += prod;
                }
            }
        }
    }
}
