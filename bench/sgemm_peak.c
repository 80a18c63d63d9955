/* Measures this machine's float32 matrix-multiply rate (oneDNN's sgemm, 2048^3, one thread per
 * process: OMP_NUM_THREADS decides), the reference the benchmark compares achieved GFLOP/s with. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <oneapi/dnnl/dnnl.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2048, reps = 5;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
    if (!a || !b || !c) return 1;
    for (long i = 0; i < (long)n * n; i++) { a[i] = (float)(i % 7) * 0.1f; b[i] = (float)(i % 5) * 0.2f; c[i] = 0; }
    dnnl_sgemm('N', 'N', n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);   /* warm-up */
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t = now();
        dnnl_sgemm('N', 'N', n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        t = now() - t;
        if (t < best) best = t;
    }
    printf("%.1f\n", 2.0 * n * n * (double)n / best / 1e9);
    free(a); free(b); free(c);
    return 0;
}
