/* Small shared helpers (internal): JSON and CSV fields, a string-keyed table, MD5. */
#ifndef ZC_UTIL_H
#define ZC_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "zcnas/error.h"

/* A JSON string literal with the required escapes. */
void zci_json_string(FILE *f, const char *s);
/* A number printed with fmt ("%.17g", "%.0f", ...); NaN and infinities as null. */
void zci_json_number(FILE *f, double v, const char *fmt);

/* A CSV field, quoted (RFC 4180: "" for a quote) when it holds a comma, quote or line break. */
void zci_csv_field(FILE *f, const char *s);
/* Splits one CSV line in place into fields (quotes removed, "" unescaped; unquoted fields trimmed of
 * spaces and tabs); stores up to max, returns the number of fields, or -1 for an unterminated quote. */
int zci_csv_split(char *line, char **fields, int max);

/* The MD5 digest of n bytes as 32 lowercase hex digits. */
void zci_md5_hex(const void *data, size_t n, char hex[33]);

/* A set / map from strings to doubles (open addressing; keys are copied). */
typedef struct zci_strmap {
    char **key;
    double *val;
    size_t cap, n;
} zci_strmap;

/* Adds key (value v) when absent: 1 added, 0 already there, -1 out of memory. */
int zci_strmap_put(zci_strmap *m, const char *key, double v);
/* 1 and *v (may be NULL) when present, else 0. */
int zci_strmap_get(const zci_strmap *m, const char *key, double *v);
void zci_strmap_set(zci_strmap *m, const char *key, double v);   /* key must be present */
void zci_strmap_free(zci_strmap *m);

/* Files written whole (whole_file.c): written to "<path>.tmp" and renamed onto path by
 * zci_whole_close once complete (a failure removes the temporary file and fails naming path);
 * zci_whole_abort drops it. zci_whole_open fails (NULL, zc_last_error set) naming path. */
FILE *zci_whole_open(const char *path, const char *mode);
zc_status zci_whole_close(FILE *f, const char *path);
void zci_whole_abort(FILE *f, const char *path);
/* The rest of stream f, NUL-terminated (len: its bytes); NULL with errno ENOMEM or EIO. */
char *zci_read_stream(FILE *f, size_t *len);

/* Python's random.Random(seed) for an integer seed (pyrandom.c): the same draws as CPython. */
typedef struct zci_pyrandom {
    uint32_t mt[624];
    int i;
} zci_pyrandom;
void zci_pyrandom_seed(zci_pyrandom *r, uint64_t seed);
/* random._randbelow(n) (n >= 1). */
uint32_t zci_pyrandom_below(zci_pyrandom *r, uint32_t n);
/* random.sample(range(n), k) into out[k] (scratch: n ints); -1 when k > n (Python's ValueError). */
int zci_pyrandom_sample(zci_pyrandom *r, int n, int k, int *out, int *scratch);

#endif
