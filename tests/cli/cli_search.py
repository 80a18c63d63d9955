#!/usr/bin/env python3
"""End-to-end checks of `zcnas search`: NB201 random search and REA are deterministic and independent
of --threads, budgets are never exceeded (against `zcnas score`'s counts), reported accuracy and true
rank match the benchmark table, and ZiCo's evolutionary search (--space zennas, on a small structure)
is deterministic, stays within its layer/FLOPs budgets, and an interrupted run (--iterations K then
--resume, or SIGINT / SIGTERM mid-run) continued with --resume equals an uninterrupted run. Every
algorithm runs on every space: random / REA on zennas (budgets, no benchmark columns), the
evolution on nb201 (its best scores the same through `zcnas score`); a search in which every score is
NaN (epsilon on zennas' all-conv networks) fails with one line instead of reporting nothing."""
import csv, io, json, math, os, signal, subprocess, time

from helpers import Cli

T = Cli()
ZC, W, DATA = T.zcnas, T.workdir, T.data
BENCH = os.path.join(DATA, "benchmarks", "nb201_accuracy.csv")
run, check = T.run, T.check


def search_json(*a):
    rc, out, err = run("search", "--format", "json", *a)
    if rc != 0:
        print(err)
        return None
    d = json.loads(out)
    for r in d["repeats"]:
        r.pop("seconds")
    return d


# ---------------------------------------------------------------- NB201
bench = {}
with open(BENCH) as f:
    for row in csv.DictReader(f):
        bench[int(row["index"])] = float(row["cifar10_test"])
accs = sorted(bench.values(), reverse=True)

tiny = ["--proxy", "zico", "--batch-size", "8"]
a = search_json(*tiny, "--algo", "random", "--evals", "6", "--seed", "2", "--threads", "1")
b = search_json(*tiny, "--algo", "random", "--evals", "6", "--seed", "2", "--threads", "2")
check(a is not None and a == b, "random search with zico: same result with 1 and 2 threads")
a = search_json(*tiny, "--algo", "rea", "--evals", "10", "--population", "4", "--sample-size", "2", "--seed", "1", "--threads", "1")
b = search_json(*tiny, "--algo", "rea", "--evals", "10", "--population", "4", "--sample-size", "2", "--seed", "1", "--threads", "2")
check(a is not None and a == b, "REA with zico: same result with 1 and 2 threads")

d = search_json("--proxy", "params", "--evals", "50", "--repeat", "4", "--seed", "5")
ok = d is not None and len(d["repeats"]) == 4
if ok:
    for i, r in enumerate(d["repeats"]):
        ok &= r["seed"] == 5 + i and r["score"] == r["params"]
        ok &= abs(r["accuracy"] - bench[r["index"]]) < 1e-9
        ok &= r["rank"] == 1 + sum(1 for v in accs if v > r["accuracy"])
    v = [r["accuracy"] for r in d["repeats"]]
    m = sum(v) / len(v)
    ok &= abs(d["mean_accuracy"] - m) < 1e-9
    ok &= abs(d["std_accuracy"] - math.sqrt(sum((x - m) ** 2 for x in v) / len(v))) < 1e-9
    ok &= len({r["index"] for r in d["repeats"]}) > 1
check(ok, "repeats use seeds S+r; accuracy, true rank, mean and std agree with the table")
d2 = search_json("--proxy", "params", "--evals", "50", "--repeat", "4", "--seed", "5")
check(d == d2, "a seeded search is deterministic")

log = os.path.join(W, "evals.csv")
budget_ok = True
for algo in ("random", "rea"):
    rc, out, err = run("search", "--proxy", "params", "--algo", algo, "--evals", "150", "--population", "16",
                       "--max-params", "400000", "--max-flops", "55e6", "--log", log, "--repeat", "2")
    rows = list(csv.DictReader(open(log))) if rc == 0 else []
    budget_ok &= rc == 0 and len(rows) == 300
    budget_ok &= all(float(r["params"]) <= 400000 and float(r["flops"]) <= 55e6 for r in rows)
check(budget_ok, "every evaluation of random search and REA is within --max-params / --max-flops")
if rows:
    idx = sorted({r["index"] for r in rows})[:5]
    rc, out, err = run("score", "--index", ",".join(idx), "--proxy", "params,flops")
    ref = {r["index"]: r for r in csv.DictReader(out.splitlines())}
    mine = {r["index"]: r for r in rows}
    check(rc == 0 and all(float(mine[i]["params"]) == float(ref[i]["params"]) and
                          float(mine[i]["flops"]) == float(ref[i]["flops"]) for i in idx),
          "logged costs equal `zcnas score --proxy params,flops`")

for argv, code, needle in [
        (["--proxy", "zico,params"], 2, "exactly one proxy"),
        (["--algo", "bfs"], 2, "--algo"),
        (["--proxy", "params", "--max-params", "1000"], 2, "budget"),
        (["--space", "nb999"], 2, "--space")]:
    rc, out, err = run("search", *argv)
    check(rc == code and needle in err and err.count("\n") == 1, f"error exit {code} naming '{needle}': {err.strip()}")

# ---------------------------------------------------------------- NB101 and NATS-SSS
# REA with both NB101 mutations and on SSS: every evaluation is a valid arch of the space whose logged
# costs and hash equal `zcnas score`'s, the answer is the best of the log, and NB101's accuracy is the
# table's mean over the rows with the found cell's hash.
nb101_acc = {}
with open(os.path.join(DATA, "benchmarks", "nb101_val_partial.csv")) as f:
    for row in csv.DictReader(f):
        nb101_acc.setdefault(row["arch"], []).append(float(row["val_accuracy"]))
table_archs = os.path.join(W, "nb101_table_archs.txt")
with open(table_archs, "w") as f:
    f.write("\n".join(nb101_acc) + "\n")
rc, out, err = run("score", "--space", "nb101", "--arch-file", table_archs, "--proxy", "params")
nb101_hash_acc = {}
for arch, r in zip(nb101_acc, csv.DictReader(io.StringIO(out)) if rc == 0 else []):
    nb101_hash_acc.setdefault(r["hash"], []).extend(nb101_acc[arch])
check(len(nb101_hash_acc) > 250, f"nb101 table: {len(nb101_hash_acc)} distinct cells by hash")
looked_up = 0
for space, extra in (("nb101", ["--mutation", "api"]), ("nb101", ["--mutation", "epsinas"]), ("nats-sss", [])):
    log = os.path.join(W, f"evals_{space}.csv")
    rc, out, err = run("search", "--space", space, "--proxy", "params", "--algo", "rea", "--evals", "40",
                       "--population", "8", "--sample-size", "3", "--seed", "3", "--log", log, "--format", "json",
                       "--quiet", *extra)
    rows = list(csv.DictReader(open(log))) if rc == 0 else []
    ok = rc == 0 and len(rows) == 40
    if ok:
        d = json.loads(out)["repeats"][0]
        arch_file = os.path.join(W, f"archs_{space}.txt")
        with open(arch_file, "w") as f:
            f.write("\n".join(r["arch"] for r in rows) + "\n")
        rc2, out2, err2 = run("score", "--space", space, "--arch-file", arch_file, "--proxy", "params,flops")
        ref = list(csv.DictReader(io.StringIO(out2))) if rc2 == 0 else []
        ok &= len(ref) == 40 and all(float(a["params"]) == float(b["params"]) and float(a["flops"]) == float(b["flops"])
                                     and a.get("hash") == b.get("hash") for a, b in zip(rows, ref))
        ok &= d["score"] == max(float(r["params"]) for r in rows)
        if space == "nb101":
            ok &= len({r["hash"] for r in rows}) > 8 and d["hash"] in {r["hash"] for r in rows}
            # the table's rows of the found cell, by hash (the table lists isomorphic cells separately)
            want = [v for h, vs in nb101_hash_acc.items() if h == d["hash"] for v in vs]
            ok &= (d["accuracy"] is None) if not want else abs(d["accuracy"] - sum(want) / len(want)) < 1e-9
            looked_up += bool(want)
    check(ok, f"{space} REA {' '.join(extra)}: 40 valid evaluations, costs and hashes equal `zcnas score`'s, best of the log")
check(looked_up > 0, "an NB101 search found a table cell and reported its mean val_accuracy")

# ---------------------------------------------------------------- ZenNAS / ZiCo evolution
SMALL = ("SuperConvK3BNRELU(3,8,2,1)SuperResIDWE2K3(8,16,2,8,1)SuperResIDWE2K3(16,24,2,8,1)"
         "SuperConvK1BNRELU(24,32,1,1)")
ZN = ["search", "--space", "zennas", "--initial", SMALL, "--num-classes", "10", "--resolution", "16",
      "--batch-size", "4", "--population", "4", "--max-layers", "6", "--budget-flops", "20e6",
      "--backend", "ref", "--quiet", "--seed", "3"]


def zen(out, *extra):
    return run(*ZN, "--out", os.path.join(W, out), *extra)


def read(out, name):
    with open(os.path.join(W, out, name)) as f:
        return f.read()


def ckpt_iteration(out):
    for line in read(out, "checkpoint").splitlines():
        if line.startswith("iteration "):
            return int(line.split()[1])
    return -1


rc, out, err = zen("a", "--iterations", "30")
rc2, _, _ = zen("a2", "--iterations", "30")
check(rc == 0 and rc2 == 0 and read("a", "candidates.csv") == read("a2", "candidates.csv")
      and read("a", "best.txt") == read("a2", "best.txt"), "zennas: a seeded search is deterministic")
if rc == 0:
    rows = list(csv.DictReader(open(os.path.join(W, "a", "candidates.csv"))))
    summ = json.loads(read("a", "summary.json"))
    scored = [r for r in rows if r["status"] == "scored"]
    check(len(rows) == 30 and [int(r["iteration"]) for r in rows] == list(range(30)), "zennas: one row per iteration")
    check(len(scored) > 5 and all(int(r["layers"]) <= 6 and float(r["flops"]) <= 20e6 for r in scored),
          "zennas: no scored candidate exceeds the layer or FLOPs budget")
    check(all(r["status"] == "scored" or int(r["layers"]) > 6 or float(r["flops"]) > 20e6 for r in rows),
          "zennas: every rejection is over a budget")
    best = read("a", "best.txt").strip()
    top = max(scored, key=lambda r: float(r["score"]))
    check(best == summ["best"] == top["arch"] and float(top["score"]) == summ["score"]
          and summ["flops"] <= 20e6 and summ["layers"] <= 6, "zennas: best.txt / summary.json = the best scored candidate")
    # The official loop, replayed on the log: remove-min down to E at the start of an iteration, then
    # append the scored child; so E + 1 members can remain at the end, which the summary labels apart.
    pop = []
    for r in rows:
        while len(pop) > 4:
            pop.remove(min(pop))
        if r["status"] == "scored":
            pop.append(float(r["score"]))
    check(summ["settings"]["population_size"] == 4 and summ["final_members"] == len(pop) <= 5
          and "population" not in summ, f"zennas: population size 4, {summ['final_members']} final members as the official loop")
    check(f"population size 4, {len(pop)} members at the end" in out, "zennas: the summary line labels size and members")

rc, out, err = run(*[x for x in ZN if x not in ("--budget-flops", "20e6")], "--out", os.path.join(W, "nob"), "--iterations", "3")
check(rc == 2 and "--budget-flops" in err and "--no-budget" in err, f"zennas: a budget is required: {err.strip()[:90]!r}")

rc, _, _ = zen("b", "--iterations", "11", "--checkpoint-every", "4")
rc2, out, err = zen("b", "--iterations", "30", "--checkpoint-every", "4", "--resume")
check(rc == 0 and rc2 == 0 and "resumed from 11" in out and
      all(read("a", f) == read("b", f) for f in ("candidates.csv", "best.txt", "checkpoint")),
      "zennas: --iterations 11, then --resume to 30 = an uninterrupted run of 30")

rc, out, err = zen("b", "--iterations", "30")
check(rc == 2 and "--resume" in err, "zennas: an existing search is not overwritten without --resume")
rc, out, err = zen("b", "--iterations", "30", "--resume", "--batches", "3")
check(rc == 2 and "other options" in err and "data_zico=2x4,md5:" in err and "now data_zico=3x4,md5:" in err, "zennas: --resume with other options is refused")

for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
    name = "sig%d" % sig
    p = subprocess.Popen([ZC, *ZN, "--out", os.path.join(W, name), "--iterations", "100000", "--checkpoint-every", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = os.path.join(W, name, "candidates.csv")
    t0 = time.time()
    while time.time() - t0 < 60 and p.poll() is None:
        if os.path.exists(log) and os.path.getsize(log) > 2000:
            break
        time.sleep(0.005)
    p.send_signal(sig)
    out, err = p.communicate()
    k = ckpt_iteration(name) if p.returncode == code else -1
    check(p.returncode == code and "interrupted" in err and "--resume" in err and 0 < k < 100000,
          f"zennas: signal {int(sig)} -> exit {code}, checkpoint at iteration {k}")
    if k > 0:
        total = k + 7
        rc, _, _ = run(*ZN, "--out", os.path.join(W, name), "--iterations", str(total), "--checkpoint-every", "0", "--resume")
        rc2, _, _ = run(*ZN, "--out", os.path.join(W, name + "ref"), "--iterations", str(total), "--checkpoint-every", "0")
        check(rc == 0 and rc2 == 0 and all(read(name, f) == read(name + "ref", f) for f in ("candidates.csv", "best.txt")),
              f"zennas: interrupted at {k} + --resume to {total} = an uninterrupted run of {total}")

# ---------------------------------------------------------------- the batch mode (--candidates-per-step B)
# While the population stays at most 10 every child mutates the initial architecture, so batches of 4
# must reproduce the official loop exactly (same draws, streams, log, best).
B4 = ["--candidates-per-step", "4"]
rc, _, _ = zen("m", "--iterations", "30", *B4)
check(rc == 0 and read("m", "candidates.csv") == read("a", "candidates.csv") and read("m", "best.txt") == read("a", "best.txt"),
      "zennas batch mode: with population 4 (every parent the initial) it reproduces the official loop")
# population 12: parents are drawn from the population, so batches differ from the loop; results must
# not depend on --threads, and a stop at a multiple of B then --resume must equal an uninterrupted run
ZB = [x if x != "4" else "12" for x in ZN] + B4 + ["--iterations", "40"]
runs = {}
for name, extra in (("b1", ["--threads", "1"]), ("b2", ["--threads", "2"])):
    rc, _, _ = run(*ZB, *extra, "--out", os.path.join(W, name))
    runs[name] = rc == 0 and (read(name, "candidates.csv"), read(name, "best.txt"))
check(runs["b1"] and runs["b1"] == runs["b2"], "zennas batch mode: --threads 1 and 2 give the same search")
if runs["b1"]:
    rows = list(csv.DictReader(io.StringIO(runs["b1"][0])))
    check([int(r["iteration"]) for r in rows] == list(range(40)) and
          all(int(r["layers"]) <= 6 and float(r["flops"]) <= 20e6 for r in rows if r["status"] == "scored"),
          "zennas batch mode: one row per iteration, budgets kept")
rc, _, _ = run(*[x if x != "40" else "12" for x in ZB], "--checkpoint-every", "4", "--out", os.path.join(W, "b3"))
rc2, _, _ = run(*ZB, "--checkpoint-every", "4", "--resume", "--out", os.path.join(W, "b3"))
check(rc == 0 and rc2 == 0 and (read("b3", "candidates.csv"), read("b3", "best.txt")) == runs["b1"],
      "zennas batch mode: --iterations 12, then --resume to 40 = an uninterrupted run of 40")
rc, _, err = run(*[x if x != "4" else "2" for x in ZB], "--resume", "--out", os.path.join(W, "b3"))
check(rc == 2 and "candidates_per_step=4" in err, f"zennas batch mode: --resume with another B is refused ({err.strip()[:100]!r})")
rc, _, _ = run(*ZB, "--backend-threads", "2", "--out", os.path.join(W, "b5"))
check(rc == 0 and len(read("b5", "candidates.csv").splitlines()) == 41,
      "zennas batch mode: --backend-threads 2 gives each candidate two backend threads")
rc, _, err = run(*ZB, "--backend-threads", "2", "--resume", "--out", os.path.join(W, "b3"))
check(rc == 2 and "backend_threads=1" in err and "backend_threads=2" in err,
      f"zennas batch mode: --resume with other backend threads is refused ({err.strip()[:100]!r})")
rc, _, err = run(*ZB[:-4], "--candidates-per-step", "0", "--out", os.path.join(W, "b4"))
check(rc == 2 and "--candidates-per-step" in err, f"zennas batch mode: B = 0 is a usage error ({err.strip()[:100]!r})")

# ---------------------------------------------------------------- any algorithm on any space
d = search_json("--space", "zennas", "--algo", "random", "--proxy", "params", "--evals", "6", "--repeat", "2",
                "--max-flops", "300e6", "--num-classes", "10", "--seed", "3")
check(d is not None and len(d["repeats"]) == 2
      and all(r["flops"] <= 300e6 and r["score"] == r["params"] and r["index"] is None and r["accuracy"] is None
              for r in d["repeats"]),
      "zennas: random search under a FLOPs budget; no index or accuracy without a benchmark")
rc, out, err = run("search", "--space", "zennas", "--algo", "rea", "--proxy", "params", "--evals", "8",
                   "--population", "4", "--sample-size", "2", "--max-flops", "300e6", "--num-classes", "10")
check(rc == 0 and "rank" not in out.splitlines()[1] and "score" in out.splitlines()[1],
      "zennas: REA runs; the text table has no accuracy / rank columns without a benchmark")
evo = os.path.join(W, "nb201evo")
rc, out, err = run("search", "--space", "nb201", "--algo", "evolution", "--proxy", "epsilon", "--iterations", "20",
                   "--population", "6", "--no-budget", "--seed", "4", "--out", evo, "--quiet")
ok = rc == 0
if ok:
    summ = json.load(open(os.path.join(evo, "summary.json")))
    rc2, out2, _ = run("score", "--arch", summ["best"], "--proxy", "epsilon", "--seed", "4")
    ok = rc2 == 0 and abs(float(list(csv.DictReader(io.StringIO(out2)))[0]["epsilon"]) - summ["score"]) <= 1e-6 * abs(summ["score"]) \
        and "layers" not in out.splitlines()[1]
check(ok, "nb201: ZiCo's evolution runs on any space; its best scores the same through zcnas score")

T.expect_error(1, ["finite epsilon", "zennas"], "search", "--space", "zennas", "--algo", "random", "--proxy", "epsilon",
               "--evals", "3", "--resolution", "16", "--eps-batch-size", "8", "--num-classes", "10", "--quiet")
T.expect_error(1, ["finite epsilon", "zennas"], "search", "--space", "zennas", "--proxy", "epsilon", "--no-budget",
               "--iterations", "4", "--population", "2", "--resolution", "16", "--eps-batch-size", "8",
               "--num-classes", "10", "--out", os.path.join(W, "zeps"), "--quiet")

T.finish("cli_search")
