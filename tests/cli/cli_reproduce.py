#!/usr/bin/env python3
"""End-to-end checks of `zcnas reproduce` (report folder, the papers' numbers beside ours, --resume)
and of the `zcnas eval` error contract. Python standard library only; small samples, fast proxies."""
import csv, io, json, os, sys
import xml.etree.ElementTree as ET

from helpers import REPO, Cli, rows

T = Cli()
ZC, W, DATA = T.zcnas, T.workdir, T.data
run, check, expect_error = T.run, T.check, T.expect_error


with open(os.path.join(REPO, "data", "papers", "reported.csv")) as f:   # ours, compiled in
    REPORTED = rows(f.read())


def paper(proxy, dataset, space="nb201"):
    """The first reported value per metric on the space, as the table shows it."""
    out = {}
    for r in REPORTED:
        if r["proxy"] == proxy and r["space"] == space and r["dataset"] == dataset:
            out.setdefault(r["metric"], r)
    return out


check(all(set(r) == {"proxy", "space", "dataset", "metric", "value", "source"} and r["source"] for r in REPORTED)
      and len(REPORTED) > 100, "reported.csv: every row has a value and a source")
check(any(r["proxy"] == "epsilon" and r["metric"] == "spearman" and r["value"] == "0.87" for r in REPORTED)
      and any(r["proxy"] == "zico" and r["dataset"] == "cifar100" and r["metric"] == "kendall" for r in REPORTED),
      "reported.csv holds the epsinas full-space row and the ZiCo table")

# --- help
rc, out, _ = run("reproduce", "--help")
check(rc == 0 and "--resume" in out and "report.md" in out and "[default: all]" in out and "[default: 128]" in out,
      "reproduce --help describes the report and the papers' defaults")

# --- a small reproduction: params, flops and epsilon (a small epsilon batch keeps it fast)
out_dir = os.path.join(W, "r6")
base = ["reproduce", "--sample", "6", "--seed", "2", "--proxy", "params,flops,epsilon", "--eps-batch-size", "16",
        "--threads", "1", "--out", out_dir]
rc, out, err = run(*base)
check(rc == 0, f"reproduce runs (rc {rc}, {err.strip()[-300:]!r})")
files = ["scores.csv", "stats.csv", "report.md", "correlation_matrix.csv", "correlation_matrix.svg",
         "scatter_params.svg", "scatter_flops.svg", "scatter_epsilon.svg"]
for name in files:
    check(os.path.isfile(os.path.join(out_dir, name)) and os.path.getsize(os.path.join(out_dir, name)) > 0,
          f"report folder has {name}")
if rc == 0:
    report = open(os.path.join(out_dir, "report.md")).read()
    for proxy in ("params", "epsilon"):
        for metric, r in paper(proxy, "cifar10").items():
            check(r["value"] in out and r["value"] in report and r["source"] in report and r["source"] in out,
                  f"{proxy} {metric}: paper value {r['value']} and its source in the table and report.md")
    sc = rows(open(os.path.join(out_dir, "scores.csv")).read())
    check(len(sc) == 6 and list(sc[0].keys()) == ["index", "arch", "params", "params_seconds", "flops",
                                                  "flops_seconds", "epsilon", "epsilon_seconds"],
          "scores.csv: 6 rows in the `zcnas score` format")
    # the same rows as `zcnas score` gives for those indices
    idx = ",".join(r["index"] for r in sc)
    rc2, out2, _ = run("score", "--index", idx, "--proxy", "params,flops,epsilon", "--eps-batch-size", "16",
                       "--seed", "2")
    strip = lambda rr: [(r["index"], r["arch"], r["params"], r["flops"], r["epsilon"]) for r in rr]
    check(rc2 == 0 and strip(rows(out2)) == strip(sc), "scores.csv matches `zcnas score` on the same indices")
    # stats.csv is what `zcnas eval` computes from scores.csv
    rc3, out3, _ = run("eval", "--scores", os.path.join(out_dir, "scores.csv"), "--format", "csv")
    check(rc3 == 0 and out3 == open(os.path.join(out_dir, "stats.csv")).read(), "stats.csv == zcnas eval --format csv")
    for name in files:
        if name.endswith(".svg"):
            try:
                root = ET.parse(os.path.join(out_dir, name)).getroot()
                ok = root.tag.endswith("svg")
            except ET.ParseError:
                ok = False
            check(ok, f"{name} is well-formed SVG")
    m = list(csv.reader(open(os.path.join(out_dir, "correlation_matrix.csv"))))
    names = m[0][1:]
    check(names == ["params", "flops", "epsilon", "cifar10_test"] and all(
        m[i + 1][j + 1] == m[j + 1][i + 1] for i in range(4) for j in range(4)), "correlation matrix: names, symmetric")
    check(float(m[1][2]) > 0.99, "params and flops rank the sample alike")

# --- existing output: refuse without --resume; --resume scores nothing and gives the same report
expect_error(2, ["--resume"], *base)
rc, out_r, err = run(*base, "--resume")
check(rc == 0 and "0 architectures scored now" in err, f"--resume keeps the finished rows ({err.strip()[:160]!r})")
if rc == 0:
    check(open(os.path.join(out_dir, "stats.csv")).read() == out3, "--resume gives the same statistics")
# an interrupted run: cut the file after 3 rows (and a torn line); --resume scores the rest
path = os.path.join(out_dir, "scores.csv")
lines = open(path).read().splitlines(True)
open(path, "w").write("".join(lines[:5]) + lines[5][:10])   # fingerprint, header, 3 rows, a torn one
rc, _, err = run(*base, "--resume")
check(rc == 0 and "3 architectures scored now" in err and len(rows(open(path).read())) == 6, "--resume after a cut")
if rc == 0:
    check(open(os.path.join(out_dir, "stats.csv")).read() == out3, "... with the same statistics")

# --- another dataset, more than 64 architectures (the top-64 statistic), no image data needed
out70 = os.path.join(W, "r70")
rc, out, err = run("reproduce", "--dataset", "imagenet16", "--sample", "70", "--proxy", "params,flops", "--out", out70)
st = rows(open(os.path.join(out70, "stats.csv")).read()) if rc == 0 else []
check(rc == 0 and len(st) == 2 and st[0]["top64_top5"] not in ("nan", "") and "imagenet16_test" in out,
      "imagenet16: target imagenet16_test, top-64 defined for 70 archs")
for metric, r in paper("params", "imagenet16").items():
    check(r["value"] in out, f"imagenet16 params {metric}: paper value {r['value']} shown")

# --- the default report folder: reproduce-<space>-<dataset>-<N>-<seed> in the working directory
rc, _, err = run("reproduce", "--sample", "3", "--seed", "5", "--proxy", "params", cwd=W)
check(rc == 0 and os.path.isfile(os.path.join(W, "reproduce-nb201-cifar10-3-5", "report.md")),
      f"default --out is reproduce-nb201-cifar10-3-5 ({err.strip()[-200:]!r})")

# --- NAS-Bench-101: no index, so the cells of its table (rows matched on the graph hash), its target
# column, epsinas' NB101 weights and the papers' NB101 numbers
out101 = os.path.join(W, "r101")
rc, out, err = run("reproduce", "--space", "nb101", "--sample", "6", "--seed", "3", "--proxy", "params,epsilon",
                   "--eps-batch-size", "16", "--threads", "1", "--out", out101)
sc = rows(open(os.path.join(out101, "scores.csv")).read()) if rc == 0 else []
check(rc == 0 and len(sc) == 6 and list(sc[0])[:3] == ["index", "arch", "hash"] and all(not r["index"] for r in sc)
      and all(len(r["hash"]) == 32 for r in sc), f"nb101 reproduce: 6 table cells with their hash ({err.strip()[-200:]!r})")
check(rc == 0 and "val_accuracy" in out and "weights 0.0001 and 10" in out and "0.62" in out and "epsinas NAS-Bench-101" in out,
      "nb101 reproduce: target val_accuracy, weights 1e-4 and 10, epsinas' 0.62 beside ours")
expect_error(2, ["zennas", "--bench"], "reproduce", "--space", "zennas", "--out", os.path.join(W, "x"))

# --- NATS-SSS: no table ships; any user table (here a synthetic one written by the test: 40 configs
# with made-up accuracies, rows out of order, `arch` only) works as --bench for reproduce and eval
import random as _random
rng = _random.Random(4)
sss = {}
while len(sss) < 40:
    arch = ":".join(str(8 * rng.randint(1, 8)) for _ in range(5))
    sss[arch] = round(rng.uniform(80, 95), 2)
table = os.path.join(W, "my_sss.csv")
with open(table, "w") as f:
    f.write("arch,cifar10_test,cifar100_test,imagenet16_test\n")
    for arch, acc in sss.items():
        f.write(f"{arch},{acc},{acc - 20},{acc - 50}\n")
outsss = os.path.join(W, "rsss")
rc, out, err = run("reproduce", "--space", "nats-sss", "--bench", table, "--all", "--proxy", "params,flops",
                   "--out", outsss)
sc = rows(open(os.path.join(outsss, "scores.csv")).read()) if rc == 0 else []
check(rc == 0 and len(sc) == 40 and {r["arch"] for r in sc} == set(sss) and all(r["index"] for r in sc),
      f"nats-sss reproduce --bench <user table> --all: its 40 configurations, with their indices ({err.strip()[-200:]!r})")
for metric, r in paper("params", "cifar10", "nats-sss").items():
    check(r["value"] in out, f"nats-sss params {metric}: ZiCo Table 3 value {r['value']} shown")
rc, out, err = run("eval", "--space", "nats-sss", "--bench", table, "--scores", os.path.join(outsss, "scores.csv"),
                   "--format", "csv")
st = {r["proxy"]: r for r in rows(out)} if rc == 0 else {}
# the same statistic computed here from the two files: Spearman of params against the table
import math as _m
def _rank(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2
        i = j + 1
    return r
a = _rank([float(r["params"]) for r in sc])
b = _rank([sss[r["arch"]] for r in sc])
ma, mb = sum(a) / len(a), sum(b) / len(b)
rho = sum((x - ma) * (y - mb) for x, y in zip(a, b)) / _m.sqrt(sum((x - ma) ** 2 for x in a) * sum((y - mb) ** 2 for y in b))
check(rc == 0 and abs(float(st["params"]["spearman"]) - rho) < 1e-9,
      f"nats-sss eval on the user table: params Spearman {st.get('params', {}).get('spearman')} = {rho:.6f} computed here")

# --- usage errors
expect_error(2, ["--sample", "--all"], "reproduce", "--sample", "5", "--all", "--out", os.path.join(W, "x"))
expect_error(2, ["--proxy", "nosuch"], "reproduce", "--proxy", "nosuch", "--out", os.path.join(W, "x"))

# --- eval error contract
sc_path = os.path.join(out_dir, "scores.csv")
expect_error(2, ["--scores"], "eval")
expect_error(2, ["no target column 'nope'", "cifar10_test"], "eval", "--scores", sc_path, "--target", "nope")
expect_error(2, ["no score column 'zico'", "available", "params"], "eval", "--scores", sc_path, "--proxy", "zico")
expect_error(2, ["--nan"], "eval", "--scores", sc_path, "--nan", "maybe")
expect_error(2, ["--format"], "eval", "--scores", sc_path, "--format", "xml")
empty = os.path.join(W, "empty.csv")
open(empty, "w").close()
expect_error(1, ["empty"], "eval", "--scores", empty)
header_only = os.path.join(W, "header.csv")
open(header_only, "w").write("index,arch,x\n")
expect_error(1, ["no rows"], "eval", "--scores", header_only)
unknown = os.path.join(W, "unknown.csv")
open(unknown, "w").write("index,arch,x\n3,a,1\n99999,b,2\n")
expect_error(1, ["index 99999", "not in the benchmark"], "eval", "--scores", unknown)
dup = os.path.join(W, "dup.csv")
open(dup, "w").write("index,arch,x\n3,a,1\n3,b,2\n")
expect_error(1, ["index 3", "more than once"], "eval", "--scores", dup)
noindex = os.path.join(W, "noindex.csv")
open(noindex, "w").write("arch,x\na,1\n")
expect_error(1, ["'index'"], "eval", "--scores", noindex)
jl = os.path.join(W, "rows.jsonl")
open(jl, "w").write('{"index": 0, "arch": "a", "x": 1}\n')
expect_error(2, ["JSON lines"], "eval", "--scores", jl)
expect_error(1, ["cannot open"], "eval", "--scores", os.path.join(W, "missing.csv"))
rc, out, _ = run("eval", "--scores", sc_path, "--format", "json")
try:
    js = json.loads(out)
    ok = rc == 0 and [r["proxy"] for r in js["results"]] == ["params", "flops", "epsilon"]
except ValueError:
    ok = False
check(ok, "eval --format json parses and lists the score columns (not *_seconds)")
rc, out, _ = run("eval", "--scores", sc_path)
check(rc == 0 and "spearman top10" in out and "top64/top5" in out and "params" in out, "eval table for people")

T.finish("cli_reproduce")
