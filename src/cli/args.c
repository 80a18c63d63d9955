/* Option parsing shared by the commands, with --help generated from each command's table. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* An error is one line, whatever the input it quotes: control characters (a newline inside an --arch
 * value, a file's bytes) are shown escaped, \n, \r, \t or \xHH. */
static char last_message[4096];   /* a rank > 0 of an MPI job sends it to rank 0 */

const char *cli_last_error(void) { return last_message; }

int cli_error(int code, const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(last_message, sizeof last_message, "%s", msg);
    fputs("zcnas: ", stderr);
    for (const unsigned char *c = (const unsigned char *)msg; *c; c++) {
        if (*c == '\n') fputs("\\n", stderr);
        else if (*c == '\r') fputs("\\r", stderr);
        else if (*c == '\t') fputs("\\t", stderr);
        else if (*c < 0x20 || *c == 0x7f) fprintf(stderr, "\\x%02x", *c);
        else fputc(*c, stderr);
    }
    fputc('\n', stderr);
    return code;
}

int cli_status_code(zc_status st) { return st == ZC_EINVAL ? CLI_USAGE : CLI_RUNTIME; }

int cli_fail_status(zc_status st) { return cli_error(cli_status_code(st), "%s", zc_last_error()); }

int cli_fail_prefix(zc_status st, const char *prefix)
{
    return cli_error(cli_status_code(st), "%s: %s", prefix, zc_last_error());
}

/* Prints `text` from column `col`, wrapped before column `width`, continuation lines indented to `col`. */
static void print_wrapped(const char *text, int col, int width)
{
    int at = col;
    while (*text) {
        while (*text == ' ') text++;
        size_t len = strcspn(text, " ");
        if (at > col && at + 1 + (int)len > width) {
            printf("\n%*s", col, "");
            at = col;
        } else if (at > col) {
            putchar(' ');
            at++;
        }
        printf("%.*s", (int)len, text);
        at += (int)len;
        text += len;
    }
    putchar('\n');
}

static void print_help(const char *cmd, const char *usage, cli_opt *opts, int n)
{
    printf("usage: zcnas %s [options]\n", cmd);
    if (usage) printf("\n%s\n", usage);
    printf("\noptions:\n");
    for (int i = 0; i < n; i++) {
        char left[64], text[1024];
        snprintf(left, sizeof left, "--%s%s%s", opts[i].name, opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        if (opts[i].arg && opts[i].value) snprintf(text, sizeof text, "%s [default: %s]", opts[i].help, opts[i].value);
        else snprintf(text, sizeof text, "%s", opts[i].help);
        printf("  %-24s ", left);
        print_wrapped(text, 27, 100);
    }
    printf("  %-24s %s\n", "--help", "show this help");
}

cli_opt *cli_find(cli_opt *opts, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(opts[i].name, name)) return &opts[i];
    return NULL;
}

int cli_parse(const char *cmd, const char *usage, int argc, char **argv, cli_opt *opts, int n)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { print_help(cmd, usage, opts, n); return CLI_OK; }
        if (strncmp(a, "--", 2) != 0)
            return cli_error(CLI_USAGE, "%s: unexpected argument '%s' (options start with --)", cmd, a);
        char name[64];
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (len >= sizeof name) len = sizeof name - 1;
        memcpy(name, a + 2, len);
        name[len] = '\0';
        cli_opt *o = cli_find(opts, n, name);
        if (!o) return cli_error(CLI_USAGE, "%s: unknown option --%s (see zcnas %s --help)", cmd, name, cmd);
        if (!o->arg) {
            if (eq) return cli_error(CLI_USAGE, "%s: option --%s takes no value", cmd, name);
            o->value = "1";
        } else if (eq) {
            o->value = eq + 1;
        } else {
            if (i + 1 >= argc) return cli_error(CLI_USAGE, "%s: option --%s needs a value (%s)", cmd, name, o->arg);
            o->value = argv[++i];
        }
        if (o->given && o->arg)
            return cli_error(CLI_USAGE, "%s: option --%s given more than once", cmd, name);
        o->given = 1;
    }
    return -1;
}

void cli_default(cli_opt *opts, int n, const char *name, const char *value)
{
    cli_opt *o = cli_find(opts, n, name);
    if (o) o->value = value;
}

const char *cli_str(cli_opt *opts, int n, const char *name)
{
    cli_opt *o = cli_find(opts, n, name);
    return o ? o->value : NULL;
}

int cli_flag(cli_opt *opts, int n, const char *name)
{
    cli_opt *o = cli_find(opts, n, name);
    return o && o->given;
}

int cli_int(cli_opt *opts, int n, const char *name, long lo, long hi, long *out)
{
    const char *s = cli_str(opts, n, name);
    if (!s) return CLI_USAGE;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno)
        return cli_error(CLI_USAGE, "--%s: '%s' is not an integer", name, s);
    if (v < lo || v > hi)
        return cli_error(CLI_USAGE, "--%s: %ld is out of range %ld..%ld", name, v, lo, hi);
    *out = v;
    return CLI_OK;
}

int cli_double(cli_opt *opts, int n, const char *name, double *out)
{
    const char *s = cli_str(opts, n, name);
    if (!s) return CLI_USAGE;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v))
        return cli_error(CLI_USAGE, "--%s: '%s' is not a finite number", name, s);
    *out = v;
    return CLI_OK;
}

int cli_size(const char *s, const char *what, double *bytes)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    double unit = 1;
    switch (*end) {
    case 'K': case 'k': unit = 1024.0; end++; break;
    case 'M': case 'm': unit = 1024.0 * 1024; end++; break;
    case 'G': case 'g': unit = 1024.0 * 1024 * 1024; end++; break;
    case 'T': case 't': unit = 1024.0 * 1024 * 1024 * 1024; end++; break;
    }
    if (*end == 'B' || *end == 'b') end++;
    if (end == s || *end || errno || !isfinite(v) || !(v > 0) || v * unit > 1e18)
        return cli_error(CLI_USAGE, "%s: expected a positive size such as 512M, 8G or 1.5T, got '%s'", what, s);
    *bytes = v * unit;
    return CLI_OK;
}
