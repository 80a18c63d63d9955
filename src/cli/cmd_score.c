/* zcnas score: one row per architecture with every requested proxy and its seconds. */
#include <string.h>
#include "cli.h"

static const char *usage_text =
    "Scores architectures of any space with zero-cost proxies and writes one row per architecture:\n"
    "index, arch, then for each proxy its score and its seconds (<proxy>_seconds). epsilon is NaN\n"
    "(printed nan / null) for architectures whose constant-weight outputs collapse, as in the paper.\n"
    "Each network's random initialisation is seeded by (--seed, its benchmark index), so a score does not\n"
    "depend on what else is scored or on --threads (one known exception: te_nas's ntk, a condition number,\n"
    "can differ in its 7th digit with what the process ran before); without the benchmark table (arch\n"
    "strings only) the index column is empty and the arch code seeds it instead (a note says so).\n\n"
    "examples:\n"
    "  zcnas score --arch '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'\n"
    "  zcnas score --index 0,17,100-199 --proxy zico --batch-size 128 --out scores.csv\n"
    "  zcnas score --sample 300 --seed 1 --data ~/cifar-10-batches-bin --format jsonl\n"
    "  zcnas score --space zennas --arch \"$(cat ZiCo-450M.txt)\" --proxy params,flops,zico --resolution 64\n"
    "  zcnas score --space nbnlp --dataset wikitext2 --arch-file recipes.txt --proxy params,epsilon,zico --batch-size 16\n"
    "  zcnas score --all --proxy params,flops,synflow,jacob_cov,nwot --format suitezero --out zc_nasbench201.json\n"
    "  zcnas score --all --proxy zico --shard 3/16 --out zico-3.csv     (16 jobs; then zcnas merge --out zico.csv zico-*.csv)\n"
    "  mpirun -np 8 zcnas score --all --proxy zico --out zico.csv      (a build with -DZCNAS_MPI=ON: the ranks share\n"
    "      the architectures as they free up; rank 0 writes the same file as one process would)\n\n"
    "--format suitezero writes NASLib's NAS-Bench-Suite-Zero JSON (zc_<space>.json, as its json.dump does):\n"
    "{\"<dataset>\": {\"<arch key>\": {\"id\": <index or null>, \"<proxy>\": {\"score\": S, \"time\": seconds}, ...,\n"
    "\"val_accuracy\": A}}}, written once at the end (no --resume). nb201 and tnb101-micro/-macro only (the others\n"
    "have no Suite-Zero convention). Keys: nb201 str(tuple) of NASLib's op indices (skip_connect 0, none 1,\n"
    "nor_conv_3x3 2, nor_conv_1x1 3, avg_pool_3x3 4; edges 1<-0, 2<-0, 3<-0, 2<-1, 3<-1, 3<-2), tnb101 the op /\n"
    "layer digits (macro zero-padded to six); datasets cifar10, cifar100, ImageNet16-120, or the tnb101 task.\n"
    "Values as NASLib stores them: jacob_cov is named jacov; NaN/inf scores become -1e8; synflow its signed\n"
    "natural log (0 stays 0); params and flops in millions, flops counted as NASLib's tensorwatch does (conv\n"
    "and linear MACs plus BN, ReLU and pooling elements: 88.307392 where zcnas' flops counts 86.43 M MACs).\n"
    "val_accuracy (percent): nb201 cifar10 NASLib's own cifar10_naslib_val; cifar100 / ImageNet16-120 the\n"
    "space's target column (cifar100_test, imagenet16_test: NASLib's x-valid accuracies are not in our table);\n"
    "tnb101 the task's final validation metric.";

int cmd_score(int argc, char **argv)
{
    cli_opt opts[] = {
        CLI_SPACE_OPTS,
        CLI_SELECT_OPTS,
        CLI_PROXY_OPTS,
        {"weights", "DIR", "load weights (.npy per state_dict key) instead of a fresh init (one architecture)", NULL, 0},
        {"onnx-weights", NULL, "--onnx: use the model's own weights (its initialisers) instead of a fresh init", NULL, 0},
        {"out", "FILE", "write rows here instead of standard output", NULL, 0},
        {"resume", NULL, "with --out: keep the rows already in FILE and score only the rest (a file that is not "
                         "this run's kind of output, or has a malformed row, is refused and left as it is)", NULL, 0},
        {"format", "FMT", "csv, jsonl or suitezero (NAS-Bench-Suite-Zero JSON, see above)", "csv", 0},
        {"shard", "I/N", "score only shard I of N of the selection (positions I-1, I-1+N, ...; needs --out) for "
                         "N independent jobs, e.g. a Slurm job array; zcnas merge joins the N files", NULL, 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    int rc = cli_parse("score", usage_text, argc, argv, opts, n);
    if (rc >= 0) return rc;
    const char *format = cli_str(opts, n, "format");
    int suitezero = !strcmp(format, "suitezero");
    if (strcmp(format, "csv") && strcmp(format, "jsonl") && !suitezero)
        return cli_error(CLI_USAGE, "--format: expected csv, jsonl or suitezero, got '%s'", format);
    if (suitezero && cli_flag(opts, n, "resume"))
        return cli_error(CLI_USAGE, "--resume: --format suitezero is written once at the end of the run (resume with csv "
                                    "or jsonl)");
    const char *out = cli_str(opts, n, "out");
    if (cli_flag(opts, n, "resume") && !out) return cli_error(CLI_USAGE, "--resume needs --out FILE");
    const char *shard = cli_str(opts, n, "shard");
    int shard_i = 0, shard_n = 0, used = 0;
    if (shard && (sscanf(shard, "%d/%d%n", &shard_i, &shard_n, &used) != 2 || shard[used] || shard_n < 1 ||
                  shard_n > 1000000 || shard_i < 1 || shard_i > shard_n))
        return cli_error(CLI_USAGE, "--shard: expected I/N with 1 <= I <= N, e.g. 3/16, got '%s'", shard);
    if (shard && (!out || suitezero))
        return cli_error(CLI_USAGE, "--shard: %s", suitezero ? "--format suitezero is written whole (shard csv or jsonl, "
                                                               "then merge)" : "needs --out FILE (zcnas merge reads the files)");
    zc_space_ctx *ctx;
    zc_dataset_kind kind;
    if ((rc = cli_open_space(opts, n, cli_select_needs_index(opts, n), &ctx, &kind))) return rc;
    cli_scoring s;
    zc_arch_list archs;
    zc_arch_list_init(&archs, ctx);
    zc_run *run = NULL;
    if (suitezero && !ctx->space->suitezero_space) {   /* before any data is loaded */
        rc = cli_error(CLI_USAGE, "--format suitezero: %s has no NAS-Bench-Suite-Zero convention (NASLib's files cover "
                                  "nb201 and tnb101-micro/-macro here): use csv or jsonl", ctx->space->name);
        goto done;
    }
    if ((rc = cli_scoring_parse(opts, n, ctx, kind, &s)) || (rc = cli_select(opts, n, &archs))) goto done;
    s.run.proxy_opts.weights_dir = cli_str(opts, n, "weights");
    s.run.proxy_opts.arch_weights = cli_flag(opts, n, "onnx-weights");
    if (s.run.proxy_opts.arch_weights && !ctx->space->load_weights) {
        rc = cli_error(CLI_USAGE, "--onnx-weights: only for a model file (--onnx); %s architectures carry no weights",
                       ctx->space->name);
        goto done;
    }
    if (s.run.proxy_opts.arch_weights && s.run.proxy_opts.weights_dir) {
        rc = cli_error(CLI_USAGE, "--onnx-weights and --weights: give one of them");
        goto done;
    }
    if (s.run.proxy_opts.weights_dir && archs.n != 1) {
        rc = cli_error(CLI_USAGE, "--weights: loaded weights fit one architecture; select exactly one");
        goto done;
    }
    char shard_items[128] = "";
    if (shard) {   /* this job's share of the selection */
        zc_arch_list mine;
        zc_arch_list_init(&mine, ctx);
        zc_status st = zc_arch_list_shard(&archs, shard_i, shard_n, &mine, shard_items, sizeof shard_items);
        zc_arch_list_free(&archs);
        archs = mine;
        if (st != ZC_OK) { rc = cli_fail_prefix(st, "--shard"); goto done; }
    }
    cli_dist_scoring(&s.run);   /* (MPI) ranks > 0 serve from here */
    cli_progress progress;
    cli_progress_start(&progress, archs.n, "architectures", s.quiet, s.progress_every);
    s.run.on_progress = cli_progress_callback;
    s.run.progress_ctx = &progress;
    zc_status st = zc_run_open(&s.run, &run);   /* the data first: a missing dataset leaves no output file */
    if (st != ZC_OK) { rc = cli_fail_run(st); goto done; }
    cli_note_streams(ctx, &s.run, &archs);
    zc_output o = {out, suitezero ? ZC_FORMAT_SUITEZERO : !strcmp(format, "jsonl") ? ZC_FORMAT_JSONL : ZC_FORMAT_CSV,
                   cli_flag(opts, n, "resume"), shard_items};
    zc_write_report rep;
    double t0 = cli_now();
    st = zc_run_write(run, &archs, &o, &rep);
    cli_progress_end(&progress);
    if (st != ZC_OK) {
        rc = o.resume ? cli_fail_prefix(st, "--resume") : cli_fail_status(st);
        goto done;
    }
    if (o.resume && !s.quiet)
        fprintf(stderr, "zcnas: resumed '%s': %d rows kept, %d architectures scored now\n", out, rep.kept, rep.scored);
    if (rep.scored > 1 && !s.quiet)
        fprintf(stderr, "zcnas: scored %d architectures in %.1f s\n", rep.scored, cli_now() - t0);
done:
    zc_run_close(run);
    zc_arch_list_free(&archs);
    zc_space_close(ctx);
    return rc;
}
