#!/usr/bin/env python3
"""zcnas vs PyTorch on the proxies after ZiCo, side by side in one run: per-architecture seconds of
az_nas, meco, swap, te_nas and vkdnw on the same N NB201 architectures (a seeded sample), the same
settings (batch sizes, repeats, inputs) and one thread each. The PyTorch side is the oracle's reference
code (tests/oracle/proxies2_reference.py: written from the official code and checked against it), in
float32 as the official code runs, on xautodl's TinyNetwork (tests/oracle/reference.py):
  az_nas  kaiming init, 64 N(0,1) images, train mode: E/P of the 18 feature maps, 17 autograd.grad VJPs
  meco    default init, one CIFAR-10 image, hooks on every module of MeCo's NAS201Model
  swap    32 x (N(0,1) init + forward of 16 CIFAR-10 images), ReLU patterns counted with numpy
  te_nas  default init, 64 CIFAR-10 images: 64 per-sample backward passes (NTK), then the linear regions
          of 64 N(0,1) images
  vkdnw   kaiming init, eval mode, 64 N(0,1) images: the Jacobian of the logits w.r.t. element 0 of the
          first 128 parameter tensors by per-sample autograd (B x K gradient calls), F, its singular
          values; then jacov on 64 CIFAR-10 images
Both sides include building and initialising the network, after one warm-up architecture (oneDNN's JIT
kernels, buffer pools). zcnas's time is its `<proxy>_seconds` column (`zcnas score --threads 1` on all
N in one process). Prints Markdown with the CPU and its vector ISA.

usage: bench/bench_proxies2.py [--n 4] [--seed 0] [--build build] [--proxies az_nas,meco,swap,te_nas,vkdnw]
"""
import argparse, csv, io, math, os, statistics, sys, time

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
import proxies2_reference as ref  # noqa: E402
from reference import load_cifar10, tiny_network  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "bench"))
from bench_nb101 import cpu, run  # noqa: E402


def kaiming(net):
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def gaussian(net):
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.normal_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def jacov(net, x):
    x = x.clone().requires_grad_(True)
    net.train()
    y = net(x)
    y = y[1] if isinstance(y, tuple) else y
    y.backward(torch.ones_like(y))
    J = x.grad.reshape(x.shape[0], -1).numpy()
    try:
        v, _ = np.linalg.eig(np.corrcoef(J))
        return float(-np.sum(np.log(v + 1e-5) + 1.0 / (v + 1e-5)))
    except np.linalg.LinAlgError:
        return math.nan


def patterns(net, x):
    """The official hooks (SWAP, TE-NAS linear regions): sign of every nn.ReLU output with a 4-D input."""
    outs, hs = [], []
    for m in net.modules():
        if isinstance(m, nn.ReLU):
            hs.append(m.register_forward_hook(
                lambda m, i, o: outs.append(torch.sign(o.detach()).reshape(x.shape[0], -1)) if i[0].dim() == 4 else None))
    net.train()
    with torch.no_grad():
        net(x)
    for h in hs:
        h.remove()
    return torch.cat(outs, 1)


def torch_proxy(name, arch, images):
    """One architecture's proxy in PyTorch, float32; returns seconds."""
    t0 = time.perf_counter()
    f32 = torch.float32
    if name == "az_nas":
        net = tiny_network(arch)
        kaiming(net)
        x = torch.randn(64, 3, 32, 32)
        shapes = ref.az_feature_shapes(net, x)
        v = torch.randint(0, 2, (ref.az_v_length(shapes),)).float() * 2 - 1
        ref.az_scores(net, x, v, dtype=f32)
    elif name == "meco":
        net = tiny_network(arch)
        sd = {k: v.detach().clone() for k, v in net.state_dict().items()}
        ref.meco_reference(arch, sd, images[:1], dtype=f32)
    elif name == "swap":
        net = tiny_network(arch)
        for _ in range(32):
            gaussian(net)
            torch.unique(patterns(net, images[:16]).t(), dim=0).shape[0]   # distinct neuron patterns
    elif name == "te_nas":
        net = tiny_network(arch)
        ref.ntk_from_grads(ref.ntk_grads(net, images[:64], dtype=f32))
        torch.unique(patterns(net, torch.randn(64, 3, 32, 32)), dim=0).shape[0]   # distinct sample patterns
    elif name == "vkdnw":
        net = tiny_network(arch)
        kaiming(net)
        ref.vkdnw_reference(net, torch.randn(64, 3, 32, 32), dtype=f32)
        jacov(net, images[:64])
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--proxies", default="az_nas,meco,swap,te_nas,vkdnw")
    a = ap.parse_args()
    shared = os.path.join(ROOT, "..", "shared", "data")
    if not os.environ.get("ZCNAS_DATA") and os.path.isdir(shared):
        os.environ["ZCNAS_DATA"] = os.path.abspath(shared)
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    zc = os.path.join(a.build, "zcnas")
    out = run([zc, "score", "--sample", str(a.n), "--seed", str(a.seed), "--proxy", "flops", "--quiet"])
    archs = list(csv.DictReader(io.StringIO(out)))
    x, _ = load_cifar10(os.path.join(os.environ["ZCNAS_DATA"], "cifar10", "data_batch_1.bin"), 64)
    images = torch.as_tensor(x)
    rows = []
    warm = "0"   # one architecture first, discarded on both sides: JIT kernels, pools, caches
    for p in a.proxies.split(","):
        o = run([zc, "score", "--index", ",".join([warm] + [r["index"] for r in archs]), "--proxy", p,
                 "--threads", "1", "--quiet"])
        zrows = list(csv.DictReader(io.StringIO(o)))[1:]
        torch_proxy(p, archs[0]["arch"], images)
        zs, ts = [], []
        for r, zr in zip(archs, zrows):
            zs.append(float(zr[f"{p}_seconds"]))
            ts.append(torch_proxy(p, r["arch"], images))
            print(f"bench: {p} #{r['index']}: zcnas {zs[-1]:.2f} s, PyTorch {ts[-1]:.2f} s", file=sys.stderr)
        rows.append((p, statistics.median(zs), statistics.median(ts), statistics.median(t / z for t, z in zip(ts, zs))))
    print(f"CPU: {cpu()}; one thread each; {a.n} NB201 architectures (--sample {a.n} --seed {a.seed}); "
          f"torch {torch.__version__}\n")
    print("| proxy | zcnas s/arch (median) | PyTorch s/arch (median) | PyTorch / zcnas (median of per-arch ratios) |")
    print("|---|---:|---:|---:|")
    for p, z, t, ratio in rows:
        print(f"| {p} | {z:.2f} | {t:.2f} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
