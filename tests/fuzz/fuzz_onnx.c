/* Fuzzes the ONNX reader and graph mapper (src/spaces/onnx/: protobuf-c's parse of Debian's onnx.proto,
 * then the mapping of every node onto the engine): the input is written to a file and parsed as an
 * architecture of the onnx space.
 * Asserts: a failure leaves an error message; an accepted model formats back to its path, builds (shapes
 * only, at the space's 32 x 32) to a network with an output or fails with a message (a model exported
 * for another size may not fit), has a finite non-negative cost or a message, and prints its info. */
#include <math.h>
#include "fuzz_common.h"
#include "zcnas/cost.h"
#include "zcnas/space.h"

static zc_space_ctx *ctx;
static FILE *devnull;
static void *arch;
static char *canon;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[512];
    if (!ctx) {
        unsetenv(ZC_DATA_ENV);
        ZCF_SETUP(zc_space_open(zc_space_find("onnx"), NULL, &ctx) == ZC_OK, "zc_space_open onnx");
        devnull = fopen("/dev/null", "w");
        arch = calloc(1, ctx->space->arch_size);
        canon = malloc(ctx->space->str_max);
        ZCF_SETUP(devnull && arch && canon, "allocation");
        zcf_path(path, sizeof path, "model.onnx");
    }
    zcf_write(path, data, size);
    zc_clear_error();
    zc_status st = zc_space_parse(ctx, path, arch);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_space_parse onnx");
    if (st != ZC_OK) return 0;
    ZCF_CHECK(zc_space_format(ctx, arch, canon, ctx->space->str_max) == ZC_OK && !strcmp(canon, path),
              "an accepted model formats as '%.200s'", canon);
    zc_build_opts bo = {0, 1, 1, 0};
    zc_clear_error();
    zc_net *net = zc_space_build(ctx, arch, &bo);
    ZCF_CHECK(net || zc_last_error()[0], "an accepted model fails to build without a message");
    ZCF_CHECK(!net || zc_net_output_node(net) > 0, "no output node");
    zc_net_free(net);
    zc_cost cost;
    zc_clear_error();
    st = zc_space_cost(ctx, arch, &cost);
    ZCF_CHECK_FAILED_WITH_MESSAGE(st, "zc_space_cost onnx");
    if (st == ZC_OK)
        ZCF_CHECK(isfinite(cost.flops) && cost.flops >= 0 && isfinite(cost.params) && cost.params >= 0,
                  "cost flops %g params %g", cost.flops, cost.params);
    ctx->space->info(ctx, arch, devnull);
    return 0;
}
