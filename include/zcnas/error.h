/* Error reporting: every fallible library call returns a zc_status and leaves a one-line,
 * human-readable message in a thread-local buffer (zc_last_error). */
#ifndef ZCNAS_ERROR_H
#define ZCNAS_ERROR_H

typedef enum zc_status {
    ZC_OK = 0,
    ZC_EINVAL = 1,   /* bad argument or malformed input from the user (usage error) */
    ZC_EIO = 2,      /* a file could not be opened, read or written */
    ZC_EDATA = 3,    /* a file was read but its contents are wrong (short, corrupt) */
    ZC_ENOMEM = 4,   /* allocation failed or a size is absurd */
    ZC_ENUM = 5,     /* a numeric failure where a number is required (NaN/inf) */
    ZC_EUNSUPPORTED = 6,
    ZC_EBACKEND = 7     /* a compute backend failed */
} zc_status;

/* Formats the message (printf-style) and returns `code`, so callers can `return zc_fail(...)`. */
zc_status zc_fail(zc_status code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *zc_last_error(void);
void zc_clear_error(void);

#endif
