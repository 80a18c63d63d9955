/* The figures of `zcnas reproduce`, written as plain SVG (no plotting library). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"
#include "zcnas/eval.h"

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '&') fputs("&amp;", f);
        else if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

static zc_status finish(FILE *f, const char *path) { return zci_whole_close(f, path); }

/* 1, 2 or 5 times a power of ten, about range / 5. */
static double nice_step(double range)
{
    double raw = range / 5.0, p = pow(10.0, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1.0 : m < 3.5 ? 2.0 : m < 7.5 ? 5.0 : 10.0) * p;
}

typedef struct axis {
    double lo, hi;      /* data range (log10 units when logscale) */
    int logscale;
    double p0, p1;      /* pixel positions of lo and hi */
} axis;

static double ax_pos(const axis *a, double v)
{
    double t = a->logscale ? log10(v) : v;
    return a->p0 + (t - a->lo) / (a->hi - a->lo) * (a->p1 - a->p0);
}

static void ax_range(axis *a, double mn, double mx)
{
    if (a->logscale) { mn = log10(mn); mx = log10(mx); }
    if (!(mx > mn)) {
        double pad = fabs(mn) > 0 ? fabs(mn) * 0.1 : 1.0;
        mn -= pad;
        mx += pad;
    }
    double pad = (mx - mn) * 0.04;
    a->lo = mn - pad;
    a->hi = mx + pad;
}

/* Ticks and grid lines; vertical = 1 for the x axis (lines across the plot height). */
static void ax_draw(FILE *f, const axis *a, int x_axis, double other0, double other1)
{
    double step = a->logscale ? 1.0 : nice_step(a->hi - a->lo);
    if (a->logscale && a->hi - a->lo > 12) step = ceil((a->hi - a->lo) / 6);
    for (double t = ceil(a->lo / step) * step; t <= a->hi + 1e-9 * step; t += step) {
        double v = a->logscale ? pow(10.0, t) : (fabs(t) < 1e-12 * step ? 0.0 : t);
        double p = a->p0 + (t - a->lo) / (a->hi - a->lo) * (a->p1 - a->p0);
        char label[32];
        if (a->logscale) snprintf(label, sizeof label, "1e%d", (int)lround(t));
        else snprintf(label, sizeof label, "%.4g", v);
        if (x_axis) {
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n", p, other0, p, other1);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">%s</text>\n", p, other0 + 15, label);
        } else {
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n", other0, p, other1, p);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%s</text>\n", other0 - 5, p + 4, label);
        }
    }
}

zc_status zc_svg_scatter(const char *path, const char *proxy, const char *target, const double *score,
                    const double *acc, int n, const zc_eval_result *r)
{
    FILE *f = zci_whole_open(path, "w");   /* written whole: no half figure on failure */
    if (!f) return ZC_EIO;
    const double W = 520, H = 380, L = 64, R = 16, T = 34, B = 48;
    double xmn = INFINITY, xmx = -INFINITY, ymn = INFINITY, ymx = -INFINITY, pmn = INFINITY;
    int shown = 0, zeros = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(score[i]) || !isfinite(acc[i])) continue;
        shown++;
        xmn = fmin(xmn, score[i]); xmx = fmax(xmx, score[i]);
        ymn = fmin(ymn, acc[i]); ymx = fmax(ymx, acc[i]);
        if (score[i] > 0) pmn = fmin(pmn, score[i]);
        zeros += score[i] == 0;
    }
    axis ax = {0, 1, 0, L, W - R}, ay = {0, 1, 0, H - B, T};
    if (shown) {
        /* Log scale for positive scores over more than two decades; zeros (e.g. synflow of an arch
         * without a path) are then drawn on the left edge. */
        ax.logscale = xmn >= 0 && pmn < INFINITY && xmx / pmn > 100.0;
        ax_range(&ax, ax.logscale ? pmn : xmn, xmx);
        ax_range(&ay, ymn, ymx);
    }
    if (!ax.logscale) zeros = 0;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "font-family=\"sans-serif\">\n", W, H, W, H);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"%.1f\" y=\"20\" text-anchor=\"middle\" font-size=\"13\">", W / 2);
    xml_text(f, proxy);
    fprintf(f, ": Spearman %.3f, Kendall %.3f (n = %zu", r->spearman, r->kendall, r->n);
    if (n - shown) fprintf(f, "; %d not shown: NaN/inf", n - shown);
    if (zeros) fprintf(f, "; %d zeros on the left edge", zeros);
    fprintf(f, ")</text>\n");
    if (shown) {
        ax_draw(f, &ax, 1, H - B, T);
        ax_draw(f, &ay, 0, L, W - R);
    }
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n", L, T,
            W - R - L, H - B - T);
    for (int i = 0; i < n; i++) {
        if (!isfinite(score[i]) || !isfinite(acc[i])) continue;
        if (ax.logscale && score[i] == 0)
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" fill=\"none\" stroke=\"#d62728\"/>\n", L,
                    ax_pos(&ay, acc[i]));
        else
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" fill=\"#1f77b4\" fill-opacity=\"0.55\"/>\n",
                    ax_pos(&ax, score[i]), ax_pos(&ay, acc[i]));
    }
    if (!shown)
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\">no finite scores</text>\n",
                (L + W - R) / 2, (T + H - B) / 2);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\">", (L + W - R) / 2, H - 10);
    xml_text(f, proxy);
    fprintf(f, " score%s</text>\n", ax.logscale ? " (log scale)" : "");
    fprintf(f, "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">", (T + H - B) / 2);
    xml_text(f, target);
    fprintf(f, "</text>\n</svg>\n");
    return finish(f, path);
}

zc_status zc_svg_matrix(const char *path, const char *title, const char *const *names, const double *m, int k)
{
    FILE *f = zci_whole_open(path, "w");   /* written whole: no half figure on failure */
    if (!f) return ZC_EIO;
    size_t longest = 4;
    for (int i = 0; i < k; i++) longest = strlen(names[i]) > longest ? strlen(names[i]) : longest;
    const double C = 46, lab = 7.2 * (double)longest + 12, T = 34;
    double W = lab + k * C + 0.75 * 7.2 * (double)longest + 16, H = T + lab * 0.75 + k * C + 16, top = T + lab * 0.75;
    W = fmax(W, 6.8 * (double)strlen(title) + 24);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "font-family=\"sans-serif\">\n", W, H, W, H);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"%.1f\" y=\"20\" text-anchor=\"middle\" font-size=\"13\">", W / 2);
    xml_text(f, title);
    fprintf(f, "</text>\n");
    for (int i = 0; i < k; i++) {
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\">", lab - 6, top + i * C + C / 2 + 4);
        xml_text(f, names[i]);
        fprintf(f, "</text>\n<text transform=\"translate(%.1f %.1f) rotate(-45)\" font-size=\"12\">", lab + i * C + C / 2,
                top - 6);
        xml_text(f, names[i]);
        fprintf(f, "</text>\n");
    }
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            double v = m[(size_t)i * k + j];
            int rr = 204, gg = 204, bb = 204;
            if (!isnan(v)) {
                double a = fmin(1.0, fabs(v));
                int fade = (int)lround(255 * (1 - 0.85 * a));
                if (v >= 0) { rr = 255; gg = bb = fade; }
                else { bb = 255; rr = gg = fade; }
            }
            double x = lab + j * C, y = top + i * C;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"rgb(%d,%d,%d)\" stroke=\"white\"/>\n",
                    x, y, C, C, rr, gg, bb);
            char label[16];
            if (isnan(v)) snprintf(label, sizeof label, "-");
            else snprintf(label, sizeof label, "%.2f", v);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">%s</text>\n", x + C / 2,
                    y + C / 2 + 4, label);
        }
    fprintf(f, "</svg>\n");
    return finish(f, path);
}
