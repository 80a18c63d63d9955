/* Fuzzes benchmark index lists ("3,17,100-199", zc_arch_list_add_indices) and architecture files (one arch
 * string or index per line, # comments: zc_arch_list_add_file, --arch-file) on nats-sss (whose index is the
 * configuration itself) and nb201 (with a fake but complete benchmark table of 15,625 rows, written once
 * to the scratch folder); bit 0 of the first byte picks the space, bit 1 a list or a file, the rest is it.
 * Asserts: a failure leaves an error message (for a file, naming it); a list is accepted exactly when a
 * reference reading of the grammar (items N or A-B, 0 <= A <= B < size, separated by single commas)
 * accepts it, and gives exactly the indices it names, in order, each one's architecture having that index;
 * a file that reads lists at least one architecture, each with the index of its benchmark row. */
#include "fuzz_common.h"
#include "spaces/nb201/nb201.h"
#include "zcnas/run.h"
#include "zcnas/space.h"

static zc_space_ctx *spaces[2];

static void setup(void)
{
    unsetenv(ZC_DATA_ENV);
    ZCF_SETUP(zc_space_open(zc_space_find("nats-sss"), NULL, &spaces[0]) == ZC_OK, "nats-sss");
    /* nb201's table: index k holds the architecture of code (k * 7919) mod 15625 (a permutation, so that
     * indices and codes differ). */
    char path[512], arch[ZC_NB201_STR_MAX];
    zcf_path(path, sizeof path, "nb201_fake.csv");
    FILE *f = fopen(path, "w");
    ZCF_SETUP(f, path);
    fprintf(f, "index,arch,cifar10_test\n");
    for (int k = 0; k < ZC_NB201_SIZE; k++) {
        zc_nb201_arch a;
        zc_nb201_from_code((int)((long)k * 7919 % ZC_NB201_SIZE), &a);
        zc_nb201_format(&a, arch, sizeof arch);
        fprintf(f, "%d,%s,%d\n", k, arch, k % 100);
    }
    ZCF_SETUP(fclose(f) == 0, path);
    zc_space_config cfg = {0};
    cfg.bench_path = path;
    cfg.need_index = 1;
    ZCF_SETUP(zc_space_open(zc_space_find("nb201"), &cfg, &spaces[1]) == ZC_OK, "nb201 with its fake table");
}

/* Digits only, at most 1e9 (as the library caps them): 0 and *v, else -1. */
static int number(const char *s, size_t n, long *v)
{
    if (!n) return -1;
    long x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        x = x * 10 + (s[i] - '0');
        if (x > 1000000000L) return -1;
    }
    *v = x;
    return 0;
}

/* The reference reading: the number of indices the list names (into want[] up to cap), -1 if invalid. */
static long reference(const char *s, long long size, long *want, long cap)
{
    long count = 0;
    for (const char *p = s;;) {
        size_t n = strcspn(p, ",");
        const char *dash = memchr(p, '-', n);
        long a, b;
        if (dash ? number(p, (size_t)(dash - p), &a) || number(dash + 1, n - (size_t)(dash - p) - 1, &b)
                 : number(p, n, &a))
            return -1;
        if (!dash) b = a;
        if (a > b || b >= size) return -1;
        for (long i = a; i <= b; i++, count++)
            if (count < cap) want[count] = i;
        if (!p[n]) return count;
        p += n + 1;
    }
}

/* The input as an --arch-file. */
static void check_file(const zc_space_ctx *ctx, const uint8_t *data, size_t size)
{
    static char path[512];
    if (!path[0]) zcf_path(path, sizeof path, "archs.txt");
    zcf_write(path, data, size);
    zc_arch_list l;
    zc_arch_list_init(&l, ctx);
    zc_clear_error();
    zc_status st = zc_arch_list_add_file(&l, path);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_arch_list_add_file");
    ZCF_CHECK(st == ZC_OK || strstr(zc_last_error(), path), "the error does not name the file: %s", zc_last_error());
    if (st == ZC_OK) {
        ZCF_CHECK(l.n >= 1, "%s: a file that reads lists no architecture", ctx->space->name);
        char *buf = malloc(ctx->space->str_max);
        ZCF_SETUP(buf, "allocation");
        for (int k = 0; k < l.n; k++) {
            const void *a = zc_arch_list_get(&l, k);
            ZCF_CHECK(zc_space_format(ctx, a, buf, ctx->space->str_max) == ZC_OK, "entry %d does not format", k);
            ZCF_CHECK(l.index[k] == zc_space_index_of(ctx, a) && l.index[k] >= 0,
                      "%s: entry %d (%s) has index %ld, its row %ld", ctx->space->name, k, buf, l.index[k],
                      zc_space_index_of(ctx, a));
        }
        free(buf);
    }
    zc_arch_list_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!spaces[0]) setup();
    if (size < 1) return 0;
    const zc_space_ctx *ctx = spaces[data[0] & 1];
    if (data[0] & 2) {
        check_file(ctx, data + 1, size - 1);
        return 0;
    }
    char *s = zcf_string(data + 1, size - 1);
    long long n_space = zc_space_size(ctx);
    enum { CAP = 1 << 16 };
    static long want[CAP];
    long expect = reference(s, n_space, want, CAP);

    zc_arch_list l;
    zc_arch_list_init(&l, ctx);
    zc_clear_error();
    zc_status st = zc_arch_list_add_indices(&l, s);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_arch_list_add_indices");
    ZCF_CHECK((st == ZC_OK) == (expect >= 0), "%s: '%.200s' %s by the library (%s), %s by the reference",
              ctx->space->name, s, st == ZC_OK ? "accepted" : "refused", st == ZC_OK ? "" : zc_last_error(),
              expect >= 0 ? "accepted" : "refused");
    if (st == ZC_OK) {
        ZCF_CHECK(l.n == expect, "%s: '%.200s' gave %d architectures, it names %ld", ctx->space->name, s, l.n, expect);
        unsigned char *a = calloc(1, ctx->space->arch_size);
        ZCF_SETUP(a, "allocation");
        for (int k = 0; k < l.n && k < CAP; k++) {
            ZCF_CHECK(l.index[k] == want[k], "%s: '%.200s': entry %d has index %ld, expected %ld", ctx->space->name, s,
                      k, l.index[k], want[k]);
            ZCF_CHECK(zc_space_from_index(ctx, want[k], a) == ZC_OK &&
                          !memcmp(a, zc_arch_list_get(&l, k), ctx->space->arch_size),
                      "%s: entry %d is not the architecture of index %ld", ctx->space->name, k, want[k]);
        }
        free(a);
    }
    zc_arch_list_free(&l);
    free(s);
    return 0;
}
