#!/usr/bin/env python3
"""Oracle: the synflow, nwot and zen proxies against PyTorch re-implementations of the code whose
numbers the ZiCo paper reports (spec 3; pitfalls 7, 15, 16, 19).

For NB201 architectures with 'none' edges, with only skip/pool edges, with many convolutions (ReLU
modules merged by the engine) and with only 'none' edges (degenerate), weights come from
`zcnas init --arch A --seed S --save D` and are loaded (strict) into xautodl's TinyNetwork
(tests/oracle/reference.py: official module names, in-place lastact ReLU).

1. synflow through the CLI (`zcnas score --proxy synflow --weights D`) against zero-cost-nas'
   compute_synflow_per_weight: model.double(), abs_() of every state_dict tensor (BN buffers too),
   every BatchNorm2d's forward replaced by the identity (bn=False), input ones(1, 3, 32, 32),
   sum(output).backward(), sum over Conv2d/Linear of |W * W.grad|. Both sides are float64 on the same
   float32 weights; the CLI prints 9 significant digits, so SYNFLOW_TOL = 2e-8 relative.
2. nwot through the CLI (`--proxy nwot --weights D --sampler sequential --nwot-batch-size 32`, on
   every backend) against the original NASWOT code: forward hooks on every module whose type name
   contains 'ReLU' (nn.ReLU, and xautodl's ReLUConvBN whose input is its inner ReLU's: those codes
   count twice) reading the input, K += c c^T + (1-c)(1-c)^T, accumulated on a second forward after
   a backward pass has set each module's visited_backwards flag, np.linalg.slogdet(K)[1]; same
   first 32 CIFAR-10 records, normalised as NB201. See NWOT_TOL.
3. zen: zc_zen_net (the test_synzen binary, `zen`, on every backend) on weights from
   `zcnas init --init gaussian` and given x, x' = x + 0.01 eps (numpy), against compute_zen_score
   (ZenNAS / ZiCo repo) without its re-init: train mode, forward_pre_GAP (lastact output) twice,
   mean_n sum |f(x) - f(x')| and ln sqrt(mean running_var) of every BatchNorm2d (momentum 0.1,
   running_var from 1). See ZEN_TOL. (The proxy itself draws init and inputs from its stream; that
   wiring is checked in tests/unit/test_synzen.c.)

usage: oracle_synzen.py --zcnas build/zcnas --workdir build/tests/oracle_synzen.work
exit status: 0 pass, 1 fail, 77 skipped (numpy/torch missing)
"""
import argparse
import copy
import csv
import io
import math
import os
import shutil
import sys
import time
import warnings

try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError as e:  # pragma: no cover
    print(f"oracle_synzen: SKIP: needs numpy and torch ({e})")
    sys.exit(77)

from reference import zcnas_data_root, load_cifar10, run, tiny_network  # noqa: E402

# synflow: both sides float64 from the same float32 weights (summation order differs: ~1e-14); the
# CLI's %.9g output rounds to 5e-9 relative at worst.
SYNFLOW_TOL = 2e-8
# nwot: K holds exact integer counts on both sides; only ReLU inputs within float32 rounding of 0 can
# take the other side in zcnas and in PyTorch (different summation orders), each such flip moving one
# row/column of K by +-1 or 2 (entries ~1e5..1e6). Measured on these archs (batch 32): PyTorch
# float32 is 0..8e-5 (absolute, on scores of 300..450) from float64, zcnas 0..4e-5. zcnas must be
# within max(NWOT_TOL, NWOT_FACTOR x |PyTorch float32 - float64|) of the float64 reference; an
# algorithmic slip moves the score by far more (one ReLU module missed or counted twice: >= 7e-2 here;
# not counting the ReLUConvBN wrappers: ~20).
NWOT_TOL = 2e-4
NWOT_FACTOR = 4.0
# zen: ln(delta) with delta = |f(x) - f(x + 0.01 eps)| summed: a difference of nearby float32
# outputs (two decimal digits cancel), after 17 modules of float32 rounding; the BN terms are
# ln sqrt of float32 batch variances (~1e-7 relative each, ~100 layers). zcnas must be within
# max(ZEN_TOL, 4 x |PyTorch float32 - float64|) of the float64 reference.
ZEN_TOL = 1e-4
ZEN_FACTOR = 4.0

ARCHS = [
    # 'none' edges; two ReLU modules on cell node 1 (merged by the engine)
    "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|",
    # only skip / pool: the only ReLUs are the reductions' and lastact's
    "|skip_connect~0|+|avg_pool_3x3~0|skip_connect~1|+|avg_pool_3x3~0|skip_connect~1|avg_pool_3x3~2|",
    # three ReLU modules on node 0 (merged into one node), mostly 1x1 convs to keep the test quick
    "|nor_conv_1x1~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_3x3~2|",
    # degenerate: every cell outputs 0 -> synflow 0, every ReLU code identical -> ln|det K| = -inf
    "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
]
NWOT_B = 32
ZEN_B = 16

failures = []


def fail(msg):
    failures.append(msg)
    print(f"  FAIL: {msg}")


def ok(msg):
    print(f"  ok: {msg}")


def load_net(arch, wdir):
    net = tiny_network(arch)
    sd = net.state_dict()
    new = {}
    for k, v in sd.items():
        a = np.load(os.path.join(wdir, k + ".npy"))
        if tuple(a.shape) != tuple(v.shape):
            raise RuntimeError(f"{k}: shape {a.shape} vs {tuple(v.shape)}")
        new[k] = torch.from_numpy(a.astype(np.float32) if a.dtype != np.int64 else a)
    net.load_state_dict(new, strict=True)
    return net


# ---------------------------------------------------------------- references

def synflow_zcn(net):
    """zero-cost-nas measures/synflow.py (bn=False), on a copy."""
    net = copy.deepcopy(net)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.forward = lambda x: x  # get_prunable_copy(bn=False): no batch norm
    net.train()
    with torch.no_grad():
        for _, p in net.state_dict().items():
            p.abs_()
    net.zero_grad()
    net.double()
    x = torch.ones([1, 3, 32, 32]).double()
    _, out = net(x)
    torch.sum(out).backward()
    total = 0.0
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            total += float(torch.sum(torch.abs(m.weight * m.weight.grad)))
    return total


def nwot_naswot(net, x, dtype=torch.float32, official_passes=True):
    """BayesWatch nas-without-training score_networks.py: hooks on every module whose type name
    contains 'ReLU' (nn.ReLU and xautodl's ReLUConvBN), K accumulated on a second forward once a
    backward pass has set each module's visited_backwards flag. official_passes=False: one forward
    with every hook active (the same K: train-mode BN gives the same activations on both forwards)."""
    net = copy.deepcopy(net).to(dtype)
    net.train()
    B = x.shape[0]
    net.K = np.zeros((B, B))

    def counting_forward_hook(module, inp, out):
        if official_passes and not getattr(module, "visited_backwards", False):
            return
        if isinstance(inp, tuple):
            inp = inp[0]
        inp = inp.view(inp.size(0), -1)
        c = (inp > 0).float()
        K = c @ c.t()
        K2 = (1. - c) @ (1. - c.t())
        net.K = net.K + K.cpu().numpy() + K2.cpu().numpy()

    def counting_backward_hook(module, inp, out):
        module.visited_backwards = True

    n_hooked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _, module in net.named_modules():
            if "ReLU" in str(type(module)):
                module.register_forward_hook(counting_forward_hook)
                module.register_backward_hook(counting_backward_hook)
                n_hooked += 1
        xx = x.to(dtype).clone()
        x2 = torch.clone(xx)
        if official_passes:
            xx.requires_grad_(True)
            _, y = net(xx)
            y.backward(torch.ones_like(y))
        with torch.no_grad():
            net(x2)
    s, ld = np.linalg.slogdet(net.K)
    return float(ld), n_hooked


def pre_gap(net, x):
    x = net.stem(x)
    for cell in net.cells:
        x = cell(x)
    return net.lastact(x)


def zen_reference(net, x, x2, dtype):
    """compute_zen_score (repeat 1) after its Gaussian init, on given inputs."""
    net = copy.deepcopy(net).to(dtype)
    net.train()
    with torch.no_grad():
        out = pre_gap(net, x.to(dtype))
        mix = pre_gap(net, x2.to(dtype))
        s = torch.mean(torch.sum(torch.abs(out - mix), dim=[1, 2, 3]))
        log_bn = 0.0
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                log_bn += torch.log(torch.sqrt(torch.mean(m.running_var)))
        return float(torch.log(s) + log_bn)


# ---------------------------------------------------------------- checks

def cli_scores(zcnas, arch, wdir, backend, data_root):
    cmd = [zcnas, "score", "--arch", arch, "--proxy", "synflow,nwot", "--weights", wdir, "--sampler",
           "sequential", "--nwot-batch-size", str(NWOT_B), "--threads", "1",
           "--data", os.path.join(data_root, "cifar10")]
    if backend:
        cmd += ["--backend", backend]
    rows = list(csv.DictReader(io.StringIO(run(cmd))))
    return float(rows[0]["synflow"]), float(rows[0]["nwot"])


def close(a, b, tol, rel=False):
    if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
        return a == b
    return abs(a - b) <= tol * (abs(b) if rel else 1.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zcnas", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    t0 = time.time()
    torch.set_num_threads(1)
    zcnas = os.path.abspath(a.zcnas)
    driver = os.path.join(os.path.dirname(os.path.abspath(a.workdir)), "test_synzen")
    for exe in (zcnas, driver):
        if not os.access(exe, os.X_OK):
            print(f"oracle_synzen: FAIL: {exe} not found")
            return 1
    data_root = zcnas_data_root()
    data_file = os.path.join(data_root, "cifar10", "data_batch_1.bin")
    if not os.path.exists(data_file):
        print(f"oracle_synzen: FAIL: {data_file} missing")
        return 1
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    backends = [b for b in run([os.path.join(os.path.dirname(driver), "zc_testtool"), "backends"]).split()] \
        if os.access(os.path.join(os.path.dirname(driver), "zc_testtool"), os.X_OK) else ["ref"]
    x_nwot = torch.from_numpy(load_cifar10(data_file, NWOT_B)[0])

    # the references on hand-made inputs first: the oracle's own algorithms
    K = np.array([[4., 2, 2], [2, 4, 0], [2, 0, 4]]) * 2
    if abs(np.linalg.slogdet(K)[1] - math.log(256)) > 1e-12:
        fail("numpy slogdet self-check")

    rng = np.random.default_rng(1234)
    for i, arch in enumerate(ARCHS):
        print(f"{arch}")
        wdir = os.path.join(a.workdir, f"w{i}")
        run([zcnas, "init", "--arch", arch, "--seed", str(3 + i), "--save", wdir])
        net = load_net(arch, wdir)
        # 1. synflow
        ref_syn = synflow_zcn(net)
        # 2. nwot (float32 as the official code; float64 to measure float32's own rounding)
        ref_nw, n_hooked = nwot_naswot(net, x_nwot)
        ref_nw64, _ = nwot_naswot(net, x_nwot, torch.float64, official_passes=False)
        nw_tol = max(NWOT_TOL, NWOT_FACTOR * abs(ref_nw - ref_nw64)) if math.isfinite(ref_nw64) else 0.0
        for be in backends:
            syn, nw = cli_scores(zcnas, arch, wdir, be, data_root)
            if close(syn, ref_syn, SYNFLOW_TOL, rel=True):
                ok(f"[{be}] synflow {syn:.9g} vs ZCN {ref_syn:.9g}")
            else:
                fail(f"{arch} [{be}]: synflow {syn!r} vs ZCN float64 {ref_syn!r}")
            if close(nw, ref_nw64, nw_tol):
                ok(f"[{be}] nwot {nw:.9g} vs NASWOT float64 {ref_nw64:.9g} (float32 {ref_nw:.9g}; "
                   f"{n_hooked} hooked modules; tol {nw_tol:.2g})")
            else:
                fail(f"{arch} [{be}]: nwot {nw!r} vs NASWOT float64 {ref_nw64!r} (float32 {ref_nw!r}, tol {nw_tol:.3g})")
        # 3. zen on Gaussian weights and given inputs
        gdir = os.path.join(a.workdir, f"g{i}")
        run([zcnas, "init", "--arch", arch, "--seed", str(3 + i), "--init", "gaussian", "--save", gdir])
        gnet = load_net(arch, gdir)
        x = rng.standard_normal((ZEN_B, 3, 32, 32)).astype(np.float32)
        e = rng.standard_normal((ZEN_B, 3, 32, 32)).astype(np.float32)
        xt, et = torch.from_numpy(x), torch.from_numpy(e)
        x2t = xt + 1e-2 * et  # float32, as in compute_zen_score
        xp, x2p = os.path.join(a.workdir, f"x{i}.npy"), os.path.join(a.workdir, f"x2_{i}.npy")
        np.save(xp, x)
        np.save(x2p, x2t.numpy())
        z32 = zen_reference(gnet, xt, x2t, torch.float32)
        z64 = zen_reference(gnet, xt, x2t, torch.float64)
        tol = max(ZEN_TOL, ZEN_FACTOR * abs(z32 - z64)) if math.isfinite(z64) else 0.0
        for be in backends:
            z = float(run([driver, "zen", "--arch", arch, "--weights", gdir, "--x", xp, "--x2", x2p,
                           "--backend", be]).strip())
            if close(z, z64, tol):
                ok(f"[{be}] zen {z:.9g} vs compute_zen_score float64 {z64:.9g} (float32 {z32:.9g}; tol {tol:.2g})")
            else:
                fail(f"{arch} [{be}]: zen {z!r} vs float64 {z64!r} (float32 {z32!r}, tol {tol:.3g})")
    print(f"oracle_synzen: {len(failures)} failures ({time.time() - t0:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
