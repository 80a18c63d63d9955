#!/usr/bin/env python3
"""zcnas vs PyTorch, side by side in one run: per-architecture seconds (median, p90) for ZiCo
(2 batches of 64 and of 128) and epsilon (batch 256) on the same NB201 architectures, the same
CIFAR-10 images ($ZCNAS_DATA/cifar10, records in file order; ../shared/data when ZCNAS_DATA is unset) and the same thread count; achieved GFLOP/s against
this machine's sgemm rate; peak memory of ZiCo at batch 128 on the largest NB201 network.

zcnas runs one architecture per thread; PyTorch runs one architecture at a time on all threads
(intra-op). "per arch" below is therefore reported two ways for zcnas: the latency of one
architecture, and wall time / architectures (throughput), which is what scoring a space costs.

usage: bench/run_bench.py [--n 100] [--seed 0] [--threads 1,2] [--build build] [--out bench/RESULTS.md]
                          [--whole-space none|epsilon|all]

The measured part of the report is written between the <!-- bench:begin --> and <!-- bench:end -->
markers of --out (the text around them is kept), or as a new file.
"""
import argparse, csv, io, os, platform, resource, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def run(cmd, env=None):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{p.stderr}")
    return p.stdout, time.perf_counter() - t0


def peak_rss_mib(cmd, env=None):
    """Runs cmd as a child and returns its peak resident set (MiB) from wait4's rusage."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed: {p.stderr.read().decode()}")
    return ru.ru_maxrss / 1024.0


def q(values, frac):
    v = sorted(values)
    return v[min(len(v) - 1, int(frac * len(v)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    ap.add_argument("--skip-pytorch", action="store_true")
    ap.add_argument("--settings", default="zico:64,zico:128,epsilon:256",
                    help="proxy:batch pairs to measure (default: all three)")
    ap.add_argument("--whole-space", choices=["none", "epsilon", "all"], default="none",
                    help="also time `zcnas score --all` on all cores: epsilon,params,flops (about a minute) "
                         "or that and ZiCo (most of an hour)")
    a = ap.parse_args()
    zc = os.path.join(a.build, "zcnas")
    # The data root, as scripts/data-env.sh finds it: zcnas and the PyTorch script read the same files.
    shared = os.path.join(ROOT, "..", "shared", "data")
    if not os.environ.get("ZCNAS_DATA") and os.path.isdir(shared):
        os.environ["ZCNAS_DATA"] = os.path.abspath(shared)
    if not os.environ.get("ZCNAS_DATA"):
        sys.exit("bench: set ZCNAS_DATA to the data directory (cifar10/, benchmarks/; see the README, section 'Data')")
    sgemm = os.path.join(a.build, "bench", "zc_sgemm_peak")
    threads = [int(t) for t in a.threads.split(",")]

    out, _ = run([zc, "score", "--sample", str(a.n), "--seed", str(a.seed), "--proxy", "flops"])
    rows = list(csv.DictReader(io.StringIO(out)))
    idx = [r["index"] for r in rows]
    macs = {r["index"]: int(r["flops"]) for r in rows}
    index_list = ",".join(idx)
    print(f"bench: {len(idx)} NB201 architectures (--sample {a.n} --seed {a.seed}); "
          f"median {statistics.median(macs.values()) / 1e6:.1f} M MACs per image", file=sys.stderr)

    settings = [(p.split(":")[0], int(p.split(":")[1])) for p in a.settings.split(",")]
    results = []   # (threads, proxy, batch, zc_lat_med, zc_lat_p90, zc_thru, pt_med, pt_p90, pt_mean, ratio_med, gflops)
    peaks = {}
    for t in threads:
        env = dict(os.environ, OMP_NUM_THREADS=str(t))
        sg, _ = run([sgemm], env=env)
        peaks[t] = float(sg)
        for proxy, batch in settings:
            cmd = [zc, "score", "--index", index_list, "--proxy", proxy, "--threads", str(t), "--sampler", "sequential"]
            cmd += ["--batch-size", str(batch)] if proxy == "zico" else ["--eps-batch-size", str(batch)]
            print(f"bench: zcnas {proxy} batch {batch}, {t} thread(s)", file=sys.stderr)
            out, wall = run(cmd, env=env)
            zr = list(csv.DictReader(io.StringIO(out)))
            lat = [float(r[proxy + "_seconds"]) for r in zr]
            thru = wall / len(zr)
            flops = sum(2 * macs[r["index"]] * batch * (2 * 3 if proxy == "zico" else 2) for r in zr)
            gflops = flops / wall / 1e9 if proxy == "zico" else float("nan")
            pt, ratios = [float("nan")], [float("nan")]
            if not a.skip_pytorch:
                print(f"bench: PyTorch {proxy} batch {batch}, {t} thread(s)", file=sys.stderr)
                pcmd = [PY, os.path.join(ROOT, "bench", "pytorch_proxies.py"), "--index", index_list, "--proxy", proxy,
                        "--threads", str(t)] + (["--batch-size", str(batch)] if proxy == "zico" else [])
                pout, _ = run(pcmd, env=env)
                prow = {r["index"]: float(r[proxy + "_seconds"]) for r in csv.DictReader(io.StringIO(pout))}
                pt = list(prow.values())
                # Per architecture: PyTorch's seconds over zcnas's for the same network. At t > 1 zcnas
                # scores t architectures at once, so its cost per architecture is latency / t.
                ratios = [prow[r["index"]] / (float(r[proxy + "_seconds"]) / t) for r in zr]
            results.append((t, proxy, batch, statistics.median(lat), q(lat, 0.9), thru,
                            statistics.median(pt), q(pt, 0.9), statistics.mean(pt), statistics.median(ratios), gflops))
            print("bench: result %s" % (results[-1],), file=sys.stderr, flush=True)

    # Peak memory: ZiCo at batch 128 on the largest NB201 network (all nor_conv_3x3, index 1462).
    env1 = dict(os.environ, OMP_NUM_THREADS="1")
    rss_zc = peak_rss_mib([zc, "score", "--index", "1462", "--proxy", "zico", "--batch-size", "128", "--threads", "1"], env1)
    rss_pt = float("nan") if a.skip_pytorch else peak_rss_mib(
        [PY, os.path.join(ROOT, "bench", "pytorch_proxies.py"), "--index", "1462", "--proxy", "zico", "--batch-size", "128"], env1)

    # Whole-space runs, as a user would start them (all cores, resumable output file).
    whole = []
    for proxies in (["epsilon,params,flops"] if a.whole_space == "epsilon" else
                    ["epsilon,params,flops", "zico"] if a.whole_space == "all" else []):
        out_csv = os.path.join(os.path.dirname(os.path.abspath(a.out)), ".whole_space.csv")
        if os.path.exists(out_csv):
            os.remove(out_csv)
        print(f"bench: zcnas score --all --proxy {proxies}", file=sys.stderr, flush=True)
        _, wall = run([zc, "score", "--all", "--proxy", proxies, "--out", out_csv])
        with open(out_csv) as f:
            n_rows = sum(1 for line in f if not line.startswith("#")) - 1   # fingerprint and header lines
        os.remove(out_csv)
        whole.append((proxies, n_rows, wall))

    cpu = "unknown"
    try:
        cpu = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")][0]
    except (OSError, IndexError):
        pass
    lines = []
    lines.append("| threads | proxy | batch | zcnas s, one arch (median / p90) | zcnas wall / archs | "
                 "PyTorch s/arch (median / p90 / mean) | speed-up per arch (median) | speed-up, whole sample | "
                 "zcnas GFLOP/s (% of sgemm) |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for t, proxy, batch, lm, lp, th, pm, pp, pmean, rmed, gf in results:
        g = f"{gf:.0f} ({100 * gf / peaks[t]:.0f}%)" if gf == gf else "-"
        lines.append(f"| {t} | {proxy} | {batch} | {lm:.4f} / {lp:.4f} | {th:.4f} | {pm:.3f} / {pp:.3f} / {pmean:.3f} | "
                     f"{rmed:.1f}x | {pmean / th:.1f}x | {g} |")
    lines.append("")
    lines.append("speed-up per arch: the median over the architectures of PyTorch's seconds divided by zcnas's "
                 "seconds per architecture (its latency / threads, since zcnas scores `threads` architectures at "
                 "once while PyTorch spreads one over the threads). Whole sample: PyTorch's mean seconds per "
                 "architecture divided by zcnas's wall time (process start, data loading and the first "
                 "architecture's one-off primitive creation included) per architecture.")
    lines.append("")
    lines.append(f"sgemm (oneDNN, 2048^3): " + ", ".join(f"{peaks[t]:.0f} GFLOP/s on {t} thread(s)" for t in threads))
    lines.append(f"Peak RSS, ZiCo batch 128 on the largest network (index 1462): zcnas {rss_zc:.0f} MiB, PyTorch {rss_pt:.0f} MiB")
    for proxies, n_rows, wall in whole:
        lines.append(f"Whole space (`zcnas score --all --proxy {proxies} --out FILE`, {os.cpu_count()} threads): "
                     f"{n_rows} architectures in {wall:.1f} s ({wall / 60:.1f} min)")
    table = "\n".join(lines)
    print(table)
    cmdline = "bench/run_bench.py " + " ".join(sys.argv[1:])
    report = (f"Produced by `{cmdline.strip()}` (after `scripts/build.sh`) on {time.strftime('%Y-%m-%d')}, "
              f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; PyTorch from Debian "
              f"(`python3-torch`), zcnas backend {os.environ.get('ZCNAS_BACKEND', 'default (dnnl)')}.\n\n"
              f"{len(idx)} NB201 architectures (`--sample {a.n} --seed {a.seed}`), CIFAR-10 records in file order "
              f"from $ZCNAS_DATA/cifar10 (data_batch_1.bin first); network construction and initialisation are included in every time.\n\n"
              + table + "\n")
    # An existing report keeps its text: only the part between the markers is replaced.
    begin, end = "<!-- bench:begin -->\n", "<!-- bench:end -->"
    old = open(a.out).read() if os.path.exists(a.out) else ""
    if begin in old and end in old:
        text = old[:old.index(begin) + len(begin)] + report + old[old.index(end):]
    else:
        text = "# Benchmark results\n\n" + begin + report + end + "\n"
    with open(a.out, "w") as f:
        f.write(text)
    print(f"bench: wrote {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
