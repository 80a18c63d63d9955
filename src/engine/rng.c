/* xoshiro256** (Blackman & Vigna) seeded through splitmix64 from (seed, stream). */
#include <math.h>
#include "zcnas/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void zc_rng_seed(zc_rng *r, uint64_t seed, uint64_t stream)
{
    /* Mix the stream id through its own splitmix step so nearby (seed, stream) pairs diverge. */
    uint64_t x = seed;
    uint64_t y = stream ^ 0xD1B54A32D192ED03ull;
    uint64_t mix = splitmix64(&x) ^ splitmix64(&y);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&mix);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t zc_rng_u64(zc_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

float zc_rng_float(zc_rng *r) { return (float)(zc_rng_u64(r) >> 40) * 0x1.0p-24f; }

double zc_rng_double(zc_rng *r) { return (double)(zc_rng_u64(r) >> 11) * 0x1.0p-53; }

uint64_t zc_rng_below(zc_rng *r, uint64_t n)
{
    if (n <= 1) return 0;
    /* Rejection sampling removes the modulo bias. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do v = zc_rng_u64(r); while (v >= limit);
    return v % n;
}

double zc_rng_normal(zc_rng *r)
{
    double u1;
    do u1 = zc_rng_double(r); while (u1 <= 0.0);
    double u2 = zc_rng_double(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
