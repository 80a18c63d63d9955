#!/usr/bin/env python3
"""Oracle: the NAS-Bench-101 and NATS-Bench-SSS networks and both core proxies against PyTorch models
written from the spec (tests/oracle/reference.py: NB101Network with zero-cost-nas' module names,
xautodl's DynamicShapeTinyNet).

For each of 5 NB101 specs (a 7-vertex table cell, a vertex channel split with a remainder and a
truncated input, a vertex pruned off every input -> output path, a direct input -> output edge, and no
interior vertex feeding the output, which prunes to input -> output) and 5 SSS channel configurations
(equal, smallest, largest, widening and narrowing between stages):
1. `zcnas init --space S --arch A --save D` loads into the reference model with
   load_state_dict(strict=True), and the parameter counts agree.
2. Logits, loss and every parameter gradient of one train-mode step (zc_testtool net, every backend
   built in) against float64 torch on the same weights and images, each within 1e-4 relative
   (tests/oracle/gradcheck.py). At ReLU inputs and max-pool windows that float32 rounding decides
   (within 1e-4 x rms of the kink or of a tie; CIFAR's flat image regions make exact ties common) the
   float64 reference takes zcnas's decision; a decision that differs further fails.
3. ZiCo through the CLI against the official algorithm on the same weights and batches (2%, as in
   oracle_nb201; past it, zcnas must be within 3x the official code's own float32 noise, summed over
   its layer terms, of the float64 value), and epsilon through the CLI, both with the exact
   constant-weight evaluation and with --exact-full, against compute_epsinas on the reference model (same NaN outcome; 1e-4 relative, or
   no further from float64 than epsinas' own float32 value, within 3x).
4. The graph hash of the NB101 table's cells and of 300 sampled cells (distinct) against the
   benchmark's algorithm re-stated in Python (hashlib). Parameter counts: every architecture of the NB101 table ($ZCNAS_DATA/benchmarks/nb101_val_partial.csv)
   through `zcnas score --proxy params` against the PyTorch model's (built on the meta device), and a
   spread of SSS configurations on CIFAR-10, CIFAR-100 and ImageNet16-120.

usage: oracle_spaces.py --zcnas build/zcnas --workdir build/tests/oracle_spaces.work
exit status: 0 pass, 1 fail, 77 skipped (numpy/torch missing)
"""
import argparse
import copy
import csv
import io
import math
import os
import random
import shutil
import subprocess
import sys
import time

try:
    import numpy as np
    import torch
except ImportError as e:  # pragma: no cover
    print(f"oracle_spaces: SKIP: needs numpy and torch ({e})")
    sys.exit(77)

from reference import (zcnas_data_root, epsilon_model, load_cifar10, load_weight_dir, nb101_hash,  # noqa: E402
                       nb101_network, sss_network, zico_from_grads, zico_grads)
from reference import timed_run as run  # noqa: E402
from gradcheck import Report, compare_grads  # noqa: E402

ZICO_TOL = 0.02   # see oracle_nb201
EPS_TOL = 1e-4

NB101 = {
    "table_7v": "111101000110001110110:input,maxpool3x3,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,"
                "conv3x3-bn-relu,output",
    # v1 feeds only v2..v4 (43 channels = the widest of them); v4 gets 42 of them (truncation); the
    # output concatenates 43 + 43 + 42 and adds the input projection.
    "split_truncate": "100011110001011:input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,conv3x3-bn-relu,output",
    # v2 (conv1x1) reaches no output: pruned.
    "pruned_vertex": "1110001001:input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,output",
    "input_to_output": "101101:input,conv1x1-bn-relu,conv3x3-bn-relu,output",
    # v1 -> v2 is a dead end; only input -> output remains (V = 2: the cell is one projection).
    "no_vertex_to_output": "101100:input,conv3x3-bn-relu,maxpool3x3,output",
}
SSS = {
    "all8": "8:8:8:8:8",
    "all64": "64:64:64:64:64",
    "widening": "16:8:32:64:24",
    "narrowing": "64:8:56:16:40",
    "mixed": "24:40:8:48:16",
}
GRAD_BATCH = {"nb101": 4, "nats-sss": 16}
# A ReLU / max-pool decision of zcnas may differ from float64's only at inputs this close to the kink
# (x rms): float32 rounding of activations grows with depth (NB101: ~30 conv layers; see gradcheck).
FLIP_TOL = {"nb101": 1e-4, "nats-sss": 1e-5}
GRAD_OFFSET = 100
# (space, name, batch): ZiCo through the CLI (2 batches).
ZICO_RUNS = [("nb101", "split_truncate", 16), ("nb101", "no_vertex_to_output", 16),
             ("nats-sss", "widening", 64), ("nats-sss", "all64", 32)]
# epsilon through the CLI; NB101 with its published weights (1e-4, 10) on a smaller batch (the
# PyTorch reference runs the 128..512-channel network).
EPS_RUNS = [("nb101", "split_truncate", 32), ("nb101", "input_to_output", 32), ("nb101", "pruned_vertex", 32),
            ("nb101", "no_vertex_to_output", 32), ("nats-sss", "all8", 256), ("nats-sss", "widening", 256),
            ("nats-sss", "mixed", 256)]
EPS_WEIGHTS = {"nb101": (1e-4, 10.0), "nats-sss": (1e-7, 1.0)}
SSS_DATASETS = {"cifar10": 10, "cifar100": 100, "imagenet16": 120}
SSS_SPREAD = 24   # random SSS configurations per dataset for the parameter counts (plus the ones above)

REPORT = Report()
fail, ok = REPORT.fail, REPORT.ok
WORKDIR = None


def archs(space):
    return NB101 if space == "nb101" else SSS


def reference_model(space, arch, num_classes=10, trs=True, device=None):
    if space == "nb101":
        return nb101_network(arch, num_classes, trs, device=device)
    return sss_network(arch, num_classes, trs)


def score_cli(zcnas, space, archs_, proxy, extra):
    """One `zcnas score` run over archs_; the proxy's column as floats (csv)."""
    path = os.path.join(WORKDIR, "archs.txt")
    with open(path, "w") as f:
        f.write("\n".join(archs_) + "\n")
    out, secs = run([zcnas, "score", "--space", space, "--proxy", proxy, "--sampler", "sequential",
                     "--threads", "1", "--format", "csv", "--quiet", "--arch-file", path] + extra,
                    f"zcnas score {proxy}")
    rows = list(csv.DictReader(io.StringIO(out)))
    if len(rows) != len(archs_) or any(proxy not in r for r in rows):
        raise RuntimeError(f"zcnas score: unexpected output {out[:300]!r}")
    return [float(r[proxy]) for r in rows], secs


def n_params(model):
    return sum(p.numel() for p in model.parameters())


def check_networks(zcnas, tool, workdir, X, Y, backends):
    weights = {}
    for space in ("nb101", "nats-sss"):
        for seed, (name, arch) in enumerate(archs(space).items()):
            tag = f"{space} {name}"
            d = os.path.join(workdir, f"w_{space}_{name}")
            run([zcnas, "init", "--space", space, "--arch", arch, "--seed", str(seed + 1), "--save", d], "zcnas init")
            model = reference_model(space, arch)
            try:
                model.load_state_dict(load_weight_dir(d), strict=True)
            except RuntimeError as e:
                fail(f"{tag}: load_state_dict(strict=True) of zcnas init: {str(e).splitlines()[0]} ...")
                print(str(e)[:2000])
                continue
            weights[(space, name)] = d
            got, _ = score_cli(zcnas, space, [arch], "params", [])
            if got[0] != n_params(model):
                fail(f"{tag}: zcnas params {got[0]:.0f}, PyTorch model {n_params(model)}")
            ok(f"{tag}: zcnas init loads strictly ({len(model.state_dict())} tensors), "
               f"{n_params(model):,} parameters in both")

            B = GRAD_BATCH[space]
            xb, yb = X[GRAD_OFFSET:GRAD_OFFSET + B], Y[GRAD_OFFSET:GRAD_OFFSET + B]
            gdir = os.path.join(workdir, f"g_{space}_{name}")
            os.makedirs(gdir)
            xpath, ypath = os.path.join(gdir, "x.npy"), os.path.join(gdir, "y.npy")
            np.save(xpath, xb)
            np.save(ypath, yb.astype(np.float32))
            for backend in backends:
                cmd = [tool, "net", "--space", space, "--arch", arch, "--classes", "10", "--weights", d,
                       "--x", xpath, "--labels", ypath, "--backend", backend]
                compare_grads(REPORT, cmd, f"[{backend}] {tag}", model, xb, yb, os.path.join(gdir, backend),
                              flip_tol=FLIP_TOL[space])
    return weights


def check_zico(zcnas, X, Y, weights):
    worst = 0.0
    for space, name, B in ZICO_RUNS:
        if (space, name) not in weights:
            continue
        arch = archs(space)[name]
        (got,), secs = score_cli(zcnas, space, [arch], "zico", ["--weights", weights[(space, name)],
                                                                "--batch-size", str(B), "--batches", "2"])
        model = reference_model(space, arch)
        model.load_state_dict(load_weight_dir(weights[(space, name)]), strict=True)
        batches = [(X[0:B], Y[0:B]), (X[B:2 * B], Y[B:2 * B])]
        g32 = zico_grads(model, batches)
        want = zico_from_grads(g32)
        rel = abs(got - want) / max(abs(want), 1e-12)
        worst = max(worst, rel)
        msg = f"zico {space} {name} B={B}: zcnas {got:.6f} vs official {want:.6f} (relative {rel:.2e})"
        if rel <= ZICO_TOL:
            ok(f"{msg}; zcnas {secs:.1f}s")
            continue
        # Past 2%: a layer's term log sum mean|g| / std(g) can be carried by one weight whose two batch
        # gradients nearly coincide, and then by float32 rounding of their difference. zcnas must be
        # within 3x the official code's own float32 noise: the sum over layers of |term(float32) -
        # term(float64)| of the official code.
        g64 = zico_grads(copy.deepcopy(model).double(), [(torch.from_numpy(x).double(), y) for x, y in batches])
        want64 = zico_from_grads(g64)
        noise = sum(abs(zico_from_grads({k: g32[k]}) - zico_from_grads({k: g64[k]})) for k in g64)
        if abs(got - want64) <= max(ZICO_TOL * abs(want64), 3 * noise):
            ok(f"{msg}; float32-noise limited: float64 {want64:.6f}, zcnas off it by {abs(got - want64):.3f}, "
               f"the official float32 layer terms by {noise:.3f} in all")
        else:
            fail(f"{msg} > {ZICO_TOL}; float64 {want64:.6f}, official float32 layer-term noise {noise:.3f}")
    return worst


def check_epsilon(zcnas, X):
    worst = 0.0
    for space, name, B in EPS_RUNS:
        arch = archs(space)[name]
        lo, hi = EPS_WEIGHTS[space]
        xe = X[0:B]
        (fast,), t_fast = score_cli(zcnas, space, [arch], "epsilon", ["--eps-batch-size", str(B)])
        (full,), t_full = score_cli(zcnas, space, [arch], "epsilon", ["--eps-batch-size", str(B), "--exact-full"])
        net = reference_model(space, arch, num_classes=1, trs=False)
        want = epsilon_model(net, xe, (lo, hi))
        tag = f"epsilon {space} {name} B={B} w=({lo:g}, {hi:g})"
        for how, got in (("one-channel", fast), ("full network", full)):
            if math.isnan(want) or math.isnan(got):
                if math.isnan(want) != math.isnan(got):
                    fail(f"{tag} [{how}]: zcnas {got} vs epsinas {want} (NaN outcome differs)")
                else:
                    ok(f"{tag} [{how}]: NaN in both")
                continue
            rel = abs(got - want) / max(abs(want), 1e-12)
            if rel <= EPS_TOL:
                worst = max(worst, rel)
                ok(f"{tag} [{how}]: zcnas {got:.9g} vs epsinas {want:.9g} (relative {rel:.2e})")
                continue
            want64 = epsilon_model(reference_model(space, arch, num_classes=1, trs=False), xe, (lo, hi),
                                   torch.float64)
            own = abs(want - want64)
            if abs(got - want64) <= 3 * own:
                ok(f"{tag} [{how}]: zcnas {got:.9g} vs epsinas {want:.9g} (relative {rel:.2e}; float32-rounding "
                   f"limited: float64 {want64:.9g}, epsinas off it by {own / abs(want64):.2e})")
            else:
                fail(f"{tag} [{how}]: zcnas {got:.9g} vs epsinas {want:.9g} (relative {rel:.2e} > {EPS_TOL:g}; "
                     f"float64 {want64:.9g})")
        print(f"     zcnas epsilon {t_fast:.2f}s one-channel, {t_full:.2f}s full network")
    return worst


def check_param_counts(zcnas, workdir):
    table = os.path.join(zcnas_data_root(), "benchmarks", "nb101_val_partial.csv")
    with open(table, newline="") as f:
        nb_archs = [r["arch"] for r in csv.DictReader(f)]
    path = os.path.join(workdir, "nb101_table_archs.txt")
    with open(path, "w") as f:
        f.write("\n".join(nb_archs) + "\n")
    out, secs = run([zcnas, "score", "--space", "nb101", "--arch-file", path, "--proxy", "params", "--format",
                     "csv", "--quiet"], "zcnas score params")
    rows = list(csv.DictReader(io.StringIO(out)))
    # the hash column: the benchmark's algorithm re-stated in Python, on the table's cells and on 300
    # sampled ones (which must be distinct cells)
    sampled, _ = run([zcnas, "score", "--space", "nb101", "--sample", "300", "--seed", "2", "--proxy", "params",
                      "--format", "csv", "--quiet"], "zcnas score --sample")
    sampled = list(csv.DictReader(io.StringIO(sampled)))
    wrong = [(r["arch"], r["hash"]) for r in rows + sampled if nb101_hash(r["arch"]) != r["hash"]]
    for arch, h in wrong[:5]:
        fail(f"nb101 hash of {arch}: zcnas {h}, the benchmark's algorithm {nb101_hash(arch)}")
    if len(sampled) != 300 or len({r["hash"] for r in sampled}) != 300:
        fail(f"nb101 --sample 300: {len(sampled)} rows, {len({r['hash'] for r in sampled})} distinct cells")
    elif not wrong:
        ok(f"nb101 hash: {len(rows)} table and 300 sampled cells (all distinct) as the benchmark's algorithm")
    bad = 0
    for arch, r in zip(nb_archs, rows):
        want = n_params(nb101_network(arch, device="meta"))
        if int(r["params"]) != want:
            bad += 1
            if bad <= 5:
                fail(f"nb101 params of {arch}: zcnas {r['params']}, PyTorch {want}")
    if len(rows) != len(nb_archs):
        fail(f"nb101 params: {len(rows)} rows for {len(nb_archs)} table architectures")
    elif not bad:
        ok(f"nb101 params: all {len(rows)} table architectures equal the PyTorch model's ({secs:.1f}s)")

    rng = random.Random(5)
    choices = list(range(8, 65, 8))
    configs = list(SSS.values()) + [":".join(str(rng.choice(choices)) for _ in range(5)) for _ in range(SSS_SPREAD)]
    for ds, k in SSS_DATASETS.items():
        got, _ = score_cli(zcnas, "nats-sss", configs, "params", ["--dataset", ds])
        bad = [(c, g, n_params(sss_network(c, k))) for c, g in zip(configs, got) if g != n_params(sss_network(c, k))]
        for c, g, w in bad[:5]:
            fail(f"nats-sss params of {c} on {ds}: zcnas {g:.0f}, PyTorch {w}")
        if not bad:
            ok(f"nats-sss params on {ds} ({k} classes): {len(configs)} configurations equal the PyTorch model's")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zcnas", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    t_start = time.time()
    zcnas = os.path.abspath(a.zcnas)
    tool = os.path.join(os.path.dirname(os.path.abspath(a.workdir)), "zc_testtool")
    for exe in (zcnas, tool):
        if not os.access(exe, os.X_OK):
            print(f"oracle_spaces: FAIL: {exe} not found")
            return 1
    data_file = os.path.join(zcnas_data_root(), "cifar10", "data_batch_1.bin")
    if not os.path.exists(data_file):
        print(f"oracle_spaces: FAIL: {data_file} missing")
        return 1
    torch.set_num_threads(1)
    torch.manual_seed(0)
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    global WORKDIR
    WORKDIR = a.workdir
    backends = subprocess.run([tool, "backends"], capture_output=True, text=True, check=True).stdout.split()
    print("backends: " + ", ".join(backends))
    X, Y = load_cifar10(data_file, 256)

    weights = check_networks(zcnas, tool, a.workdir, X, Y, backends)
    zico_worst = check_zico(zcnas, X, Y, weights)
    eps_worst = check_epsilon(zcnas, X)
    check_param_counts(zcnas, a.workdir)

    print(f"worst: zico {zico_worst:.2e} (tol {ZICO_TOL:g}), epsilon {eps_worst:.2e} (tol {EPS_TOL:g}, apart from "
          "float32-limited scores); "
          f"{time.time() - t_start:.0f}s")
    if REPORT.failures:
        print(f"oracle_spaces: FAIL ({len(REPORT.failures)} problems)")
        return 1
    print("oracle_spaces: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
