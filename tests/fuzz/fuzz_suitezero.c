/* Fuzzes the NAS-Bench-Suite-Zero JSON reader (src/eval/suitezero_read.c, zc_suitezero_parse_text, the
 * text zc_suitezero_read reads from a file): the first byte picks the space and dataset (nb201 on cifar10,
 * cifar100 or ImageNet16-120; tnb101-micro on class_scene; tnb101-macro on normal), the rest is the JSON.
 * Asserts: a failure leaves an error message and no table; a table has columns index and arch first,
 * val_accuracy (if any) last, at least one row, every arch the canonical string of an architecture of
 * the space, distinct architectures and distinct non-negative indices. */
#include "fuzz_common.h"
#include "zcnas/eval.h"
#include "zcnas/space.h"

static zc_space_ctx *ctxs[3];
static const char *const NB201_DATASETS[3] = {NULL, "cifar100", "imagenet16"};

static void setup(void)
{
    unsetenv(ZC_DATA_ENV);
    zc_space_config normal = {0};
    normal.task = "normal";
    ZCF_SETUP(zc_space_open(zc_space_find("nb201"), NULL, &ctxs[0]) == ZC_OK, "nb201");
    ZCF_SETUP(zc_space_open(zc_space_find("tnb101-micro"), NULL, &ctxs[1]) == ZC_OK, "tnb101-micro");
    ZCF_SETUP(zc_space_open(zc_space_find("tnb101-macro"), &normal, &ctxs[2]) == ZC_OK, "tnb101-macro");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctxs[0]) setup();
    if (size < 1) return 0;
    const zc_space_ctx *ctx = ctxs[data[0] % 3];
    const char *dataset = ctx == ctxs[0] ? NB201_DATASETS[data[0] / 3 % 3] : NULL;
    /* An exact-size copy: a read past the text is a finding. */
    char *text = malloc(size - 1 ? size - 1 : 1);
    ZCF_SETUP(text, "allocation");
    memcpy(text, data + 1, size - 1);
    zc_bench_table t;
    zc_clear_error();
    zc_status st = zc_suitezero_parse_text(&t, text, size - 1, "fuzz.json", ctx, dataset);
    free(text);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_suitezero_parse_text");
    if (st != ZC_OK) {
        ZCF_CHECK(!t.col_names && !t.arch && !t.values && !t.index && !t.n_rows, "a failed read leaves a table");
        return 0;
    }
    const zc_space *sp = ctx->space;
    ZCF_CHECK(t.n_rows >= 1 && t.n_cols >= 2 && zc_bench_table_col(&t, "index") == 0 &&
                  zc_bench_table_col(&t, "arch") == 1 && t.arch && t.index && t.values,
              "table of %d rows, %d columns", t.n_rows, t.n_cols);
    int cv = zc_bench_table_col(&t, "val_accuracy");
    ZCF_CHECK(cv < 0 || cv == t.n_cols - 1, "val_accuracy is column %d of %d", cv, t.n_cols);
    unsigned char *a = calloc(1, sp->arch_size);
    char *canon = malloc(sp->str_max);
    ZCF_SETUP(a && canon, "allocation");
    for (int r = 0; r < t.n_rows; r++) {
        ZCF_CHECK(t.arch[r] && zc_space_parse(ctx, t.arch[r], a) == ZC_OK &&
                      zc_space_format(ctx, a, canon, sp->str_max) == ZC_OK && !strcmp(canon, t.arch[r]),
                  "row %d: arch '%.100s' is not canonical", r, t.arch[r] ? t.arch[r] : "(null)");
        for (int q = 0; q < r; q++) {
            ZCF_CHECK(strcmp(t.arch[q], t.arch[r]), "rows %d and %d: the same architecture %s", q, r, t.arch[r]);
            ZCF_CHECK(t.index[r] < 0 || t.index[q] != t.index[r], "rows %d and %d: the same index %d", q, r, t.index[r]);
        }
    }
    free(a);
    free(canon);
    zc_bench_table_free(&t);
    return 0;
}
