/* Hot loops are compiled twice, for AVX2 and for the baseline, and picked at load time (GCC
 * target_clones): the binary stays portable. No fused multiply-add is generated (the build uses
 * -ffp-contract=off), so results do not depend on which clone runs. */
#ifndef ZC_REF_SIMD_H
#define ZC_REF_SIMD_H
#include <stddef.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define ZC_VECTORIZE __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define ZC_VECTORIZE
#endif

/* Sums in double with eight interleaved partial sums (a fixed, vectorisable order). */
double zc_sum_f64(const float *x, size_t n);
double zc_sum_sq_dev_f64(const float *x, size_t n, double mean);
/* sum a[i] b[i] in double, the same fixed order of eight partial sums. */
double zc_dot_f64(const float *a, const float *b, size_t n);

#endif
