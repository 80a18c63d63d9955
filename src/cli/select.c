/* Which NB201 architectures a command works on: --arch STR, --index LIST, --arch-file FILE,
 * --sample K (with --seed), or --all. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

void cli_archs_free(cli_archs *a)
{
    free(a->archs);
    free(a->index);
    free(a->map);
    memset(a, 0, sizeof *a);
}

static int push(cli_archs *a, int *cap, const zc_nb201_arch *arch)
{
    if (a->n == *cap) {
        int c = *cap ? *cap * 2 : 64;
        zc_nb201_arch *na = realloc(a->archs, (size_t)c * sizeof *na);
        if (!na) return cli_error(CLI_RUNTIME, "out of memory");
        a->archs = na;
        int *ni = realloc(a->index, (size_t)c * sizeof *ni);
        if (!ni) return cli_error(CLI_RUNTIME, "out of memory");
        a->index = ni;
        *cap = c;
    }
    a->archs[a->n] = *arch;
    a->index[a->n] = zc_nb201_index(a->map, arch);
    a->n++;
    return CLI_OK;
}

static int parse_int_token(const char *s, const char *end, long *v)
{
    if (s == end) return -1;
    long x = 0;
    for (const char *p = s; p < end; p++) {
        if (!isdigit((unsigned char)*p)) return -1;
        x = x * 10 + (*p - '0');
        if (x > 100000000L) return -1;
    }
    *v = x;
    return 0;
}

int cli_parse_index_list(const char *s, int max, int **out, int *count)
{
    int cap = 64, n = 0;
    int *v = malloc((size_t)cap * sizeof *v);
    if (!v) return cli_error(CLI_RUNTIME, "out of memory");
    const char *p = s;
    while (1) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        const char *dash = memchr(p, '-', (size_t)(end - p));
        long a, b;
        int bad = dash ? (parse_int_token(p, dash, &a) || parse_int_token(dash + 1, end, &b))
                       : parse_int_token(p, end, &a);
        if (!dash) b = a;
        if (bad || a > b || b >= max) {
            free(v);
            return cli_error(CLI_USAGE, "--index: bad item '%.*s' in '%s' (expected N or A-B with 0 <= A <= B <= %d)",
                             (int)(end - p), p, s, max - 1);
        }
        for (long i = a; i <= b; i++) {
            if (n == cap) {
                cap *= 2;
                int *nv = realloc(v, (size_t)cap * sizeof *nv);
                if (!nv) { free(v); return cli_error(CLI_RUNTIME, "out of memory"); }
                v = nv;
            }
            v[n++] = (int)i;
        }
        if (!*end) break;
        p = end + 1;
    }
    *out = v;
    *count = n;
    return CLI_OK;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

/* 1 when a line of the file is a benchmark index rather than an arch string. */
static int file_has_indices(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;   /* from_file reports it */
    char line[1024];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *s = trim(line);
        found = *s && *s != '#' && *s != '|';
    }
    fclose(f);
    return found;
}

static int from_file(const char *path, cli_archs *a, int *cap)
{
    FILE *f = fopen(path, "r");
    if (!f) return cli_error(CLI_RUNTIME, "--arch-file: cannot open '%s': %s", path, strerror(errno));
    char line[1024];
    int lineno = 0, rc = CLI_OK;
    while (rc == CLI_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#') continue;
        zc_nb201_arch arch;
        if (*s == '|') {
            if (zc_nb201_parse(s, &arch) != ZC_OK)
                rc = cli_error(CLI_USAGE, "%s:%d: %s", path, lineno, zc_last_error());
        } else {
            char *end;
            errno = 0;
            long idx = strtol(s, &end, 10);
            if (end == s || *end || errno || idx < 0 || idx >= ZC_NB201_SIZE ||
                zc_nb201_from_index(a->map, (int)idx, &arch) != ZC_OK)
                rc = cli_error(CLI_USAGE, "%s:%d: '%s' is neither an NB201 arch string nor an index 0..%d",
                               path, lineno, s, ZC_NB201_SIZE - 1);
        }
        if (rc == CLI_OK) rc = push(a, cap, &arch);
    }
    if (rc == CLI_OK && ferror(f)) rc = cli_error(CLI_RUNTIME, "--arch-file: error reading '%s'", path);
    fclose(f);
    if (rc == CLI_OK && a->n == 0) rc = cli_error(CLI_USAGE, "--arch-file: '%s' lists no architectures", path);
    return rc;
}

int cli_select_nb201(cli_opt *opts, int n, cli_archs *out)
{
    memset(out, 0, sizeof *out);
    const char *keys[] = {"arch", "index", "arch-file", "sample", "all"};
    int given = 0;
    for (int i = 0; i < 5; i++) given += cli_find(opts, n, keys[i]) && cli_flag(opts, n, keys[i]);
    if (given != 1)
        return cli_error(CLI_USAGE, "choose the architectures with exactly one of --arch, --index, --arch-file, "
                                    "--sample or --all");
    /* Usage errors first, then the benchmark table: indices need it, an arch string only uses it for
     * its index column. */
    int rc;
    zc_nb201_arch arch;
    long k = 0, seed = 0;
    if (cli_flag(opts, n, "arch") && zc_nb201_parse(cli_str(opts, n, "arch"), &arch) != ZC_OK)
        return cli_fail_status(ZC_EINVAL);
    if (cli_flag(opts, n, "sample")) {
        if ((rc = cli_int(opts, n, "sample", 1, ZC_NB201_SIZE, &k))) return rc;
        if (cli_find(opts, n, "seed") && (rc = cli_int(opts, n, "seed", 0, 0x7fffffffL, &seed))) return rc;
    }
    const char *bench = cli_find(opts, n, "bench") ? cli_str(opts, n, "bench") : NULL;
    int need_map = !cli_flag(opts, n, "arch") &&
                   !(cli_flag(opts, n, "arch-file") && !file_has_indices(cli_str(opts, n, "arch-file")));
    if ((rc = cli_nb201_map(bench, need_map, &out->map)) != CLI_OK) return rc;
    int cap = 0;
    if (cli_flag(opts, n, "arch")) {
        rc = push(out, &cap, &arch);
    } else if (cli_flag(opts, n, "index")) {
        int *idx = NULL, count = 0;
        rc = cli_parse_index_list(cli_str(opts, n, "index"), ZC_NB201_SIZE, &idx, &count);
        for (int i = 0; rc == CLI_OK && i < count; i++) {
            zc_nb201_from_index(out->map, idx[i], &arch);
            rc = push(out, &cap, &arch);
        }
        free(idx);
    } else if (cli_flag(opts, n, "arch-file")) {
        rc = from_file(cli_str(opts, n, "arch-file"), out, &cap);
    } else if (cli_flag(opts, n, "sample")) {
        /* A seeded partial Fisher-Yates over all indices, then sorted: K distinct architectures. */
        int *perm = malloc(ZC_NB201_SIZE * sizeof *perm);
        char *chosen = calloc(ZC_NB201_SIZE, 1);
        if (!perm || !chosen) {
            free(perm);
            free(chosen);
            cli_archs_free(out);
            return cli_error(CLI_RUNTIME, "out of memory");
        }
        for (int i = 0; i < ZC_NB201_SIZE; i++) perm[i] = i;
        zc_rng r;
        zc_rng_seed(&r, (uint64_t)seed, 0x5A3B1E);
        for (int i = 0; i < k; i++) {
            int j = i + (int)zc_rng_below(&r, (uint64_t)(ZC_NB201_SIZE - i));
            int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        }
        for (int i = 0; i < k; i++) chosen[perm[i]] = 1;
        for (int i = 0; rc == CLI_OK && i < ZC_NB201_SIZE; i++)
            if (chosen[i]) { zc_nb201_from_index(out->map, i, &arch); rc = push(out, &cap, &arch); }
        free(chosen);
        free(perm);
    } else {
        for (int i = 0; rc == CLI_OK && i < ZC_NB201_SIZE; i++) {
            zc_nb201_from_index(out->map, i, &arch);
            rc = push(out, &cap, &arch);
        }
    }
    if (rc != CLI_OK) cli_archs_free(out);
    return rc;
}

int cli_one_nb201(const char *cmd, cli_opt *opts, int n, zc_nb201_arch *arch, int *index)
{
    const char *space = cli_str(opts, n, "space");
    if (space && strcmp(space, "nb201"))
        return cli_error(CLI_USAGE, "--space: unknown search space '%s' (available: nb201)", space);
    if (cli_flag(opts, n, "arch") == cli_flag(opts, n, "index"))
        return cli_error(CLI_USAGE, "%s: give exactly one of --arch or --index", cmd);
    long idx = -1;
    int rc;
    if (cli_flag(opts, n, "arch")) {
        if (zc_nb201_parse(cli_str(opts, n, "arch"), arch) != ZC_OK) return cli_fail_status(ZC_EINVAL);
    } else if ((rc = cli_int(opts, n, "index", 0, ZC_NB201_SIZE - 1, &idx))) {
        return rc;
    }
    const char *bench = cli_find(opts, n, "bench") ? cli_str(opts, n, "bench") : NULL;
    zc_nb201_index_map *map;
    if ((rc = cli_nb201_map(bench, idx >= 0, &map))) return rc;
    if (idx >= 0) zc_nb201_from_index(map, (int)idx, arch);
    *index = zc_nb201_index(map, arch);
    free(map);
    return CLI_OK;
}
