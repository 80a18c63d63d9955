/* `zcnas reproduce`'s report: every proxy of a scoring run evaluated against the benchmark target on
 * the selection, beside the values the papers report (data/papers/reported.csv, compiled in), as a
 * terminal table, stats.csv, SVG figures, a correlation matrix and report.md. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"
#include "zcnas/eval.h"
#include "zcnas/proxy.h"
#include "zcnas/run.h"
#include "zcnas/space.h"
#include "zcnas/stats.h"

/* ---- the papers' numbers ---- */
typedef struct reported {
    char proxy[32], space[32], dataset[32], metric[32], value[32], source[160];
} reported;

/* Truncating copy. */
static void copy_field(char *dst, size_t size, const char *src)
{
    size_t k = strlen(src);
    if (k >= size) k = size - 1;
    memcpy(dst, src, k);
    dst[k] = '\0';
}

static int load_reported(reported **out, int *count)
{
    *out = NULL;
    *count = 0;
    FILE *f = fmemopen((void *)zc_papers_reported_csv, zc_papers_reported_csv_len, "r");
    if (!f) return -1;
    char line[1024];
    int cap = 0, n = 0, lineno = 0;
    reported *v = NULL;
    while (fgets(line, sizeof line, f)) {
        if (++lineno == 1) continue;   /* header */
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line) continue;
        char *field[6];
        int k = 0;
        char *p = line;
        for (; k < 5; k++) {
            field[k] = p;
            char *c = strchr(p, ',');
            if (!c) break;
            *c = '\0';
            p = c + 1;
        }
        if (k < 5) continue;   /* malformed: skipped */
        field[5] = p;          /* the source may hold commas */
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            reported *nv = realloc(v, (size_t)cap * sizeof *nv);
            if (!nv) break;
            v = nv;
        }
        reported *r = &v[n++];
        copy_field(r->proxy, sizeof r->proxy, field[0]);
        copy_field(r->space, sizeof r->space, field[1]);
        copy_field(r->dataset, sizeof r->dataset, field[2]);
        copy_field(r->metric, sizeof r->metric, field[3]);
        copy_field(r->value, sizeof r->value, field[4]);
        copy_field(r->source, sizeof r->source, field[5]);
    }
    fclose(f);
    *out = v;
    *count = n;
    return 0;
}

/* The first N_PAPER metrics are the ones the papers report: they get a "paper" column. */
enum { N_METRICS = 9, N_PAPER = 6 };
static const char *const metric_key[N_METRICS] = {"spearman", "kendall", "spearman_top10", "kendall_top10",
                                                  "top10_top10", "top64_top5", "pearson", "precision_at_k",
                                                  "ndcg_at_k"};
static const char *const metric_title[N_METRICS] = {"spearman", "kendall", "spearman top10", "kendall top10",
                                                    "top10/top10 %", "top64/top5", "pearson", "P@k", "nDCG@k"};
static const char *const metric_md[N_METRICS] = {"Spearman ρ", "Kendall τ", "ρ top-10%", "τ top-10%",
                                                 "top-10%/top-10% (%)", "top-64 in top-5%", "Pearson r", "P@k",
                                                 "nDCG@k"};

static double metric_value(const zc_eval_result *r, int m)
{
    switch (m) {
    case 0: return r->spearman;
    case 1: return r->kendall;
    case 2: return r->spearman_top10;
    case 3: return r->kendall_top10;
    case 4: return r->top10_top10;
    case 5: return r->top64_top5;
    case 6: return r->pearson;
    case 7: return r->precision_at_k;
    default: return r->ndcg_at_k;
    }
}

static void format_metric(char *buf, size_t size, double v, int m)
{
    if (isnan(v)) snprintf(buf, size, "-");
    else snprintf(buf, size, "%.*f", m == 5 ? 0 : m == 4 ? 2 : 3, v);
}

/* The papers' dataset for this run: the space's fixed one (NAS-Bench-NLP: PTB) or the run's. */
static const char *reported_dataset(const zc_reproduce *r)
{
    return r->space_ctx->space->reported_dataset ? r->space_ctx->space->reported_dataset : r->dataset;
}

/* The first reported value for (proxy, nb201, dataset, metric), or NULL. */
static const reported *find_reported(const reported *rep, int n_rep, const char *proxy, const char *space,
                                     const char *dataset, const char *metric)
{
    for (int i = 0; i < n_rep; i++)
        if (!strcmp(rep[i].proxy, proxy) && !strcmp(rep[i].space, space) && !strcmp(rep[i].dataset, dataset) &&
            !strcmp(rep[i].metric, metric))
            return &rep[i];
    return NULL;
}

/* Sources get numbers [1], [2], ... in order of first use. */
typedef struct sources {
    const char *name[32];
    int n;
} sources;

static int source_id(sources *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->name[i], name)) return i + 1;
    if (s->n == 32) return 0;
    s->name[s->n++] = name;
    return s->n;
}


static double mean_finite(const double *v, int n)
{
    double s = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) { s += v[i]; k++; }
    return k ? s / k : NAN;
}

typedef struct proxy_result {
    const char *name;
    zc_eval_result r;
    double seconds;       /* mean seconds per architecture */
    double *score;        /* per row of the evaluated set */
} proxy_result;

/* "P@k and nDCG@k: k = ...": the default k is 10% of each proxy's n, which NaN scores can make differ. */
static void describe_top_k(char *buf, size_t size, const zc_reproduce *r, const proxy_result *res, int n_res)
{
    size_t lo = n_res ? res[0].r.top_k : 0, hi = lo;
    for (int p = 1; p < n_res; p++) {
        if (res[p].r.top_k < lo) lo = res[p].r.top_k;
        if (res[p].r.top_k > hi) hi = res[p].r.top_k;
    }
    if (r->eval.top_k) snprintf(buf, size, "P@k and nDCG@k: k = %d", r->eval.top_k);
    else if (lo == hi) snprintf(buf, size, "P@k and nDCG@k: k = %zu (10%% of n)", lo);
    else snprintf(buf, size, "P@k and nDCG@k: k = 10%% of each proxy's n (%zu to %zu)", lo, hi);
}

/* Report files are written whole (util/whole_file.c): a failed run leaves no half-written one. */
static zc_status open_out(FILE **f, char *path, size_t cap, const char *dir, const char *name)
{
    snprintf(path, cap, "%s/%s", dir, name);
    return (*f = zci_whole_open(path, "w")) ? ZC_OK : ZC_EIO;
}

static zc_status close_out(FILE *f, const char *path) { return zci_whole_close(f, path); }

/* The row of scores of each selected architecture (scores.csv may hold rows of earlier runs): matched
 * on the benchmark index when every selected architecture has one, else on the canonical string. */
static zc_status select_rows(const zc_reproduce *r, const zc_bench_table *scores, int **rows_out, int *m_out)
{
    const zc_arch_list *sel = r->selected;
    const zc_space_ctx *ctx = r->space_ctx;
    int by_index = 1;
    for (int i = 0; i < sel->n; i++) by_index &= sel->index[i] >= 0;
    char **keys = NULL, *buf = malloc(ctx->space->str_max + 32);
    int *rows = malloc((size_t)(sel->n ? sel->n : 1) * sizeof *rows), m = 0;
    zci_strmap at = {0};
    zc_status st = buf && rows ? zc_row_keys(scores, r->scores_path, NULL, by_index, &keys) : zc_fail(ZC_ENOMEM, "out of memory");
    for (int k = 0; st == ZC_OK && k < scores->n_rows; k++)
        if (keys[k] && zci_strmap_put(&at, keys[k], (double)k) < 0) st = zc_fail(ZC_ENOMEM, "out of memory");
    for (int i = 0; st == ZC_OK && i < sel->n; i++) {
        if (by_index) snprintf(buf, 32, "#%ld", sel->index[i]);
        else if ((st = zc_space_format(ctx, zc_arch_list_get(sel, i), buf, ctx->space->str_max + 32)) != ZC_OK) break;
        double k;
        if (zci_strmap_get(&at, buf, &k)) rows[m++] = (int)k;
    }
    zci_strmap_free(&at);
    zc_row_keys_free(keys, scores->n_rows);
    free(buf);
    if (st == ZC_OK && m != sel->n)
        st = zc_fail(ZC_EDATA, "%s holds %d of the %d selected architectures", r->scores_path, m, sel->n);
    if (st != ZC_OK) { free(rows); return st; }
    *rows_out = rows;
    *m_out = m;
    return ZC_OK;
}

zc_status zc_reproduce_report(const zc_reproduce *r, FILE *out)
{
    zc_bench_table scores, bench;
    memset(&scores, 0, sizeof scores);
    memset(&bench, 0, sizeof bench);
    proxy_result *res = NULL;
    reported *rep = NULL;
    double *tgt = NULL, *all_tgt = NULL, *tmp = NULL, *matrix = NULL;
    int *rows = NULL, n_rep = 0, n_res = 0, m = 0, tcol, n_agg = 0;
    char path[4200];
    FILE *f = NULL;
    zc_status st = zc_bench_table_load_for(&bench, r->bench_path, r->space_ctx->space->bench_rows);
    if (st == ZC_OK) st = zc_table_find(&bench, r->bench_path, "target", r->target, &tcol);
    if (st == ZC_OK) st = zc_scores_load(&scores, r->scores_path);
    if (st == ZC_OK) st = select_rows(r, &scores, &rows, &m);
    if (st == ZC_OK) {   /* aggregates rank over the selection (scores.csv may hold more rows) */
        unsigned char *mask = calloc((size_t)(scores.n_rows ? scores.n_rows : 1), 1);
        if (!mask) st = zc_fail(ZC_ENOMEM, "out of memory");
        for (int i = 0; mask && i < m; i++) mask[rows[i]] = 1;
        if (st == ZC_OK) st = zc_scores_add_aggregates(&scores, mask, &n_agg);   /* the last n_agg columns */
        free(mask);
    }
    if (st == ZC_OK) {
        all_tgt = malloc((size_t)scores.n_rows * sizeof *all_tgt);
        tgt = malloc((size_t)m * sizeof *tgt);
        tmp = malloc((size_t)m * sizeof *tmp);
        res = calloc((size_t)(r->n_proxies + n_agg ? r->n_proxies + n_agg : 1), sizeof *res);
        if (!all_tgt || !tgt || !tmp || !res) st = zc_fail(ZC_ENOMEM, "out of memory");
    }
    if (st == ZC_OK) st = zc_scores_join(&scores, r->scores_path, &bench, r->bench_path, r->space_ctx, tcol, all_tgt, NULL);
    for (int i = 0; st == ZC_OK && i < m; i++) tgt[i] = all_tgt[rows[i]];
    for (int p = 0; st == ZC_OK && p < r->n_proxies + n_agg; p++) {
        proxy_result *pr = &res[n_res++];
        pr->name = p < r->n_proxies ? r->proxies[p] : scores.col_names[scores.n_cols - n_agg + p - r->n_proxies];
        if (!(pr->score = malloc((size_t)m * sizeof *pr->score))) { st = zc_fail(ZC_ENOMEM, "out of memory"); break; }
        int c;
        if ((st = zc_table_find(&scores, r->scores_path, "score", pr->name, &c)) != ZC_OK) break;
        /* its time: the proxy's, the proxy's that writes this sub-score, or an aggregate's proxies' */
        const char *from[8] = {pr->name};
        int n_from = 1;
        const zc_aggregate *agg = zc_aggregate_find(pr->name);
        for (int k = 0; agg && agg->needs[k] && k < 8; k++) from[k] = agg->needs[k], n_from = k + 1;
        for (const zc_proxy *const *px = zc_proxy_all(); !agg && *px; px++)
            for (int k = 0; (*px)->outputs && k < zc_proxy_n_outputs(*px); k++)
                if (!strcmp(zc_proxy_output(*px, k), pr->name)) from[0] = (*px)->name;
        for (int i = 0; i < m; i++) pr->score[i] = scores.values[(size_t)rows[i] * scores.n_cols + c];
        pr->seconds = 0.0;
        for (int k = 0; k < n_from; k++) {
            char sec_name[96];
            snprintf(sec_name, sizeof sec_name, "%s_seconds", from[k]);
            int cs = zc_bench_table_col(&scores, sec_name);
            for (int i = 0; i < m; i++) tmp[i] = cs >= 0 ? scores.values[(size_t)rows[i] * scores.n_cols + cs] : NAN;
            pr->seconds += mean_finite(tmp, m);
        }
        st = zc_evaluate(pr->score, tgt, (size_t)m, &r->eval, &pr->r);
    }
    if (st != ZC_OK) goto done;

    /* ---- the papers' numbers ---- */
    if (load_reported(&rep, &n_rep) != 0)
        fprintf(stderr, "zcnas: cannot read the papers' numbers: %s (paper columns left empty)\n", strerror(errno));
    sources src = {{0}, 0};
    const char *nan_text = r->eval.nan_policy == ZC_NAN_WORST ? "ranked last" : "excluded (the papers' choice)";

    /* ---- terminal table ---- */
    int w = 7;
    for (int p = 0; p < n_res; p++)
        if ((int)strlen(res[p].name) > w) w = (int)strlen(res[p].name);
    char top_k[96];
    describe_top_k(top_k, sizeof top_k, r, res, n_res);
    fprintf(out, "\n%d architectures, target %s; NaN scores %s; %s; 'paper' = reported value [source below]\n\n",
            m, r->target, nan_text, top_k);
    fprintf(out, "%*s  %5s  %5s", w, "", "", "");
    for (int k = 0; k < N_METRICS; k++) fprintf(out, k < N_PAPER ? "  %-17s" : "  %7s", metric_title[k]);
    fprintf(out, "\n%-*s  %5s  %5s", w, "proxy", "n", "NaN");
    for (int k = 0; k < N_METRICS; k++) {
        if (k < N_PAPER) fprintf(out, "  %7s %-9s", "ours", "paper");
        else fprintf(out, "  %7s", "ours");
    }
    fprintf(out, "  %8s\n", "s/arch");
    for (int p = 0; p < n_res; p++) {
        fprintf(out, "%-*s  %5zu  %5zu", w, res[p].name, res[p].r.n, res[p].r.n_nan_score);
        for (int k = 0; k < N_METRICS; k++) {
            char ours[32], paper[64] = "-";
            format_metric(ours, sizeof ours, metric_value(&res[p].r, k), k);
            if (k >= N_PAPER) { fprintf(out, "  %7s", ours); continue; }
            const reported *rp = find_reported(rep, n_rep, res[p].name, r->space_ctx->space->name, reported_dataset(r), metric_key[k]);
            if (rp) snprintf(paper, sizeof paper, "%s [%d]", rp->value, source_id(&src, rp->source));
            fprintf(out, "  %7s %-9s", ours, paper);
        }
        if (isnan(res[p].seconds)) fprintf(out, "  %8s\n", "-");
        else fprintf(out, "  %8.4f\n", res[p].seconds);
    }
    fprintf(out, "\n");
    for (int i = 0; i < src.n; i++) fprintf(out, "[%d] %s\n", i + 1, src.name[i]);
    if (src.n && r->space_ctx->space->reported_note)
        fprintf(out, "(%s Top64/top5 grows with the sample size. Details: data/papers/README.md)\n",
                r->space_ctx->space->reported_note);
    for (int i = 0; i < r->n_skipped; i++) fprintf(out, "skipped: %s\n", r->skipped[i]);

    /* ---- stats.csv ---- */
    if ((st = open_out(&f, path, sizeof path, r->dir, "stats.csv")) != ZC_OK) goto done;
    {
        zc_eval_row *er = malloc((size_t)(n_res ? n_res : 1) * sizeof *er);
        if (!er) { zci_whole_abort(f, path); st = zc_fail(ZC_ENOMEM, "out of memory"); goto done; }
        for (int p = 0; p < n_res; p++) { er[p].proxy = res[p].name; er[p].r = res[p].r; }
        zc_eval_print_csv(f, er, n_res);
        free(er);
    }
    if ((st = close_out(f, path)) != ZC_OK) goto done;

    /* ---- figures ---- */
    for (int p = 0; p < n_res && st == ZC_OK; p++) {
        snprintf(path, sizeof path, "%s/scatter_%s.svg", r->dir, res[p].name);
        st = zc_svg_scatter(path, res[p].name, r->target, res[p].score, tgt, m, &res[p].r);
    }
    if (st != ZC_OK) goto done;
    int k = n_res + 1;
    const char **names = malloc((size_t)k * sizeof *names);
    const double **vec = malloc((size_t)k * sizeof *vec);
    matrix = malloc((size_t)k * k * sizeof *matrix);
    if (!names || !vec || !matrix) {
        free(names);
        free(vec);
        st = zc_fail(ZC_ENOMEM, "out of memory");
        goto done;
    }
    for (int p = 0; p < n_res; p++) { names[p] = res[p].name; vec[p] = res[p].score; }
    names[n_res] = r->target;
    vec[n_res] = tgt;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) matrix[(size_t)i * k + j] = zc_correlate(vec[i], vec[j], (size_t)m).spearman;
    free(vec);
    if ((st = open_out(&f, path, sizeof path, r->dir, "correlation_matrix.csv")) != ZC_OK) { free(names); goto done; }
    fprintf(f, "proxy");
    for (int j = 0; j < k; j++) fprintf(f, ",%s", names[j]);
    fputc('\n', f);
    for (int i = 0; i < k; i++) {
        fprintf(f, "%s", names[i]);
        for (int j = 0; j < k; j++) {
            double v = matrix[(size_t)i * k + j];
            if (isnan(v)) fprintf(f, ",nan");
            else fprintf(f, ",%.6f", v);
        }
        fputc('\n', f);
    }
    if ((st = close_out(f, path)) != ZC_OK) { free(names); goto done; }
    snprintf(path, sizeof path, "%s/correlation_matrix.svg", r->dir);
    char title[256];
    snprintf(title, sizeof title, "Spearman between proxies, %d archs (NaN pairs left out)", m);
    st = zc_svg_matrix(path, title, names, matrix, k);
    free(names);
    if (st != ZC_OK) goto done;

    /* ---- report.md ---- */
    if ((st = open_out(&f, path, sizeof path, r->dir, "report.md")) != ZC_OK) goto done;
    fprintf(f, "# zcnas reproduce: %s, %s\n\n", r->space_ctx->space->name, r->dataset);
    fprintf(f, "- command: `%s`\n", r->command ? r->command : "zcnas reproduce");
    fprintf(f, "- architectures: %s; target `%s` of `%s`\n", r->selection ? r->selection : "-", r->target,
            r->bench_path);
    fprintf(f, "- data: %s from `%s`\n", r->dataset, r->images ? r->images : "-");
    if (r->settings) fprintf(f, "- settings: %s\n", r->settings);
    fprintf(f, "- NaN scores: %s\n", nan_text);
    fprintf(f, "- %s\n", top_k);
    for (int i = 0; i < r->n_skipped; i++) fprintf(f, "- skipped: %s\n", r->skipped[i]);
    fprintf(f, "\n## Results\n\n\"paper\" is the value reported for %s / %s; the number in brackets is its "
               "source (below). \"-\": not reported, or undefined for this sample (top-64 needs more than 64 "
               "architectures).\n\n", r->space_ctx->space->name, reported_dataset(r));
    fprintf(f, "| proxy | n | NaN scores |");
    for (int q = 0; q < N_METRICS; q++) fprintf(f, q < N_PAPER ? " %s | paper |" : " %s |", metric_md[q]);
    fprintf(f, " s/arch |\n|---|---:|---:|");
    for (int q = 0; q < N_METRICS; q++) fprintf(f, q < N_PAPER ? "---:|---:|" : "---:|");
    fprintf(f, "---:|\n");
    for (int p = 0; p < n_res; p++) {
        fprintf(f, "| %s | %zu | %zu |", res[p].name, res[p].r.n, res[p].r.n_nan_score);
        for (int q = 0; q < N_METRICS; q++) {
            char ours[32];
            format_metric(ours, sizeof ours, metric_value(&res[p].r, q), q);
            if (q >= N_PAPER) { fprintf(f, " %s |", ours); continue; }
            const reported *rp = find_reported(rep, n_rep, res[p].name, r->space_ctx->space->name, reported_dataset(r), metric_key[q]);
            if (rp) fprintf(f, " %s | %s [%d] |", ours, rp->value, source_id(&src, rp->source));
            else fprintf(f, " %s | - |", ours);
        }
        if (isnan(res[p].seconds)) fprintf(f, " - |\n");
        else fprintf(f, " %.4f |\n", res[p].seconds);
    }
    fprintf(f, "\nSources (`data/papers/reported.csv`):\n\n");
    for (int i = 0; i < src.n; i++) fprintf(f, "%d. %s\n", i + 1, src.name[i]);
    if (r->space_ctx->space->reported_note) fprintf(f, "\n%s\n", r->space_ctx->space->reported_note);
    fprintf(f, "\nA sample's statistics carry sampling noise, and top-64-in-top-5%% grows with the sample size.\n");
    int any = 0;
    for (int i = 0; i < n_rep; i++) {
        if (strcmp(rep[i].space, r->space_ctx->space->name) || strcmp(rep[i].dataset, reported_dataset(r))) continue;
        int evaluated = 0;
        for (int p = 0; p < n_res; p++) evaluated |= !strcmp(rep[i].proxy, res[p].name);
        if (!evaluated) continue;
        if (!any) fprintf(f, "\n### Every reported value for these proxies\n\n| proxy | metric | value | source |\n|---|---|---:|---|\n");
        any = 1;
        fprintf(f, "| %s | %s | %s | %s |\n", rep[i].proxy, rep[i].metric, rep[i].value, rep[i].source);
    }
    fprintf(f, "\n## Figures\n\nSpearman between the proxies (and the target), over the architectures where both "
               "are not NaN (`correlation_matrix.csv`):\n\n![correlation matrix](correlation_matrix.svg)\n\n");
    for (int p = 0; p < n_res; p++) fprintf(f, "![%s](scatter_%s.svg)\n", res[p].name, res[p].name);
    fprintf(f, "\nAll scores: `scores.csv`; statistics: `stats.csv` (as `zcnas eval --format csv`).\n");
    st = close_out(f, path);

done:
    for (int p = 0; p < n_res; p++) free(res[p].score);
    free(res);
    free(tgt);
    free(all_tgt);
    free(tmp);
    free(rows);
    free(matrix);
    free(rep);
    zc_bench_table_free(&scores);
    zc_bench_table_free(&bench);
    return st;
}
