/* The scoring context: a space, proxies, data and settings in; deterministic parallel scoring of any
 * list of architectures out (one architecture per worker thread, results in input order, so nothing
 * depends on the thread count), with resumable CSV / JSON-lines output and progress callbacks.
 * The CLI, a Python binding or a distributed runner all score through this. */
#ifndef ZCNAS_RUN_H
#define ZCNAS_RUN_H
#include <stdint.h>
#include "zcnas/data.h"
#include "zcnas/proxy.h"
#include "zcnas/space.h"

/* ---- lists of architectures of one space ---- */
typedef struct zc_arch_list {
    const zc_space_ctx *space;
    int n, cap;
    unsigned char *archs;    /* n architectures of space->arch_size bytes */
    long *index;             /* each one's benchmark index, -1 when unknown */
} zc_arch_list;

void zc_arch_list_init(zc_arch_list *l, const zc_space_ctx *space);
void zc_arch_list_free(zc_arch_list *l);
const void *zc_arch_list_get(const zc_arch_list *l, int i);
zc_status zc_arch_list_add(zc_arch_list *l, const void *arch);
/* One architecture string of the space. */
zc_status zc_arch_list_add_string(zc_arch_list *l, const char *s);
/* Benchmark indices "3,17,100-199" (the space needs its index table). */
zc_status zc_arch_list_add_indices(zc_arch_list *l, const char *list);
/* One architecture string or benchmark index per line; blank lines and # comments skipped. Errors
 * name the file and line. */
zc_status zc_arch_list_add_file(zc_arch_list *l, const char *path);
/* k distinct architectures from the seed: for a space with a benchmark index, a seeded draw of k
 * indices (sorted); otherwise k distinct samples in draw order. */
zc_status zc_arch_list_add_sample(zc_arch_list *l, int k, uint64_t seed);
/* Every architecture, in index order (enumerable spaces with an index). */
zc_status zc_arch_list_add_all(zc_arch_list *l);
struct zc_bench_table;
/* The architectures of a benchmark table's `arch` column, in table order: every row (k <= 0), or k
 * rows drawn with the seed. Errors name the row. */
zc_status zc_arch_list_add_table(zc_arch_list *l, const struct zc_bench_table *t, const char *path, int k,
                                 uint64_t seed);

/* ---- the scoring context ---- */
typedef struct zc_run zc_run;
struct zc_remote;

/* A lane's batch size / count, overriding what its proxies declare. */
typedef struct zc_lane_size {
    const char *lane;
    int batch_size;          /* 0: as declared */
    int n_batches;           /* 0: as declared */
} zc_lane_size;

#define ZC_RUN_MAX_PROXIES 32
#define ZC_RUN_MAX_LANES 8

typedef struct zc_run_opts {
    const zc_space_ctx *space;
    const zc_proxy *proxies[ZC_RUN_MAX_PROXIES];
    int n_proxies;
    zc_proxy_opts proxy_opts;
    /* data (only loaded when a proxy needs images) */
    const char *dataset;          /* cifar10, cifar100, imagenet16 (NULL: the space's) */
    const char *data_path;        /* NULL: $ZCNAS_DATA/<dataset> */
    int image_folder;             /* data_path is a folder of class folders of JPEG/PNG images read with
                                     ZiCo's ImageNet transforms */
    int eval_transforms;          /* image folder: Resize + CenterCrop instead of training transforms */
    const zc_dataset *loaded;     /* a dataset the caller loaded already (then data_path is not read) */
    const zc_batch *images;       /* the caller's own images (normalised float32 NCHW and labels y, as a
                                     batch): every lane's batches are consecutive slices of them, from the
                                     first image on and wrapping around (resized to the space's input when
                                     it differs), instead of draws from a dataset. Each lane's batch size
                                     must not exceed images->n. Not for spaces that read their own data. */
    zc_sampler sampler;
    int augment;                  /* for lanes that allow it */
    zc_lane_size lanes[ZC_RUN_MAX_LANES];
    int n_lanes;
    uint64_t seed;                /* data and initialisation */
    int threads;                  /* worker threads, one architecture each (<= 0: all cores) */
    int backend_threads;          /* threads inside the backend of each worker (<= 0: 1; results are
                                     reproducible for a given value) */
    double max_memory;            /* bytes the run's networks may take at once (0: zc_machine_memory());
                                     an architecture whose estimate exceeds it is refused before it is
                                     built (ZC_ENOMEM naming the estimate) */
    int nan_on_numeric_error;     /* a proxy's ZC_ENUM gives NaN for that architecture instead of
                                     stopping the run (searches) */
    const struct zc_remote *remote; /* other processes that score beside the threads (below); NULL: none */
    /* Optional: after each architecture, in order, with the count done in this call. */
    void (*on_progress)(void *ctx, int done, int total);
    void *progress_ctx;
} zc_run_opts;

void zc_run_opts_default(zc_run_opts *o);
/* The space settings for a dataset: its classes and input size unless the space fixes them. */
void zc_space_config_for_dataset(const zc_space *space, zc_dataset_kind kind, zc_space_config *cfg);

/* Loads the data when a proxy needs images and draws every lane's batches (seeded, cached for the
 * run). Errors name the data, or the lane and its batch size. */
zc_status zc_run_open(const zc_run_opts *opts, zc_run **out);
void zc_run_close(zc_run *r);
const zc_run_opts *zc_run_options(const zc_run *r);
/* A lane's batches (NULL when no requested proxy uses it). */
const zc_batch *zc_run_lane(const zc_run *r, const char *lane, int *n_batches, int *batch_size);
/* Records the dataset the run loaded (NULL when none); its size in *records. */
const char *zc_run_data_source(const zc_run *r, int *records);

/* What determines the run's scores as space-separated "key=value" items (values percent-escaped):
 * version, space and its settings, proxies and the options they use, seed, backend and its threads,
 * and each data lane's size and the MD5 of its batches. Output files and checkpoints record it;
 * resuming compares it (src/run/fingerprint.c). */
zc_status zc_run_fingerprint(const zc_run *r, char *buf, size_t cap);
/* 0 when two fingerprints hold the same items, else 1 and the first difference into msg as
 * "key=old, now key=new" ("(none)" for an item one of them lacks). */
int zc_fingerprint_diff(const char *old, const char *now, char *msg, size_t cap);

/* Called once per architecture in input order, never concurrently; non-zero stops the run. scores:
 * the zc_run_n_scores values of every proxy's outputs in order (one per proxy unless a proxy writes
 * several sub-scores); seconds: one per proxy. */
typedef int (*zc_result_fn)(void *ctx, int i, const double *scores, const double *seconds);
/* The number of scores per architecture: the sum of zc_proxy_n_outputs over the run's proxies. */
int zc_run_n_scores(const zc_run *r);
int zc_run_opts_n_scores(const zc_run_opts *o);
/* Scores n architectures (space arch values, contiguous); streams NULL: each one's zc_space_stream. */
zc_status zc_run_score(zc_run *r, const void *archs, int n, const uint64_t *streams, zc_result_fn on_result,
                       void *ctx);

/* ---- scoring elsewhere: a remote (src/dist: MPI ranks) ----
 * A job is one zc_run_score call. With zc_run_opts.remote set, the calling thread hands the job to
 * remote->drive while the run's threads score beside it. drive takes architectures with zc_job_take
 * (the counter the threads take from, so the load balances itself), sends them away, hands each
 * result back with zc_job_put (or a failure with zc_job_fail) and returns once zc_job_take gives -1
 * and nothing it sent is outstanding. Results reach the callback in input order as always, so the
 * output does not depend on where an architecture was scored. */
typedef struct zc_job zc_job;
typedef struct zc_remote {
    void *ctx;
    zc_status (*drive)(void *ctx, zc_run *r, zc_job *job);
} zc_remote;
/* The next architecture of the job and its init stream: its index, or -1 when none is left (or the
 * job stopped). Thread-safe. */
int zc_job_take(zc_job *j, const void **arch, uint64_t *stream);
void zc_job_put(zc_job *j, int i, const double *scores, const double *seconds);
/* Stops the job with this error (msg names the architecture and where it failed). */
void zc_job_fail(zc_job *j, zc_status st, const char *msg);
/* What each of zc_run_score's threads does for one architecture: its zc_run_n_scores scores and one
 * seconds value per proxy; a failure's message names the architecture. workers: how many threads of
 * this process score at once (for the memory guard). Call zc_run_thread_init once per thread first. */
zc_status zc_run_score_one(zc_run *r, const void *arch, uint64_t stream, int workers, double *scores, double *seconds);
void zc_run_thread_init(const zc_run *r);

int zc_cpu_count(void);
/* The machine's physical memory in bytes, or its cgroup's limit when lower (0 when unknown). */
double zc_machine_memory(void);
/* Tries a proxy once on an architecture with four synthetic images: ZC_EUNSUPPORTED when the proxy
 * cannot score this space's networks (then it is left out of a run with a note), ZC_OK otherwise
 * (other failures are left for the run to report). */
zc_status zc_proxy_probe(const zc_space_ctx *space, const void *arch, const zc_proxy *p, const zc_proxy_opts *o);

/* ---- rows: index, arch, then <proxy>, <proxy>_seconds per proxy ----
 * A file (not standard output) starts with the run's fingerprint: a line "# zcnas run: <fingerprint>"
 * before the CSV header, or a first JSON line {"zcnas_run": "<fingerprint>"}. */
typedef enum zc_format {
    ZC_FORMAT_CSV = 0,
    ZC_FORMAT_JSONL = 1,
    ZC_FORMAT_SUITEZERO = 2  /* NAS-Bench-Suite-Zero JSON, written once at the end (zc_suitezero_write) */
} zc_format;

typedef struct zc_output {
    const char *path;        /* NULL: standard output */
    zc_format format;
    int resume;              /* needs path: keep the complete rows already there (same fingerprint,
                                columns and format), cut a torn last line, score only what is missing */
    const char *fingerprint_extra; /* items appended to the run's fingerprint in the file (a shard's) */
} zc_output;

typedef struct zc_write_report {
    int kept;                /* rows found in the file (resume) */
    int scored;              /* architectures scored now */
} zc_write_report;

/* Scores the list into rows. On resume the list is left as given; rows are matched on the
 * canonical arch string. */
zc_status zc_run_write(zc_run *r, const zc_arch_list *list, const zc_output *out, zc_write_report *rep);

/* ---- shards: one list scored by n independent processes (a job array), merged back (src/run/shard.c) ----
 * Shard i of n (1 <= i <= n) is list positions i-1, i-1+n, i-1+2n, ... into `out`; `items` gets the
 * fingerprint items that mark its file (zc_output.fingerprint_extra): "shard=i/n shard_archs=N
 * shard_list=<MD5 of the whole list's canonical strings>". */
zc_status zc_arch_list_shard(const zc_arch_list *all, int i, int n, zc_arch_list *out, char *items, size_t cap);
/* The n complete shard files of one run (CSV or JSON lines, any order) into `out` (NULL: standard
 * output; a file is written whole): the single run's fingerprint line, header and rows in list
 * order. Refused, naming the file: a missing, repeated or torn shard, one with rows missing, shards of
 * different runs (the fingerprint difference) or lists. *rows: the rows written. */
zc_status zc_merge_shards(const char *const *paths, int n, const char *out, int *rows);

/* ---- NAS-Bench-Suite-Zero JSON (src/run/suitezero.c) ----
 * NASLib's zero-cost benchmark file, as its json.dump writes it (", " and ": " separators, one line):
 *   {"<dataset key>": {"<arch key>": {"id": <index or null>, "<proxy>": {"score": S, "time": T}, ...,
 *                                     "val_accuracy": A}, ...}}
 * with the space's keys (zc_space.suitezero_*), NASLib's proxy names (zc_suitezero_name), NASLib's value
 * conventions (zc_suitezero_value; flops is NASLib's count, zc_suitezero_flops), T the proxy's seconds
 * and A the benchmark column the space names (in percent). Spaces without a convention, --resume and
 * an architecture listed twice are refused. zc_run_write calls it for ZC_FORMAT_SUITEZERO. */
zc_status zc_suitezero_write(zc_run *r, const zc_arch_list *list, const zc_output *out, zc_write_report *rep);
/* NASLib's name of a zcnas score column (jacob_cov -> jacov; the others unchanged) and back (unknown
 * NASLib names, e.g. epe_nas, unchanged). */
const char *zc_suitezero_name(const char *zcnas_name);
const char *zc_suitezero_zcnas_name(const char *naslib_name);
/* A score as NASLib stores it: NaN / inf -> -1e8 (ZeroCost.query), then synflow -> its signed natural
 * log (0 stays 0, so NaN ends as -ln 1e8), params and flops / 1e6. */
double zc_suitezero_value(const char *zcnas_name, double score);
/* NASLib's flops of an architecture (before the / 1e6): tensorwatch's model_stats count on the network,
 * i.e. conv and linear multiply-accumulates (conv bias added, linear bias not) plus the elements of
 * every BatchNorm (twice when affine), ReLU and pooling window, adaptive pooling as tensorwatch counts
 * it, and each module once (a jigsaw encoder that runs on 9 tiles counts one tile). */
zc_status zc_suitezero_flops(const zc_space_ctx *space, const void *arch, double *flops);
/* Python's repr() of a float (the shortest string that reads back the same; "1e-05", "100.0", "NaN",
 * "Infinity", "-Infinity" as json.dump writes them) into buf (32 bytes suffice). */
void zc_suitezero_float(double v, char *buf, size_t size);

#endif
