/* zcnas reproduce: scores a NAS-Bench-201 sample with every proxy at the papers' settings, evaluates
 * each against the benchmark's test accuracy and writes a report folder beside the papers' numbers
 * (data/papers/reported.csv). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli_eval.h"

static const char *usage_text =
    "Reproduces the papers' correlation tables on NAS-Bench-201. Scores a seeded random sample (or --all)\n"
    "with every proxy at the papers' settings -- ZiCo: 2 batches of 128; epsilon: weights 1e-7 and 1 on a\n"
    "batch of 256; gradient baselines: one batch of 64; NASWOT: 128 -- evaluates each proxy against the\n"
    "200-epoch test accuracy of the dataset (cifar10_test, cifar100_test or imagenet16_test of the\n"
    "benchmark table) and prints the statistics beside the numbers the ZiCo paper and the epsinas\n"
    "notebooks report.\n"
    "Proxies that are not implemented yet are skipped with a note.\n\n"
    "The report folder (--out) receives:\n"
    "  scores.csv               one row per architecture, as `zcnas score` writes it (--resume continues it)\n"
    "  stats.csv                the statistics, as `zcnas eval --format csv`\n"
    "  report.md                the table with the papers' values and their sources\n"
    "  scatter_<proxy>.svg      score against accuracy\n"
    "  correlation_matrix.svg   Spearman between the proxies and the target (also .csv)\n\n"
    "examples:\n"
    "  zcnas reproduce --dataset cifar10 --sample 1000 --seed 0 --data ~/cifar-10-batches-bin\n"
    "  zcnas reproduce --dataset cifar100 --all --data ~/cifar-100-binary --out c100-full --resume\n"
    "  zcnas reproduce --sample 100 --proxy params,flops,epsilon     (a quick look)";

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

enum { N_METRICS = 6 };
static const char *const metric_key[N_METRICS] = {"spearman", "kendall", "spearman_top10", "kendall_top10",
                                                  "top10_top10", "top64_top5"};
static const char *const metric_title[N_METRICS] = {"spearman", "kendall", "spearman top10", "kendall top10",
                                                    "top10/top10 %", "top64/top5"};
static const char *const metric_md[N_METRICS] = {"Spearman ρ", "Kendall τ", "ρ top-10%", "τ top-10%",
                                                 "top-10%/top-10% (%)", "top-64 in top-5%"};

static double metric_value(const zc_eval_result *r, int m)
{
    switch (m) {
    case 0: return r->spearman;
    case 1: return r->kendall;
    case 2: return r->spearman_top10;
    case 3: return r->kendall_top10;
    case 4: return r->top10_top10;
    default: return r->top64_top5;
    }
}

static void format_metric(char *buf, size_t size, double v, int m)
{
    if (isnan(v)) snprintf(buf, size, "-");
    else snprintf(buf, size, "%.*f", m == 5 ? 0 : m == 4 ? 2 : 3, v);
}

/* The first reported value for (proxy, nb201, dataset, metric), or NULL. */
static const reported *find_reported(const reported *rep, int n_rep, const char *proxy, const char *dataset,
                                     const char *metric)
{
    for (int i = 0; i < n_rep; i++)
        if (!strcmp(rep[i].proxy, proxy) && !strcmp(rep[i].space, "nb201") && !strcmp(rep[i].dataset, dataset) &&
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

/* ---- probing: which proxies run at all ---- */

/* Calls each proxy once on the first architecture with tiny synthetic batches and drops the ones that
 * answer ZC_EUNSUPPORTED ("not implemented yet"), with a note. Other failures are left for the run. */
static void probe_proxies(cli_scoring *s, const cli_archs *archs, char skipped[][160], int *n_skipped)
{
    int res = zc_dataset_resolution(s->dataset), classes = zc_dataset_classes(s->dataset);
    const int bs = 4;
    zc_batch b = {bs, 3, res, res, malloc((size_t)bs * 3 * res * res * sizeof(float)), malloc(bs * sizeof(int))};
    *n_skipped = 0;
    if (!b.x || !b.y) { zc_batch_free(&b); return; }   /* no memory for a probe: let the run decide */
    zc_rng r;
    zc_rng_seed(&r, 12345, 0);
    for (size_t i = 0; i < (size_t)bs * 3 * res * res; i++) b.x[i] = (float)zc_rng_normal(&r);
    for (int i = 0; i < bs; i++) b.y[i] = i % classes;
    zc_batch two[2] = {b, b};
    cli_nb201_set_resolution(res);
    zc_proxy_input in = {
        .build = cli_nb201_builder,
        .arch = &archs->archs[0],
        .num_classes = classes,
        .seed = s->seed,
        .stream = cli_nb201_stream(&archs->archs[0], archs->index[0]),
        .batches = two,
        .n_batches = 2,
        .eps_batch = &b,
        .base_batch = &b,
        .nwot_batch = &b,
    };
    int kept = 0;
    for (int p = 0; p < s->n_proxies; p++) {
        double v = 0;
        zc_status st = s->proxies[p]->score(&in, &s->popts, &v);
        if (st == ZC_EUNSUPPORTED) {
            fprintf(stderr, "zcnas: skipping %s: %s\n", s->proxies[p]->name, zc_last_error());
            snprintf(skipped[(*n_skipped)++], 160, "%s (%s)", s->proxies[p]->name, zc_last_error());
        } else {
            s->proxies[kept++] = s->proxies[p];
        }
    }
    s->n_proxies = kept;
    zc_batch_free(&b);
}

/* ---- files ---- */

static int make_dirs(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return cli_error(CLI_RUNTIME, "--out: cannot create directory '%s': %s", buf, strerror(errno));
            *p = c;
            if (!c) break;
        }
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cli_error(CLI_RUNTIME, "--out: '%s' exists and is not a directory", dir);
    return CLI_OK;
}

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static double mean_finite(const double *v, int n)
{
    double s = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) { s += v[i]; k++; }
    return k ? s / k : NAN;
}

/* ---- the command ---- */

typedef struct proxy_result {
    const char *name;
    zc_eval_result r;
    double seconds;       /* mean seconds per architecture */
    double *score;        /* per row of the evaluated set */
} proxy_result;

int cmd_reproduce(int argc, char **argv)
{
    cli_opt opts[] = {
        {"space", "NAME", "search space", "nb201", 0},
        {"sample", "N", "number of random architectures (seeded by --seed)", "1000", 0},
        {"all", NULL, "every architecture of the space instead of a sample", NULL, 0},
        {"out", "DIR", "report folder [default: reproduce-<dataset>-<N or all>-<seed>]", NULL, 0},
        {"resume", NULL, "continue DIR/scores.csv of an interrupted run (same proxies and settings)", NULL, 0},
        {"bench", "FILE", "NB201 benchmark table [default: $ZCNAS_DATA/benchmarks/nb201_accuracy.csv]", NULL, 0},
        {"nan", "POLICY", "NaN scores: exclude (as the papers) or worst (ranked last)", "exclude", 0},
        CLI_SCORING_OPTS,
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    /* The papers' settings as defaults: every proxy, ZiCo on batches of 128 (the rest already match). */
    cli_find(opts, n, "proxy")->value = "all";
    cli_find(opts, n, "proxy")->help = "comma-separated proxies, or all (the ones not implemented yet are skipped)";
    cli_find(opts, n, "batch-size")->value = "128";
    int rc = cli_parse("reproduce", usage_text, argc, argv, opts, n);
    if (rc >= 0) return rc;
    if (strcmp(cli_str(opts, n, "space"), "nb201"))
        return cli_error(CLI_USAGE, "--space: unknown search space '%s' (available: nb201)", cli_str(opts, n, "space"));
    int all = cli_flag(opts, n, "all");
    if (all && cli_flag(opts, n, "sample")) return cli_error(CLI_USAGE, "give --sample N or --all, not both");
    if (!all) cli_find(opts, n, "sample")->given = 1;
    zc_eval_opts eo;
    zc_eval_opts_default(&eo);
    const char *nan = cli_str(opts, n, "nan");
    if (!strcmp(nan, "worst")) eo.nan_policy = ZC_NAN_WORST;
    else if (strcmp(nan, "exclude")) return cli_error(CLI_USAGE, "--nan: expected exclude or worst, got '%s'", nan);

    cli_scoring s;
    if ((rc = cli_scoring_parse(opts, n, &s))) return rc;
    cli_archs archs;
    if ((rc = cli_select_nb201(opts, n, &archs))) return rc;
    const char *dataset = zc_dataset_name(s.dataset);
    const char *target = s.dataset == ZC_CIFAR10 ? "cifar10_test" : s.dataset == ZC_CIFAR100 ? "cifar100_test"
                                                                                               : "imagenet16_test";
    char dir[2048], path[4096], bench_path[4096];
    const char *out_opt = cli_str(opts, n, "out");
    if (out_opt && (!*out_opt || strlen(out_opt) > sizeof dir - 64)) {
        cli_archs_free(&archs);
        return cli_error(CLI_USAGE, "--out: expected a directory path of 1 to %d characters", (int)sizeof dir - 64);
    }
    if (out_opt) snprintf(dir, sizeof dir, "%s", out_opt);
    else if (all) snprintf(dir, sizeof dir, "reproduce-%s-all-%llu", dataset, (unsigned long long)s.seed);
    else snprintf(dir, sizeof dir, "reproduce-%s-%d-%llu", dataset, archs.n, (unsigned long long)s.seed);
    if ((rc = cli_bench_path(cli_str(opts, n, "bench"), bench_path, sizeof bench_path))) {
        cli_archs_free(&archs);
        return rc;
    }

    /* Everything that can fail early fails before any scoring. */
    zc_bench_table bench, scores;
    memset(&scores, 0, sizeof scores);
    zc_status st = zc_bench_table_load(&bench, bench_path);
    if (st != ZC_OK) { cli_archs_free(&archs); return cli_fail_status(st == ZC_EINVAL ? ZC_EIO : st); }
    int *selected = NULL;
    proxy_result *res = NULL;
    double *tgt = NULL, *matrix = NULL;
    reported *rep = NULL;
    int n_rep = 0, n_res = 0;
    char skipped[16][160];
    int n_skipped = 0;
    int tcol = cli_table_col(&bench, bench_path, "target", target);
    if (tcol < 0) { rc = CLI_RUNTIME; goto done; }
    snprintf(path, sizeof path, "%s/scores.csv", dir);
    int resume = cli_flag(opts, n, "resume");
    if (!resume && file_exists(path)) {
        rc = cli_error(CLI_USAGE, "'%s' exists: add --resume to continue (or only re-evaluate) it, or choose another --out",
                       path);
        goto done;
    }

    /* The selection before --resume shrinks it to what is left to score. */
    selected = malloc((size_t)archs.n * sizeof *selected);
    if (!selected) { rc = cli_error(CLI_RUNTIME, "out of memory"); goto done; }
    int n_selected = archs.n;
    memcpy(selected, archs.index, (size_t)archs.n * sizeof *selected);

    probe_proxies(&s, &archs, skipped, &n_skipped);
    if (s.n_proxies == 0) { rc = cli_error(CLI_RUNTIME, "no proxy left to run (all are not implemented yet)"); goto done; }
    if ((rc = make_dirs(dir))) goto done;
    char dir_data[4096];
    if ((rc = cli_dataset_path(s.data_opt, s.dataset, dir_data, sizeof dir_data))) goto done;
    printf("zcnas reproduce: %d %s NAS-Bench-201 architectures (seed %llu), %s images from %s\n", n_selected,
           all ? "(all)" : "random", (unsigned long long)s.seed, dataset, dir_data);
    printf("settings: ZiCo %d batches of %d; epsilon weights %g,%g on %d images; baselines batch %d; NASWOT batch %d\n",
           s.n_batches, s.batch_size, s.popts.eps_w_low, s.popts.eps_w_high, s.eps_batch_size, s.base_batch_size,
           s.nwot_batch_size);
    printf("proxies:");
    for (int p = 0; p < s.n_proxies; p++) printf(" %s", s.proxies[p]->name);
    printf("\n");
    fflush(stdout);
    if ((rc = cli_score_write(&s, &archs, path, 0, resume))) goto done;

    /* ---- evaluation, always from the file (it also holds the rows of earlier runs) ---- */
    if ((rc = cli_load_scores(&scores, path))) goto done;
    char *in_sample = calloc(ZC_NB201_SIZE, 1);
    if (!in_sample) { rc = cli_error(CLI_RUNTIME, "out of memory"); goto done; }
    for (int i = 0; i < n_selected; i++) in_sample[selected[i]] = 1;
    int *rows = malloc((size_t)scores.n_rows * sizeof *rows), m = 0;
    if (rows)
        for (int r = 0; r < scores.n_rows; r++)
            if (scores.index[r] >= 0 && scores.index[r] < ZC_NB201_SIZE && in_sample[scores.index[r]]) rows[m++] = r;
    free(in_sample);
    if (!rows) { rc = cli_error(CLI_RUNTIME, "out of memory"); goto done; }
    if (m != n_selected) {
        free(rows);
        rc = cli_error(CLI_RUNTIME, "%s holds %d of the %d selected architectures", path, m, n_selected);
        goto done;
    }
    double *all_tgt = malloc((size_t)scores.n_rows * sizeof *all_tgt);
    tgt = malloc((size_t)m * sizeof *tgt);
    res = calloc((size_t)s.n_proxies, sizeof *res);
    double *tmp = malloc((size_t)m * sizeof *tmp);
    if (!all_tgt || !tgt || !res || !tmp) {
        free(all_tgt); free(tmp); free(rows);
        rc = cli_error(CLI_RUNTIME, "out of memory");
        goto done;
    }
    rc = cli_join_target(&scores, path, &bench, bench_path, tcol, all_tgt);
    for (int i = 0; i < m; i++) tgt[i] = all_tgt[rows[i]];
    for (int p = 0; rc == CLI_OK && p < s.n_proxies; p++) {
        proxy_result *pr = &res[n_res++];
        pr->name = s.proxies[p]->name;
        pr->score = malloc((size_t)m * sizeof *pr->score);
        if (!pr->score) { rc = cli_error(CLI_RUNTIME, "out of memory"); break; }
        int c = cli_table_col(&scores, path, "score", pr->name);
        char sec_name[96];
        snprintf(sec_name, sizeof sec_name, "%s_seconds", pr->name);
        int cs = zc_bench_table_col(&scores, sec_name);
        if (c < 0) { rc = CLI_RUNTIME; break; }
        for (int i = 0; i < m; i++) {
            pr->score[i] = scores.values[(size_t)rows[i] * scores.n_cols + c];
            tmp[i] = cs >= 0 ? scores.values[(size_t)rows[i] * scores.n_cols + cs] : NAN;
        }
        pr->seconds = mean_finite(tmp, m);
        if ((st = zc_evaluate(pr->score, tgt, (size_t)m, &eo, &pr->r)) != ZC_OK) rc = cli_fail_status(st);
    }
    free(all_tgt);
    free(tmp);
    free(rows);
    if (rc != CLI_OK) goto done;

    /* ---- the papers' numbers ---- */
    if (load_reported(&rep, &n_rep) != 0)
        fprintf(stderr, "zcnas: cannot read the papers' numbers: %s (paper columns left empty)\n", strerror(errno));
    sources src = {{0}, 0};

    /* ---- terminal table ---- */
    int w = 7;
    for (int p = 0; p < n_res; p++)
        if ((int)strlen(res[p].name) > w) w = (int)strlen(res[p].name);
    printf("\n%d architectures, target %s; NaN scores %s; 'paper' = reported value [source below]\n\n", m, target,
           eo.nan_policy == ZC_NAN_WORST ? "ranked last" : "excluded (the papers' choice)");
    printf("%*s  %5s  %5s", w, "", "", "");
    for (int k = 0; k < N_METRICS; k++) printf("  %-17s", metric_title[k]);
    printf("\n%-*s  %5s  %5s", w, "proxy", "n", "NaN");
    for (int k = 0; k < N_METRICS; k++) printf("  %7s %-9s", "ours", "paper");
    printf("  %8s\n", "s/arch");
    for (int p = 0; p < n_res; p++) {
        printf("%-*s  %5zu  %5zu", w, res[p].name, res[p].r.n, res[p].r.n_nan_score);
        for (int k = 0; k < N_METRICS; k++) {
            char ours[32], paper[64] = "-";
            format_metric(ours, sizeof ours, metric_value(&res[p].r, k), k);
            const reported *rp = find_reported(rep, n_rep, res[p].name, dataset, metric_key[k]);
            if (rp) snprintf(paper, sizeof paper, "%s [%d]", rp->value, source_id(&src, rp->source));
            printf("  %7s %-9s", ours, paper);
        }
        printf("  %8.4f\n", res[p].seconds);
    }
    printf("\n");
    for (int i = 0; i < src.n; i++) printf("[%d] %s\n", i + 1, src.name[i]);
    if (src.n)
        printf("(papers: full space or large samples; ZiCo's against NATS-Bench-TSS accuracy, epsinas's against\n"
               " NAS-Bench-201 v1.1; top64/top5 grows with the sample size. Details: data/papers/README.md)\n");
    for (int i = 0; i < n_skipped; i++) printf("skipped: %s\n", skipped[i]);

    /* ---- stats.csv ---- */
    snprintf(path, sizeof path, "%s/stats.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f) { rc = cli_error(CLI_RUNTIME, "cannot create '%s': %s", path, strerror(errno)); goto done; }
    {
        cli_eval_row er[16];
        for (int p = 0; p < n_res; p++) { er[p].proxy = res[p].name; er[p].r = res[p].r; }
        cli_eval_print_csv(f, er, n_res);
    }
    if (ferror(f) | (fclose(f) != 0)) { rc = cli_error(CLI_RUNTIME, "error writing '%s'", path); goto done; }

    /* ---- figures ---- */
    for (int p = 0; p < n_res && rc == CLI_OK; p++) {
        snprintf(path, sizeof path, "%s/scatter_%s.svg", dir, res[p].name);
        rc = cli_svg_scatter(path, res[p].name, target, res[p].score, tgt, m, &res[p].r);
    }
    if (rc != CLI_OK) goto done;
    int k = n_res + 1;
    matrix = malloc((size_t)k * k * sizeof *matrix);
    if (!matrix) { rc = cli_error(CLI_RUNTIME, "out of memory"); goto done; }
    const char *names[17];
    const double *vec[17];
    for (int p = 0; p < n_res; p++) { names[p] = res[p].name; vec[p] = res[p].score; }
    names[n_res] = target;
    vec[n_res] = tgt;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) matrix[(size_t)i * k + j] = zc_correlate(vec[i], vec[j], (size_t)m).spearman;
    snprintf(path, sizeof path, "%s/correlation_matrix.csv", dir);
    if (!(f = fopen(path, "w"))) { rc = cli_error(CLI_RUNTIME, "cannot create '%s': %s", path, strerror(errno)); goto done; }
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
    if (ferror(f) | (fclose(f) != 0)) { rc = cli_error(CLI_RUNTIME, "error writing '%s'", path); goto done; }
    snprintf(path, sizeof path, "%s/correlation_matrix.svg", dir);
    char title[256];
    snprintf(title, sizeof title, "Spearman between proxies, %d archs (NaN pairs left out)", m);
    if ((rc = cli_svg_matrix(path, title, names, matrix, k))) goto done;

    /* ---- report.md ---- */
    snprintf(path, sizeof path, "%s/report.md", dir);
    if (!(f = fopen(path, "w"))) { rc = cli_error(CLI_RUNTIME, "cannot create '%s': %s", path, strerror(errno)); goto done; }
    fprintf(f, "# zcnas reproduce: NAS-Bench-201, %s\n\n", dataset);
    fprintf(f, "- command: `zcnas");
    for (int i = 0; i < argc; i++) fprintf(f, " %s", argv[i]);
    fprintf(f, "`\n");
    fprintf(f, "- architectures: %d %s (seed %llu); target `%s` of `%s`\n", m, all ? "(the whole space)" : "random",
            (unsigned long long)s.seed, target, bench_path);
    fprintf(f, "- images: %s from `%s`\n", dataset, dir_data);
    fprintf(f, "- settings: ZiCo %d batches of %d (%s std); epsilon weights %g and %g on %d images; baselines one "
               "batch of %d; NASWOT %d; sampler %s; seed %llu\n", s.n_batches, s.batch_size,
            s.popts.zico_paper_std ? "|g|" : "signed", s.popts.eps_w_low, s.popts.eps_w_high, s.eps_batch_size,
            s.base_batch_size, s.nwot_batch_size, s.sampler == ZC_SAMPLER_SEQUENTIAL ? "sequential" : "random",
            (unsigned long long)s.seed);
    fprintf(f, "- NaN scores: %s\n", eo.nan_policy == ZC_NAN_WORST ? "ranked last" : "excluded (the papers' choice)");
    for (int i = 0; i < n_skipped; i++) fprintf(f, "- skipped: %s\n", skipped[i]);
    fprintf(f, "\n## Results\n\n\"paper\" is the value reported for NAS-Bench-201 / %s; the number in brackets is its "
               "source (below). \"-\": not reported, or undefined for this sample (top-64 needs more than 64 "
               "architectures).\n\n", dataset);
    fprintf(f, "| proxy | n | NaN scores |");
    for (int q = 0; q < N_METRICS; q++) fprintf(f, " %s | paper |", metric_md[q]);
    fprintf(f, " s/arch |\n|---|---:|---:|");
    for (int q = 0; q < N_METRICS; q++) fprintf(f, "---:|---:|");
    fprintf(f, "---:|\n");
    for (int p = 0; p < n_res; p++) {
        fprintf(f, "| %s | %zu | %zu |", res[p].name, res[p].r.n, res[p].r.n_nan_score);
        for (int q = 0; q < N_METRICS; q++) {
            char ours[32];
            format_metric(ours, sizeof ours, metric_value(&res[p].r, q), q);
            const reported *rp = find_reported(rep, n_rep, res[p].name, dataset, metric_key[q]);
            if (rp) fprintf(f, " %s | %s [%d] |", ours, rp->value, source_id(&src, rp->source));
            else fprintf(f, " %s | - |", ours);
        }
        fprintf(f, " %.4f |\n", res[p].seconds);
    }
    fprintf(f, "\nSources (`data/papers/reported.csv`):\n\n");
    for (int i = 0; i < src.n; i++) fprintf(f, "%d. %s\n", i + 1, src.name[i]);
    fprintf(f, "\nThe ZiCo paper compares with NATS-Bench-TSS test accuracy (the `%s` column); the epsinas numbers "
               "cover the whole space (15,625 architectures, NaN scores excluded) against NAS-Bench-201 v1.1 accuracy. "
               "A sample's statistics carry sampling noise, and top-64-in-top-5%% grows with the sample size.\n", target);
    int any = 0;
    for (int i = 0; i < n_rep; i++) {
        if (strcmp(rep[i].space, "nb201") || strcmp(rep[i].dataset, dataset)) continue;
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
    if (ferror(f) | (fclose(f) != 0)) { rc = cli_error(CLI_RUNTIME, "error writing '%s'", path); goto done; }
    printf("report: %s/report.md\n", dir);

done:
    for (int p = 0; p < n_res; p++) free(res[p].score);
    free(res);
    free(tgt);
    free(matrix);
    free(rep);
    free(selected);
    zc_bench_table_free(&scores);
    zc_bench_table_free(&bench);
    cli_archs_free(&archs);
    return rc;
}
