/* Where third-party data is found. Nothing is compiled in and nothing is searched for: a command's
 * explicit path (--data, --bench) wins, else the data root $ZCNAS_DATA, laid out as cifar10/,
 * cifar100/, imagenet16/, benchmarks/ and text/. A miss names what was looked for, where, and where
 * the owners publish the files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "zcnas/data.h"

/* The benchmark tables zcnas reads, and how to obtain each. */
typedef struct bench_file {
    const char *file, *what;
} bench_file;

static const bench_file BENCH_FILES[] = {
    {"nb201_accuracy.csv",
     "the NAS-Bench-201 / NATS-Bench-TSS table (columns index, arch, cifar10_test, ...), exported from the "
     "official NATS-Bench API (nats_bench, file NATS-tss-v1_0-3ffb9-simple) by the few lines of Python in the "
     "README, section 'Data'"},
};

const char *zc_data_root(void)
{
    const char *env = getenv(ZC_DATA_ENV);
    return env && *env ? env : NULL;
}

static const char *bench_what(const char *file)
{
    for (size_t i = 0; i < sizeof BENCH_FILES / sizeof BENCH_FILES[0]; i++)
        if (!strcmp(BENCH_FILES[i].file, file)) return BENCH_FILES[i].what;
    return "a benchmark table in the CSV columns the README documents (section 'Data')";
}

static int too_long(int n, size_t size) { return n < 0 || (size_t)n >= size; }

zc_status zc_data_dataset_path(zc_dataset_kind kind, const char *explicit_path, char *buf, size_t size)
{
    const char *name = zc_dataset_name(kind);
    int n;
    if (explicit_path && *explicit_path) {
        n = snprintf(buf, size, "%s", explicit_path);
    } else {
        const char *root = zc_data_root();
        if (!root)
            return zc_fail(ZC_EIO, "%s: no data: give --data DIR or set %s to a data directory holding %s/; "
                           "official files: %s", name, ZC_DATA_ENV, name, zc_dataset_source(kind));
        n = snprintf(buf, size, "%s/%s", root, name);
    }
    if (too_long(n, size)) return zc_fail(ZC_EINVAL, "%s: data path too long", name);
    return ZC_OK;
}

zc_status zc_data_bench_path(const char *file, const char *explicit_path, char *buf, size_t size)
{
    struct stat st;
    int n;
    if (explicit_path && *explicit_path) {
        n = snprintf(buf, size, "%s", explicit_path);
        if (too_long(n, size)) return zc_fail(ZC_EINVAL, "--bench: path too long");
        if (stat(buf, &st) != 0)
            return zc_fail(ZC_EIO, "--bench %s: %s; expected %s", buf, strerror(errno), bench_what(file));
        return ZC_OK;
    }
    const char *root = zc_data_root();
    if (!root)
        return zc_fail(ZC_EIO, "%s: no benchmark table: give --bench FILE or set %s to a data directory holding "
                       "benchmarks/%s; it is %s", file, ZC_DATA_ENV, file, bench_what(file));
    n = snprintf(buf, size, "%s/benchmarks/%s", root, file);
    if (too_long(n, size)) return zc_fail(ZC_EINVAL, "benchmark table %s: path too long", file);
    if (stat(buf, &st) != 0)
        return zc_fail(ZC_EIO, "%s: %s (%s=%s); it is %s", buf, strerror(errno), ZC_DATA_ENV, root,
                       bench_what(file));
    return ZC_OK;
}
