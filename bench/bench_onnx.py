#!/usr/bin/env python3
"""ZiCo through ONNX: zcnas scoring an exported model (`zcnas score --onnx`) against PyTorch's ZiCo
(the official getzico, tests/oracle/reference.py) on the same module, side by side in one run: a
ResNet-18 (CIFAR-size input, 10 classes) and N NAS-Bench-201 cells (xautodl's TinyNetwork), 2 batches
of B CIFAR-10 images, one thread each. For the NB201 cells zcnas's native network is timed too
(`--space nb201 --arch`), so the cost of going through ONNX shows. zcnas's time is its zico_seconds
column (network build and initialisation included); PyTorch's includes the same (module construction
excluded: it is the user's model). The first model of each side is a warm-up, not counted. Prints
Markdown with the CPU and its vector ISA.

usage: bench/bench_onnx.py [--n 3] [--batch-size 64] [--build build]
"""
import argparse, csv, io, os, statistics, sys, tempfile, time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
import reference as R  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "bench"))
from bench_nb101 import cpu, run  # noqa: E402

CELLS = ["|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
         "|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
         "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
         "|nor_conv_1x1~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_1x1~2|"]


def zico_seconds(out):
    r = [x for x in csv.DictReader(io.StringIO("".join(l for l in out.splitlines(True) if not l.startswith("#"))))]
    return float(r[0]["zico_seconds"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()
    zcnas = os.path.join(a.build, "zcnas")
    data = os.environ.get("ZCNAS_DATA") or os.path.join(ROOT, "..", "shared", "data")
    os.environ["ZCNAS_DATA"] = data
    torch.set_num_threads(1)
    os.environ["OMP_NUM_THREADS"] = "1"
    x, y = R.load_cifar10(os.path.join(data, "cifar10", "data_batch_1.bin"), 2 * a.batch_size)
    batches = [(x[i * a.batch_size:(i + 1) * a.batch_size], y[i * a.batch_size:(i + 1) * a.batch_size]) for i in range(2)]
    models = [("warm-up", R.tiny_network(CELLS[-1]), None), ("ResNet-18", R.ResNet18(), None)]
    models += [(f"NB201 cell {k}", R.tiny_network(c), c) for k, c in enumerate(CELLS[:a.n])]
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for name, model, cell in models:
            path = os.path.join(d, "m.onnx")
            model.train()
            torch.onnx.export(model, torch.randn(2, 3, 32, 32), path, training=torch.onnx.TrainingMode.TRAINING,
                              do_constant_folding=False)
            common = ["--proxy", "zico", "--threads", "1", "--batch-size", str(a.batch_size), "--batches", "2"]
            t_onnx = zico_seconds(run([zcnas, "score", "--onnx", path, *common]))
            t_native = zico_seconds(run([zcnas, "score", "--space", "nb201", "--arch", cell, *common])) if cell else None
            t0 = time.perf_counter()
            for m in model.modules():   # a fresh default initialisation, as zcnas does
                if hasattr(m, "reset_parameters"):
                    m.reset_parameters()
            R.zico_torch(model, batches)
            t_torch = time.perf_counter() - t0
            if name != "warm-up":
                rows.append((name, t_onnx, t_native, t_torch))
    print(f"CPU: {cpu()}; one thread each; ZiCo with 2 batches of {a.batch_size} CIFAR-10 images\n")
    print("| model | zcnas --onnx s | zcnas native s | PyTorch s | PyTorch / zcnas --onnx |")
    print("|---|---:|---:|---:|---:|")
    for name, t1, t2, t3 in rows:
        print(f"| {name} | {t1:.2f} | {'' if t2 is None else f'{t2:.2f}'} | {t3:.2f} | {t3 / t1:.2f}x |")
    nb = [r for r in rows if r[2] is not None]
    if nb:
        print(f"\nNB201 median PyTorch / zcnas --onnx: {statistics.median(r[3] / r[1] for r in nb):.2f}x; "
              f"--onnx / native: {statistics.median(r[1] / r[2] for r in nb):.2f}x")


if __name__ == "__main__":
    main()
