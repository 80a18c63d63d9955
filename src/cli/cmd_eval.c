/* zcnas eval: the papers' statistics (Spearman, Kendall, their top-10% versions, top-10%/top-10%
 * overlap, top-64 in top-5%, Pearson, precision@k, nDCG@k) of score columns against a benchmark column,
 * joined on `index` or on the architectures (zc_scores_join). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char *usage_text =
    "Compares score columns with a benchmark column and prints the statistics of\n"
    "the epsinas papers: Spearman rho and Kendall tau-b over all architectures and over the top 10% by the\n"
    "target (target > its 90th percentile), the percentage of the top-10% scores that are also top-10%\n"
    "targets, and how many of the 64 best scores are in the top 5% of the target (needs more than 64 archs).\n"
    "Also Pearson's r, precision@k (the share of the k best scores that are among the k best targets, as\n"
    "NASLib's p_at_tb_k; ties go to the earlier row) and nDCG@k with gains 2^target - 1 (as VKDNW: sklearn's\n"
    "ndcg_score with tied scores averaged; not defined for a minimised target).\n"
    "Architectures with a NaN target are always left out. Rows are matched on `index` when every score row\n"
    "has one, else on the architecture (the space's identity of the `arch` strings: NAS-Bench-101's graph\n"
    "hash, so isomorphic cells match; benchmark rows of one cell give their mean). Any table with an\n"
    "`index` or an `arch` column and numeric target columns works as --bench (e.g. a NATS-Bench export).\n\n"
    "examples:\n"
    "  zcnas score --sample 1000 --proxy zico,epsilon --out scores.csv\n"
    "  zcnas eval --scores scores.csv --target cifar10_test\n"
    "  zcnas eval --scores scores.csv --proxy epsilon --nan worst --format csv\n"
    "  zcnas eval --scores all.csv --top-k 1000     (VKDNW's nDCG@1000 on the whole space)\n"
    "  zcnas eval --scores zc_nasbench201.json --dataset cifar100\n\n"
    "A NAS-Bench-Suite-Zero --scores file (nb201, tnb101-micro/-macro) is read at its --dataset (nb201: cifar10,\n"
    "cifar100 or ImageNet16-120) or --task key: each arch key becomes the space's arch string, each proxy a\n"
    "column of its score under zcnas' name (jacov -> jacob_cov; unknown ones such as epe_nas kept) and\n"
    "<proxy>_seconds of its time, and val_accuracy a score column too (NASLib's accuracy, ranked against the\n"
    "--target like a proxy; --proxy leaves it out). Values are taken as written: -1e8 (NASLib's NaN) is a\n"
    "score, synflow stays a log. Rows match the benchmark by arch (index when the space's table gives one;\n"
    "NASLib's ids need not be benchmark indices).";

int cmd_eval(int argc, char **argv)
{
    cli_opt opts[] = {
        {"space", "NAME", "the space the scores belong to (its benchmark table is the default --bench)", "nb201", 0},
        {"scores", "FILE", "a CSV written by `zcnas score` (index, arch, <proxy>, <proxy>_seconds, ...), or a "
                           "NAS-Bench-Suite-Zero JSON (NASLib's zc_<space>.json or `zcnas score --format suitezero`; see "
                           "above)", NULL, 0},
        {"bench", "FILE", "benchmark table with an index or arch column [default: $ZCNAS_DATA/benchmarks/<the space's "
                          "table>]", NULL, 0},
        {"target", "COLUMN", "benchmark column to compare with [default: the space's (nb201: cifar10_test; nb101: "
                             "val_accuracy; tnb101-*: the --task)]", NULL, 0},
        {"task", "NAME", "tnb101-micro/-macro: the task the scores were computed for (its column is the target)", NULL, 0},
        {"dataset", "NAME", "cifar10, cifar100 or imagenet16: the default --target (nb201: <dataset>_test) and the "
                            "dataset read from a NAS-Bench-Suite-Zero --scores file [default: cifar10]", NULL, 0},
        {"proxy", "LIST", "score columns to evaluate [default: every column except index, arch, the space's key "
                          "and *_seconds]", NULL, 0},
        {"nan", "POLICY", "exclude (drop NaN scores, as the papers) or worst (rank them last)", "exclude", 0},
        {"minimize", NULL, "the target is minimised (a loss): top sets are its lowest values [default for nbnlp, "
                           "whose target is the test loss]", NULL, 0},
        {"top-k", "K", "k of precision@k and nDCG@k [default: 10% of the architectures evaluated, rounded, at "
                       "least 1]", NULL, 0},
        {"format", "FMT", "table, csv or json", "table", 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    int rc = cli_parse("eval", usage_text, argc, argv, opts, n);
    if (rc >= 0) return rc;
    rc = CLI_OK;
    const char *scores_path = cli_str(opts, n, "scores");
    if (!scores_path) return cli_error(CLI_USAGE, "eval: --scores FILE is required (see zcnas eval --help)");
    const char *format = cli_str(opts, n, "format");
    int fmt = !strcmp(format, "table") ? ZC_EVAL_TABLE : !strcmp(format, "csv") ? ZC_EVAL_CSV
            : !strcmp(format, "json") ? ZC_EVAL_JSON : -1;
    if (fmt < 0) return cli_error(CLI_USAGE, "--format: expected table, csv or json, got '%s'", format);
    zc_eval_opts eo;
    zc_eval_opts_default(&eo);
    const char *nan = cli_str(opts, n, "nan");
    if (!strcmp(nan, "worst")) eo.nan_policy = ZC_NAN_WORST;
    else if (strcmp(nan, "exclude")) return cli_error(CLI_USAGE, "--nan: expected exclude or worst, got '%s'", nan);
    eo.maximize = !cli_flag(opts, n, "minimize");
    if ((rc = cli_eval_options(opts, n, &eo))) return rc;
    const char *target = cli_str(opts, n, "target");
    char target_buf[96];

    char bench_path[4096];
    zc_bench_table scores, bench;
    memset(&scores, 0, sizeof scores);
    memset(&bench, 0, sizeof bench);
    int cols[256], n_cols = 0, tcol;
    double *tgt = NULL, *col = NULL;
    zc_eval_row *rows = NULL;
    zc_status st;
    zc_join_report jr;
    const zc_space *space = zc_space_find(cli_str(opts, n, "space"));
    if (!space) return cli_fail_prefix(ZC_EINVAL, "--space");
    if (space->target_minimised) eo.maximize = 0;
    if (!space->bench_table && !cli_flag(opts, n, "bench"))
        return cli_error(CLI_USAGE, "eval: %s has no benchmark table of its own: give --bench FILE", space->name);
    const char *dataset = cli_str(opts, n, "dataset");   /* the default target; a Suite-Zero file's key */
    if (dataset) {
        zc_dataset_kind kind;
        if (space->tasks || space->datasets)
            return cli_error(CLI_USAGE, "--dataset: %s has its own %s (%s)", space->name, space->tasks ? "tasks: use --task"
                             : "datasets: give --target", space->tasks ? space->tasks : space->datasets);
        if (zc_dataset_kind_parse(dataset, &kind) != ZC_OK) return cli_fail_prefix(ZC_EINVAL, "--dataset");
        dataset = zc_dataset_name(kind);
    }
    zc_space_ctx *ctx = NULL;   /* to read the architecture strings of rows without an index */
    zc_space_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.task = cli_str(opts, n, "task");
    if ((st = zc_space_open(space, &cfg, &ctx)) != ZC_OK) return cfg.task ? cli_fail_prefix(st, "--task") : cli_fail_status(st);
    if (!target) {   /* the space's column for CIFAR-10, or its task's */
        zc_space_target_ctx(ctx, dataset ? dataset : "cifar10", target_buf, sizeof target_buf);
        target = target_buf;
    }
    if ((st = zc_data_bench_path(space->bench_table ? space->bench_table : "", cli_str(opts, n, "bench"), bench_path,
                                 sizeof bench_path)) != ZC_OK ||
        (st = zc_scores_load_for(&scores, scores_path, ctx, dataset)) != ZC_OK || (st = zc_bench_table_load_for(&bench, bench_path, space->bench_rows)) != ZC_OK ||
        (st = zc_table_find(&bench, bench_path, "target", target, &tcol)) != ZC_OK) {
        rc = st == ZC_EINVAL ? cli_error(CLI_USAGE, "%s", zc_last_error()) : cli_error(CLI_RUNTIME, "%s", zc_last_error());
        goto done;
    }
    /* AZ-NAS, TE-NAS and VKDNW rank their sub-scores over the architectures of this file. */
    if ((st = zc_scores_add_aggregates(&scores, NULL, NULL)) != ZC_OK) { rc = cli_fail_status(st); goto done; }
    const char *list = cli_str(opts, n, "proxy");
    if (list) {
        char buf[2048];
        snprintf(buf, sizeof buf, "%s", list);
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            int c;
            if (zc_table_find(&scores, scores_path, "score", tok, &c) != ZC_OK) { rc = cli_fail_status(ZC_EINVAL); goto done; }
            if (!strcmp(tok, "index") || !strcmp(tok, "arch")) {
                rc = cli_error(CLI_USAGE, "--proxy: '%s' is not a score column", tok);
                goto done;
            }
            if (n_cols == 256) { rc = cli_error(CLI_USAGE, "--proxy: too many columns"); goto done; }
            cols[n_cols++] = c;
        }
        if (!n_cols) { rc = cli_error(CLI_USAGE, "--proxy: no column given"); goto done; }
    } else {
        n_cols = zc_scores_columns(&scores, space->key_name, cols, 256);
        if (!n_cols) { rc = cli_error(CLI_RUNTIME, "%s: no score columns (only index, arch, *_seconds)", scores_path); goto done; }
    }
    tgt = malloc((size_t)scores.n_rows * sizeof *tgt);
    col = malloc((size_t)scores.n_rows * sizeof *col);
    rows = calloc((size_t)n_cols, sizeof *rows);
    if (!tgt || !col || !rows) { rc = cli_error(CLI_RUNTIME, "out of memory"); goto done; }
    if ((st = zc_scores_join(&scores, scores_path, &bench, bench_path, ctx, tcol, tgt, &jr)) != ZC_OK) {
        rc = cli_error(CLI_RUNTIME, "%s", zc_last_error());
        goto done;
    }
    for (int i = 0; i < n_cols; i++) {
        zc_table_values(&scores, cols[i], col);
        rows[i].proxy = scores.col_names[cols[i]];
        if ((st = zc_evaluate(col, tgt, (size_t)scores.n_rows, &eo, &rows[i].r)) != ZC_OK) {
            rc = cli_fail_status(st);
            goto done;
        }
    }
    if (fmt == ZC_EVAL_TABLE) {
        printf("%d architectures in %s; target %s from %s (%s is better); NaN scores %s\n", scores.n_rows,
               scores_path, target, bench_path, eo.maximize ? "higher" : "lower",
               eo.nan_policy == ZC_NAN_WORST ? "ranked last" : "excluded");
        if (rows[0].r.n_nan_target) printf("%zu architectures left out: NaN target\n", rows[0].r.n_nan_target);
        if (jr.averaged)
            printf("%d architectures matched several benchmark rows (one cell, several runs): their mean target\n",
                   jr.averaged);
        size_t klo = rows[0].r.top_k, khi = klo;
        for (int i = 1; i < n_cols; i++) {
            if (rows[i].r.top_k < klo) klo = rows[i].r.top_k;
            if (rows[i].r.top_k > khi) khi = rows[i].r.top_k;
        }
        if (eo.top_k) printf("P@k and nDCG@k: k = %d", eo.top_k);
        else if (klo == khi) printf("P@k and nDCG@k: k = %zu (10%% of n)", klo);
        else printf("P@k and nDCG@k: k = 10%% of each proxy's n (%zu to %zu)", klo, khi);
        printf("%s\n", eo.maximize ? "" : "; nDCG needs a maximised target");
        printf("\n");
        zc_eval_print_table(stdout, rows, n_cols);
    } else if (fmt == ZC_EVAL_CSV) {
        zc_eval_print_csv(stdout, rows, n_cols);
    } else {
        zc_eval_print_json(stdout, scores_path, bench_path, target, &eo, rows, n_cols);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) rc = cli_error(CLI_RUNTIME, "error writing the output: %s", strerror(errno));
done:
    free(tgt);
    free(col);
    free(rows);
    zc_bench_table_free(&scores);
    zc_bench_table_free(&bench);
    zc_space_close(ctx);
    return rc;
}
