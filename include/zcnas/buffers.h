/* Pooled, 64-byte aligned float buffers for activations and gradients (per-thread free lists,
 * exact-size reuse). A buffer may be returned from any thread. */
#ifndef ZCNAS_BUFFERS_H
#define ZCNAS_BUFFERS_H
#include <stddef.h>

float *zc_buf_get(size_t floats, int zeroed);
void zc_buf_put(float *data);
/* Frees the calling thread's cached blocks. */
void zc_buf_trim(void);

#endif
