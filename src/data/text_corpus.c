/* Word-level text corpora, token for token as PyTorch's word_language_model / AWD-LSTM / NAS-Bench-NLP
 * data.py: open(path, 'r') (UTF-8, universal newlines), for each line: line.split() + ['<eos>'], one
 * dictionary shared by train, valid and test, ids in order of first appearance. Files are read whole and
 * decoded strictly (what Python's codec rejects is an error here too), so vocabularies match Python's. */
#define _POSIX_C_SOURCE 200809L  /* stat() to tell directories from files */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "zcnas/text.h"

static const char *const SPLIT_NAMES[ZC_SPLIT_COUNT] = {"train", "valid", "test"};

const char *zc_split_name(int split)
{
    return split >= 0 && split < ZC_SPLIT_COUNT ? SPLIT_NAMES[split] : "?";
}

/* ---- the dictionary: words (byte strings) -> ids, open addressing on FNV-1a ---- */

static uint64_t fnv1a(const unsigned char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ULL;
    return h;
}

/* The slot holding the word, or the empty slot where it belongs. */
static size_t find_slot(const zc_corpus *c, const unsigned char *w, size_t n)
{
    size_t mask = c->slot_cap_ - 1, s = (size_t)fnv1a(w, n) & mask;
    for (;;) {
        int32_t id = c->slot_[s];
        if (id < 0 || (c->word_len[id] == n && memcmp(c->words[id], w, n) == 0)) return s;
        s = (s + 1) & mask;
    }
}

static int grow_table(zc_corpus *c)
{
    size_t cap = c->slot_cap_ ? c->slot_cap_ * 2 : 1024;
    if (cap > SIZE_MAX / sizeof(int32_t)) return -1;
    int32_t *slot = malloc(cap * sizeof *slot);
    if (!slot) return -1;
    for (size_t i = 0; i < cap; i++) slot[i] = -1;
    free(c->slot_);
    c->slot_ = slot;
    c->slot_cap_ = cap;
    for (int id = 0; id < c->vocab; id++)
        c->slot_[find_slot(c, (const unsigned char *)c->words[id], c->word_len[id])] = id;
    return 0;
}

/* The word's id, added when new (Dictionary.add_word); -1 when out of memory or the vocabulary is full. */
static int32_t add_word(zc_corpus *c, size_t *words_cap, const unsigned char *w, size_t n)
{
    size_t s = find_slot(c, w, n);
    if (c->slot_[s] >= 0) return c->slot_[s];
    if (c->vocab == INT32_MAX - 1) return -1;
    if ((size_t)c->vocab == *words_cap) {
        size_t cap = *words_cap * 2;
        char **words = realloc(c->words, cap * sizeof *words);
        if (!words) return -1;
        c->words = words;
        size_t *lens = realloc(c->word_len, cap * sizeof *lens);
        if (!lens) return -1;
        c->word_len = lens;
        *words_cap = cap;
    }
    char *copy = malloc(n + 1);
    if (!copy) return -1;
    memcpy(copy, w, n);
    copy[n] = '\0';
    int32_t id = c->vocab++;
    c->words[id] = copy;
    c->word_len[id] = n;
    c->slot_[s] = id;
    /* Keep the load factor at most 1/2 so probes stay short. */
    if ((size_t)c->vocab * 2 > c->slot_cap_ && grow_table(c) != 0) return -1;
    return id;
}

int zc_corpus_word_id(const zc_corpus *c, const char *word)
{
    if (!c || !word || !c->slot_cap_) return -1;
    return c->slot_[find_slot(c, (const unsigned char *)word, strlen(word))];
}

/* ---- UTF-8 and Python's str.isspace() ---- */

/* Length of the well-formed UTF-8 sequence at s (n bytes available), 0 when ill-formed: the same bytes
 * Python's strict 'utf-8' codec rejects (overlongs, surrogates, above U+10FFFF, truncated). */
static int utf8_len(const unsigned char *s, size_t n)
{
    unsigned char b = s[0];
    if (b < 0x80) return 1;
    int len;
    unsigned char lo = 0x80, hi = 0xBF;  /* the allowed range of the second byte */
    if (b >= 0xC2 && b <= 0xDF) len = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        if (b == 0xE0) lo = 0xA0;        /* overlong */
        if (b == 0xED) hi = 0x9F;        /* UTF-16 surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        if (b == 0xF0) lo = 0x90;        /* overlong */
        if (b == 0xF4) hi = 0x8F;        /* above U+10FFFF */
    } else return 0;
    if (n < (size_t)len || s[1] < lo || s[1] > hi) return 0;
    for (int k = 2; k < len; k++)
        if (s[k] < 0x80 || s[k] > 0xBF) return 0;
    return len;
}

/* Python's str.isspace() for the (well-formed) sequence at s: the separators of str.split(). Line ends
 * (\n, \r) are handled before this is asked. */
static int is_space(const unsigned char *s, int len)
{
    switch (len) {
    case 1: return (s[0] >= 0x09 && s[0] <= 0x0D) || (s[0] >= 0x1C && s[0] <= 0x20);
    case 2: return s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0);          /* U+0085, U+00A0 */
    case 3:
        if (s[0] == 0xE1) return s[1] == 0x9A && s[2] == 0x80;             /* U+1680 */
        if (s[0] == 0xE2 && s[1] == 0x80)                                  /* U+2000..200A, 2028, 2029, 202F */
            return s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF;
        if (s[0] == 0xE2) return s[1] == 0x81 && s[2] == 0x9F;             /* U+205F */
        return s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80;               /* U+3000 */
    default: return 0;
    }
}

/* ---- reading one split ---- */

static zc_status read_whole(const char *path, unsigned char **out, size_t *n_out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return zc_fail(ZC_EIO, "text corpus: %s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            return zc_fail(ZC_ENOMEM, "text corpus: %s: out of memory after %zu bytes", path, n);
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        unsigned char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!bigger) free(buf);
        buf = bigger;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return zc_fail(ZC_EIO, "text corpus: %s: read error after %zu bytes", path, n);
    }
    *out = buf;
    *n_out = n;
    return ZC_OK;
}

typedef struct tokens {
    int32_t *ids;
    long n, cap;
} tokens;

static int push(tokens *t, int32_t id)
{
    if (id < 0) return -1;
    if (t->n == t->cap) {
        if (t->cap > LONG_MAX / 2 || (size_t)t->cap * 2 > SIZE_MAX / sizeof(int32_t)) return -1;
        int32_t *ids = realloc(t->ids, (size_t)t->cap * 2 * sizeof *ids);
        if (!ids) return -1;
        t->ids = ids;
        t->cap *= 2;
    }
    t->ids[t->n++] = id;
    return 0;
}

/* Tokenizes one file into c->ids[split] (Corpus.tokenize), growing the shared dictionary. */
static zc_status tokenize(zc_corpus *c, size_t *words_cap, int split, const char *path)
{
    unsigned char *buf = NULL;
    size_t n = 0;
    zc_status st = read_whole(path, &buf, &n);
    if (st != ZC_OK) return st;
    tokens t = {malloc(1024 * sizeof(int32_t)), 0, 1024};
    if (!t.ids) {
        free(buf);
        return zc_fail(ZC_ENOMEM, "text corpus: %s: out of memory", path);
    }
    const unsigned char *eos = (const unsigned char *)"<eos>";
    long line = 1;
    size_t i = 0, wstart = 0, line_start = 0;
    int in_word = 0, line_open = 0, oom = 0;
    while (i < n && !oom) {
        unsigned char b = buf[i];
        if (b == '\n' || b == '\r') {  /* universal newlines: \n, \r\n, \r end a line */
            if (in_word) oom |= push(&t, add_word(c, words_cap, buf + wstart, i - wstart));
            oom |= push(&t, add_word(c, words_cap, eos, 5));
            in_word = line_open = 0;
            line++;
            i += (b == '\r' && i + 1 < n && buf[i + 1] == '\n') ? 2 : 1;
            line_start = i;
            continue;
        }
        line_open = 1;
        int len = utf8_len(buf + i, n - i);
        if (!len) {
            zc_fail(ZC_EDATA, "text corpus: %s:%ld: not valid UTF-8 (byte 0x%02x at byte %zu of the line, offset %zu of the file; "
                    "Python would raise UnicodeDecodeError)", path, line, b, i - line_start + 1, i);
            free(buf);
            free(t.ids);
            return ZC_EDATA;
        }
        if (is_space(buf + i, len)) {
            if (in_word) oom |= push(&t, add_word(c, words_cap, buf + wstart, i - wstart));
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            wstart = i;
        }
        i += (size_t)len;
    }
    /* A last line without a line end is still a line; a 0-byte file has none. */
    if (line_open && !oom) {
        if (in_word) oom |= push(&t, add_word(c, words_cap, buf + wstart, n - wstart));
        oom |= push(&t, add_word(c, words_cap, eos, 5));
    } else if (!line_open) {
        line--;
    }
    free(buf);
    if (oom) {
        free(t.ids);
        return zc_fail(ZC_ENOMEM, "text corpus: %s:%ld: out of memory (vocabulary %d words, %ld tokens)",
                       path, line, c->vocab, t.n);
    }
    c->ids[split] = t.ids;
    c->len[split] = t.n;
    c->lines[split] = line;
    return ZC_OK;
}

/* ---- the corpus ---- */

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (p) {
        memcpy(p, dir, a);
        p[a] = '/';
        memcpy(p + a + 1, name, b + 1);
    }
    return p;
}

/* The first candidate file of a split present in dir: *path set (or NULL when none). */
static zc_status find_split(const char *dir, int split, char **path)
{
    static const char *const FORMS[] = {"%s.txt", "ptb.%s.txt", "wiki.%s.tokens", "%s.tokens"};
    *path = NULL;
    for (size_t k = 0; k < sizeof FORMS / sizeof FORMS[0]; k++) {
        char name[32];
        snprintf(name, sizeof name, FORMS[k], SPLIT_NAMES[split]);
        char *p = join(dir, name);
        if (!p) return zc_fail(ZC_ENOMEM, "text corpus: %s: out of memory", dir);
        struct stat st;
        if (stat(p, &st) == 0 && !S_ISDIR(st.st_mode)) {
            *path = p;
            return ZC_OK;
        }
        free(p);
    }
    return ZC_OK;
}

void zc_corpus_free(zc_corpus *c)
{
    if (!c) return;
    for (int i = 0; i < c->vocab; i++) free(c->words[i]);
    free(c->words);
    free(c->word_len);
    free(c->slot_);
    for (int s = 0; s < ZC_SPLIT_COUNT; s++) {
        free(c->ids[s]);
        free(c->file[s]);
    }
    memset(c, 0, sizeof *c);
}

zc_status zc_corpus_load(zc_corpus *c, const char *dir)
{
    if (!c) return zc_fail(ZC_EINVAL, "text corpus: missing corpus argument");
    memset(c, 0, sizeof *c);
    if (!dir || !*dir) return zc_fail(ZC_EINVAL, "text corpus: missing directory");
    struct stat st;
    if (stat(dir, &st) != 0)
        return zc_fail(ZC_EIO, "text corpus: %s: cannot open directory: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return zc_fail(ZC_EINVAL, "text corpus: %s: not a directory (expected the folder holding "
                       "train.txt, valid.txt, test.txt)", dir);

    size_t words_cap = 1024;
    c->words = malloc(words_cap * sizeof *c->words);
    c->word_len = malloc(words_cap * sizeof *c->word_len);
    if (!c->words || !c->word_len || grow_table(c) != 0) {
        zc_corpus_free(c);
        return zc_fail(ZC_ENOMEM, "text corpus: %s: out of memory", dir);
    }
    int present = 0;
    for (int s = 0; s < ZC_SPLIT_COUNT; s++) {
        zc_status stt = find_split(dir, s, &c->file[s]);
        if (stt == ZC_OK && c->file[s]) {
            present++;
            stt = tokenize(c, &words_cap, s, c->file[s]);
        }
        if (stt != ZC_OK) {
            zc_corpus_free(c);
            return stt;
        }
    }
    if (!present) {
        zc_corpus_free(c);
        return zc_fail(ZC_EIO, "text corpus: %s: no split found (looked for {train,valid,test}.txt, "
                       "ptb.{train,valid,test}.txt, wiki.{train,valid,test}.tokens, {train,valid,test}.tokens)",
                       dir);
    }
    return ZC_OK;
}

int zc_corpus_source_split(const zc_corpus *c)
{
    if (!c) return -1;
    for (int s = 0; s < ZC_SPLIT_COUNT; s++)
        if (c->ids[s]) return s;
    return -1;
}

zc_status zc_corpus_windows(const zc_corpus *c, int split, int batch, int seq_len, int n_windows,
                            float *x, int *y)
{
    if (!c || !x) return zc_fail(ZC_EINVAL, "text windows: missing argument");
    if (split < 0 || split >= ZC_SPLIT_COUNT) return zc_fail(ZC_EINVAL, "text windows: bad split %d", split);
    if (!c->ids[split])
        return zc_fail(ZC_EINVAL, "text windows: the corpus has no %s split (no file)", SPLIT_NAMES[split]);
    if (batch <= 0 || seq_len <= 0 || n_windows <= 0)
        return zc_fail(ZC_EINVAL, "text windows: batch %d, seq_len %d, windows %d must all be positive",
                       batch, seq_len, n_windows);
    /* Ids go out as floats: exact only below 2^24. */
    if (c->vocab > (1 << 24))
        return zc_fail(ZC_EUNSUPPORTED, "text windows: vocabulary of %d words exceeds 2^24 (ids as float)",
                       c->vocab);
    long nbatch = c->len[split] / batch;  /* batchify: rows per column, the remainder trimmed */
    long long rows = (long long)n_windows * seq_len + 1;  /* the last window's targets need one row more */
    if (rows > nbatch) {
        const char *f = c->file[split] ? c->file[split] : "?";
        if (rows <= LLONG_MAX / batch)
            return zc_fail(ZC_EDATA, "text windows: %s split (%s) has %ld tokens; %d windows of batch %d x "
                           "seq_len %d need %lld (batch * (windows*seq_len + 1))", SPLIT_NAMES[split], f,
                           c->len[split], n_windows, batch, seq_len, rows * batch);
        return zc_fail(ZC_EDATA, "text windows: %s split (%s) has %ld tokens; %d windows of batch %d x "
                       "seq_len %d need more than %lld", SPLIT_NAMES[split], f, c->len[split], n_windows,
                       batch, seq_len, LLONG_MAX);
    }
    const int32_t *d = c->ids[split];
    size_t o = 0;
    for (long k = 0; k < n_windows; k++)
        for (long b = 0; b < batch; b++) {
            const int32_t *col = d + b * nbatch + k * seq_len;  /* column b from row k*seq_len */
            for (long t = 0; t < seq_len; t++, o++) {
                x[o] = (float)col[t];
                if (y) y[o] = col[t + 1];
            }
        }
    return ZC_OK;
}
