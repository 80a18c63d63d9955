/* Pooled, 64-byte aligned float buffers for activations and gradients (per-thread free lists,
 * exact-size reuse). A buffer may be returned from any thread. */
#ifndef ZC_ENGINE_BUFFERS_H
#define ZC_ENGINE_BUFFERS_H
#include <stddef.h>

float *zci_buf_get(size_t floats, int zeroed);
void zci_buf_put(float *data);
/* Frees the calling thread's cached blocks. */
void zci_buf_trim(void);

#endif
