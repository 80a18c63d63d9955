/* Fuzzes the CLI's option parsing (src/cli/args.c and common.c, compiled into this harness only): the
 * input is a command line (arguments separated by NUL bytes) after a first byte that picks the range
 * --seed must be in; cli_parse reads it against a table of options, then cli_int (--seed), cli_double
 * (--ratio), cli_eval_options (--top-k) and cli_size (--size) parse the values given.
 * Asserts: cli_parse returns "go on" or a usage error; an integer is accepted exactly when a reference
 * reading (optional spaces and sign, decimal digits, nothing after, no overflow) accepts it and it is in
 * the range, and then has the reference's value (no wrap-around); --top-k likewise in 1..INT_MAX; an
 * accepted double is finite, round-trips through %.17g, and equals the integer a plain integer literal
 * names; an accepted size is positive and at most 1e18 bytes. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include "fuzz_common.h"

/* The CLI's messages go to a sink: a usage error per input would flood the fuzzer's output. */
static FILE *zcf_sink;
#undef stderr
#define stderr zcf_sink
#include "cli/args.c"
#include "cli/common.c"
#undef stderr
#define stderr stderr

static const struct { long lo, hi; } RANGES[] = {
    {0, 0x7fffffffL}, {0, 1024}, {1, 100000}, {LONG_MIN, LONG_MAX}, {-5, 5}, {1, INT_MAX}, {LONG_MIN, 0}, {0, 0},
};
#define N_RANGES ((int)(sizeof RANGES / sizeof RANGES[0]))

/* strtol's base-10 grammar in the C locale: 1 and the exact value (*over = 1 when outside long). */
static int ref_integer(const char *s, long *v, int *over)
{
    while (isspace((unsigned char)*s)) s++;
    int neg = *s == '-';
    if (*s == '-' || *s == '+') s++;
    if (!isdigit((unsigned char)*s)) return 0;
    __int128 x = 0;
    *over = 0;
    for (; isdigit((unsigned char)*s); s++) {
        x = x * 10 + (*s - '0');
        if (x > (__int128)LONG_MAX + 1) { *over = 1; x = (__int128)LONG_MAX + 1; }
    }
    if (*s) return 0;
    if (neg) x = -x;
    if (x > LONG_MAX || x < LONG_MIN) *over = 1;
    else *v = (long)x;
    return 1;
}

/* A plain integer literal of at most 15 digits (exact in a double): 1 and its value. */
static int small_literal(const char *s, double *v)
{
    const char *p = s;
    int neg = *p == '-';
    if (*p == '-' || *p == '+') p++;
    size_t n = strspn(p, "0123456789");
    if (!n || n > 15 || p[n]) return 0;
    *v = (neg ? -1.0 : 1.0) * strtod(p, NULL);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!zcf_sink) zcf_sink = fopen("/dev/null", "w");
    if (!zcf_sink) abort();
    if (size < 1) return 0;
    const long lo = RANGES[data[0] % N_RANGES].lo, hi = RANGES[data[0] % N_RANGES].hi;
    char *text = zcf_string(data + 1, size - 1);   /* NUL-separated arguments; the copy keeps a final NUL */
    enum { MAX_ARGS = 16 };
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    argv[argc++] = "zcnas";
    for (size_t i = 0; i < size - 1 && argc < MAX_ARGS; i += strlen(text + i) + 1) {
        if (!strcmp(text + i, "--help") || !strcmp(text + i, "-h")) goto out;   /* prints the help: not a parse */
        argv[argc++] = text + i;
    }
    argv[argc] = NULL;
    cli_opt opts[] = {
        {"seed", "N", "an integer", NULL, 0},   {"ratio", "X", "a number", NULL, 0},
        {"top-k", "K", "a count", NULL, 0},     {"size", "S", "a size", NULL, 0},
        {"quiet", NULL, "a flag", NULL, 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    int rc = cli_parse("fuzz", NULL, argc, argv, opts, n);
    ZCF_CHECK(rc == -1 || rc == CLI_USAGE, "cli_parse returned %d", rc);
    if (rc != -1) goto out;

    const char *s = cli_str(opts, n, "seed");
    if (s) {
        long v = 12345, want = 0;
        int over = 0, ok = ref_integer(s, &want, &over) && !over && want >= lo && want <= hi;
        rc = cli_int(opts, n, "seed", lo, hi, &v);
        ZCF_CHECK((rc == CLI_OK) == ok, "--seed '%s' in %ld..%ld: cli_int %s, the reference %s", s, lo, hi,
                  rc == CLI_OK ? "accepts it" : "refuses it", ok ? "accepts it" : "refuses it");
        if (rc == CLI_OK) ZCF_CHECK(v == want && v >= lo && v <= hi, "--seed '%s' read as %ld, is %ld", s, v, want);
        else ZCF_CHECK(v == 12345, "--seed '%s': refused but the output was written", s);
    }
    if ((s = cli_str(opts, n, "ratio"))) {
        double v = 0, lit;
        if (cli_double(opts, n, "ratio", &v) == CLI_OK) {
            char buf[64];
            snprintf(buf, sizeof buf, "%.17g", v);
            ZCF_CHECK(isfinite(v) && strtod(buf, NULL) == v, "--ratio '%s' read as %.17g", s, v);
            if (small_literal(s, &lit)) ZCF_CHECK(v == lit, "--ratio '%s' read as %.17g, is %.17g", s, v, lit);
        }
    }
    if ((s = cli_str(opts, n, "top-k"))) {
        zc_eval_opts eo;
        zc_eval_opts_default(&eo);
        long want = 0;
        int over = 0, ok = ref_integer(s, &want, &over) && !over && want >= 1 && want <= INT_MAX;
        rc = cli_eval_options(opts, n, &eo);
        ZCF_CHECK((rc == CLI_OK) == ok, "--top-k '%s': cli_eval_options %s, the reference %s", s,
                  rc == CLI_OK ? "accepts it" : "refuses it", ok ? "accepts it" : "refuses it");
        if (rc == CLI_OK) ZCF_CHECK(eo.top_k == want, "--top-k '%s' read as %d", s, eo.top_k);
    }
    if ((s = cli_str(opts, n, "size"))) {
        double bytes = 0;
        if (cli_size(s, "--size", &bytes) == CLI_OK)
            ZCF_CHECK(isfinite(bytes) && bytes > 0 && bytes <= 1e18, "--size '%s' read as %.17g bytes", s, bytes);
    }
out:
    free(text);
    return 0;
}
