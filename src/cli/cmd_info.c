/* zcnas info: an architecture's structure, parameters, FLOPs and network. */
#include <string.h>
#include <stdlib.h>
#include "cli.h"

int cmd_info(int argc, char **argv)
{
    cli_opt opts[] = {
        CLI_SPACE_OPTS,
        {"arch", "STR", "architecture string", NULL, 0},
        {"index", "N", "benchmark index (needs the benchmark table)", NULL, 0},
        {"tensors", NULL, "also list every parameter tensor (state_dict key and shape)", NULL, 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    int rc = cli_parse("info", "Prints an architecture's structure, parameters and FLOPs (multiply-accumulates, as the\n"
                       "space's benchmark counts them) and the network zcnas builds for it.",
                       argc, argv, opts, n);
    if (rc >= 0) return rc;
    zc_space_ctx *ctx;
    zc_dataset_kind kind;
    if ((rc = cli_open_space(opts, n, cli_flag(opts, n, "index"), &ctx, &kind))) return rc;
    const zc_space *sp = ctx->space;
    void *arch = calloc(1, sp->arch_size);
    char *str = malloc(sp->str_max);
    zc_net *net = NULL;
    if (!arch || !str) rc = cli_error(CLI_RUNTIME, "out of memory");
    if (!rc) rc = cli_select_one("info", opts, n, ctx, arch);
    zc_cost cost;
    zc_status st;
    if (!rc && ((st = zc_space_format(ctx, arch, str, sp->str_max)) != ZC_OK || (st = zc_space_cost(ctx, arch, &cost)) != ZC_OK))
        rc = cli_fail_status(st);
    zc_build_opts bo = {0, 1, 1, 0};
    if (!rc && !(net = zc_space_build(ctx, arch, &bo))) rc = cli_fail_status(ZC_EINVAL);
    if (!rc) {
        printf("space       %s: %s\n", sp->name, sp->title);
        printf("arch        %s\n", str);
        long index = zc_space_index_of(ctx, arch);
        if (index >= 0) printf("index       %ld\n", index);
        else if (sp->from_index) printf("index       - (no benchmark table: --bench FILE or $%s)\n", ZC_DATA_ENV);
        sp->info(ctx, arch, stdout);
        char buf[32];
        cli_grouped((int64_t)cost.params, buf, sizeof buf);
        printf("params      %s (%.4f M)\n", buf, cost.params / 1e6);
        cli_grouped((int64_t)cost.flops, buf, sizeof buf);
        if (sp->datasets)   /* a language model: one sample is a sequence */
            printf("flops       %s MACs per sequence (%.4f M)\n", buf, cost.flops / 1e6);
        else
            printf("flops       %s MACs per %dx%d image (%.4f M)\n", buf, ctx->cfg.cost_resolution, ctx->cfg.cost_resolution,
                   cost.flops / 1e6);
        int convs = 0, linears = 0;   /* weights, not nodes: a recurrent layer's steps share theirs */
        for (int i = 0; i < zc_net_num_params(net); i++) {
            zc_param_info p;
            zc_node_info ni;
            zc_net_param_info(net, i, &p);
            zc_net_node_info(net, p.node, &ni);
            if (!zc_net_is_layer_weight(net, i)) continue;
            convs += ni.op == ZC_OP_CONV2D;
            linears += ni.op == ZC_OP_LINEAR;
        }
        printf("layers      %d conv + %d linear (the layers ZiCo scores), %d parameter tensors", convs, linears,
               zc_net_num_params(net));
        if (cost.layers >= 0) printf("; %d by the space's count", cost.layers);
        printf("\n");
        if (cli_flag(opts, n, "tensors"))
            for (int i = 0; i < zc_net_num_params(net); i++) {
                zc_param_info p;
                zc_net_param_info(net, i, &p);
                printf("  %-40s [", p.name);
                for (int d = 0; d < p.ndim; d++) printf("%s%d", d ? ", " : "", p.shape[d]);
                printf("]\n");
            }
    }
    zc_net_free(net);
    free(arch);
    free(str);
    zc_space_close(ctx);
    return rc;
}
