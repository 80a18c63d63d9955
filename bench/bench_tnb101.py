#!/usr/bin/env python3
"""zcnas vs PyTorch on TransNAS-Bench-101, side by side in one run: per-architecture seconds of ZiCo (2
batches) and epsilon (one batch, weights 1e-7 and 1) on the same N micro and N macro architectures (a
seeded sample of the benchmark table), the same images and one thread each. The task network is the
heaviest, the autoencoder (encoder + 14-layer generative decoder at 256 x 256); the PyTorch model is the
one the oracle checks against (tests/oracle/reference.py: TNBNetwork, written from the official code),
ZiCo as compute_zico.getzico (Conv2d and Linear weights; L1 loss to the input image, as the benchmark
trains) and epsilon as compute_epsinas. The images are random 256 x 256 PNGs in a generated folder
(autoencoder takes its target from the image), read by zcnas's reader and by PIL for PyTorch.
Then the peak resident memory of zcnas scoring ZiCo at NASLib's zero-cost batch size (32) on the
largest sampled network. Prints Markdown with the CPU and its vector ISA.

usage: bench/bench_tnb101.py [--n 10] [--batch 4] [--seed 0] [--build build]
"""
import argparse, csv, io, math, os, random, resource, statistics, subprocess, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
from reference import TNBNetwork  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "bench"))
from bench_nb101 import cpu, run  # noqa: E402


def load_images(folder, n):
    files = sorted(os.listdir(folder))[:n]
    x = np.stack([np.asarray(Image.open(os.path.join(folder, f)).convert("RGB"), np.float32) / 255 for f in files])
    return torch.from_numpy(((x - 0.5) / 0.5).transpose(0, 3, 1, 2).copy())


def torch_zico(arch, batches):
    t0 = time.perf_counter()
    m = TNBNetwork(arch, "autoencoder").train()
    grads = {}
    for x in batches:
        m.zero_grad()
        F.l1_loss(m(x), x).backward()
        for name, mod in m.named_modules():
            if isinstance(mod, (nn.Conv2d, nn.Linear)) and not isinstance(mod, nn.ConvTranspose2d):
                grads.setdefault(name, []).append(mod.weight.grad.detach().reshape(-1).clone())
    score = 0.0
    for g in grads.values():
        g = torch.stack(g)
        std, mean = g.std(0, unbiased=False), g.abs().mean(0)
        nz = std != 0
        s = (mean[nz] / std[nz]).sum().item()
        if s != 0:
            score += math.log(s)
    return score, time.perf_counter() - t0


def torch_epsilon(arch, x, weights=(1e-7, 1.0)):
    t0 = time.perf_counter()
    outs = []
    for w in weights:
        m = TNBNetwork(arch, "autoencoder").train()
        for mod in m.modules():
            if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.BatchNorm2d)):
                nn.init.constant_(mod.weight, w)
                if mod.bias is not None:
                    nn.init.zeros_(mod.bias)
        with torch.no_grad():
            y = m(x).reshape(-1)
        outs.append((y - y.min()) / (y.max() - y.min()))
    d = (outs[0] - outs[1]).abs().nanmean() / torch.stack(outs).nanmean()
    return d.item(), time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()
    root = os.environ.get("ZCNAS_DATA") or os.path.join(ROOT, "..", "shared", "data")
    os.environ["ZCNAS_DATA"] = root
    torch.set_num_threads(1)
    torch.manual_seed(0)
    rng = np.random.default_rng(a.seed)
    data = os.path.join(a.build, "bench_tnb101_images")
    os.makedirs(data, exist_ok=True)
    for i in range(4 * a.batch):
        p = os.path.join(data, f"{i:03d}.png")
        if not os.path.exists(p):
            Image.fromarray(rng.integers(0, 256, (256, 256, 3), dtype=np.uint8)).save(p)
    # zcnas draws a seeded shuffle of the folder; PyTorch takes images of the same folder (timing only)
    x = load_images(data, 2 * a.batch)
    batches = [x[:a.batch], x[a.batch:]]
    zcnas = os.path.join(a.build, "zcnas")
    table = {}
    with open(os.path.join(root, "benchmarks", "tnb101_macro_micro_val.csv"), newline="") as f:
        for r in csv.DictReader(f):
            table.setdefault(r["space"], set()).add(r["arch_str"])
    lines, biggest = [], (0, None, None)
    for space, key in (("tnb101-micro", "transbench101_micro"), ("tnb101-macro", "transbench101_macro")):
        archs = random.Random(a.seed).sample(sorted(table[key]), a.n)
        path = os.path.join(a.build, f"bench_{space}.txt")
        with open(path, "w") as f:
            f.write("\n".join(archs) + "\n")
        for proxy, extra in (("zico", ["--batch-size", str(a.batch), "--batches", "2"]),
                             ("epsilon", ["--eps-batch-size", str(a.batch)])):
            out = run([zcnas, "score", "--space", space, "--task", "autoencoder", "--arch-file", path, "--proxy",
                       proxy + (",flops" if proxy == "zico" else ""), "--threads", "1", "--data", data, "--quiet"] + extra)
            got = list(csv.DictReader(io.StringIO(out)))
            z = [float(r[proxy + "_seconds"]) for r in got]
            if proxy == "zico":
                for r in got:
                    if float(r["flops"]) > biggest[0]:
                        biggest = (float(r["flops"]), space, r["arch"])
            t = [(torch_zico(s, batches) if proxy == "zico" else torch_epsilon(s, x[:a.batch]))[1] for s in archs]
            ratios = [b / c for c, b in zip(z, t)]
            lines.append(f"| {space} | {proxy} | {statistics.median(z):.2f} | {statistics.median(t):.2f} | "
                         f"{statistics.median(ratios):.2f}x | {min(ratios):.2f}x .. {max(ratios):.2f}x |")
            print(f"{space} {proxy}: done", file=sys.stderr, flush=True)
    # peak memory: ZiCo at batch 32 on the largest network, measured by the child's maximum RSS
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    run([zcnas, "score", "--space", biggest[1], "--task", "autoencoder", "--arch", biggest[2], "--proxy", "zico",
         "--batch-size", "32", "--batches", "2", "--threads", "1", "--data", data, "--quiet"])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"TransNAS-Bench-101 autoencoder (256 x 256), {a.n} micro + {a.n} macro architectures of the table "
          f"(seed {a.seed}), ZiCo 2 batches of {a.batch}, epsilon a batch of {a.batch}, 1 thread each, CPU {cpu()}\n")
    print("| space | proxy | zcnas s/arch (median) | PyTorch s/arch (median) | speed-up (median) | range |")
    print("|---|---|---|---|---|---|")
    print("\n".join(lines))
    print(f"\nPeak memory of zcnas, ZiCo with 2 batches of 32 on the largest sampled network ({biggest[1]} "
          f"{biggest[2]}, {biggest[0] / 1e9:.2f} GMACs per image): {max(peak, before) / 1024 / 1024:.2f} GiB (max RSS)")


if __name__ == "__main__":
    main()
