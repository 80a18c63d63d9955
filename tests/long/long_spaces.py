#!/usr/bin/env python3
"""Long run (scripts/test.sh --long): the NAS-Bench-101 and NATS-Bench-SSS sweeps of issue 11.
1. The 500 cells of $ZCNAS_DATA/benchmarks/nb101_val_partial.csv scored with params, zico and epsilon at the
   defaults (`zcnas score --space nb101 --arch-file F`): parameter counts equal the PyTorch model's (meta device),
   and against validation accuracy (`zcnas eval`, rows matched by graph hash) Spearman >= 0.5 for ZiCo
   (paper Fig. 3: 0.63) and >= 0.45 for epsilon (epsinas: 0.62) on its non-NaN cells.
2. `zcnas score --space nats-sss --all --proxy params,flops,epsilon`: every one of the 32,768 indices once, in
   order, with finite positive counts, and the parameter counts of a spread equal to the PyTorch model's.
Times are printed. usage: long_spaces.py --zcnas build/zcnas --workdir DIR [--threads N]"""
import csv, io, os, random, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "oracle"))
from helpers import Cli, rows  # noqa: E402

T = Cli()
DATA = T.data
try:
    from reference import nb101_network, sss_network
except ImportError as e:
    print(f"long_spaces: SKIP: needs numpy and torch ({e})")
    sys.exit(77)


def n_params(m):
    return sum(p.numel() for p in m.parameters())


# ---- NAS-Bench-101: the 500 table cells
with open(os.path.join(DATA, "benchmarks", "nb101_val_partial.csv"), newline="") as f:
    archs = [r["arch"] for r in csv.DictReader(f)]
arch_file = T.path("nb101_archs.txt")
with open(arch_file, "w") as f:
    f.write("\n".join(archs) + "\n")
scores = T.path("nb101_scores.csv")
t0 = time.time()
rc, out, err = T.run("score", "--space", "nb101", "--arch-file", arch_file, "--proxy", "params,zico,epsilon",
                     "--out", scores, "--quiet")
secs = time.time() - t0
T.check(rc == 0, f"zcnas score --space nb101 --arch-file <{len(archs)} table cells> --proxy params,zico,epsilon: "
                 f"{secs:.0f} s ({err.strip()[:200]})")
if rc == 0:
    got = rows(open(scores).read())
    bad = [(r["arch"], r["params"]) for a, r in zip(archs, got)
           if int(r["params"]) != n_params(nb101_network(a, device="meta"))]
    T.check(len(got) == len(archs) and not bad,
            f"nb101: {len(got)} rows for {len(archs)} cells, parameter counts equal PyTorch's ({len(bad)} differ)")
    rc, out, err = T.run("eval", "--space", "nb101", "--scores", scores, "--format", "csv")
    stats = {r["proxy"]: r for r in rows(out)} if rc == 0 else {}
    print(out)
    for proxy, floor in (("zico", 0.5), ("epsilon", 0.45)):
        s = stats.get(proxy, {})
        rho = float(s.get("spearman", "nan"))
        T.check(rho >= floor, f"nb101 {proxy}: Spearman {rho:.3f} on {s.get('n')} non-NaN cells (>= {floor})")

# ---- NATS-SSS: the whole space
out_file = T.path("sss_all.csv")
t0 = time.time()
rc, out, err = T.run("score", "--space", "nats-sss", "--all", "--proxy", "params,flops,epsilon", "--out", out_file,
                     "--quiet")
secs = time.time() - t0
T.check(rc == 0, f"zcnas score --space nats-sss --all --proxy params,flops,epsilon: {secs:.0f} s ({err.strip()[:200]})")
if rc == 0:
    got = rows(open(out_file).read())
    ok = len(got) == 32768 and all(int(r["index"]) == i for i, r in enumerate(got))
    ok &= all(float(r["params"]) > 0 and float(r["flops"]) > 0 for r in got)
    nan = sum(r["epsilon"] == "nan" for r in got)
    T.check(ok, f"nats-sss --all: 32,768 rows in index order with positive counts; epsilon NaN on {nan}")
    rng = random.Random(1)
    spread = rng.sample(got, 200)
    bad = [r["arch"] for r in spread if int(r["params"]) != n_params(sss_network(r["arch"]))]
    T.check(not bad, f"nats-sss: parameter counts of 200 configurations equal PyTorch's ({bad[:3]})")
T.finish("long_spaces")
