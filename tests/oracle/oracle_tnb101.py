#!/usr/bin/env python3
"""Oracle: TransNAS-Bench-101 micro and macro task networks against PyTorch models written from the
official code (tests/oracle/reference.py: TNBNetwork and tnb_loss).

For 3 micro cells (every op, zero edges that change shape, FactorizedReduce with stride 1 and 2) and 3
macro skeletons (4, 5 and 6 layers, 1 to 4 down-samplings) on each of the 7 tasks:
1. `zcnas init --space S --task T --arch A --save D` loads into the reference model with
   load_state_dict(strict=True); parameter counts (`zcnas score --proxy params`) equal the model's.
2. Output, loss and every parameter gradient of one train-mode step (zc_testtool task; the backends
   take turns, --every-backend runs each network on all) against float64 torch on the same weights and a random batch at resolution 64 (jigsaw:
   9 tiles of 64): each tensor within 1e-4 relative (norm of the difference / norm of the reference),
   or within 3x PyTorch float32's own error where rounding through the deep decoders is larger. ReLU and
   LeakyReLU decisions within 1e-3 x rms of the kink are zcnas's in the float64 reference (batch norm
   over a handful of values, 2 x 2 maps of a batch of 2, amplifies float32 rounding).
3. FLOPs (`--proxy flops`) against a count of conv, transposed-conv and linear MACs on the PyTorch
   model by forward hooks, at the benchmark's input size (256; jigsaw tiles 64).

usage: oracle_tnb101.py --zcnas build/zcnas --workdir build/tests/oracle_tnb101.work [--every-backend] [--only TASKS]
exit status: 0 pass, 1 fail, 77 skipped (numpy/torch missing)
"""
import argparse
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError as e:  # pragma: no cover
    print(f"oracle_tnb101: SKIP: needs numpy and torch ({e})")
    sys.exit(77)

from reference import TNBNetwork, TNB_OUTPUTS, load_weight_dir, tnb_loss  # noqa: E402
from gradcheck import KINK_TOL, Report, install_kinks  # noqa: E402

MICRO = ["64-41414-3_02_131", "64-41414-1_10_232", "64-41414-2_33_013"]
MACRO = ["64-1234-basic", "64-31412-basic", "64-313421-basic"]
TASKS = list(TNB_OUTPUTS)
TOL = 1e-4


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()[-400:]}")
    return p.stdout


def scores(zcnas, space, task, arch, proxies):
    out = run([zcnas, "score", "--space", space, "--task", task, "--arch", arch, "--proxy", proxies, "--quiet"])
    head, row = out.strip().splitlines()[:2]
    return dict(zip(head.split(","), row.split(",")))


def hooked_macs(model, x):
    total = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            total[0] += m.in_channels * m.out_channels * m.kernel_size[0] ** 2 * out.shape[2] * out.shape[3] + \
                (m.out_channels * out.shape[2] * out.shape[3] if m.bias is not None else 0)
        elif isinstance(m, nn.ConvTranspose2d):
            total[0] += m.in_channels * m.out_channels * m.kernel_size[0] ** 2 * inp[0].shape[2] * inp[0].shape[3] + \
                (m.out_channels * out.shape[2] * out.shape[3] if m.bias is not None else 0)
        elif isinstance(m, nn.Linear):
            total[0] += m.in_features * m.out_features + (m.out_features if m.bias is not None else 0)
    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear))]
    model.eval()   # one image: batch statistics would be undefined on 1 x 1 maps
    with torch.no_grad():
        model(x)
    model.train()
    for h in hs:
        h.remove()
    return total[0]


def batch(task, res, rng):
    n = 2
    if task == "jigsaw":
        x = rng.standard_normal((n, 9, 3, res, res)).astype(np.float32)
        return x, rng.integers(0, 1000, n).astype(np.float32)
    x = rng.standard_normal((n, 3, res, res)).astype(np.float32)
    if task in ("class_scene", "class_object"):
        t = rng.random((n, TNB_OUTPUTS[task])).astype(np.float32)
        return x, (t / t.sum(1, keepdims=True)).astype(np.float32)
    if task == "room_layout":
        return x, rng.standard_normal((n, 9)).astype(np.float32)
    if task == "segmentsemantic":
        return x, rng.integers(0, 17, (n, res, res)).astype(np.float32)
    # L1 has a kink where the output meets the target: targets beyond the Tanh's range keep every sign
    return x, (1.5 * rng.choice([-1.0, 1.0], (n, 3, res, res))).astype(np.float32)


def rel(a, b):
    d = np.linalg.norm((np.asarray(a, np.float64) - np.asarray(b, np.float64)).ravel())
    n = np.linalg.norm(np.asarray(b, np.float64).ravel())
    return d / n if n > 0 else d


class _KinkLeaky(torch.autograd.Function):
    """LeakyReLU(0.2) whose slope choice is zcnas's at its near-zero inputs (gradcheck's KinkReLU for it)."""

    @staticmethod
    def forward(ctx, x, idx, pos):
        pos_mask = (x > 0).to(x.dtype)
        pos_mask.view(-1)[idx] = pos.to(x.dtype)
        scale = pos_mask + 0.2 * (1 - pos_mask)
        ctx.save_for_backward(scale)
        return x * scale

    @staticmethod
    def backward(ctx, g):
        (scale,) = ctx.saved_tensors
        return g * scale, None, None


class CallKinks(nn.Module):
    """A kinked activation called once per jigsaw tile: zcnas's decisions are tile-major, i.e. the
    concatenation of the per-call tensors, so call k takes the k-th slice."""

    def __init__(self, idx, pos, leaky, inner=None):
        super().__init__()
        self.idx, self.pos, self.leaky, self.inner, self.calls = idx, pos, leaky, inner, 0

    def forward(self, x):
        m = x.numel()
        lo = self.calls * m
        sel = (self.idx >= lo) & (self.idx < lo + m)
        self.calls += 1
        if self.leaky:
            return _KinkLeaky.apply(x, self.idx[sel] - lo, self.pos[sel])
        self.inner.idx, self.inner.pos = self.idx[sel] - lo, self.pos[sel]
        return self.inner(x)


def install_all_kinks(m, kdir):
    """gradcheck.install_kinks for the ReLUs, then the decoders' LeakyReLUs; every kinked module
    slices its decisions per call (jigsaw)."""
    stats = install_kinks(m, kdir)
    if isinstance(stats, str):
        raise RuntimeError(stats)
    for n, mod in list(m.named_modules()):
        parent, _, child = n.rpartition(".")
        holder = m.get_submodule(parent) if parent else m
        if type(mod).__name__ == "KinkReLU":
            setattr(holder, child, CallKinks(mod.idx, mod.pos, False, mod))
        elif isinstance(mod, nn.LeakyReLU):
            f = os.path.join(kdir, "leaky", n + ".idx.npy")
            if not os.path.exists(f):
                raise RuntimeError(f"no kink file for {n}")
            setattr(holder, child, CallKinks(torch.from_numpy(np.load(f)),
                                             torch.from_numpy(np.load(os.path.join(kdir, "leaky", n + ".pos.npy"))), True))


def torch_step(model, x, t, task, dtype, kink_dir=None):
    m = model.to(dtype)
    if kink_dir:   # activations take zcnas's decisions at their near-zero inputs
        install_all_kinks(m, kink_dir)
    m.train()
    m.zero_grad()
    out = m(torch.from_numpy(x).to(dtype))
    tt = torch.from_numpy(t)
    loss = tnb_loss(task, out, tt.to(dtype) if task not in ("jigsaw", "segmentsemantic") else tt)
    loss.backward()
    g = {k: p.grad.detach().to(torch.float64).numpy().copy() for k, p in m.named_parameters()}
    return out.detach().to(torch.float64).numpy().reshape(out.shape[0], -1), float(loss), g


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zcnas", required=True)
    ap.add_argument("--testtool", help="[default: <workdir>/../zc_testtool]")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--backends", default="ref,dnnl")
    ap.add_argument("--only", default="", help="comma-separated tasks (default: all)")
    ap.add_argument("--kink-factor", type=float, default=10.0, help="x KINK_TOL")
    ap.add_argument("--every-backend", action="store_true",
                    help="each network on every backend (default: the backends take turns, to keep CI short)")
    a = ap.parse_args()
    if not a.testtool:
        a.testtool = os.path.join(os.path.dirname(os.path.abspath(a.workdir)), "zc_testtool")
    rep = Report()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    backends = [b for b in a.backends.split(",") if b]
    turn = 0
    for space, archs in (("tnb101-micro", MICRO), ("tnb101-macro", MACRO)):
        for arch in archs:
            for task in [t for t in TASKS if not a.only or t in a.only.split(",")]:
                tag = f"{space} {arch} {task}"
                wdir = os.path.join(a.workdir, f"{space}_{arch}_{task}_w")
                res = 64
                run([a.zcnas, "init", "--space", space, "--task", task, "--arch", arch, "--resolution",
                     str(res), "--save", wdir])
                model = TNBNetwork(arch, task)
                sd = load_weight_dir(wdir)
                try:
                    model.load_state_dict(sd, strict=True)
                except RuntimeError as e:
                    rep.fail(f"{tag}: load_state_dict: {str(e)[:300]}")
                    continue
                n_params = sum(p.numel() for p in model.parameters())
                sc = scores(a.zcnas, space, task, arch, "params,flops")
                if int(sc["params"]) != n_params:
                    rep.fail(f"{tag}: params {sc['params']} != PyTorch {n_params}")
                else:
                    rep.ok(f"{tag}: params {n_params}")
                full = 64 if task == "jigsaw" else 256
                xf = torch.zeros((1, 9, 3, full, full) if task == "jigsaw" else (1, 3, full, full))
                macs = hooked_macs(model, xf)
                if int(sc["flops"]) != macs:
                    rep.fail(f"{tag}: flops {sc['flops']} != hooked PyTorch count {macs}")
                else:
                    rep.ok(f"{tag}: flops {macs}")
                x, t = batch(task, res, rng)
                xp, tp = os.path.join(a.workdir, "x.npy"), os.path.join(a.workdir, "t.npy")
                np.save(xp, x.reshape(x.shape[0], -1, x.shape[-2], x.shape[-1]))
                np.save(tp, t)
                m32 = TNBNetwork(arch, task)
                m32.load_state_dict(sd, strict=True)
                o32, l32, g32 = torch_step(m32, x, t, task, torch.float32)
                turn += 1
                for be in (backends if a.every_backend else [backends[turn % len(backends)]]):
                    odir = os.path.join(a.workdir, f"out_{be}")
                    kdir = os.path.join(odir, "kinks")
                    shutil.rmtree(odir, ignore_errors=True)
                    os.makedirs(kdir)
                    # 1e-3 x rms: batch statistics over a few values (2 x 2 maps, batch 2) amplify float32
                    # rounding ten times more than in the NB201 nets
                    kinks = ["--kinks", kdir, "--kink-tol", str(a.kink_factor * KINK_TOL)]
                    try:
                        run([a.testtool, "task", "--space", space, "--arch", arch, "--task", task, "--weights", wdir,
                             "--x", xp, "--targets", tp, "--out-dir", odir, "--backend", be] + kinks)
                    except RuntimeError as e:
                        if "unknown backend" in str(e) or "not built" in str(e):
                            continue
                        rep.fail(f"{tag} [{be}]: {e}")
                        continue
                    m64 = TNBNetwork(arch, task)
                    m64.load_state_dict(sd, strict=True)
                    try:
                        o64, l64, g64 = torch_step(m64, x, t, task, torch.float64, kdir if kinks else None)
                    except RuntimeError as e:
                        rep.fail(f"{tag} [{be}]: kinks: {e}")
                        continue
                    pairs = [("output", np.load(os.path.join(odir, "output.npy")), o64, o32),
                             ("loss", np.load(os.path.join(odir, "loss.npy")), np.array([l64]), np.array([l32]))]
                    pairs += [(k, np.load(os.path.join(odir, k + ".grad.npy")), g64[k], g32[k]) for k in g64]
                    bad = []
                    for key, mine, r64, r32 in pairs:
                        err, own = rel(mine, r64), rel(r32, r64)
                        # a conv bias right before batch norm has an exactly zero gradient: its float
                        # values are rounding noise, compared on the scale of the conv weight's gradient
                        sib = key[:-len("bias")] + "weight"
                        if key.endswith("conv.bias") and sib in g64 and \
                                np.linalg.norm(r64) < 1e-6 * np.linalg.norm(g64[sib]):
                            scale = np.linalg.norm(g64[sib])
                            err = np.linalg.norm(np.asarray(mine, np.float64) - r64) / scale
                            own = np.linalg.norm(np.asarray(r32, np.float64) - r64) / scale
                        if not err <= max(TOL, 3 * own):
                            bad.append(f"{key} {err:.2e} (torch float32 {own:.2e})")
                    if bad:
                        rep.fail(f"{tag} [{be}]: {len(bad)} tensors off: {'; '.join(bad[:3])}")
                    else:
                        rep.ok(f"{tag} [{be}]: output, loss and {len(g64)} gradients")
    print(f"oracle_tnb101: {len(rep.failures)} failures")
    return 1 if rep.failures else 0


if __name__ == "__main__":
    sys.exit(main())
