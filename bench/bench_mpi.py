#!/usr/bin/env python3
"""MPI scaling on this machine, and the per-network times behind cluster estimates (issue 17).

1. Throughput: the same N NB201 architectures scored with ZiCo (2 batches of 64, CIFAR-10 records in
   file order) by `mpirun -np k zcnas score` for k = 1, 2, 3 ranks of one thread each, beside one process
   without mpirun at 1 and 2 threads; wall time of the whole command (start, data, scoring, output),
   architectures per second, speed-up over 1 rank. Every output is checked to equal the single
   process's (the seconds columns aside).
2. Per-network seconds on one core: ZiCo (2 x 64) on M NAS-Bench-101 cells, and ZiCo (2 x 128) at
   224 x 224 on ZenNAS candidates near the 450M-FLOPs budget (taken from a short evolution at 32 x 32,
   whose budget counters run at 224), with peak RSS.

usage: bench/bench_mpi.py [--n 48] [--nb101 12] [--zennas 3] [--build build-mpi] [--part scaling|times]
(needs a build with -DZCNAS_MPI=ON: cmake -S . -B build-mpi -DZCNAS_MPI=ON && cmake --build build-mpi)
Prints Markdown with the CPU and its vector ISA.
"""
import argparse, csv, io, os, random, resource, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_nb101 import cpu  # noqa: E402

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")


def timed(cmd):
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
    return time.time() - t0, p.stdout


def without_seconds(path):
    with open(path) as f:
        rows = list(csv.reader(l for l in f if not l.startswith("#")))
    keep = [i for i, h in enumerate(rows[0]) if not h.endswith("_seconds")]
    return [[r[i] for i in keep] for r in rows]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=48)
    ap.add_argument("--nb101", type=int, default=12)
    ap.add_argument("--zennas", type=int, default=3)
    ap.add_argument("--build", default=os.path.join(ROOT, "build-mpi"))
    ap.add_argument("--part", choices=("all", "scaling", "times"), default="all", help="run only one of the two parts")
    a = ap.parse_args()
    os.environ["ZCNAS_DATA"] = ENV["ZCNAS_DATA"] = os.environ.get("ZCNAS_DATA") or os.path.join(ROOT, "..", "shared", "data")
    z = os.path.join(a.build, "zcnas")
    tmp = tempfile.mkdtemp(prefix="bench_mpi.")
    print(f"Machine: {cpu()}, {os.cpu_count()} cores; {time.strftime('%Y-%m-%d')}; `bench/bench_mpi.py --n {a.n} --nb101 {a.nb101} "
          f"--zennas {a.zennas} --part {a.part}`\n")

    # ---- 1. throughput
    if a.part != "times":
        scaling(a, z, tmp)
    if a.part != "scaling":
        times(a, z, tmp)


def scaling(a, z, tmp):
    score = [z, "score", "--sample", str(a.n), "--seed", "0", "--proxy", "zico", "--batch-size", "64", "--batches", "2",
             "--sampler", "sequential", "--quiet"]
    runs = [("1 process, 1 thread", [], 1), ("1 process, 2 threads", [], 2)]
    runs += [(f"mpirun -np {k}, 1 thread each", ["mpirun", "-np", str(k), "--oversubscribe"], 1) for k in (1, 2, 3)]
    ref, base, rows = None, None, []
    for name, launcher, threads in runs:
        out = os.path.join(tmp, f"s{len(rows)}.csv")
        wall, _ = timed(launcher + score + ["--threads", str(threads), "--out", out])
        same = ref is None or without_seconds(out) == ref
        ref = ref or without_seconds(out)
        if launcher and base is None:
            base = wall
        rows.append((name, wall, same))
    print(f"{a.n} NB201 architectures (`--sample {a.n} --seed 0`), ZiCo on 2 batches of 64:\n")
    print("| run | wall s | architectures/s | speed-up over mpirun -np 1 | output = one process's |")
    print("|---|---:|---:|---:|---|")
    for name, wall, same in rows:
        print(f"| {name} | {wall:.1f} | {a.n / wall:.2f} | {base / wall:.2f}x | {'yes' if same else 'NO'} |")



def times(a, z, tmp):
    """2. per-network seconds on one core"""
    bench = os.path.join(os.environ["ZCNAS_DATA"], "benchmarks", "nb101_val_partial.csv")
    with open(bench, newline="") as f:
        cells = sorted({r["arch"] for r in csv.DictReader(f)})
    cells = random.Random(0).sample(cells, a.nb101)
    path = os.path.join(tmp, "nb101.txt")
    with open(path, "w") as f:
        f.write("\n".join(cells) + "\n")
    _, out = timed([z, "score", "--space", "nb101", "--arch-file", path, "--proxy", "zico", "--batch-size", "64",
                    "--batches", "2", "--sampler", "sequential", "--threads", "1", "--quiet"])
    t101 = [float(r["zico_seconds"]) for r in csv.DictReader(io.StringIO(out))]
    print(f"\nPer network, one core: NB101 ZiCo (2 x 64) on {a.nb101} cells: mean {statistics.mean(t101):.2f} s, "
          f"median {statistics.median(t101):.2f} s, max {max(t101):.2f} s")

    evo = os.path.join(tmp, "evo")
    timed([z, "search", "--space", "zennas", "--algo", "evolution", "--budget-flops", "450e6", "--max-layers", "14",
           "--iterations", "300", "--population", "64", "--resolution", "32", "--batch-size", "8", "--proxy", "params",
           "--threads", "1", "--quiet", "--out", evo])
    with open(os.path.join(evo, "candidates.csv"), newline="") as f:
        near = [r for r in csv.DictReader(f) if r["status"] == "scored" and float(r["flops"]) > 350e6]
    near = sorted(near, key=lambda r: -float(r["flops"]))[: a.zennas]
    for r in near:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        _, out = timed([z, "score", "--space", "zennas", "--arch", r["arch"], "--proxy", "zico", "--resolution", "224",
                        "--dataset", "cifar100", "--batch-size", "128", "--batches", "2", "--threads", "1", "--quiet"])
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        s = float(next(csv.DictReader(io.StringIO(out)))["zico_seconds"])
        print(f"ZenNAS candidate at 224 x 224, {float(r['flops']) / 1e6:.0f} M FLOPs, ZiCo (2 x 128): {s:.1f} s, "
              f"peak RSS so far {max(rss, before) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
