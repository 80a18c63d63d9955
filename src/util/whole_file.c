/* Files read and written whole. Written (reports, figures, weights, checkpoints): the content goes to
 * "<path>.tmp", which replaces `path` only once every byte is written, flushed and closed, so a crash,
 * a kill or a full disk never leaves half a file under the real name (rename is atomic within a
 * directory). Read: a stream's whole content into one NUL-terminated buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"
#include "zcnas/error.h"

static int tmp_name(const char *path, char *buf, size_t size)
{
    return snprintf(buf, size, "%s.tmp", path) < (int)size;
}

FILE *zci_whole_open(const char *path, const char *mode)
{
    char tmp[4200];
    if (!tmp_name(path, tmp, sizeof tmp)) {
        zc_fail(ZC_EINVAL, "path too long: '%.80s...'", path);
        return NULL;
    }
    FILE *f = fopen(tmp, mode);
    if (!f) zc_fail(ZC_EIO, "cannot create '%s': %s", path, strerror(errno));
    return f;
}

zc_status zci_whole_close(FILE *f, const char *path)
{
    char tmp[4200];
    tmp_name(path, tmp, sizeof tmp);
    errno = 0;
    int bad = fflush(f) != 0 || ferror(f);
    int err = errno;
    if (fclose(f) != 0 && !bad) bad = 1, err = errno;
    if (!bad && rename(tmp, path) != 0) bad = 1, err = errno;
    if (bad) {
        remove(tmp);
        return zc_fail(ZC_EIO, "error writing '%s': %s", path, err ? strerror(err) : "write failed");
    }
    return ZC_OK;
}

void zci_whole_abort(FILE *f, const char *path)
{
    char tmp[4200];
    if (f) fclose(f);
    if (tmp_name(path, tmp, sizeof tmp)) remove(tmp);
}

char *zci_read_stream(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
    }
    if (buf && ferror(f)) { free(buf); buf = NULL; errno = EIO; }
    else if (!buf) errno = ENOMEM;
    if (buf) buf[n] = '\0';
    *len = n;
    return buf;
}
