/* Fuzzes the architecture strings of one search space of the registry (ZC_FUZZ_SPACE, e.g. "nb201";
 * this source is built once per space: fuzz_space_<space>) and, for spaces with a NAS-Bench-Suite-Zero
 * convention, its arch-key parser, on the same input (no benchmark table is loaded).
 * Asserts: a failed parse leaves an error message; a string that parses formats to a canonical string
 * (shorter than str_max) that parses again to the same canonical string; the parsed architecture's
 * key, cost (finite, non-negative), info and stream work; a mutation of it also round-trips; a
 * suite-zero key that parses formats to a key that parses back to the same architecture. */
#include <math.h>
#include "fuzz_common.h"
#include "zcnas/space.h"

#ifndef ZC_FUZZ_SPACE
#error "compile with -DZC_FUZZ_SPACE=\"<space name>\""
#endif

static zc_space_ctx *ctx;
static FILE *devnull;
static char *canon, *again, *key;
static unsigned char *arch, *arch2;

static void setup(void)
{
    unsetenv(ZC_DATA_ENV);   /* self-contained: no benchmark table, whatever the environment holds */
    const zc_space *sp = zc_space_find(ZC_FUZZ_SPACE);
    ZCF_SETUP(sp, ZC_FUZZ_SPACE);
    ZCF_SETUP(zc_space_open(sp, NULL, &ctx) == ZC_OK, "zc_space_open");
    devnull = fopen("/dev/null", "w");
    canon = malloc(sp->str_max);
    again = malloc(sp->str_max);
    key = malloc(sp->str_max + 64);
    arch = calloc(1, sp->arch_size);
    arch2 = calloc(1, sp->arch_size);
    ZCF_SETUP(devnull && canon && again && key && arch && arch2, "allocation");
}

/* s parses (status st into arch): its canonical form into canon, which must parse to itself. */
static void check_canonical(const char *s, const void *a, const char *what)
{
    const zc_space *sp = ctx->space;
    zc_clear_error();
    zc_status st = zc_space_format(ctx, a, canon, sp->str_max);
    ZCF_CHECK(st == ZC_OK, "%s '%.200s' parses but does not format: %s", what, s, zc_last_error());
    ZCF_CHECK(strlen(canon) < sp->str_max, "%s: canonical form of %zu bytes (str_max %zu)", what, strlen(canon),
              sp->str_max);
    memset(arch2, 0, sp->arch_size);
    zc_clear_error();
    st = zc_space_parse(ctx, canon, arch2);
    ZCF_CHECK(st == ZC_OK, "%s '%.200s': its canonical form '%.300s' does not parse: %s", what, s, canon,
              zc_last_error());
    st = zc_space_format(ctx, arch2, again, sp->str_max);
    ZCF_CHECK(st == ZC_OK && !strcmp(canon, again), "%s '%.200s': canonical '%.300s' reformats as '%.300s'", what, s,
              canon, again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctx) setup();
    const zc_space *sp = ctx->space;
    char *s = zcf_string(data, size);

    memset(arch, 0, sp->arch_size);
    zc_clear_error();
    zc_status st = zc_space_parse(ctx, s, arch);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_space_parse");
    if (st == ZC_OK) {
        check_canonical(s, arch, "arch string");
        zc_clear_error();
        st = zc_space_key(ctx, arch, key, sp->str_max + 64);
        ZCF_CHECK(st == ZC_OK, "'%.200s': no key: %s", s, zc_last_error());
        zc_cost cost;
        zc_clear_error();
        st = zc_space_cost(ctx, arch, &cost);
        ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_space_cost");
        if (st == ZC_OK)
            ZCF_CHECK(isfinite(cost.flops) && cost.flops >= 0 && isfinite(cost.params) && cost.params >= 0,
                      "'%.200s': cost flops %g params %g", s, cost.flops, cost.params);
        if (sp->info) sp->info(ctx, arch, devnull);
        (void)zc_space_stream(ctx, arch);
        if (sp->neighbours) ZCF_CHECK(sp->neighbours(ctx, arch) >= 0, "'%.200s': negative neighbour count", s);
        if (sp->mutate) {
            zc_rng rng;
            zc_rng_seed(&rng, zcf_hash(data, size), 1);
            unsigned char *child = calloc(1, sp->arch_size);
            ZCF_SETUP(child, "allocation");
            zc_clear_error();
            st = zc_space_mutate(ctx, arch, 1 + (int)(zcf_hash(data, size) % 3), &rng, child);
            ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_space_mutate");
            if (st == ZC_OK) check_canonical(s, child, "mutant of");
            free(child);
        }
        if (sp->suitezero_key && sp->suitezero_parse) {
            zc_clear_error();
            st = sp->suitezero_key(ctx, arch, key, sp->str_max + 64);
            ZCF_CHECK(st == ZC_OK, "'%.200s': no suite-zero key: %s", s, zc_last_error());
            memset(arch2, 0, sp->arch_size);
            st = sp->suitezero_parse(ctx, key, arch2);
            ZCF_CHECK(st == ZC_OK, "'%.200s': its suite-zero key '%s' does not parse: %s", s, key, zc_last_error());
            zc_space_format(ctx, arch, canon, sp->str_max);
            zc_space_format(ctx, arch2, again, sp->str_max);
            ZCF_CHECK(!strcmp(canon, again), "suite-zero key '%s' of '%s' reads back as '%s'", key, canon, again);
        }
    }

    /* The same input as a NAS-Bench-Suite-Zero arch key. */
    if (sp->suitezero_parse && sp->suitezero_key) {
        memset(arch, 0, sp->arch_size);
        zc_clear_error();
        st = sp->suitezero_parse(ctx, s, arch);
        ZCF_CHECK_FAILED_WITH_MESSAGE(st, "suitezero_parse");
        if (st == ZC_OK) {
            check_canonical(s, arch, "suite-zero key");
            zc_clear_error();
            st = sp->suitezero_key(ctx, arch, key, sp->str_max + 64);
            ZCF_CHECK(st == ZC_OK, "suite-zero key '%.200s' does not format: %s", s, zc_last_error());
            memset(arch2, 0, sp->arch_size);
            st = sp->suitezero_parse(ctx, key, arch2);
            ZCF_CHECK(st == ZC_OK, "suite-zero key '%.200s' formats as '%s', which does not parse", s, key);
            zc_space_format(ctx, arch2, again, sp->str_max);
            ZCF_CHECK(!strcmp(canon, again), "suite-zero key '%.200s' (%s) reads back as '%s'", s, canon, again);
        }
    }
    free(s);
    return 0;
}
