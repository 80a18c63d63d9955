#!/usr/bin/env python3
"""Oracle: every engine op's forward and backward against PyTorch.

Each op is built alone in a one-op zcnas network by tests/oracle/zc_testtool (`op KIND ...`), fed a seeded
random input x, parameters and an upstream gradient dy, and compared with PyTorch's output, input
gradient and parameter gradients, once per backend built in (ref always, dnnl when present). The PyTorch reference runs in float64 on the same float32 values,
so the comparison measures zcnas's own float32 error. Criterion per tensor:
    ||zcnas - torch|| / max(||torch||, 1e-12) <= 1e-4
NaN positions must coincide exactly (NaN-carrying tensors compare their finite parts).

usage: oracle_ops.py --zcnas build/zcnas --workdir build/tests/oracle_ops.work
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
    import torch.nn.functional as F
except ImportError as e:  # pragma: no cover
    print(f"oracle_ops: SKIP: needs numpy and torch ({e})")
    sys.exit(77)

TOL = 1e-4

failures = []
worst = {}


def rel_err(a, b):
    """Norm-wise relative error of a vs reference b, with NaN masks that must coincide."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        return float("inf"), f"size {a.size} vs {b.size}"
    na, nb = ~np.isfinite(a), ~np.isfinite(b)
    if (np.isnan(a) != np.isnan(b)).any() or (np.isinf(a) != np.isinf(b)).any():
        return float("inf"), "NaN/inf positions differ"
    if (a[np.isinf(a)] != b[np.isinf(b)]).any():
        return float("inf"), "inf signs differ"
    fa, fb = a[~na], b[~nb]
    return float(np.linalg.norm(fa - fb) / max(np.linalg.norm(fb), 1e-12)), ""


def compare(case, what, got, ref, kind):
    err, why = rel_err(got, ref)
    ok = err <= TOL
    worst[kind] = max(worst.get(kind, 0.0), err)
    if not ok:
        failures.append(f"{case}: {what}: relative error {err:.3g} > {TOL:g} {why}")
    return err, ok


class Runner:
    def __init__(self, tool, workdir):
        self.tool = tool
        self.workdir = workdir
        self.count = 0

    def run(self, args, inputs, params, backend=None):
        self.count += 1
        d = os.path.join(self.workdir, f"case{self.count:03d}")
        shutil.rmtree(d, ignore_errors=True)
        ind, outd, pd = os.path.join(d, "in"), os.path.join(d, "out"), os.path.join(d, "in", "params")
        os.makedirs(pd)
        os.makedirs(outd)
        for k, v in inputs.items():
            np.save(os.path.join(ind, k + ".npy"), np.ascontiguousarray(v, dtype=np.float32))
        for k, v in params.items():
            np.save(os.path.join(pd, k + ".npy"), np.ascontiguousarray(v, dtype=np.float32))
        cmd = [self.tool] + args + ["--in-dir", ind, "--out-dir", outd]
        if backend:
            cmd += ["--backend", backend]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
        return outd, r.stdout


def t64(a, grad=False):
    t = torch.tensor(np.asarray(a, dtype=np.float32), dtype=torch.float64)
    return t.requires_grad_(grad)


def check_op(runner, case, kind, args, x, params, torch_fn, rng, dy=None):
    """Runs zcnas and torch on (x, params); compares y, dx and every param grad."""
    xt = t64(x, True)
    pt = {k: t64(v, True) for k, v in params.items()}
    y = torch_fn(xt, pt)
    if dy is None:
        dy = rng.standard_normal(tuple(y.shape)).astype(np.float32)
    y.backward(t64(dy))
    for backend in runner.backends:
        bcase = f"[{backend}] {case}"
        try:
            outd, _ = runner.run(["op", kind] + args, {"x": x, "dy": dy}, params, backend)
        except RuntimeError as e:
            failures.append(f"{bcase}: {e}")
            print(f"FAIL {bcase}: {e}")
            continue
        errs = []
        gy = np.load(os.path.join(outd, "y.npy"))
        if gy.shape != tuple(y.shape):
            failures.append(f"{bcase}: output shape {gy.shape} vs torch {tuple(y.shape)}")
            print(f"FAIL {bcase}: output shape {gy.shape} vs torch {tuple(y.shape)}")
            continue
        errs.append(compare(bcase, "y", gy, y.detach().numpy(), f"{kind}/{backend}"))
        gdx = np.load(os.path.join(outd, "dx.npy"))
        errs.append(compare(bcase, "dx", gdx, xt.grad.numpy(), f"{kind}/{backend}"))
        for k, v in pt.items():
            g = np.load(os.path.join(outd, k + ".grad.npy"))
            errs.append(compare(bcase, k + ".grad", g, v.grad.numpy(), f"{kind}/{backend}"))
        ok = all(e[1] for e in errs)
        print(f"{'ok  ' if ok else 'FAIL'} {bcase}: max rel err {max(e[0] for e in errs):.2e} "
              f"over {len(errs)} tensors")


def uniform(rng, shape, bound):
    return rng.uniform(-bound, bound, size=shape).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zcnas", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    tool = os.path.join(os.path.dirname(os.path.abspath(a.workdir)), "zc_testtool")
    if not os.access(tool, os.X_OK):
        print(f"oracle_ops: FAIL: {tool} not found (build the zc_testtool target)")
        return 1
    os.makedirs(a.workdir, exist_ok=True)
    torch.manual_seed(0)
    rng = np.random.default_rng(20240601)
    R = Runner(tool, a.workdir)
    # Backends: every one built in (zc_testtool backends: ref, plus dnnl when oneDNN was found).
    R.backends = subprocess.run([tool, "backends"], capture_output=True, text=True, check=True).stdout.split()
    if "ref" not in R.backends:
        print("FAIL: zc_testtool backends does not list ref")
        return 1
    print("backends: " + ", ".join(R.backends))

    # ---- conv2d: (N, Cin, H, W, Cout, k, stride, pad, groups, bias)
    convs = [
        (2, 3, 7, 9, 4, 3, 1, 1, 1, True),
        (2, 4, 8, 8, 6, 1, 1, 0, 1, False),
        (3, 4, 9, 6, 8, 5, 2, 2, 2, True),
        (2, 6, 10, 7, 6, 3, 2, 1, 6, False),    # depth-wise
        (1, 8, 5, 11, 4, 3, 1, 0, 2, True),
        (2, 3, 6, 6, 5, 5, 1, 2, 1, False),
        (2, 16, 8, 8, 32, 3, 2, 1, 1, False),   # NB201 reduction conv_a
        (2, 4, 5, 5, 4, 1, 2, 0, 1, True),
        (2, 5, 6, 9, 10, 3, 1, 1, 5, True),     # grouped, 2 outputs per group
        (2, 3, 3, 3, 2, 5, 2, 2, 1, True),      # kernel larger than input (padding covers it)
    ]
    for (n, ci, h, w, co, k, s, p, g, bias) in convs:
        case = f"conv2d N{n} {ci}x{h}x{w} -> {co} k{k} s{s} p{p} g{g} bias{int(bias)}"
        bound = 1 / np.sqrt(ci // g * k * k)
        params = {"m.weight": uniform(rng, (co, ci // g, k, k), bound)}
        if bias:
            params["m.bias"] = uniform(rng, (co,), bound)
        x = rng.standard_normal((n, ci, h, w)).astype(np.float32)
        check_op(R, case, "conv2d",
                 ["--cout", str(co), "--k", str(k), "--stride", str(s), "--pad", str(p),
                  "--groups", str(g), "--bias", str(int(bias))], x, params,
                 lambda xt, pt, s=s, p=p, g=g: F.conv2d(xt, pt["m.weight"], pt.get("m.bias"),
                                                        stride=s, padding=p, groups=g), rng)

    # ---- batchnorm (train mode: batch statistics, biased variance): (shape, affine, eps, offset)
    bns = [
        ((4, 3, 5, 6), True, 1e-5, 0.0),
        ((2, 5, 3, 3), False, 1e-3, 0.0),
        ((8, 16, 4, 4), True, 1e-3, 0.0),
        ((1, 2, 4, 4), True, 1e-5, 0.0),        # batch of one
        ((3, 4, 5, 5), True, 1e-5, 50.0),       # large mean: cancellation in the variance
        ((3, 3, 1, 1), False, 1e-5, 0.0),       # three values per channel (with two, dx is pure eps effect)
    ]
    for shape, affine, eps, off in bns:
        case = f"batchnorm {shape} affine{int(affine)} eps{eps:g} offset{off:g}"
        c = shape[1]
        params = {}
        if affine:
            params = {"m.weight": rng.uniform(0.5, 1.5, c).astype(np.float32),
                      "m.bias": rng.standard_normal(c).astype(np.float32)}
        x = (rng.standard_normal(shape) * rng.uniform(0.2, 3.0, (1, c, 1, 1)) + off).astype(np.float32)
        check_op(R, case, "batchnorm", ["--eps", repr(eps), "--affine", str(int(affine))], x, params,
                 lambda xt, pt, eps=eps: F.batch_norm(xt, None, None, pt.get("m.weight"),
                                                      pt.get("m.bias"), training=True, eps=eps), rng)

    # ---- relu
    for shape in [(2, 3, 4, 5), (1, 16, 8, 8)]:
        x = rng.standard_normal(shape).astype(np.float32)
        check_op(R, f"relu {shape}", "relu", [], x, {}, lambda xt, pt: F.relu(xt), rng)

    # ---- avgpool: (shape, k, stride, pad, count_include_pad)
    pools = [
        ((2, 3, 8, 8), 3, 1, 1, 0),
        ((2, 3, 7, 5), 3, 1, 1, 0),
        ((2, 4, 8, 8), 3, 2, 1, 0),
        ((1, 2, 7, 9), 3, 2, 1, 0),
        ((2, 3, 8, 8), 2, 2, 0, 1),
        ((2, 3, 7, 6), 2, 2, 0, 1),             # odd height: last row dropped
        ((2, 3, 6, 6), 3, 1, 1, 1),             # count_include_pad=True variant
    ]
    for shape, k, s, p, cip in pools:
        case = f"avgpool {shape} k{k} s{s} p{p} cip{cip}"
        x = rng.standard_normal(shape).astype(np.float32)
        check_op(R, case, "avgpool", ["--k", str(k), "--stride", str(s), "--pad", str(p),
                                      "--count-include-pad", str(cip)], x, {},
                 lambda xt, pt, k=k, s=s, p=p, cip=cip: F.avg_pool2d(
                     xt, k, s, p, count_include_pad=bool(cip)), rng)

    # ---- global average pooling
    for shape in [(2, 5, 4, 6), (3, 64, 8, 8), (2, 3, 1, 1)]:
        x = rng.standard_normal(shape).astype(np.float32)
        check_op(R, f"gap {shape}", "gap", [], x, {}, lambda xt, pt: F.adaptive_avg_pool2d(xt, 1), rng)

    # ---- linear on the flattened input: (x shape, out, bias)
    lins = [((4, 7), 3, True), ((2, 64, 1, 1), 10, True), ((3, 2, 3, 3), 5, False), ((5, 64), 1, True)]
    for shape, fo, bias in lins:
        fi = int(np.prod(shape[1:]))
        case = f"linear {shape} -> {fo} bias{int(bias)}"
        bound = 1 / np.sqrt(fi)
        params = {"m.weight": uniform(rng, (fo, fi), bound)}
        if bias:
            params["m.bias"] = uniform(rng, (fo,), bound)
        x = rng.standard_normal(shape).astype(np.float32)
        check_op(R, case, "linear", ["--out", str(fo), "--bias", str(int(bias))], x, params,
                 lambda xt, pt: F.linear(xt.flatten(1), pt["m.weight"], pt.get("m.bias")), rng)

    # ---- add: branches of the input node, summed in list order (id,id: one node consumed twice)
    def branch(kind, i, xt, pt):
        if kind == "id":
            return xt
        if kind == "relu":
            return F.relu(xt)
        if kind == "zero":
            return xt.mul(0.0)
        if kind == "avgpool":
            return F.avg_pool2d(xt, 3, 1, 1, count_include_pad=False)
        if kind == "maxpool":
            return F.max_pool2d(xt, 3, 1, 1)
        if kind.startswith("trunc:"):
            return xt[:, :int(kind[6:])]
        return F.conv2d(xt, pt[f"b{i}.weight"])

    def branch_params(kinds, c):
        params = {}
        for i, kd in enumerate(kinds):
            if kd.startswith("conv"):
                k = int(kd[5:]) if ":" in kd else c
                params[f"b{i}.weight"] = uniform(rng, (k, c, 1, 1), 1 / np.sqrt(c))
        return params

    for shape, branches in [((2, 3, 5, 5), "id,id"), ((2, 4, 6, 6), "id,relu,conv"),
                            ((1, 4, 5, 7), "conv,conv,avgpool,zero"), ((2, 2, 4, 4), "id")]:
        kinds = branches.split(",")
        c = shape[1]
        params = branch_params(kinds, c)
        x = rng.standard_normal(shape).astype(np.float32)
        check_op(R, f"add {shape} [{branches}]", "add", ["--branches", branches], x, params,
                 lambda xt, pt, kinds=kinds: sum(branch(kd, i, xt, pt) for i, kd in enumerate(kinds)),
                 rng)

    # ---- max pooling (NAS-Bench-101: 3x3 stride 1 pad 1 in cells, 2x2 stride 2 between stacks). The
    # gradient goes to each window's first maximum in row-major order, as PyTorch's CPU kernel; ties
    # are made on purpose (values rounded to a coarse grid, ReLU zeros) so that the order is tested.
    pools = [((2, 3, 8, 8), 3, 1, 1, None), ((2, 16, 8, 8), 2, 2, 0, None), ((1, 5, 7, 9), 3, 2, 1, None),
             ((2, 4, 6, 6), 3, 1, 1, "ties"), ((2, 8, 6, 6), 2, 2, 0, "ties"), ((2, 3, 5, 5), 3, 1, 1, "relu")]
    for shape, k, s, p, mode in pools:
        x = rng.standard_normal(shape).astype(np.float32)
        if mode == "ties":
            x = np.round(x * 2) / 2
        if mode == "relu":
            x = np.maximum(x, 0)
        case = f"maxpool {shape} k{k} s{s} p{p}{' ' + mode if mode else ''}"
        check_op(R, case, "maxpool", ["--k", str(k), "--stride", str(s), "--pad", str(p)], x, {},
                 lambda xt, pt, k=k, s=s, p=p: F.max_pool2d(xt, k, s, p), rng)

    # ---- truncation and concatenation (NAS-Bench-101's Truncate and cell output), with channel
    # counts that put the parts in different layouts in backends that block channels
    for shape, ch in [((2, 5, 4, 4), 3), ((2, 32, 4, 4), 16), ((2, 48, 3, 3), 20)]:
        x = rng.standard_normal(shape).astype(np.float32)
        check_op(R, f"truncate {shape} -> {ch}", "truncate", ["--channels", str(ch)], x, {},
                 lambda xt, pt, ch=ch: xt[:, :ch], rng)
    for shape, branches in [((2, 3, 5, 5), "id,relu"), ((2, 4, 4, 4), "conv:16,conv:8,id,conv:16"),
                            ((2, 8, 4, 4), "trunc:5,conv:3,maxpool,trunc:5"), ((1, 4, 3, 3), "id")]:
        kinds = branches.split(",")
        params = branch_params(kinds, shape[1])
        x = rng.standard_normal(shape).astype(np.float32)
        check_op(R, f"concat {shape} [{branches}]", "concat", ["--branches", branches], x, params,
                 lambda xt, pt, kinds=kinds: torch.cat([branch(kd, i, xt, pt) for i, kd in enumerate(kinds)], 1),
                 rng)

    # ---- zero: x * 0 (NaN and inf inputs give NaN, not 0)
    x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    check_op(R, "zero (finite)", "zero", [], x, {}, lambda xt, pt: xt.mul(0.0), rng)
    x[0, 1, 2, 3] = np.nan
    x[1, 0, 0, 0] = np.inf
    x[1, 2, 3, 1] = -np.inf
    check_op(R, "zero (NaN/inf inputs)", "zero", [], x, {}, lambda xt, pt: xt.mul(0.0), rng)
    for i, backend in enumerate(R.backends):
        f = os.path.join(a.workdir, f"case{R.count - len(R.backends) + 1 + i:03d}", "out", "y.npy")
        y = np.load(f) if os.path.exists(f) else np.zeros(0)
        nan_count = int(np.isnan(y).sum())
        if nan_count != 3 or (y[np.isfinite(y)] != 0).any():
            failures.append(f"[{backend}] zero: expected exactly 3 NaN outputs and zeros elsewhere, got {nan_count} NaN")
            print(f"FAIL [{backend}] zero NaN propagation: {nan_count} NaN outputs (expected 3)")
        else:
            print(f"ok   [{backend}] zero NaN propagation: NaN/inf inputs give NaN, finite inputs give 0")

    # ---- cross-entropy (mean over the batch)
    for n, k, scale in [(5, 10, 1.0), (8, 100, 3.0), (3, 1, 1.0), (4, 7, 60.0)]:
        case = f"cross-entropy N{n} K{k} scale{scale:g}"
        z = (rng.standard_normal((n, k)) * scale).astype(np.float32)
        lab = rng.integers(0, k, n)
        zt = t64(z, True)
        loss = F.cross_entropy(zt, torch.tensor(lab, dtype=torch.long))
        loss.backward()
        outd, out = R.run(["ce"], {"logits": z, "labels": lab.astype(np.float32)}, {})
        e1 = compare(case, "loss (printed)", np.array([float(out.split()[0])]),
                     np.array([loss.item()]), "ce")
        e2 = compare(case, "loss.npy", np.load(os.path.join(outd, "loss.npy")),
                     np.array([loss.item()]), "ce")
        e3 = compare(case, "dlogits", np.load(os.path.join(outd, "dlogits.npy")), zt.grad.numpy(), "ce")
        ok = e1[1] and e2[1] and e3[1]
        print(f"{'ok  ' if ok else 'FAIL'} {case}: max rel err {max(e1[0], e2[0], e3[0]):.2e}")

    # ---- the tool must refuse bad arguments
    bad = [["op", "conv2d", "--k", "3"],                        # missing --cout / dirs
           ["op", "nosuchop", "--in-dir", "x", "--out-dir", "y"],
           ["nb201", "--arch", "|bogus~0|+|none~0|none~1|+|none~0|none~1|none~2|"],
           ["frobnicate"]]
    for args in bad:
        r = subprocess.run([tool] + args, capture_output=True, text=True)
        if r.returncode == 0 or not r.stderr.strip():
            failures.append(f"zc_testtool {' '.join(args)}: expected an error, got exit {r.returncode}")
            print(f"FAIL zc_testtool {' '.join(args)} accepted")

    print("worst relative error per op: " + ", ".join(f"{k} {v:.2e}" for k, v in sorted(worst.items())))
    if failures:
        print(f"oracle_ops: FAIL ({len(failures)} problems)")
        for f in failures:
            print("  " + f)
        return 1
    print(f"oracle_ops: PASS ({R.count} cases, tolerance {TOL:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
