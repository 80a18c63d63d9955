/* Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c) and their replay driver (replay_main.c): a
 * scratch folder made once per process (in /dev/shm when it exists, else /tmp; removed at exit), input
 * files written into it, and property checks that print what was violated and abort(), so that
 * libFuzzer reports the input as a crash. Everything is static inline: each harness is one program. */
#ifndef ZC_FUZZ_COMMON_H
#define ZC_FUZZ_COMMON_H
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "zcnas/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char zcf_dir_[256];

static inline void zcf_rm_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0) return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char sub[1024];
            int n = snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            if (n > 0 && (size_t)n < sizeof sub) zcf_rm_tree(sub);
        }
        if (d) closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static inline void zcf_cleanup(void)
{
    if (zcf_dir_[0]) zcf_rm_tree(zcf_dir_);
    zcf_dir_[0] = '\0';
}

__attribute__((noreturn, format(printf, 3, 4))) static inline void zcf_violated(const char *file, int line,
                                                                               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "\n%s:%d: property violated: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(stderr);
    abort();
}

/* A property of the code under test: reported as a crash when it does not hold. */
#define ZCF_CHECK(cond, ...)                                                                                       \
    do {                                                                                                           \
        if (!(cond)) zcf_violated(__FILE__, __LINE__, __VA_ARGS__);                                                \
    } while (0)

/* The harness's own set-up failed (not a finding in the code under test, but it must not pass silently). */
#define ZCF_SETUP(cond, what)                                                                                      \
    do {                                                                                                           \
        if (!(cond)) zcf_violated(__FILE__, __LINE__, "harness set-up failed: %s: %s", what, zc_last_error());   \
    } while (0)

/* The scratch folder, made on first use and removed when the process exits. */
static inline const char *zcf_dir(void)
{
    if (!zcf_dir_[0]) {
        struct stat sb;
        const char *base = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0
                               ? "/dev/shm" : "/tmp";
        snprintf(zcf_dir_, sizeof zcf_dir_, "%s/zcnas-fuzz-XXXXXX", base);
        if (!mkdtemp(zcf_dir_)) {
            perror(zcf_dir_);
            abort();
        }
        atexit(zcf_cleanup);
    }
    return zcf_dir_;
}

/* <scratch>/<name> into buf (a name may hold sub-folders made with zcf_mkdir). */
static inline const char *zcf_path(char *buf, size_t cap, const char *name)
{
    int n = snprintf(buf, cap, "%s/%s", zcf_dir(), name);
    if (n < 0 || (size_t)n >= cap) abort();
    return buf;
}

static inline void zcf_mkdir(const char *path)
{
    if (mkdir(path, 0777) != 0) {
        struct stat sb;
        if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            perror(path);
            abort();
        }
    }
}

/* Writes n bytes to path (replacing it). */
static inline void zcf_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

/* The whole of path (NUL-terminated, malloc'd), or NULL when it cannot be read. */
static inline char *zcf_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

/* The input as a NUL-terminated string (it ends at its first NUL byte, as a C string would). */
static inline char *zcf_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) abort();
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* 1 when the last library call left a message: zc_last_error() says "unknown error" for none (call
 * zc_clear_error() before the call under test). */
static inline int zcf_has_message(void)
{
    const char *m = zc_last_error();
    return m[0] && strcmp(m, "unknown error") != 0;
}

/* A failed call must say why. */
#define ZCF_CHECK_FAILED_WITH_MESSAGE(st, what)                                                                     \
    ZCF_CHECK((st) == ZC_OK || zcf_has_message(), "%s failed (status %d) without an error message", what, (int)(st))

/* FNV-1a of the input: a seed derived from it, so that replaying an input repeats the run. */
static inline uint64_t zcf_hash(const uint8_t *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 0x100000001b3ull;
    return h;
}

#endif
