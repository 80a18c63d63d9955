/* NAS-Bench-101 cell specs: strings, pruning (model_spec.ModelSpec._prune), validity
 * (api._check_spec), the graph hash (graph_util.hash_module), vertex channels
 * (model_builder.compute_vertex_channels), and the API's random and mutated specs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spaces/nb101/nb101.h"
#include "util/util.h"

static const char *const op_names[] = {"conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3", "input", "output"};

const char *zc_nb101_op_name(int op) { return op >= 0 && op <= ZC_NB101_OUTPUT ? op_names[op] : "?"; }

static int has_edge(const uint8_t *adj, int i, int j) { return (adj[i] >> j) & 1; }

int zc_nb101_edges(const zc_nb101_spec *s)
{
    int e = 0;
    for (int i = 0; i < s->n; i++)
        for (int j = i + 1; j < s->n; j++) e += has_edge(s->adj, i, j);
    return e;
}

/* Keeps the vertices reachable from the input that also reach the output, in their order. */
static int prune_raw(int n, const uint8_t *adj, const uint8_t *ops, zc_nb101_spec *out)
{
    int from_in = 1, to_out = 1 << (n - 1);
    for (int i = 0; i < n; i++)   /* edges go forward: one pass in vertex order */
        if ((from_in >> i) & 1)
            for (int j = i + 1; j < n; j++) if (has_edge(adj, i, j)) from_in |= 1 << j;
    for (int j = n - 1; j >= 0; j--)
        if ((to_out >> j) & 1)
            for (int i = 0; i < j; i++) if (has_edge(adj, i, j)) to_out |= 1 << i;
    int keep = from_in & to_out;
    if (!(keep & 1) || !((keep >> (n - 1)) & 1)) return -1;   /* no input -> output path */
    int map[ZC_NB101_MAX_V], m = 0;
    for (int i = 0; i < n; i++) map[i] = (keep >> i) & 1 ? m++ : -1;
    memset(out, 0, sizeof *out);
    out->n = (uint8_t)m;
    for (int i = 0; i < n; i++) {
        if (map[i] < 0) continue;
        out->ops[map[i]] = ops[i];
        for (int j = i + 1; j < n; j++)
            if (map[j] >= 0 && has_edge(adj, i, j)) out->adj[map[i]] |= (uint8_t)(1 << map[j]);
    }
    return 0;
}

int zc_nb101_prune(int n, const uint8_t *adj, const uint8_t *ops, zc_nb101_spec *out)
{
    if (n < 2 || n > ZC_NB101_MAX_V || prune_raw(n, adj, ops, out) != 0) return -1;
    return zc_nb101_edges(out) <= ZC_NB101_MAX_EDGES ? 0 : -1;
}

zc_status zc_nb101_parse(const char *s, zc_nb101_spec *spec)
{
    const char *colon = strchr(s, ':');
    if (!colon)
        return zc_fail(ZC_EINVAL, "nb101: expected '<adjacency bits>:<op>,...,<op>' (e.g. "
                                  "'111:input,conv3x3-bn-relu,output'), got '%.80s'", s);
    int nbits = (int)(colon - s);
    uint8_t ops[ZC_NB101_MAX_V], adj[ZC_NB101_MAX_V] = {0};
    int n = 0;
    for (const char *p = colon + 1;;) {
        size_t len = strcspn(p, ",");
        if (n == ZC_NB101_MAX_V)
            return zc_fail(ZC_EINVAL, "nb101: more than %d vertices in '%.80s'", ZC_NB101_MAX_V, s);
        int op = -1;
        for (int k = 0; k <= ZC_NB101_OUTPUT; k++)
            if (strlen(op_names[k]) == len && !strncmp(p, op_names[k], len)) op = k;
        if (op < 0)
            return zc_fail(ZC_EINVAL, "nb101: unknown op '%.*s' in '%.80s' (expected input, conv3x3-bn-relu, "
                                      "conv1x1-bn-relu, maxpool3x3 or output)", (int)len, p, s);
        ops[n++] = (uint8_t)op;
        if (!p[len]) break;
        p += len + 1;
    }
    if (n < 2) return zc_fail(ZC_EINVAL, "nb101: a cell needs at least the input and the output vertex: '%.80s'", s);
    if (ops[0] != ZC_NB101_INPUT || ops[n - 1] != ZC_NB101_OUTPUT)
        return zc_fail(ZC_EINVAL, "nb101: the first op must be input and the last output: '%.80s'", s);
    for (int i = 1; i < n - 1; i++)
        if (ops[i] == ZC_NB101_INPUT || ops[i] == ZC_NB101_OUTPUT)
            return zc_fail(ZC_EINVAL, "nb101: vertex %d is '%s': only the first vertex is the input and the last "
                                      "the output ('%.80s')", i, op_names[ops[i]], s);
    if (nbits != n * (n - 1) / 2)
        return zc_fail(ZC_EINVAL, "nb101: %d adjacency bits for %d vertices (expected %d: the upper triangle of the "
                                  "adjacency matrix row by row) in '%.80s'", nbits, n, n * (n - 1) / 2, s);
    for (int i = 0, b = 0; i < n; i++)
        for (int j = i + 1; j < n; j++, b++) {
            if (s[b] != '0' && s[b] != '1')
                return zc_fail(ZC_EINVAL, "nb101: adjacency bit %d is '%c' (expected 0 or 1) in '%.80s'", b + 1, s[b], s);
            if (s[b] == '1') adj[i] |= (uint8_t)(1 << j);
        }
    if (prune_raw(n, adj, ops, spec) != 0)
        return zc_fail(ZC_EINVAL, "nb101: no path from the input to the output in '%.80s'", s);
    int e = zc_nb101_edges(spec);
    if (e > ZC_NB101_MAX_EDGES)
        return zc_fail(ZC_EINVAL, "nb101: %d edges after pruning (NAS-Bench-101 allows at most %d) in '%.80s'", e,
                       ZC_NB101_MAX_EDGES, s);
    return ZC_OK;
}

void zc_nb101_format(const zc_nb101_spec *spec, char *buf, size_t size)
{
    char tmp[ZC_NB101_STR_MAX];
    size_t o = 0;
    for (int i = 0; i < spec->n; i++)
        for (int j = i + 1; j < spec->n; j++) tmp[o++] = has_edge(spec->adj, i, j) ? '1' : '0';
    tmp[o++] = ':';
    for (int i = 0; i < spec->n; i++)
        o += (size_t)snprintf(tmp + o, sizeof tmp - o, "%s%s", i ? "," : "", op_names[spec->ops[i]]);
    snprintf(buf, size, "%s", tmp);
}

static int cmp_hex(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

void zc_nb101_hash(const zc_nb101_spec *s, char hex[33])
{
    int n = s->n;
    char h[ZC_NB101_MAX_V][33], next[ZC_NB101_MAX_V][33];
    /* labels: input -1, output -2, ops by their `available_ops` position */
    for (int v = 0; v < n; v++) {
        int in = 0, out = 0;
        for (int u = 0; u < n; u++) { in += has_edge(s->adj, u, v); out += has_edge(s->adj, v, u); }
        int label = v == 0 ? -1 : v == n - 1 ? -2 : s->ops[v];
        char t[64];
        int len = snprintf(t, sizeof t, "(%d, %d, %d)", out, in, label);   /* Python's str of the tuple */
        zci_md5_hex(t, (size_t)len, h[v]);
    }
    char buf[ZC_NB101_MAX_V * 2 * 32 + 40];
    for (int round = 0; round < n; round++) {
        for (int v = 0; v < n; v++) {
            char ins[ZC_NB101_MAX_V][33], outs[ZC_NB101_MAX_V][33];
            int ni = 0, no = 0;
            for (int u = 0; u < n; u++) {
                if (has_edge(s->adj, u, v)) memcpy(ins[ni++], h[u], 33);
                if (has_edge(s->adj, v, u)) memcpy(outs[no++], h[u], 33);
            }
            qsort(ins, (size_t)ni, 33, cmp_hex);
            qsort(outs, (size_t)no, 33, cmp_hex);
            size_t o = 0;
            for (int k = 0; k < ni; k++, o += 32) memcpy(buf + o, ins[k], 32);
            buf[o++] = '|';
            for (int k = 0; k < no; k++, o += 32) memcpy(buf + o, outs[k], 32);
            buf[o++] = '|';
            memcpy(buf + o, h[v], 32);
            o += 32;
            zci_md5_hex(buf, o, next[v]);
        }
        memcpy(h, next, sizeof h);
    }
    qsort(h, (size_t)n, 33, cmp_hex);
    size_t o = 0;   /* Python's str of the sorted list: ['a', 'b'] */
    buf[o++] = '[';
    for (int v = 0; v < n; v++) {
        if (v) { buf[o++] = ','; buf[o++] = ' '; }
        buf[o++] = '\'';
        memcpy(buf + o, h[v], 32);
        o += 32;
        buf[o++] = '\'';
    }
    buf[o++] = ']';
    zci_md5_hex(buf, o, hex);
}

void zc_nb101_vertex_channels(const zc_nb101_spec *s, int c_in, int c_out, int *vc)
{
    int n = s->n;
    for (int v = 0; v < n; v++) vc[v] = 0;
    vc[0] = c_in;
    vc[n - 1] = c_out;
    if (n == 2) return;
    int k = 0;   /* interior vertices feeding the output (the input's own edge does not count) */
    for (int v = 1; v < n - 1; v++) k += has_edge(s->adj, v, n - 1);
    int share = c_out / k, extra = c_out % k;
    for (int v = 1; v < n - 1; v++)   /* the remainder to the lowest vertices first */
        if (has_edge(s->adj, v, n - 1)) {
            vc[v] = share;
            if (extra) { vc[v]++; extra--; }
        }
    for (int v = n - 3; v >= 1; v--)   /* the others: the widest of their successors */
        if (!has_edge(s->adj, v, n - 1))
            for (int d = v + 1; d < n - 1; d++)
                if (has_edge(s->adj, v, d) && vc[d] > vc[v]) vc[v] = vc[d];
}

void zc_nb101_random(zc_rng *rng, zc_nb101_spec *spec)
{
    for (;;) {
        uint8_t adj[ZC_NB101_MAX_V] = {0}, ops[ZC_NB101_MAX_V];
        for (int i = 0; i < ZC_NB101_MAX_V; i++)
            for (int j = i + 1; j < ZC_NB101_MAX_V; j++)
                if (zc_rng_below(rng, 2)) adj[i] |= (uint8_t)(1 << j);
        ops[0] = ZC_NB101_INPUT;
        ops[ZC_NB101_MAX_V - 1] = ZC_NB101_OUTPUT;
        for (int i = 1; i < ZC_NB101_MAX_V - 1; i++) ops[i] = (uint8_t)zc_rng_below(rng, 3);
        if (zc_nb101_prune(ZC_NB101_MAX_V, adj, ops, spec) == 0) return;
    }
}

/* The cell on 7 vertices: its vertices in place, the output moved to vertex 6, the unused vertices
 * disconnected conv3x3s (NASLib's convert_to_cell). */
static void pad7(const zc_nb101_spec *s, uint8_t *adj, uint8_t *ops)
{
    int n = s->n, last = ZC_NB101_MAX_V - 1;
    for (int i = 0; i < ZC_NB101_MAX_V; i++) { adj[i] = 0; ops[i] = ZC_NB101_CONV3X3; }
    for (int i = 0; i < n - 1; i++) {
        ops[i] = s->ops[i];
        for (int j = i + 1; j < n; j++)
            if (has_edge(s->adj, i, j)) adj[i] |= (uint8_t)(1 << (j == n - 1 ? last : j));
    }
    ops[last] = ZC_NB101_OUTPUT;
}

void zc_nb101_mutate_api(const zc_nb101_spec *parent, zc_rng *rng, zc_nb101_spec *child)
{
    uint8_t adj0[ZC_NB101_MAX_V], ops0[ZC_NB101_MAX_V];
    pad7(parent, adj0, ops0);
    for (;;) {
        uint8_t adj[ZC_NB101_MAX_V], ops[ZC_NB101_MAX_V];
        memcpy(adj, adj0, sizeof adj);
        memcpy(ops, ops0, sizeof ops);
        for (int i = 0; i < ZC_NB101_MAX_V - 1; i++)
            for (int j = i + 1; j < ZC_NB101_MAX_V; j++)
                if (zc_rng_double(rng) < 1.0 / ZC_NB101_MAX_V) adj[i] ^= (uint8_t)(1 << j);
        for (int i = 1; i < ZC_NB101_MAX_V - 1; i++)
            if (zc_rng_double(rng) < 1.0 / (ZC_NB101_MAX_V - 2)) {
                int k = (int)zc_rng_below(rng, 2);   /* one of the other two ops */
                ops[i] = (uint8_t)(k >= ops[i] ? k + 1 : k);
            }
        if (zc_nb101_prune(ZC_NB101_MAX_V, adj, ops, child) == 0) return;
    }
}

int zc_nb101_mutate_epsinas(const zc_nb101_spec *parent_in, zc_rng *rng, zc_nb101_spec *child)
{
    const zc_nb101_spec copy = *parent_in, *parent = &copy;   /* child may be the parent */
    int n = parent->n, coords[ZC_NB101_MAX_V * ZC_NB101_MAX_V][2], m = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) { coords[m][0] = i; coords[m][1] = j; m++; }
    for (int k = m - 1; k > 0; k--) {   /* random.shuffle */
        int r = (int)zc_rng_below(rng, (uint64_t)k + 1), t0 = coords[k][0], t1 = coords[k][1];
        coords[k][0] = coords[r][0]; coords[k][1] = coords[r][1];
        coords[r][0] = t0; coords[r][1] = t1;
    }
    for (int k = 0; k < m; k++) {
        uint8_t adj[ZC_NB101_MAX_V];
        memcpy(adj, parent->adj, sizeof adj);
        adj[coords[k][0]] ^= (uint8_t)(1 << coords[k][1]);
        if (zc_nb101_prune(n, adj, parent->ops, child) == 0) return 0;
    }
    return -1;
}
