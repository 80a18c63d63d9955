/* Pieces shared by the commands: data locations, the NB201 builder, progress and row output. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

int cli_dataset_path(const char *data_opt, zc_dataset_kind kind, char *buf, size_t size)
{
    return zc_data_dataset_path(kind, data_opt, buf, size) == ZC_OK ? CLI_OK : cli_error(CLI_RUNTIME, "%s", zc_last_error());
}

int cli_bench_path(const char *bench_opt, char *buf, size_t size)
{
    return zc_data_bench_path("nb201_accuracy.csv", bench_opt, buf, size) == ZC_OK
               ? CLI_OK
               : cli_error(CLI_RUNTIME, "%s", zc_last_error());
}

int cli_nb201_map(const char *bench_opt, int required, zc_nb201_index_map **map)
{
    *map = NULL;
    char path[4096];
    if (zc_data_bench_path("nb201_accuracy.csv", bench_opt, path, sizeof path) != ZC_OK)
        return required || bench_opt ? cli_error(CLI_RUNTIME, "%s", zc_last_error()) : CLI_OK;
    zc_nb201_index_map *m = malloc(sizeof *m);
    if (!m) return cli_error(CLI_RUNTIME, "out of memory");
    if (zc_nb201_index_map_load(m, path) != ZC_OK) {
        free(m);
        return cli_error(CLI_RUNTIME, "%s", zc_last_error());
    }
    *map = m;
    return CLI_OK;
}

uint64_t cli_nb201_stream(const zc_nb201_arch *arch, int index)
{
    /* Codes are offset past the indices so that the two kinds of stream never coincide. */
    return index >= 0 ? (uint64_t)index : (uint64_t)ZC_NB201_SIZE + (uint64_t)zc_nb201_code(arch);
}

/* ---- NB201 builder (the resolution is a process-wide setting of the CLI) ---- */
static int nb201_resolution = 32;

void cli_nb201_set_resolution(int resolution) { nb201_resolution = resolution; }

zc_net *cli_nb201_builder(const void *arch, int num_classes, int track_running_stats, int shapes_only)
{
    zc_nb201_config cfg = zc_nb201_default_config(num_classes, nb201_resolution);
    cfg.track_running_stats = track_running_stats;
    cfg.shapes_only = shapes_only;
    return zc_nb201_build(arch, &cfg);
}

/* ---- progress ---- */
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

/* ---- rows ---- */
void cli_writer_header(cli_writer *w)
{
    if (w->jsonl) return;
    fputs("index,arch", w->f);
    for (int i = 0; i < w->n_cols; i++) fprintf(w->f, ",%s", w->cols[i]);
    fputc('\n', w->f);
}

static void print_value(FILE *f, double v, int is_int, int json)
{
    if (isnan(v)) fputs(json ? "null" : "nan", f);
    else if (isinf(v)) fputs(json ? "null" : (v > 0 ? "inf" : "-inf"), f);
    else if (is_int) fprintf(f, "%.0f", v);
    else fprintf(f, "%.9g", v);
}

void cli_writer_row(cli_writer *w, int index, const char *arch, const double *values, const int *is_int)
{
    /* An index of -1 (no benchmark table) is an empty CSV field / JSON null. */
    if (w->jsonl) {
        if (index >= 0) fprintf(w->f, "{\"index\": %d, \"arch\": \"%s\"", index, arch);
        else fprintf(w->f, "{\"index\": null, \"arch\": \"%s\"", arch);
        for (int i = 0; i < w->n_cols; i++) {
            fprintf(w->f, ", \"%s\": ", w->cols[i]);
            print_value(w->f, values[i], is_int && is_int[i], 1);
        }
        fputs("}\n", w->f);
    } else {
        if (index >= 0) fprintf(w->f, "%d,%s", index, arch);
        else fprintf(w->f, ",%s", arch);
        for (int i = 0; i < w->n_cols; i++) {
            fputc(',', w->f);
            print_value(w->f, values[i], is_int && is_int[i], 0);
        }
        fputc('\n', w->f);
    }
    fflush(w->f);
}
