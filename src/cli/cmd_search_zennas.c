/* zcnas search --space zennas: ZiCo's evolutionary search over the ZenNAS PlainNet space, with a
 * candidate log, periodic checkpoints, SIGINT/SIGTERM handling and exact --resume. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "zcnas/images.h"
#include "zcnas/search.h"

static const char *usage_text =
    "ZiCo's evolutionary search (ZiCo/ZenNAS evolution_search.py) over the ZenNAS PlainNet space:\n"
    "a population of --population structures; each iteration removes the lowest-scoring members down\n"
    "to the population size, mutates the initial structure (1 block, while the population has at most\n"
    "10 members) or a random member (2 blocks), splits blocks with L >= 6, rejects the child when it\n"
    "has more than --max-layers layers or exceeds --budget-flops / --budget-params (PlainNet counter,\n"
    "residual version, at --budget-resolution, 224 as in the official scripts whatever --resolution),\n"
    "and otherwise scores ZiCo on the residual-free network (no SE, BN eps 1e-3, PyTorch default init\n"
    "seeded by (seed, iteration)) with --batches batches of --batch-size images drawn once. The answer\n"
    "is the population's best.\n\n"
    "Images: --data DIR, an image folder (one sub-folder of JPEG/PNG files per class, ImageNet's\n"
    "layout) read with ZiCo's training transforms (RandomResizedCrop, ColorJitter, Lighting, flip,\n"
    "ImageNet normalisation; --eval-transforms: Resize + CenterCrop). With --dataset, --data (default:\n"
    "$ZCNAS_DATA/<dataset>) is read in that dataset's binary format instead, with its own normalisation,\n"
    "and bilinearly resized to --resolution; without --data and --dataset, $ZCNAS_DATA/cifar10 is used\n"
    "that way (CIFAR images stand in for ImageNet in demos and tests).\n\n"
    "A budget is required (--budget-flops and/or --budget-params, or --no-budget): the official\n"
    "searches always have one. Cost: each iteration scores one candidate (2 forward/backward passes\n"
    "of --batch-size images); with the defaults (100,000 iterations at 224x224, batch 128) that is\n"
    "about 0.4 GPU-days by the paper, and several CPU-weeks on a small machine. The progress lines give\n"
    "the rate and ETA after the first candidates; --iterations and --resolution cut the cost.\n\n"
    "Population: --population E is the size the official loop prunes to at the start of each\n"
    "iteration (remove-min), after which the new child is appended, so between iterations and at the\n"
    "end the population holds up to E + 1 members; the answer is the best of them, as in the official\n"
    "code. The output reports both (population_size, final_members).\n\n"
    "Output in --out DIR: best.txt (structure string), summary.json, candidates.csv (every candidate:\n"
    "iteration,structure,flops,params,layers,score,status) and checkpoint (written every\n"
    "--checkpoint-every iterations, at the end, and on SIGINT/SIGTERM after the current candidate;\n"
    "exit status 130/143 then). --resume continues from DIR/checkpoint with the same result as an\n"
    "uninterrupted run; --iterations may be raised to extend a finished search.\n\n"
    "official settings (450M): --budget-flops 450e6 --max-layers 14 --population 512 --iterations 100000\n"
    "  --resolution 224 --batch-size 128 --data <ImageNet train>\n"
    "reduced demo (a few minutes on 2 cores):\n"
    "  zcnas search --space zennas --budget-flops 450e6 --max-layers 14 --population 32 \\\n"
    "      --iterations 300 --resolution 32 --batch-size 16 --out zennas-demo";

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

typedef struct zctx {
    int quiet;
    int population_size;
} zctx;

static void on_progress(void *ctx, const zc_zennas_progress *p)
{
    const zctx *z = ctx;
    if (z->quiet) return;
    long done = p->iteration - p->start;
    double rate = p->seconds > 0 ? done / p->seconds : 0;
    fprintf(stderr,
            "zcnas: search: iteration %ld/%ld  %.3g it/s  ETA %.0f s  members %d (size %d)  best %.4f  median %.4f  "
            "scored %ld  rejected %ld (layers %ld, params %ld, flops %ld, nan %ld)  %.1f s\n",
            p->iteration, p->iterations, rate, rate > 0 ? (p->iterations - p->iteration) / rate : NAN,
            p->population, z->population_size, p->best, p->median, p->scored,
            p->rej_layers + p->rej_params + p->rej_flops + p->rej_nan, p->rej_layers, p->rej_params, p->rej_flops,
            p->rej_nan, p->seconds);
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return cli_error(CLI_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    fputs(text, f);
    if (fclose(f) != 0) return cli_error(CLI_RUNTIME, "%s: write failed", path);
    return CLI_OK;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void json_double(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, "%.17g", v);
    else fprintf(f, "null");
}

int cmd_search_zennas(int argc, char **argv)
{
    cli_opt opts[] = {
        {"space", "NAME", "zennas (nb201: see zcnas search --help)", "zennas", 0},
        {"budget-flops", "F", "FLOPs budget (e.g. 450e6, 600e6, 1000e6 as ZiCo's scripts)", NULL, 0},
        {"budget-params", "P", "parameter budget", NULL, 0},
        {"no-budget", NULL, "search without a FLOPs or parameter budget (not what the papers do)", NULL, 0},
        {"max-layers", "L", "layer budget (14 for 450M/600M, 16 for 1G) [default: none]", NULL, 0},
        {"iterations", "T", "evolution iterations", "100000", 0},
        {"population", "E", "population size the loop prunes to (up to E + 1 members between iterations)", "512", 0},
        {"resolution", "R", "scoring resolution (images are resized to R x R)", "224", 0},
        {"budget-resolution", "R", "resolution of the FLOPs budget check", "224", 0},
        {"batch-size", "B", "ZiCo batch size", "128", 0},
        {"batches", "N", "ZiCo batches (drawn once, reused for every candidate)", "2", 0},
        {"num-classes", "K", "classifier outputs of the scored network", "1000", 0},
        {"initial", "STRUCT", "initial structure [default: ZiCo's]", NULL, 0},
        {"uniform-mutation", NULL, "draw block replacements uniformly instead of with random.choice's weights", NULL, 0},
        {"data", "DIR", "image folder of training images [default: $ZCNAS_DATA/cifar10, resized]", NULL, 0},
        {"eval-transforms", NULL, "image folder: Resize + CenterCrop instead of the training transforms", NULL, 0},
        {"dataset", "NAME", "read --data as cifar10, cifar100 or imagenet16 binaries instead of an image folder", NULL, 0},
        {"augment", NULL, "with --dataset: random crop (pad 4) + horizontal flip", NULL, 0},
        {"zico-std", "KIND", "signed (official code) or abs (paper Eq. 15)", "signed", 0},
        {"seed", "S", "seeds the data, the evolution and every candidate's init", "0", 0},
        {"backend", "NAME", "dnnl (oneDNN, when built in) or ref (portable C) [default: dnnl if built in, else ref]", NULL, 0},
        {"threads", "N", "threads inside the backend for one candidate (results are reproducible for a given N)", "1", 0},
        {"out", "DIR", "output directory (created)", NULL, 0},
        {"resume", NULL, "continue the search checkpointed in --out", NULL, 0},
        {"checkpoint-every", "K", "iterations between checkpoints (0: only at the end and on a signal)", "1000", 0},
        {"progress-every", "SEC", "seconds between progress lines on stderr", "5", 0},
        {"quiet", NULL, "no progress lines", NULL, 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    int rc = cli_parse("search", usage_text, argc, argv, opts, n);
    if (rc >= 0) return rc;
    zc_zennas_opts o;
    zc_zennas_opts_default(&o);
    long v;
    if (cli_flag(opts, n, "budget-flops")) {
        if ((rc = cli_double(opts, n, "budget-flops", &o.budget_flops))) return rc;
        if (!(o.budget_flops > 0)) return cli_error(CLI_USAGE, "--budget-flops: must be positive");
    }
    if (cli_flag(opts, n, "budget-params")) {
        if ((rc = cli_double(opts, n, "budget-params", &o.budget_params))) return rc;
        if (!(o.budget_params > 0)) return cli_error(CLI_USAGE, "--budget-params: must be positive");
    }
    int budgeted = cli_flag(opts, n, "budget-flops") || cli_flag(opts, n, "budget-params");
    if (!budgeted && !cli_flag(opts, n, "no-budget"))
        return cli_error(CLI_USAGE, "search --space zennas: give a budget, e.g. --budget-flops 450e6 --max-layers 14 (ZiCo's "
                                    "450M setting), or --no-budget; see zcnas search --space zennas --help for the cost");
    if (budgeted && cli_flag(opts, n, "no-budget"))
        return cli_error(CLI_USAGE, "--no-budget: contradicts --budget-flops / --budget-params");
    if (cli_flag(opts, n, "max-layers")) {
        if ((rc = cli_int(opts, n, "max-layers", 1, 100000, &v))) return rc;
        o.max_layers = (int)v;
    }
    if ((rc = cli_int(opts, n, "iterations", 0, 1000000000L, &v))) return rc;
    o.iterations = v;
    if ((rc = cli_int(opts, n, "population", 1, 10000000L, &v))) return rc;
    o.population = (int)v;
    if ((rc = cli_int(opts, n, "resolution", 1, 4096, &v))) return rc;
    o.resolution = (int)v;
    if ((rc = cli_int(opts, n, "budget-resolution", 1, 4096, &v))) return rc;
    o.budget_resolution = (int)v;
    long batch_size, n_batches;
    if ((rc = cli_int(opts, n, "batch-size", 1, 100000, &batch_size))) return rc;
    if ((rc = cli_int(opts, n, "batches", 1, 1000, &n_batches))) return rc;
    if ((rc = cli_int(opts, n, "num-classes", 1, 1000000, &v))) return rc;
    o.num_classes = (int)v;
    if ((rc = cli_int(opts, n, "seed", 0, 0x7fffffffL, &v))) return rc;
    o.seed = (uint64_t)v;
    if ((rc = cli_int(opts, n, "threads", 1, 1024, &v))) return rc;
    o.threads = (int)v;
    if ((rc = cli_int(opts, n, "checkpoint-every", 0, 1000000000L, &v))) return rc;
    o.checkpoint_every = v;
    if ((rc = cli_double(opts, n, "progress-every", &o.progress_seconds))) return rc;
    o.initial = cli_str(opts, n, "initial");
    o.uniform_mutation = cli_flag(opts, n, "uniform-mutation");
    const char *std = cli_str(opts, n, "zico-std");
    if (!strcmp(std, "abs")) o.paper_std = 1;
    else if (strcmp(std, "signed")) return cli_error(CLI_USAGE, "--zico-std: expected signed or abs, got '%s'", std);
    if (cli_str(opts, n, "backend")) {
        o.backend = zc_backend_get(cli_str(opts, n, "backend"));
        if (!o.backend) return cli_error(CLI_USAGE, "--backend: %s", zc_last_error());
    } else {
        o.backend = zc_backend_default();
    }
    /* an image folder (--data alone), or a binary dataset (--dataset, or nothing: $ZCNAS_DATA/cifar10) */
    int folder = cli_flag(opts, n, "data") && !cli_flag(opts, n, "dataset");
    zc_dataset_kind kind = ZC_CIFAR10;
    if (cli_flag(opts, n, "dataset") && zc_dataset_kind_parse(cli_str(opts, n, "dataset"), &kind) != ZC_OK)
        return cli_fail_status(ZC_EINVAL);
    if (folder && cli_flag(opts, n, "augment"))
        return cli_error(CLI_USAGE, "--augment: image folders use ZiCo's training transforms already (see --eval-transforms)");
    if (!folder && cli_flag(opts, n, "eval-transforms"))
        return cli_error(CLI_USAGE, "--eval-transforms: only for an image folder (--data without --dataset)");
    int augment = folder ? !cli_flag(opts, n, "eval-transforms") : cli_flag(opts, n, "augment");
    const char *out = cli_str(opts, n, "out");
    if (!out) return cli_error(CLI_USAGE, "search: --out DIR is required for --space zennas");
    o.resume = cli_flag(opts, n, "resume");
    zctx zc = {cli_flag(opts, n, "quiet"), o.population};
    if (o.initial) {
        zc_plainnet tmp;
        if (zc_plainnet_parse(o.initial, &tmp) != ZC_OK) return cli_error(CLI_USAGE, "--initial: %s", zc_last_error());
    }

    /* output directory */
    char ckpt[4200], log[4200], best_path[4200], summary_path[4200];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint", out);
    snprintf(log, sizeof log, "%s/candidates.csv", out);
    snprintf(best_path, sizeof best_path, "%s/best.txt", out);
    snprintf(summary_path, sizeof summary_path, "%s/summary.json", out);
    if (mkdir(out, 0777) != 0 && errno != EEXIST) return cli_error(CLI_RUNTIME, "%s: cannot create: %s", out, strerror(errno));
    struct stat sb;
    if (!o.resume && stat(ckpt, &sb) == 0)
        return cli_error(CLI_USAGE, "%s holds a search already (checkpoint); add --resume to continue it, or choose another --out", out);

    /* data: the training images, normalised, at the search resolution */
    char dir[4096];
    if (folder) snprintf(dir, sizeof dir, "%s", cli_str(opts, n, "data"));
    else if ((rc = cli_dataset_path(cli_str(opts, n, "data"), kind, dir, sizeof dir))) return rc;
    zc_batch *batches = calloc((size_t)n_batches, sizeof *batches);
    if (!batches) return cli_error(CLI_RUNTIME, "out of memory");
    zc_status st = ZC_OK;
    if (folder) {
        st = zc_image_batches(dir, o.resolution, (int)batch_size, (int)n_batches, o.seed * 2, augment, batches);
    } else {
        zc_dataset ds;
        zc_batch *raw = calloc((size_t)n_batches, sizeof *raw);
        if (!raw) st = zc_fail(ZC_ENOMEM, "out of memory");
        else st = zc_dataset_load(&ds, kind, dir);
        if (st == ZC_OK) {
            zc_batch_opts bo = {(int)batch_size, (int)n_batches, ZC_SAMPLER_RANDOM, o.seed * 2, augment};
            st = zc_batches_make(&ds, &bo, raw);
            for (int i = 0; i < n_batches && st == ZC_OK; i++) st = zc_batch_resize(&raw[i], o.resolution, &batches[i]);
            for (int i = 0; i < n_batches; i++) zc_batch_free(&raw[i]);
            zc_dataset_free(&ds);
        }
        free(raw);
    }
    if (st == ZC_OK) {
        o.batches = batches;
        o.n_batches = (int)n_batches;
        o.log_path = log;
        o.checkpoint_path = ckpt;
        o.stop = &stop_signal;
        o.on_progress = on_progress;
        o.ctx = &zc;
    }
    /* Everything that changes the result must match on --resume (threads: oneDNN's reductions). */
    char *fp = malloc(ZC_PLAINNET_STR_MAX + 8192);
    if (!fp) st = zc_fail(ZC_ENOMEM, "out of memory");
    if (st == ZC_OK) {
        snprintf(fp, ZC_PLAINNET_STR_MAX + 8192,
                 "seed=%" PRIu64 " population=%d max_layers=%d budget_flops=%.17g budget_params=%.17g "
                 "budget_resolution=%d resolution=%d batch_size=%ld batches=%ld num_classes=%d uniform=%d std=%d "
                 "augment=%d backend=%s threads=%d data=%s:%s initial=%s",
                 o.seed, o.population, o.max_layers, o.budget_flops, o.budget_params, o.budget_resolution,
                 o.resolution, batch_size, n_batches, o.num_classes, o.uniform_mutation, o.paper_std, augment,
                 o.backend->name, o.threads, folder ? "folder" : zc_dataset_name(kind), dir, o.initial ? o.initial : "default");
        for (char *p = fp; *p; p++)
            if (*p == '\n' || *p == '\r') *p = ' ';
        o.fingerprint = fp;
    }
    zc_zennas_result res;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    stop_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    if (st == ZC_OK && !zc.quiet)
        fprintf(stderr, "zcnas: search --space zennas: %ld iterations, population size %d, %dx%d images, %ld batches of "
                        "%ld, budget flops %.4g params %.4g layers %d (0: none); a progress line with the rate and "
                        "ETA every %g s\n", o.iterations, o.population, o.resolution, o.resolution, n_batches,
                batch_size, o.budget_flops, o.budget_params, o.max_layers, o.progress_seconds);
    if (st == ZC_OK) st = zc_zennas_search(&o, &res);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    for (int i = 0; i < n_batches; i++) zc_batch_free(&batches[i]);
    free(batches);
    free(fp);
    if (st != ZC_OK) return cli_fail_status(st);

    if (res.best[0]) {
        char line[ZC_PLAINNET_STR_MAX + 2];
        snprintf(line, sizeof line, "%s\n", res.best);
        if ((rc = write_text(best_path, line))) return rc;
    }
    FILE *f = fopen(summary_path, "w");
    if (!f) return cli_error(CLI_RUNTIME, "%s: cannot write: %s", summary_path, strerror(errno));
    fprintf(f, "{\"space\":\"zennas\",\"proxy\":\"zico\",\"best\":");
    if (res.best[0]) fprintf(f, "\"%s\"", res.best);
    else fprintf(f, "null");
    fprintf(f, ",\"score\":");
    json_double(f, res.best_score);
    fprintf(f, ",\"flops\":");
    json_double(f, res.best[0] ? res.best_flops : NAN);
    fprintf(f, ",\"params\":");
    if (res.best[0]) fprintf(f, "%" PRId64, res.best_params);
    else fprintf(f, "null");
    fprintf(f, ",\"layers\":");
    if (res.best[0]) fprintf(f, "%d", res.best_layers);
    else fprintf(f, "null");
    fprintf(f, ",\"iterations\":%ld,\"resumed_from\":%ld,\"interrupted\":%s,\"final_members\":%d,\"scored\":%ld,"
               "\"rejected\":{\"layers\":%ld,\"params\":%ld,\"flops\":%ld,\"nan\":%ld},\"seconds\":%.3f,",
            res.iterations, res.resumed_from, res.interrupted ? "true" : "false", res.population, res.scored,
            res.rej_layers, res.rej_params, res.rej_flops, res.rej_nan, res.seconds);
    fprintf(f, "\"settings\":{\"seed\":%" PRIu64 ",\"iterations\":%ld,\"population_size\":%d,\"budget_flops\":", o.seed,
            o.iterations, o.population);
    json_double(f, o.budget_flops > 0 ? o.budget_flops : NAN);
    fprintf(f, ",\"budget_params\":");
    json_double(f, o.budget_params > 0 ? o.budget_params : NAN);
    fprintf(f, ",\"max_layers\":");
    if (o.max_layers > 0) fprintf(f, "%d", o.max_layers);
    else fprintf(f, "null");
    fprintf(f, ",\"budget_resolution\":%d,\"resolution\":%d,\"batch_size\":%ld,\"batches\":%ld,\"num_classes\":%d,"
               "\"data_format\":\"%s\",\"data\":",
            o.budget_resolution, o.resolution, batch_size, n_batches, o.num_classes,
            folder ? "image-folder" : zc_dataset_name(kind));
    json_string(f, dir);
    fprintf(f, ",\"threads\":%d,\"backend\":\"%s\"}}\n", o.threads, o.backend->name);
    if (fclose(f) != 0) return cli_error(CLI_RUNTIME, "%s: write failed", summary_path);

    if (res.interrupted) {
        int sig = (int)stop_signal;
        cli_error(128 + sig, "search: interrupted by signal %d at iteration %ld; checkpoint written to %s "
                             "(continue with the same options and --resume)", sig, res.iterations, ckpt);
        return 128 + sig;
    }
    printf("best %s\nscore %.6f  flops %.0f  params %" PRId64 "  layers %d\n", res.best[0] ? res.best : "(none)",
           res.best_score, res.best_flops, res.best_params, res.best_layers);
    printf("iterations %ld (resumed from %ld)  population size %d, %d members at the end  scored %ld  rejected: layers "
           "%ld, params %ld, flops %ld, nan %ld  %.1f s\noutput in %s\n", res.iterations, res.resumed_from,
           o.population, res.population, res.scored,
           res.rej_layers, res.rej_params, res.rej_flops, res.rej_nan, res.seconds, out);
    return CLI_OK;
}
