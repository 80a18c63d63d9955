/* zcnas init: writes a network's initial weights as a directory of .npy files. */
#include <string.h>
#include <stdlib.h>
#include "cli.h"

int cmd_init(int argc, char **argv)
{
    cli_opt opts[] = {
        CLI_SPACE_OPTS,
        {"arch", "STR", "architecture string", NULL, 0},
        {"index", "N", "benchmark index (needs the benchmark table)", NULL, 0},
        {"seed", "S", "seed; the same (seed, arch) gives the weights `zcnas score` uses", "0", 0},
        {"init", "KIND", "default (PyTorch), gaussian (N(0,1)) or constant", "default", 0},
        {"constant", "W", "the value for --init constant", "1", 0},
        {"save", "DIR", "output directory (created if missing)", NULL, 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    int rc = cli_parse("init", "Writes initial weights as DIR/<state_dict key>.npy, e.g. DIR/stem.0.weight.npy, so that\n"
                       "PyTorch can load them into the official model (xautodl's TinyNetwork for nb201), and\n"
                       "`zcnas score --weights DIR` can score with weights made elsewhere. --num-classes 1 gives\n"
                       "epsilon's network.", argc, argv, opts, n);
    if (rc >= 0) return rc;
    if (!cli_flag(opts, n, "save")) return cli_error(CLI_USAGE, "init: --save DIR is required");
    long seed;
    double constant;
    const char *init = cli_str(opts, n, "init");
    if ((rc = cli_int(opts, n, "seed", 0, 0x7fffffffL, &seed)) || (rc = cli_double(opts, n, "constant", &constant)))
        return rc;
    if (strcmp(init, "default") && strcmp(init, "gaussian") && strcmp(init, "constant"))
        return cli_error(CLI_USAGE, "--init: expected default, gaussian or constant, got '%s'", init);
    zc_space_ctx *ctx;
    zc_dataset_kind kind;
    if ((rc = cli_open_space(opts, n, cli_flag(opts, n, "index"), &ctx, &kind))) return rc;
    void *arch = calloc(1, ctx->space->arch_size);
    zc_net *net = NULL;
    zc_status st = ZC_OK;
    if (!arch) rc = cli_error(CLI_RUNTIME, "out of memory");
    if (!rc) rc = cli_select_one("init", opts, n, ctx, arch);
    zc_build_opts bo = {0, 1, 0, 0};
    if (!rc && !(net = zc_space_build(ctx, arch, &bo))) rc = cli_fail_status(ZC_EINVAL);
    if (!rc) {
        /* Same stream as the scorer: (seed, the architecture's stream). */
        zc_rng r;
        zc_rng_seed(&r, (uint64_t)seed, zc_space_stream(ctx, arch));
        if (!strcmp(init, "default")) st = zc_net_init_default(net, &r);
        else if (!strcmp(init, "gaussian")) st = zc_net_init_gaussian(net, &r);
        else st = zc_net_init_constant(net, (float)constant);
        if (st == ZC_OK) st = zc_net_save_weights(net, cli_str(opts, n, "save"));
        if (st == ZC_OK)
            fprintf(stderr, "zcnas: wrote %d tensors (%lld parameters) to %s\n", zc_net_num_params(net),
                    (long long)zc_net_param_count(net), cli_str(opts, n, "save"));
        else rc = cli_fail_status(st);
    }
    zc_net_free(net);
    free(arch);
    zc_space_close(ctx);
    return rc;
}
