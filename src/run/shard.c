/* Shards (zcnas/run.h): one list of architectures scored by n independent processes, e.g. a Slurm job
 * array without MPI, and merged back into the single run's output. Shard i of n takes list positions
 * i-1, i-1+n, i-1+2n, ... (interleaved, so that cheap and costly networks spread evenly), and its
 * file's fingerprint ends with "shard=i/n shard_archs=N shard_list=<MD5>" (N and the MD5 of the whole
 * list's canonical strings), so resuming a shard and merging check that every file is the same run
 * of the same list. The merge writes the fingerprint without those items, the header and row p from
 * shard p mod n: the bytes a single run writes (up to the seconds columns). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"
#include "zcnas/run.h"

zc_status zc_arch_list_shard(const zc_arch_list *all, int i, int n, zc_arch_list *out, char *items, size_t cap)
{
    if (n < 1 || i < 1 || i > n) return zc_fail(ZC_EINVAL, "shard %d/%d: expected i/n with 1 <= i <= n", i, n);
    const zc_space_ctx *sp = all->space;
    size_t smax = sp->space->str_max, len = 0, tcap = 0;
    char *str = malloc(smax), *text = NULL;
    zc_status st = str ? ZC_OK : zc_fail(ZC_ENOMEM, "out of memory");
    for (int p = 0; p < all->n && st == ZC_OK; p++) {
        const void *a = zc_arch_list_get(all, p);
        if ((st = zc_space_format(sp, a, str, smax)) != ZC_OK) break;
        size_t k = strlen(str);
        if (len + k + 2 > tcap) {
            size_t c = tcap ? tcap * 2 : 65536;
            while (c < len + k + 2) c *= 2;
            char *t = realloc(text, c);
            if (!t) { st = zc_fail(ZC_ENOMEM, "out of memory"); break; }
            text = t, tcap = c;
        }
        memcpy(text + len, str, k);
        len += k;
        text[len++] = '\n';
        if (p % n == i - 1) {
            if ((st = zc_arch_list_add(out, a)) != ZC_OK) break;
            out->index[out->n - 1] = all->index[p];
        }
    }
    char md5[33];
    if (st == ZC_OK) {
        zci_md5_hex(text ? text : "", len, md5);
        if (snprintf(items, cap, "shard=%d/%d shard_archs=%d shard_list=%s", i, n, all->n, md5) >= (int)cap)
            st = zc_fail(ZC_EINVAL, "shard: no room for the fingerprint items");
    }
    free(str);
    free(text);
    return st;
}

/* ---------------------------------------------------------------- merge */

typedef struct part {
    const char *path;
    char *text;
    char *first;          /* the fingerprint line without the shard items */
    char *fp;             /* its fingerprint (CSV: after "# zcnas run: "; JSON lines: inside the quotes) */
    char *header;         /* CSV: the header line; JSON lines: "" */
    char **rows;
    int n_rows, i, n, archs;
    char list[33];
} part;

static void part_free(part *p)
{
    free(p->text);
    free(p->first);
    free(p->fp);
    free(p->rows);
}

/* Splits a file into its lines (ending in '\n'; a last line without one is a torn row). */
static zc_status read_part(part *p)
{
    FILE *f = fopen(p->path, "rb");
    if (!f) return zc_fail(ZC_EIO, "%s: %s", p->path, strerror(errno));
    size_t len;
    p->text = zci_read_stream(f, &len);
    fclose(f);
    if (!p->text) return zc_fail(errno == ENOMEM ? ZC_ENOMEM : ZC_EIO, "%s: cannot read", p->path);
    if (memchr(p->text, 0, len)) return zc_fail(ZC_EDATA, "%s: not a text file (a NUL byte)", p->path);
    if (len && p->text[len - 1] != '\n')
        return zc_fail(ZC_EDATA, "%s: the last row is torn (a killed shard): resume it with --resume first", p->path);
    int lines = 0;
    for (size_t k = 0; k < len; k++) lines += p->text[k] == '\n';
    char **line = malloc((size_t)(lines ? lines : 1) * sizeof *line);
    if (!line) return zc_fail(ZC_ENOMEM, "out of memory");
    int m = 0;
    for (char *s = p->text, *nl; (nl = strchr(s, '\n')); s = nl + 1) *nl = 0, line[m++] = s;
    const char *csv = "# zcnas run: ", *json = "{\"zcnas_run\": \"";
    int is_csv = m > 0 && !strncmp(line[0], csv, strlen(csv)), is_json = m > 0 && !strncmp(line[0], json, strlen(json));
    char *items = m > 0 ? strstr(line[0], " shard=") : NULL;
    if ((!is_csv && !is_json) || !items || sscanf(items, " shard=%d/%d shard_archs=%d shard_list=%32[0-9a-f]", &p->i,
                                                  &p->n, &p->archs, p->list) != 4 || strlen(p->list) != 32) {
        free(line);
        return zc_fail(ZC_EDATA, "%s: not a shard of zcnas score --shard (its first line has no shard=i/n ... items)",
                       p->path);
    }
    /* the first line without " shard=... shard_list=<md5>" */
    const char *after = strstr(items, "shard_list=") + strlen("shard_list=") + 32;
    size_t head = (size_t)(items - line[0]);
    p->first = malloc(head + strlen(after) + 1);
    p->fp = malloc(strlen(line[0]) + 1);
    if (!p->first || !p->fp) { free(line); return zc_fail(ZC_ENOMEM, "out of memory"); }
    memcpy(p->first, line[0], head);
    strcpy(p->first + head, after);
    const char *fp0 = p->first + strlen(is_csv ? csv : json);
    size_t fl = strlen(fp0) - (is_json && strlen(fp0) >= 2 ? 2 : 0);   /* JSON: without the closing "} */
    memcpy(p->fp, fp0, fl);
    p->fp[fl] = 0;
    int skip = is_csv ? 2 : 1;
    if (m < skip) { free(line); return zc_fail(ZC_EDATA, "%s: no header line", p->path); }
    p->header = is_csv ? line[1] : "";
    p->rows = line;
    p->n_rows = m - skip;
    memmove(line, line + skip, (size_t)p->n_rows * sizeof *line);
    return ZC_OK;
}

zc_status zc_merge_shards(const char *const *paths, int n_paths, const char *out, int *rows_out)
{
    if (n_paths < 1) return zc_fail(ZC_EINVAL, "merge: no shard files given");
    part *ps = calloc((size_t)n_paths, sizeof *ps);
    part **by = calloc((size_t)n_paths, sizeof *by);
    zc_status st = ps && by ? ZC_OK : zc_fail(ZC_ENOMEM, "out of memory");
    for (int k = 0; k < n_paths && st == ZC_OK; k++) {
        ps[k].path = paths[k];
        st = read_part(&ps[k]);
    }
    for (int k = 0; k < n_paths && st == ZC_OK; k++) {
        part *p = &ps[k], *a = &ps[0];
        char diff[512];
        if (p->n != n_paths) {
            st = zc_fail(ZC_EINVAL, "%s is shard %d of %d, but %d files were given: give all %d shards", p->path, p->i, p->n,
                         n_paths, p->n);
        } else if (by[p->i - 1]) {
            st = zc_fail(ZC_EINVAL, "%s and %s are both shard %d/%d", by[p->i - 1]->path, p->path, p->i, p->n);
        } else if (strcmp(p->first, a->first) || strcmp(p->header, a->header)) {
            if (zc_fingerprint_diff(a->fp, p->fp, diff, sizeof diff)) {
                st = zc_fail(ZC_EINVAL, "%s and %s are shards of different runs (%s)", a->path, p->path, diff);
            } else {
                st = zc_fail(ZC_EINVAL, "%s and %s are shards of different runs (other %s)", a->path, p->path,
                             strcmp(p->header, a->header) ? "columns" : "formats");
            }
        } else if (p->archs != a->archs || strcmp(p->list, a->list)) {
            st = zc_fail(ZC_EINVAL, "%s and %s are shards of different lists of architectures (%d and %d, or other ones)",
                         a->path, p->path, a->archs, p->archs);
        } else {
            by[p->i - 1] = p;
        }
    }
    int total = n_paths > 0 && st == ZC_OK ? ps[0].archs : 0;
    for (int k = 0; k < n_paths && st == ZC_OK; k++) {
        int want = total / n_paths + (k < total % n_paths);
        if (by[k]->n_rows != want)
            st = zc_fail(ZC_EDATA, "%s (shard %d/%d) has %d of its %d rows: %s", by[k]->path, k + 1, n_paths, by[k]->n_rows,
                         want, by[k]->n_rows < want ? "finish it with --resume first" : "not a file zcnas wrote");
    }
    FILE *f = NULL;
    if (st == ZC_OK) f = out ? zci_whole_open(out, "w") : stdout;
    if (st == ZC_OK && !f) st = ZC_EIO;
    if (st == ZC_OK) {
        fprintf(f, "%s\n", ps[0].first);
        if (*ps[0].header) fprintf(f, "%s\n", ps[0].header);
        for (int r = 0; r < total; r++) fprintf(f, "%s\n", by[r % n_paths]->rows[r / n_paths]);
        if (out) st = zci_whole_close(f, out);
        else if (fflush(f) != 0 || ferror(f)) st = zc_fail(ZC_EIO, "cannot write the merged rows: %s", strerror(errno));
    }
    if (st == ZC_OK && rows_out) *rows_out = total;
    for (int k = 0; ps && k < n_paths; k++) part_free(&ps[k]);
    free(ps);
    free(by);
    return st;
}
