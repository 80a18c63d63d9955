/* zcnas search: zero-shot architecture search over any space with any one proxy as the fitness.
 * random / rea: repeated searches reported with the benchmark's accuracy and true rank (this file);
 * evolution: ZiCo's evolutionary search into an output folder (cmd_search_evo.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#include "cmd_search.h"

static const char *usage_text =
    "Searches a space with one zero-cost proxy as the fitness.\n\n"
    "  random:    N architectures drawn uniformly with replacement (epsinas' protocol), the highest\n"
    "             score wins; NaN scores rank last.\n"
    "  rea:       regularised ageing evolution (Real et al.): --population random architectures, then per\n"
    "             cycle a tournament of --sample-size members (with replacement), its best is mutated by\n"
    "             the space (NB201: random node, random incoming edge, a different op), the child joins\n"
    "             and the oldest leaves, until N evaluations; the answer is the best of the whole history.\n"
    "  evolution: ZiCo's evolutionary search (evolution_search.py): a population of --population, each\n"
    "             iteration removes the lowest-scoring members down to the population size, mutates the\n"
    "             initial architecture (1 change, while the population has at most 10 members) or a random\n"
    "             member (2 changes), rejects children over --max-layers / --budget-flops /\n"
    "             --budget-params (the space's counters; zennas: the residual network at\n"
    "             --budget-resolution) and scores the rest with the proxy, each network initialised from\n"
    "             (seed, iteration). It writes --out DIR: best.txt, summary.json, candidates.csv (every\n"
    "             candidate) and a checkpoint (every --checkpoint-every iterations, at the end, and on\n"
    "             SIGINT/SIGTERM after the current candidate; exit status 130/143 then); --resume continues\n"
    "             it exactly, and --iterations may be raised to extend a finished search. A budget is\n"
    "             required (or --no-budget). The population holds up to --population + 1 members between\n"
    "             iterations (pruning comes first, the child last), as in the official loop.\n"
    "             Cost: one candidate per iteration; the official settings (100,000 iterations at 224x224,\n"
    "             2 batches of 128) take about 0.4 GPU-days by the paper, weeks on a small CPU; the progress\n"
    "             lines give the rate and ETA. --threads sets the threads inside the backend here.\n"
    "             With a score ranked over the population (--proxy az_nas, vkdnw_mbv2, vkdnw_agg, ...) it is\n"
    "             AZ-NAS' variant (evolution_search_az.py): no member is removed, every score is the rank\n"
    "             aggregate over all candidates scored so far, parents come from the --population - 1 best once\n"
    "             that many are scored, --iterations counts scored candidates (rejections are not iterations)\n"
    "             and the answer is the best of all.\n\n"
    "random / rea report per repeat the chosen architecture, its score, parameters, FLOPs and, from the\n"
    "space's benchmark table, its accuracy (<dataset>_test; nb101: val_accuracy, the mean over the table's\n"
    "rows with its graph hash) and true rank (1 = best of the table); then\n"
    "the mean and std (ddof 0) over the repeats. Repeat r uses seed S + r for its draws and, unless\n"
    "--score-seed is given, for the proxy's data and initialisation (scores then equal `zcnas score\n"
    "--seed S+r`). Budgets (--max-flops, --max-params) keep every drawn architecture under them.\n\n"
    "examples:\n"
    "  zcnas search --proxy zico --algo random --evals 1000 --repeat 10\n"
    "  zcnas search --proxy epsilon --algo rea --evals 300 --population 64 --sample-size 10\n"
    "  zcnas search --space zennas --budget-flops 450e6 --max-layers 14 --iterations 500 --population 64 \\\n"
    "      --resolution 32 --batch-size 16 --out zennas-450M\n"
    "official ZiCo 450M: --space zennas --budget-flops 450e6 --max-layers 14 --population 512\n"
    "  --iterations 100000 --resolution 224 --batch-size 128 --data <ImageNet train folder>";

/* ---------------------------------------------------------------- random / rea */

typedef struct eval_log {
    FILE *f;
    const zc_space_ctx *ctx;
    int repeat, failed;
    char *key;               /* the space's key of an arch (key_name spaces), str_max bytes */
    cli_progress progress;   /* over every evaluation of every repeat */
    int evals_done;          /* before the current scoring call */
    char *buf;
} eval_log;

static void on_eval(void *ctx, int eval, const void *arch, double score)
{
    eval_log *l = ctx;
    cli_progress_step(&l->progress, ++l->evals_done);
    if (!l->f) return;
    zc_cost c;
    if (zc_space_cost(l->ctx, arch, &c) != ZC_OK || zc_space_format(l->ctx, arch, l->buf, l->ctx->space->str_max) != ZC_OK)
        l->failed = 1;
    long index = zc_space_index_of(l->ctx, arch);
    fprintf(l->f, "%d,%d,", l->repeat, eval);
    if (index >= 0) fprintf(l->f, "%ld", index);
    if (l->ctx->space->key_name) {
        if (zc_space_key(l->ctx, arch, l->key, l->ctx->space->str_max) != ZC_OK) l->failed = 1;
        fprintf(l->f, ",%s", l->key);
    }
    fprintf(l->f, ",\"%s\",", l->buf);
    if (isnan(score)) fprintf(l->f, "nan");
    else fprintf(l->f, "%.17g", score);
    fprintf(l->f, ",%.0f,%.0f\n", c.flops, c.params);
}

/* Within a scoring call: the architectures it scored are evaluations about to be recorded. */
static void on_progress(void *ctx, int done, int total)
{
    (void)total;
    eval_log *l = ctx;
    cli_progress_step(&l->progress, l->evals_done + done);
}

typedef struct repeat_row {
    int seed, rank, distinct, scored;
    long index;
    double score, flops, params, acc, seconds;
    char *arch, *key;
} repeat_row;

static void print_json(const search_cli *sc, const char *algo, const zc_search_opts *so, const repeat_row *rows,
                       long repeats, const char *acc_col, double ma, double sa, double mr, double sr)
{
    printf("{\"space\":\"%s\",\"proxy\":\"%s\",\"algo\":\"%s\",\"evals\":%d,\"dataset\":\"%s\",\"seed\":%llu,",
           sc->ctx->space->name, FITNESS_NAME(sc), algo, so->evals, zc_dataset_name(sc->s.dataset),
           (unsigned long long)sc->s.run.seed);
    if (so->algo == ZC_SEARCH_REA)
        printf("\"population\":%d,\"sample_size\":%d,\"generation\":%d,", so->population, so->sample_size,
               so->generation);
    printf("\"max_flops\":");
    printf(so->max_flops > 0 ? "%.17g" : "null", so->max_flops);
    printf(",\"max_params\":");
    printf(so->max_params > 0 ? "%.17g" : "null", so->max_params);
    printf(",\"accuracy_column\":");
    if (acc_col) printf("\"%s\"", acc_col);
    else printf("null");
    printf(",\"repeats\":[");
    for (long r = 0; r < repeats; r++) {
        const repeat_row *row = &rows[r];
        printf("%s{\"repeat\":%ld,\"seed\":%d,\"index\":", r ? "," : "", r, row->seed);
        if (row->index >= 0) printf("%ld", row->index);
        else printf("null");
        if (sc->ctx->space->key_name) printf(",\"%s\":\"%s\"", sc->ctx->space->key_name, row->key ? row->key : "");
        printf(",\"arch\":");
        if (row->arch) printf("\"%s\"", row->arch);
        else printf("null");
        printf(",\"score\":");
        printf(isfinite(row->score) ? "%.17g" : "null", row->score);
        printf(",\"params\":");
        printf(isfinite(row->params) ? "%.0f" : "null", row->params);
        printf(",\"flops\":");
        printf(isfinite(row->flops) ? "%.0f" : "null", row->flops);
        printf(",\"accuracy\":");
        printf(isfinite(row->acc) ? "%.17g" : "null", row->acc);
        printf(",\"rank\":");
        if (row->rank > 0) printf("%d", row->rank);
        else printf("null");
        printf(",\"distinct\":%d,\"scored\":%d,\"seconds\":%.3f}", row->distinct, row->scored, row->seconds);
    }
    const double tail[4] = {ma, sa, mr, sr};
    const char *names[4] = {"mean_accuracy", "std_accuracy", "mean_rank", "std_rank"};
    printf("]");
    for (int k = 0; k < 4; k++) {
        printf(",\"%s\":", names[k]);
        printf(isfinite(tail[k]) ? "%.17g" : "null", tail[k]);
    }
    printf("}\n");
}

static int search_repeats(search_cli *sc)
{
    cli_opt *opts = sc->opts;
    int n = sc->n, rc;
    const char *algo = cli_str(opts, n, "algo");
    zc_search_opts so;
    zc_search_opts_default(&so);
    so.space = sc->ctx;
    so.algo = !strcmp(algo, "rea") ? ZC_SEARCH_REA : ZC_SEARCH_RANDOM;
    const char *format = cli_str(opts, n, "format");
    if (strcmp(format, "text") && strcmp(format, "json"))
        return cli_error(CLI_USAGE, "--format: expected text or json, got '%s'", format);
    int json = !strcmp(format, "json");
    long v, repeats;
    if ((rc = cli_int(opts, n, "evals", 1, 100000000L, &v))) return rc;
    so.evals = (int)v;
    if ((rc = cli_int(opts, n, "repeat", 1, 1000000L, &repeats))) return rc;
    if (cli_flag(opts, n, "population")) {
        if ((rc = cli_int(opts, n, "population", 1, 1000000L, &v))) return rc;
        so.population = (int)v;
    }
    if ((rc = cli_int(opts, n, "sample-size", 1, 1000000L, &v))) return rc;
    so.sample_size = (int)v;
    if ((rc = cli_int(opts, n, "generation", 1, 100000L, &v))) return rc;
    so.generation = (int)v;
    if (cli_flag(opts, n, "max-flops") && (rc = cli_double(opts, n, "max-flops", &so.max_flops))) return rc;
    if (cli_flag(opts, n, "max-params") && (rc = cli_double(opts, n, "max-params", &so.max_params))) return rc;
    if ((cli_flag(opts, n, "max-flops") && !(so.max_flops > 0)) || (cli_flag(opts, n, "max-params") && !(so.max_params > 0)))
        return cli_error(CLI_USAGE, "--max-flops / --max-params: a budget must be positive");
    int fixed_score_seed = cli_flag(opts, n, "score-seed");
    long score_seed = 0;
    if (fixed_score_seed && (rc = cli_int(opts, n, "score-seed", 0, 0x7fffffffL, &score_seed))) return rc;
    uint64_t seed0 = sc->s.run.seed;
    if ((long)seed0 + repeats - 1 > 0x7fffffffL) return cli_error(CLI_USAGE, "--seed + --repeat: seeds past 2^31-1");

    /* The benchmark's accuracy column when the space has a table. */
    zc_bench_table bench;
    memset(&bench, 0, sizeof bench);
    int acc_col = -1;
    char col_name[64], path[4096];
    zc_space_target_ctx(sc->ctx, zc_dataset_name(sc->s.dataset), col_name, sizeof col_name);
    if (sc->ctx->space->bench_table) {
        zc_status st = zc_data_bench_path(sc->ctx->space->bench_table, cli_str(opts, n, "bench"), path, sizeof path);
        if (st != ZC_OK && !cli_flag(opts, n, "bench")) {
            /* the table only adds accuracy and rank (NATS-SSS has none unless the user exports it) */
            fprintf(stderr, "zcnas: note: %s; searching without accuracy and rank\n", zc_last_error());
        } else {
            if (st == ZC_OK) st = zc_bench_table_load_for(&bench, path, sc->ctx->space->bench_rows);
            if (st != ZC_OK) return cli_fail_status(st);
            if ((acc_col = zc_bench_table_col(&bench, col_name)) < 0 && cli_flag(opts, n, "bench")) {
                zc_bench_table_free(&bench);
                return cli_error(CLI_USAGE, "--bench: %s has no column %s", path, col_name);
            }
        }
    }
    /* spaces without an index find the found architecture's rows by key (NB101: the graph hash) */
    char **bench_keys = NULL;
    if (acc_col >= 0 && !sc->ctx->space->from_index && sc->ctx->space->key_name) {
        zc_status st = zc_row_keys(&bench, path, sc->ctx, 0, &bench_keys);
        if (st != ZC_OK) {
            zc_bench_table_free(&bench);
            return cli_fail_status(st);
        }
    }
    repeat_row *rows = calloc((size_t)repeats, sizeof *rows);
    long n_found = 0;
    zc_search_cache *cache = fixed_score_seed ? zc_search_cache_new() : NULL;
    void *best = calloc(1, sc->ctx->space->arch_size);
    eval_log elog;
    memset(&elog, 0, sizeof elog);
    elog.ctx = sc->ctx;
    elog.buf = malloc(sc->ctx->space->str_max);
    elog.key = malloc(sc->ctx->space->str_max);
    if (!rows || !best || !elog.buf || !elog.key || (fixed_score_seed && !cache)) rc = cli_error(CLI_RUNTIME, "out of memory");
    const char *log_path = cli_str(opts, n, "log");
    {   /* (MPI) ranks > 0 serve from here, before the log is written; runs differ by their seed only */
        zc_run_opts tmpl = sc->s.run;
        tmpl.nan_on_numeric_error = 1;
        cli_dist_scoring(&tmpl);
        sc->s.run.remote = tmpl.remote;
        sc->s.run.threads = tmpl.threads;
    }
    if (!rc && log_path) {
        if (!(elog.f = fopen(log_path, "w"))) rc = cli_error(CLI_RUNTIME, "%s: cannot write", log_path);
        else fprintf(elog.f, "repeat,eval,index,%s%sarch,score,flops,params\n",
                     sc->ctx->space->key_name ? sc->ctx->space->key_name : "", sc->ctx->space->key_name ? "," : "");
    }
    if (!rc && !json) {
        printf("search %s %s %s: %d evaluations", sc->ctx->space->name, FITNESS_NAME(sc), algo, so.evals);
        if (so.algo == ZC_SEARCH_REA) printf(" (population %d, sample size %d)", so.population, so.sample_size);
        char task[64];
        zc_space_task_name(sc->ctx, task, sizeof task);
        printf(", %ld repeat%s from seed %llu, %s %s", repeats, repeats > 1 ? "s" : "", (unsigned long long)seed0,
               task[0] ? "task" : "dataset", task[0] ? task : zc_dataset_name(sc->s.dataset));
        if (so.max_flops > 0) printf(", max flops %.0f", so.max_flops);
        if (so.max_params > 0) printf(", max params %.0f", so.max_params);
        /* index, accuracy and rank only where a benchmark table gives them */
        if (acc_col >= 0)
            printf("\n%-6s %-6s %-6s %-14s %-9s %-11s %-12s %-6s %-8s %-8s %s\n", "repeat", "seed", "index", "score",
                   "params", "flops", col_name, "rank", "distinct", "seconds", "arch");
        else
            printf("\n%-6s %-6s %-14s %-9s %-11s %-8s %-8s %s\n", "repeat", "seed", "score", "params", "flops",
                   "distinct", "seconds", "arch");
        fflush(stdout);
    }
    cli_progress_start(&elog.progress, (int)(repeats * so.evals > 2000000000L ? 2000000000L : repeats * so.evals),
                       "evaluations", sc->s.quiet, sc->s.progress_every);
    for (long r = 0; r < repeats && !rc; r++) {
        uint64_t seed = seed0 + (uint64_t)r;
        zc_run_opts ro = sc->s.run;
        ro.seed = fixed_score_seed ? (uint64_t)score_seed : seed;
        ro.nan_on_numeric_error = 1;
        ro.on_progress = on_progress;
        ro.progress_ctx = &elog;
        zc_run *run;
        zc_status st = zc_run_open(&ro, &run);
        if (st != ZC_OK) { rc = cli_fail_run(st); break; }
        so.seed = seed;
        so.fitness = zc_run_fitness;
        so.fitness_ctx = run;
        zc_run_columns columns;
        if (sc->s.aggregate) {   /* the sub-scores, ranked over the search's history */
            if ((st = zc_run_columns_for(&columns, run, sc->s.aggregate)) != ZC_OK) { zc_run_close(run); rc = cli_fail_status(st); break; }
            so.aggregate = sc->s.aggregate;
            so.fitness = zc_run_fitness_columns;
            so.fitness_ctx = &columns;
        }
        so.cache = cache;
        so.on_eval = on_eval;
        so.eval_ctx = &elog;
        elog.repeat = (int)r;
        zc_search_result res = {.best = best};
        double t0 = cli_now();
        st = zc_search(&so, &res);
        zc_run_close(run);
        if (st != ZC_OK) { rc = cli_fail_status(st); break; }
        if (elog.failed) { rc = cli_error(CLI_RUNTIME, "%s", zc_last_error()); break; }
        repeat_row *row = &rows[r];
        row->seed = (int)seed;
        row->score = res.score;
        row->seconds = cli_now() - t0;
        row->distinct = res.distinct;
        row->scored = res.scored;
        row->flops = row->params = row->acc = NAN;
        row->rank = -1;
        row->index = -1;
        n_found += res.found != 0;
        if (res.found) {
            zc_cost c;
            if ((st = zc_space_cost(sc->ctx, best, &c)) != ZC_OK) { rc = cli_fail_status(st); break; }
            row->flops = c.flops;
            row->params = c.params;
            row->index = zc_space_index_of(sc->ctx, best);
            if (!(row->arch = malloc(sc->ctx->space->str_max)) ||
                zc_space_format(sc->ctx, best, row->arch, sc->ctx->space->str_max) != ZC_OK) {
                rc = cli_error(CLI_RUNTIME, "out of memory");
                break;
            }
            if (sc->ctx->space->key_name) {
                if (!(row->key = malloc(sc->ctx->space->str_max))) { rc = cli_error(CLI_RUNTIME, "out of memory"); break; }
                if ((st = zc_space_key(sc->ctx, best, row->key, sc->ctx->space->str_max)) != ZC_OK) {
                    rc = cli_fail_status(st);
                    break;
                }
            }
            if (bench_keys) zc_bench_rank_key(&bench, acc_col, bench_keys, row->key, &row->acc, &row->rank);
            else zc_bench_rank(&bench, acc_col, row->index, &row->acc, &row->rank);
        }
        if (!json) {
            cli_progress_clear(&elog.progress);
            char idx[24] = "-";   /* no index: NB101 (its hash is in the arch's key) */
            if (row->index >= 0) snprintf(idx, sizeof idx, "%ld", row->index);
            if (acc_col >= 0)
                printf("%-6ld %-6d %-6s %-14.6f %-9.0f %-11.0f %-12.4f %-6d %-8d %-8.1f %s\n", r, row->seed, idx,
                       row->score, row->params, row->flops, row->acc, row->rank, row->distinct, row->seconds,
                       row->arch ? row->arch : "-");
            else
                printf("%-6ld %-6d %-14.6f %-9.0f %-11.0f %-8d %-8.1f %s\n", r, row->seed, row->score, row->params,
                       row->flops, row->distinct, row->seconds, row->arch ? row->arch : "-");
            fflush(stdout);
        }
    }
    cli_progress_end(&elog.progress);
    if (elog.f && fclose(elog.f) != 0 && !rc) rc = cli_error(CLI_RUNTIME, "%s: write failed", log_path);
    /* NaN ranks last, so a repeat finds nothing only when every score was NaN (e.g. epsilon where every
     * path has a convolution): a note when some repeats did, a failure when none did. */
    if (!rc && n_found == 0)
        rc = cli_error(CLI_RUNTIME, "search: no architecture got a finite %s score in %ld repeat%s of %d evaluations; "
                                    "%s may be undefined on %s networks", FITNESS_NAME(sc), repeats,
                       repeats > 1 ? "s" : "", so.evals, FITNESS_NAME(sc), sc->ctx->space->name);
    else if (!rc && n_found < repeats)
        fprintf(stderr, "zcnas: note: %ld of %ld repeats found no architecture with a finite %s score\n",
                repeats - n_found, repeats, FITNESS_NAME(sc));
    if (!rc) {
        double *acc = malloc((size_t)repeats * sizeof *acc), *rank = malloc((size_t)repeats * sizeof *rank);
        double ma = NAN, sa = NAN, mr = NAN, sr = NAN;
        if (acc && rank) {
            for (long r = 0; r < repeats; r++) {
                acc[r] = rows[r].acc;
                rank[r] = rows[r].rank > 0 ? rows[r].rank : NAN;
            }
            zc_mean_std(acc, (int)repeats, &ma, &sa);
            zc_mean_std(rank, (int)repeats, &mr, &sr);
        }
        if (!json && acc_col >= 0)
            printf("mean %s %.2f +- %.2f, mean true rank %.1f +- %.1f (of %d), over %ld repeat%s (std: ddof 0)\n",
                   col_name, ma, sa, mr, sr, bench.n_rows, repeats, repeats > 1 ? "s" : "");
        if (json) print_json(sc, algo, &so, rows, repeats, acc_col >= 0 ? col_name : NULL, ma, sa, mr, sr);
        free(acc);
        free(rank);
    }
    for (long r = 0; rows && r < repeats; r++) {
        free(rows[r].arch);
        free(rows[r].key);
    }
    free(rows);
    free(best);
    free(elog.buf);
    free(elog.key);
    zc_row_keys_free(bench_keys, bench.n_rows);
    zc_search_cache_free(cache);
    zc_bench_table_free(&bench);
    return rc;
}

int cmd_search(int argc, char **argv)
{
    cli_opt opts[] = {
        CLI_SPACE_OPTS,
        {"algo", "NAME", "random, rea or evolution [default: random for spaces with a benchmark table, else evolution]",
         NULL, 0},
        {"population", "P", "rea: population size [default: 64]; evolution: the size the loop prunes to (AZ-NAS' "
                            "variant: 1 + its parent pool) [default: 512]", NULL, 0},
        /* random / rea */
        {"evals", "N", "random / rea: architectures evaluated per search (random: draws; rea: population + children)",
         "1000", 0},
        {"repeat", "R", "random / rea: independent searches with seeds S, S+1, ..., S+R-1", "1", 0},
        {"sample-size", "S", "rea: tournament size", "10", 0},
        {"generation", "G", "rea: children bred per cycle from the same population and scored together", "1", 0},
        {"max-flops", "F", "random / rea: FLOPs budget (raw count, e.g. 100e6)", NULL, 0},
        {"max-params", "P", "random / rea: parameter budget (raw count, e.g. 1e6)", NULL, 0},
        {"score-seed", "S", "random / rea: proxy data/init seed shared by every repeat (epsinas: one fixed score table; "
                            "scores are then cached across repeats) [default: each repeat's seed]", NULL, 0},
        {"log", "FILE", "random / rea: CSV of every evaluation: repeat,eval,index,arch,score,flops,params", NULL, 0},
        {"format", "FMT", "random / rea: text or json", "text", 0},
        /* evolution */
        {"iterations", "T", "evolution: iterations", "100000", 0},
        {"budget-flops", "F", "evolution: FLOPs budget (e.g. 450e6, 600e6, 1000e6 as ZiCo's scripts)", NULL, 0},
        {"budget-params", "P", "evolution: parameter budget", NULL, 0},
        {"no-budget", NULL, "evolution: search without a FLOPs or parameter budget (not what the papers do)", NULL, 0},
        {"max-layers", "L", "evolution: layer budget (14 for 450M/600M, 16 for 1G) [default: none]", NULL, 0},
        {"budget-resolution", "R", "evolution: input size of the budget counters [default: the space's; zennas: 224]",
         NULL, 0},
        {"initial", "ARCH", "evolution: initial architecture [default: the space's (zennas: ZiCo's)]", NULL, 0},
        {"mutation", "NAME", "the space's mutation variant: nb101: api (the NASBench API's mutate_spec) or epsinas "
                             "(one edge flip); zennas: official (random.choice's weights) or uniform [default: the "
                             "first]", NULL, 0},
        {"uniform-mutation", NULL, "zennas: --mutation uniform", NULL, 0},
        {"out", "DIR", "evolution: output directory (created)", NULL, 0},
        {"resume", NULL, "evolution: continue the search checkpointed in --out", NULL, 0},
        {"checkpoint-every", "K", "evolution: iterations between checkpoints (0: only at the end and on a signal)", "1000",
         0},
        {"candidates-per-step", "B", "evolution: candidates drawn from the population and scored together per step, "
                                     "over --threads and MPI ranks (zcnas' batch mode; 1: the official loop, one "
                                     "candidate at a time with --threads inside it)", "1", 0},
        CLI_PROXY_OPTS,
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    cli_default(opts, n, "proxy", "zico");
    int rc = cli_parse("search", usage_text, argc, argv, opts, n);
    if (rc >= 0) return rc;
    search_cli sc;
    memset(&sc, 0, sizeof sc);
    sc.opts = opts;
    sc.n = n;
    const zc_space *space = zc_space_find(cli_str(opts, n, "space"));
    if (!space) return cli_fail_prefix(ZC_EINVAL, "--space");
    const char *algo = cli_str(opts, n, "algo");
    if (!algo) algo = space->bench_table ? "random" : "evolution";
    cli_find(opts, n, "algo")->value = algo;
    if (strcmp(algo, "random") && strcmp(algo, "rea") && strcmp(algo, "evolution"))
        return cli_error(CLI_USAGE, "--algo: expected random, rea or evolution, got '%s'", algo);
    int evo = !strcmp(algo, "evolution");
    /* ZiCo's scripts score candidates on batches of 128. */
    if (evo && !cli_flag(opts, n, "batch-size")) cli_find(opts, n, "batch-size")->value = "128";
    if ((rc = cli_open_space(opts, n, !evo && space->bench_table != NULL, &sc.ctx, &sc.kind))) return rc;
    if ((rc = cli_scoring_parse(opts, n, sc.ctx, sc.kind, &sc.s))) goto done;
    for (int p = 0; p < sc.s.run.n_proxies && !sc.s.aggregate; p++)
        if (zc_proxy_n_outputs(sc.s.run.proxies[p]) != 1) {
            rc = cli_error(CLI_USAGE, "--proxy: %s writes sub-scores: search with the score that ranks them (az_nas, "
                           "te_nas, vkdnw, vkdnw_agg or vkdnw_mbv2) alone", sc.s.run.proxies[p]->name);
            goto done;
        }
    if (sc.s.run.n_proxies != 1 && !sc.s.aggregate) {
        rc = cli_error(CLI_USAGE, "--proxy: the search needs exactly one proxy as its fitness, got %d", sc.s.run.n_proxies);
        goto done;
    }
    if (!evo) {   /* the evolution's own options would be silently ignored */
        static const char *const evolution_only[] = {"iterations", "budget-flops", "budget-params", "no-budget", "max-layers",
                                                     "initial", "out", "resume", "checkpoint-every", "candidates-per-step"};
        for (size_t i = 0; i < sizeof evolution_only / sizeof *evolution_only; i++)
            if (cli_flag(opts, n, evolution_only[i])) {
                rc = cli_error(CLI_USAGE, "--%s: not an option of --algo %s (see zcnas search --help)", evolution_only[i], algo);
                goto done;
            }
    }
    rc = evo ? cmd_search_evolution(&sc) : search_repeats(&sc);
done:
    zc_space_close(sc.ctx);
    return rc;
}
