/* Python's random.Random for an integer seed: MT19937 seeded as CPython's random_seed does
 * (init_by_array over the seed's 32-bit words), getrandbits, _randbelow and sample. Official codes
 * pick things with it (VKDNW's MobileNet proxy: random.Random(#tensors).sample(tensors, 128)), so the
 * choice is reproduced exactly instead of approximated by our own generator. */
#include <math.h>
#include <string.h>
#include "util/util.h"

#define N 624
#define M 397

static uint32_t genrand(zci_pyrandom *r)
{
    static const uint32_t mag01[2] = {0x0u, 0x9908b0dfu};
    uint32_t y;
    if (r->i >= N) {
        int k;
        for (k = 0; k < N - M; k++) {
            y = (r->mt[k] & 0x80000000u) | (r->mt[k + 1] & 0x7fffffffu);
            r->mt[k] = r->mt[k + M] ^ (y >> 1) ^ mag01[y & 1u];
        }
        for (; k < N - 1; k++) {
            y = (r->mt[k] & 0x80000000u) | (r->mt[k + 1] & 0x7fffffffu);
            r->mt[k] = r->mt[k + (M - N)] ^ (y >> 1) ^ mag01[y & 1u];
        }
        y = (r->mt[N - 1] & 0x80000000u) | (r->mt[0] & 0x7fffffffu);
        r->mt[N - 1] = r->mt[M - 1] ^ (y >> 1) ^ mag01[y & 1u];
        r->i = 0;
    }
    y = r->mt[r->i++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

void zci_pyrandom_seed(zci_pyrandom *r, uint64_t seed)
{
    /* the key: the seed's 32-bit words, least significant first (at least one word) */
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    int klen = key[1] ? 2 : 1;
    r->mt[0] = 19650218u;
    for (int i = 1; i < N; i++) r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    int i = 1, j = 0;
    for (int k = N > klen ? N : klen; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint32_t)j;
        i++, j++;
        if (i >= N) { r->mt[0] = r->mt[N - 1]; i = 1; }
        if (j >= klen) j = 0;
    }
    for (int k = N - 1; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
        i++;
        if (i >= N) { r->mt[0] = r->mt[N - 1]; i = 1; }
    }
    r->mt[0] = 0x80000000u;
    r->i = N;
}

/* random.getrandbits(k) for 1 <= k <= 32 */
static uint32_t getrandbits(zci_pyrandom *r, int k) { return genrand(r) >> (32 - k); }

uint32_t zci_pyrandom_below(zci_pyrandom *r, uint32_t n)
{
    int k = 0;   /* (n = 1 still draws, as Python's does) */
    for (uint32_t v = n; v; v >>= 1) k++;   /* n.bit_length() */
    uint32_t x = getrandbits(r, k);
    while (x >= n) x = getrandbits(r, k);
    return x;
}

int zci_pyrandom_sample(zci_pyrandom *r, int n, int k, int *out, int *scratch)
{
    if (k < 0 || k > n) return -1;   /* Python: ValueError("Sample larger than population...") */
    int setsize = 21;                /* the size of a small set minus an empty list, as CPython */
    if (k > 5) setsize += (int)pow(4.0, ceil(log(3.0 * k) / log(4.0)));
    if (n <= setsize) {              /* pool: a partial Fisher-Yates over a copy */
        for (int i = 0; i < n; i++) scratch[i] = i;
        for (int i = 0; i < k; i++) {
            int j = (int)zci_pyrandom_below(r, (uint32_t)(n - i));
            out[i] = scratch[j];
            scratch[j] = scratch[n - i - 1];
        }
    } else {                         /* set: redraw what was taken (scratch: n flags) */
        memset(scratch, 0, (size_t)n * sizeof *scratch);
        for (int i = 0; i < k; i++) {
            int j = (int)zci_pyrandom_below(r, (uint32_t)n);
            while (scratch[j]) j = (int)zci_pyrandom_below(r, (uint32_t)n);
            scratch[j] = 1;
            out[i] = j;
        }
    }
    return 0;
}
