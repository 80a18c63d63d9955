"""A whole network's logits, loss and every parameter gradient from zc_testtool (nb201 / net) against
float64 PyTorch on the same float32 weights and images, shared by the network oracles.

Two modes (see compare_grads): exact, every tensor within GRAD_TOL; conditioned, for full-size networks
whose float32 rounding grows through depth, within max(GRAD_TOL, COND_FACTOR x PyTorch float32's own
error on that tensor). At ReLU inputs within float32 rounding of 0 the float64 reference takes zcnas's
on/off decision (KinkReLU): there either side is right, and one flipped element moves a cancelling
gradient (a BN beta) by ~1e-3."""
import copy
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from reference import timed_run as run

GRAD_TOL = 1e-4
# ReLU inputs with |v| <= KINK_TOL * rms(v) are reported by zc_testtool with zcnas's on/off decision,
# which the float64 reference then uses (see KinkReLU). In small nets float32 rounding moves
# activations by ~1e-6 x rms, so a flip outside 1e-5 x rms is a failure there (exact mode); in full
# nets it grows to ~5e-4 x rms by the last cells (PyTorch float32 alike), one reason why those are
# compared relative to PyTorch float32's own error.
KINK_TOL = 1e-4
# Full-size networks: a gradient may be off float64 by at most this many times PyTorch float32's own
# error on it (or GRAD_TOL).
COND_FACTOR = 4.0


class Report:
    """Collects failures; ok/fail print one line each."""

    def __init__(self):
        self.failures = []

    def fail(self, msg):
        self.failures.append(msg)
        print("FAIL " + msg)

    def ok(self, msg):
        print("ok   " + msg)


class _KinkReLU(torch.autograd.Function):
    """ReLU whose on/off decision is the float64 sign except at the listed near-zero inputs, where it is
    zcnas's float32 decision (an input within rounding of 0 can fall on either side; the gradient then
    differs by that element's whole upstream gradient, which is not an error of either side)."""

    @staticmethod
    def forward(ctx, x, idx, pos):
        mask = (x > 0).to(x.dtype)
        mask.view(-1)[idx] = pos.to(x.dtype)
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * mask, None, None


class KinkReLU(nn.Module):
    def __init__(self, name, idx, pos, stats):
        super().__init__()
        self.name, self.idx, self.pos, self.stats = name, idx, pos, stats

    def forward(self, x):
        v = x.detach().reshape(-1)[self.idx]
        flips = (v > 0).to(torch.float32) != self.pos
        self.stats["near"] += int(self.idx.numel())
        self.stats["flips"] += int(flips.sum())
        if flips.any():
            rms = float(x.detach().pow(2).mean().sqrt())
            self.stats["max_flip"] = max(self.stats["max_flip"], float(v[flips].abs().max()) / rms)
        return _KinkReLU.apply(x, self.idx, self.pos)


class UnusedReLU(nn.Module):
    """A ReLU module zcnas has no node for (xautodl's FactorizedReduce keeps an nn.ReLU that its
    stride-1 forward never calls): calling it is a failure."""

    def __init__(self, name, stats):
        super().__init__()
        self.name, self.stats = name, stats

    def forward(self, x):
        self.stats["unexpected"].append(self.name)
        return torch.relu(x)


class TieMaxPool2d(nn.Module):
    """nn.MaxPool2d whose window choice is the float64 argmax (the first maximum, as PyTorch's) except
    where zcnas chose another position holding a value within float32 rounding of the maximum
    (KINK_TOL x rms of the input): a tie that rounding decides (CIFAR images have flat regions, so
    exact ties in float64 are common). Gradients flow through the chosen input only."""

    def __init__(self, pool, choice, stats):
        super().__init__()
        self.k, self.s, self.p = pool.kernel_size, pool.stride, pool.padding
        self.choice, self.stats = choice, stats

    def forward(self, x):
        N, C, H, W = x.shape
        xp = F.pad(x, (self.p,) * 4, value=float("-inf"))
        win = xp.unfold(2, self.k, self.s).unfold(3, self.k, self.s)        # N, C, oh, ow, k, k
        oh, ow = win.shape[2], win.shape[3]
        win = win.reshape(N, C, oh, ow, self.k * self.k)
        mine = win.detach().argmax(-1)
        theirs = self.choice.reshape(N, C, oh, ow)
        if theirs.numel() != mine.numel():
            self.stats["pool_shape"] = True
            return win.max(-1).values
        gap = (win.detach().gather(-1, mine.unsqueeze(-1)) - win.detach().gather(-1, theirs.unsqueeze(-1))).squeeze(-1)
        rms = float(x.detach().pow(2).mean().sqrt())
        differ = theirs != mine
        self.stats["pool_ties"] += int(differ.sum())
        if differ.any():
            self.stats["pool_max_gap"] = max(self.stats["pool_max_gap"], float(gap[differ].max()) / rms)
        take = torch.where(differ & (gap <= KINK_TOL * rms), theirs, mine)
        return win.gather(-1, take.unsqueeze(-1)).squeeze(-1)


def install_kinks(model, kink_dir):
    """Replaces every nn.ReLU by a KinkReLU fed with zcnas's near-kink decisions (or, for a module
    zcnas has no ReLU for, an UnusedReLU) and every nn.MaxPool2d by a TieMaxPool2d fed with zcnas's
    window choices; returns the stats dict, or an error message."""
    stats = {"near": 0, "flips": 0, "max_flip": 0.0, "unexpected": [], "pool_ties": 0, "pool_max_gap": 0.0}
    # max pooling: zcnas's window choices, in network order (= named_modules order in these models)
    pools = [n for n, m in model.named_modules() if isinstance(m, nn.MaxPool2d)]
    n_files = len([f for f in os.listdir(kink_dir) if f.startswith("maxpool.")])
    if n_files != len(pools):
        return f"max-pool modules: torch {len(pools)}, zcnas {n_files}"
    for k, n in enumerate(pools):
        choice = torch.from_numpy(np.load(os.path.join(kink_dir, f"maxpool.{k}.choice.npy")))
        parent, _, child = n.rpartition(".")
        holder = model.get_submodule(parent) if parent else model
        setattr(holder, child, TieMaxPool2d(model.get_submodule(n), choice, stats))
    names = [n for n, m in model.named_modules() if isinstance(m, nn.ReLU)]
    files = {f[: -len(".idx.npy")] for f in os.listdir(kink_dir) if f.endswith(".idx.npy")}
    if not files <= set(names):
        return f"ReLU modules differ: zcnas only {sorted(files - set(names))[:3]}, torch has {names[:3]} ..."
    for n in names:
        parent, _, child = n.rpartition(".")
        if n not in files:
            setattr(model.get_submodule(parent), child, UnusedReLU(n, stats))
            continue
        idx = torch.from_numpy(np.load(os.path.join(kink_dir, n + ".idx.npy")))
        pos = torch.from_numpy(np.load(os.path.join(kink_dir, n + ".pos.npy")))
        setattr(model.get_submodule(parent), child, KinkReLU(n, idx, pos, stats))
    return stats


def torch_grads(model, xb, yb, dtype, kink_dir=None):
    """Logits, loss and parameter gradients of one train-mode step (mean CE) in `dtype`; with
    kink_dir, ReLUs take zcnas's decisions at its near-zero inputs. Returns (dict, kink stats)."""
    m = copy.deepcopy(model).to(dtype).train()
    stats = install_kinks(m, kink_dir) if kink_dir else None
    if isinstance(stats, str):
        return None, stats
    m.zero_grad()
    _, logits = m(torch.from_numpy(xb).to(dtype))
    loss = F.cross_entropy(logits, torch.from_numpy(yb))
    loss.backward()
    out = {"logits": logits.detach().double().numpy(), "loss": np.array([loss.item()])}
    for k, p in m.named_parameters():
        out[k] = p.grad.detach().double().numpy().copy()
    return out, stats


def vanishing(ref, key):
    """A BN beta gradient that is 0 in exact arithmetic: the BN's output reaches the next batch norm
    only through sums (e.g. the last cell's edges into node 3, then lastact), and a BN's input
    gradient sums to zero per channel. Its float32 value is pure rounding noise, so it is compared
    on the scale of the same BN's gamma gradient instead of its own (~1e-17) norm."""
    if not key.endswith(".bias") or key.startswith("classifier"):
        return None
    sib = key[: -len("bias")] + "weight"
    if sib in ref and np.linalg.norm(ref[key]) < 1e-6 * np.linalg.norm(ref[sib]):
        return sib
    return None


def compare_grads(report, cmd, tag, model, xb, yb, odir, t32=None, flip_tol=1e-5):
    """cmd (a zc_testtool nb201 / net command without --out-dir and --kinks, reading xb, yb from files)
    vs float64 torch on `model` (with zcnas's near-kink ReLU decisions).
    Exact mode (t32 None): every tensor within GRAD_TOL, ReLU and max-pool decisions only differ from
    float64's within flip_tol x rms (1e-5; rounding grows with depth: 1e-4 for NB101's ~30 layers).
    Conditioned mode (t32 = PyTorch's own float32 gradients): the float32 rounding of a deep network
    at initialisation grows through depth (PyTorch float32 itself is ~1e-2 off float64 on some
    gradients of the 17-module NB201 networks), so each gradient must be within
    max(GRAD_TOL, COND_FACTOR x PyTorch float32's own error) of float64. Returns the worst ratio
    of error to tolerance."""
    fail, ok = report.fail, report.ok
    kdir = os.path.join(odir, "kinks")
    os.makedirs(kdir)
    _, secs = run(cmd + ["--out-dir", odir, "--kinks", kdir, "--kink-tol", str(KINK_TOL)], "zc_testtool " + cmd[1])
    ref, kstats = torch_grads(model, xb, yb, torch.float64, kdir)
    if ref is None:
        fail(f"{tag}: {kstats}")
        return float("inf")
    if kstats["unexpected"]:
        fail(f"{tag}: torch applied ReLUs that zcnas has no node for: {kstats['unexpected'][:3]}")
        return float("inf")
    if kstats.get("pool_shape"):
        fail(f"{tag}: a max pooling's choices do not match its output size (network order differs)")
        return float("inf")
    worst, worst_key, n_bad = 0.0, "", 0
    for key, r in ref.items():
        f = os.path.join(odir, key + (".npy" if key in ("logits", "loss") else ".grad.npy"))
        if not os.path.exists(f):
            fail(f"{tag}: zc_testtool wrote no {os.path.basename(f)}")
            n_bad += 1
            continue
        z = np.load(f).astype(np.float64)
        if z.size != r.size:
            fail(f"{tag}: {key} has shape {z.shape}, torch {r.shape}")
            n_bad += 1
            continue
        z = z.reshape(r.shape)
        if not np.isfinite(z).all():
            fail(f"{tag}: {key} is not finite")
            n_bad += 1
            continue
        sib = vanishing(ref, key)
        scale = np.linalg.norm(ref[sib]) if sib else max(np.linalg.norm(r), 1e-12)
        err = float(np.linalg.norm(z - r) / scale)
        tol = GRAD_TOL
        if t32 is not None and key not in ("logits", "loss"):
            tol = max(GRAD_TOL, COND_FACTOR * float(np.linalg.norm(t32[key] - r) / scale))
        if err / tol > worst:
            worst, worst_key = err / tol, f"{key} {err:.2e} (tol {tol:.1e})"
        if not err <= tol:
            n_bad += 1
            if n_bad <= 8:
                fail(f"{tag}: {key}: relative error {err:.3g} > {tol:.3g}" + (f" (on the scale of {sib})" if sib else ""))
    if t32 is None and kstats["max_flip"] > flip_tol:
        fail(f"{tag}: zcnas's ReLU decision differs from float64 at an input of {kstats['max_flip']:.2e} x rms")
        n_bad += 1
    if t32 is None and kstats["pool_max_gap"] > flip_tol:
        fail(f"{tag}: zcnas's max-pool choice is {kstats['pool_max_gap']:.2e} x rms below the window's maximum")
        n_bad += 1
    if n_bad > 8:
        fail(f"{tag}: ... {n_bad} tensors out of tolerance in all")
    if not n_bad:
        ok(f"{tag}: logits, loss and {len(ref) - 2} gradients (batch {len(xb)}) within tolerance; worst "
           f"{worst_key}; {kstats['flips']} ReLU flips among {kstats['near']} near-zero inputs"
           + (f", {kstats['pool_ties']} max-pool ties taken otherwise" if kstats["pool_ties"] else "")
           + f"; zcnas {secs:.1f}s")
    return worst


