/* NAS-Bench-NLP recipes: a strict reader of the benchmark's recipe JSON, the compact writer
 * (json.dumps(..., separators=(',', ':'))), validity as custom_rnn.CustomRNNCell needs it, the
 * search_space.RecepieGenerator sampler and a single-node mutation. */
#include <stdio.h>
#include <string.h>
#include "spaces/nbnlp/recipe.h"

static const char *const op_names[ZC_NLP_OP_COUNT] = {
    "linear", "blend", "elementwise_prod", "elementwise_sum",
    "activation_tanh", "activation_sigm", "activation_leaky_relu"};

const char *zc_nlp_op_name(int op) { return op >= 0 && op < ZC_NLP_OP_COUNT ? op_names[op] : "?"; }

static int is_act(int op) { return op == ZC_NLP_TANH || op == ZC_NLP_SIGM || op == ZC_NLP_LEAKY_RELU; }
static int is_ew(int op) { return op == ZC_NLP_PROD || op == ZC_NLP_SUM; }

/* Inputs an op takes: exactly `lo` when lo == hi, else at least lo. */
static void arity(int op, int *lo, int *hi)
{
    if (op == ZC_NLP_LINEAR) { *lo = 1; *hi = ZC_NLP_MAX_IN; }
    else if (op == ZC_NLP_BLEND) *lo = *hi = 3;
    else if (is_ew(op)) *lo = *hi = 2;
    else *lo = *hi = 1;
}

static int name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

/* A printable copy of user text for messages (one line, bounded). */
static const char *shown(const char *s, size_t n, char *out, size_t size)
{
    size_t w = 0, lim = size - 4;
    for (size_t i = 0; i < n && w < lim; i++) {
        unsigned char c = (unsigned char)s[i];
        out[w++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (n > w && w == lim) { out[w++] = '.'; out[w++] = '.'; out[w++] = '.'; }
    out[w] = '\0';
    return out;
}

/* s == prefix followed by decimal digits: 1 and *idx (saturated at 1000000) when so. */
static int suffix_index(const char *s, const char *prefix, int *idx)
{
    size_t pl = strlen(prefix);
    if (strncmp(s, prefix, pl)) return 0;
    const char *d = s + pl;
    if (!*d) return 0;
    long v = 0;
    for (; *d; d++) {
        if (*d < '0' || *d > '9') return 0;
        v = v * 10 + (*d - '0');
        if (v > 1000000) v = 1000000;
    }
    *idx = (int)v;
    return 1;
}

/* The canonical spelling prefix<i> (no leading zeros), as format writes it. */
static int canonical_index(const char *s, const char *prefix, int *idx)
{
    if (!suffix_index(s, prefix, idx)) return 0;
    char buf[ZC_NLP_NAME_MAX + 16];
    snprintf(buf, sizeof buf, "%s%d", prefix, *idx);
    return !strcmp(buf, s);
}

int zc_nlp_output(const zc_nlp_arch *a, int i)
{
    if (!a || i < 0 || i >= ZC_NLP_MAX_HIDDEN) return -1;
    char want[16];
    snprintf(want, sizeof want, "h_new_%d", i);
    for (int j = 0; j < a->n_nodes && j < ZC_NLP_MAX_NODES; j++)
        if (!strcmp(a->node[j].name, want)) return j;
    return -1;
}

/* ---- validity ---------------------------------------------------------------------------- */

/* DFS over inputs; 0 white, 1 on the stack, 2 done. Returns the node closing a cycle, or -1. */
static int cycle_from(const zc_nlp_arch *a, int v, unsigned char *color)
{
    color[v] = 1;
    const zc_nlp_node *nd = &a->node[v];
    for (int k = 0; k < nd->n_in; k++) {
        int u = nd->in[k];
        if (u < 0) continue;
        if (color[u] == 1) return u;
        if (color[u] == 0) {
            int c = cycle_from(a, u, color);
            if (c >= 0) return c;
        }
    }
    color[v] = 2;
    return -1;
}

/* The structural checks shared by parse, validate and mutate: 0, or -1 with a message in msg. */
static int check_arch(const zc_nlp_arch *a, char *msg, size_t size)
{
    if (a->n_nodes < 1 || a->n_nodes > ZC_NLP_MAX_NODES) {
        snprintf(msg, size, "%d nodes (1 to %d)", a->n_nodes, ZC_NLP_MAX_NODES);
        return -1;
    }
    if (a->hidden < 1 || a->hidden > ZC_NLP_MAX_HIDDEN) {
        snprintf(msg, size, "hidden tuple size %d (1 to %d)", a->hidden, ZC_NLP_MAX_HIDDEN);
        return -1;
    }
    for (int i = 0; i < a->hidden; i++)
        if (zc_nlp_output(a, i) < 0) {
            snprintf(msg, size, "missing h_new_%d (the hidden tuple has %d states)", i, a->hidden);
            return -1;
        }
    for (int j = 0; j < a->n_nodes; j++) {
        const zc_nlp_node *nd = &a->node[j];
        if (nd->op < 0 || nd->op >= ZC_NLP_OP_COUNT) {
            snprintf(msg, size, "node '%s': unknown op %d", nd->name, nd->op);
            return -1;
        }
        int lo, hi;
        arity(nd->op, &lo, &hi);
        if (nd->n_in == 0) {
            snprintf(msg, size, "node '%s': empty input list (%s takes %d)", nd->name, op_names[nd->op], lo);
            return -1;
        }
        if (nd->n_in < lo || nd->n_in > hi) {
            if (lo == hi)
                snprintf(msg, size, "node '%s': %s takes %d input%s, got %d", nd->name, op_names[nd->op], lo,
                         lo == 1 ? "" : "s", nd->n_in);
            else
                snprintf(msg, size, "node '%s': %s takes %d to %d inputs, got %d", nd->name, op_names[nd->op],
                         lo, hi, nd->n_in);
            return -1;
        }
        for (int k = 0; k < nd->n_in; k++) {
            int u = nd->in[k];
            if (u == ZC_NLP_X) {
                if (nd->op != ZC_NLP_LINEAR) {
                    snprintf(msg, size, "node '%s': x feeds %s; the layer input x (another width than the "
                             "hidden state) may only feed linear nodes", nd->name, op_names[nd->op]);
                    return -1;
                }
            } else if (u < 0) {
                int h = -2 - u;
                if (h >= a->hidden) {
                    snprintf(msg, size, "node '%s': h_prev_%d used but the hidden tuple has %d state%s", nd->name,
                             h, a->hidden, a->hidden == 1 ? "" : "s");
                    return -1;
                }
            } else if (u >= a->n_nodes) {
                snprintf(msg, size, "node '%s': input %d is not a node (%d nodes)", nd->name, u, a->n_nodes);
                return -1;
            }
        }
    }
    unsigned char color[ZC_NLP_MAX_NODES] = {0};
    for (int j = 0; j < a->n_nodes; j++)
        if (color[j] == 0) {
            int c = cycle_from(a, j, color);
            if (c >= 0) {
                snprintf(msg, size, "cycle through node '%s'", a->node[c].name);
                return -1;
            }
        }
    return 0;
}

zc_status zc_nlp_validate(const zc_nlp_arch *a)
{
    char msg[256];
    if (!a) return zc_fail(ZC_EINVAL, "recipe: NULL");
    if (check_arch(a, msg, sizeof msg)) return zc_fail(ZC_EINVAL, "recipe: %s", msg);
    return ZC_OK;
}

void zc_nlp_topo_order(const zc_nlp_arch *a, int *order)
{
    int n = a->n_nodes < 0 ? 0 : a->n_nodes > ZC_NLP_MAX_NODES ? ZC_NLP_MAX_NODES : a->n_nodes;
    unsigned char done[ZC_NLP_MAX_NODES] = {0};
    for (int w = 0; w < n; w++) {
        int pick = -1;
        for (int j = 0; j < n && pick < 0; j++) {
            if (done[j]) continue;
            int ready = 1;
            for (int k = 0; k < a->node[j].n_in && ready; k++) {
                int u = a->node[j].in[k];
                if (u >= 0 && u < n && !done[u]) ready = 0;
            }
            if (ready) pick = j;
        }
        if (pick < 0)   /* a cycle (invalid recipe): the rest in key order rather than looping */
            for (int j = 0; j < n && pick < 0; j++) if (!done[j]) pick = j;
        done[pick] = 1;
        order[w] = pick;
    }
}

uint32_t zc_nlp_live(const zc_nlp_arch *a)
{
    uint32_t live = 0;
    int q[ZC_NLP_MAX_NODES], nq = 0;
    for (int i = 0; i < a->hidden && i < ZC_NLP_MAX_HIDDEN; i++) {
        int o = zc_nlp_output(a, i);
        if (o >= 0 && !(live >> o & 1)) { live |= 1u << o; q[nq++] = o; }
    }
    for (int h = 0; h < nq; h++) {
        const zc_nlp_node *nd = &a->node[q[h]];
        for (int k = 0; k < nd->n_in && k < ZC_NLP_MAX_IN; k++) {
            int u = nd->in[k];
            if (u >= 0 && u < a->n_nodes && !(live >> u & 1)) { live |= 1u << u; q[nq++] = u; }
        }
    }
    return live;
}

int zc_nlp_sane(const zc_nlp_arch *a)
{
    uint32_t live = zc_nlp_live(a);
    int base_seen = 0;   /* bit 0: x, bit 1 + i: h_prev_i */
    for (int j = 0; j < a->n_nodes; j++) {
        if (!(live >> j & 1)) continue;
        for (int k = 0; k < a->node[j].n_in; k++) {
            int u = a->node[j].in[k];
            if (u == ZC_NLP_X) base_seen |= 1;
            else if (u < 0 && -2 - u < ZC_NLP_MAX_HIDDEN) base_seen |= 1 << (-1 - u);
        }
    }
    if (base_seen != (1 << (a->hidden + 1)) - 1) return 0;
    for (int i = 0; i < a->hidden; i++) {
        int o = zc_nlp_output(a, i);
        if (o < 0) return 0;
        for (int k = 0; k < a->node[o].n_in; k++)
            if (a->node[o].in[k] <= ZC_NLP_HPREV(0)) return 0;
    }
    return 1;
}

/* ---- JSON reader ------------------------------------------------------------------------- */

typedef struct reader {
    const char *s;
    size_t pos;
    const char *node;   /* the node being read, for messages; NULL at the top level */
} reader;

static void skip_ws(reader *r)
{
    while (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' || r->s[r->pos] == '\n' || r->s[r->pos] == '\r') r->pos++;
}

static zc_status expected(reader *r, const char *what)
{
    char got[24];
    unsigned char c = (unsigned char)r->s[r->pos];
    if (!c) snprintf(got, sizeof got, "the end of the text");
    else if (c >= 0x20 && c < 0x7f) snprintf(got, sizeof got, "'%c'", (char)c);
    else snprintf(got, sizeof got, "byte 0x%02x", c);
    if (r->node)
        return zc_fail(ZC_EINVAL, "recipe: node '%s': expected %s at byte %zu, got %s", r->node, what, r->pos, got);
    return zc_fail(ZC_EINVAL, "recipe: expected %s at byte %zu, got %s", what, r->pos, got);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A JSON string (at its opening quote) decoded into out[size]; *len is the full decoded length
 * (out holds the first size - 1 bytes). Only ASCII escapes: no recipe name or op needs more. */
static zc_status read_string(reader *r, const char *what, char *out, size_t size, size_t *len)
{
    skip_ws(r);
    if (r->s[r->pos] != '"') return expected(r, what);
    size_t start = r->pos++, n = 0;
    for (;;) {
        unsigned char c = (unsigned char)r->s[r->pos];
        int v;
        if (!c) {
            r->pos = start;
            return zc_fail(ZC_EINVAL, "recipe: %s%s%sunterminated string at byte %zu", r->node ? "node '" : "",
                           r->node ? r->node : "", r->node ? "': " : "", start);
        }
        if (c < 0x20) return expected(r, "a printable character in the string");
        if (c == '"') { r->pos++; break; }
        if (c == '\\') {
            char e = r->s[r->pos + 1];
            r->pos++;
            switch (e) {
            case '"': v = '"'; break;
            case '\\': v = '\\'; break;
            case '/': v = '/'; break;
            case 'b': v = '\b'; break;
            case 'f': v = '\f'; break;
            case 'n': v = '\n'; break;
            case 'r': v = '\r'; break;
            case 't': v = '\t'; break;
            case 'u':
                v = 0;
                for (size_t k = 1; k <= 4; k++) {
                    int h = hexval(r->s[r->pos + k]);
                    if (h < 0) { r->pos += k; return expected(r, "4 hex digits after \\u"); }
                    v = v * 16 + h;
                }
                r->pos += 4;
                if (v >= 0x80) {
                    r->pos -= 5;
                    return expected(r, "an ASCII character (names and ops are ASCII)");
                }
                break;
            default: return expected(r, "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
            }
            r->pos++;
        } else {
            v = c;
            r->pos++;
        }
        if (n + 1 < size) out[n] = (char)v;
        n++;
    }
    out[n + 1 < size ? n : size - 1] = '\0';
    *len = n;
    return ZC_OK;
}

/* A node or input name: [A-Za-z0-9_.-], 1 to ZC_NLP_NAME_MAX - 1 bytes. */
static zc_status check_name(reader *r, const char *what, const char *s, size_t n)
{
    char sh[48];
    if (n == 0) return r->node ? zc_fail(ZC_EINVAL, "recipe: node '%s': empty %s", r->node, what)
                               : zc_fail(ZC_EINVAL, "recipe: empty %s before byte %zu", what, r->pos);
    if (n >= ZC_NLP_NAME_MAX)
        return r->node ? zc_fail(ZC_EINVAL, "recipe: node '%s': %s '%s' is longer than %d bytes", r->node, what,
                                 shown(s, n, sh, sizeof sh), ZC_NLP_NAME_MAX - 1)
                       : zc_fail(ZC_EINVAL, "recipe: %s '%s' is longer than %d bytes", what,
                                 shown(s, n, sh, sizeof sh), ZC_NLP_NAME_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if (!name_char((unsigned char)s[i]))
            return r->node ? zc_fail(ZC_EINVAL, "recipe: node '%s': %s '%s' has a character outside [A-Za-z0-9_.-]",
                                     r->node, what, shown(s, n, sh, sizeof sh))
                           : zc_fail(ZC_EINVAL, "recipe: %s '%s' has a character outside [A-Za-z0-9_.-]", what,
                                     shown(s, n, sh, sizeof sh));
    return ZC_OK;
}

/* The node object after its key: {"op": "...", "input": [...]} in either order. */
static zc_status read_node(reader *r, zc_nlp_node *nd, char in_names[][ZC_NLP_NAME_MAX])
{
    char buf[64], sh[48];
    size_t len;
    int have_op = 0, have_in = 0;
    zc_status st;
    skip_ws(r);
    if (r->s[r->pos] != '{') return expected(r, "'{' (the node's {\"op\": ..., \"input\": [...]})");
    r->pos++;
    skip_ws(r);
    if (r->s[r->pos] == '}') return expected(r, "\"op\" and \"input\"");
    for (;;) {
        size_t kpos = (skip_ws(r), r->pos);
        if ((st = read_string(r, "\"op\" or \"input\"", buf, sizeof buf, &len))) return st;
        int is_op = len == 2 && !strcmp(buf, "op"), is_in = len == 5 && !strcmp(buf, "input");
        if (!is_op && !is_in)
            return zc_fail(ZC_EINVAL, "recipe: node '%s': unexpected key '%s' at byte %zu (only \"op\" and \"input\")",
                           r->node, shown(buf, len < sizeof buf ? len : sizeof buf - 1, sh, sizeof sh), kpos);
        if ((is_op && have_op) || (is_in && have_in))
            return zc_fail(ZC_EINVAL, "recipe: node '%s': duplicate key \"%s\" at byte %zu", r->node, buf, kpos);
        skip_ws(r);
        if (r->s[r->pos] != ':') return expected(r, "':'");
        r->pos++;
        if (is_op) {
            size_t vpos = (skip_ws(r), r->pos);
            if ((st = read_string(r, "the op name (a string)", buf, sizeof buf, &len))) return st;
            int op = -1;
            for (int k = 0; k < ZC_NLP_OP_COUNT && len < sizeof buf; k++)
                if (!strcmp(buf, op_names[k])) op = k;
            if (op < 0)
                return zc_fail(ZC_EINVAL, "recipe: node '%s': unknown op '%s' at byte %zu (linear, blend, "
                               "elementwise_prod, elementwise_sum, activation_tanh, activation_sigm, "
                               "activation_leaky_relu)", r->node,
                               shown(buf, len < sizeof buf ? len : sizeof buf - 1, sh, sizeof sh), vpos);
            nd->op = op;
            have_op = 1;
        } else {
            skip_ws(r);
            if (r->s[r->pos] != '[') return expected(r, "'[' (the input list)");
            r->pos++;
            skip_ws(r);
            if (r->s[r->pos] == ']') r->pos++;
            else
                for (;;) {
                    if (nd->n_in == ZC_NLP_MAX_IN)
                        return zc_fail(ZC_EINVAL, "recipe: node '%s': too many inputs (at most %d)", r->node,
                                       ZC_NLP_MAX_IN);
                    if ((st = read_string(r, "an input name (a string)", buf, sizeof buf, &len))) return st;
                    if ((st = check_name(r, "input name", buf, len))) return st;
                    memcpy(in_names[nd->n_in++], buf, len + 1);
                    skip_ws(r);
                    if (r->s[r->pos] == ']') { r->pos++; break; }
                    if (r->s[r->pos] != ',') return expected(r, "',' or ']' in the input list");
                    r->pos++;
                }
            have_in = 1;
        }
        skip_ws(r);
        if (r->s[r->pos] == '}') { r->pos++; break; }
        if (r->s[r->pos] != ',') return expected(r, "',' or '}'");
        r->pos++;
    }
    if (!have_op) return zc_fail(ZC_EINVAL, "recipe: node '%s': no \"op\"", r->node);
    if (!have_in) return zc_fail(ZC_EINVAL, "recipe: node '%s': no \"input\"", r->node);
    return ZC_OK;
}

static zc_status parse(const char *json, zc_nlp_arch *a)
{
    char in_names[ZC_NLP_MAX_NODES][ZC_NLP_MAX_IN][ZC_NLP_NAME_MAX];
    reader r = {json, 0, NULL};
    zc_status st;
    char buf[64], sh[48];
    size_t len;

    skip_ws(&r);
    if (json[r.pos] != '{') return expected(&r, "'{' (a recipe is a JSON object of nodes)");
    r.pos++;
    skip_ws(&r);
    if (json[r.pos] == '}') r.pos++;
    else
        for (;;) {
            size_t kpos = (skip_ws(&r), r.pos);
            if ((st = read_string(&r, "a node name (a string)", buf, sizeof buf, &len))) return st;
            if ((st = check_name(&r, "node name", buf, len))) return st;
            if (!strcmp(buf, "x") || !strncmp(buf, "h_prev_", 7))
                return zc_fail(ZC_EINVAL, "recipe: node '%s' at byte %zu: x and h_prev_* are the cell's inputs, "
                               "not node names", buf, kpos);
            for (int j = 0; j < a->n_nodes; j++)
                if (!strcmp(a->node[j].name, buf))
                    return zc_fail(ZC_EINVAL, "recipe: duplicate node '%s' at byte %zu", buf, kpos);
            if (a->n_nodes == ZC_NLP_MAX_NODES)
                return zc_fail(ZC_EINVAL, "recipe: too many nodes: '%s' at byte %zu would be node %d, at most %d",
                               buf, kpos, ZC_NLP_MAX_NODES + 1, ZC_NLP_MAX_NODES);
            zc_nlp_node *nd = &a->node[a->n_nodes];
            memcpy(nd->name, buf, len + 1);
            skip_ws(&r);
            r.node = nd->name;
            if (json[r.pos] != ':') return expected(&r, "':' after the node name");
            r.pos++;
            if ((st = read_node(&r, nd, in_names[a->n_nodes]))) return st;
            r.node = NULL;
            a->n_nodes++;
            skip_ws(&r);
            if (json[r.pos] == '}') { r.pos++; break; }
            if (json[r.pos] != ',') return expected(&r, "',' or '}' after a node");
            r.pos++;
        }
    skip_ws(&r);
    if (json[r.pos])
        return zc_fail(ZC_EINVAL, "recipe: trailing text at byte %zu after the recipe: '%s'", r.pos,
                       shown(json + r.pos, strnlen(json + r.pos, 16), sh, 24));

    /* The hidden size as custom_rnn counts it: keys h_new_<digits>. */
    int hidden = 0, top = -1;
    for (int j = 0; j < a->n_nodes; j++) {
        int idx;
        if (suffix_index(a->node[j].name, "h_new_", &idx) && idx + 1 > hidden) { hidden = idx + 1; top = j; }
    }
    if (hidden == 0)
        return zc_fail(ZC_EINVAL, "recipe: no 'h_new_0' node (the cell's outputs are h_new_0, h_new_1, ...)");
    if (hidden > ZC_NLP_MAX_HIDDEN)
        return zc_fail(ZC_EINVAL, "recipe: node '%s': a hidden tuple of %d states, at most %d", a->node[top].name,
                       hidden, ZC_NLP_MAX_HIDDEN);
    a->hidden = hidden;
    for (int i = 0; i < hidden; i++)
        if (zc_nlp_output(a, i) < 0)
            return zc_fail(ZC_EINVAL, "recipe: missing h_new_%d (%s exists)", i, a->node[top].name);

    /* Inputs: x, h_prev_<i> (canonical spelling) or a key. */
    for (int j = 0; j < a->n_nodes; j++) {
        zc_nlp_node *nd = &a->node[j];
        for (int k = 0; k < nd->n_in; k++) {
            const char *nm = in_names[j][k];
            int ref = -1000000, idx;
            if (!strcmp(nm, "x")) ref = ZC_NLP_X;
            else if (canonical_index(nm, "h_prev_", &idx)) {
                if (idx >= hidden)
                    return zc_fail(ZC_EINVAL, "recipe: node '%s': %s used but the hidden tuple has %d state%s",
                                   nd->name, nm, hidden, hidden == 1 ? "" : "s");
                ref = ZC_NLP_HPREV(idx);
            } else
                for (int i = 0; i < a->n_nodes; i++)
                    if (!strcmp(a->node[i].name, nm)) ref = i;
            if (ref == -1000000)
                return zc_fail(ZC_EINVAL, "recipe: node '%s': input '%s' is not defined (x, h_prev_0..h_prev_%d or "
                               "a node)", nd->name, nm, hidden - 1);
            nd->in[k] = ref;
        }
    }
    char msg[256];
    if (check_arch(a, msg, sizeof msg)) return zc_fail(ZC_EINVAL, "recipe: %s", msg);
    return ZC_OK;
}

zc_status zc_nlp_parse(const char *json, zc_nlp_arch *a)
{
    if (!a) return zc_fail(ZC_EINVAL, "recipe: NULL output");
    memset(a, 0, sizeof *a);
    if (!json) return zc_fail(ZC_EINVAL, "recipe: NULL text");
    zc_status st = parse(json, a);
    if (st) memset(a, 0, sizeof *a);   /* never a half-read recipe */
    return st;
}

/* ---- writer ------------------------------------------------------------------------------ */

typedef struct writer { char *buf; size_t size, len; } writer;

static void put(writer *w, const char *s)
{
    size_t n = strlen(s);
    if (w->len < w->size) {
        size_t room = w->size - w->len;
        memcpy(w->buf + w->len, s, n < room ? n : room);
    }
    w->len += n;
}

zc_status zc_nlp_format(const zc_nlp_arch *a, char *buf, size_t size)
{
    if (!buf || !size) return zc_fail(ZC_EINVAL, "recipe: no output buffer");
    buf[0] = '\0';
    if (!a) return zc_fail(ZC_EINVAL, "recipe: NULL");
    if (a->n_nodes < 0 || a->n_nodes > ZC_NLP_MAX_NODES)
        return zc_fail(ZC_EINVAL, "recipe: %d nodes (at most %d)", a->n_nodes, ZC_NLP_MAX_NODES);
    for (int j = 0; j < a->n_nodes; j++) {
        const zc_nlp_node *nd = &a->node[j];
        if (nd->op < 0 || nd->op >= ZC_NLP_OP_COUNT || nd->n_in < 0 || nd->n_in > ZC_NLP_MAX_IN ||
            !memchr(nd->name, 0, sizeof nd->name))
            return zc_fail(ZC_EINVAL, "recipe: node %d is malformed", j);
    }
    writer w = {buf, size, 0};
    char tmp[ZC_NLP_NAME_MAX + 16];
    put(&w, "{");
    for (int j = 0; j < a->n_nodes; j++) {
        const zc_nlp_node *nd = &a->node[j];
        snprintf(tmp, sizeof tmp, "%s\"%s\":{\"op\":\"", j ? "," : "", nd->name);
        put(&w, tmp);
        put(&w, op_names[nd->op]);
        put(&w, "\",\"input\":[");
        for (int k = 0; k < nd->n_in; k++) {
            int u = nd->in[k];
            if (u >= a->n_nodes || u < ZC_NLP_HPREV(ZC_NLP_MAX_HIDDEN - 1)) {
                buf[0] = '\0';
                return zc_fail(ZC_EINVAL, "recipe: node '%s': input reference %d out of range", nd->name, u);
            }
            if (u == ZC_NLP_X) snprintf(tmp, sizeof tmp, "%s\"x\"", k ? "," : "");
            else if (u < 0) snprintf(tmp, sizeof tmp, "%s\"h_prev_%d\"", k ? "," : "", -2 - u);
            else snprintf(tmp, sizeof tmp, "%s\"%s\"", k ? "," : "", a->node[u].name);
            put(&w, tmp);
        }
        put(&w, "]}");
    }
    put(&w, "}");
    if (w.len + 1 > size) {
        buf[0] = '\0';
        return zc_fail(ZC_EINVAL, "recipe: the JSON needs %zu bytes, the buffer has %zu", w.len + 1, size);
    }
    buf[w.len] = '\0';
    return ZC_OK;
}

/* ---- generator --------------------------------------------------------------------------- */

/* k distinct uniform picks (in a uniform random order, as numpy's choice(replace=False)) from c[n]. */
static void pick_distinct(zc_rng *rng, int *c, int n, int k, int *out)
{
    for (int i = 0; i < k; i++) {
        int j = i + (int)zc_rng_below(rng, (uint64_t)(n - i));
        int t = c[i]; c[i] = c[j]; c[j] = t;
        out[i] = c[i];
    }
}

#define GEN_HIDDEN 2
#define GEN_VERTICES 7

/* One draw of generate_random_recepie: 1 and *a when the sanity check passes. */
static int random_once(zc_rng *rng, zc_nlp_arch *a)
{
    /* Nodes by creation index; inputs are ZC_NLP_X / ZC_NLP_HPREV(i) / creation indices. */
    zc_nlp_node g[GEN_HIDDEN + GEN_VERTICES + 1];
    int n = 0, acts[GEN_HIDDEN + GEN_VERTICES + 1], n_acts = 0, cand[GEN_HIDDEN + GEN_VERTICES + 4];
    memset(g, 0, sizeof g);
    while (n < GEN_HIDDEN + GEN_VERTICES) {
        int r = (int)zc_rng_below(rng, 6);   /* linear 3 : blend 1 : prod 1 : sum 1 */
        if (r < 3) {
            int k = zc_rng_below(rng, 5) < 4 ? 2 : 3, nc = 0;   /* 2 connections : 3 = 4 : 1 */
            cand[nc++] = ZC_NLP_X;
            for (int i = 0; i < GEN_HIDDEN; i++) cand[nc++] = ZC_NLP_HPREV(i);
            for (int i = 0; i < n_acts; i++) cand[nc++] = acts[i];
            if (k > nc) k = nc;
            g[n].op = ZC_NLP_LINEAR;
            g[n].n_in = k;
            pick_distinct(rng, cand, nc, k, g[n].in);
            n++;
            /* the forced activation may exceed the vertex budget by one, as in the official loop */
            g[n].op = ZC_NLP_TANH + (int)zc_rng_below(rng, 3);
            g[n].n_in = 1;
            g[n].in[0] = n - 1;
            acts[n_acts++] = n;
            n++;
        } else {
            int op = r == 3 ? ZC_NLP_BLEND : r == 4 ? ZC_NLP_PROD : ZC_NLP_SUM, k = r == 3 ? 3 : 2, nc = 0;
            for (int i = 0; i < GEN_HIDDEN; i++) cand[nc++] = ZC_NLP_HPREV(i);
            for (int i = 0; i < n; i++) cand[nc++] = i;
            if (k > nc) continue;
            g[n].op = op;
            g[n].n_in = k;
            pick_distinct(rng, cand, nc, k, g[n].in);
            n++;
        }
    }
    /* _create_hidden_nodes: two distinct nodes become h_new_0, h_new_1, appended to the key order. */
    int h0 = (int)zc_rng_below(rng, (uint64_t)n), h1 = (int)zc_rng_below(rng, (uint64_t)(n - 1));
    if (h1 >= h0) h1++;
    int key_order[GEN_HIDDEN + GEN_VERTICES + 1], nk = 0;
    for (int i = 0; i < n; i++)
        if (i != h0 && i != h1) key_order[nk++] = i;
    key_order[nk++] = h0;
    key_order[nk++] = h1;
    /* _remove_redundant_nodes: keep what feeds an output. */
    unsigned live = 1u << h0 | 1u << h1;
    for (int i = n - 1; i >= 0; i--)   /* inputs have lower creation indices */
        if (live >> i & 1)
            for (int k = 0; k < g[i].n_in; k++)
                if (g[i].in[k] >= 0) live |= 1u << g[i].in[k];
    int index_of[GEN_HIDDEN + GEN_VERTICES + 1];
    memset(a, 0, sizeof *a);
    for (int t = 0; t < nk; t++) {
        int i = key_order[t];
        index_of[i] = -1;
        if (live >> i & 1) index_of[i] = a->n_nodes++;
    }
    a->hidden = GEN_HIDDEN;
    for (int t = 0; t < nk; t++) {
        int i = key_order[t];
        if (index_of[i] < 0) continue;
        zc_nlp_node *nd = &a->node[index_of[i]];
        if (i == h0) snprintf(nd->name, sizeof nd->name, "h_new_0");
        else if (i == h1) snprintf(nd->name, sizeof nd->name, "h_new_1");
        else snprintf(nd->name, sizeof nd->name, "node_%d", i);
        nd->op = g[i].op;
        nd->n_in = g[i].n_in;
        for (int k = 0; k < g[i].n_in; k++) nd->in[k] = g[i].in[k] >= 0 ? index_of[g[i].in[k]] : g[i].in[k];
    }
    return zc_nlp_sane(a);
}

void zc_nlp_random(zc_rng *rng, zc_nlp_arch *a)
{
    while (!random_once(rng, a)) {}
}

/* ---- mutation ---------------------------------------------------------------------------- */

/* Random draws before the exhaustive fallback (overridable to exercise the fallback). */
#ifndef ZC_NLP_MUTATE_TRIES
#define ZC_NLP_MUTATE_TRIES 1000
#endif

enum { MV_ACT, MV_EW_SWAP, MV_BLEND_TO_EW, MV_EW_TO_BLEND, MV_REWIRE, MV_LIN_ADD, MV_LIN_DROP, MV_KINDS };

/* One change: kind, node, slot (input position) and val (an op or an input reference). */
typedef struct move { int kind, node, slot, val; } move;

static int reads(const zc_nlp_node *nd, int ref)
{
    for (int k = 0; k < nd->n_in; k++) if (nd->in[k] == ref) return 1;
    return 0;
}

/* A new input for node nd: not already read, x only into linear nodes, not the node itself. */
static int new_input_ok(const zc_nlp_arch *a, int j, int ref)
{
    const zc_nlp_node *nd = &a->node[j];
    if (ref == j || ref >= a->n_nodes || ref < ZC_NLP_HPREV(a->hidden - 1)) return 0;
    if (ref == ZC_NLP_X && nd->op != ZC_NLP_LINEAR) return 0;
    return !reads(nd, ref);
}

/* Applies m to a copy of p in c: 0 when the move is well-formed for p (validity is checked apart). */
static int apply_move(const zc_nlp_arch *p, const move *m, zc_nlp_arch *c)
{
    if (m->node < 0 || m->node >= p->n_nodes) return -1;
    const zc_nlp_node *nd = &p->node[m->node];
    *c = *p;
    zc_nlp_node *cn = &c->node[m->node];
    switch (m->kind) {
    case MV_ACT:
        if (!is_act(nd->op) || !is_act(m->val) || m->val == nd->op) return -1;
        cn->op = m->val;
        return 0;
    case MV_EW_SWAP:
        if (!is_ew(nd->op) || !is_ew(m->val) || m->val == nd->op) return -1;
        cn->op = m->val;
        return 0;
    case MV_BLEND_TO_EW:
        if (nd->op != ZC_NLP_BLEND || nd->n_in != 3 || !is_ew(m->val) || m->slot < 0 || m->slot >= 3) return -1;
        cn->op = m->val;
        for (int k = m->slot; k < 2; k++) cn->in[k] = cn->in[k + 1];
        cn->in[2] = 0;
        cn->n_in = 2;
        return 0;
    case MV_EW_TO_BLEND:
        if (!is_ew(nd->op) || nd->n_in != 2 || m->slot < 0 || m->slot > 2 || !new_input_ok(p, m->node, m->val))
            return -1;
        cn->op = ZC_NLP_BLEND;
        for (int k = 2; k > m->slot; k--) cn->in[k] = cn->in[k - 1];
        cn->in[m->slot] = m->val;
        cn->n_in = 3;
        return 0;
    case MV_REWIRE:
        if (m->slot < 0 || m->slot >= nd->n_in || !new_input_ok(p, m->node, m->val)) return -1;
        cn->in[m->slot] = m->val;
        return 0;
    case MV_LIN_ADD:
        if (nd->op != ZC_NLP_LINEAR || nd->n_in >= 3 || m->slot != nd->n_in || !new_input_ok(p, m->node, m->val))
            return -1;
        cn->in[cn->n_in++] = m->val;
        return 0;
    case MV_LIN_DROP:
        if (nd->op != ZC_NLP_LINEAR || nd->n_in <= 2 || m->slot < 0 || m->slot >= nd->n_in) return -1;
        for (int k = m->slot; k + 1 < nd->n_in; k++) cn->in[k] = cn->in[k + 1];
        cn->in[--cn->n_in] = 0;
        return 0;
    default: return -1;
    }
}

static int child_ok(const zc_nlp_arch *p, uint32_t parent_live, const zc_nlp_arch *c)
{
    char msg[256];
    if (!memcmp(p, c, sizeof *c) || check_arch(c, msg, sizeof msg) || !zc_nlp_sane(c)) return 0;
    return (parent_live & ~zc_nlp_live(c)) == 0;   /* no node live in the parent dies */
}

/* A uniform reference among x, h_prev_* and the nodes (validity is checked later). */
static int random_ref(const zc_nlp_arch *a, zc_rng *rng)
{
    return (int)zc_rng_below(rng, (uint64_t)(a->n_nodes + a->hidden + 1)) - 1 - a->hidden;
}

static void random_move(const zc_nlp_arch *a, zc_rng *rng, move *m)
{
    int kinds[3], nk = 0;
    m->node = (int)zc_rng_below(rng, (uint64_t)a->n_nodes);
    const zc_nlp_node *nd = &a->node[m->node];
    if (is_act(nd->op)) kinds[nk++] = MV_ACT;
    if (is_ew(nd->op)) { kinds[nk++] = MV_EW_SWAP; kinds[nk++] = MV_EW_TO_BLEND; }
    if (nd->op == ZC_NLP_BLEND) kinds[nk++] = MV_BLEND_TO_EW;
    if (nd->op == ZC_NLP_LINEAR) kinds[nk++] = nd->n_in < 3 ? MV_LIN_ADD : MV_LIN_DROP;
    kinds[nk++] = MV_REWIRE;
    m->kind = kinds[zc_rng_below(rng, (uint64_t)nk)];
    m->slot = nd->n_in > 0 ? (int)zc_rng_below(rng, (uint64_t)nd->n_in) : 0;
    switch (m->kind) {
    case MV_ACT: m->val = ZC_NLP_TANH + (nd->op - ZC_NLP_TANH + 1 + (int)zc_rng_below(rng, 2)) % 3; break;
    case MV_EW_SWAP: m->val = nd->op == ZC_NLP_PROD ? ZC_NLP_SUM : ZC_NLP_PROD; break;
    case MV_BLEND_TO_EW: m->val = zc_rng_below(rng, 2) ? ZC_NLP_SUM : ZC_NLP_PROD; break;
    case MV_EW_TO_BLEND: m->slot = (int)zc_rng_below(rng, 3); m->val = random_ref(a, rng); break;
    case MV_LIN_ADD: m->slot = nd->n_in; m->val = random_ref(a, rng); break;
    case MV_LIN_DROP: m->val = 0; break;
    default: m->val = random_ref(a, rng); break;
    }
}

/* The exhaustive fallback: counts the valid children of every move in a fixed order; with pick >= 0,
 * stores the pick-th in *out and stops there. */
static int for_each_valid(const zc_nlp_arch *a, uint32_t live, int pick, zc_nlp_arch *out)
{
    int count = 0;
    zc_nlp_arch c;
    for (int j = 0; j < a->n_nodes; j++)
        for (int kind = 0; kind < MV_KINDS; kind++)
            for (int slot = 0; slot <= 3 || slot < ZC_NLP_MAX_IN; slot++)
                for (int val = ZC_NLP_HPREV(a->hidden - 1); val < a->n_nodes || val < ZC_NLP_OP_COUNT; val++) {
                    move m = {kind, j, slot, val};
                    if (apply_move(a, &m, &c) || !child_ok(a, live, &c)) continue;
                    if (count++ == pick) { *out = c; return count; }
                }
    return count;
}

zc_status zc_nlp_mutate(const zc_nlp_arch *a, zc_rng *rng, zc_nlp_arch *child)
{
    if (!a || !rng || !child) return zc_fail(ZC_EINVAL, "recipe mutation: NULL argument");
    char msg[256];
    if (check_arch(a, msg, sizeof msg)) return zc_fail(ZC_EINVAL, "recipe mutation: invalid parent: %s", msg);
    zc_nlp_arch p = *a, c;
    uint32_t live = zc_nlp_live(&p);
    for (int t = 0; t < ZC_NLP_MUTATE_TRIES; t++) {
        move m = {0, 0, 0, 0};
        random_move(&p, rng, &m);
        if (apply_move(&p, &m, &c) || !child_ok(&p, live, &c)) continue;
        *child = c;
        return ZC_OK;
    }
    int n = for_each_valid(&p, live, -1, &c);
    if (n == 0)
        return zc_fail(ZC_EINVAL, "recipe mutation: no single-node change of this %d-node recipe is valid, passes "
                       "the generator's sanity check and keeps every live node live", p.n_nodes);
    for_each_valid(&p, live, (int)zc_rng_below(rng, (uint64_t)n), &c);
    *child = c;
    return ZC_OK;
}
