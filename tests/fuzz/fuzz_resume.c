/* Fuzzes --resume of score files (zc_run_write with resume = 1, src/run/output.c): a run of space nb201
 * and proxy `params` (no data needed) resumes a list of two architectures onto the input, written to a
 * file. The first byte picks the format (bit 0: CSV or JSON lines) and whether this run's real preamble
 * (fingerprint line, and the CSV header) goes before the rest of the input (bit 1), so that fuzzing
 * reaches the rows whatever the fingerprint holds.
 * Asserts: a refused file has an error message and is left byte for byte as it was; after an accepted
 * resume the file resumes again with nothing left to score and every row kept (kept + scored of the
 * first resume). */
#include "fuzz_common.h"
#include "zcnas/run.h"

static const char *const ARCHS[2] = {
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
    "|none~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|none~1|avg_pool_3x3~2|",
};

static zc_space_ctx *ctx;
static zc_run *run;
static zc_arch_list list;
static char *preamble[2];   /* per format: what a new file of this run starts with */
static char path[512];

static void setup(void)
{
    unsetenv(ZC_DATA_ENV);
    ZCF_SETUP(zc_space_open(zc_space_find("nb201"), NULL, &ctx) == ZC_OK, "nb201");
    zc_run_opts o;
    zc_run_opts_default(&o);
    o.space = ctx;
    o.proxies[0] = zc_proxy_find("params");
    o.n_proxies = 1;
    o.threads = 1;
    o.backend_threads = 1;
    ZCF_SETUP(o.proxies[0], "proxy params");
    ZCF_SETUP(zc_run_open(&o, &run) == ZC_OK, "zc_run_open");
    zc_arch_list_init(&list, ctx);
    for (int i = 0; i < 2; i++) ZCF_SETUP(zc_arch_list_add_string(&list, ARCHS[i]) == ZC_OK, ARCHS[i]);
    zcf_path(path, sizeof path, "scores.out");
    /* The preambles, from a fresh write of each format. */
    for (int fmt = 0; fmt < 2; fmt++) {
        zc_output out = {path, fmt ? ZC_FORMAT_JSONL : ZC_FORMAT_CSV, 0, NULL};
        ZCF_SETUP(zc_run_write(run, &list, &out, NULL) == ZC_OK, "a fresh write");
        char *text = zcf_read(path, NULL);
        ZCF_SETUP(text, path);
        char *end = strchr(text, '\n');
        if (end && !fmt) end = strchr(end + 1, '\n');
        ZCF_SETUP(end, "the preamble");
        end[1] = '\0';
        preamble[fmt] = text;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!run) setup();
    if (size < 1) return 0;
    int fmt = data[0] & 1, pre = (data[0] >> 1) & 1;
    size_t np = pre ? strlen(preamble[fmt]) : 0, n = np + size - 1;
    char *text = malloc(n + 1);
    ZCF_SETUP(text, "allocation");
    memcpy(text, preamble[fmt], np);
    memcpy(text + np, data + 1, size - 1);
    zcf_write(path, text, n);

    zc_output out = {path, fmt ? ZC_FORMAT_JSONL : ZC_FORMAT_CSV, 1, NULL};
    zc_write_report rep = {-1, -1};
    zc_clear_error();
    zc_status st = zc_run_write(run, &list, &out, &rep);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_run_write --resume");
    if (st != ZC_OK) {
        size_t len = 0;
        char *now = zcf_read(path, &len);
        ZCF_CHECK(now && len == n && !memcmp(now, text, n), "a refused file was changed (%zu bytes, were %zu): %s", len,
                  n, zc_last_error());
        free(now);
    } else {
        ZCF_CHECK(rep.kept >= 0 && rep.scored >= 0 && rep.scored <= 2, "resume: kept %d, scored %d", rep.kept,
                  rep.scored);
        zc_write_report again = {-1, -1};
        zc_clear_error();
        st = zc_run_write(run, &list, &out, &again);
        ZCF_CHECK(st == ZC_OK, "a resumed file does not resume again: %s", zc_last_error());
        ZCF_CHECK(again.scored == 0 && again.kept == rep.kept + rep.scored,
                  "resumed again: kept %d, scored %d (the first resume kept %d and scored %d)", again.kept,
                  again.scored, rep.kept, rep.scored);
    }
    free(text);
    return 0;
}
