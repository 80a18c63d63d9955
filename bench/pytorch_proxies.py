#!/usr/bin/env python3
"""The PyTorch side of the benchmark: ZiCo and epsilon computed the way the authors' code does
(xautodl's NAS-Bench-201 TinyNetwork, zero-cost-nas' NAS-Bench-101 network, compute_zico.getzico,
epsinas' compute_epsinas: the references of tests/oracle/reference.py, shared with the oracles), on
the same architectures, the same CIFAR-10 images ($ZCNAS_DATA/cifar10/data_batch_1.bin) and the same
thread count as zcnas. Prints one CSV row per architecture with the score and the seconds it took
(network construction included, as in the official loops).

usage: pytorch_proxies.py --index 0,5,17 --proxy zico|epsilon [--batch-size 64] [--threads 1]
       pytorch_proxies.py --space nb101 --arch-file F --proxy zico|epsilon [...]
"""
import argparse, os, sys, time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "oracle"))
from reference import (epsilon_model, epsilon_torch, load_cifar10, nb101_network, tiny_network,  # noqa: E402
                       zico_torch)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--space", choices=["nb201", "nb101"], default="nb201")
    ap.add_argument("--index", help="nb201: benchmark indices")
    ap.add_argument("--arch-file", help="nb101: one arch string per line")
    ap.add_argument("--proxy", choices=["zico", "epsilon"], required=True)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    root = os.environ.get("ZCNAS_DATA", "")   # the data root, as for zcnas (scripts/data-env.sh)
    ap.add_argument("--data", default=os.path.join(root, "cifar10", "data_batch_1.bin"))
    ap.add_argument("--table", default=os.path.join(root, "benchmarks", "nb201_accuracy.csv"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    archs = {}
    if a.space == "nb101":
        with open(a.arch_file) as f:
            archs = {i: line.strip() for i, line in enumerate(f) if line.strip()}
        idx = sorted(archs)
    else:
        with open(a.table) as f:
            next(f)
            for line in f:
                i, s = line.split(",", 2)[:2]
                archs[int(i)] = s
        idx = [int(v) for v in a.index.split(",")]
    x, y = (torch.from_numpy(v) for v in load_cifar10(a.data, 2 * a.batch_size if a.proxy == "zico" else 256))
    batches = [(x[:a.batch_size], y[:a.batch_size]), (x[a.batch_size:2 * a.batch_size], y[a.batch_size:2 * a.batch_size])]
    print(f"index,{a.proxy},{a.proxy}_seconds", flush=True)
    for i in idx:
        t0 = time.perf_counter()
        if a.space == "nb101" and a.proxy == "zico":
            v = zico_torch(nb101_network(archs[i]), batches)
        elif a.space == "nb101":   # epsinas' NB101 setting: one output, BN without running stats
            v = epsilon_model(nb101_network(archs[i], 1, False), x, (1e-4, 10.0))
        elif a.proxy == "zico":
            v = zico_torch(tiny_network(archs[i]), batches)
        else:
            v = epsilon_torch(archs[i], x)
        print(f"{i},{v:.9g},{time.perf_counter() - t0:.6f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
