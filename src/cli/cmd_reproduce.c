/* zcnas reproduce: scores a sample with every proxy at the papers' settings into a report folder,
 * evaluates each against the benchmark's test accuracy and writes the report beside the papers'
 * numbers (zc_reproduce_report). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"

static const char *usage_text =
    "Reproduces the papers' correlation tables. Scores a seeded random sample (or --all) with every\n"
    "proxy at the papers' settings -- ZiCo: 2 batches of 128; epsilon: the space's weights (1e-7 and 1;\n"
    "nb101: 1e-4 and 10) on a batch of 256; gradient baselines: one batch of 64; NASWOT: 128 --\n"
    "evaluates each proxy against the space's accuracy column (nb201, nats-sss: cifar10_test,\n"
    "cifar100_test or imagenet16_test of the benchmark table; nb101: val_accuracy, rows matched by graph\n"
    "hash; the sample is drawn from the table's cells) and prints the statistics beside the numbers the\n"
    "ZiCo paper and the epsinas notebooks report. Proxies that cannot score the space's networks are\n"
    "skipped with a note.\n\n"
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

int cmd_reproduce(int argc, char **argv)
{
    cli_opt opts[] = {
        CLI_SPACE_OPTS,
        {"sample", "N", "number of random architectures (seeded by --seed)", "1000", 0},
        {"all", NULL, "every architecture of the space (of the benchmark table when it lists only some) "
                      "instead of a sample", NULL, 0},
        {"out", "DIR", "report folder [default: reproduce-<space>-<dataset>-<N or all>-<seed>]", NULL, 0},
        {"resume", NULL, "continue DIR/scores.csv of an interrupted run (same proxies and settings)", NULL, 0},
        {"nan", "POLICY", "NaN scores: exclude (as the papers) or worst (ranked last)", "exclude", 0},
        {"top-k", "K", "k of precision@k and nDCG@k, as `zcnas eval --top-k` [default: 10% of the architectures "
                       "evaluated, rounded, at least 1]", NULL, 0},
        CLI_PROXY_OPTS,
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    /* The papers' settings as defaults: every proxy, ZiCo on batches of 128 (the rest already match). */
    cli_default(opts, n, "proxy", "all");
    cli_default(opts, n, "batch-size", "128");
    int rc = cli_parse("reproduce", usage_text, argc, argv, opts, n);
    if (rc >= 0) return rc;
    int all = cli_flag(opts, n, "all");
    if (all && cli_flag(opts, n, "sample")) return cli_error(CLI_USAGE, "give --sample N or --all, not both");
    int sample_given = cli_flag(opts, n, "sample");
    if (!all) cli_find(opts, n, "sample")->given = 1;
    zc_eval_opts eo;
    zc_eval_opts_default(&eo);
    const char *nan = cli_str(opts, n, "nan");
    if (!strcmp(nan, "worst")) eo.nan_policy = ZC_NAN_WORST;
    else if (strcmp(nan, "exclude")) return cli_error(CLI_USAGE, "--nan: expected exclude or worst, got '%s'", nan);
    if ((rc = cli_eval_options(opts, n, &eo))) return rc;
    const char *out_opt = cli_str(opts, n, "out");
    if (out_opt && (!*out_opt || strlen(out_opt) > 2000))
        return cli_error(CLI_USAGE, "--out: expected a directory path of 1 to 2000 characters");

    zc_space_ctx *ctx;
    zc_dataset_kind kind;
    if ((rc = cli_open_space(opts, n, 1, &ctx, &kind))) return rc;
    zc_arch_list archs;
    zc_arch_list_init(&archs, ctx);
    zc_run *run = NULL;
    cli_scoring s;
    char dir[2100], scores_path[2200], bench_path[4096], command[4096], settings[512];
    char skipped_buf[ZC_RUN_MAX_PROXIES][200];
    const char *skipped[ZC_RUN_MAX_PROXIES], *names[4 * ZC_RUN_MAX_PROXIES];
    int n_names = 0;
    int n_skipped = 0;
    zc_status st;
    if ((rc = cli_scoring_parse(opts, n, ctx, kind, &s))) goto done;
    char target[96], selection[160], task[64];
    zc_space_task_name(ctx, task, sizeof task);
    char own[32];
    zc_space_dataset_name(ctx, own, sizeof own);
    const char *dataset = ctx->space->tasks ? task : ctx->space->datasets ? own : zc_dataset_name(kind);   /* the papers' column: the task */
    if (ctx->space->target_minimised) eo.maximize = 0;
    zc_space_target_ctx(ctx, dataset, target, sizeof target);
    if (!ctx->space->bench_table && !cli_flag(opts, n, "bench")) {
        rc = cli_error(CLI_USAGE, "reproduce: %s has no benchmark table of its own: give --bench FILE", ctx->space->name);
        goto done;
    }
    if ((st = zc_data_bench_path(ctx->space->bench_table ? ctx->space->bench_table : "", cli_str(opts, n, "bench"),
                                 bench_path, sizeof bench_path)) != ZC_OK) {
        rc = cli_fail_status(st);
        goto done;
    }
    long sample = 0;
    if (!all && (rc = cli_int(opts, n, "sample", 1, 100000000L, &sample))) goto done;
    zc_bench_table t;
    if ((st = zc_bench_table_load_for(&t, bench_path, ctx->space->bench_rows)) != ZC_OK) { rc = cli_fail_status(st); goto done; }
    if (ctx->space->from_index && t.n_rows >= zc_space_size(ctx)) {   /* the benchmark covers the space */
        zc_bench_table_free(&t);
        if ((rc = cli_select(opts, n, &archs))) goto done;
        if (all) snprintf(selection, sizeof selection, "the whole space (%d)", archs.n);
        else snprintf(selection, sizeof selection, "%d random (seed %llu)", archs.n, (unsigned long long)s.run.seed);
    } else {   /* no index, or a partial table (a user's NATS-SSS export): the architectures it lists */
        if (!all && sample > t.n_rows) {
            if (sample_given) fprintf(stderr, "zcnas: note: the table has %d rows: scoring all of them\n", t.n_rows);
            all = 1;
        }
        st = zc_arch_list_add_table(&archs, &t, bench_path, all ? 0 : (int)sample, s.run.seed);
        if (all) snprintf(selection, sizeof selection, "the %d rows of the benchmark table", archs.n);
        else snprintf(selection, sizeof selection, "%d random rows of the benchmark table (seed %llu)", archs.n,
                      (unsigned long long)s.run.seed);
        zc_bench_table_free(&t);
        if (st != ZC_OK) { rc = cli_fail_status(st); goto done; }
    }
    if (out_opt) snprintf(dir, sizeof dir, "%s", out_opt);
    else if (all) snprintf(dir, sizeof dir, "reproduce-%s-%s-all-%llu", ctx->space->name, dataset,
                           (unsigned long long)s.run.seed);
    else snprintf(dir, sizeof dir, "reproduce-%s-%s-%d-%llu", ctx->space->name, dataset, archs.n,
                  (unsigned long long)s.run.seed);
    snprintf(scores_path, sizeof scores_path, "%s/scores.csv", dir);
    /* Proxies that cannot score this space's networks are left out, with a note. */
    int kept = 0;
    for (int p = 0; p < s.run.n_proxies; p++) {
        const zc_proxy *px = s.run.proxies[p];
        if (zc_proxy_probe(ctx, zc_arch_list_get(&archs, 0), px, &s.run.proxy_opts) == ZC_EUNSUPPORTED) {
            fprintf(stderr, "zcnas: skipping %s: %s\n", px->name, zc_last_error());
            snprintf(skipped_buf[n_skipped], sizeof skipped_buf[0], "%s (%s)", px->name, zc_last_error());
            skipped[n_skipped] = skipped_buf[n_skipped];
            n_skipped++;
        } else {
            s.run.proxies[kept++] = px;
        }
    }
    s.run.n_proxies = kept;
    if (!kept) { rc = cli_error(CLI_RUNTIME, "no proxy left to run"); goto done; }
    cli_dist_scoring(&s.run);   /* (MPI) ranks > 0 serve from here, before anything is written */
    struct stat sb;
    if (!cli_flag(opts, n, "resume") && stat(scores_path, &sb) == 0) {
        rc = cli_error(CLI_USAGE, "'%s' exists: add --resume to continue (or only re-evaluate) it, or choose another --out",
                       scores_path);
        goto done;
    }
    if ((rc = make_dirs(dir))) goto done;
    cli_progress progress;
    cli_progress_start(&progress, archs.n, "architectures", s.quiet, s.progress_every);
    s.run.on_progress = cli_progress_callback;
    s.run.progress_ctx = &progress;
    if ((st = zc_run_open(&s.run, &run)) != ZC_OK) { rc = cli_fail_run(st); goto done; }
    int records = 0;
    const char *images = zc_run_data_source(run, &records);
    int zb = 0, nb = 0, eb = 0, bb = 0, wb = 0;
    printf("zcnas reproduce: %s, %s: %s; %s from %s\n", ctx->space->name, dataset, selection,
           ctx->space->datasets ? "text" : "images", images ? images : "-");
    float w_lo, w_hi;
    zc_epsilon_weights(ctx->space, &s.run.proxy_opts, &w_lo, &w_hi);
    /* the settings of the lanes the chosen proxies use */
    size_t len = 0;
    settings[0] = '\0';
    if (zc_run_lane(run, "zico", &nb, &zb))
        len += (size_t)snprintf(settings + len, sizeof settings - len, "ZiCo %d batches of %d (%s std); ", nb, zb,
                                s.run.proxy_opts.zico_paper_std ? "|g|" : "signed");
    if (len < sizeof settings && zc_run_lane(run, "epsilon", NULL, &eb))
        len += (size_t)snprintf(settings + len, sizeof settings - len, "epsilon weights %g and %g on %d samples; ",
                                w_lo, w_hi, eb);
    if (len < sizeof settings && zc_run_lane(run, "base", NULL, &bb))
        len += (size_t)snprintf(settings + len, sizeof settings - len, "baselines one batch of %d; ", bb);
    if (len < sizeof settings && zc_run_lane(run, "nwot", NULL, &wb))
        len += (size_t)snprintf(settings + len, sizeof settings - len, "NASWOT %d; ", wb);
    /* the proxies after ZiCo: their lanes of real images, and the N(0,1) inputs they draw */
    const zc_proxy_opts *po = &s.run.proxy_opts;
    if (len < sizeof settings && zc_run_lane(run, "meco", NULL, &wb))
        len += (size_t)snprintf(settings + len, sizeof settings - len, "MeCo one %s image; ",
                                po->meco_random_input ? "N(0,1)" : "real");
    if (len < sizeof settings && zc_run_lane(run, "swap", NULL, &wb))
        len += (size_t)snprintf(settings + len, sizeof settings - len, "SWAP %d images x %d inits; ", wb,
                                po->swap_repeats > 0 ? po->swap_repeats : 32);
    if (len < sizeof settings && zc_run_lane(run, "te_nas", NULL, &wb))
        len += (size_t)snprintf(settings + len, sizeof settings - len, "TE-NAS NTK on %d images, regions on 64 N(0,1); ", wb);
    if (len < sizeof settings && zc_run_lane(run, "vkdnw", NULL, &wb))
        len += (size_t)snprintf(settings + len, sizeof settings - len, "VKDNW 64 N(0,1), jacov %d images; ", wb);
    for (int p = 0; p < s.run.n_proxies && len < sizeof settings; p++)
        if (!strcmp(s.run.proxies[p]->name, "az_nas"))
            len += (size_t)snprintf(settings + len, sizeof settings - len, "AZ-NAS 64 N(0,1); ");
    if (len < sizeof settings)
        snprintf(settings + len, sizeof settings - len, "sampler %s; seed %llu",
                 s.run.sampler == ZC_SAMPLER_SEQUENTIAL ? "sequential" : "random", (unsigned long long)s.run.seed);
    printf("settings: %s\nproxies:", settings);
    for (int p = 0; p < s.run.n_proxies; p++) printf(" %s", s.run.proxies[p]->name);
    printf("\n");
    fflush(stdout);
    zc_output o = {scores_path, ZC_FORMAT_CSV, cli_flag(opts, n, "resume"), NULL};
    zc_write_report rep;
    st = zc_run_write(run, &archs, &o, &rep);
    cli_progress_end(&progress);
    if (st != ZC_OK) { rc = o.resume ? cli_fail_prefix(st, "--resume") : cli_fail_status(st); goto done; }
    if (o.resume && !s.quiet)
        fprintf(stderr, "zcnas: resumed '%s': %d rows kept, %d architectures scored now\n", scores_path, rep.kept,
                rep.scored);
    /* Every score column (the report appends the aggregates its columns make, ranked over the selection). */
    for (int p = 0; p < s.run.n_proxies; p++)
        for (int k = 0; k < zc_proxy_n_outputs(s.run.proxies[p]) && n_names < 4 * ZC_RUN_MAX_PROXIES; k++)
            names[n_names++] = zc_proxy_output(s.run.proxies[p], k);
    cli_command_line(argc, argv, "reproduce", command, sizeof command);
    zc_reproduce r = {
        .dir = dir,
        .scores_path = scores_path,
        .bench_path = bench_path,
        .space_ctx = ctx,
        .dataset = dataset,
        .target = target,
        .command = command,
        .images = images,
        .settings = settings,
        .selected = &archs,
        .selection = selection,
        .seed = s.run.seed,
        .eval = eo,
        .proxies = names,
        .n_proxies = n_names,
        .skipped = skipped,
        .n_skipped = n_skipped,
    };
    if ((st = zc_reproduce_report(&r, stdout)) != ZC_OK) { rc = cli_fail_status(st); goto done; }
    printf("report: %s/report.md\n", dir);
done:
    zc_run_close(run);
    zc_arch_list_free(&archs);
    zc_space_close(ctx);
    return rc;
}
