/* Fuzzes the text-corpus reader (src/data/text_corpus.c, zc_corpus_load, NAS-Bench-NLP's PTB / WikiText
 * loader): the first byte picks which of the train, valid and test splits exist (bits 0-2) and their file
 * names (bits 3-4: <split>.txt, ptb.<split>.txt, wiki.<split>.tokens, <split>.tokens); the rest, cut at
 * 0xFF bytes (never valid UTF-8), is the text of the splits present, in that order. A loaded corpus then
 * gives a batch of windows (zc_corpus_windows).
 * Asserts: a failure leaves an error message and an empty corpus; a loaded corpus has token ids below its
 * vocabulary size, at least one <eos> per line, every word (without NUL bytes) found again under its id,
 * and windows of valid ids when the source split is long enough. */
#include "fuzz_common.h"
#include "zcnas/text.h"

static const char *const SPLITS[3] = {"train", "valid", "test"};
static const char *const FORMS[4] = {"%s.txt", "ptb.%s.txt", "wiki.%s.tokens", "%s.tokens"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[512];
    if (!dir[0]) zcf_mkdir(zcf_path(dir, sizeof dir, "corpus"));
    if (size < 1) return 0;
    int present = data[0] & 7, form = (data[0] >> 3) & 3;
    char path[700], name[40];
    for (int s = 0; s < 3; s++)
        for (int f = 0; f < 4; f++) {
            snprintf(name, sizeof name, FORMS[f], SPLITS[s]);
            snprintf(path, sizeof path, "%s/%s", dir, name);
            unlink(path);
        }
    const uint8_t *p = data + 1, *end = data + size;
    for (int s = 0; s < 3; s++) {
        if (!(present >> s & 1)) continue;
        const uint8_t *cut = memchr(p, 0xFF, (size_t)(end - p));
        if (!cut) cut = end;
        snprintf(name, sizeof name, FORMS[form], SPLITS[s]);
        snprintf(path, sizeof path, "%s/%s", dir, name);
        zcf_write(path, p, (size_t)(cut - p));
        p = cut < end ? cut + 1 : end;
    }

    zc_corpus c;
    zc_clear_error();
    zc_status st = zc_corpus_load(&c, dir);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_corpus_load");
    if (st != ZC_OK) {
        ZCF_CHECK(!c.vocab && !c.words && !c.ids[0] && !c.ids[1] && !c.ids[2], "a failed load leaves a corpus");
        return 0;
    }
    ZCF_CHECK(present && c.vocab >= 0, "loaded with splits %d, vocabulary %d", present, c.vocab);
    int eos = zc_corpus_word_id(&c, "<eos>");
    for (int s = 0; s < 3; s++) {
        ZCF_CHECK(!c.ids[s] == !(present >> s & 1), "split %s: ids %s, file %s", SPLITS[s], c.ids[s] ? "set" : "NULL",
                  present >> s & 1 ? "present" : "absent");
        long n_eos = 0;
        for (long i = 0; c.ids[s] && i < c.len[s]; i++) {
            ZCF_CHECK(c.ids[s][i] >= 0 && c.ids[s][i] < c.vocab, "split %s token %ld: id %d of %d", SPLITS[s], i,
                      c.ids[s][i], c.vocab);
            n_eos += c.ids[s][i] == eos;
        }
        ZCF_CHECK(n_eos >= c.lines[s], "split %s: %ld lines, %ld <eos>", SPLITS[s], c.lines[s], n_eos);
    }
    for (int i = 0; i < c.vocab; i++) {
        if (memchr(c.words[i], 0, c.word_len[i])) continue;
        ZCF_CHECK(strlen(c.words[i]) == c.word_len[i] && zc_corpus_word_id(&c, c.words[i]) == i,
                  "word %d '%.60s' is found as %d", i, c.words[i], zc_corpus_word_id(&c, c.words[i]));
    }
    int src = zc_corpus_source_split(&c);
    ZCF_CHECK(src >= 0 && c.ids[src], "no source split");
    if (c.len[src] >= 2 * (3 + 1)) {
        float x[6];
        int y[6];
        zc_clear_error();
        st = zc_corpus_windows(&c, src, 2, 3, 1, x, y);
        ZCF_CHECK(st == ZC_OK, "%ld tokens make no window of 2 x 3: %s", c.len[src], zc_last_error());
        for (int i = 0; i < 6; i++)
            ZCF_CHECK(x[i] >= 0 && x[i] < c.vocab && x[i] == (float)(int)x[i] && y[i] >= 0 && y[i] < c.vocab,
                      "window token %d: x %g, y %d", i, x[i], y[i]);
    }
    zc_corpus_free(&c);
    return 0;
}
