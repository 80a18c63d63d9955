/* Deterministic, seedable random numbers (xoshiro256** seeded through splitmix64).
 * Independent streams are derived from (seed, stream id) so that results never depend on
 * the order or the thread in which architectures are processed. */
#ifndef ZCNAS_RNG_H
#define ZCNAS_RNG_H
#include <stdint.h>

typedef struct zc_rng { uint64_t s[4]; } zc_rng;

void zc_rng_seed(zc_rng *r, uint64_t seed, uint64_t stream);
uint64_t zc_rng_u64(zc_rng *r);
/* Uniform in [0, 1) with 24 random bits (float) or 53 bits (double). */
float zc_rng_float(zc_rng *r);
double zc_rng_double(zc_rng *r);
/* Uniform integer in [0, n). */
uint64_t zc_rng_below(zc_rng *r, uint64_t n);
/* Standard normal (Box-Muller, double precision). */
double zc_rng_normal(zc_rng *r);

#endif
