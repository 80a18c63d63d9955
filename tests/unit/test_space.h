/* A test space for the unit tests: one fixed network made by a builder function (every architecture
 * string is "x"), so proxies and the scoring context can run on small hand-made networks. */
#ifndef ZC_TEST_SPACE_H
#define ZC_TEST_SPACE_H
#include <stdio.h>
#include <string.h>
#include "zcnas/cost.h"
#include "zcnas/space.h"

/* The builder the test space calls: classes, BN running stats, shapes only. */
typedef zc_net *(*test_builder)(int classes, int trs, int shapes_only);
static test_builder test_space_builder;

typedef struct test_arch { int id; } test_arch;

static zc_status test_parse(const zc_space_ctx *c, const char *s, void *a)
{
    (void)c;
    int id;
    if (sscanf(s, "x%d", &id) != 1) return zc_fail(ZC_EINVAL, "test space: bad arch '%s'", s);
    ((test_arch *)a)->id = id;
    return ZC_OK;
}

static zc_status test_format(const zc_space_ctx *c, const void *a, char *buf, size_t size)
{
    (void)c;
    snprintf(buf, size, "x%d", ((const test_arch *)a)->id);
    return ZC_OK;
}

static zc_net *test_build(const zc_space_ctx *c, const void *a, const zc_build_opts *o)
{
    (void)a;
    return test_space_builder(o->num_classes > 0 ? o->num_classes : c->cfg.num_classes, o->track_running_stats,
                              o->shapes_only);
}

static zc_status test_cost(const zc_space_ctx *c, const void *a, zc_cost *cost)
{
    zc_build_opts o = {0, 1, 1, 0};
    zc_net *net = test_build(c, a, &o);
    if (!net) return ZC_EINVAL;
    cost->params = (double)zc_net_param_count(net);
    cost->flops = (double)zc_net_flops(net);
    cost->layers = -1;
    zc_net_free(net);
    return ZC_OK;
}

static uint64_t test_stream(const zc_space_ctx *c, const void *a)
{
    (void)c;
    return (uint64_t)((const test_arch *)a)->id;
}

static const zc_space test_space = {
    .name = "test",
    .aliases = "",
    .title = "unit-test networks",
    .arch_size = sizeof(test_arch),
    .str_max = 32,
    .dataset = "cifar10",
    .parse = test_parse,
    .format = test_format,
    .build = test_build,
    .cost = test_cost,
    .stream = test_stream,
};

/* Opens the test space for `builder` with the given classes and input size. */
static zc_space_ctx *test_space_open(test_builder builder, int classes, int resolution)
{
    test_space_builder = builder;
    zc_space_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.num_classes = classes;
    cfg.resolution = resolution;
    zc_space_ctx *ctx = NULL;
    if (zc_space_open(&test_space, &cfg, &ctx) != ZC_OK) fprintf(stderr, "test space: %s\n", zc_last_error());
    return ctx;
}

#endif
