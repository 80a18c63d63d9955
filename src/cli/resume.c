/* Resumable long runs: rows are flushed one by one, so after an interrupt the output file holds
 * complete rows plus at most one torn line. --resume keeps the complete rows and scores the rest. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static char *read_all(const char *path, size_t *len, int *missing)
{
    FILE *f = fopen(path, "rb");
    *missing = !f && errno == ENOENT;
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    *len = n;
    return buf;
}

/* The NB201 arch code of a row (rows are matched on their arch string, which every row has, with or
 * without a benchmark index), or -1. */
static int row_code(const char *line, int jsonl)
{
    char arch[ZC_NB201_STR_MAX];
    const char *p, *end;
    if (jsonl) {
        p = strstr(line, "\"arch\": \"");
        if (!p) return -1;
        p += 9;
        end = strchr(p, '"');
    } else {
        p = strchr(line, ',');
        if (!p) return -1;
        p++;
        end = strchr(p, ',');
    }
    if (!end || end - p >= (long)sizeof arch) return -1;
    memcpy(arch, p, (size_t)(end - p));
    arch[end - p] = '\0';
    zc_nb201_arch a;
    if (zc_nb201_parse(arch, &a) != ZC_OK) {
        zc_clear_error();
        return -1;
    }
    return zc_nb201_code(&a);
}

int cli_resume_filter(const char *path, const cli_writer *w, cli_archs *archs, int *appending)
{
    size_t len;
    int missing;
    char *text = read_all(path, &len, &missing);
    *appending = 0;
    if (!text) {
        if (missing) return CLI_OK;   /* nothing to resume: a fresh file */
        return cli_error(CLI_RUNTIME, "--resume: cannot read '%s': %s", path, strerror(errno));
    }
    /* Drop a torn last line (no newline): it was being written when the run stopped. */
    size_t keep = len;
    while (keep > 0 && text[keep - 1] != '\n') keep--;
    if (keep != len && truncate(path, (off_t)keep) != 0) {
        free(text);
        return cli_error(CLI_RUNTIME, "--resume: cannot cut the torn last line of '%s': %s", path, strerror(errno));
    }
    text[keep] = '\0';
    if (keep == 0) { free(text); return CLI_OK; }   /* empty: start over with a header */
    char *line = text, *nl;
    if (!w->jsonl) {
        /* The header must name the same columns in the same order. */
        char expect[2048];
        int o = snprintf(expect, sizeof expect, "index,arch");
        for (int i = 0; i < w->n_cols && o < (int)sizeof expect; i++) o += snprintf(expect + o, sizeof expect - o, ",%s", w->cols[i]);
        nl = strchr(line, '\n');
        *nl = '\0';
        if (strcmp(line, expect)) {
            int rc = cli_error(CLI_USAGE, "--resume: '%s' has columns '%s', this run writes '%s' (same --proxy and --format needed)",
                               path, line, expect);
            free(text);
            return rc;
        }
        line = nl + 1;
    } else if (line[0] != '{') {
        free(text);
        return cli_error(CLI_USAGE, "--resume: '%s' is not a JSON-lines file (use the same --format)", path);
    }
    char *done = calloc(ZC_NB201_SIZE, 1);
    if (!done) { free(text); return cli_error(CLI_RUNTIME, "out of memory"); }
    int n_done = 0;
    for (; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        *nl = '\0';
        int idx = row_code(line, w->jsonl);
        if (idx < 0) {
            free(done);
            free(text);
            return cli_error(CLI_RUNTIME, "--resume: '%s' has a malformed row: '%.60s'", path, line);
        }
        if (!done[idx]) n_done++;
        done[idx] = 1;
    }
    int kept = 0;
    for (int i = 0; i < archs->n; i++)
        if (!done[zc_nb201_code(&archs->archs[i])]) {
            archs->archs[kept] = archs->archs[i];
            archs->index[kept] = archs->index[i];
            kept++;
        }
    fprintf(stderr, "zcnas: resuming '%s': %d rows kept, %d architectures left\n", path, n_done, kept);
    archs->n = kept;
    *appending = 1;
    free(done);
    free(text);
    return CLI_OK;
}
