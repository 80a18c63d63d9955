/* The zcnas command-line interface: a thin layer over libzcnas. Each command parses its options,
 * calls the library and prints. */
#ifndef ZC_CLI_H
#define ZC_CLI_H
#include <stdint.h>
#include <stdio.h>
#include "zcnas/zcnas.h"

/* Exit codes: 2 usage errors (bad option, malformed arch string), 1 runtime errors. */
enum { CLI_OK = 0, CLI_RUNTIME = 1, CLI_USAGE = 2 };

/* ---- options: a table per command, parsed from --name VALUE, --name=VALUE or --flag ---- */
typedef struct cli_opt {
    const char *name;     /* without the leading dashes */
    const char *arg;      /* metavariable, NULL for a flag */
    const char *help;
    const char *value;    /* parsed value (a flag gets "1"), or the default */
    int given;
} cli_opt;

/* Returns -1 on success, or the exit code to return (0 after --help, CLI_USAGE on error). */
int cli_parse(const char *cmd, const char *usage, int argc, char **argv, cli_opt *opts, int n);
cli_opt *cli_find(cli_opt *opts, int n, const char *name);
const char *cli_str(cli_opt *opts, int n, const char *name);
int cli_flag(cli_opt *opts, int n, const char *name);
/* Sets an option's default (before cli_parse). */
void cli_default(cli_opt *opts, int n, const char *name, const char *value);
/* Strict integer / float parsing with a usage error naming the option. */
int cli_int(cli_opt *opts, int n, const char *name, long lo, long hi, long *out);
int cli_double(cli_opt *opts, int n, const char *name, double *out);
/* A size "N[K|M|G|T][B]" (binary units; bare N is bytes) into *bytes, or a usage error naming `what`. */
int cli_size(const char *s, const char *what, double *bytes);
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Maps a library status to an exit code after printing zc_last_error() (with an optional prefix). */
int cli_fail_status(zc_status st);

/* ---- a job over MPI ranks (src/cli/dist.c) ---- */
/* Joins the job when started by an MPI launcher; the other ranks' output goes to /dev/null. */
int cli_dist_start(int *argc, char ***argv);
/* The commands whose scoring the ranks share (the others run on rank 0 alone). */
int cli_dist_shares(const char *command);
/* Called where a command has its run options and has written nothing yet: rank 0 gets the remote (and
 * threads default to the cores shared among this machine's ranks); the other ranks serve the job
 * from here and exit. A job of one process: nothing. */
void cli_dist_scoring(zc_run_opts *ro);
/* The process's exit code after the job ends (rank 0 waits for the others). */
int cli_dist_end(int rc);
/* The last message of cli_error ("" before any). */
const char *cli_last_error(void);
int cli_fail_prefix(zc_status st, const char *prefix);
int cli_status_code(zc_status st);

/* ---- option groups shared by the commands ---- */
/* The space and its settings. */
#define CLI_SPACE_OPTS \
    {"space", "NAME", cli_space_list_help(), "nb201", 0}, \
    {"onnx", "FILE", "score / describe a network exported to ONNX (the onnx space: --space onnx --arch FILE)", NULL, 0}, \
    {"bench", "FILE", "the space's benchmark table (index <-> arch) [default: $ZCNAS_DATA/benchmarks/<table>]", NULL, 0}, \
    {"dataset", "NAME", "cifar10, cifar100 or imagenet16 (classes, input size, normalisation); nbnlp: ptb or wikitext2 " \
                        "(the corpus under text/) [default: the space's]", NULL, 0}, \
    {"resolution", "R", "input size R x R [default: the dataset's; zennas: 224]", NULL, 0}, \
    {"num-classes", "K", "classifier outputs [default: the dataset's; zennas: 1000]", NULL, 0}, \
    {"vocab-size", "V", "nbnlp: the language model's vocabulary (its --num-classes) [default: ptb 10000, wikitext2 " \
                        "33278, the full WikiText-2 vocabulary of the benchmark's logs]", NULL, 0}, \
    {"task", "NAME", "tnb101-micro/-macro: class_scene, class_object, jigsaw, room_layout, segmentsemantic, normal or " \
                     "autoencoder (head, loss and data; fisher, jacob_cov, nwot and zen are not defined for jigsaw's tiles) " \
                     "[default: class_scene]", NULL, 0}

/* Which architectures. */
#define CLI_SELECT_OPTS \
    {"arch", "STR", "one architecture string", NULL, 0}, \
    {"index", "LIST", "benchmark indices, e.g. 3,17,100-199 (--index, --sample and --all of nb201 need its table)", NULL, 0}, \
    {"arch-file", "FILE", "one arch string or index per line (# comments)", NULL, 0}, \
    {"sample", "K", "K distinct random architectures (seeded by --seed)", NULL, 0}, \
    {"all", NULL, "every architecture of the space", NULL, 0}

/* Proxies, their data and the run. */
#define CLI_PROXY_OPTS \
    {"proxy", "LIST", cli_proxy_list_help(), "zico,epsilon,params,flops", 0}, \
    {"data", "DIR", "the dataset's files (official binary format; a directory or one file), or a folder of class " \
                    "folders of JPEG/PNG images (ZiCo's ImageNet transforms) [default: $ZCNAS_DATA/<dataset>]", NULL, 0}, \
    {"eval-transforms", NULL, "image folder: Resize + CenterCrop instead of the training transforms", NULL, 0}, \
    {"batch-size", "B", "ZiCo batch size", cli_lane_default("zico", 0), 0}, \
    {"batches", "N", "ZiCo number of batches", cli_lane_default("zico", 1), 0}, \
    {"eps-batch-size", "B", "epsilon batch size", cli_lane_default("epsilon", 0), 0}, \
    {"base-batch-size", "B", "batch of the baseline proxies (grad_norm, snip, grasp, fisher, jacob_cov, plain)", \
     cli_lane_default("base", 0), 0}, \
    {"nwot-batch-size", "B", "NASWOT batch size", cli_lane_default("nwot", 0), 0}, \
    {"eps-weights", "LOW,HIGH", "epsilon's two constant weights [default: the space's published pair: 1e-7,1; " \
                                "nb101: 1e-4,10]", NULL, 0}, \
    {"exact-full", NULL, "epsilon on the full network instead of the exact one-channel evaluation", NULL, 0}, \
    {"zico-std", "KIND", "signed (official code) or abs (paper Eq. 15: std of |g|)", "signed", 0}, \
    {"meco-input", "KIND", "meco: real (one training image, the official NB201 script) or random (one N(0,1) image)", \
     "real", 0}, \
    {"vkdnw-constants", "KIND", "vkdnw: half (the official code's float16 alpha, alpha/K: with 1,000 classes " \
                                "sum(pi) = 1.0002 and its Fisher is mostly NaN, entropy 0) or exact", "half", 0}, \
    {"swap-repeats", "N", "swap / reg_swap: re-initialisations averaged (the official code: 32)", "32", 0}, \
    {"reg-swap-mu", "MU", "reg_swap: the parameter count (in thousands) it favours (no official value)", "1000", 0}, \
    {"reg-swap-sigma", "S", "reg_swap: the width of its bonus, exp(-(params/1000 - mu)^2 / S)", "5e5", 0}, \
    {"sampler", "KIND", "random (seeded) or sequential (file order)", "random", 0}, \
    {"augment", NULL, "random crop (pad 4) + horizontal flip on the ZiCo batches", NULL, 0}, \
    {"seed", "S", "seeds data sampling, initialisation and --sample", "0", 0}, \
    {"backend", "NAME", cli_backend_help(), NULL, 0}, \
    {"threads", "N", "worker threads, one architecture each (0 = all cores)", "0", 0}, \
    {"backend-threads", "N", "threads inside each network's backend (oneDNN); scores are reproducible for a given " \
                             "value [default: 1; the evolution's official loop: --threads]", NULL, 0}, \
    {"max-memory", "SIZE", "refuse a network whose estimated need (times the threads) exceeds SIZE (e.g. 8G, 512M) " \
                           "before building it [default: this machine's memory or its cgroup limit]", NULL, 0}, \
    {"progress-every", "SEC", "seconds between progress lines when stderr is not a terminal", "5", 0}, \
    {"quiet", NULL, "no progress bar or progress lines", NULL, 0}

const char *cli_space_list_help(void);
/* The batch size (which = 0) or count (1) a lane's proxies declare, as a string. */
const char *cli_lane_default(const char *lane, int which);
const char *cli_proxy_list_help(void);
const char *cli_backend_help(void);

/* Opens --space with --bench / --dataset / --resolution / --num-classes. need_index: the benchmark
 * table is required (indices are used). On success *kind is the dataset. */
int cli_open_space(cli_opt *opts, int n, int need_index, zc_space_ctx **ctx, zc_dataset_kind *kind);
/* 1 when the architecture selection uses benchmark indices (so the table is needed). */
int cli_select_needs_index(cli_opt *opts, int n);
/* --arch / --index / --arch-file / --sample / --all (exactly one) into l. */
int cli_select(cli_opt *opts, int n, zc_arch_list *l);
/* One architecture from --arch or --index into arch (space arch_size bytes). */
int cli_select_one(const char *cmd, cli_opt *opts, int n, const zc_space_ctx *ctx, void *arch);

/* --top-k into eo (both eval and reproduce have it). */
int cli_eval_options(cli_opt *opts, int n, zc_eval_opts *eo);
/* CLI_PROXY_OPTS into run options (space set, proxies parsed, lanes from the batch options). */
typedef struct cli_scoring {
    zc_run_opts run;
    const zc_aggregate *aggregate;   /* --proxy named one aggregate only (a search's fitness) */
    zc_dataset_kind dataset;
    int quiet;
    double progress_every;
} cli_scoring;
int cli_scoring_parse(cli_opt *opts, int n, const zc_space_ctx *ctx, zc_dataset_kind kind, cli_scoring *s);
/* A failure of zc_run_open / zc_run_write / zc_run_score: a lane's batch error names the option that
 * sets it (--batch-size, --eps-batch-size, ...). */
int cli_fail_run(zc_status st);
/* The one-line note when an index-less space network's init stream is not its benchmark index. */
void cli_note_streams(const zc_space_ctx *ctx, const zc_run_opts *o, const zc_arch_list *l);

/* ---- progress on stderr: a bar on a terminal, otherwise a line every few seconds
 * (done/total, rate, ETA); nothing with --quiet ---- */
enum { CLI_PROGRESS_OFF, CLI_PROGRESS_BAR, CLI_PROGRESS_LINES };
typedef struct cli_progress {
    int mode, total, done;
    double start, last_draw, every;
    const char *what;
} cli_progress;
/* every: seconds between lines off a terminal (<= 0: 5). */
void cli_progress_start(cli_progress *p, int total, const char *what, int quiet, double every);
void cli_progress_step(cli_progress *p, int done);
void cli_progress_end(cli_progress *p);
/* Erases the bar (terminal only) before something else is printed; it is redrawn at the next step. */
void cli_progress_clear(cli_progress *p);
/* A zc_run_opts.on_progress that steps the cli_progress passed as its context. */
void cli_progress_callback(void *ctx, int done, int total);
double cli_now(void);

/* "1,234,567" */
void cli_grouped(int64_t v, char *buf, size_t size);
/* The command line, for reports. */
void cli_command_line(int argc, char **argv, const char *cmd, char *buf, size_t size);

int cmd_score(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_merge(int argc, char **argv);

#endif
