#!/usr/bin/env python3
"""zcnas vs PyTorch on NAS-Bench-101, side by side in one run: per-architecture seconds of ZiCo (2 batches
of 64) and epsilon (batch 256, weights 1e-4 and 10) on the same N cells of the benchmark table
($ZCNAS_DATA/benchmarks/nb101_val_partial.csv, a seeded sample), the same CIFAR-10 images (records in file
order) and one thread each. Prints a Markdown table with the CPU and its vector ISA.

usage: bench/bench_nb101.py [--n 20] [--seed 0] [--build build]
"""
import argparse, csv, io, os, random, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{p.stderr}")
    return p.stdout


def cpu():
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next((ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("Model name")), "?")
    flags = next((ln.split(":", 1)[1].split() for ln in out.splitlines() if ln.startswith("Flags")), [])
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
    return f"{model} ({isa})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()
    root = os.environ.get("ZCNAS_DATA") or os.path.join(ROOT, "..", "shared", "data")
    os.environ["ZCNAS_DATA"] = root
    with open(os.path.join(root, "benchmarks", "nb101_val_partial.csv"), newline="") as f:
        archs = sorted({r["arch"] for r in csv.DictReader(f)})
    archs = random.Random(a.seed).sample(archs, a.n)
    path = os.path.join(a.build, "bench_nb101_archs.txt")
    with open(path, "w") as f:
        f.write("\n".join(archs) + "\n")
    zcnas = os.path.join(a.build, "zcnas")
    rows = []
    for proxy, extra in (("zico", ["--batch-size", "64", "--batches", "2"]), ("epsilon", ["--eps-batch-size", "256"])):
        out = run([zcnas, "score", "--space", "nb101", "--arch-file", path, "--proxy", proxy, "--threads", "1",
                   "--sampler", "sequential", "--format", "csv", "--quiet"] + extra)
        z = [float(r[proxy + "_seconds"]) for r in csv.DictReader(io.StringIO(out))]
        env = dict(os.environ, OMP_NUM_THREADS="1")
        out = subprocess.run([PY, os.path.join(ROOT, "bench", "pytorch_proxies.py"), "--space", "nb101", "--arch-file",
                              path, "--proxy", proxy, "--threads", "1"], capture_output=True, text=True, env=env)
        if out.returncode != 0:
            sys.exit(f"bench: pytorch_proxies.py failed:\n{out.stderr}")
        t = [float(r[proxy + "_seconds"]) for r in csv.DictReader(io.StringIO(out.stdout))]
        ratios = [b / x for x, b in zip(z, t)]
        rows.append((proxy, statistics.median(z), statistics.median(t), statistics.median(ratios), min(ratios),
                     max(ratios)))
        print(f"{proxy}: done", file=sys.stderr, flush=True)
    print(f"NAS-Bench-101, {a.n} table cells (seed {a.seed}), 1 thread each, CPU {cpu()}, "
          f"{time.strftime('%Y-%m-%d')}\n")
    print("| proxy | zcnas s/arch (median) | PyTorch s/arch (median) | speed-up median | min | max |")
    print("|---|---|---|---|---|---|")
    for p, z, t, r, lo, hi in rows:
        print(f"| {p} | {z:.3f} | {t:.3f} | {r:.1f}x | {lo:.1f}x | {hi:.1f}x |")


if __name__ == "__main__":
    sys.exit(main())
