/* NAS-Bench-NLP recipes: parse / format round trips (the benchmark's recipe_json column byte for byte
 * when $ZCNAS_DATA is set), tolerant but strict parsing, the errors and their messages, topological
 * order, the official generator's constraints on 1000 draws, and mutation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "spaces/nbnlp/recipe.h"
#include "util/util.h"

/* search_space.RecepieGenerator.get_example_recepie('lstm'), as json.dumps(separators=(',', ':')). */
static const char *LSTM =
    "{\"i\":{\"op\":\"linear\",\"input\":[\"x\",\"h_prev_0\"]},\"i_act\":{\"op\":\"activation_tanh\",\"input\":[\"i\"]},"
    "\"j\":{\"op\":\"linear\",\"input\":[\"x\",\"h_prev_0\"]},\"j_act\":{\"op\":\"activation_sigm\",\"input\":[\"j\"]},"
    "\"f\":{\"op\":\"linear\",\"input\":[\"x\",\"h_prev_0\"]},\"f_act\":{\"op\":\"activation_sigm\",\"input\":[\"f\"]},"
    "\"o\":{\"op\":\"linear\",\"input\":[\"x\",\"h_prev_0\"]},\"o_act\":{\"op\":\"activation_tanh\",\"input\":[\"o\"]},"
    "\"h_new_1_part1\":{\"op\":\"elementwise_prod\",\"input\":[\"f_act\",\"h_prev_1\"]},"
    "\"h_new_1_part2\":{\"op\":\"elementwise_prod\",\"input\":[\"i_act\",\"j_act\"]},"
    "\"h_new_1\":{\"op\":\"elementwise_sum\",\"input\":[\"h_new_1_part1\",\"h_new_1_part2\"]},"
    "\"h_new_1_act\":{\"op\":\"activation_tanh\",\"input\":[\"h_new_1\"]},"
    "\"h_new_0\":{\"op\":\"elementwise_prod\",\"input\":[\"h_new_1_act\",\"o_act\"]}}";
/* The same cell with its keys in reverse order. */
static const char *LSTM_REV =
    "{\"h_new_0\":{\"op\":\"elementwise_prod\",\"input\":[\"h_new_1_act\",\"o_act\"]},"
    "\"h_new_1_act\":{\"op\":\"activation_tanh\",\"input\":[\"h_new_1\"]},"
    "\"h_new_1\":{\"op\":\"elementwise_sum\",\"input\":[\"h_new_1_part1\",\"h_new_1_part2\"]},"
    "\"h_new_1_part2\":{\"op\":\"elementwise_prod\",\"input\":[\"i_act\",\"j_act\"]},"
    "\"h_new_1_part1\":{\"op\":\"elementwise_prod\",\"input\":[\"f_act\",\"h_prev_1\"]},"
    "\"o_act\":{\"op\":\"activation_tanh\",\"input\":[\"o\"]},\"o\":{\"op\":\"linear\",\"input\":[\"x\",\"h_prev_0\"]},"
    "\"f_act\":{\"op\":\"activation_sigm\",\"input\":[\"f\"]},\"f\":{\"op\":\"linear\",\"input\":[\"x\",\"h_prev_0\"]},"
    "\"j_act\":{\"op\":\"activation_sigm\",\"input\":[\"j\"]},\"j\":{\"op\":\"linear\",\"input\":[\"x\",\"h_prev_0\"]},"
    "\"i_act\":{\"op\":\"activation_tanh\",\"input\":[\"i\"]},\"i\":{\"op\":\"linear\",\"input\":[\"x\",\"h_prev_0\"]}}";
/* get_example_recepie('gru'): h_new_0 reads h_prev_0 directly, so it fails the generator's sanity check. */
static const char *GRU =
    "{\"r\":{\"op\":\"linear\",\"input\":[\"x\",\"h_prev_0\"]},\"r_act\":{\"op\":\"activation_sigm\",\"input\":[\"r\"]},"
    "\"z\":{\"op\":\"linear\",\"input\":[\"x\",\"h_prev_0\"]},\"z_act\":{\"op\":\"activation_sigm\",\"input\":[\"z\"]},"
    "\"rh\":{\"op\":\"elementwise_prod\",\"input\":[\"r_act\",\"h_prev_0\"]},"
    "\"h_tilde\":{\"op\":\"linear\",\"input\":[\"x\",\"rh\"]},"
    "\"h_tilde_act\":{\"op\":\"activation_tanh\",\"input\":[\"h_tilde\"]},"
    "\"h_new_0\":{\"op\":\"blend\",\"input\":[\"z_act\",\"h_prev_0\",\"h_tilde_act\"]}}";
static const char *RNN = "{\"f\":{\"op\":\"linear\",\"input\":[\"x\",\"h_prev_0\"]},"
                         "\"h_new_0\":{\"op\":\"activation_tanh\",\"input\":[\"f\"]}}";

static int is_zero(const zc_nlp_arch *a)
{
    static const zc_nlp_arch zero;
    return !memcmp(a, &zero, sizeof zero);
}

/* parse -> format gives the text back, and the formatted text parses to the same bytes. */
static void round_trip(const char *json)
{
    zc_nlp_arch a, b;
    char buf[ZC_NLP_JSON_MAX];
    CHECK_MSG(zc_nlp_parse(json, &a) == ZC_OK, "%s: %s", json, zc_last_error());
    CHECK(zc_nlp_format(&a, buf, sizeof buf) == ZC_OK);
    CHECK_MSG(!strcmp(buf, json), "\n%s\n%s", buf, json);
    CHECK(zc_nlp_parse(buf, &b) == ZC_OK && !memcmp(&a, &b, sizeof a));
}

static void test_round_trips(void)
{
    round_trip(RNN);
    round_trip(LSTM);
    round_trip(LSTM_REV);
    round_trip(GRU);
    /* a benchmark row: 3 states, h_new_0 reads h_new_2 */
    round_trip("{\"node_3\":{\"op\":\"linear\",\"input\":[\"h_prev_2\",\"h_prev_1\"]},\"node_5\":{\"op\":\"linear\","
               "\"input\":[\"h_prev_0\",\"h_prev_1\"]},\"h_new_0\":{\"op\":\"linear\",\"input\":[\"h_new_2\",\"x\"]},"
               "\"h_new_1\":{\"op\":\"activation_sigm\",\"input\":[\"node_5\"]},\"h_new_2\":{\"op\":\"activation_tanh\","
               "\"input\":[\"node_3\"]}}");
    /* a dead node is kept; leaky relu, blend, sum; names with . and - */
    round_trip("{\"a.b-c\":{\"op\":\"activation_leaky_relu\",\"input\":[\"h_prev_0\"]},\"dead\":{\"op\":\"elementwise_sum\","
               "\"input\":[\"a.b-c\",\"h_prev_0\"]},\"h_new_0\":{\"op\":\"blend\",\"input\":[\"a.b-c\",\"h_prev_0\",\"g\"]},"
               "\"g\":{\"op\":\"linear\",\"input\":[\"x\",\"h_prev_0\",\"a.b-c\"]}}");

    zc_nlp_arch a;
    CHECK(zc_nlp_parse(LSTM, &a) == ZC_OK && a.n_nodes == 13 && a.hidden == 2);
    CHECK(!strcmp(a.node[0].name, "i") && a.node[0].op == ZC_NLP_LINEAR && a.node[0].n_in == 2 &&
          a.node[0].in[0] == ZC_NLP_X && a.node[0].in[1] == ZC_NLP_HPREV(0));
    CHECK(a.node[8].op == ZC_NLP_PROD && a.node[8].in[0] == 5 && a.node[8].in[1] == ZC_NLP_HPREV(1));
    CHECK(zc_nlp_output(&a, 0) == 12 && zc_nlp_output(&a, 1) == 10 && zc_nlp_output(&a, 2) == -1);
    CHECK(zc_nlp_live(&a) == (1u << 13) - 1 && zc_nlp_sane(&a));
    CHECK(zc_nlp_validate(&a) == ZC_OK);
    CHECK(zc_nlp_parse(GRU, &a) == ZC_OK && a.hidden == 1 && !zc_nlp_sane(&a));

    const char *names[] = {"linear", "blend", "elementwise_prod", "elementwise_sum", "activation_tanh",
                           "activation_sigm", "activation_leaky_relu"};
    for (int op = 0; op < ZC_NLP_OP_COUNT; op++) CHECK(!strcmp(zc_nlp_op_name(op), names[op]));
    CHECK(!strcmp(zc_nlp_op_name(-1), "?") && !strcmp(zc_nlp_op_name(ZC_NLP_OP_COUNT), "?"));

    /* the buffer: exactly the length + 1 fits, one byte less does not */
    char buf[ZC_NLP_JSON_MAX];
    CHECK(zc_nlp_parse(LSTM, &a) == ZC_OK);
    size_t n = strlen(LSTM);
    CHECK(zc_nlp_format(&a, buf, n + 1) == ZC_OK && !strcmp(buf, LSTM));
    CHECK(zc_nlp_format(&a, buf, n) == ZC_EINVAL && buf[0] == '\0' && strstr(zc_last_error(), "bytes"));
    CHECK(zc_nlp_format(&a, NULL, 10) == ZC_EINVAL && zc_nlp_format(NULL, buf, sizeof buf) == ZC_EINVAL);

    /* the largest recipe fits ZC_NLP_JSON_MAX */
    zc_nlp_arch big;
    memset(&big, 0, sizeof big);
    big.n_nodes = ZC_NLP_MAX_NODES;
    big.hidden = 1;
    for (int j = 0; j < ZC_NLP_MAX_NODES; j++) {
        zc_nlp_node *nd = &big.node[j];
        if (j == ZC_NLP_MAX_NODES - 1) snprintf(nd->name, sizeof nd->name, "h_new_0");
        else {
            memset(nd->name, 'a' + j % 26, ZC_NLP_NAME_MAX - 3);   /* 31 bytes, the last two the index */
            nd->name[ZC_NLP_NAME_MAX - 3] = (char)('0' + j / 10);
            nd->name[ZC_NLP_NAME_MAX - 2] = (char)('0' + j % 10);
        }
        nd->op = j < ZC_NLP_MAX_IN + 1 ? ZC_NLP_LEAKY_RELU : ZC_NLP_LINEAR;
        nd->n_in = j < ZC_NLP_MAX_IN + 1 ? 1 : ZC_NLP_MAX_IN;
        nd->in[0] = ZC_NLP_HPREV(0);
        if (j > ZC_NLP_MAX_IN)
            for (int k = 0; k < ZC_NLP_MAX_IN; k++) nd->in[k] = j - 1 - k;
    }
    CHECK_MSG(zc_nlp_validate(&big) == ZC_OK, "%s", zc_last_error());
    CHECK_MSG(zc_nlp_format(&big, buf, sizeof buf) == ZC_OK, "%s", zc_last_error());
    CHECK(zc_nlp_parse(buf, &a) == ZC_OK && !memcmp(&a, &big, sizeof a));
}

static void test_tolerant_parsing(void)
{
    zc_nlp_arch a, b;
    const char *pretty =
        " \r\n{ \"f\" :\t{ \"input\" : [ \"x\" ,\n \"h_prev_0\" ] , \"op\" : \"linear\" } ,\n"
        "  \"h_new_0\": {\"op\": \"activation_tanh\", \"input\": [\"f\"]}\n}\r\n";
    CHECK(zc_nlp_parse(RNN, &a) == ZC_OK);
    CHECK_MSG(zc_nlp_parse(pretty, &b) == ZC_OK, "%s", zc_last_error());
    CHECK(!memcmp(&a, &b, sizeof a));
    /* escapes decode to the same names */
    const char *esc = "{\"\\u0066\":{\"op\":\"lin\\u0065ar\",\"input\":[\"\\u0078\",\"h_prev\\u005f0\"]},"
                      "\"h_new_0\":{\"op\":\"activation_tanh\",\"input\":[\"\\/f\"]}}";
    CHECK(zc_nlp_parse(esc, &b) == ZC_EINVAL && strstr(zc_last_error(), "/f"));   /* '/' is no name character */
    esc = "{\"\\u0066\":{\"op\":\"lin\\u0065ar\",\"input\":[\"\\u0078\",\"h_prev\\u005f0\"]},"
          "\"h_new_0\":{\"op\":\"activation_tanh\",\"input\":[\"f\"]}}";
    CHECK_MSG(zc_nlp_parse(esc, &b) == ZC_OK && !memcmp(&a, &b, sizeof a), "%s", zc_last_error());
}

static void test_topo_order(void)
{
    zc_nlp_arch a;
    int order[ZC_NLP_MAX_NODES];
    CHECK(zc_nlp_parse(LSTM, &a) == ZC_OK);
    zc_nlp_topo_order(&a, order);
    for (int j = 0; j < a.n_nodes; j++) CHECK(order[j] == j);   /* already in evaluation order */
    /* reversed keys: the first ready node in key order each time */
    static const int want[] = {6, 5, 8, 7, 4, 10, 9, 12, 11, 3, 2, 1, 0};
    CHECK(zc_nlp_parse(LSTM_REV, &a) == ZC_OK && a.n_nodes == 13);
    zc_nlp_topo_order(&a, order);
    for (int j = 0; j < 13; j++) CHECK_MSG(order[j] == want[j], "position %d: %d, want %d", j, order[j], want[j]);
    CHECK(!strcmp(a.node[order[0]].name, "o") && !strcmp(a.node[order[12]].name, "h_new_0"));
}

/* Each text is refused with ZC_EINVAL, a one-line message containing `needle`, and a zeroed recipe. */
static void refused(const char *json, const char *needle)
{
    zc_nlp_arch a;
    memset(&a, 0x55, sizeof a);
    zc_clear_error();
    zc_status st = zc_nlp_parse(json, &a);
    const char *msg = zc_last_error();
    CHECK_MSG(st == ZC_EINVAL && strstr(msg, needle) && !strchr(msg, '\n') && is_zero(&a),
              "%s -> %d '%s' (want '%s')", json ? json : "(null)", (int)st, msg, needle);
}

#define NODE(name, op, inputs) "\"" name "\":{\"op\":\"" op "\",\"input\":[" inputs "]}"
#define OUT0 NODE("h_new_0", "activation_tanh", "\"f\"")

static void test_errors(void)
{
    /* semantic errors name the node */
    refused("{" NODE("f", "conv", "\"x\"") "," OUT0 "}", "node 'f': unknown op 'conv' at byte");
    refused("{" NODE("f", "linear", "\"q\"") "," OUT0 "}", "node 'f': input 'q' is not defined");
    refused("{" NODE("f", "linear", "\"x\"") "," NODE("g", "elementwise_prod", "\"f\",\"f\",\"f\"") ","
            NODE("h_new_0", "activation_tanh", "\"g\"") "}", "node 'g': elementwise_prod takes 2 inputs, got 3");
    refused("{" NODE("f", "linear", "\"x\"") "," NODE("g", "elementwise_sum", "\"f\"") ","
            NODE("h_new_0", "activation_tanh", "\"g\"") "}", "node 'g': elementwise_sum takes 2 inputs, got 1");
    refused("{" NODE("g", "blend", "\"h_prev_0\",\"h_prev_0\"") "," NODE("h_new_0", "activation_tanh", "\"g\"") "}",
            "node 'g': blend takes 3 inputs, got 2");
    refused("{" NODE("g", "activation_sigm", "\"h_prev_0\",\"h_prev_0\"") ","
            NODE("h_new_0", "activation_tanh", "\"g\"") "}", "node 'g': activation_sigm takes 1 input, got 2");
    refused("{" NODE("a", "activation_tanh", "\"b\"") "," NODE("b", "activation_tanh", "\"a\"") ","
            NODE("h_new_0", "linear", "\"x\",\"a\"") "}", "cycle through node 'a'");
    refused("{" NODE("a", "activation_tanh", "\"a\"") "," NODE("h_new_0", "linear", "\"x\",\"a\"") "}",
            "cycle through node 'a'");
    refused("{" NODE("f", "linear", "\"x\"") "}", "no 'h_new_0' node");
    refused("{}", "no 'h_new_0' node");
    refused("{" NODE("f", "linear", "\"x\"") "," OUT0 "," NODE("h_new_2", "activation_tanh", "\"f\"") "}",
            "missing h_new_1 (h_new_2 exists)");
    refused("{" NODE("f", "linear", "\"x\"") "," NODE("h_new_01", "activation_tanh", "\"f\"") "}",
            "missing h_new_0 (h_new_01 exists)");
    refused("{" NODE("f", "linear", "\"x\"") "," OUT0 "," NODE("h_new_9", "activation_tanh", "\"f\"") "}",
            "node 'h_new_9': a hidden tuple of 10 states, at most 8");
    refused("{" NODE("f", "linear", "\"x\",\"h_prev_3\"") "," OUT0 "," NODE("h_new_1", "activation_tanh", "\"f\"") "}",
            "node 'f': h_prev_3 used but the hidden tuple has 2 states");
    refused("{" NODE("f", "linear", "\"x\",\"h_prev_01\"") "," OUT0 "}", "node 'f': input 'h_prev_01' is not defined");
    refused("{" NODE("f", "linear", "\"x\"") "," NODE("f", "linear", "\"x\"") "," OUT0 "}", "duplicate node 'f'");
    refused("{" NODE("x", "linear", "\"h_prev_0\"") "," OUT0 "}", "node 'x' at byte 1: x and h_prev_*");
    refused("{" NODE("h_prev_1", "linear", "\"x\"") "," OUT0 "}", "node 'h_prev_1' at byte 1");
    refused("{" NODE("abcdefghijabcdefghijabcdefghijXY", "linear", "\"x\"") "," OUT0 "}",
            "node name 'abcdefghijabcdefghijabcdefghijXY' is longer than 31 bytes");
    refused("{" NODE("f g", "linear", "\"x\"") "," OUT0 "}", "node name 'f g' has a character outside");
    refused("{" NODE("f\\u0001", "linear", "\"x\"") "," OUT0 "}", "node name 'f?' has a character outside");
    refused("{" NODE("", "linear", "\"x\"") "," OUT0 "}", "empty node name");
    refused("{" NODE("f", "linear", "\"x y\"") "," OUT0 "}", "node 'f': input name 'x y' has a character");
    refused("{" NODE("f", "linear", "\"x\",\"a\",\"b\",\"c\",\"d\",\"e\",\"g\",\"i\",\"j\"") "," OUT0 "}",
            "node 'f': too many inputs (at most 8)");
    refused("{" NODE("f", "linear", "") "," OUT0 "}", "node 'f': empty input list");
    refused("{" NODE("f", "linear", "\"x\"") "," NODE("g", "elementwise_sum", "\"f\",\"x\"") ","
            NODE("h_new_0", "activation_tanh", "\"g\"") "}", "node 'g': x feeds elementwise_sum");
    refused("{" NODE("h_new_0", "activation_tanh", "\"x\"") "}", "node 'h_new_0': x feeds activation_tanh");
    /* 25 nodes */
    char many[4096] = "{", name[16];
    for (int j = 0; j < ZC_NLP_MAX_NODES; j++) {
        snprintf(name, sizeof name, "n%d", j);
        snprintf(many + strlen(many), sizeof many - strlen(many), "\"%s\":{\"op\":\"linear\",\"input\":[\"x\"]},", name);
    }
    strcat(many, OUT0 "}");
    refused(many, "too many nodes: 'h_new_0' at byte");

    /* malformed JSON: what was expected and where */
    refused(NULL, "NULL");
    refused("", "expected '{' (a recipe is a JSON object of nodes) at byte 0, got the end of the text");
    refused("   ", "at byte 3");
    refused("[]", "expected '{' (a recipe is a JSON object of nodes) at byte 0, got '['");
    refused("{\"f\" {", "node 'f': expected ':' after the node name at byte 5, got '{'");
    refused("{\"f\":[]}", "node 'f': expected '{' (the node's");
    refused("{\"f\":{}}", "node 'f': expected \"op\" and \"input\"");
    refused("{\"f\":{\"op\":\"linear\"}," OUT0 "}", "node 'f': no \"input\"");
    refused("{\"f\":{\"input\":[\"x\"]}," OUT0 "}", "node 'f': no \"op\"");
    refused("{\"f\":{\"op\":\"linear\",\"op\":\"linear\",\"input\":[\"x\"]}," OUT0 "}", "node 'f': duplicate key \"op\"");
    refused("{\"f\":{\"op\":\"linear\",\"input\":[\"x\"],\"bias\":true}," OUT0 "}", "node 'f': unexpected key 'bias'");
    refused("{\"f\":{\"op\":3,\"input\":[\"x\"]}," OUT0 "}", "node 'f': expected the op name (a string) at byte 11");
    refused("{\"f\":{\"op\":\"linear\",\"input\":[\"x\" \"y\"]}," OUT0 "}", "node 'f': expected ',' or ']'");
    refused("{\"f\":{\"op\":\"linear\",\"input\":\"x\"}," OUT0 "}", "node 'f': expected '[' (the input list)");
    refused("{\"f\":{\"op\":\"linear\",\"input\":[\"x\"]}" OUT0 "}", "expected ',' or '}' after a node at byte");
    refused("{\"f\":{\"op\":\"linear\",\"input\":[\"x\"]},}", "expected a node name (a string)");
    refused("{\"f\":{\"op\":\"lin", "node 'f': unterminated string at byte 11");
    refused("{\"f\":{\"op\":\"linear\",\"input\":[\"x\"]}," OUT0, "expected ',' or '}' after a node");
    refused("{\"f\":{\"op\":\"linear\",\"input\":[\"x\"]}," OUT0 "}}", "trailing text at byte");
    refused("{\"f\":{\"op\":\"linear\",\"input\":[\"x\"]}," OUT0 "} x", "trailing text");
    refused("{\"f\":{\"op\":\"line\nar\",\"input\":[\"x\"]}," OUT0 "}", "node 'f': expected a printable character");
    refused("{\"f\":{\"op\":\"\\q\",\"input\":[\"x\"]}," OUT0 "}", "node 'f': expected an escape");
    refused("{\"f\":{\"op\":\"\\u00e9\",\"input\":[\"x\"]}," OUT0 "}", "node 'f': expected an ASCII character");
    refused("{\"f\":{\"op\":\"\\u12\",\"input\":[\"x\"]}," OUT0 "}", "node 'f': expected 4 hex digits");
    refused("{\"f\":{\"op\":\"linear\xc3\xa9\",\"input\":[\"x\"]}," OUT0 "}", "node 'f': unknown op 'linear?" "?'");

    zc_nlp_arch a;
    CHECK(zc_nlp_parse(RNN, NULL) == ZC_EINVAL);
    /* huge: a megabyte of whitespace, then a recipe; a megabyte-long name */
    size_t big = 1 << 20;
    char *s = malloc(big + 200);
    if (!s) return;
    memset(s, ' ', big);
    strcpy(s + big, RNN);
    CHECK(zc_nlp_parse(s, &a) == ZC_OK);
    s[0] = '{';
    s[1] = '"';
    memset(s + 2, 'a', big);
    strcpy(s + big, "\":{}}");
    refused(s, "is longer than 31 bytes");
    free(s);
}

/* Random bytes and corrupted recipes: never a crash; whatever parses, formats and parses back equal. */
static void test_fuzz(void)
{
    zc_rng rng;
    zc_rng_seed(&rng, 7, 0);
    char buf[2048], out[ZC_NLP_JSON_MAX];
    zc_nlp_arch a, b;
    int ok = 0;
    const char *seeds[] = {RNN, LSTM, GRU, LSTM_REV};
    for (int t = 0; t < 20000; t++) {
        size_t n;
        if (t % 10 == 0) {   /* binary */
            n = 1 + zc_rng_below(&rng, 200);
            for (size_t i = 0; i < n; i++) buf[i] = (char)(1 + zc_rng_below(&rng, 255));
        } else {             /* a few byte edits of a valid recipe */
            const char *src = seeds[t % 4];
            n = strlen(src);
            memcpy(buf, src, n);
            int edits = 1 + (int)zc_rng_below(&rng, 3);
            for (int e = 0; e < edits && n > 2; e++) {
                size_t at = zc_rng_below(&rng, n);
                static const char alphabet[] = "{}[]\":, x_0123hnewprevabcdfijo\\u";
                char c = alphabet[zc_rng_below(&rng, sizeof alphabet - 1)];
                switch (zc_rng_below(&rng, 3)) {
                case 0: buf[at] = c; break;
                case 1: memmove(buf + at, buf + at + 1, n - at - 1); n--; break;
                default: memmove(buf + at + 1, buf + at, n - at); buf[at] = c; n++; break;
                }
            }
        }
        buf[n] = '\0';
        if (zc_nlp_parse(buf, &a) != ZC_OK) {
            CHECK(is_zero(&a) && zc_last_error()[0] && !strchr(zc_last_error(), '\n'));
            continue;
        }
        ok++;
        CHECK(zc_nlp_format(&a, out, sizeof out) == ZC_OK);
        CHECK(zc_nlp_parse(out, &b) == ZC_OK && !memcmp(&a, &b, sizeof a));
        CHECK(zc_nlp_validate(&a) == ZC_OK);
    }
    CHECK_MSG(ok > 20, "%d parsed", ok);   /* some edits (whitespace, renames) keep a valid recipe (71 of 18000) */
}

/* What every generated recipe satisfies (search_space.py with its defaults). */
static void check_generated(const zc_nlp_arch *a)
{
    CHECK(zc_nlp_validate(a) == ZC_OK);
    CHECK(a->hidden == 2 && a->n_nodes >= 2 && a->n_nodes <= 10);
    CHECK(zc_nlp_sane(a));
    CHECK(zc_nlp_live(a) == (1u << a->n_nodes) - 1);   /* redundant nodes removed */
    CHECK(!strcmp(a->node[a->n_nodes - 2].name, "h_new_0") && !strcmp(a->node[a->n_nodes - 1].name, "h_new_1"));
    int last = -1;
    for (int j = 0; j < a->n_nodes - 2; j++) {
        int id;
        char tail;
        CHECK(sscanf(a->node[j].name, "node_%d%c", &id, &tail) == 1 && id > last && id < 10);
        last = id;
    }
    for (int j = 0; j < a->n_nodes; j++) {
        const zc_nlp_node *nd = &a->node[j];
        if (nd->op == ZC_NLP_LINEAR) {
            CHECK(nd->n_in == 2 || nd->n_in == 3);
            for (int k = 0; k < nd->n_in; k++) {   /* x, h_prev_* or activation nodes */
                int u = nd->in[k];
                CHECK(u < 0 || (a->node[u].op >= ZC_NLP_TANH));
            }
        }
        for (int k = 0; k < nd->n_in; k++)
            for (int l = 0; l < k; l++) CHECK(nd->in[k] != nd->in[l]);   /* drawn without replacement */
    }
}

static void test_random(void)
{
    zc_rng rng;
    zc_rng_seed(&rng, 42, 1);
    char buf[ZC_NLP_JSON_MAX];
    int ops[ZC_NLP_OP_COUNT] = {0}, sizes[11] = {0}, lin3 = 0;
    for (int t = 0; t < 1000; t++) {
        zc_nlp_arch a, b;
        zc_nlp_random(&rng, &a);
        check_generated(&a);
        CHECK(zc_nlp_format(&a, buf, sizeof buf) == ZC_OK);
        CHECK_MSG(zc_nlp_parse(buf, &b) == ZC_OK && !memcmp(&a, &b, sizeof a), "%s: %s", buf, zc_last_error());
        sizes[a.n_nodes]++;
        for (int j = 0; j < a.n_nodes; j++) {
            ops[a.node[j].op]++;
            lin3 += a.node[j].op == ZC_NLP_LINEAR && a.node[j].n_in == 3;
        }
    }
    for (int op = 0; op < ZC_NLP_OP_COUNT; op++) CHECK_MSG(ops[op] > 0, "no %s drawn", zc_nlp_op_name(op));
    CHECK(lin3 > 0 && ops[ZC_NLP_LINEAR] > ops[ZC_NLP_BLEND]);
    int kinds = 0;
    for (int n = 0; n <= 10; n++) kinds += sizes[n] > 0;
    CHECK(kinds >= 4);
    /* the same seed, the same recipes */
    zc_rng r1, r2;
    zc_nlp_arch a1, a2;
    zc_rng_seed(&r1, 5, 3);
    zc_rng_seed(&r2, 5, 3);
    for (int t = 0; t < 20; t++) {
        zc_nlp_random(&r1, &a1);
        zc_nlp_random(&r2, &a2);
        CHECK(!memcmp(&a1, &a2, sizeof a1));
    }
}

/* A child: valid, sane, different, round-trips, names and order kept, no live node killed. */
static void check_child(const zc_nlp_arch *p, const zc_nlp_arch *c, int *kind_seen)
{
    char buf[ZC_NLP_JSON_MAX];
    zc_nlp_arch b;
    CHECK_MSG(zc_nlp_validate(c) == ZC_OK, "%s", zc_last_error());
    CHECK(zc_nlp_sane(c) && memcmp(p, c, sizeof *c) && c->n_nodes == p->n_nodes && c->hidden == p->hidden);
    CHECK((zc_nlp_live(p) & ~zc_nlp_live(c)) == 0);
    CHECK(zc_nlp_format(c, buf, sizeof buf) == ZC_OK && zc_nlp_parse(buf, &b) == ZC_OK && !memcmp(&b, c, sizeof b));
    int changed = 0;
    for (int j = 0; j < p->n_nodes; j++) {
        const zc_nlp_node *x = &p->node[j], *y = &c->node[j];
        CHECK(!strcmp(x->name, y->name));
        if (memcmp(x, y, sizeof *x)) {
            changed++;
            if (x->op != y->op && x->n_in == y->n_in) kind_seen[y->op >= ZC_NLP_TANH ? 0 : 1]++;   /* act / prod<->sum */
            else if (x->op != y->op) kind_seen[2]++;                                               /* blend <-> ew */
            else if (x->n_in != y->n_in) kind_seen[3]++;                                           /* linear fan-in */
            else kind_seen[4]++;                                                                    /* rewire */
        }
    }
    CHECK(changed == 1);
}

static void test_mutate(void)
{
    zc_rng rng;
    zc_rng_seed(&rng, 3, 2);
    int kind_seen[5] = {0};
    for (int t = 0; t < 300; t++) {
        zc_nlp_arch p, c;
        zc_nlp_random(&rng, &p);
        for (int step = 0; step < 10; step++) {   /* chains stay in the space */
            CHECK_MSG(zc_nlp_mutate(&p, &rng, &c) == ZC_OK, "%s", zc_last_error());
            check_child(&p, &c, kind_seen);
            p = c;
        }
    }
    for (int k = 0; k < 5; k++) CHECK_MSG(kind_seen[k] > 0, "mutation kind %d never seen", k);

    /* parsed parents, the GRU example (insane: the child must fix it) included; child may be parent */
    const char *parents[] = {RNN, LSTM, LSTM_REV, GRU};
    for (int i = 0; i < 4; i++) {
        zc_nlp_arch p, c;
        CHECK(zc_nlp_parse(parents[i], &p) == ZC_OK);
        for (int t = 0; t < 50; t++) {
            CHECK_MSG(zc_nlp_mutate(&p, &rng, &c) == ZC_OK, "%s: %s", parents[i], zc_last_error());
            check_child(&p, &c, kind_seen);
        }
        c = p;
        CHECK(zc_nlp_mutate(&c, &rng, &c) == ZC_OK && memcmp(&c, &p, sizeof c));
    }

    /* no single change works: ZC_EINVAL with a message, the child untouched */
    zc_nlp_arch p, c;
    CHECK(zc_nlp_parse("{\"h_new_0\":{\"op\":\"linear\",\"input\":[\"x\",\"h_prev_0\"]}}", &p) == ZC_OK);
    memset(&c, 0x33, sizeof c);
    zc_nlp_arch before = c;
    CHECK(zc_nlp_mutate(&p, &rng, &c) == ZC_EINVAL && strstr(zc_last_error(), "mutation") &&
          !memcmp(&c, &before, sizeof c));
    /* an invalid parent */
    p.node[0].n_in = 0;
    CHECK(zc_nlp_mutate(&p, &rng, &c) == ZC_EINVAL && strstr(zc_last_error(), "h_new_0"));
    CHECK(zc_nlp_mutate(NULL, &rng, &c) == ZC_EINVAL);
}

/* The benchmark's 345 recipes ($ZCNAS_DATA/benchmarks/nbnlp_wikitext2_logs.csv, recipe_json column). */
static void test_benchmark_csv(void)
{
    const char *root = getenv("ZCNAS_DATA");
    if (!root || !*root) {
        printf("test_nbnlp_recipe: ZCNAS_DATA unset, benchmark recipes skipped\n");
        return;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/benchmarks/nbnlp_wikitext2_logs.csv", root);
    FILE *f = fopen(path, "r");
    CHECK_MSG(f != NULL, "cannot open %s", path);
    if (!f) return;
    char *line = NULL, *fields[32], out[ZC_NLP_JSON_MAX];
    size_t cap = 0;
    int col = -1, rows = 0, same = 0, hidden[4] = {0};
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (!len) continue;
        int nf = zci_csv_split(line, fields, 32);
        CHECK(nf > 0 && nf <= 32);
        if (nf <= 0 || nf > 32) continue;
        if (col < 0) {
            for (int i = 0; i < nf; i++) if (!strcmp(fields[i], "recipe_json")) col = i;
            CHECK(col >= 0);
            if (col < 0) break;
            continue;
        }
        CHECK(nf > col);
        if (nf <= col) continue;
        rows++;
        zc_nlp_arch a;
        if (zc_nlp_parse(fields[col], &a) != ZC_OK) {
            CHECK_MSG(0, "row %d: %s", rows, zc_last_error());
            continue;
        }
        if (a.hidden >= 1 && a.hidden <= 3) hidden[a.hidden]++;
        CHECK(zc_nlp_format(&a, out, sizeof out) == ZC_OK);
        if (!strcmp(out, fields[col])) same++;
        else CHECK_MSG(0, "row %d:\n%s\n%s", rows, fields[col], out);
    }
    free(line);
    fclose(f);
    CHECK_MSG(rows == 345 && same == 345, "%d rows, %d byte-exact", rows, same);
    CHECK(hidden[1] + hidden[2] + hidden[3] == 345 && hidden[3] > 0);
}

int main(void)
{
    test_round_trips();
    test_tolerant_parsing();
    test_topo_order();
    test_errors();
    test_fuzz();
    test_random();
    test_mutate();
    test_benchmark_csv();
    return check_report("test_nbnlp_recipe");
}
