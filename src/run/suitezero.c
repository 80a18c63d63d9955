/* NAS-Bench-Suite-Zero JSON out (zcnas/run.h): NASLib's zero-cost benchmark file, byte for byte as its
 * json.dump writes it, from a scoring run. The entries are gathered in memory and written once at the
 * end (a torn file is never left behind, and --resume is refused).
 *
 * What NASLib stores (naslib/predictors/zerocost.py, predictors/pruners/predictive.py,
 * runners/zc/benchmarks/runner.py): a NaN or infinite score becomes -1e8; synflow then becomes its
 * signed natural log; flops and params are in millions, flops counted by tensorwatch's model_stats on
 * the network (more than the multiply-accumulates zcnas' own `flops` reports); time is the seconds one
 * proxy took on one architecture; val_accuracy the benchmark's validation accuracy in percent. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"
#include "zcnas/bench_table.h"
#include "zcnas/net.h"
#include "zcnas/run.h"

/* ---------------------------------------------------------------- names and values */

static const char *const NAME_MAP[][2] = {   /* zcnas, NASLib */
    {"jacob_cov", "jacov"},
};
#define N_NAME_MAP (sizeof NAME_MAP / sizeof NAME_MAP[0])

const char *zc_suitezero_name(const char *zcnas_name)
{
    for (size_t i = 0; zcnas_name && i < N_NAME_MAP; i++)
        if (!strcmp(zcnas_name, NAME_MAP[i][0])) return NAME_MAP[i][1];
    return zcnas_name;
}

const char *zc_suitezero_zcnas_name(const char *naslib_name)
{
    for (size_t i = 0; naslib_name && i < N_NAME_MAP; i++)
        if (!strcmp(naslib_name, NAME_MAP[i][1])) return NAME_MAP[i][0];
    return naslib_name;
}

double zc_suitezero_value(const char *zcnas_name, double score)
{
    if (isnan(score) || isinf(score)) score = -1e8;   /* ZeroCost.query */
    if (!strcmp(zcnas_name, "synflow")) {
        if (score == 0.0) return score;
        return score > 0 ? log(score) : -log(-score);
    }
    if (!strcmp(zcnas_name, "params") || !strcmp(zcnas_name, "flops")) return score / 1e6;
    return score;
}

/* Python's float repr (the 'r' format: the shortest digits that read back, scientific notation when
 * the decimal point would sit more than 16 digits right or 4 zeros left of them), as json.dump writes
 * floats; NaN and infinities as its NaN / Infinity / -Infinity. */
void zc_suitezero_float(double v, char *buf, size_t size)
{
    if (isnan(v)) { snprintf(buf, size, "NaN"); return; }
    if (isinf(v)) { snprintf(buf, size, v > 0 ? "Infinity" : "-Infinity"); return; }
    if (v == 0) { snprintf(buf, size, signbit(v) ? "-0.0" : "0.0"); return; }
    char e[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, v);
        if (strtod(e, NULL) == v) break;
    }
    /* e = [-]d[.ddd]e[+-]xx: the digits and the position of the decimal point after the first one */
    const char *s = e;
    int neg = *s == '-';
    s += neg;
    char digits[24];
    int nd = 0;
    for (; *s && *s != 'e'; s++)
        if (*s != '.') digits[nd++] = *s;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    digits[nd] = '\0';
    int decpt = atoi(s + 1) + 1;   /* value = 0.digits x 10^decpt */
    char out[64];
    int o = 0;
    if (neg) out[o++] = '-';
    if (decpt <= -4 || decpt > 16) {
        out[o++] = digits[0];
        if (nd > 1) o += snprintf(out + o, sizeof out - (size_t)o, ".%s", digits + 1);
        int x = decpt - 1;
        snprintf(out + o, sizeof out - (size_t)o, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
    } else if (decpt <= 0) {
        o += snprintf(out + o, sizeof out - (size_t)o, "0.");
        for (int i = 0; i < -decpt; i++) out[o++] = '0';
        snprintf(out + o, sizeof out - (size_t)o, "%s", digits);
    } else if (decpt >= nd) {
        o += snprintf(out + o, sizeof out - (size_t)o, "%s", digits);
        for (int i = nd; i < decpt; i++) out[o++] = '0';
        snprintf(out + o, sizeof out - (size_t)o, ".0");
    } else {
        snprintf(out + o, sizeof out - (size_t)o, "%.*s.%s", decpt, digits, digits + decpt);
    }
    snprintf(buf, size, "%s", out);
}

/* ---------------------------------------------------------------- NASLib's flops */

zc_status zc_suitezero_flops(const zc_space_ctx *space, const void *arch, double *flops)
{
    zc_build_opts bo = {0, 1, 1, 0};
    zc_net *net = zc_space_build(space, arch, &bo);
    if (!net) return ZC_EINVAL;
    double total = 0;
    int n = zc_net_num_nodes(net);
    for (int i = 0; i < n; i++) {
        zc_node_info d, in;
        zc_net_node_info(net, i, &d);
        if (d.merged <= 0 || d.op == ZC_OP_INPUT) continue;   /* merged into another node (counted there) */
        zc_net_node_info(net, d.in[0], &in);
        double out_hw = (double)d.h * d.w, elems = (double)d.c * out_hw;
        switch (d.op) {
        case ZC_OP_CONV2D:   /* nn.Conv2d: k*k*C_in*(C_out/groups) per output position, + bias */
            total += (double)d.k * d.k * in.c * (double)(d.c / d.groups) * out_hw + (d.bias >= 0 ? elems : 0);
            break;
        case ZC_OP_LINEAR:   /* nn.Linear: in * out, the bias not counted */
            total += (double)in.c * in.h * in.w * d.c;
            break;
        case ZC_OP_BATCHNORM:
            total += elems * (d.affine ? 2 : 1);
            break;
        case ZC_OP_RELU:
        case ZC_OP_LEAKY_RELU:   /* one per module: merged nodes stand for several */
            total += elems * d.merged;
            break;
        case ZC_OP_AVGPOOL:
        case ZC_OP_MAXPOOL:   /* output elements x window */
            total += elems * d.k * d.k * d.merged;
            break;
        case ZC_OP_GAP:   /* AdaptiveAvgPool2d(1): tensorwatch counts (H + 1) (W + 1) per channel; a tiled
                             one is TransNAS-Bench-101's jigsaw decoder pooling the 9 tiles' concatenated maps */
            total += (double)in.c * (in.h + 1) * (in.w + 1) * d.merged * (d.tiles > 0 ? d.tiles : 1);
            break;
        default:   /* what tensorwatch does not count (sums, Zero, ConvTranspose2d, sigmoid, ...) */
            break;
        }
    }
    zc_net_free(net);
    *flops = total;
    return ZC_OK;
}

/* ---------------------------------------------------------------- the writer */

typedef struct sz_writer {
    FILE *f;                   /* the in-memory text */
    const zc_run_opts *o;
    const zc_arch_list *list;
    char **keys;               /* per list position */
    double *val;               /* val_accuracy per list position */
    double *flops;             /* NASLib's flops per list position (NULL: no flops proxy) */
    int written;
} sz_writer;

static void put_float(FILE *f, double v)
{
    char b[40];
    zc_suitezero_float(v, b, sizeof b);
    fputs(b, f);
}

static int on_entry(void *ctx, int i, const double *scores, const double *seconds)
{
    sz_writer *w = ctx;
    FILE *f = w->f;
    if (w->written++) fputs(", ", f);
    zci_json_string(f, w->keys[i]);
    fputs(": {\"id\": ", f);
    if (w->list->index[i] >= 0) fprintf(f, "%ld", w->list->index[i]);
    else fputs("null", f);
    for (int p = 0, slot = 0; p < w->o->n_proxies; p++) {
        const zc_proxy *px = w->o->proxies[p];
        for (int k = 0; k < zc_proxy_n_outputs(px); k++, slot++) {
            const char *name = zc_proxy_output(px, k);
            double s = scores[slot];
            if (w->flops && !strcmp(name, "flops")) s = w->flops[i];
            fputs(", ", f);
            zci_json_string(f, zc_suitezero_name(name));
            fputs(": {\"score\": ", f);
            put_float(f, zc_suitezero_value(name, s));
            fputs(", \"time\": ", f);
            put_float(f, seconds[p]);
            fputc('}', f);
        }
    }
    fputs(", \"val_accuracy\": ", f);
    put_float(f, w->val[i]);
    fputc('}', f);
    return ferror(f) ? 1 : 0;
}

/* The val_accuracy of every architecture of the list: column `column` of the space's benchmark table,
 * matched on the canonical arch string (NaN for an architecture the table lacks). */
static zc_status load_val(const zc_space_ctx *ctx, const zc_arch_list *list, const char *column, double *val)
{
    const zc_space *sp = ctx->space;
    char path[4096];
    zc_status st;
    if (!sp->bench_table && !ctx->cfg.bench_path)
        return zc_fail(ZC_EINVAL, "suitezero: %s has no benchmark table for val_accuracy", sp->name);
    if ((st = zc_data_bench_path(sp->bench_table ? sp->bench_table : "", ctx->cfg.bench_path, path, sizeof path)) != ZC_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", zc_last_error());
        return zc_fail(st, "suitezero: val_accuracy needs the benchmark table: %s", msg);
    }
    zc_bench_table t;
    if ((st = zc_bench_table_load_for(&t, path, sp->bench_rows)) != ZC_OK) return st;
    int col = zc_bench_table_col(&t, column);
    if (col < 0) {
        zc_bench_table_free(&t);
        return zc_fail(ZC_EDATA, "suitezero: %s has no column '%s' (NASLib's val_accuracy)", path, column);
    }
    if (!t.arch) {
        zc_bench_table_free(&t);
        return zc_fail(ZC_EDATA, "suitezero: %s has no arch column", path);
    }
    zci_strmap rows = {0};
    size_t cap = sp->str_max;
    char *buf = malloc(cap);
    void *a = calloc(1, sp->arch_size);
    st = buf && a ? ZC_OK : zc_fail(ZC_ENOMEM, "out of memory");
    for (int r = 0; st == ZC_OK && r < t.n_rows; r++) {
        if (zc_space_parse(ctx, t.arch[r], a) != ZC_OK || zc_space_format(ctx, a, buf, cap) != ZC_OK) {
            zc_clear_error();
            continue;   /* not an architecture of this space */
        }
        if (zci_strmap_put(&rows, buf, r) < 0) st = zc_fail(ZC_ENOMEM, "out of memory");
    }
    for (int i = 0; st == ZC_OK && i < list->n; i++) {
        double r;
        if ((st = zc_space_format(ctx, zc_arch_list_get(list, i), buf, cap)) != ZC_OK) break;
        val[i] = zci_strmap_get(&rows, buf, &r) ? t.values[(size_t)r * t.n_cols + col] : NAN;
    }
    zci_strmap_free(&rows);
    free(buf);
    free(a);
    zc_bench_table_free(&t);
    return st;
}

zc_status zc_suitezero_write(zc_run *r, const zc_arch_list *list, const zc_output *out, zc_write_report *rep)
{
    const zc_run_opts *o = zc_run_options(r);
    const zc_space_ctx *ctx = o->space;
    const zc_space *sp = ctx->space;
    zc_write_report local;
    if (!rep) rep = &local;
    memset(rep, 0, sizeof *rep);
    if (!sp->suitezero_space || !sp->suitezero_dataset || !sp->suitezero_key)
        return zc_fail(ZC_EINVAL, "suitezero: %s has no NAS-Bench-Suite-Zero convention (NASLib's files cover "
                                  "nb201 and tnb101-micro/-macro here): use csv or jsonl", sp->name);
    if (out->resume)
        return zc_fail(ZC_EINVAL, "suitezero files are written once at the end of the run and cannot be resumed "
                                  "(score with csv or jsonl to resume)");
    char dkey[128], column[128];
    zc_status st = sp->suitezero_dataset(ctx, o->dataset, dkey, sizeof dkey, column, sizeof column);
    if (st != ZC_OK) return st;
    /* NASLib's names of the columns, each once */
    zci_strmap names = {0};
    int has_flops = 0;
    for (int p = 0; st == ZC_OK && p < o->n_proxies; p++)
        for (int k = 0; st == ZC_OK && k < zc_proxy_n_outputs(o->proxies[p]); k++) {
            const char *name = zc_proxy_output(o->proxies[p], k);
            has_flops |= !strcmp(name, "flops");
            int added = zci_strmap_put(&names, zc_suitezero_name(name), 0);
            if (added < 0) st = zc_fail(ZC_ENOMEM, "out of memory");
            else if (!added || !strcmp(name, "id") || !strcmp(name, "val_accuracy"))
                st = zc_fail(ZC_EINVAL, "suitezero: two score columns would be named '%s'", zc_suitezero_name(name));
        }
    zci_strmap_free(&names);
    if (st != ZC_OK) return st;

    int n = list->n;
    sz_writer w = {NULL, o, list, calloc((size_t)(n ? n : 1), sizeof(char *)),
                   malloc((size_t)(n ? n : 1) * sizeof(double)),
                   has_flops ? malloc((size_t)(n ? n : 1) * sizeof(double)) : NULL, 0};
    uint64_t *streams = malloc((size_t)(n ? n : 1) * sizeof *streams);
    char *text = NULL;
    size_t text_len = 0;
    FILE *dst = NULL;
    zci_strmap seen = {0};
    if (!w.keys || !w.val || (has_flops && !w.flops) || !streams) st = zc_fail(ZC_ENOMEM, "out of memory");
    char key[256];
    for (int i = 0; st == ZC_OK && i < n; i++) {
        const void *a = zc_arch_list_get(list, i);
        if ((st = sp->suitezero_key(ctx, a, key, sizeof key)) != ZC_OK) break;
        int added = zci_strmap_put(&seen, key, i);
        if (added < 0) { st = zc_fail(ZC_ENOMEM, "out of memory"); break; }
        if (!added) {
            char s[512];
            zc_space_format(ctx, a, s, sizeof s);
            st = zc_fail(ZC_EINVAL, "suitezero: %s (key %s) is selected twice; a Suite-Zero file holds one entry per "
                                    "architecture", s, key);
            break;
        }
        if (!(w.keys[i] = strdup(key))) { st = zc_fail(ZC_ENOMEM, "out of memory"); break; }
        if (w.flops && (st = zc_suitezero_flops(ctx, a, &w.flops[i])) != ZC_OK) break;
        streams[i] = zc_space_stream(ctx, a);
    }
    if (st == ZC_OK) st = load_val(ctx, list, column, w.val);
    /* the output opens before the scoring: an unwritable path fails at once */
    if (st == ZC_OK) {
        dst = out->path ? zci_whole_open(out->path, "w") : stdout;   /* the file appears whole or not at all */
        if (!dst) st = ZC_EIO;
    }
    if (st == ZC_OK && !(w.f = open_memstream(&text, &text_len))) st = zc_fail(ZC_ENOMEM, "out of memory");
    if (st == ZC_OK) {
        fputc('{', w.f);
        zci_json_string(w.f, dkey);
        fputs(": {", w.f);
        st = zc_run_score(r, list->archs, n, streams, on_entry, &w);
        fputs("}}", w.f);
        if (fclose(w.f) != 0 && st == ZC_OK) st = zc_fail(ZC_ENOMEM, "out of memory for the output");
        w.f = NULL;
    }
    if (st == ZC_OK) {
        if (fwrite(text, 1, text_len, dst) != text_len || (!out->path && fputc('\n', dst) == EOF) || fflush(dst) != 0)
            st = zc_fail(ZC_EIO, "cannot write the output: %s", strerror(errno));
        else rep->scored = n;
    }
    if (dst && out->path) {
        if (st == ZC_OK) st = zci_whole_close(dst, out->path);
        else zci_whole_abort(dst, out->path);
    }
    if (w.f) fclose(w.f);
    free(text);
    zci_strmap_free(&seen);
    for (int i = 0; w.keys && i < n; i++) free(w.keys[i]);
    free(w.keys);
    free(w.val);
    free(w.flops);
    free(streams);
    return st;
}
