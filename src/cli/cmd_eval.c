/* zcnas eval: the papers' statistics (Spearman, Kendall, their top-10% versions, top-10%/top-10%
 * overlap, top-64 in top-5%) of score columns against a benchmark column, joined on `index`. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli_eval.h"

/* ---- shared with reproduce ---- */

static int first_char(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return EOF;
    int c;
    while ((c = fgetc(f)) != EOF && isspace(c)) {}
    fclose(f);
    return c;
}

typedef struct idx_row { int index, row; } idx_row;

static int cmp_idx_row(const void *pa, const void *pb)
{
    const idx_row *a = pa, *b = pb;
    if (a->index != b->index) return (a->index > b->index) - (a->index < b->index);
    return (a->row > b->row) - (a->row < b->row);
}

/* Rows of t sorted by index; reports the first duplicate index (as *dup, else -1). */
static idx_row *sorted_index(const zc_bench_table *t, int *dup_row)
{
    idx_row *v = malloc((size_t)(t->n_rows ? t->n_rows : 1) * sizeof *v);
    if (!v) return NULL;
    for (int r = 0; r < t->n_rows; r++) { v[r].index = t->index[r]; v[r].row = r; }
    qsort(v, (size_t)t->n_rows, sizeof *v, cmp_idx_row);
    *dup_row = -1;
    for (int r = 1; r < t->n_rows && *dup_row < 0; r++)
        if (v[r].index == v[r - 1].index) *dup_row = v[r].row;
    return v;
}

int cli_load_scores(zc_bench_table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    if (first_char(path) == '{')
        return cli_error(CLI_USAGE, "%s: looks like JSON lines; eval reads the CSV written by `zcnas score` "
                                    "(its default --format csv)", path);
    zc_status st = zc_bench_table_load(t, path);
    if (st != ZC_OK) return cli_fail_status(st == ZC_EINVAL ? ZC_EIO : st);
    int rc = CLI_OK, dup = -1;
    if (zc_bench_table_col(t, "index") < 0)
        rc = cli_error(CLI_RUNTIME, "%s: no 'index' column (rows are matched to the benchmark by index)", path);
    else if (t->n_rows == 0)
        rc = cli_error(CLI_RUNTIME, "%s: no rows after the header", path);
    if (rc == CLI_OK) {
        idx_row *v = sorted_index(t, &dup);
        if (!v) rc = cli_error(CLI_RUNTIME, "out of memory");
        else if (dup >= 0)
            rc = cli_error(CLI_RUNTIME, "%s: index %d appears more than once", path, t->index[dup]);
        free(v);
    }
    if (rc != CLI_OK) zc_bench_table_free(t);
    return rc;
}

int cli_table_col(const zc_bench_table *t, const char *path, const char *what, const char *name)
{
    int c = zc_bench_table_col(t, name);
    if (c >= 0) return c;
    char list[2048];
    size_t o = 0;
    list[0] = '\0';
    for (int i = 0; i < t->n_cols && o < sizeof list; i++) {
        if (!strcmp(t->col_names[i], "index") || !strcmp(t->col_names[i], "arch")) continue;
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "", t->col_names[i]);
    }
    cli_error(CLI_USAGE, "%s: no %s column '%s' (available: %s)", path, what, name, o ? list : "none");
    return -1;
}

void cli_table_column(const zc_bench_table *t, int c, double *out)
{
    for (int r = 0; r < t->n_rows; r++) out[r] = t->values[(size_t)r * t->n_cols + c];
}

int cli_join_target(const zc_bench_table *scores, const char *scores_path, const zc_bench_table *bench,
                    const char *bench_path, int col, double *target)
{
    int dup;
    idx_row *v = sorted_index(bench, &dup);
    if (!v) return cli_error(CLI_RUNTIME, "out of memory");
    if (dup >= 0) {
        int idx = bench->index[dup];
        free(v);
        return cli_error(CLI_RUNTIME, "%s: index %d appears more than once", bench_path, idx);
    }
    for (int r = 0; r < scores->n_rows; r++) {
        idx_row key = {scores->index[r], -1};
        /* lower bound on index */
        size_t lo = 0, hi = (size_t)bench->n_rows;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (v[mid].index < key.index) lo = mid + 1;
            else hi = mid;
        }
        if (lo == (size_t)bench->n_rows || v[lo].index != key.index) {
            free(v);
            return cli_error(CLI_RUNTIME, "%s: index %d (row %d) is not in the benchmark table %s", scores_path,
                             key.index, r + 2, bench_path);
        }
        target[r] = bench->values[(size_t)v[lo].row * bench->n_cols + col];
    }
    free(v);
    return CLI_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

int cli_score_columns(const zc_bench_table *t, int *cols, int max)
{
    int n = 0;
    for (int c = 0; c < t->n_cols && n < max; c++) {
        const char *name = t->col_names[c];
        if (!strcmp(name, "index") || !strcmp(name, "arch") || ends_with(name, "_seconds")) continue;
        cols[n++] = c;
    }
    return n;
}

void cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

static void csv_num(FILE *f, double v)
{
    if (isnan(v)) fputs("nan", f);
    else if (isinf(v)) fputs(v > 0 ? "inf" : "-inf", f);
    else fprintf(f, "%.17g", v);
}

static void json_num(FILE *f, double v)
{
    if (!isfinite(v)) fputs("null", f);
    else fprintf(f, "%.17g", v);
}

void cli_eval_print_csv(FILE *f, const cli_eval_row *rows, int n)
{
    fputs("proxy,n,nan_scores,nan_targets,n_top10,spearman,kendall,spearman_top10,kendall_top10,top10_top10,"
          "top64_top5\n", f);
    for (int i = 0; i < n; i++) {
        const zc_eval_result *r = &rows[i].r;
        fprintf(f, "%s,%zu,%zu,%zu,%zu", rows[i].proxy, r->n, r->n_nan_score, r->n_nan_target, r->n_top10);
        const double v[6] = {r->spearman, r->kendall, r->spearman_top10, r->kendall_top10, r->top10_top10, r->top64_top5};
        for (int k = 0; k < 6; k++) { fputc(',', f); csv_num(f, v[k]); }
        fputc('\n', f);
    }
}

/* ---- the command ---- */

static void cell(FILE *f, int width, double v, int decimals)
{
    if (isnan(v)) fprintf(f, "  %*s", width, "-");
    else fprintf(f, "  %*.*f", width, decimals, v);
}

static void print_table(FILE *f, const cli_eval_row *rows, int n)
{
    int w = 5;
    for (int i = 0; i < n; i++)
        if ((int)strlen(rows[i].proxy) > w) w = (int)strlen(rows[i].proxy);
    fprintf(f, "%-*s  %6s  %10s  %8s  %8s  %14s  %13s  %13s  %10s\n", w, "proxy", "n", "NaN scores", "spearman",
            "kendall", "spearman top10", "kendall top10", "top10/top10 %", "top64/top5");
    for (int i = 0; i < n; i++) {
        const zc_eval_result *r = &rows[i].r;
        fprintf(f, "%-*s  %6zu  %10zu", w, rows[i].proxy, r->n, r->n_nan_score);
        cell(f, 8, r->spearman, 3);
        cell(f, 8, r->kendall, 3);
        cell(f, 14, r->spearman_top10, 3);
        cell(f, 13, r->kendall_top10, 3);
        cell(f, 13, r->top10_top10, 2);
        cell(f, 10, r->top64_top5, 0);
        fputc('\n', f);
    }
}

static const char *usage_text =
    "Compares score columns with a benchmark column, rows matched on `index`, and prints the statistics of\n"
    "the epsinas papers: Spearman rho and Kendall tau-b over all architectures and over the top 10% by the\n"
    "target (target > its 90th percentile), the percentage of the top-10% scores that are also top-10%\n"
    "targets, and how many of the 64 best scores are in the top 5% of the target (needs more than 64 archs).\n"
    "Architectures with a NaN target are always left out.\n\n"
    "examples:\n"
    "  zcnas score --sample 1000 --proxy zico,epsilon --out scores.csv\n"
    "  zcnas eval --scores scores.csv --target cifar10_test\n"
    "  zcnas eval --scores scores.csv --proxy epsilon --nan worst --format csv";

int cmd_eval(int argc, char **argv)
{
    cli_opt opts[] = {
        {"scores", "FILE", "a CSV written by `zcnas score` (index, arch, <proxy>, <proxy>_seconds, ...)", NULL, 0},
        {"bench", "FILE", "benchmark table with an index column [default: $ZCNAS_DATA/benchmarks/nb201_accuracy.csv]", NULL, 0},
        {"target", "COLUMN", "benchmark column to compare with", "cifar10_test", 0},
        {"proxy", "LIST", "score columns to evaluate [default: every column except index, arch, *_seconds]", NULL, 0},
        {"nan", "POLICY", "exclude (drop NaN scores, as the papers) or worst (rank them last)", "exclude", 0},
        {"minimize", NULL, "the target is minimised (a loss): top sets are its lowest values", NULL, 0},
        {"format", "FMT", "table, csv or json", "table", 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    int rc = cli_parse("eval", usage_text, argc, argv, opts, n);
    if (rc >= 0) return rc;
    const char *scores_path = cli_str(opts, n, "scores");
    if (!scores_path) return cli_error(CLI_USAGE, "eval: --scores FILE is required (see zcnas eval --help)");
    const char *format = cli_str(opts, n, "format");
    int fmt = !strcmp(format, "table") ? CLI_EVAL_TABLE : !strcmp(format, "csv") ? CLI_EVAL_CSV
            : !strcmp(format, "json") ? CLI_EVAL_JSON : -1;
    if (fmt < 0) return cli_error(CLI_USAGE, "--format: expected table, csv or json, got '%s'", format);
    zc_eval_opts eo;
    zc_eval_opts_default(&eo);
    const char *nan = cli_str(opts, n, "nan");
    if (!strcmp(nan, "worst")) eo.nan_policy = ZC_NAN_WORST;
    else if (strcmp(nan, "exclude")) return cli_error(CLI_USAGE, "--nan: expected exclude or worst, got '%s'", nan);
    eo.maximize = !cli_flag(opts, n, "minimize");
    const char *target = cli_str(opts, n, "target");

    char bench_path[4096];
    if ((rc = cli_bench_path(cli_str(opts, n, "bench"), bench_path, sizeof bench_path))) return rc;
    zc_bench_table scores, bench;
    if ((rc = cli_load_scores(&scores, scores_path))) return rc;
    zc_status st = zc_bench_table_load(&bench, bench_path);
    if (st != ZC_OK) { zc_bench_table_free(&scores); return cli_fail_status(st == ZC_EINVAL ? ZC_EIO : st); }

    int cols[256], n_cols = 0;
    double *tgt = NULL, *col = NULL;
    cli_eval_row *rows = NULL;
    int tcol = cli_table_col(&bench, bench_path, "target", target);
    if (tcol < 0) { rc = CLI_USAGE; goto done; }
    if (zc_bench_table_col(&bench, "index") < 0) {
        rc = cli_error(CLI_RUNTIME, "%s: no 'index' column to match the score rows with", bench_path);
        goto done;
    }
    const char *list = cli_str(opts, n, "proxy");
    if (list) {
        char buf[2048];
        snprintf(buf, sizeof buf, "%s", list);
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            int c = cli_table_col(&scores, scores_path, "score", tok);
            if (c < 0) { rc = CLI_USAGE; goto done; }
            if (!strcmp(tok, "index") || !strcmp(tok, "arch")) {
                rc = cli_error(CLI_USAGE, "--proxy: '%s' is not a score column", tok);
                goto done;
            }
            if (n_cols == 256) { rc = cli_error(CLI_USAGE, "--proxy: too many columns"); goto done; }
            cols[n_cols++] = c;
        }
        if (!n_cols) { rc = cli_error(CLI_USAGE, "--proxy: no column given"); goto done; }
    } else {
        n_cols = cli_score_columns(&scores, cols, 256);
        if (!n_cols) { rc = cli_error(CLI_RUNTIME, "%s: no score columns (only index, arch, *_seconds)", scores_path); goto done; }
    }
    tgt = malloc((size_t)scores.n_rows * sizeof *tgt);
    col = malloc((size_t)scores.n_rows * sizeof *col);
    rows = calloc((size_t)n_cols, sizeof *rows);
    if (!tgt || !col || !rows) { rc = cli_error(CLI_RUNTIME, "out of memory"); goto done; }
    if ((rc = cli_join_target(&scores, scores_path, &bench, bench_path, tcol, tgt))) goto done;
    for (int i = 0; i < n_cols; i++) {
        cli_table_column(&scores, cols[i], col);
        rows[i].proxy = scores.col_names[cols[i]];
        if ((st = zc_evaluate(col, tgt, (size_t)scores.n_rows, &eo, &rows[i].r)) != ZC_OK) {
            rc = cli_fail_status(st);
            goto done;
        }
    }
    if (fmt == CLI_EVAL_TABLE) {
        printf("%d architectures in %s; target %s from %s (%s is better); NaN scores %s\n", scores.n_rows,
               scores_path, target, bench_path, eo.maximize ? "higher" : "lower",
               eo.nan_policy == ZC_NAN_WORST ? "ranked last" : "excluded");
        if (rows[0].r.n_nan_target) printf("%zu architectures left out: NaN target\n", rows[0].r.n_nan_target);
        printf("\n");
        print_table(stdout, rows, n_cols);
    } else if (fmt == CLI_EVAL_CSV) {
        cli_eval_print_csv(stdout, rows, n_cols);
    } else {
        printf("{\"scores\": ");
        cli_json_string(stdout, scores_path);
        printf(", \"bench\": ");
        cli_json_string(stdout, bench_path);
        printf(", \"target\": ");
        cli_json_string(stdout, target);
        printf(", \"nan\": \"%s\", \"maximize\": %s, \"results\": [", eo.nan_policy == ZC_NAN_WORST ? "worst" : "exclude",
               eo.maximize ? "true" : "false");
        for (int i = 0; i < n_cols; i++) {
            const zc_eval_result *r = &rows[i].r;
            printf("%s\n  {\"proxy\": ", i ? "," : "");
            cli_json_string(stdout, rows[i].proxy);
            printf(", \"n\": %zu, \"nan_scores\": %zu, \"nan_targets\": %zu, \"n_top10\": %zu", r->n, r->n_nan_score,
                   r->n_nan_target, r->n_top10);
            const char *keys[6] = {"spearman", "kendall", "spearman_top10", "kendall_top10", "top10_top10", "top64_top5"};
            const double v[6] = {r->spearman, r->kendall, r->spearman_top10, r->kendall_top10, r->top10_top10, r->top64_top5};
            for (int k = 0; k < 6; k++) { printf(", \"%s\": ", keys[k]); json_num(stdout, v[k]); }
            printf("}");
        }
        printf("\n]}\n");
    }
    if (fflush(stdout) != 0 || ferror(stdout)) rc = cli_error(CLI_RUNTIME, "error writing the output: %s", strerror(errno));
done:
    free(tgt);
    free(col);
    free(rows);
    zc_bench_table_free(&scores);
    zc_bench_table_free(&bench);
    return rc;
}
