/* Text corpora: tokenization matches PyTorch's data.py Corpus (Python's universal newlines, str.split() on
 * Unicode whitespace, one '<eos>' per line, one dictionary across train/valid/test, ids in order of first
 * appearance); bad UTF-8, missing files and short splits are refused with messages naming the file; the
 * windows follow batchify/get_batch. Expected values below were checked against Python 3.11 running the
 * official tokenize logic. With $ZCNAS_DATA, the real PTB and WikiText-2 corpora are checked too. */
#define _POSIX_C_SOURCE 200809L  /* mkdir for the scratch folders */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "zcnas/text.h"

#define TMP "test_text.tmp"

static void write_file(const char *dir, const char *name, const void *bytes, size_t n) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    if (n && fwrite(bytes, 1, n, f) != n) { perror(path); exit(2); }
    fclose(f);
}
#define WRITE(dir, name, lit) write_file(dir, name, lit, sizeof(lit) - 1)

static const char *const files[] = {"train.txt", "valid.txt", "test.txt", "ptb.train.txt", "ptb.valid.txt",
                                    "ptb.test.txt", "wiki.train.tokens", "wiki.valid.tokens",
                                    "wiki.test.tokens", "train.tokens", "valid.tokens", "test.tokens", "training.txt"};
static const char *const cases[] = {"basic", "unicode", "odd", "long", "badutf8", "none", "notrain", "order", "windows"};

/* A fresh scratch folder TMP/name (files of an earlier run removed). */
static const char *case_dir(const char *name, char *buf, size_t cap) {
    mkdir(TMP, 0777);
    snprintf(buf, cap, TMP "/%s", name);
    mkdir(buf, 0777);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", buf, files[i]);
        remove(p);
    }
    return buf;
}

/* Removes every scratch folder (the long case writes 3 MB). */
static void cleanup(void) {
    char d[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        case_dir(cases[i], d, sizeof d);
        rmdir(d);
    }
    rmdir(TMP);
}

static int msg_has(const char *needle) { return strstr(zc_last_error(), needle) != NULL; }

static int ids_equal(const zc_corpus *c, int split, const int32_t *want, long n) {
    if (!c->ids[split] || c->len[split] != n) return 0;
    for (long i = 0; i < n; i++)
        if (c->ids[split][i] != want[i]) return 0;
    return 1;
}

static int word_is(const zc_corpus *c, int id, const char *w) {
    return id >= 0 && id < c->vocab && strcmp(c->words[id], w) == 0 && c->word_len[id] == strlen(w);
}

/* One dictionary across the splits, ids in order of first appearance; <eos> per line, with empty lines,
 * a last line without a newline, \r\n and lone \r (and \r\r\n = two lines). */
static void test_basic(void) {
    char d[256];
    zc_corpus c;
    case_dir("basic", d, sizeof d);
    WRITE(d, "train.txt", "a b c\nb  d \n");
    WRITE(d, "valid.txt", "d e\n\nf");
    WRITE(d, "test.txt", "a\r\ng\rh\r\r\n  \t");
    CHECK_MSG(zc_corpus_load(&c, d) == ZC_OK, "%s", zc_last_error());
    const char *vocab[] = {"a", "b", "c", "<eos>", "d", "e", "f", "g", "h"};
    CHECK(c.vocab == 9);
    for (int i = 0; i < 9 && i < c.vocab; i++) {
        CHECK_MSG(word_is(&c, i, vocab[i]), "word %d", i);
        CHECK(zc_corpus_word_id(&c, vocab[i]) == i);
    }
    CHECK(zc_corpus_word_id(&c, "zz") == -1 && zc_corpus_word_id(&c, "") == -1 && zc_corpus_word_id(&c, "a ") == -1);
    static const int32_t tr[] = {0, 1, 2, 3, 1, 4, 3};
    static const int32_t va[] = {4, 5, 3, 3, 6, 3};
    static const int32_t te[] = {0, 3, 7, 3, 8, 3, 3, 3};
    CHECK(ids_equal(&c, ZC_SPLIT_TRAIN, tr, 7));
    CHECK(ids_equal(&c, ZC_SPLIT_VALID, va, 6));
    CHECK(ids_equal(&c, ZC_SPLIT_TEST, te, 8));
    CHECK(c.lines[ZC_SPLIT_TRAIN] == 2 && c.lines[ZC_SPLIT_VALID] == 3 && c.lines[ZC_SPLIT_TEST] == 5);
    CHECK(c.file[ZC_SPLIT_TRAIN] && strstr(c.file[ZC_SPLIT_TRAIN], "basic/train.txt"));
    CHECK(zc_corpus_source_split(&c) == ZC_SPLIT_TRAIN);
    CHECK(strcmp(zc_split_name(ZC_SPLIT_VALID), "valid") == 0 && strcmp(zc_split_name(7), "?") == 0);
    zc_corpus_free(&c);
    CHECK(c.vocab == 0 && c.words == NULL && c.ids[0] == NULL);
    zc_corpus_free(&c);  /* twice is harmless */
}

/* str.split(): every Unicode whitespace separates words (U+00A0, U+3000, U+1680, U+205F, U+202F, U+200A,
 * U+0085, \v, \f, \x1c..\x1f), but U+200B and U+FEFF do not, and only \n / \r end a line
 * (U+2028, \x1c, U+0085 do not, unlike str.splitlines). */
static void test_unicode_whitespace(void) {
    char d[256];
    zc_corpus c;
    case_dir("unicode", d, sizeof d);
    WRITE(d, "train.txt", "x\xc2\xa0y\xe3\x80\x80z\t w\x0bv\x1cu\xe2\x80\x8bq \xef\xbb\xbfr\xe1\x9a\x80s\xe2\x81\x9f"
                          "t\xe2\x80\xafo\xe2\x80\x8ap\xc2\x85n\x1fm\xe2\x80\xa8l\x0ck\xe2\x80\xa9j\xe2\x80\x80i\n"
                          "\xc3\xa9t\xc3\xa9 x\xc2\xa0\n");
    CHECK_MSG(zc_corpus_load(&c, d) == ZC_OK, "%s", zc_last_error());
    const char *vocab[] = {"x", "y", "z", "w", "v", "u\xe2\x80\x8bq", "\xef\xbb\xbfr", "s", "t", "o", "p", "n", "m",
                           "l", "k", "j", "i", "<eos>", "\xc3\xa9t\xc3\xa9"};
    CHECK(c.vocab == 19 && c.len[ZC_SPLIT_TRAIN] == 21 && c.lines[ZC_SPLIT_TRAIN] == 2);
    for (int i = 0; i < 19 && i < c.vocab; i++) CHECK_MSG(word_is(&c, i, vocab[i]), "word %d", i);
    CHECK(c.len[ZC_SPLIT_TRAIN] == 21 && c.ids[ZC_SPLIT_TRAIN][19] == 0 && c.ids[ZC_SPLIT_TRAIN][20] == 17);
    CHECK(c.ids[ZC_SPLIT_VALID] == NULL && c.ids[ZC_SPLIT_TEST] == NULL && c.file[ZC_SPLIT_TEST] == NULL);
    zc_corpus_free(&c);
}

/* Absurd but legal input: a 0-byte file (no lines), whitespace-only lines, NUL bytes inside words (distinct
 * from the word without them), a very long word and a very long line. */
static void test_odd_input(void) {
    char d[256];
    zc_corpus c;
    case_dir("odd", d, sizeof d);
    write_file(d, "train.txt", "", 0);
    WRITE(d, "valid.txt", "\n\n \t\n");
    write_file(d, "test.txt", "a\0b a\0\n", 7);
    CHECK_MSG(zc_corpus_load(&c, d) == ZC_OK, "%s", zc_last_error());
    CHECK(c.ids[ZC_SPLIT_TRAIN] != NULL && c.len[ZC_SPLIT_TRAIN] == 0 && c.lines[ZC_SPLIT_TRAIN] == 0);
    CHECK(zc_corpus_source_split(&c) == ZC_SPLIT_TRAIN);  /* present, though empty */
    CHECK(c.len[ZC_SPLIT_VALID] == 3 && c.vocab == 3);
    CHECK(word_is(&c, 0, "<eos>") && c.word_len[1] == 3 && memcmp(c.words[1], "a\0b", 4) == 0 &&
          c.word_len[2] == 2 && memcmp(c.words[2], "a\0", 3) == 0);
    static const int32_t te[] = {1, 2, 0};
    CHECK(ids_equal(&c, ZC_SPLIT_TEST, te, 3));
    CHECK(zc_corpus_word_id(&c, "a") == -1);
    float x[1];
    CHECK(zc_corpus_windows(&c, ZC_SPLIT_TRAIN, 1, 1, 1, x, NULL) == ZC_EDATA && msg_has("0 tokens"));
    zc_corpus_free(&c);

    /* A 3 MB word and a line of 200k words. */
    case_dir("long", d, sizeof d);
    size_t n = 3u << 20;
    char *big = malloc(n + 1);
    memset(big, 'q', n);
    big[n] = '\n';
    write_file(d, "train.txt", big, n + 1);
    free(big);
    size_t words = 200000;
    char *line = malloc(words * 8 + 1), *p = line;
    for (size_t i = 0; i < words; i++) p += sprintf(p, "w%05zu ", i % 50000);
    write_file(d, "valid.txt", line, (size_t)(p - line));  /* no line end */
    free(line);
    clock_t t0 = clock();
    CHECK_MSG(zc_corpus_load(&c, d) == ZC_OK, "%s", zc_last_error());
    CHECK(c.vocab == 2 + 50000 && c.word_len[0] == n && c.len[ZC_SPLIT_TRAIN] == 2);
    CHECK(c.len[ZC_SPLIT_VALID] == (long)words + 1 && c.ids[ZC_SPLIT_VALID][50000] == 2 &&
          c.ids[ZC_SPLIT_VALID][words] == 1 && zc_corpus_word_id(&c, "w49999") == 50001);
    CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
    zc_corpus_free(&c);
}

/* Bytes Python's strict UTF-8 codec refuses: an error naming the file and line. */
static void test_bad_utf8(void) {
    static const struct { const char *bytes; size_t n; } bad[] = {
        {"\xff", 1}, {"\xc0\x80", 2}, {"\xc1\xbf", 2}, {"\xed\xa0\x80", 3}, {"\xe0\x9f\xbf", 3},
        {"\xf0\x8f\xbf\xbf", 4}, {"\xf4\x90\x80\x80", 4}, {"\xf5\x80\x80\x80", 4}, {"\x80", 1}, {"\xe3\x80", 2},
    };
    char d[256];
    zc_corpus c;
    case_dir("badutf8", d, sizeof d);
    WRITE(d, "train.txt", "fine\n");
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char buf[64];
        int n = snprintf(buf, sizeof buf, "ok\r\nfine\rbad ");
        memcpy(buf + n, bad[k].bytes, bad[k].n);  /* the truncated ones end the file */
        write_file(d, "valid.txt", buf, (size_t)n + bad[k].n);
        CHECK_MSG(zc_corpus_load(&c, d) == ZC_EDATA && msg_has("badutf8/valid.txt:3:") && msg_has("UTF-8"),
                  "case %zu: %s", k, zc_last_error());
        CHECK(c.vocab == 0 && c.words == NULL && c.ids[ZC_SPLIT_TRAIN] == NULL);
    }
    /* The largest code points of each length are fine (U+FFFF, U+D7FF, U+10000, U+10FFFF). */
    WRITE(d, "valid.txt", "\xef\xbf\xbf \xed\x9f\xbf \xf0\x90\x80\x80 \xf4\x8f\xbf\xbf");
    CHECK_MSG(zc_corpus_load(&c, d) == ZC_OK && c.vocab == 6, "%s", zc_last_error());
    zc_corpus_free(&c);
}

/* The file names accepted, their precedence, a missing train split, and no split at all. */
static void test_files(void) {
    char d[256];
    zc_corpus c;
    CHECK(zc_corpus_load(&c, TMP "/no_such_dir") == ZC_EIO && msg_has(TMP "/no_such_dir"));
    CHECK(c.vocab == 0 && c.words == NULL);
    case_dir("none", d, sizeof d);
    WRITE(d, "training.txt", "a\n");
    CHECK(zc_corpus_load(&c, d) == ZC_EIO && msg_has(d) && msg_has("ptb.{train,valid,test}.txt") &&
          msg_has("wiki.{train,valid,test}.tokens") && msg_has("no split"));
    CHECK(zc_corpus_load(&c, TMP "/none/training.txt") == ZC_EINVAL && msg_has("not a directory"));

    /* No train split: the vocabulary comes from valid then test; the source split is valid. */
    case_dir("notrain", d, sizeof d);
    WRITE(d, "ptb.valid.txt", "v w\n");
    WRITE(d, "wiki.test.tokens", "w t\n");
    CHECK_MSG(zc_corpus_load(&c, d) == ZC_OK, "%s", zc_last_error());
    CHECK(c.ids[ZC_SPLIT_TRAIN] == NULL && c.file[ZC_SPLIT_TRAIN] == NULL && c.len[ZC_SPLIT_TRAIN] == 0);
    CHECK(c.vocab == 4 && word_is(&c, 2, "<eos>") && word_is(&c, 3, "t"));
    CHECK(c.file[ZC_SPLIT_TEST] && strstr(c.file[ZC_SPLIT_TEST], "wiki.test.tokens"));
    CHECK(zc_corpus_source_split(&c) == ZC_SPLIT_VALID);
    float x[2];
    CHECK(zc_corpus_windows(&c, ZC_SPLIT_TRAIN, 1, 1, 1, x, NULL) == ZC_EINVAL && msg_has("train"));
    CHECK(zc_corpus_windows(&c, ZC_SPLIT_VALID, 1, 1, 2, x, NULL) == ZC_OK && x[0] == 0 && x[1] == 1);
    zc_corpus_free(&c);

    /* Only test present; precedence <split>.txt > ptb. > wiki. > .tokens. */
    case_dir("order", d, sizeof d);
    WRITE(d, "test.tokens", "z\n");
    CHECK(zc_corpus_load(&c, d) == ZC_OK && zc_corpus_source_split(&c) == ZC_SPLIT_TEST && c.vocab == 2);
    zc_corpus_free(&c);
    WRITE(d, "wiki.test.tokens", "y\n");
    CHECK(zc_corpus_load(&c, d) == ZC_OK && word_is(&c, 0, "y"));
    zc_corpus_free(&c);
    WRITE(d, "ptb.test.txt", "x\n");
    CHECK(zc_corpus_load(&c, d) == ZC_OK && word_is(&c, 0, "x"));
    zc_corpus_free(&c);
    WRITE(d, "test.txt", "u\n");
    WRITE(d, "train.tokens", "r\n");
    CHECK(zc_corpus_load(&c, d) == ZC_OK && word_is(&c, 0, "r") && word_is(&c, 2, "u") && c.vocab == 3);
    zc_corpus_free(&c);
}

/* batchify + get_batch on a hand-worked example: 25 tokens with ids 0..24 (24 words and the <eos>),
 * batch 3 -> nbatch 8, the 25th token trimmed, column j = tokens 8j..8j+7; seq_len 3, 2 windows:
 * window k, sample b, step t = token 8b + 3k + t, its target the next one. */
static void test_windows(void) {
    char d[256], text[256];
    zc_corpus c;
    case_dir("windows", d, sizeof d);
    char *p = text;
    for (int i = 0; i < 24; i++) p += sprintf(p, "w%d ", i);
    write_file(d, "train.txt", text, (size_t)(p - text));
    CHECK_MSG(zc_corpus_load(&c, d) == ZC_OK && c.len[ZC_SPLIT_TRAIN] == 25, "%s", zc_last_error());
    float x[64];
    int y[64];
    CHECK_MSG(zc_corpus_windows(&c, ZC_SPLIT_TRAIN, 3, 3, 2, x, y) == ZC_OK, "%s", zc_last_error());
    static const float wx[18] = {0, 1, 2, 8, 9, 10, 16, 17, 18, 3, 4, 5, 11, 12, 13, 19, 20, 21};
    int ok = 1;
    for (int i = 0; i < 18; i++) ok &= x[i] == wx[i] && y[i] == (int)wx[i] + 1;
    CHECK(ok);
    /* The last row of a column is a target only: 8 rows hold 2 windows of 3 (7 rows) but not 1 of 8. */
    CHECK(zc_corpus_windows(&c, ZC_SPLIT_TRAIN, 3, 7, 1, x, NULL) == ZC_OK && x[6] == 6 && x[7] == 8);
    CHECK(zc_corpus_windows(&c, ZC_SPLIT_TRAIN, 3, 8, 1, x, NULL) == ZC_EDATA && msg_has("25 tokens") &&
          msg_has("need 27") && msg_has("windows/train.txt"));
    CHECK(zc_corpus_windows(&c, ZC_SPLIT_TRAIN, 3, 3, 3, x, y) == ZC_EDATA && msg_has("need 30"));
    /* batch 1: the stream itself; batch 25: one row, too short for a target. */
    CHECK(zc_corpus_windows(&c, ZC_SPLIT_TRAIN, 1, 4, 6, x, y) == ZC_OK && x[23] == 23 && y[23] == 24 &&
          x[4] == 4 && y[4] == 5);
    CHECK(zc_corpus_windows(&c, ZC_SPLIT_TRAIN, 25, 1, 1, x, y) == ZC_EDATA);
    CHECK(zc_corpus_windows(&c, ZC_SPLIT_TRAIN, 0, 1, 1, x, y) == ZC_EINVAL);
    CHECK(zc_corpus_windows(&c, ZC_SPLIT_TRAIN, 1, -1, 1, x, y) == ZC_EINVAL);
    CHECK(zc_corpus_windows(&c, 3, 1, 1, 1, x, y) == ZC_EINVAL);
    CHECK(zc_corpus_windows(&c, ZC_SPLIT_TRAIN, 1, 1, 1, NULL, y) == ZC_EINVAL);
    CHECK(zc_corpus_windows(&c, ZC_SPLIT_TRAIN, 2000000000, 2000000000, 2000000000, x, y) == ZC_EDATA);
    zc_corpus_free(&c);
}

/* The real corpora (numbers from Python running data.py's Corpus logic on the same files). */
static void test_real(const char *root) {
    char d[2048];
    zc_corpus c;
    snprintf(d, sizeof d, "%s/text/ptb", root);
    clock_t t0 = clock();
    CHECK_MSG(zc_corpus_load(&c, d) == ZC_OK, "%s", zc_last_error());
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("PTB: vocab %d, tokens %ld / %ld / %ld, loaded in %.3f s\n", c.vocab, c.len[0], c.len[1], c.len[2], secs);
    CHECK(c.vocab == 10000 && c.len[ZC_SPLIT_TRAIN] == 929589 && c.len[ZC_SPLIT_VALID] == 73760 &&
          c.len[ZC_SPLIT_TEST] == 82430);
    CHECK(c.lines[ZC_SPLIT_TRAIN] == 42068 && c.lines[ZC_SPLIT_VALID] == 3370 && c.lines[ZC_SPLIT_TEST] == 3761);
    CHECK(word_is(&c, 0, "aer") && word_is(&c, 9999, "unilab") && zc_corpus_word_id(&c, "<eos>") == 24 &&
          zc_corpus_word_id(&c, "the") == 32 && zc_corpus_word_id(&c, "<unk>") == 26);
    CHECK(c.ids[ZC_SPLIT_VALID] && c.ids[ZC_SPLIT_VALID][0] == 2211 && c.ids[ZC_SPLIT_TEST][0] == 142);
    CHECK(secs < 3.0);  /* ~0.1 s in a release build; generous for sanitizer builds and busy machines */
    zc_corpus_free(&c);

    snprintf(d, sizeof d, "%s/text/wikitext-2", root);
    CHECK_MSG(zc_corpus_load(&c, d) == ZC_OK, "%s", zc_last_error());
    printf("WikiText-2 (valid+test): vocab %d, tokens %ld / %ld\n", c.vocab, c.len[1], c.len[2]);
    CHECK(c.vocab == 18328 && c.ids[ZC_SPLIT_TRAIN] == NULL && c.len[ZC_SPLIT_VALID] == 217646 &&
          c.len[ZC_SPLIT_TEST] == 245569 && zc_corpus_source_split(&c) == ZC_SPLIT_VALID);
    CHECK(word_is(&c, 0, "<eos>") && word_is(&c, 2, "Homarus"));
    zc_corpus_free(&c);
}

int main(void) {
    test_basic();
    test_unicode_whitespace();
    test_odd_input();
    test_bad_utf8();
    test_files();
    test_windows();
    cleanup();
    const char *root = getenv("ZCNAS_DATA");
    if (root && *root) test_real(root);
    else printf("ZCNAS_DATA not set: the real-corpus checks are skipped\n");
    return check_report("test_text");
}
