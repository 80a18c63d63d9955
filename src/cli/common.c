/* Pieces shared by the commands: data locations, the NB201 builder, progress and row output. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

const char *cli_data_root(void)
{
    const char *env = getenv("ZCNAS_DATA");
    return env && *env ? env : ZCNAS_DATA_DIR;
}

void cli_dataset_dir(const char *data_opt, zc_dataset_kind kind, char *buf, size_t size)
{
    if (data_opt) snprintf(buf, size, "%s", data_opt);
    else snprintf(buf, size, "%s/%s", cli_data_root(), zc_dataset_name(kind));
}

void cli_bench_path(const char *bench_opt, char *buf, size_t size)
{
    if (bench_opt) snprintf(buf, size, "%s", bench_opt);
    else snprintf(buf, size, "%s/nb201/nb201_accuracy.csv", cli_data_root());
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

void cli_progress_start(cli_progress *p, int total, const char *what)
{
    p->enabled = total > 1 && isatty(STDERR_FILENO);
    p->total = total;
    p->done = 0;
    p->start = p->last_draw = cli_now();
    p->what = what;
    if (p->enabled) cli_progress_step(p, 0);
}

void cli_progress_step(cli_progress *p, int done)
{
    p->done = done;
    if (!p->enabled) return;
    double t = cli_now();
    if (done != p->total && done != 0 && t - p->last_draw < 0.2) return;
    p->last_draw = t;
    const int width = 30;
    int filled = p->total ? (int)((double)done / p->total * width) : width;
    char bar[width + 1];
    for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    double elapsed = t - p->start;
    double eta = done ? elapsed / done * (p->total - done) : 0.0;
    fprintf(stderr, "\r[%s] %d/%d %s  %.1fs elapsed", bar, done, p->total, p->what, elapsed);
    if (done && done < p->total) fprintf(stderr, ", ETA %.0fs ", eta);
    else fprintf(stderr, "          ");
    fflush(stderr);
}

void cli_progress_end(cli_progress *p)
{
    if (p->enabled) fputc('\n', stderr);
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
    if (w->jsonl) {
        fprintf(w->f, "{\"index\": %d, \"arch\": \"%s\"", index, arch);
        for (int i = 0; i < w->n_cols; i++) {
            fprintf(w->f, ", \"%s\": ", w->cols[i]);
            print_value(w->f, values[i], is_int && is_int[i], 1);
        }
        fputs("}\n", w->f);
    } else {
        fprintf(w->f, "%d,%s", index, arch);
        for (int i = 0; i < w->n_cols; i++) {
            fputc(',', w->f);
            print_value(w->f, values[i], is_int && is_int[i], 0);
        }
        fputc('\n', w->f);
    }
    fflush(w->f);
}
