/* zcnas info: an architecture's cell, macro structure, parameters and FLOPs. */
#include <string.h>
#include "cli.h"

static void print_grouped(int64_t v, char *buf, size_t size)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%lld", (long long)v);
    size_t len = strlen(raw), o = 0;
    for (size_t i = 0; i < len && o + 2 < size; i++) {
        if (i && (len - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
}

int cmd_info(int argc, char **argv)
{
    cli_opt opts[] = {
        {"space", "NAME", "search space", "nb201", 0},
        {"arch", "STR", "architecture string", NULL, 0},
        {"index", "N", "benchmark index (needs the benchmark table)", NULL, 0},
        {"bench", "FILE", "NB201 benchmark table for indices [default: $ZCNAS_DATA/benchmarks/nb201_accuracy.csv]", NULL, 0},
        {"dataset", "NAME", "cifar10, cifar100 or imagenet16 (classes and input size)", "cifar10", 0},
        {"tensors", NULL, "also list every parameter tensor (state_dict key and shape)", NULL, 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    int rc = cli_parse("info", "Prints an architecture's structure, parameters and FLOPs (MACs, NAS-Bench-201 API rules).",
                       argc, argv, opts, n);
    if (rc >= 0) return rc;
    zc_nb201_arch arch;
    int index;
    if ((rc = cli_one_nb201("info", opts, n, &arch, &index))) return rc;
    zc_dataset_kind kind;
    if (zc_dataset_kind_parse(cli_str(opts, n, "dataset"), &kind) != ZC_OK) return cli_fail_status(ZC_EINVAL);
    int classes = zc_dataset_classes(kind), res = zc_dataset_resolution(kind);
    zc_nb201_config cfg = zc_nb201_default_config(classes, res);
    zc_net *net = zc_nb201_build(&arch, &cfg);
    if (!net) return cli_fail_status(ZC_EINVAL);
    char s[ZC_NB201_STR_MAX];
    zc_nb201_format(&arch, s, sizeof s);
    printf("arch        %s\n", s);
    if (index >= 0) printf("index       %d\n", index);
    else printf("index       - (no benchmark table: --bench FILE or $ZCNAS_DATA)\n");
    printf("cell        ");
    for (int to = 1, e = 0; to <= 3; to++) {
        if (to > 1) printf("            ");
        printf("node%d = ", to);
        for (int from = 0; from < to; from++, e++)
            printf("%s%s(node%d)", from ? " + " : "", zc_nb201_op_name(arch.ops[e]), from);
        printf("\n");
    }
    int C = cfg.C;
    printf("network     stem conv3x3(3->%d)+BN | %d cells @%d ch %dx%d | ResNet block %d->%d s2 | %d cells @%d ch %dx%d |\n"
           "            ResNet block %d->%d s2 | %d cells @%d ch %dx%d | BN+ReLU, global avg pool, linear %d->%d\n",
           C, cfg.N, C, res, res, C, 2 * C, cfg.N, 2 * C, res / 2, res / 2, 2 * C, 4 * C, cfg.N, 4 * C, res / 4,
           res / 4, 4 * C, classes);
    int convs = 0, linears = 0;
    for (int i = 0; i < net->n_nodes; i++) {
        convs += net->nodes[i].op == ZC_OP_CONV2D;
        linears += net->nodes[i].op == ZC_OP_LINEAR;
    }
    char buf[32];
    print_grouped(zc_net_param_count(net), buf, sizeof buf);
    printf("params      %s (%.4f M)\n", buf, zc_net_param_count(net) / 1e6);
    print_grouped(zc_net_flops(net), buf, sizeof buf);
    printf("flops       %s MACs per %dx%d image (%.4f M)\n", buf, res, res, zc_net_flops(net) / 1e6);
    printf("layers      %d conv + %d linear (the layers ZiCo scores), %d parameter tensors\n", convs, linears,
           net->n_params);
    printf("epsilon     %s\n", zc_nb201_has_convfree_path(&arch)
                                   ? "has a conv-free path: scored"
                                   : "no conv-free path from cell input to output: NaN at weights 1e-7,1 (excluded)");
    if (cli_flag(opts, n, "tensors"))
        for (int i = 0; i < net->n_params; i++) {
            const zc_param *p = &net->params[i];
            printf("  %-40s [", p->name);
            for (int d = 0; d < p->ndim; d++) printf("%s%d", d ? ", " : "", p->shape[d]);
            printf("]\n");
        }
    zc_net_free(net);
    return CLI_OK;
}
