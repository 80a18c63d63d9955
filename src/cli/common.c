/* What the commands share: the space, the architecture selection and the scoring options turned into
 * library calls, generated help texts, and progress on stderr. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

/* ---------------------------------------------------------------- generated help texts */

const char *cli_space_list_help(void)
{
    static char buf[256];
    if (!buf[0]) {
        int o = snprintf(buf, sizeof buf, "search space:");
        for (const zc_space *const *s = zc_space_all(); *s && o < (int)sizeof buf; s++)
            o += snprintf(buf + o, sizeof buf - (size_t)o, "%s %s", s == zc_space_all() ? "" : ",", (*s)->name);
        snprintf(buf + o, sizeof buf - (size_t)o, " (see zcnas --help)");
    }
    return buf;
}

const char *cli_proxy_list_help(void)
{
    static char buf[1024];
    if (!buf[0]) {
        int o = snprintf(buf, sizeof buf, "comma-separated proxies, or all:");
        for (const zc_proxy *const *p = zc_proxy_all(); *p && o < (int)sizeof buf; p++)
            o += snprintf(buf + o, sizeof buf - (size_t)o, "%s %s", p == zc_proxy_all() ? "" : ",", (*p)->name);
        if (o < (int)sizeof buf)
            o += snprintf(buf + o, sizeof buf - (size_t)o, "; az_nas, te_nas and vkdnw write sub-scores, which eval "
                          "and reproduce rank over the architectures compared into the az_nas, te_nas, vkdnw, "
                          "vkdnw_agg and vkdnw_mbv2 scores (vkdnw_agg and vkdnw_mbv2 run vkdnw, az_nas and flops)");
        if (o < (int)sizeof buf)
            snprintf(buf + o, sizeof buf - (size_t)o, " (nbnlp: params, flops, epsilon, zico, grad_norm, snip, grasp, "
                     "l2_norm, plain; the others are not defined for a language model)");
    }
    return buf;
}

const char *cli_backend_help(void)
{
    static char buf[160];
    if (!buf[0])
        snprintf(buf, sizeof buf, "compute backend: %s [default: %s]", zc_backend_names(),
                 zc_backend_name(zc_backend_default()));
    return buf;
}

const char *cli_lane_default(const char *lane, int which)
{
    static char buf[8][2][16];
    static const char *names[8];
    int k = 0;
    while (k < 8 && names[k] && strcmp(names[k], lane)) k++;
    if (k == 8) return NULL;
    if (!names[k]) {
        for (const zc_proxy *const *p = zc_proxy_all(); *p; p++)
            if ((*p)->data.input == ZC_INPUT_IMAGES && !strcmp((*p)->data.lane, lane)) {
                snprintf(buf[k][0], sizeof buf[k][0], "%d", (*p)->data.batch_size);
                snprintf(buf[k][1], sizeof buf[k][1], "%d", (*p)->data.n_batches);
                names[k] = lane;
                break;
            }
        if (!names[k]) return NULL;
    }
    return buf[k][which];
}

/* ---------------------------------------------------------------- the space */

int cli_open_space(cli_opt *opts, int n, int need_index, zc_space_ctx **ctx, zc_dataset_kind *kind)
{
    /* --onnx FILE: the onnx space, whose architecture is the file */
    int onnx = cli_flag(opts, n, "onnx");
    if (onnx && cli_flag(opts, n, "space") && strcmp(cli_str(opts, n, "space"), "onnx"))
        return cli_error(CLI_USAGE, "--onnx scores a model file (the onnx space): give no --space %s", cli_str(opts, n, "space"));
    const zc_space *space = zc_space_find(onnx ? "onnx" : cli_str(opts, n, "space"));
    if (!space) return cli_fail_prefix(ZC_EINVAL, "--space");
    const char *dataset = cli_str(opts, n, "dataset");
    if (!dataset) dataset = space->dataset ? space->dataset : "cifar10";
    zc_space_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (space->load_batches) {   /* the space reads its own data: its datasets or its tasks choose it */
        *kind = ZC_CIFAR10;
        if (cli_flag(opts, n, "dataset") && !space->datasets)
            return cli_error(CLI_USAGE, "--dataset: %s reads its own task data (choose it with --task and --data)", space->name);
        if (cli_flag(opts, n, "dataset")) cfg.dataset = dataset;
    } else if (zc_dataset_kind_parse(dataset, kind) != ZC_OK) return cli_fail_prefix(ZC_EINVAL, "--dataset");
    long v;
    int rc;
    if (cli_flag(opts, n, "resolution")) {
        if ((rc = cli_int(opts, n, "resolution", 4, 4096, &v))) return rc;
        cfg.resolution = (int)v;
    }
    if (cli_flag(opts, n, "num-classes")) {
        if ((rc = cli_int(opts, n, "num-classes", 1, 1000000, &v))) return rc;
        cfg.num_classes = (int)v;
    }
    if (cli_find(opts, n, "vocab-size") && cli_flag(opts, n, "vocab-size")) {
        if (!space->datasets) return cli_error(CLI_USAGE, "--vocab-size: %s is not a language-model space", space->name);
        if (cfg.num_classes) return cli_error(CLI_USAGE, "--vocab-size is --num-classes here: give one of them");
        if ((rc = cli_int(opts, n, "vocab-size", 1, 1 << 24, &v))) return rc;
        cfg.num_classes = (int)v;
    }
    if (cli_find(opts, n, "budget-resolution") && cli_flag(opts, n, "budget-resolution")) {
        if ((rc = cli_int(opts, n, "budget-resolution", 4, 4096, &v))) return rc;
        cfg.cost_resolution = (int)v;
    }
    if (cli_find(opts, n, "mutation")) cfg.mutation = cli_str(opts, n, "mutation");
    if (cli_find(opts, n, "task") && cli_flag(opts, n, "task")) cfg.task = cli_str(opts, n, "task");
    if (cli_find(opts, n, "uniform-mutation") && cli_flag(opts, n, "uniform-mutation")) {
        if (cfg.mutation && strcmp(cfg.mutation, "uniform"))
            return cli_error(CLI_USAGE, "--uniform-mutation is --mutation uniform: give one of them");
        cfg.mutation = "uniform";
    }
    zc_space_config_for_dataset(space, *kind, &cfg);
    cfg.bench_path = cli_find(opts, n, "bench") ? cli_str(opts, n, "bench") : NULL;
    cfg.need_index = need_index && space->from_index;   /* spaces without an index need no table to open */
    zc_status st = zc_space_open(space, &cfg, ctx);
    if (st == ZC_EINVAL && cfg.mutation && strstr(zc_last_error(), "mutation")) return cli_fail_prefix(st, "--mutation");
    if (st == ZC_EINVAL && cfg.task && strstr(zc_last_error(), "task")) return cli_fail_prefix(st, "--task");
    if (st == ZC_EINVAL && cfg.dataset && strstr(zc_last_error(), "dataset")) return cli_fail_prefix(st, "--dataset");
    return st == ZC_OK ? CLI_OK : cli_fail_status(st);
}

/* ---------------------------------------------------------------- which architectures */

static const char *const SELECT_KEYS[] = {"arch", "index", "arch-file", "sample", "all", "onnx"};

/* 1 when a line of the file is a benchmark index rather than an arch string. */
static int file_has_indices(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;   /* the selection reports it */
    char line[4096];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *s = line;
        while (*s == ' ' || *s == '\t') s++;
        found = *s >= '0' && *s <= '9' && strspn(s, "0123456789 \t\r\n") == strlen(s);
    }
    fclose(f);
    return found;
}

int cli_select_needs_index(cli_opt *opts, int n)
{
    return cli_flag(opts, n, "index") || cli_flag(opts, n, "all") ||
           (cli_find(opts, n, "sample") && cli_flag(opts, n, "sample")) ||
           (cli_find(opts, n, "arch-file") && cli_flag(opts, n, "arch-file") &&
            file_has_indices(cli_str(opts, n, "arch-file")));
}

int cli_select(cli_opt *opts, int n, zc_arch_list *l)
{
    int given = 0;
    for (int i = 0; i < 6; i++) given += cli_find(opts, n, SELECT_KEYS[i]) && cli_flag(opts, n, SELECT_KEYS[i]);
    if (given != 1)
        return cli_error(CLI_USAGE, "choose the architectures with exactly one of --arch, --index, --arch-file, "
                                    "--sample, --all or --onnx");
    zc_status st;
    const char *what;
    if (cli_flag(opts, n, "onnx")) {
        what = "--onnx";
        st = zc_arch_list_add_string(l, cli_str(opts, n, "onnx"));
    } else if (cli_flag(opts, n, "arch")) {
        what = "--arch";
        st = zc_arch_list_add_string(l, cli_str(opts, n, "arch"));
    } else if (cli_flag(opts, n, "index")) {
        what = "--index";
        st = zc_arch_list_add_indices(l, cli_str(opts, n, "index"));
    } else if (cli_flag(opts, n, "arch-file")) {
        what = "--arch-file";
        st = zc_arch_list_add_file(l, cli_str(opts, n, "arch-file"));
    } else if (cli_flag(opts, n, "sample")) {
        long k, seed = 0;
        int rc;
        if ((rc = cli_int(opts, n, "sample", 1, 100000000L, &k))) return rc;
        if (cli_find(opts, n, "seed") && (rc = cli_int(opts, n, "seed", 0, 0x7fffffffL, &seed))) return rc;
        what = "--sample";
        st = zc_arch_list_add_sample(l, (int)k, (uint64_t)seed);
    } else {
        what = "--all";
        st = zc_arch_list_add_all(l);
    }
    if (st == ZC_OK) return CLI_OK;
    /* A malformed string is a usage error whose message names the token: print it as it is. */
    return (st == ZC_EINVAL && !strcmp(what, "--arch")) || !strcmp(what, "--onnx") ? cli_fail_status(st)
                                                                                  : cli_fail_prefix(st, what);
}

int cli_select_one(const char *cmd, cli_opt *opts, int n, const zc_space_ctx *ctx, void *arch)
{
    int onnx = cli_find(opts, n, "onnx") && cli_flag(opts, n, "onnx");
    if (cli_flag(opts, n, "arch") + cli_flag(opts, n, "index") + onnx != 1)
        return cli_error(CLI_USAGE, "%s: give exactly one of --arch, --index or --onnx", cmd);
    zc_status st;
    if (onnx || cli_flag(opts, n, "arch")) {
        st = zc_space_parse(ctx, cli_str(opts, n, onnx ? "onnx" : "arch"), arch);
        return st == ZC_OK ? CLI_OK : cli_fail_status(st);
    }
    long idx;
    long long size = zc_space_size(ctx);
    int rc = cli_int(opts, n, "index", 0, size > 0 ? (long)size - 1 : 0x7fffffffL, &idx);
    if (rc) return rc;
    st = zc_space_from_index(ctx, idx, arch);
    return st == ZC_OK ? CLI_OK : cli_fail_prefix(st, "--index");
}

/* ---------------------------------------------------------------- scoring options */

static int parse_proxies(const char *list, zc_run_opts *o, const zc_aggregate **only)
{
    o->n_proxies = 0;
    *only = NULL;
    int n_tokens = 0;
    if (!strcmp(list, "all")) {
        for (const zc_proxy *const *p = zc_proxy_all(); *p && o->n_proxies < ZC_RUN_MAX_PROXIES; p++)
            o->proxies[o->n_proxies++] = *p;
        return CLI_OK;
    }
    char buf[1024], given[ZC_RUN_MAX_PROXIES] = {0};   /* given[i]: proxies[i] was listed (not implied) */
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        /* An aggregate (vkdnw_agg, vkdnw_mbv2) runs the proxies that write its columns. */
        const zc_aggregate *a = zc_aggregate_find(tok);
        *only = n_tokens++ ? NULL : a;
        const char *one[2] = {tok, NULL};
        const char *const *names = a ? a->needs : one;
        for (int k = 0; names[k]; k++) {
            const zc_proxy *p = zc_proxy_find(names[k]);
            if (!p) return cli_fail_prefix(ZC_EINVAL, "--proxy");
            int i = 0;
            while (i < o->n_proxies && o->proxies[i] != p) i++;
            if (i < o->n_proxies) {
                if (given[i] && !a) return cli_error(CLI_USAGE, "--proxy: '%s' listed twice", tok);
                given[i] |= !a;
                continue;
            }
            if (o->n_proxies == ZC_RUN_MAX_PROXIES) return cli_error(CLI_USAGE, "--proxy: too many proxies");
            given[o->n_proxies] = !a;
            o->proxies[o->n_proxies++] = p;
        }
    }
    if (!o->n_proxies) return cli_error(CLI_USAGE, "--proxy: no proxy given");
    return CLI_OK;
}

/* The CLI options that size each lane of batches (the one table to extend for a proxy with a new
 * lane): the batch-size option, the optional count option, the smallest batch the lane's proxies
 * accept. */
static const struct lane_cli {
    const char *lane, *size_opt, *count_opt;
    long min_size;
} lane_cli[] = {
    {"zico", "batch-size", "batches", 1},
    {"epsilon", "eps-batch-size", NULL, 2},
    {"base", "base-batch-size", NULL, 1},
    {"nwot", "nwot-batch-size", NULL, 2},
};
#define N_LANE_CLI (sizeof lane_cli / sizeof lane_cli[0])

/* The lanes' overrides from their options. */
static int lane_options(cli_opt *opts, int n, zc_run_opts *o)
{
    for (size_t i = 0; i < N_LANE_CLI; i++) {
        const struct lane_cli *c = &lane_cli[i];
        long bs, nb = 0;
        int rc;
        if ((rc = cli_int(opts, n, c->size_opt, c->min_size, 100000, &bs))) return rc;
        if (c->count_opt && (rc = cli_int(opts, n, c->count_opt, 1, 1000, &nb))) return rc;
        zc_lane_size *l = &o->lanes[o->n_lanes++];
        l->lane = c->lane;
        l->batch_size = (int)bs;
        l->n_batches = (int)nb;
    }
    return CLI_OK;
}

int cli_scoring_parse(cli_opt *opts, int n, const zc_space_ctx *ctx, zc_dataset_kind kind, cli_scoring *s)
{
    memset(s, 0, sizeof *s);
    zc_run_opts *o = &s->run;
    zc_run_opts_default(o);
    o->space = ctx;
    s->dataset = kind;
    o->dataset = zc_dataset_name(kind);
    int rc;
    if ((rc = parse_proxies(cli_str(opts, n, "proxy"), o, &s->aggregate))) return rc;
    o->data_path = cli_str(opts, n, "data");
    if (o->data_path && zc_data_is_image_folder(o->data_path)) o->image_folder = 1;
    o->eval_transforms = cli_flag(opts, n, "eval-transforms");
    if (o->eval_transforms && !o->image_folder)
        return cli_error(CLI_USAGE, "--eval-transforms: only for an image folder (--data with class folders)");
    if ((rc = lane_options(opts, n, o))) return rc;
    /* ZiCo's statistic is a std over batches: with one batch every layer's is 0, every layer is skipped
     * and the score is 0 for every network (the official code does the same, silently). */
    for (int p = 0; p < o->n_proxies; p++)
        for (int l = 0; l < o->n_lanes && !strcmp(o->proxies[p]->name, "zico"); l++)
            if (!strcmp(o->lanes[l].lane, "zico") && cli_flag(opts, n, "batches") && o->lanes[l].n_batches < 2)
                return cli_error(CLI_USAGE, "--batches %d: zico takes the std of each gradient over the batches, which "
                                 "is 0 for one batch (every network would score 0); give at least 2", o->lanes[l].n_batches);
    /* jacob_cov correlates the samples of its batch: one sample has no correlation (the official code
     * fails on it), while the other baselines of its lane take any batch. */
    for (int p = 0; p < o->n_proxies; p++)
        for (int l = 0; l < o->n_lanes && !strcmp(o->proxies[p]->name, "jacob_cov"); l++)
            if (!strcmp(o->lanes[l].lane, "base") && cli_flag(opts, n, "base-batch-size") && o->lanes[l].batch_size < 2)
                return cli_error(CLI_USAGE, "--base-batch-size %d: jacob_cov correlates the samples' input gradients, "
                                 "which needs at least 2", o->lanes[l].batch_size);
    long v;
    if ((rc = cli_int(opts, n, "seed", 0, 0x7fffffffL, &v))) return rc;
    o->seed = (uint64_t)v;
    if ((rc = cli_int(opts, n, "threads", 0, 1024, &v))) return rc;
    o->threads = (int)v;
    if (cli_flag(opts, n, "backend-threads")) {
        if ((rc = cli_int(opts, n, "backend-threads", 1, 1024, &v))) return rc;
        o->backend_threads = (int)v;
    }
    const char *mm = cli_str(opts, n, "max-memory");
    if (mm && (rc = cli_size(mm, "--max-memory", &o->max_memory))) return rc;
    const char *w = cli_str(opts, n, "eps-weights");
    if (w) {
        char *end;
        double lo = strtod(w, &end), hi = 0;
        if (*end == ',') hi = strtod(end + 1, &end);
        if (*end || !(lo > 0) || !(hi > 0) || lo == hi || lo > 3e38 || hi > 3e38)
            return cli_error(CLI_USAGE, "--eps-weights: expected two different positive numbers LOW,HIGH, got '%s'", w);
        o->proxy_opts.eps_w_low = (float)lo;
        o->proxy_opts.eps_w_high = (float)hi;
    }
    const char *std = cli_str(opts, n, "zico-std");
    if (!strcmp(std, "abs")) o->proxy_opts.zico_paper_std = 1;
    else if (strcmp(std, "signed")) return cli_error(CLI_USAGE, "--zico-std: expected signed or abs, got '%s'", std);
    const char *sampler = cli_str(opts, n, "sampler");
    if (!strcmp(sampler, "sequential")) o->sampler = ZC_SAMPLER_SEQUENTIAL;
    else if (strcmp(sampler, "random")) return cli_error(CLI_USAGE, "--sampler: expected random or sequential, got '%s'", sampler);
    o->augment = cli_flag(opts, n, "augment");
    if (o->augment && o->image_folder)
        return cli_error(CLI_USAGE, "--augment: image folders use ZiCo's training transforms already (see --eval-transforms)");
    o->proxy_opts.eps_exact_full = cli_flag(opts, n, "exact-full");
    const char *meco = cli_str(opts, n, "meco-input");
    if (!strcmp(meco, "random")) o->proxy_opts.meco_random_input = 1;
    else if (strcmp(meco, "real")) return cli_error(CLI_USAGE, "--meco-input: expected real or random, got '%s'", meco);
    const char *vkc = cli_str(opts, n, "vkdnw-constants");
    if (!strcmp(vkc, "exact")) o->proxy_opts.vkdnw_exact_constants = 1;
    else if (strcmp(vkc, "half")) return cli_error(CLI_USAGE, "--vkdnw-constants: expected half or exact, got '%s'", vkc);
    if ((rc = cli_int(opts, n, "swap-repeats", 1, 100000, &v))) return rc;
    o->proxy_opts.swap_repeats = (int)v;
    if ((rc = cli_double(opts, n, "reg-swap-mu", &o->proxy_opts.reg_swap_mu))) return rc;
    if ((rc = cli_double(opts, n, "reg-swap-sigma", &o->proxy_opts.reg_swap_sigma))) return rc;
    if (!(o->proxy_opts.reg_swap_mu > 0 && o->proxy_opts.reg_swap_mu < 1e12))
        return cli_error(CLI_USAGE, "--reg-swap-mu: expected a positive number of thousands of parameters");
    if (!(o->proxy_opts.reg_swap_sigma > 0 && o->proxy_opts.reg_swap_sigma < 1e300))
        return cli_error(CLI_USAGE, "--reg-swap-sigma: expected a positive number");
    if (cli_str(opts, n, "backend") && !(o->proxy_opts.backend = zc_backend_get(cli_str(opts, n, "backend"))))
        return cli_fail_prefix(ZC_EINVAL, "--backend");
    s->quiet = cli_flag(opts, n, "quiet");
    if ((rc = cli_double(opts, n, "progress-every", &s->progress_every))) return rc;
    if (!(s->progress_every > 0)) return cli_error(CLI_USAGE, "--progress-every: must be a positive number of seconds");
    return CLI_OK;
}

int cli_fail_run(zc_status st)
{
    /* "<lane> batches: ..." is a lane's error: name the option that sizes it */
    const char *msg = zc_last_error();
    for (size_t i = 0; i < N_LANE_CLI; i++) {
        size_t k = strlen(lane_cli[i].lane);
        if (!strncmp(msg, lane_cli[i].lane, k) && !strncmp(msg + k, " batches", 8)) {
            char opt[64];
            snprintf(opt, sizeof opt, "--%s", lane_cli[i].size_opt);
            return cli_fail_prefix(st, opt);
        }
    }
    return cli_fail_status(st);
}

void cli_note_streams(const zc_space_ctx *ctx, const zc_run_opts *o, const zc_arch_list *l)
{
    /* spaces keyed by something else than an index (nb101: the graph hash) seed by that key anyway */
    if (ctx->has_index || !ctx->space->from_index || !ctx->space->bench_table || !l->n || o->proxy_opts.weights_dir)
        return;
    const char *seeded = NULL;
    for (int p = 0; p < o->n_proxies && !seeded; p++)
        if (zc_proxy_uses_stream(o->proxies[p])) seeded = o->proxies[p]->name;
    if (seeded)
        fprintf(stderr, "zcnas: note: no %s benchmark table (--bench FILE or $%s/benchmarks/%s), so the index column "
                        "is empty and each network's initialisation is seeded by its arch code instead of its "
                        "benchmark index: %s differs from runs with the table\n",
                ctx->space->name, ZC_DATA_ENV, ctx->space->bench_table, seeded);
}

/* ---------------------------------------------------------------- small things */

void cli_grouped(int64_t v, char *buf, size_t size)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%lld", (long long)v);
    size_t len = strlen(raw), o = 0;
    for (size_t i = 0; i < len && o + 2 < size; i++) {
        if (i && raw[0] != '-' && (len - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
}

void cli_command_line(int argc, char **argv, const char *cmd, char *buf, size_t size)
{
    int o = snprintf(buf, size, "zcnas %s", cmd);
    for (int i = 1; i < argc && o < (int)size; i++) o += snprintf(buf + o, size - (size_t)o, " %s", argv[i]);
}

/* ---------------------------------------------------------------- progress */

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* h:mm:ss, or m:ss under an hour. */
static void format_duration(double sec, char *buf, size_t size)
{
    if (!(sec >= 0) || sec > 1e8) { snprintf(buf, size, "?"); return; }
    long t = (long)(sec + 0.5);
    if (t >= 3600) snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

void cli_progress_start(cli_progress *p, int total, const char *what, int quiet, double every)
{
    /* A bar on a terminal; elsewhere (nohup, a pipe, a batch scheduler's log) a line every `every`
     * seconds, so that a long run never looks stalled. */
    p->mode = quiet || total < 1 ? CLI_PROGRESS_OFF : isatty(STDERR_FILENO) ? CLI_PROGRESS_BAR : CLI_PROGRESS_LINES;
    if (p->mode == CLI_PROGRESS_BAR && total == 1) p->mode = CLI_PROGRESS_OFF;
    p->every = every > 0 ? every : 5.0;
    p->total = total;
    p->done = 0;
    p->start = p->last_draw = cli_now();
    p->what = what;
    if (p->mode == CLI_PROGRESS_BAR) cli_progress_step(p, 0);
}

void cli_progress_step(cli_progress *p, int done)
{
    p->done = done;
    if (p->mode == CLI_PROGRESS_OFF) return;
    double t = cli_now(), elapsed = t - p->start;
    double rate = elapsed > 0 ? done / elapsed : 0.0;
    double eta = done ? elapsed / done * (p->total - done) : -1.0;
    char el[32], et[32];
    format_duration(elapsed, el, sizeof el);
    format_duration(eta, et, sizeof et);
    if (p->mode == CLI_PROGRESS_LINES) {
        if (t - p->last_draw < p->every || done == p->total) return;   /* the caller's summary ends it */
        p->last_draw = t;
        fprintf(stderr, "zcnas: %d/%d %s (%.1f%%), %.3g/s, %s elapsed, ETA %s\n", done, p->total, p->what,
                100.0 * done / p->total, rate, el, done ? et : "?");
        fflush(stderr);
        return;
    }
    if (done != p->total && done != 0 && t - p->last_draw < 0.2) return;
    p->last_draw = t;
    const int width = 30;
    int filled = p->total ? (int)((double)done / p->total * width) : width;
    char bar[width + 1];
    for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r[%s] %d/%d %s  %s elapsed", bar, done, p->total, p->what, el);
    if (done && done < p->total) fprintf(stderr, ", %.3g/s, ETA %s ", rate, et);
    else fprintf(stderr, "                    ");
    fflush(stderr);
}

void cli_progress_clear(cli_progress *p)
{
    if (p->mode != CLI_PROGRESS_BAR) return;
    fputs("\r\033[K", stderr);   /* erase the bar so that a row printed now starts a clean line */
    fflush(stderr);
    p->last_draw = 0;             /* redraw at the next step */
}

void cli_progress_end(cli_progress *p)
{
    if (p->mode == CLI_PROGRESS_BAR) fputc('\n', stderr);
}

void cli_progress_callback(void *ctx, int done, int total)
{
    cli_progress *p = ctx;
    p->total = total;
    cli_progress_step(p, done);
}

int cli_eval_options(cli_opt *opts, int n, zc_eval_opts *eo)
{
    if (!cli_flag(opts, n, "top-k")) return CLI_OK;
    const char *s = cli_str(opts, n, "top-k");
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < 1 || v > INT_MAX)
        return cli_error(CLI_USAGE, "--top-k: expected a whole number of architectures >= 1, got '%s'", s);
    eo->top_k = (int)v;
    return CLI_OK;
}
