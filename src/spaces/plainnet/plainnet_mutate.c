/* The ZenNAS/ZiCo evolutionary search's mutation (evolution_search.get_new_random_structure_str with
 * SearchSpace/search_space_IDW_fixfc.gen_search_space) and MasterNet.split.
 *
 * Candidates of a block:
 *  - SuperConvK{k}BNRELU with k != 1 (the stem): same type, C_in and stride kept, C_out in chan(C_out),
 *    L = 1; with k == 1 (the final conv): the block itself with L = 1.
 *  - SuperResIDW: the 12 types E{1,2,4,6} x K{3,5,7} (in the official list order E1K3, E2K3, E4K3,
 *    E6K3, E1K5, ..., E6K7) x C_out in chan(C_out) x L in sub(L) x B in chan(B), each C_out and B
 *    passed through smart_round(., 8) and dropped when < 8 (or L <= 0); C_in and stride kept.
 *  chan(c) = unique {smart_round(max(8, c*f), 8) : f in 2.5, 2, 1.5, 1.25, 1, 1/1.25, 1/1.5, 1/2, 1/2.5}
 *  sub(L) = unique {max(0, L + d) : d in 0, +1, +2, -1, -2}
 * Both lists are sorted in decreasing order (as the official code sorts them), so the product has no
 * duplicates and the candidate order is fixed.
 *
 * The official random.choice draws from a flattened list of lists built with an aliasing quirk: after
 * each type the accumulated list is deduplicated into a NEW list that is appended to the list of
 * lists, and the next type's strings are appended to that same (already stored) list. The stored
 * lists end up holding types {0,1}, {0..2}, ..., {0..11}, {0..11}, so a string of type 0 or 1
 * appears 12 times and one of type t >= 2 appears 13 - t times (E1K3 and E2K3 are drawn six times as
 * often as E6K7). Verified against the official gen_search_space. */
#include <stdlib.h>
#include <string.h>
#include "spaces/plainnet/plainnet.h"

#define N_IDW_TYPES 12
static const int idw_e[N_IDW_TYPES] = {1, 2, 4, 6, 1, 2, 4, 6, 1, 2, 4, 6};
static const int idw_k[N_IDW_TYPES] = {3, 3, 3, 3, 5, 5, 5, 5, 7, 7, 7, 7};

/* chan(c), decreasing, unique; returns the count (at most 9). */
static int chan_list(int c, int *out)
{
    const double x[9] = {c * 2.5, c * 2.0, c * 1.5, c * 1.25, (double)c, c / 1.25, c / 1.5, c / 2.0, c / 2.5};
    int n = 0;
    for (int i = 0; i < 9; i++) {
        int v = zc_plainnet_smart_round(x[i] < 8.0 ? 8.0 : x[i], 8);
        int dup = 0;
        for (int j = 0; j < n; j++) dup |= out[j] == v;
        if (!dup) out[n++] = v;
    }
    for (int i = 1; i < n; i++)   /* insertion sort, decreasing */
        for (int j = i; j > 0 && out[j] > out[j - 1]; j--) { int t = out[j]; out[j] = out[j - 1]; out[j - 1] = t; }
    return n;
}

/* sub(L), decreasing, unique. */
static int sub_list(int L, int *out)
{
    const int d[5] = {0, 1, 2, -1, -2};
    int n = 0;
    for (int i = 0; i < 5; i++) {
        int v = L + d[i] < 0 ? 0 : L + d[i];
        int dup = 0;
        for (int j = 0; j < n; j++) dup |= out[j] == v;
        if (!dup) out[n++] = v;
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && out[j] > out[j - 1]; j--) { int t = out[j]; out[j] = out[j - 1]; out[j - 1] = t; }
    return n;
}

/* The candidates of one block (whatever its neighbours). */
static int block_candidates(const zc_plainnet_block *b, zc_plainnet_block *out, int *weights, int max)
{
    int n = 0;
    zc_plainnet_block cand;
    if (b->kind == ZC_PLAINNET_CONV) {
        int outs[9], n_outs = 1;
        if (b->k == 1) outs[0] = b->c_out;   /* the last conv is never changed (L is still set to 1) */
        else n_outs = chan_list(b->c_out, outs);
        for (int i = 0; i < n_outs; i++) {
            if (outs[i] > ZC_PLAINNET_MAX_CHANNELS) continue;
            cand = *b;
            cand.c_out = outs[i];
            cand.layers = 1;
            if (n == max) { zc_fail(ZC_EINVAL, "plainnet: more than %d candidates", max); return -1; }
            out[n] = cand;
            if (weights) weights[n] = 1;
            n++;
        }
        return n;
    }
    int outs[9], subs[5], btls[9];
    int n_outs = chan_list(b->c_out, outs), n_subs = sub_list(b->layers, subs), n_btls = chan_list(b->bottleneck, btls);
    for (int t = 0; t < N_IDW_TYPES; t++)
        for (int i = 0; i < n_outs; i++)
            for (int j = 0; j < n_subs; j++)
                for (int k = 0; k < n_btls; k++) {
                    int c_out = zc_plainnet_smart_round(outs[i], 8), btl = zc_plainnet_smart_round(btls[k], 8);
                    if (c_out < 8 || btl < 8 || subs[j] <= 0) continue;
                    /* Beyond the parser's bounds (never reached by budgeted searches). */
                    if (c_out > ZC_PLAINNET_MAX_CHANNELS || btl > ZC_PLAINNET_MAX_CHANNELS ||
                        subs[j] > ZC_PLAINNET_MAX_LAYERS)
                        continue;
                    memset(&cand, 0, sizeof cand);
                    cand.kind = ZC_PLAINNET_IDW;
                    cand.e = idw_e[t];
                    cand.k = idw_k[t];
                    cand.c_in = b->c_in;
                    cand.c_out = c_out;
                    cand.stride = b->stride;
                    cand.bottleneck = btl;
                    cand.layers = subs[j];
                    if (n == max) { zc_fail(ZC_EINVAL, "plainnet: more than %d candidates", max); return -1; }
                    out[n] = cand;
                    if (weights) weights[n] = t == 0 ? N_IDW_TYPES : N_IDW_TYPES + 1 - t;
                    n++;
                }
    return n;
}

int zc_plainnet_candidates(const zc_plainnet *s, int index, zc_plainnet_block *out, int *weights, int max)
{
    if (zc_plainnet_validate(s) != ZC_OK) return -1;
    if (index < 0 || index >= s->n) {
        zc_fail(ZC_EINVAL, "plainnet: block index %d out of range 0..%d", index, s->n - 1);
        return -1;
    }
    return block_candidates(&s->blocks[index], out, weights, max);
}

zc_status zc_plainnet_split(const zc_plainnet *s, int threshold, zc_plainnet *out)
{
    zc_status st = zc_plainnet_validate(s);
    if (st != ZC_OK) return st;
    if (threshold < 2) return zc_fail(ZC_EINVAL, "plainnet: split threshold %d (must be >= 2)", threshold);
    zc_plainnet r;
    r.n = 0;
    for (int i = 0; i < s->n; i++) {
        const zc_plainnet_block *b = &s->blocks[i];
        int split = b->kind == ZC_PLAINNET_IDW && b->layers >= threshold;
        if (r.n + 1 + split > ZC_PLAINNET_MAX_BLOCKS)
            return zc_fail(ZC_EINVAL, "plainnet: splitting gives more than %d blocks", ZC_PLAINNET_MAX_BLOCKS);
        if (!split) { r.blocks[r.n++] = *b; continue; }
        zc_plainnet_block first = *b, second = *b;
        first.layers = threshold / 2;
        second.c_in = b->c_out;
        second.stride = 1;
        second.layers = threshold - threshold / 2;
        r.blocks[r.n++] = first;
        r.blocks[r.n++] = second;
    }
    *out = r;
    return ZC_OK;
}

zc_status zc_plainnet_mutate_ex(const zc_plainnet *s, int n_replacements, int uniform, zc_rng *rng,
                                zc_plainnet *out)
{
    zc_status st = zc_plainnet_validate(s);
    if (st != ZC_OK) return st;
    if (n_replacements < 0) return zc_fail(ZC_EINVAL, "plainnet: %d replacements", n_replacements);
    zc_plainnet cur = *s;
    zc_plainnet_block *cands = malloc(ZC_PLAINNET_MAX_CANDIDATES * sizeof *cands);
    int *weights = malloc(ZC_PLAINNET_MAX_CANDIDATES * sizeof *weights);
    if (!cands || !weights) { free(cands); free(weights); return zc_fail(ZC_ENOMEM, "out of memory"); }
    unsigned char selected[ZC_PLAINNET_MAX_BLOCKS] = {0};
    for (int r = 0; r < n_replacements && st == ZC_OK; r++) {
        int id = (int)zc_rng_below(rng, (uint64_t)cur.n);   /* random.randint(0, n - 1) */
        if (selected[id]) continue;
        selected[id] = 1;
        int n = block_candidates(&cur.blocks[id], cands, weights, ZC_PLAINNET_MAX_CANDIDATES);
        if (n <= 0) {
            st = n < 0 ? ZC_EINVAL : zc_fail(ZC_EINVAL, "plainnet: block %d has no candidate replacement", id);
            break;
        }
        int pick;
        if (uniform) pick = (int)zc_rng_below(rng, (uint64_t)n);
        else {
            uint64_t total = 0;
            for (int i = 0; i < n; i++) total += (uint64_t)weights[i];
            uint64_t u = zc_rng_below(rng, total);
            for (pick = 0; pick < n - 1 && u >= (uint64_t)weights[pick]; pick++) u -= (uint64_t)weights[pick];
        }
        zc_plainnet_block nb = cands[pick];
        if (id > 0) nb.c_in = cur.blocks[id - 1].c_out;
        cur.blocks[id] = nb;
    }
    free(cands);
    free(weights);
    if (st != ZC_OK) return st;
    for (int i = 1; i < cur.n; i++) cur.blocks[i].c_in = cur.blocks[i - 1].c_out;
    return zc_plainnet_split(&cur, 6, out);
}

zc_status zc_plainnet_mutate(const zc_plainnet *s, int n_replacements, zc_rng *rng, zc_plainnet *out)
{
    return zc_plainnet_mutate_ex(s, n_replacements, 0, rng, out);
}
