/* Double-precision reductions of float arrays in a fixed order of eight interleaved partial sums. */
#include "simd.h"

ZC_VECTORIZE double zc_sum_f64(const float *x, size_t n)
{
    double acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) acc[l] += (double)x[i + l];
    double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < n; i++) s += (double)x[i];
    return s;
}

ZC_VECTORIZE double zc_sum_sq_dev_f64(const float *x, size_t n, double mean)
{
    double acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) { double d = (double)x[i + l] - mean; acc[l] += d * d; }
    double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < n; i++) { double d = (double)x[i] - mean; s += d * d; }
    return s;
}

ZC_VECTORIZE double zc_dot_f64(const float *a, const float *b, size_t n)
{
    double acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) acc[l] += (double)a[i + l] * (double)b[i + l];
    double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < n; i++) s += (double)a[i] * (double)b[i];
    return s;
}
