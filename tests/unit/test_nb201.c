/* NAS-Bench-201: arch strings, index table, network structure, parameter and FLOP counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "engine/engine_impl.h"
#include "spaces/nb201/nb201.h"
#include "zcnas/zcnas.h"

static void costs(const char *arch, int classes, int res, long long *params, long long *flops)
{
    zc_nb201_arch a;
    CHECK(zc_nb201_parse(arch, &a) == ZC_OK);
    zc_nb201_config cfg = zc_nb201_default_config(classes, res);
    zc_net *net = zc_nb201_build(&a, &cfg);
    CHECK(net != NULL);
    *params = net ? zc_net_param_count(net) : -1;
    *flops = net ? zc_net_flops(net) : -1;
    zc_net_free(net);
}

static void test_costs(void)
{
    long long p, f;
    /* Known values from the NAS-Bench-201 API (issue text, spec 4.2). */
    costs("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|", 10, 32, &p, &f);
    CHECK(p == 129306);
    CHECK(f == 15647370);
    costs("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", 10, 32, &p, &f);
    CHECK(p == 1531546);
    CHECK(f == 220119690);
    /* The benchmark table's params_cifar10 column (and +5,850 for 100 classes) for a spread of archs. */
    char path[4096];
    CHECK_MSG(zc_data_bench_path("nb201_accuracy.csv", NULL, path, sizeof path) == ZC_OK, "%s", zc_last_error());
    zc_bench_table t;
    CHECK(zc_bench_table_load(&t, path) == ZC_OK);
    int col = zc_bench_table_col(&t, "params_cifar10");
    CHECK(col >= 0 && t.n_rows == ZC_NB201_SIZE);
    for (int i = 0; col >= 0 && i < t.n_rows; i += 397) {
        costs(t.arch[i], 10, 32, &p, &f);
        CHECK_MSG(p == (long long)t.values[(size_t)i * t.n_cols + col], "row %d: %lld params", i, p);
        costs(t.arch[i], 100, 32, &p, &f);
        CHECK(p == (long long)t.values[(size_t)i * t.n_cols + col] + 5850);
    }
    /* Every arch string of the table parses, maps to its row's index and prints back identically. */
    static zc_nb201_index_map map;
    CHECK_MSG(zc_nb201_index_map_from_table(&map, &t, path) == ZC_OK, "%s", zc_last_error());
    int bad = 0;
    for (int i = 0; i < t.n_rows; i++) {
        zc_nb201_arch a, b;
        char s[ZC_NB201_STR_MAX];
        if (zc_nb201_parse(t.arch[i], &a) != ZC_OK) { bad++; continue; }
        zc_nb201_format(&a, s, sizeof s);
        if (strcmp(s, t.arch[i]) || zc_nb201_index(&map, &a) != t.index[i]) bad++;
        if (zc_nb201_from_index(&map, t.index[i], &b) != ZC_OK || memcmp(&a, &b, sizeof a)) bad++;
    }
    CHECK_MSG(bad == 0, "%d of %d rows fail the round trip", bad, t.n_rows);
    /* The API's index 0 (NAS-Bench-201 paper, spec 6.1). */
    zc_nb201_arch a0;
    CHECK(zc_nb201_from_index(&map, 0, &a0) == ZC_OK);
    char s0[ZC_NB201_STR_MAX];
    zc_nb201_format(&a0, s0, sizeof s0);
    CHECK(!strcmp(s0, "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"));
    CHECK(zc_nb201_from_index(&map, -1, &a0) == ZC_EINVAL && zc_nb201_from_index(&map, ZC_NB201_SIZE, &a0) == ZC_EINVAL);

    /* A damaged table is refused with the row that is wrong. */
    char *saved = t.arch[7];
    t.arch[7] = t.arch[8];
    CHECK(zc_nb201_index_map_from_table(&map, &t, "x.csv") == ZC_EDATA && strstr(zc_last_error(), "row 10"));
    t.arch[7] = saved;
    int saved_index = t.index[5];
    t.index[5] = t.index[4];
    CHECK(zc_nb201_index_map_from_table(&map, &t, "x.csv") == ZC_EDATA && strstr(zc_last_error(), "appears twice"));
    t.index[5] = saved_index;
    t.n_rows--;
    CHECK(zc_nb201_index_map_from_table(&map, &t, "x.csv") == ZC_EDATA && strstr(zc_last_error(), "15624 rows"));
    t.n_rows++;
    CHECK(zc_nb201_index_map_from_table(&map, &t, "x.csv") == ZC_OK);
    zc_bench_table_free(&t);
    /* No table: an index is refused, an arch has no index. */
    CHECK(zc_nb201_from_index(NULL, 0, &a0) == ZC_EINVAL && strstr(zc_last_error(), "no benchmark table"));
    CHECK(zc_nb201_index(NULL, &a0) == -1);
}

static void test_parse_errors(void)
{
    zc_nb201_arch a;
    const char *bad[] = {
        "",
        "|nor_conv_3x3~0|",
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|conv_7x7~2|",
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~2|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|extra",
        "|nor_conv_3x3-0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
        "nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_MSG(zc_nb201_parse(bad[i], &a) == ZC_EINVAL, "accepted '%s'", bad[i]);
    zc_nb201_parse(bad[2], &a);
    CHECK(strstr(zc_last_error(), "conv_7x7") != NULL);   /* the message names the bad token */
    /* The arch code is a bijection with 0..15624. */
    int codes_ok = 1;
    for (int c = 0; c < ZC_NB201_SIZE; c++) {
        zc_nb201_from_code(c, &a);
        codes_ok &= zc_nb201_code(&a) == c;
    }
    CHECK(codes_ok);
    CHECK(zc_nb201_parse(NULL, &a) == ZC_EINVAL);
}

static void test_structure(void)
{
    zc_nb201_arch a;
    CHECK(zc_nb201_parse("|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|", &a) == ZC_OK);
    zc_nb201_config cfg = zc_nb201_default_config(10, 32);
    zc_net *net = zc_nb201_build(&a, &cfg);
    CHECK(net != NULL);
    if (!net) return;
    /* state_dict names in definition order (xautodl TinyNetwork). */
    CHECK(!strcmp(net->params[0].name, "stem.0.weight"));
    CHECK(!strcmp(net->params[1].name, "stem.1.weight"));
    CHECK(!strcmp(net->params[2].name, "stem.1.bias"));
    CHECK(!strcmp(net->params[3].name, "cells.0.layers.0.op.1.weight"));
    CHECK(zc_net_find_param(net, "cells.0.layers.2.op.1.weight") >= 0);   /* edge 1->2 nor_conv_1x1 */
    CHECK(zc_net_find_param(net, "cells.0.layers.1.op.1.weight") < 0);    /* edge 0->2 is none */
    CHECK(zc_net_find_param(net, "cells.5.conv_a.op.1.weight") >= 0);
    CHECK(zc_net_find_param(net, "cells.5.downsample.1.weight") >= 0);
    CHECK(zc_net_find_param(net, "cells.11.conv_b.op.2.bias") >= 0);
    CHECK(!strcmp(net->params[net->n_params - 1].name, "classifier.bias"));
    CHECK(!strcmp(net->params[net->n_params - 4].name, "lastact.0.weight"));
    int out_b, out_d;
    zc_net_output(net, &out_b, &out_d);
    CHECK(out_d == 10);
    zc_net_free(net);
    /* Conv-free path test (decides epsilon's NaN pattern). */
    CHECK(zc_nb201_parse("|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|", &a) == ZC_OK);
    CHECK(zc_nb201_has_convfree_path(&a));
    CHECK(zc_nb201_parse("|skip_connect~0|+|none~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|none~2|", &a) == ZC_OK);
    CHECK(zc_nb201_has_convfree_path(&a));
    CHECK(zc_nb201_parse("|skip_connect~0|+|none~0|nor_conv_1x1~1|+|none~0|nor_conv_3x3~1|skip_connect~2|", &a) == ZC_OK);
    CHECK(!zc_nb201_has_convfree_path(&a));
    int convfree = 0;
    for (int c = 0; c < ZC_NB201_SIZE; c++) { zc_nb201_from_code(c, &a); convfree += zc_nb201_has_convfree_path(&a); }
    CHECK(convfree == 9226);   /* spec 2.6: 9,226 of 15,625 have a conv-free path */
}

/* Pruning 'none' (what gradient proxies do) must not change a single gradient: x + none(y) is x, so
 * the pruned graph drops those terms and bypasses one-term sums; every weight gradient must equal the
 * unpruned network's exactly, on every backend. */
static int run_grads(const char *arch, const zc_backend *be, int prune, const float *x, int batch, float **grads,
                     size_t *n_grads, int *bad_nodes)
{
    zc_nb201_arch a;
    if (zc_nb201_parse(arch, &a) != ZC_OK) return 0;
    zc_nb201_config cfg = zc_nb201_default_config(10, 16);
    zc_net *net = zc_nb201_build(&a, &cfg);
    if (!net) return 0;
    zc_net_set_backend(net, be);
    if (prune) { net->prune_zero = 1; zc_net_finish(net, net->output); }
    *bad_nodes = 0;
    for (int i = 0; i < net->n_nodes; i++) {
        const zc_node *n = &net->nodes[i];
        if (!n->live || i == net->output) continue;
        /* one-term sums, or 'none' terms beside real ones, are work the pruning should have removed */
        int zeros = 0;
        for (int j = 0; n->op == ZC_OP_ADD && j < n->n_in; j++) zeros += net->nodes[n->in[j]].op == ZC_OP_ZERO;
        if (prune && n->op == ZC_OP_ADD && (n->n_in == 1 || (zeros > 0 && zeros < n->n_in))) ++*bad_nodes;
    }
    zc_rng rng;
    zc_rng_seed(&rng, 7, 0);
    zc_net_init_default(net, &rng);
    int ok = zc_net_forward(net, x, batch, ZC_RUN_TRAIN) == ZC_OK;
    float dout[4 * 10];
    for (int i = 0; i < batch * 10; i++) dout[i] = (float)((i * 37) % 11) / 11.0f - 0.4f;
    ok = ok && zc_net_backward(net, dout) == ZC_OK;
    *n_grads = 0;
    for (int i = 0; i < net->n_params; i++) *n_grads += net->params[i].numel;
    *grads = malloc(*n_grads * sizeof **grads);
    for (int i = 0, off = 0; ok && *grads && i < net->n_params; off += (int)net->params[i].numel, i++)
        memcpy(*grads + off, net->params[i].grad, net->params[i].numel * sizeof(float));
    zc_net_free(net);
    return ok && *grads;
}

static void test_prune_exact(void)
{
    const char *archs[] = {
        "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|none~2|",
        "|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|nor_conv_1x1~2|",      /* node 2 = none + none */
        "|nor_conv_1x1~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|skip_connect~2|",
        "|skip_connect~0|+|none~0|skip_connect~1|+|none~0|nor_conv_3x3~1|none~2|",
    };
    const int batch = 4, n_in = batch * 3 * 16 * 16;
    float *x = malloc(n_in * sizeof *x);
    for (int i = 0; i < n_in; i++) x[i] = (float)((i * 7919) % 1000) / 500.0f - 1.0f;
    const char *backends[] = {"ref", "dnnl"};
    for (int b = 0; b < 2; b++) {
        const zc_backend *be = zc_backend_get(backends[b]);
        if (!be) continue;   /* dnnl not built in */
        for (size_t k = 0; k < sizeof archs / sizeof *archs; k++) {
            float *g0 = NULL, *g1 = NULL;
            size_t n0 = 0, n1 = 0;
            int bad0 = 0, bad1 = 0;
            int ok0 = run_grads(archs[k], be, 0, x, batch, &g0, &n0, &bad0);
            int ok1 = run_grads(archs[k], be, 1, x, batch, &g1, &n1, &bad1);
            CHECK_MSG(ok0 && ok1 && n0 == n1, "%s %s: runs failed", backends[b], archs[k]);
            CHECK_MSG(bad1 == 0, "%s %s: %d live 'none' / one-term sums after pruning", backends[b], archs[k], bad1);
            if (ok0 && ok1 && n0 == n1) {
                size_t diff = 0;
                for (size_t i = 0; i < n0; i++) diff += g0[i] != g1[i];
                CHECK_MSG(diff == 0, "%s %s: %zu of %zu gradients differ after pruning", backends[b], archs[k], diff, n0);
            }
            free(g0);
            free(g1);
        }
    }
    free(x);
}

/* The memory estimate a run checks before building: every node output per sample (floats) plus 28
 * bytes per parameter (value, gradient, backend copy, two double statistics); counted by hand. */
static void test_memory_estimate(void)
{
    zc_net *net = zc_net_new(3, 4, 4);                              /* 48 floats per sample */
    zc_net_set_shapes_only(net);
    int c = zc_net_conv2d(net, 0, "conv", 2, 3, 1, 1, 1, 0);        /* 32 floats, 54 weights */
    int g = zc_net_gap(net, zc_net_relu(net, c));                   /* relu 32, gap 2 */
    zc_net_linear(net, g, "fc", 5, 1);                              /* 5 floats, 10 + 5 parameters */
    CHECK_MSG(zc_net_memory_bytes(net, 2) == (48 + 32 + 32 + 2 + 5) * 2 * 4 + (54 + 15) * 28, "%lld", (long long)zc_net_memory_bytes(net, 2));
    CHECK(zc_net_memory_bytes(net, 0) == zc_net_memory_bytes(net, 1));
    zc_net_free(net);
}

int main(void)
{
    test_memory_estimate();
    test_costs();
    test_parse_errors();
    test_structure();
    test_prune_exact();
    return check_report("test_nb201");
}
