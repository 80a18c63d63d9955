/* The zcnas command-line interface: a thin layer over libzcnas. */
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

typedef struct cli_cmd {
    const char *name;
    const char *summary;
    const char *usage;    /* extra text printed under --help */
    int (*run)(int argc, char **argv);
} cli_cmd;

/* Returns -1 on success, or the exit code to return (0 after --help, CLI_USAGE on error). */
int cli_parse(const char *cmd, const char *usage, int argc, char **argv, cli_opt *opts, int n);
cli_opt *cli_find(cli_opt *opts, int n, const char *name);
const char *cli_str(cli_opt *opts, int n, const char *name);
int cli_flag(cli_opt *opts, int n, const char *name);
/* Strict integer / float parsing with a usage error naming the option. */
int cli_int(cli_opt *opts, int n, const char *name, long lo, long hi, long *out);
int cli_double(cli_opt *opts, int n, const char *name, double *out);
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Maps a library status to an exit code after printing zc_last_error(). */
int cli_fail_status(zc_status st);
int cli_status_code(zc_status st);

/* ---- shared pieces ---- */
/* Data locations (zc_data_*): the option's path, else $ZCNAS_DATA. They print the library's message
 * (what was looked for, where, how to obtain it) and return CLI_RUNTIME when nothing is found. */
int cli_dataset_path(const char *data_opt, zc_dataset_kind kind, char *buf, size_t size);
int cli_bench_path(const char *bench_opt, char *buf, size_t size);   /* the NB201 table */
/* The NB201 index table from --bench / $ZCNAS_DATA. required: a missing table is an error (exit 1);
 * otherwise *map is NULL without a word. Free with free(). */
int cli_nb201_map(const char *bench_opt, int required, zc_nb201_index_map **map);

/* NB201 architecture selection from --arch / --index / --arch-file / --sample / --all. Indices
 * need the benchmark table (--bench or $ZCNAS_DATA); arch strings do not, but their index is looked
 * up when the table is there (index -1 otherwise). */
typedef struct cli_archs {
    zc_nb201_arch *archs;
    int *index;
    int n;
    zc_nb201_index_map *map;   /* NULL when no table was needed or found */
} cli_archs;
int cli_select_nb201(cli_opt *opts, int n, cli_archs *out);
void cli_archs_free(cli_archs *a);
/* One architecture from --space (nb201) and exactly one of --arch / --index; *index is -1 when the
 * benchmark table is absent. */
int cli_one_nb201(const char *cmd, cli_opt *opts, int n, zc_nb201_arch *arch, int *index);
/* Each architecture's initialisation stream: its benchmark index, or when the table is absent its
 * arch code (then gradient-proxy values differ from runs with the table; the CLI says so). */
uint64_t cli_nb201_stream(const zc_nb201_arch *arch, int index);
/* Parses "3,17,100-199" into indices within [0, max). */
int cli_parse_index_list(const char *s, int max, int **out, int *count);
zc_net *cli_nb201_builder(const void *arch, int num_classes, int track_running_stats, int shapes_only);
/* Builder context: the resolution and cell config of the chosen dataset (set before building). */
void cli_nb201_set_resolution(int resolution);

/* Progress on stderr: a bar when stderr is a terminal, otherwise a line every few seconds
 * (done/total, rate, ETA); nothing with --quiet. */
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
double cli_now(void);

/* Output of per-architecture rows (CSV or JSON lines). */
typedef struct cli_writer {
    FILE *f;
    int jsonl;
    int n_cols;
    const char *const *cols;
} cli_writer;
void cli_writer_header(cli_writer *w);
/* values[i] is printed as an integer when is_int[i], as %.9g otherwise; NaN as nan (CSV) / null (JSON). */
void cli_writer_row(cli_writer *w, int index, const char *arch, const double *values, const int *is_int);
/* --resume: checks that FILE (if it exists) was written with the same columns and format, cuts a
 * torn last line, removes the architectures it already holds from `archs`, and says whether to
 * append (*appending = 1) or start the file. */
int cli_resume_filter(const char *path, const cli_writer *w, cli_archs *archs, int *appending);

int cmd_score(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);
int cmd_search(int argc, char **argv);

#endif

/* ---- scoring shared by `score` and `demo` ---- */
typedef struct cli_scoring {
    const zc_proxy *proxies[16];
    int n_proxies;
    zc_dataset_kind dataset;
    const char *data_opt;      /* --data, or NULL for $ZCNAS_DATA/<dataset> */
    const zc_dataset *loaded;  /* the dataset when the caller loaded it already, else NULL */
    int batch_size, n_batches, eps_batch_size, base_batch_size, nwot_batch_size;
    zc_sampler sampler;
    int augment;
    uint64_t seed;
    int threads;
    zc_proxy_opts popts;
    int quiet;                 /* --quiet: no progress */
    double progress_every;     /* --progress-every: seconds between progress lines off a terminal */
} cli_scoring;

/* The options every scoring command accepts (appended to the command's own table). */
#define CLI_SCORING_OPTS \
    {"proxy", "LIST", cli_proxy_list_help(), "zico,epsilon,params,flops", 0}, \
    {"dataset", "NAME", "cifar10, cifar100 or imagenet16 (classes, resolution, normalisation)", "cifar10", 0}, \
    {"data", "DIR", "dataset directory (or one file) in the official binary format [default: $ZCNAS_DATA/<dataset>]", NULL, 0}, \
    {"batch-size", "B", "ZiCo batch size", "64", 0}, \
    {"batches", "N", "ZiCo number of batches", "2", 0}, \
    {"eps-batch-size", "B", "epsilon batch size", "256", 0}, \
    {"base-batch-size", "B", "batch of the baseline proxies (grad_norm, snip, grasp, fisher, jacob_cov, plain)", "64", 0}, \
    {"nwot-batch-size", "B", "NASWOT batch size", "128", 0}, \
    {"eps-weights", "LOW,HIGH", "epsilon's two constant weights", "1e-7,1", 0}, \
    {"exact-full", NULL, "epsilon on the full network instead of the exact one-channel evaluation", NULL, 0}, \
    {"zico-std", "KIND", "signed (official code) or abs (paper Eq. 15: std of |g|)", "signed", 0}, \
    {"sampler", "KIND", "random (seeded) or sequential (file order)", "random", 0}, \
    {"augment", NULL, "random crop (pad 4) + horizontal flip on the ZiCo batches", NULL, 0}, \
    {"seed", "S", "seeds data sampling, initialisation and --sample", "0", 0}, \
    {"backend", "NAME", "dnnl (oneDNN, when built in) or ref (portable C) [default: dnnl if built in, else ref]", NULL, 0}, \
    {"threads", "N", "worker threads, one architecture each (0 = all cores)", "0", 0}, \
    {"progress-every", "SEC", "seconds between progress lines when stderr is not a terminal", "5", 0}, \
    {"quiet", NULL, "no progress bar or progress lines", NULL, 0}

/* "comma-separated proxies: zico, epsilon, ... (or all)", from the registry. */
const char *cli_proxy_list_help(void);
int cli_scoring_parse(cli_opt *opts, int n, cli_scoring *s);
/* Loads the dataset into *ds when a proxy needs images and none is loaded yet (s->loaded then points
 * at it; free ds with zc_dataset_free). */
int cli_scoring_load(cli_scoring *s, zc_dataset *ds);
/* Loads the data the proxies need and scores archs; on_result as in zc_score_job. */
int cli_scoring_run(const cli_scoring *s, const cli_archs *archs,
                    int (*on_result)(void *ctx, int i, const double *scores, const double *seconds),
                    void *ctx);
/* Scores archs with s and writes the rows (CSV, or JSON lines when jsonl) to `out`, or to standard
 * output when out is NULL. resume (needs out): keep the rows already in `out` and score only the
 * rest; archs then holds only the architectures this call scored. */
int cli_score_write(const cli_scoring *s, cli_archs *archs, const char *out, int jsonl, int resume);
