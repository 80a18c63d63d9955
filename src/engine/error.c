/* Thread-local last-error message: library calls stay reentrant across worker threads. */
#include <stdarg.h>
#include <stdio.h>
#include "zcnas/error.h"

static _Thread_local char last_error[512];

zc_status zc_fail(zc_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return code;
}

const char *zc_last_error(void) { return last_error[0] ? last_error : "unknown error"; }

void zc_clear_error(void) { last_error[0] = '\0'; }
