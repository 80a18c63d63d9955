#!/usr/bin/env python3
"""The proxies after ZiCo through the CLI: sub-score columns, the aggregates that rank them over the
architectures compared, and their options (the values themselves are checked against PyTorch in
tests/oracle/oracle_proxies2.py).

1. `--proxy az_nas` writes az_expressivity, az_progressivity, az_trainability and adds flops (the
   aggregate needs it); an identity cell's trainability is -inf; `eval` appends the az_nas aggregate,
   equal to sum over flops, E, P, T of ln(rank / N) recomputed here from the file; the same scores twice.
2. `--proxy vkdnw_agg` runs vkdnw, az_nas and flops; eval gives vkdnw and vkdnw_agg recomputed here
   (dense lexicographic rank of (dim, entropy); jacov's NaN -> its minimum).
3. te_nas on cheap cells: ntk and linear_regions columns, the te_nas rank sum in eval.
4. reg_swap = swap x exp(-(params/1000 - mu)^2 / sigma) with the same init; meco and meco_opt finite;
   --meco-input random changes meco.
5. Errors, one line each: bad option values, a proxy listed twice, a search on sub-scores without
   their aggregate or with ZiCo's evolution.
6. `search --proxy az_nas` ranks the sub-scores over its history (exactly: tests/unit/test_search.c).
"""
import json
import math
import os

from helpers import Cli, rows

cli = Cli(__doc__)
IDENTITY = "|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|"
NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"


def ranks(x):
    """Average ranks, ascending, NaN lowest (as -inf)."""
    v = [(-math.inf if math.isnan(a) else a, i) for i, a in enumerate(x)]
    v.sort()
    r = [0.0] * len(x)
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[j + 1][0] == v[i][0]:
            j += 1
        for k in range(i, j + 1):
            r[v[k][1]] = (i + j) / 2 + 1
        i = j + 1
    return r


def col(rs, name):
    return [float(r[name]) for r in rs]


def eval_rows(path, *extra):
    rc, out, err = cli.run("eval", "--scores", path, "--format", "csv", *extra)
    cli.check(rc == 0, f"eval {path} {err.strip()[:160]}")
    return {r["proxy"]: r for r in rows(out)} if rc == 0 else {}


def spearman(x, y):
    rx, ry = ranks(x), ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy / math.sqrt(sxx * syy)


bench = {}
with open(f"{cli.data}/benchmarks/nb201_accuracy.csv") as f:
    for r in rows(f.read()):
        bench[r["index"]] = float(r["cifar10_test"])

# 1. AZ-NAS
archs = cli.path("archs.txt")
with open(archs, "w") as f:
    f.write("\n".join(["0", "1", "2", "3", "6111", "100", IDENTITY]) + "\n")
out1 = cli.path("az.csv")
rc, out, err = cli.run("score", "--arch-file", archs, "--proxy", "az_nas", "--out", out1, "--quiet")
cli.check(rc == 0, f"score --proxy az_nas {err.strip()[:200]}")
with open(out1) as f:
    text = f.read()
header = text.splitlines()[1].split(",")   # after the run fingerprint
cli.check(header == ["index", "arch", "az_expressivity", "az_progressivity", "az_trainability", "az_nas_seconds",
                     "flops", "flops_seconds"], f"az_nas columns, flops added: {header}")
az = rows(text)
ident = [r for r in az if r["arch"] == IDENTITY]
cli.check(len(ident) == 1 and ident[0]["az_trainability"] == "-inf", "an identity cell's trainability is -inf")
rc, again, _ = cli.run("score", "--arch-file", archs, "--proxy", "az_nas", "--quiet")
strip = lambda rs: [{k: v for k, v in r.items() if not k.endswith("_seconds")} for r in rs]
cli.check(rc == 0 and strip(rows(again)) == strip(az), "the same scores twice")
# eval's az_nas over the 6 rows with an index (the identity cell's index is in the table too)
n = len(az)
agg = [0.0] * n
for name in ["flops", "az_expressivity", "az_progressivity", "az_trainability"]:
    r = ranks(col(az, name))
    agg = [a + math.log(b / n) for a, b in zip(agg, r)]
acc = [bench[r["index"]] for r in az]
ev = eval_rows(out1)
cli.check("az_nas" in ev and abs(float(ev["az_nas"]["spearman"]) - spearman(agg, acc)) < 1e-12,
          f"eval's az_nas = sum ln(rank/N) over the file (spearman {ev.get('az_nas', {}).get('spearman')} vs "
          f"{spearman(agg, acc):.6f})")

# 2. VKDNW and VKDNW_agg
out2 = cli.path("vk.csv")
with open(archs, "w") as f:
    f.write("\n".join(["0", "1", "3", NONE]) + "\n")
rc, out, err = cli.run("score", "--arch-file", archs, "--proxy", "vkdnw_agg", "--out", out2, "--quiet")
cli.check(rc == 0, f"score --proxy vkdnw_agg {err.strip()[:200]}")
vk = rows(open(out2).read()) if rc == 0 else []
cli.check(vk and all(k in vk[0] for k in ["vkdnw_dim", "vkdnw_entropy", "vkdnw_jacov", "az_expressivity",
                                          "az_trainability", "flops"]), "vkdnw_agg runs vkdnw, az_nas and flops")
if vk:
    dims = col(vk, "vkdnw_dim")
    for r in vk:
        k = sum(1 for tok in r["arch"].split("|") if tok.startswith("nor_conv"))
        cli.check(float(r["vkdnw_dim"]) == 21 + 45 * k, f"aleph = 21 + 45 x conv edges ({r['vkdnw_dim']}, k = {k})")
    key = sorted(set(zip(dims, col(vk, "vkdnw_entropy"))))
    single = [key.index((d, e)) + 1 for d, e in zip(dims, col(vk, "vkdnw_entropy"))]
    j = col(vk, "vkdnw_jacov")
    jmin = min(x for x in j if not math.isnan(x))
    j = [jmin if math.isnan(x) else x for x in j]
    agg = [0.0] * len(vk)
    for v in [single, col(vk, "flops"), col(vk, "az_expressivity"), col(vk, "az_trainability"), j]:
        agg = [a + math.log(b) for a, b in zip(agg, ranks(v))]
    acc = [bench[r["index"]] for r in vk]
    ev = eval_rows(out2)
    cli.check("vkdnw" in ev and abs(float(ev["vkdnw"]["spearman"]) - spearman(single, acc)) < 1e-12,
              "eval's vkdnw = dense rank of (dim, entropy)")
    cli.check("vkdnw_agg" in ev and abs(float(ev["vkdnw_agg"]["spearman"]) - spearman(agg, acc)) < 1e-12,
              "eval's vkdnw_agg = sum of ln ranks (jacov NaN -> its minimum)")

# 3. TE-NAS on cells without convolutions (cheap)
with open(archs, "w") as f:
    f.write("\n".join([NONE, IDENTITY, "|avg_pool_3x3~0|+|skip_connect~0|none~1|+|none~0|avg_pool_3x3~1|none~2|"]) + "\n")
out3 = cli.path("te.csv")
rc, out, err = cli.run("score", "--arch-file", archs, "--proxy", "te_nas", "--out", out3, "--quiet")
cli.check(rc == 0, f"score --proxy te_nas {err.strip()[:200]}")
te = rows(open(out3).read()) if rc == 0 else []
cli.check(te and "ntk" in te[0] and "linear_regions" in te[0], "te_nas writes ntk and linear_regions")
cli.check(te and float(te[0]["ntk"]) == -1e5, "all-none cell: 0/0 condition number -> ntk -1e5 (the official NaN rule)")
cli.check(all(1 <= float(r["linear_regions"]) <= 64 for r in te), "linear regions within 1..64")
ev = eval_rows(out3)
cli.check("te_nas" in ev, "eval appends te_nas")

# 4. SWAP, reg-SWAP, MeCo
rc, out, err = cli.run("score", "--index", "0,5", "--proxy", "swap,reg_swap,params,meco,meco_opt", "--swap-repeats", "2",
                       "--reg-swap-mu", "500", "--reg-swap-sigma", "1e5", "--quiet")
cli.check(rc == 0, f"swap, reg_swap, meco {err.strip()[:200]}")
for r in rows(out) if rc == 0 else []:
    want = float(r["swap"]) * math.exp(-((float(r["params"]) / 1000 - 500) ** 2) / 1e5)
    cli.check(abs(float(r["reg_swap"]) - want) <= 1e-6 * abs(want) + 1e-300,
              f"reg_swap = swap x exp(-(P/1000 - mu)^2 / sigma) ({r['reg_swap']} vs {want:.9g})")
    cli.check(math.isfinite(float(r["meco"])) and math.isfinite(float(r["meco_opt"])), "meco, meco_opt finite")
rc2, out2r, _ = cli.run("score", "--index", "0,5", "--proxy", "meco", "--meco-input", "random", "--quiet")
cli.check(rc == 0 and rc2 == 0 and [r["meco"] for r in rows(out2r)] != [r["meco"] for r in rows(out)],
          "--meco-input random changes meco")

# 5. errors
cli.expect_error(2, ["--meco-input", "bogus"], "score", "--index", "0", "--proxy", "meco", "--meco-input", "bogus")
cli.expect_error(2, ["--swap-repeats"], "score", "--index", "0", "--proxy", "swap", "--swap-repeats", "0")
cli.expect_error(2, ["--reg-swap-sigma"], "score", "--index", "0", "--proxy", "reg_swap", "--reg-swap-sigma", "-1")
cli.expect_error(2, ["listed twice"], "score", "--index", "0", "--proxy", "flops,flops")
rc, _, err = cli.run("score", "--index", "0", "--proxy", "az_nas,flops", "--quiet")
cli.check(rc == 0, "az_nas,flops: flops implied and listed is not a duplicate")
cli.expect_error(2, ["az_nas", "sub-scores"], "search", "--proxy", "az_nas,meco", "--evals", "4")
# AZ-NAS' evolution (its MobileNet search): every scored candidate stays, rejections are not iterations
evo = cli.path("azevo")
small = "SuperConvK3BNRELU(3,8,2,1)SuperResIDWE2K3(8,16,2,8,1)SuperResIDWE2K3(16,24,2,8,1)SuperConvK1BNRELU(24,32,1,1)"
rc, out, err = cli.run("search", "--space", "zennas", "--algo", "evolution", "--proxy", "az_nas", "--iterations", "12",
                       "--population", "4", "--budget-flops", "18e6", "--resolution", "32", "--initial", small,
                       "--out", evo, "--quiet")
cli.check(rc == 0, f"search --algo evolution --proxy az_nas {err.strip()[:200]}")
if rc == 0:
    cands = rows(open(os.path.join(evo, "candidates.csv")).read())
    scored = [c for c in cands if c["status"] == "scored"]
    summary = json.load(open(os.path.join(evo, "summary.json")))
    cli.check(len(scored) == 12 and summary["final_members"] == 12 and summary["proxy"] == "az_nas",
              f"12 scored candidates, all kept ({len(scored)} scored of {len(cands)}, {summary['final_members']} members)")
    cli.check(len(cands) > 12 and all(c["status"] in ("scored", "flops") for c in cands),
              "candidates over the FLOPs budget are logged and not counted")

# 5b. AZ-NAS on TransNAS-Bench-101's encoders (stem and every cell or block); jigsaw's tiles refused
for space, idx in [("tnb101-micro", "1"), ("tnb101-macro", "3")]:
    rc, out, err = cli.run("score", "--space", space, "--task", "room_layout", "--index", idx, "--proxy", "az_nas",
                           "--resolution", "32", "--quiet")
    r = rows(out) if rc == 0 else []
    cli.check(len(r) == 1 and all(math.isfinite(float(r[0][k])) for k in ["az_expressivity", "az_progressivity"]),
              f"{space}: az_nas runs on the encoder's stages {err.strip()[:200]}")
rc, out, err = cli.run("score", "--space", "tnb101-micro", "--task", "jigsaw", "--index", "1", "--proxy", "az_nas",
                       "--resolution", "32", "--quiet")
cli.check(rc != 0 and "tiles" in err and "Traceback" not in err, f"jigsaw: az_nas refused in one line ({err.strip()[:120]})")

# 6. a search ranks the sub-scores over everything it evaluated (checked exactly in test_search)
rc, out, err = cli.run("search", "--proxy", "az_nas", "--evals", "4", "--seed", "4", "--quiet")
cli.check(rc == 0 and "search nb201 az_nas random" in out, f"search --proxy az_nas runs {err.strip()[:200]}")
cli.finish("cli_proxies2")
