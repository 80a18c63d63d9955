/* zcnas search --algo evolution: ZiCo's evolutionary search (zc_evo_search) with a candidate log,
 * periodic checkpoints, SIGINT/SIGTERM handling and exact --resume. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cmd_search.h"
#include "zcnas/dist.h"

static volatile sig_atomic_t stop_signal = 0;
/* First signal: finish the current candidate, checkpoint, exit. A second one: die at once (the last
 * periodic checkpoint stays valid). */
static void on_signal(int sig)
{
    if (stop_signal) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
    stop_signal = sig;
}

typedef struct evo_ctx {
    int quiet, population;
} evo_ctx;

static void on_progress(void *ctx, const zc_evo_progress *p)
{
    const evo_ctx *z = ctx;
    if (z->quiet) return;
    long done = p->iteration - p->start;
    double rate = p->seconds > 0 ? done / p->seconds : 0;
    fprintf(stderr,
            "zcnas: search: iteration %ld/%ld  %.3g it/s  ETA %.0f s  members %d (size %d)  best %.4f  median %.4f  "
            "scored %ld  rejected %ld (layers %ld, params %ld, flops %ld, nan %ld)  %.1f s\n",
            p->iteration, p->iterations, rate, rate > 0 ? (p->iterations - p->iteration) / rate : NAN, p->members,
            z->population, p->best, p->median, p->scored, p->rej_layers + p->rej_params + p->rej_flops + p->rej_nan,
            p->rej_layers, p->rej_params, p->rej_flops, p->rej_nan, p->seconds);
}

/* Everything that changes the result: the scoring run's fingerprint (version, proxies and their
 * options, seed, data, backend threads) and the search's own settings. It must match on --resume. */
static zc_status fingerprint(const search_cli *sc, const zc_evo_opts *o, const zc_run *run, char *fp, size_t size)
{
    zc_status st = zc_run_fingerprint(run, fp, size);
    size_t k = strlen(fp);
    if (st == ZC_OK) {
        int w = snprintf(fp + k, size - k, " fitness=%s population=%d max_layers=%d budget_flops=%.17g "
                         "budget_params=%.17g mutation=%d initial=%s", FITNESS_NAME(sc), o->population, o->max_layers,
                         o->budget_flops, o->budget_params, sc->ctx->mutation, o->initial ? o->initial : "default");
        k += w > 0 ? (size_t)w : 0;
        if (st == ZC_OK && o->batch > 1 && k < size) {   /* (absent for the official loop: older checkpoints match) */
            w = snprintf(fp + k, size - k, " candidates_per_step=%d", o->batch);
            if (w < 0 || (size_t)w >= size - k) st = zc_fail(ZC_EINVAL, "search fingerprint: too long");
        }
        if (w < 0 || (size_t)w >= size - k) st = zc_fail(ZC_EINVAL, "search fingerprint: too long");
    }
    return st;
}

int cmd_search_evolution(search_cli *sc)
{
    cli_opt *opts = sc->opts;
    int n = sc->n, rc;
    static const char *const repeat_only[] = {"evals", "repeat", "sample-size", "generation", "max-flops", "max-params",
                                              "score-seed", "log"};
    for (size_t i = 0; i < sizeof repeat_only / sizeof *repeat_only; i++)
        if (cli_flag(opts, n, repeat_only[i]))
            return cli_error(CLI_USAGE, "--%s: not an option of --algo evolution (see zcnas search --help)", repeat_only[i]);
    zc_evo_opts o;
    zc_evo_opts_default(&o);
    o.space = sc->ctx;
    long v;
    int budgeted = cli_flag(opts, n, "budget-flops") || cli_flag(opts, n, "budget-params");
    if (!budgeted && !cli_flag(opts, n, "no-budget"))
        return cli_error(CLI_USAGE, "search --algo evolution: give a budget, e.g. --budget-flops 450e6 --max-layers 14 "
                                    "(ZiCo's 450M setting), or --no-budget; see zcnas search --help for the cost");
    if (budgeted && cli_flag(opts, n, "no-budget"))
        return cli_error(CLI_USAGE, "--no-budget: contradicts --budget-flops / --budget-params");
    if (cli_flag(opts, n, "budget-flops") &&
        ((rc = cli_double(opts, n, "budget-flops", &o.budget_flops)) || !(o.budget_flops > 0)))
        return rc ? rc : cli_error(CLI_USAGE, "--budget-flops: must be positive");
    if (cli_flag(opts, n, "budget-params") &&
        ((rc = cli_double(opts, n, "budget-params", &o.budget_params)) || !(o.budget_params > 0)))
        return rc ? rc : cli_error(CLI_USAGE, "--budget-params: must be positive");
    if (cli_flag(opts, n, "max-layers")) {
        if ((rc = cli_int(opts, n, "max-layers", 1, 100000, &v))) return rc;
        o.max_layers = (int)v;
    }
    if ((rc = cli_int(opts, n, "iterations", 0, 1000000000L, &v))) return rc;
    o.iterations = v;
    if (cli_flag(opts, n, "population")) {
        if ((rc = cli_int(opts, n, "population", 1, 10000000L, &v))) return rc;
        o.population = (int)v;
    }
    if ((rc = cli_int(opts, n, "checkpoint-every", 0, 1000000000L, &v))) return rc;
    o.checkpoint_every = v;
    o.progress_seconds = sc->s.progress_every;
    o.initial = cli_str(opts, n, "initial");
    o.seed = sc->s.run.seed;
    if ((rc = cli_int(opts, n, "candidates-per-step", 1, 1000000L, &v))) return rc;
    o.batch = (int)v;
    zc_run_opts ro = sc->s.run;
    if (o.batch == 1) {   /* One candidate at a time: --threads are the backend's threads for it. */
        if (!cli_flag(opts, n, "backend-threads")) ro.backend_threads = ro.threads > 0 ? ro.threads : 1;
        ro.threads = 1;
        if (zc_dist_size() > 1 && !sc->s.quiet && zc_dist_rank() == 0)
            fprintf(stderr, "zcnas: note: the official loop scores one candidate at a time, so the other ranks idle; "
                            "--candidates-per-step B scores B at once over the ranks\n");
    }   /* (batch mode: --threads candidates at once per process, --backend-threads inside each) */
    ro.nan_on_numeric_error = 1;
    sc->s.run.backend_threads = ro.backend_threads;
    cli_dist_scoring(&ro);   /* (MPI) ranks > 0 serve from here, before anything is written */
    const char *out = cli_str(opts, n, "out");
    if (!out) return cli_error(CLI_USAGE, "search: --out DIR is required for --algo evolution");
    o.resume = cli_flag(opts, n, "resume");
    if (o.initial) {
        void *tmp = calloc(1, sc->ctx->space->arch_size);
        zc_status st = tmp ? zc_space_parse(sc->ctx, o.initial, tmp) : ZC_ENOMEM;
        free(tmp);
        if (st != ZC_OK) return cli_fail_prefix(st, "--initial");
    }
    char ckpt[4200], log[4200], best_path[4200], summary_path[4200];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint", out);
    snprintf(log, sizeof log, "%s/candidates.csv", out);
    snprintf(best_path, sizeof best_path, "%s/best.txt", out);
    snprintf(summary_path, sizeof summary_path, "%s/summary.json", out);
    if (mkdir(out, 0777) != 0 && errno != EEXIST) return cli_error(CLI_RUNTIME, "%s: cannot create: %s", out, strerror(errno));
    struct stat sb;
    if (!o.resume && stat(ckpt, &sb) == 0)
        return cli_error(CLI_USAGE, "%s holds a search already (checkpoint); add --resume to continue it, or choose another --out", out);

    zc_run *run = NULL;
    zc_status st = zc_run_open(&ro, &run);
    if (st != ZC_OK) return cli_fail_run(st);
    char fp[8192];
    if ((st = fingerprint(sc, &o, run, fp, sizeof fp)) != ZC_OK) {
        zc_run_close(run);
        return cli_fail_status(st);
    }
    evo_ctx ec = {sc->s.quiet, o.population};
    o.fitness = zc_run_fitness;
    o.fitness_ctx = run;
    zc_run_columns columns;
    if (sc->s.aggregate) {   /* AZ-NAS' variant: the sub-scores, ranked over every candidate scored */
        if ((st = zc_run_columns_for(&columns, run, sc->s.aggregate)) != ZC_OK) {
            zc_run_close(run);
            return cli_fail_status(st);
        }
        o.aggregate = sc->s.aggregate;
        o.fitness = zc_run_fitness_columns;
        o.fitness_ctx = &columns;
    }
    o.log_path = log;
    o.checkpoint_path = ckpt;
    o.fingerprint = fp;
    o.stop = &stop_signal;
    o.on_progress = on_progress;
    o.ctx = &ec;
    if (!sc->s.quiet)
        fprintf(stderr, "zcnas: search --algo evolution on %s with %s: %ld iterations, population size %d, %dx%d "
                        "images, budget flops %.4g params %.4g layers %d (0: none); a progress line with the rate and "
                        "ETA every %g s\n", sc->ctx->space->name, FITNESS_NAME(sc), o.iterations, o.population,
                sc->ctx->cfg.resolution, sc->ctx->cfg.resolution, o.budget_flops, o.budget_params, o.max_layers,
                o.progress_seconds);
    zc_evo_result res;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    stop_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    st = zc_evo_search(&o, &res);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (st != ZC_OK) {
        zc_run_close(run);
        return cli_fail_status(st);
    }
    char settings[4400];
    const char *data = zc_run_data_source(run, NULL);
    int bs = ro.lanes[0].batch_size, nb = ro.lanes[0].n_batches;
    snprintf(settings, sizeof settings, "\"batch_size\":%d,\"batches\":%d,\"data_format\":\"%s\",\"backend\":\"%s\","
             "\"threads\":%d,\"data\":\"%s\"", bs, nb, ro.image_folder ? "image-folder" : ro.dataset,
             zc_backend_name(ro.proxy_opts.backend), ro.backend_threads, data ? data : "");
    zc_run_close(run);
    if (res.best && (st = zc_evo_write_best(best_path, res.best)) != ZC_OK) rc = cli_fail_status(st);
    if (!rc && (st = zc_evo_write_summary(summary_path, &o, &res, FITNESS_NAME(sc), settings)) != ZC_OK)
        rc = cli_fail_status(st);
    if (!rc && res.interrupted) {
        int sig = (int)stop_signal;
        cli_error(128 + sig, "search: interrupted by signal %d at iteration %ld; checkpoint written to %s "
                             "(continue with the same options and --resume)", sig, res.iterations, ckpt);
        rc = 128 + sig;
    } else if (!rc) {
        printf("best %s\nscore %.6f  flops %.0f  params %.0f", res.best ? res.best : "(none)", res.best_score,
               res.best_flops, res.best_params);
        if (res.best_layers >= 0) printf("  layers %d", res.best_layers);   /* the space counts layers */
        printf("\n");
        printf("iterations %ld (resumed from %ld)  population size %d, %d members at the end  scored %ld  rejected: "
               "layers %ld, params %ld, flops %ld, nan %ld  %.1f s\noutput in %s\n", res.iterations, res.resumed_from,
               o.population, res.members, res.scored, res.rej_layers, res.rej_params, res.rej_flops, res.rej_nan,
               res.seconds, out);
        /* A search that found nothing is a failure, not a result (e.g. epsilon on a space whose every path
         * has a convolution: its constant-weight activations underflow and every score is NaN). */
        if (!res.best)
            rc = cli_error(CLI_RUNTIME, "search: no candidate got a finite %s score in %ld iterations (%ld NaN, %ld over "
                                        "a budget); %s may be undefined on %s networks",
                           FITNESS_NAME(sc), res.iterations, res.rej_nan,
                           res.rej_layers + res.rej_params + res.rej_flops, FITNESS_NAME(sc), sc->ctx->space->name);
    }
    zc_evo_result_free(&res);
    return rc;
}
