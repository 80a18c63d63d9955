/* Activation buffers come from a per-thread pool of freed blocks, matched by exact size: the
 * shapes of a search space repeat, so after the first architecture a worker stops asking the OS for
 * memory (fresh pages from mmap cost more than the ops that fill them). 64-byte aligned. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "engine/buffers.h"

#define POOL_CAP_BYTES ((size_t)3 << 30)   /* cached (free) bytes kept per thread at most (a language
                                              model's logits alone are 0.6 GB at batch 64) */
#define POOL_MIN_BYTES ((size_t)16384)     /* smaller blocks come from malloc directly: cheap, and they
                                              would only lengthen the free list */
#define ALIGN 64

typedef struct block {
    size_t bytes;            /* payload size */
    struct block *next;      /* free-list link while pooled */
    char pad[ALIGN - sizeof(size_t) - sizeof(void *)];
} block;

typedef struct pool {
    block *free_list;
    size_t cached;
} pool;

static pthread_key_t pool_key;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void pool_destroy(void *p)
{
    pool *pl = p;
    for (block *b = pl->free_list, *n; b; b = n) { n = b->next; free(b); }
    free(pl);
}

static void pool_key_init(void) { pthread_key_create(&pool_key, pool_destroy); }

static pool *thread_pool(void)
{
    pthread_once(&pool_once, pool_key_init);
    pool *p = pthread_getspecific(pool_key);
    if (!p && (p = calloc(1, sizeof *p))) pthread_setspecific(pool_key, p);
    return p;
}

float *zci_buf_get(size_t floats, int zeroed)
{
    size_t bytes = (floats ? floats : 1) * sizeof(float);
    pool *p = thread_pool();
    block *b = NULL;
    if (p && bytes >= POOL_MIN_BYTES)
        for (block **link = &p->free_list; *link; link = &(*link)->next)
            if ((*link)->bytes == bytes) {
                b = *link;
                *link = b->next;
                p->cached -= bytes;
                break;
            }
    if (!b) {
        if (bytes > SIZE_MAX - sizeof(block) - ALIGN) return NULL;
        void *mem = NULL;
        if (posix_memalign(&mem, ALIGN, sizeof(block) + bytes) != 0) return NULL;
        b = mem;
        b->bytes = bytes;
    }
    float *data = (float *)(b + 1);
    if (zeroed) memset(data, 0, bytes);
    return data;
}

void zci_buf_put(float *data)
{
    if (!data) return;
    block *b = (block *)data - 1;
    pool *p = thread_pool();
    if (!p || b->bytes < POOL_MIN_BYTES || p->cached + b->bytes > POOL_CAP_BYTES) { free(b); return; }
    b->next = p->free_list;
    p->free_list = b;
    p->cached += b->bytes;
}

void zci_buf_trim(void)
{
    pool *p = thread_pool();
    if (!p) return;
    for (block *b = p->free_list, *n; b; b = n) { n = b->next; free(b); }
    p->free_list = NULL;
    p->cached = 0;
}
