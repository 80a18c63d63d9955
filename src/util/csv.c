/* CSV fields (util.h): RFC 4180 quoting for the fields zcnas writes (PlainNet and NAS-Bench-101
 * architecture strings hold commas) and a splitter for the tables it reads. */
#include <string.h>
#include "util/util.h"

void zci_csv_field(FILE *f, const char *s)
{
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) { fputs(s, f); return; }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
    return s;
}

int zci_csv_split(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        char *start = p;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '"') {   /* quoted: up to the closing quote, "" is a quote; written back in place */
            char *w = start, *r = p + 1;
            for (;;) {
                if (!*r) return -1;
                if (*r == '"') {
                    if (r[1] == '"') { *w++ = '"'; r += 2; continue; }
                    r++;
                    break;
                }
                *w++ = *r++;
            }
            while (*r == ' ' || *r == '\t') r++;
            if (*r && *r != ',') return -1;   /* text after the closing quote */
            char *next = *r ? r + 1 : NULL;
            *w = '\0';
            if (n < max) fields[n] = start;
            n++;
            if (!next) return n;
            p = next;
            continue;
        }
        char *c = strchr(p, ',');
        if (c) *c = '\0';
        if (n < max) fields[n] = trim(start);
        n++;
        if (!c) return n;
        p = c + 1;
    }
}
