/* zcnas init: writes a network's initial weights as a directory of .npy files. */
#include <string.h>
#include "cli.h"

int cmd_init(int argc, char **argv)
{
    cli_opt opts[] = {
        {"space", "NAME", "search space", "nb201", 0},
        {"arch", "STR", "architecture string", NULL, 0},
        {"index", "N", "benchmark index (needs the benchmark table)", NULL, 0},
        {"bench", "FILE", "NB201 benchmark table for indices [default: $ZCNAS_DATA/benchmarks/nb201_accuracy.csv]", NULL, 0},
        {"dataset", "NAME", "cifar10, cifar100 or imagenet16 (number of classes)", "cifar10", 0},
        {"classes", "N", "override the number of classes (e.g. 1 for epsilon's network)", NULL, 0},
        {"seed", "S", "seed; the same (seed, arch) gives the weights `zcnas score` uses", "0", 0},
        {"init", "KIND", "default (PyTorch), gaussian (N(0,1)) or constant", "default", 0},
        {"constant", "W", "the value for --init constant", "1", 0},
        {"save", "DIR", "output directory (created if missing)", NULL, 0},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    int rc = cli_parse("init", "Writes initial weights as DIR/<state_dict key>.npy, e.g. DIR/stem.0.weight.npy, so that\n"
                       "PyTorch can load them into xautodl's TinyNetwork, and `zcnas score --weights DIR` can\n"
                       "score with weights made elsewhere.", argc, argv, opts, n);
    if (rc >= 0) return rc;
    if (!cli_flag(opts, n, "save")) return cli_error(CLI_USAGE, "init: --save DIR is required");
    zc_nb201_arch arch;
    int index;
    if ((rc = cli_one_nb201("init", opts, n, &arch, &index))) return rc;
    zc_dataset_kind kind;
    if (zc_dataset_kind_parse(cli_str(opts, n, "dataset"), &kind) != ZC_OK) return cli_fail_status(ZC_EINVAL);
    long classes = zc_dataset_classes(kind), seed;
    if (cli_flag(opts, n, "classes") && (rc = cli_int(opts, n, "classes", 1, 100000, &classes))) return rc;
    if ((rc = cli_int(opts, n, "seed", 0, 0x7fffffffL, &seed))) return rc;
    const char *init = cli_str(opts, n, "init");
    double constant;
    if ((rc = cli_double(opts, n, "constant", &constant))) return rc;
    zc_nb201_config cfg = zc_nb201_default_config((int)classes, zc_dataset_resolution(kind));
    zc_net *net = zc_nb201_build(&arch, &cfg);
    if (!net) return cli_fail_status(ZC_EINVAL);
    /* Same stream as the scorer: (seed, benchmark index). */
    zc_rng r;
    zc_rng_seed(&r, (uint64_t)seed, cli_nb201_stream(&arch, index));
    if (!strcmp(init, "default")) zc_net_init_default(net, &r);
    else if (!strcmp(init, "gaussian")) zc_net_init_gaussian(net, &r);
    else if (!strcmp(init, "constant")) zc_net_init_constant(net, (float)constant);
    else { zc_net_free(net); return cli_error(CLI_USAGE, "--init: expected default, gaussian or constant, got '%s'", init); }
    zc_status st = zc_net_save_weights(net, cli_str(opts, n, "save"));
    if (st == ZC_OK)
        fprintf(stderr, "zcnas: wrote %d tensors (%lld parameters) to %s\n", net->n_params,
                (long long)zc_net_param_count(net), cli_str(opts, n, "save"));
    zc_net_free(net);
    return st == ZC_OK ? CLI_OK : cli_fail_status(st);
}
