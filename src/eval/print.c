/* The statistics of several proxies as a table for people, CSV or JSON. */
#include <math.h>
#include <string.h>
#include "util/util.h"
#include "zcnas/eval.h"

enum { N_VALUES = 9 };
static const char *const keys[N_VALUES] = {"spearman", "kendall", "spearman_top10", "kendall_top10",
                                           "top10_top10", "top64_top5", "pearson", "precision_at_k", "ndcg_at_k"};

/* The statistics in the order of keys; top_k, a count, follows them in CSV and JSON. */
static void values(const zc_eval_result *r, double v[N_VALUES])
{
    v[0] = r->spearman;
    v[1] = r->kendall;
    v[2] = r->spearman_top10;
    v[3] = r->kendall_top10;
    v[4] = r->top10_top10;
    v[5] = r->top64_top5;
    v[6] = r->pearson;
    v[7] = r->precision_at_k;
    v[8] = r->ndcg_at_k;
}

void zc_eval_print_csv(FILE *f, const zc_eval_row *rows, int n)
{
    fputs("proxy,n,nan_scores,nan_targets,n_top10,spearman,kendall,spearman_top10,kendall_top10,top10_top10,"
          "top64_top5,pearson,precision_at_k,ndcg_at_k,top_k\n", f);
    for (int i = 0; i < n; i++) {
        const zc_eval_result *r = &rows[i].r;
        fprintf(f, "%s,%zu,%zu,%zu,%zu", rows[i].proxy, r->n, r->n_nan_score, r->n_nan_target, r->n_top10);
        double v[N_VALUES];
        values(r, v);
        for (int k = 0; k < N_VALUES; k++) {
            if (isnan(v[k])) fputs(",nan", f);
            else if (isinf(v[k])) fputs(v[k] > 0 ? ",inf" : ",-inf", f);
            else fprintf(f, ",%.17g", v[k]);
        }
        fprintf(f, ",%zu\n", r->top_k);
    }
}

static void cell(FILE *f, int width, double v, int decimals)
{
    if (isnan(v)) fprintf(f, "  %*s", width, "-");
    else fprintf(f, "  %*.*f", width, decimals, v);
}

void zc_eval_print_table(FILE *f, const zc_eval_row *rows, int n)
{
    int w = 5;
    for (int i = 0; i < n; i++)
        if ((int)strlen(rows[i].proxy) > w) w = (int)strlen(rows[i].proxy);
    fprintf(f, "%-*s  %6s  %10s  %8s  %8s  %14s  %13s  %13s  %10s  %8s  %5s  %6s\n", w, "proxy", "n", "NaN scores",
            "spearman", "kendall", "spearman top10", "kendall top10", "top10/top10 %", "top64/top5", "pearson", "P@k",
            "nDCG@k");
    for (int i = 0; i < n; i++) {
        const zc_eval_result *r = &rows[i].r;
        fprintf(f, "%-*s  %6zu  %10zu", w, rows[i].proxy, r->n, r->n_nan_score);
        cell(f, 8, r->spearman, 3);
        cell(f, 8, r->kendall, 3);
        cell(f, 14, r->spearman_top10, 3);
        cell(f, 13, r->kendall_top10, 3);
        cell(f, 13, r->top10_top10, 2);
        cell(f, 10, r->top64_top5, 0);
        cell(f, 8, r->pearson, 3);
        cell(f, 5, r->precision_at_k, 3);
        cell(f, 6, r->ndcg_at_k, 3);
        fputc('\n', f);
    }
}

void zc_eval_print_json(FILE *f, const char *scores, const char *bench, const char *target, const zc_eval_opts *o,
                        const zc_eval_row *rows, int n)
{
    fprintf(f, "{\"scores\": ");
    zci_json_string(f, scores);
    fprintf(f, ", \"bench\": ");
    zci_json_string(f, bench);
    fprintf(f, ", \"target\": ");
    zci_json_string(f, target);
    fprintf(f, ", \"nan\": \"%s\", \"maximize\": %s, \"top_k\": ", o->nan_policy == ZC_NAN_WORST ? "worst" : "exclude",
            o->maximize ? "true" : "false");
    if (o->top_k) fprintf(f, "%d", o->top_k);
    else fputs("null", f);
    fputs(", \"results\": [", f);
    for (int i = 0; i < n; i++) {
        const zc_eval_result *r = &rows[i].r;
        fprintf(f, "%s\n  {\"proxy\": ", i ? "," : "");
        zci_json_string(f, rows[i].proxy);
        fprintf(f, ", \"n\": %zu, \"nan_scores\": %zu, \"nan_targets\": %zu, \"n_top10\": %zu", r->n, r->n_nan_score,
                r->n_nan_target, r->n_top10);
        double v[N_VALUES];
        values(r, v);
        for (int k = 0; k < N_VALUES; k++) {
            fprintf(f, ", \"%s\": ", keys[k]);
            zci_json_number(f, v[k], "%.17g");
        }
        fprintf(f, ", \"top_k\": %zu}", r->top_k);
    }
    fprintf(f, "\n]}\n");
}
