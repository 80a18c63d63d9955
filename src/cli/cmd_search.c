/* zcnas search: zero-shot architecture search with a proxy as the fitness.
 *   --space nb201 (default): random search / regularised ageing evolution over NAS-Bench-201, with
 *     the benchmark's accuracy and true rank of the chosen architecture (this file);
 *   --space zennas: ZiCo's evolutionary search over the ZenNAS PlainNet space (cmd_search_zennas.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "zcnas/search.h"

int cmd_search_zennas(int argc, char **argv);

static const char *usage_text =
    "Searches NAS-Bench-201 with a zero-cost proxy as the fitness and reports, per repeat, the chosen\n"
    "architecture, its proxy score, parameters, FLOPs and, from the benchmark table, its accuracy\n"
    "(column <dataset>_test) and true rank (1 = best of the whole table); then mean and std (ddof 0)\n"
    "of accuracy and rank over the repeats. Repeat r uses seed S + r for its draws and, unless\n"
    "--score-seed is given, for the proxy's data and initialisation (scores then equal\n"
    "`zcnas score --seed S+r`).\n\n"
    "  random: N architectures drawn uniformly with replacement (epsinas' protocol: np.random.choice\n"
    "          over the space), the highest score wins; NaN scores rank last.\n"
    "  rea:    regularised ageing evolution (Real et al.): --population random architectures, then\n"
    "          per cycle a tournament of --sample-size members (with replacement), its best is mutated\n"
    "          (random node, random incoming edge, a different op), the child joins and the oldest\n"
    "          leaves, until N evaluations; the answer is the best of the whole history.\n"
    "Budgets (--max-flops, --max-params; raw counts, e.g. 100e6) keep every drawn architecture under\n"
    "them; costs are those of `zcnas score --proxy flops,params`. Re-drawn architectures are scored once.\n\n"
    "ZiCo's evolutionary search over the ZenNAS (ImageNet) space: zcnas search --space zennas --help\n\n"
    "examples:\n"
    "  zcnas search --proxy zico --algo random --evals 1000 --repeat 10\n"
    "  zcnas search --proxy epsilon --algo rea --evals 300 --population 64 --sample-size 10\n"
    "  zcnas search --proxy zico --evals 200 --max-params 0.5e6 --format json";

typedef struct eval_log {
    FILE *f;
    int repeat;
    zc_nb201_cost_cache *costs;
    int failed;
    cli_progress progress;   /* over every evaluation of every repeat */
    int evals_done;          /* before the current scoring call */
} eval_log;

static void on_eval(void *ctx, int eval, int index, double score)
{
    eval_log *l = ctx;
    cli_progress_step(&l->progress, ++l->evals_done);
    if (!l->f) return;
    double flops = NAN, params = NAN;
    if (zc_nb201_cached_cost(l->costs, index, &flops, &params) != ZC_OK) l->failed = 1;
    fprintf(l->f, "%d,%d,%d,", l->repeat, eval, index);
    if (isnan(score)) fprintf(l->f, "nan");
    else fprintf(l->f, "%.17g", score);
    fprintf(l->f, ",%.0f,%.0f\n", flops, params);
}

/* The batches `zcnas score` draws for this seed (same seeds as cli_scoring_run). */
typedef struct search_data {
    zc_batch *batches;
    int n_batches;
    zc_batch eps_batch, base_batch, nwot_batch;
    int has_eps, has_base, has_nwot;
} search_data;

static void search_data_free(search_data *d)
{
    for (int i = 0; d->batches && i < d->n_batches; i++) zc_batch_free(&d->batches[i]);
    free(d->batches);
    zc_batch_free(&d->eps_batch);
    zc_batch_free(&d->base_batch);
    zc_batch_free(&d->nwot_batch);
    memset(d, 0, sizeof *d);
}

static int search_data_make(const cli_scoring *s, const zc_dataset *ds, uint64_t seed, search_data *d)
{
    memset(d, 0, sizeof *d);
    const zc_proxy *p = s->proxies[0];
    zc_status st = ZC_OK;
    if (p->needs_batches == ZC_DATA_ZICO) {
        zc_batch_opts bo = {s->batch_size, s->n_batches, s->sampler, seed * 2, s->augment};
        d->batches = calloc((size_t)s->n_batches, sizeof *d->batches);
        if (!d->batches) return cli_error(CLI_RUNTIME, "out of memory");
        d->n_batches = s->n_batches;
        st = zc_batches_make(ds, &bo, d->batches);
    } else if (p->needs_batches == ZC_DATA_EPS) {
        zc_batch_opts bo = {s->eps_batch_size, 1, s->sampler, seed * 2 + 1, 0};
        st = zc_batches_make(ds, &bo, &d->eps_batch);
        d->has_eps = st == ZC_OK;
    } else if (p->needs_batches == ZC_DATA_BASE) {
        zc_batch_opts bo = {s->base_batch_size, 1, s->sampler, seed * 2 + (1ull << 40), 0};
        st = zc_batches_make(ds, &bo, &d->base_batch);
        d->has_base = st == ZC_OK;
    } else if (p->needs_batches == ZC_DATA_NWOT) {
        zc_batch_opts bo = {s->nwot_batch_size, 1, s->sampler, seed * 2 + (2ull << 40), 0};
        st = zc_batches_make(ds, &bo, &d->nwot_batch);
        d->has_nwot = st == ZC_OK;
    }
    if (st != ZC_OK) {
        search_data_free(d);
        return cli_fail_status(st);
    }
    return CLI_OK;
}

/* Within a scoring call: the architectures it scored are evaluations about to be recorded. */
static void on_progress(void *ctx, int done, int total)
{
    (void)total;
    eval_log *l = ctx;
    cli_progress_step(&l->progress, l->evals_done + done);
}

typedef struct repeat_row {
    int seed, index;
    double score, flops, params, acc, seconds;
    int rank, distinct, scored;
} repeat_row;

static void mean_std(const double *v, int n, double *mean, double *std)
{
    double s = 0, ss = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(v[i])) { s += v[i]; k++; }
    *mean = k ? s / k : NAN;
    for (int i = 0; i < n; i++)
        if (!isnan(v[i])) ss += (v[i] - *mean) * (v[i] - *mean);
    *std = k ? sqrt(ss / k) : NAN;
}

static void json_num(FILE *f, double v, const char *fmt)
{
    if (isnan(v) || isinf(v)) fprintf(f, "null");
    else fprintf(f, fmt, v);
}

static int search_nb201(int argc, char **argv)
{
    cli_opt opts[] = {
        {"space", "NAME", "nb201 or zennas", "nb201", 0},
        {"algo", "NAME", "random or rea", "random", 0},
        {"evals", "N", "architectures evaluated per search (random: draws; rea: population + children)", "1000", 0},
        {"repeat", "R", "independent searches with seeds S, S+1, ..., S+R-1", "1", 0},
        {"population", "P", "rea: population size", "64", 0},
        {"sample-size", "S", "rea: tournament size", "10", 0},
        {"generation", "G", "rea: children bred per cycle from the same population and scored together", "1", 0},
        {"max-flops", "F", "FLOPs budget (raw count, e.g. 100e6)", NULL, 0},
        {"max-params", "P", "parameter budget (raw count, e.g. 1e6)", NULL, 0},
        {"score-seed", "S", "proxy data/init seed shared by every repeat (epsinas: one fixed score table; "
                            "scores are then cached across repeats) [default: each repeat's seed]", NULL, 0},
        {"bench", "FILE", "benchmark table with <dataset>_test [default: $ZCNAS_DATA/benchmarks/nb201_accuracy.csv]", NULL, 0},
        {"log", "FILE", "CSV of every evaluation: repeat,eval,index,score,flops,params", NULL, 0},
        {"format", "FMT", "text or json", "text", 0},
        CLI_SCORING_OPTS,
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    cli_find(opts, n, "proxy")->value = "zico";
    int rc = cli_parse("search", usage_text, argc, argv, opts, n);
    if (rc >= 0) return rc;
    if (strcmp(cli_str(opts, n, "space"), "nb201"))
        return cli_error(CLI_USAGE, "--space: unknown search space '%s' (available: nb201, zennas)", cli_str(opts, n, "space"));
    zc_nb201_search_opts so;
    zc_nb201_search_opts_default(&so);
    const char *algo = cli_str(opts, n, "algo");
    if (!strcmp(algo, "random")) so.algo = ZC_SEARCH_RANDOM;
    else if (!strcmp(algo, "rea")) so.algo = ZC_SEARCH_REA;
    else return cli_error(CLI_USAGE, "--algo: expected random or rea, got '%s'", algo);
    const char *format = cli_str(opts, n, "format");
    if (strcmp(format, "text") && strcmp(format, "json"))
        return cli_error(CLI_USAGE, "--format: expected text or json, got '%s'", format);
    int json = !strcmp(format, "json");
    long v, repeats;
    if ((rc = cli_int(opts, n, "evals", 1, 100000000L, &v))) return rc;
    so.evals = (int)v;
    if ((rc = cli_int(opts, n, "repeat", 1, 1000000L, &repeats))) return rc;
    if ((rc = cli_int(opts, n, "population", 1, 1000000L, &v))) return rc;
    so.population = (int)v;
    if ((rc = cli_int(opts, n, "sample-size", 1, 1000000L, &v))) return rc;
    so.sample_size = (int)v;
    if ((rc = cli_int(opts, n, "generation", 1, 100000L, &v))) return rc;
    so.generation = (int)v;
    if (cli_flag(opts, n, "max-flops") && (rc = cli_double(opts, n, "max-flops", &so.max_flops))) return rc;
    if (cli_flag(opts, n, "max-params") && (rc = cli_double(opts, n, "max-params", &so.max_params))) return rc;
    if ((cli_flag(opts, n, "max-flops") && !(so.max_flops > 0)) || (cli_flag(opts, n, "max-params") && !(so.max_params > 0)))
        return cli_error(CLI_USAGE, "--max-flops / --max-params: a budget must be positive");
    cli_scoring s;
    if ((rc = cli_scoring_parse(opts, n, &s))) return rc;
    if (s.n_proxies != 1)
        return cli_error(CLI_USAGE, "--proxy: the search needs exactly one proxy as its fitness, got %d", s.n_proxies);
    int fixed_score_seed = cli_flag(opts, n, "score-seed");
    long score_seed = 0;
    if (fixed_score_seed && (rc = cli_int(opts, n, "score-seed", 0, 0x7fffffffL, &score_seed))) return rc;
    if ((long)s.seed + repeats - 1 > 0x7fffffffL) return cli_error(CLI_USAGE, "--seed + --repeat: seeds past 2^31-1");
    int classes = zc_dataset_classes(s.dataset), resolution = zc_dataset_resolution(s.dataset);

    /* benchmark table */
    zc_bench_table bench;
    memset(&bench, 0, sizeof bench);
    int acc_col = -1;
    char col_name[64], path[4096];
    snprintf(col_name, sizeof col_name, "%s_test", zc_dataset_name(s.dataset));
    /* The search identifies architectures by benchmark index and reports their accuracy: it needs
     * the table. */
    if ((rc = cli_bench_path(cli_str(opts, n, "bench"), path, sizeof path))) return rc;
    if (zc_bench_table_load(&bench, path) != ZC_OK) return cli_fail_status(ZC_EIO);
    zc_nb201_index_map *map = malloc(sizeof *map);
    if (!map) {
        zc_bench_table_free(&bench);
        return cli_error(CLI_RUNTIME, "out of memory");
    }
    if (zc_nb201_index_map_from_table(map, &bench, path) != ZC_OK) {
        free(map);
        zc_bench_table_free(&bench);
        return cli_fail_status(ZC_EDATA);
    }
    acc_col = zc_bench_table_col(&bench, col_name);
    if (acc_col < 0 && cli_flag(opts, n, "bench")) {
        free(map);
        zc_bench_table_free(&bench);
        return cli_error(CLI_USAGE, "--bench: %s has no column %s", path, col_name);
    }

    zc_dataset ds;
    memset(&ds, 0, sizeof ds);
    if (s.proxies[0]->needs_batches != ZC_DATA_NONE) {
        char dir[4096];
        if ((rc = cli_dataset_path(s.data_opt, s.dataset, dir, sizeof dir)) ||
            zc_dataset_load(&ds, s.dataset, dir) != ZC_OK) {
            free(map);
            zc_bench_table_free(&bench);
            return rc ? rc : cli_error(CLI_RUNTIME, "%s", zc_last_error());
        }
    }
    zc_nb201_cost_cache costs;
    double *cache = NULL;
    unsigned char *cached = NULL;
    repeat_row *rows = calloc((size_t)repeats, sizeof *rows);
    zc_status st = zc_nb201_cost_cache_init(&costs, map, classes, resolution);
    if (st != ZC_OK || !rows) {
        free(rows);
        free(map);
        zc_dataset_free(&ds);
        zc_bench_table_free(&bench);
        return cli_error(CLI_RUNTIME, "out of memory");
    }
    if (fixed_score_seed) {
        cache = calloc(ZC_NB201_SIZE, sizeof *cache);
        cached = calloc(ZC_NB201_SIZE, 1);
        if (!cache || !cached) rc = cli_error(CLI_RUNTIME, "out of memory");
    }
    eval_log elog;
    memset(&elog, 0, sizeof elog);
    elog.costs = &costs;
    const char *log_path = cli_str(opts, n, "log");
    if (rc == CLI_OK && log_path) {
        elog.f = fopen(log_path, "w");
        if (!elog.f) rc = cli_error(CLI_RUNTIME, "%s: cannot write", log_path);
        else fprintf(elog.f, "repeat,eval,index,score,flops,params\n");
    }
    if (rc == CLI_OK && !json) {
        printf("search nb201 %s %s: %d evaluations", s.proxies[0]->name, algo, so.evals);
        if (so.algo == ZC_SEARCH_REA) printf(" (population %d, sample size %d)", so.population, so.sample_size);
        printf(", %ld repeat%s from seed %llu, dataset %s", repeats, repeats > 1 ? "s" : "",
               (unsigned long long)s.seed, zc_dataset_name(s.dataset));
        if (so.max_flops > 0) printf(", max flops %.0f", so.max_flops);
        if (so.max_params > 0) printf(", max params %.0f", so.max_params);
        printf("\n%-6s %-6s %-6s %-14s %-9s %-11s %-12s %-6s %-8s %-8s %s\n", "repeat", "seed", "index", "score",
               "params", "flops", acc_col >= 0 ? col_name : "accuracy", "rank", "distinct", "seconds", "arch");
        fflush(stdout);
    }
    cli_progress_start(&elog.progress, (int)(repeats * so.evals > 2000000000L ? 2000000000L : repeats * so.evals),
                       "evaluations", s.quiet, s.progress_every);
    for (long r = 0; r < repeats && rc == CLI_OK; r++) {
        uint64_t seed = s.seed + (uint64_t)r;
        uint64_t sseed = fixed_score_seed ? (uint64_t)score_seed : seed;
        search_data d;
        if ((rc = search_data_make(&s, &ds, sseed, &d))) break;
        zc_nb201_proxy_scorer ps = {
            .map = map,
            .proxy = s.proxies[0],
            .opts = s.popts,
            .num_classes = classes,
            .resolution = resolution,
            .batches = d.batches,
            .n_batches = d.n_batches,
            .eps_batch = d.has_eps ? &d.eps_batch : NULL,
            .base_batch = d.has_base ? &d.base_batch : NULL,
            .nwot_batch = d.has_nwot ? &d.nwot_batch : NULL,
            .seed = sseed,
            .threads = s.threads,
            .on_progress = on_progress,
            .progress_ctx = &elog,
        };
        so.seed = seed;
        so.map = map;
        so.score = zc_nb201_proxy_score;
        so.score_ctx = &ps;
        so.cost = zc_nb201_cached_cost;
        so.cost_ctx = &costs;
        so.cache = cache;
        so.cached = cached;
        so.on_eval = on_eval;
        so.eval_ctx = &elog;
        elog.repeat = (int)r;
        zc_nb201_search_result res;
        double t0 = cli_now();
        st = zc_nb201_search(&so, &res);
        search_data_free(&d);
        if (st != ZC_OK) { rc = cli_fail_status(st); break; }
        if (elog.failed) { rc = cli_error(CLI_RUNTIME, "%s", zc_last_error()); break; }
        repeat_row *row = &rows[r];
        row->seed = (int)seed;
        row->index = res.index;
        row->score = res.score;
        row->seconds = cli_now() - t0;
        row->distinct = res.distinct;
        row->scored = res.scored;
        row->flops = row->params = row->acc = NAN;
        row->rank = -1;
        char arch[ZC_NB201_STR_MAX] = "-";
        if (res.index >= 0) {
            zc_nb201_arch a;
            zc_nb201_from_index(map, res.index, &a);
            zc_nb201_format(&a, arch, sizeof arch);
            if ((st = zc_nb201_cached_cost(&costs, res.index, &row->flops, &row->params)) != ZC_OK) {
                rc = cli_fail_status(st);
                break;
            }
            /* true rank: 1 + the number of table rows with a strictly higher accuracy */
            int br = acc_col >= 0 ? zc_bench_table_row_of_index(&bench, res.index) : -1;
            if (br >= 0) {
                row->acc = bench.values[(size_t)br * bench.n_cols + acc_col];
                if (!isnan(row->acc)) {
                    row->rank = 1;
                    for (int i = 0; i < bench.n_rows; i++)
                        if (bench.values[(size_t)i * bench.n_cols + acc_col] > row->acc) row->rank++;
                }
            }
        }
        if (!json) {
            cli_progress_clear(&elog.progress);
            printf("%-6ld %-6d %-6d %-14.6f %-9.0f %-11.0f %-12.4f %-6d %-8d %-8.1f %s\n", r, row->seed, row->index,
                   row->score, row->params, row->flops, row->acc, row->rank, row->distinct, row->seconds, arch);
            fflush(stdout);
        }
    }
    cli_progress_end(&elog.progress);
    if (elog.f && fclose(elog.f) != 0 && rc == CLI_OK) rc = cli_error(CLI_RUNTIME, "%s: write failed", log_path);
    if (rc == CLI_OK) {
        double *acc = malloc((size_t)repeats * sizeof *acc), *rank = malloc((size_t)repeats * sizeof *rank);
        double ma = NAN, sa = NAN, mr = NAN, sr = NAN;
        if (acc && rank) {
            for (long r = 0; r < repeats; r++) {
                acc[r] = rows[r].acc;
                rank[r] = rows[r].rank > 0 ? rows[r].rank : NAN;
            }
            mean_std(acc, (int)repeats, &ma, &sa);
            mean_std(rank, (int)repeats, &mr, &sr);
        }
        if (!json) {
            if (acc_col >= 0)
                printf("mean %s %.2f +- %.2f, mean true rank %.1f +- %.1f (of %d), over %ld repeat%s (std: ddof 0)\n",
                       col_name, ma, sa, mr, sr, bench.n_rows, repeats, repeats > 1 ? "s" : "");
        } else {
            printf("{\"space\":\"nb201\",\"proxy\":\"%s\",\"algo\":\"%s\",\"evals\":%d,\"dataset\":\"%s\",\"seed\":%llu,",
                   s.proxies[0]->name, algo, so.evals, zc_dataset_name(s.dataset), (unsigned long long)s.seed);
            if (so.algo == ZC_SEARCH_REA)
                printf("\"population\":%d,\"sample_size\":%d,\"generation\":%d,", so.population, so.sample_size, so.generation);
            printf("\"max_flops\":");
            json_num(stdout, so.max_flops > 0 ? so.max_flops : NAN, "%.17g");
            printf(",\"max_params\":");
            json_num(stdout, so.max_params > 0 ? so.max_params : NAN, "%.17g");
            printf(",\"accuracy_column\":");
            if (acc_col >= 0) printf("\"%s\"", col_name);
            else printf("null");
            printf(",\"repeats\":[");
            for (long r = 0; r < repeats; r++) {
                const repeat_row *row = &rows[r];
                char arch[ZC_NB201_STR_MAX] = "";
                zc_nb201_arch a;
                if (row->index >= 0 && zc_nb201_from_index(map, row->index, &a) == ZC_OK) zc_nb201_format(&a, arch, sizeof arch);
                printf("%s{\"repeat\":%ld,\"seed\":%d,\"index\":", r ? "," : "", r, row->seed);
                if (row->index >= 0) printf("%d,\"arch\":\"%s\"", row->index, arch);
                else printf("null,\"arch\":null");
                printf(",\"score\":");
                json_num(stdout, row->score, "%.17g");
                printf(",\"params\":");
                json_num(stdout, row->params, "%.0f");
                printf(",\"flops\":");
                json_num(stdout, row->flops, "%.0f");
                printf(",\"accuracy\":");
                json_num(stdout, row->acc, "%.17g");
                printf(",\"rank\":");
                if (row->rank > 0) printf("%d", row->rank);
                else printf("null");
                printf(",\"distinct\":%d,\"scored\":%d,\"seconds\":%.3f}", row->distinct, row->scored, row->seconds);
            }
            printf("],\"mean_accuracy\":");
            json_num(stdout, ma, "%.17g");
            printf(",\"std_accuracy\":");
            json_num(stdout, sa, "%.17g");
            printf(",\"mean_rank\":");
            json_num(stdout, mr, "%.17g");
            printf(",\"std_rank\":");
            json_num(stdout, sr, "%.17g");
            printf("}\n");
        }
        free(acc);
        free(rank);
    }
    free(rows);
    free(cache);
    free(cached);
    zc_nb201_cost_cache_free(&costs);
    zc_dataset_free(&ds);
    zc_bench_table_free(&bench);
    free(map);
    return rc;
}

int cmd_search(int argc, char **argv)
{
    /* The space decides the option table. */
    for (int i = 1; i < argc; i++) {
        const char *space = NULL;
        if (!strcmp(argv[i], "--space") && i + 1 < argc) space = argv[i + 1];
        else if (!strncmp(argv[i], "--space=", 8)) space = argv[i] + 8;
        if (space && !strcmp(space, "zennas")) return cmd_search_zennas(argc, argv);
        if (space) break;
    }
    return search_nb201(argc, argv);
}
