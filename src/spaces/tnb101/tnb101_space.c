/* TransNAS-Bench-101 micro and macro as zcnas spaces (zcnas/space.h). The benchmark's index is
 * NASLib's enumeration (naslib_idx), read from benchmarks/tnb101_macro_micro_val.csv, which also holds
 * the final-epoch validation metric of every architecture on the seven tasks. `--task` picks the head,
 * the loss and the data (default class_scene, the first task). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spaces/tnb101/tnb101.h"
#include "zcnas/bench_table.h"

typedef struct tnb_priv {
    int *index_of;   /* systematic code -> benchmark index (-1: none) */
    int *code_of;    /* benchmark index -> code */
    int size;
} tnb_priv;

static int is_macro(const zc_space_ctx *ctx) { return !strcmp(ctx->space->name, "tnb101-macro"); }
static int space_size(int macro) { return macro ? ZC_TNB_MACRO_SIZE : ZC_TNB_MICRO_SIZE; }

static zc_status tnb_open(zc_space_ctx *ctx)
{
    int macro = is_macro(ctx);
    /* jigsaw's default input is the benchmark's 64 x 64 tile */
    if (ctx->task == ZC_TNB_JIGSAW && ctx->cfg.resolution == ctx->space->resolution) ctx->cfg.resolution = 64;
    char path[4096];
    if (zc_data_bench_path(ctx->space->bench_table, ctx->cfg.bench_path, path, sizeof path) != ZC_OK)
        return ctx->cfg.need_index ? ZC_EIO : ZC_OK;   /* arch strings need no table */
    zc_bench_table t;
    zc_status st = zc_bench_table_load_for(&t, path, ctx->space->bench_rows);
    if (st != ZC_OK) return st;
    int n = space_size(macro);
    if (t.n_rows != n) {
        zc_bench_table_free(&t);
        return zc_fail(ZC_EDATA, "%s: %d %s architectures, expected %d (truncated?)", path, t.n_rows, ctx->space->name, n);
    }
    tnb_priv *p = calloc(1, sizeof *p);
    if (p) { p->index_of = malloc((size_t)n * sizeof(int)); p->code_of = malloc((size_t)n * sizeof(int)); }
    if (!p || !p->index_of || !p->code_of) {
        if (p) { free(p->index_of); free(p->code_of); }
        free(p);
        zc_bench_table_free(&t);
        return zc_fail(ZC_ENOMEM, "%s: out of memory", ctx->space->name);
    }
    memset(p->index_of, 0xff, (size_t)n * sizeof(int));
    p->size = n;
    for (int r = 0; r < n && st == ZC_OK; r++) {
        zc_tnb_arch a;
        if ((st = zc_tnb_parse(macro, t.arch[r], &a)) != ZC_OK) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", zc_last_error());
            st = zc_fail(ZC_EDATA, "%s: index %d: %s", path, r, msg);
            break;
        }
        int code = zc_tnb_code(&a);
        if (p->index_of[code] >= 0) st = zc_fail(ZC_EDATA, "%s: %s has indices %d and %d", path, t.arch[r], p->index_of[code], r);
        p->index_of[code] = r;
        p->code_of[r] = code;
    }
    zc_bench_table_free(&t);
    if (st != ZC_OK) {
        free(p->index_of);
        free(p->code_of);
        free(p);
        return st;
    }
    ctx->priv = p;
    ctx->has_index = 1;
    return ZC_OK;
}

static void tnb_close(zc_space_ctx *ctx)
{
    tnb_priv *p = ctx->priv;
    if (p) { free(p->index_of); free(p->code_of); }
    free(p);
    ctx->priv = NULL;
}

static zc_status tnb_parse(const zc_space_ctx *ctx, const char *s, void *arch)
{
    return zc_tnb_parse(is_macro(ctx), s, arch);
}

static zc_status tnb_format(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size)
{
    (void)ctx;
    zc_tnb_format(arch, buf, size);
    return ZC_OK;
}

static long long tnb_size(const zc_space_ctx *ctx) { return space_size(is_macro(ctx)); }

static long tnb_index_of(const zc_space_ctx *ctx, const void *arch)
{
    const tnb_priv *p = ctx->priv;
    return p ? p->index_of[zc_tnb_code(arch)] : -1;
}

static zc_status tnb_from_index(const zc_space_ctx *ctx, long index, void *arch)
{
    const tnb_priv *p = ctx->priv;
    if (!p) return zc_fail(ZC_EINVAL, "%s: index %ld needs the benchmark table", ctx->space->name, index);
    if (index < 0 || index >= p->size)
        return zc_fail(ZC_EINVAL, "%s: index %ld out of range 0..%d", ctx->space->name, index, p->size - 1);
    zc_tnb_from_code(is_macro(ctx), p->code_of[index], arch);
    return ZC_OK;
}

static void tnb_sample(const zc_space_ctx *ctx, zc_rng *rng, void *arch)
{
    int macro = is_macro(ctx);
    zc_tnb_from_code(macro, (int)zc_rng_below(rng, (uint64_t)space_size(macro)), arch);
}

/* micro: one edge's op replaced by another of the four; macro: one layer's digit replaced by another
 * of 1..4, or a layer added or removed, drawn until the skeleton is in the benchmark. */
static zc_status tnb_mutate(const zc_space_ctx *ctx, const void *arch, int strength, zc_rng *rng, void *child)
{
    zc_tnb_arch a = *(const zc_tnb_arch *)arch;
    for (int k = 0; k < (strength > 0 ? strength : 1); k++) {
        if (!is_macro(ctx)) {
            int pos = (int)zc_rng_below(rng, 6), v = (int)zc_rng_below(rng, 3);
            a.d[pos] = (uint8_t)(v >= a.d[pos] ? v + 1 : v);
            continue;
        }
        zc_tnb_arch t;
        do {
            t = a;
            int kind = (int)zc_rng_below(rng, 3);
            if (kind == 0 || (kind == 1 && t.n == 6) || (kind == 2 && t.n == 4)) {
                int pos = (int)zc_rng_below(rng, t.n), v = (int)zc_rng_below(rng, 3) + 1;
                t.d[pos] = (uint8_t)(v >= t.d[pos] ? v + 1 : v);
            } else if (kind == 1) {
                int pos = (int)zc_rng_below(rng, (uint64_t)t.n + 1);
                memmove(t.d + pos + 1, t.d + pos, (size_t)(t.n - pos));
                t.d[pos] = (uint8_t)(zc_rng_below(rng, 4) + 1);
                t.n++;
            } else {
                int pos = (int)zc_rng_below(rng, t.n);
                memmove(t.d + pos, t.d + pos + 1, (size_t)(t.n - pos - 1));
                t.d[--t.n] = 0;
            }
        } while (!zc_tnb_macro_valid(&t) || !memcmp(&t, &a, sizeof t));
        a = t;
    }
    *(zc_tnb_arch *)child = a;
    return ZC_OK;
}

static zc_net *tnb_build(const zc_space_ctx *ctx, const void *arch, const zc_build_opts *o)
{
    return zc_tnb_build(arch, (zc_tnb_task)ctx->task, ctx->cfg.resolution, o);
}

static void tnb_info(const zc_space_ctx *ctx, const void *arch, FILE *f)
{
    zc_tnb_describe(arch, (zc_tnb_task)ctx->task, ctx->cfg.resolution, f);
}

static uint64_t tnb_stream(const zc_space_ctx *ctx, const void *arch)
{
    char s[64];
    tnb_format(ctx, arch, s, sizeof s);
    return zc_space_hash(s);
}

/* ---- NAS-Bench-Suite-Zero (zc_transbench101_micro.json / _macro.json): one top-level key per task, the
 * task's final validation metric as val_accuracy; keys str(tuple(op_indices)): micro the six edge ops
 * (0 none, 1 skip, 2 conv1x1, 3 conv3x3) in arch-string order, macro the layer digits zero-padded to six. */
static zc_status tnb_suitezero_dataset(const zc_space_ctx *ctx, const char *dataset, char *key, size_t key_size,
                                       char *column, size_t column_size)
{
    (void)dataset;   /* the task is the dataset */
    zc_space_task_name(ctx, key, key_size);
    zc_space_task_name(ctx, column, column_size);
    return ZC_OK;
}

static zc_status tnb_suitezero_key(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size)
{
    const zc_tnb_arch *a = arch;
    int v[6] = {0};
    for (int i = 0; i < a->n && i < 6; i++) v[i] = a->d[i];
    int n = snprintf(buf, size, "(%d, %d, %d, %d, %d, %d)", v[0], v[1], v[2], v[3], v[4], v[5]);
    return n > 0 && (size_t)n < size ? ZC_OK : zc_fail(ZC_EINVAL, "%s: key buffer too small", ctx->space->name);
}

static zc_status tnb_suitezero_parse(const zc_space_ctx *ctx, const char *key, void *arch)
{
    return zc_tnb_parse(is_macro(ctx), key, arch);
}

#define TNB_COMMON                                                                                                     \
    .arch_size = sizeof(zc_tnb_arch), .str_max = 64, .bench_table = "tnb101_macro_micro_val.csv",                      \
    .dataset = "taskonomy", .resolution = 256, .num_classes = 63, .target = "%s",                                      \
    .reported_note = "ZiCo paper Table 5: TransNAS-Bench-101-Micro against each task's final validation metric "       \
                     "(SSIM for autoencoder and normal, top-1 for scene and jigsaw).",                                 \
    .open = tnb_open, .close = tnb_close, .parse = tnb_parse, .format = tnb_format, .size = tnb_size,                   \
    .index_of = tnb_index_of, .from_index = tnb_from_index, .sample = tnb_sample, .mutate = tnb_mutate,                \
    .build = tnb_build, .cost = zc_space_network_cost, .info = tnb_info, .stream = tnb_stream,                         \
    .tasks = ZC_TNB_TASK_LIST, .load_batches = zc_tnb_load_batches,                                                   \
    .suitezero_dataset = tnb_suitezero_dataset, .suitezero_key = tnb_suitezero_key,                                    \
    .suitezero_parse = tnb_suitezero_parse

const zc_space zc_space_tnb101_micro = {
    .name = "tnb101-micro",
    .aliases = "transbench101_micro,tnb101_micro,transnas-micro",
    .title = "TransNAS-Bench-101 micro: 4,096 cells 64-41414-a_bc_def (ops 0..3) on 7 Taskonomy tasks",
    .bench_rows = "space=transbench101_micro;naslib_idx;arch_str;task;val_value",
    .suitezero_space = "transbench101_micro",
    TNB_COMMON,
};

const zc_space zc_space_tnb101_macro = {
    .name = "tnb101-macro",
    .aliases = "transbench101_macro,tnb101_macro,transnas-macro",
    .title = "TransNAS-Bench-101 macro: 3,256 residual skeletons 64-<4..6 digits 1..4>-basic on 7 Taskonomy tasks",
    .bench_rows = "space=transbench101_macro;naslib_idx;arch_str;task;val_value",
    .suitezero_space = "transbench101_macro",
    TNB_COMMON,
};
