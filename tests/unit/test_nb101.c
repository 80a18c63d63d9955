/* NAS-Bench-101 cells and the NATS-Bench size space: arch strings and their errors, pruning, the
 * benchmark's graph hash (values from the benchmark's own data, invariance under relabelling), vertex
 * channels (nasbench's model_builder_test vectors), parameter counts, sampling and mutation; NATS-SSS
 * index order, strings, costs (the NATS-Bench API's values) and mutation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "spaces/nb101/nb101.h"
#include "zcnas/zcnas.h"

/* 8,555,530 parameters, hash 00005c14... : a row of the benchmark (NNI's NAS-Bench-101 example). */
static const char *NNI_CELL = "100110100001001010101:input,conv3x3-bn-relu,maxpool3x3,conv3x3-bn-relu,"
                              "conv3x3-bn-relu,conv1x1-bn-relu,output";
/* The nasbench README's Inception-like cell: 2,694,282 trainable parameters in the README's output. */
static const char *README_CELL = "111010000010001100011:input,conv1x1-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,"
                                 "conv3x3-bn-relu,maxpool3x3,output";

static long long nb101_params(const char *arch)
{
    zc_nb101_spec s;
    if (zc_nb101_parse(arch, &s) != ZC_OK) return -1;
    zc_nb101_config cfg = zc_nb101_default_config(10, 32);
    cfg.shapes_only = 1;
    zc_net *net = zc_nb101_build(&s, &cfg);
    long long p = net ? zc_net_param_count(net) : -1;
    zc_net_free(net);
    return p;
}

static void hash_of(const char *arch, char hex[33])
{
    zc_nb101_spec s;
    hex[0] = '\0';
    CHECK_MSG(zc_nb101_parse(arch, &s) == ZC_OK, "%s: %s", arch, zc_last_error());
    zc_nb101_hash(&s, hex);
}

static void test_benchmark_values(void)
{
    char h[33];
    hash_of(NNI_CELL, h);
    CHECK_MSG(!strcmp(h, "00005c142e6f48ac74fdcf73e3439874"), "NNI cell hash %s", h);
    CHECK(nb101_params(NNI_CELL) == 8555530);
    CHECK(nb101_params(README_CELL) == 2694282);
}

static void test_parse_errors(void)
{
    const char *bad[] = {
        "",                                                       /* empty */
        "1",                                                      /* no ops */
        "1:input,output,output",                                  /* 3 ops need 3 bits */
        "11:input,output",                                        /* 2 ops need 1 bit */
        "1:output,input",                                         /* input first */
        "101:input,conv3x3-bn-relu,conv5x5",                      /* unknown op, output last */
        "101:input,conv5x5-bn-relu,output",                       /* unknown op */
        "1x1:input,conv3x3-bn-relu,output",                       /* not a bit */
        "000:input,conv3x3-bn-relu,output",                       /* no input -> output path */
        "100:input,conv3x3-bn-relu,output",                       /* vertex 1 reaches no output */
        "1111111111111111111111111111:input,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,"
        "conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,output",   /* 8 vertices */
        "111111111111111111111:input,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,"
        "conv3x3-bn-relu,conv3x3-bn-relu,output",                  /* 21 edges > 9 */
        "1:input,input",                                          /* output last */
    };
    zc_nb101_spec s;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        zc_status st = zc_nb101_parse(bad[i], &s);
        CHECK_MSG(st != ZC_OK && strlen(zc_last_error()) > 10 && !strchr(zc_last_error(), '\n'),
                  "'%s' accepted or unclear (%s)", bad[i], zc_last_error());
    }
}

static void test_prune_and_format(void)
{
    zc_nb101_spec s;
    char buf[ZC_NB101_STR_MAX];
    /* v2 (conv1x1) reaches no output: pruned, the string re-formatted without it */
    CHECK(zc_nb101_parse("1110001001:input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,output", &s) == ZC_OK);
    zc_nb101_format(&s, buf, sizeof buf);
    CHECK_MSG(!strcmp(buf, "110011:input,conv3x3-bn-relu,maxpool3x3,output"), "%s", buf);
    /* v1 -> v2 only: nothing interior reaches the output, the cell is input -> output */
    CHECK(zc_nb101_parse("101100:input,conv3x3-bn-relu,maxpool3x3,output", &s) == ZC_OK);
    CHECK(s.n == 2 && zc_nb101_edges(&s) == 1);
    /* a spec with 12 raw edges of which 9 remain after pruning is valid (the API counts pruned edges) */
    CHECK(zc_nb101_parse("111101000110001110110:input,maxpool3x3,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,"
                         "conv3x3-bn-relu,output", &s) == ZC_OK);
    CHECK(zc_nb101_edges(&s) <= ZC_NB101_MAX_EDGES);
    /* format -> parse is the identity */
    zc_nb101_spec t;
    zc_nb101_format(&s, buf, sizeof buf);
    CHECK(zc_nb101_parse(buf, &t) == ZC_OK && !memcmp(&s, &t, sizeof s));
}

/* Relabels the interior vertices of s by a random permutation that keeps every edge forward. */
static int relabel(const zc_nb101_spec *s, zc_rng *rng, zc_nb101_spec *out)
{
    int n = s->n, perm[ZC_NB101_MAX_V];
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 2; i > 1; i--) {
        int j = 1 + (int)zc_rng_below(rng, (uint64_t)i);
        int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
    memset(out, 0, sizeof *out);
    out->n = (uint8_t)n;
    for (int i = 0; i < n; i++) {
        out->ops[perm[i]] = s->ops[i];
        for (int j = 0; j < n; j++)
            if (s->adj[i] >> j & 1) {
                if (perm[i] >= perm[j]) return 0;
                out->adj[perm[i]] |= (uint8_t)(1 << perm[j]);
            }
    }
    return 1;
}

static void test_hash(void)
{
    char a[33], b[33];
    /* the two branches of input -> {conv3x3, maxpool} -> output in either order: one cell */
    hash_of("111011:input,conv3x3-bn-relu,maxpool3x3,output", a);
    hash_of("111011:input,maxpool3x3,conv3x3-bn-relu,output", b);
    CHECK(!strcmp(a, b));
    /* a different op or edge: another cell */
    hash_of("111011:input,conv1x1-bn-relu,maxpool3x3,output", b);
    CHECK(strcmp(a, b));
    hash_of("110011:input,conv3x3-bn-relu,maxpool3x3,output", b);
    CHECK(strcmp(a, b));
    /* a pruned vertex does not change the hash */
    hash_of("1110001001:input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,output", a);
    hash_of("110011:input,conv3x3-bn-relu,maxpool3x3,output", b);
    CHECK(!strcmp(a, b));
    /* invariance under every forward relabelling of random cells */
    zc_rng rng;
    zc_rng_seed(&rng, 7, 0);
    int relabelled = 0, bad = 0;
    for (int k = 0; k < 400; k++) {
        zc_nb101_spec s, t;
        zc_nb101_random(&rng, &s);
        zc_nb101_hash(&s, a);
        for (int r = 0; r < 20; r++) {
            if (!relabel(&s, &rng, &t)) continue;
            relabelled++;
            zc_nb101_hash(&t, b);
            bad += strcmp(a, b) != 0;
        }
    }
    CHECK_MSG(relabelled > 1000 && bad == 0, "%d relabellings, %d changed the hash", relabelled, bad);
}

static void vc_case(const char *arch, int c_in, int c_out, const int *want, int n)
{
    zc_nb101_spec s;
    int vc[ZC_NB101_MAX_V];
    CHECK(zc_nb101_parse(arch, &s) == ZC_OK);
    CHECK(s.n == n);
    zc_nb101_vertex_channels(&s, c_in, c_out, vc);
    int same = 1;
    for (int i = 0; i < n; i++) same &= vc[i] == want[i];
    CHECK_MSG(same, "%s (%d -> %d): [%d,%d,%d,%d,...]", arch, c_in, c_out, vc[0], vc[1], vc[2], vc[3]);
}

static void test_vertex_channels(void)
{
    /* nasbench/tests/model_builder_test.py */
    vc_case("100101:input,conv3x3-bn-relu,conv3x3-bn-relu,output", 8, 16, (int[]){8, 16, 16, 16}, 4);
    vc_case("100101:input,conv3x3-bn-relu,conv3x3-bn-relu,output", 16, 8, (int[]){16, 8, 8, 8}, 4);
    vc_case("110011:input,conv3x3-bn-relu,conv3x3-bn-relu,output", 8, 15, (int[]){8, 8, 7, 15}, 4);
    vc_case("1110001011:input,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,output", 8, 8,
            (int[]){8, 3, 3, 2, 8}, 5);
    vc_case("1110001011:input,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,output", 8, 15,
            (int[]){8, 5, 5, 5, 15}, 5);
    vc_case("1000110011:input,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,output", 8, 9,
            (int[]){8, 5, 5, 4, 9}, 5);
    vc_case("1010101101:input,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,output", 8, 15,
            (int[]){8, 8, 7, 7, 15}, 5);
}

static void test_sampling_and_mutation(void)
{
    zc_rng rng;
    zc_rng_seed(&rng, 3, 0);
    int invalid = 0, api_bad = 0, eps_bad = 0, eps_changed = 0;
    char buf[ZC_NB101_STR_MAX], h0[33], h1[33];
    for (int k = 0; k < 2000; k++) {
        zc_nb101_spec s, t, c;
        zc_nb101_random(&rng, &s);
        zc_nb101_format(&s, buf, sizeof buf);
        invalid += zc_nb101_parse(buf, &t) != ZC_OK || memcmp(&s, &t, sizeof s) != 0;
        zc_nb101_mutate_api(&s, &rng, &c);
        zc_nb101_format(&c, buf, sizeof buf);
        api_bad += zc_nb101_parse(buf, &t) != ZC_OK;
        if (zc_nb101_mutate_epsinas(&s, &rng, &c) == 0) {
            zc_nb101_format(&c, buf, sizeof buf);
            eps_bad += zc_nb101_parse(buf, &t) != ZC_OK || c.ops[0] != ZC_NB101_INPUT ||
                       c.ops[c.n - 1] != ZC_NB101_OUTPUT;
            zc_nb101_hash(&s, h0);
            zc_nb101_hash(&c, h1);
            eps_changed += strcmp(h0, h1) != 0;
        }
        /* in place (child = parent) as the space's mutate calls it */
        t = s;
        if (zc_nb101_mutate_epsinas(&t, &rng, &t) == 0) {
            zc_nb101_format(&t, buf, sizeof buf);
            eps_bad += zc_nb101_parse(buf, &c) != ZC_OK;
        }
    }
    CHECK_MSG(!invalid && !api_bad && !eps_bad, "invalid: %d sampled, %d api-mutated, %d epsinas-mutated",
              invalid, api_bad, eps_bad);
    CHECK_MSG(eps_changed > 1000, "an epsinas mutation flips one edge: the cell changes (%d)", eps_changed);

    /* --sample K through the library: K distinct cells by hash */
    zc_space_ctx *ctx;
    zc_space_config cfg = {0};
    CHECK(zc_space_open(zc_space_find("nb101"), &cfg, &ctx) == ZC_OK);
    zc_arch_list l;
    zc_arch_list_init(&l, ctx);
    CHECK(zc_arch_list_add_sample(&l, 500, 11) == ZC_OK);
    CHECK(l.n == 500);
    int dup = 0;
    char (*keys)[33] = calloc((size_t)l.n, sizeof *keys);
    for (int i = 0; keys && i < l.n; i++) {
        CHECK(zc_space_key(ctx, l.archs + (size_t)i * ctx->space->arch_size, keys[i], 33) == ZC_OK);
        for (int j = 0; j < i; j++) dup += !strcmp(keys[i], keys[j]);
    }
    CHECK_MSG(dup == 0, "%d duplicate cells among 500 sampled", dup);
    free(keys);
    zc_arch_list_free(&l);
    zc_space_close(ctx);
}

/* ---- NATS-SSS ---- */

static void sss_cost(zc_space_ctx *ctx, const char *arch, double params, double flops)
{
    unsigned char a[64];
    zc_cost c;
    CHECK(ctx->space->arch_size <= sizeof a);
    CHECK_MSG(zc_space_parse(ctx, arch, a) == ZC_OK, "%s", zc_last_error());
    CHECK(zc_space_cost(ctx, a, &c) == ZC_OK);
    CHECK_MSG(c.params == params && c.flops == flops, "%s: params %.0f flops %.0f", arch, c.params, c.flops);
}

static void test_sss(void)
{
    zc_space_ctx *ctx;
    zc_space_config cfg = {0};
    CHECK(zc_space_open(zc_space_find("nats-sss"), &cfg, &ctx) == ZC_OK);
    CHECK(zc_space_size(ctx) == 32768);
    unsigned char a[64], b[64];
    char buf[64];
    /* index order: c0 most significant, (c / 8 - 1) as base-8 digits */
    CHECK(zc_space_from_index(ctx, 0, a) == ZC_OK && zc_space_format(ctx, a, buf, sizeof buf) == ZC_OK &&
          !strcmp(buf, "8:8:8:8:8"));
    CHECK(zc_space_from_index(ctx, 32767, a) == ZC_OK && zc_space_format(ctx, a, buf, sizeof buf) == ZC_OK &&
          !strcmp(buf, "64:64:64:64:64"));
    CHECK(zc_space_from_index(ctx, 1, a) == ZC_OK && zc_space_format(ctx, a, buf, sizeof buf) == ZC_OK &&
          !strcmp(buf, "8:8:8:8:16"));
    CHECK(zc_space_parse(ctx, "16:8:8:8:8", a) == ZC_OK && zc_space_index_of(ctx, a) == 4096);
    int roundtrip = 1;
    for (long i = 0; i < 32768; i += 97) {
        roundtrip &= zc_space_from_index(ctx, i, a) == ZC_OK && zc_space_format(ctx, a, buf, sizeof buf) == ZC_OK &&
                     zc_space_parse(ctx, buf, b) == ZC_OK && zc_space_index_of(ctx, b) == i;
    }
    CHECK(roundtrip);
    CHECK(zc_space_from_index(ctx, 32768, a) != ZC_OK);
    const char *bad[] = {"", "8:8:8:8", "8:8:8:8:8:8", "8:8:8:8:12", "0:8:8:8:8", "72:8:8:8:8", "8:8:8:8:x",
                         "8,8,8,8,8", "8:8:8:8:8 "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_MSG(zc_space_parse(ctx, bad[i], a) != ZC_OK && !strchr(zc_last_error(), '\n'), "'%s' accepted", bad[i]);
    /* the NATS-Bench API's cost info (CIFAR-10): smallest and largest configuration */
    sss_cost(ctx, "8:8:8:8:8", 11714, 4481114);
    sss_cost(ctx, "64:64:64:64:64", 713674, 274399882);
    /* mutation: exactly one channel changes */
    zc_rng rng;
    zc_rng_seed(&rng, 5, 0);
    int one = 1;
    for (int k = 0; k < 500; k++) {
        zc_space_from_index(ctx, (long)zc_rng_below(&rng, 32768), a);
        CHECK(zc_space_mutate(ctx, a, 1, &rng, b) == ZC_OK);
        char sa[64], sb[64];
        zc_space_format(ctx, a, sa, sizeof sa);
        zc_space_format(ctx, b, sb, sizeof sb);
        int diff = 0;
        char *p = sa, *q = sb;
        for (int i = 0; i < 5; i++) {
            diff += strtol(p, &p, 10) != strtol(q, &q, 10);
            p += *p == ':';
            q += *q == ':';
        }
        one &= diff == 1;
    }
    CHECK(one);
    zc_space_close(ctx);
}

int main(void)
{
    test_benchmark_values();
    test_parse_errors();
    test_prune_and_format();
    test_hash();
    test_vertex_channels();
    test_sampling_and_mutation();
    test_sss();
    return check_report("test_nb101");
}
