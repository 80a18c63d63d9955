/* Minimal test harness: CHECK records a failure and goes on; main returns check_report(). */
#ifndef ZC_TEST_CHECK_H
#define ZC_TEST_CHECK_H
#include <math.h>
#include <stdio.h>

static int check_failures_ = 0, check_count_ = 0;

#define CHECK(cond) do { check_count_++; if (!(cond)) { check_failures_++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_MSG(cond, ...) do { check_count_++; if (!(cond)) { check_failures_++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
#define CHECK_NEAR(a, b, tol) do { double a_ = (a), b_ = (b); check_count_++; \
    if (!(fabs(a_ - b_) <= (tol))) { check_failures_++; \
    fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.9g vs %s = %.9g (tol %g)\n", \
            __FILE__, __LINE__, #a, a_, #b, b_, (double)(tol)); } } while (0)

static inline int check_report(const char *name) {
    printf("%s: %d checks, %d failed\n", name, check_count_, check_failures_);
    return check_failures_ ? 1 : 0;
}
#endif
