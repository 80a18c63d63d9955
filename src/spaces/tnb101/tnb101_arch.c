/* TransNAS-Bench-101 architecture strings: micro "64-41414-a_bc_def" (ops 0..3) and macro
 * "64-<4..6 digits 1..4>-basic"; NASLib's op tuples "(a, b, c, d, e, f)" (macro zero-padded to six)
 * are accepted too. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "spaces/tnb101/tnb101.h"

int zc_tnb_macro_valid(const zc_tnb_arch *a)
{
    int strides = 0, doubles = 0;
    for (int i = 0; i < a->n; i++) {
        strides += a->d[i] > 2;
        doubles += a->d[i] % 2 == 0;
    }
    return a->n >= 4 && a->n <= 6 && strides >= 1 && strides <= 4 && doubles >= 1 && doubles <= 3;
}

static zc_status check(int macro, zc_tnb_arch *a, const char *s)
{
    if (!macro) return ZC_OK;
    if (!zc_tnb_macro_valid(a))
        return zc_fail(ZC_EINVAL, "tnb101-macro: '%.60s' is not in the benchmark: it needs 4 to 6 layers, 1 to 4 of them "
                                  "down-sampling (3 or 4) and 1 to 3 doubling the channels (2 or 4)", s);
    return ZC_OK;
}

/* "(2, 3, 1, 4, 0, 0)" */
static zc_status parse_tuple(int macro, const char *s, zc_tnb_arch *a)
{
    const char *name = macro ? "tnb101-macro" : "tnb101-micro";
    const char *p = s + 1;
    int v[6], k = 0;
    while (k < 6) {
        while (*p == ' ') p++;
        if (!isdigit((unsigned char)*p) || isdigit((unsigned char)p[1]))
            return zc_fail(ZC_EINVAL, "%s: NASLib tuple '%.60s': expected six single digits", name, s);
        v[k++] = *p++ - '0';
        while (*p == ' ') p++;
        if (*p != (k < 6 ? ',' : ')')) return zc_fail(ZC_EINVAL, "%s: NASLib tuple '%.60s': expected six single digits", name, s);
        p++;
    }
    if (*p) return zc_fail(ZC_EINVAL, "%s: NASLib tuple '%.60s': text after ')'", name, s);
    memset(a, 0, sizeof *a);
    a->macro = (uint8_t)macro;
    if (!macro) {
        a->n = 6;
        for (int i = 0; i < 6; i++) {
            if (v[i] > 3) return zc_fail(ZC_EINVAL, "%s: op %d at position %d of '%.60s' (ops are 0..3)", name, v[i], i + 1, s);
            a->d[i] = (uint8_t)v[i];
        }
        return ZC_OK;
    }
    int n = 6;
    while (n > 0 && v[n - 1] == 0) n--;
    for (int i = 0; i < n; i++)
        if (v[i] < 1 || v[i] > 4)
            return zc_fail(ZC_EINVAL, "%s: layer digit %d at position %d of '%.60s' (1..4, zero-padded at the end)", name,
                           v[i], i + 1, s);
    a->n = (uint8_t)n;
    for (int i = 0; i < n; i++) a->d[i] = (uint8_t)v[i];
    return check(macro, a, s);
}

zc_status zc_tnb_parse(int macro, const char *s, zc_tnb_arch *a)
{
    const char *name = macro ? "tnb101-macro" : "tnb101-micro";
    if (s[0] == '(') return parse_tuple(macro, s, a);
    memset(a, 0, sizeof *a);
    a->macro = (uint8_t)macro;
    if (strncmp(s, "64-", 3))
        return zc_fail(ZC_EINVAL, "%s: '%.60s' does not start with the base width '64-' (expected %s)", name, s,
                       macro ? "64-<4..6 digits>-basic, e.g. 64-1234-basic" : "64-41414-a_bc_def, e.g. 64-41414-3_33_333");
    const char *p = s + 3;
    if (!macro) {
        if (strncmp(p, "41414-", 6))
            return zc_fail(ZC_EINVAL, "%s: '%.60s': the micro skeleton is always 41414 (use tnb101-macro for others)", name, s);
        p += 6;
        static const char shape[] = "d_dd_ddd";
        int k = 0;
        for (int i = 0; shape[i]; i++, p++) {
            if (shape[i] == '_' ? *p != '_' : !(*p >= '0' && *p <= '3'))
                return zc_fail(ZC_EINVAL, "%s: '%.60s': expected the cell as a_bc_def with ops 0..3 (zero, skip, 1x1, 3x3)",
                               name, s);
            if (shape[i] == 'd') a->d[k++] = (uint8_t)(*p - '0');
        }
        if (*p) return zc_fail(ZC_EINVAL, "%s: '%.60s': text after the cell", name, s);
        a->n = 6;
        return ZC_OK;
    }
    int n = 0;
    while (*p >= '0' && *p <= '9') {
        if (n == 6) return zc_fail(ZC_EINVAL, "%s: '%.60s': more than 6 layers", name, s);
        if (*p < '1' || *p > '4') return zc_fail(ZC_EINVAL, "%s: '%.60s': layer digit %c (digits are 1..4)", name, s, *p);
        a->d[n++] = (uint8_t)(*p++ - '0');
    }
    if (strcmp(p, "-basic"))
        return zc_fail(ZC_EINVAL, "%s: '%.60s': expected 64-<4..6 digits 1..4>-basic", name, s);
    a->n = (uint8_t)n;
    return check(macro, a, s);
}

void zc_tnb_format(const zc_tnb_arch *a, char *buf, size_t size)
{
    if (!a->macro) {
        snprintf(buf, size, "64-41414-%d_%d%d_%d%d%d", a->d[0], a->d[1], a->d[2], a->d[3], a->d[4], a->d[5]);
        return;
    }
    char digits[8];
    for (int i = 0; i < a->n; i++) digits[i] = (char)('0' + a->d[i]);
    digits[a->n] = '\0';
    snprintf(buf, size, "64-%s-basic", digits);
}

/* Valid macro skeletons in systematic order: length 4, 5, 6, digits lexicographic. */
static int macro_rank(const zc_tnb_arch *a, zc_tnb_arch *nth, int want)
{
    int rank = 0;
    for (int n = 4; n <= 6; n++) {
        int total = 1;
        for (int i = 0; i < n; i++) total *= 4;
        for (int c = 0; c < total; c++) {
            zc_tnb_arch t = {1, (uint8_t)n, {0}};
            for (int i = n - 1, v = c; i >= 0; i--, v /= 4) t.d[i] = (uint8_t)(v % 4 + 1);
            if (!zc_tnb_macro_valid(&t)) continue;
            if (a && t.n == a->n && !memcmp(t.d, a->d, (size_t)n)) return rank;
            if (nth && rank == want) { *nth = t; return rank; }
            rank++;
        }
    }
    return -1;
}

int zc_tnb_code(const zc_tnb_arch *a)
{
    if (a->macro) return macro_rank(a, NULL, -1);
    int c = 0;
    for (int i = 0; i < 6; i++) c = c * 4 + a->d[i];
    return c;
}

void zc_tnb_from_code(int macro, int code, zc_tnb_arch *a)
{
    memset(a, 0, sizeof *a);
    if (macro) {
        macro_rank(NULL, a, code);
        return;
    }
    a->n = 6;
    for (int i = 5; i >= 0; i--, code /= 4) a->d[i] = (uint8_t)(code % 4);
}
