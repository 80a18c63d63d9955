#!/usr/bin/env python3
"""Long run (scripts/test.sh --long): NAS-Bench-NLP at the benchmark's scale.
1. The oracle on every backend (tests/oracle/oracle_nbnlp.py --every-backend).
2. 1,000 recipes of the benchmark's generator (`score --sample 1000`) against the PyTorch model written from
   the spec (tests/oracle/nbnlp_reference.py, built on the meta device): every parameter count equal, at the
   PTB and WikiText-2 vocabularies.
3. epsilon on a seeded sample of 60 of the 345 WikiText-2 recipes ($ZCNAS_DATA/benchmarks/nbnlp_wikitext2_logs.csv,
   batches from $ZCNAS_DATA/text/wikitext-2): `eval` gives a negative Spearman against the final test loss, as
   epsinas reports on PTB (-0.34), with at most 10% NaN scores (16 of the 345 are NaN).
Times are printed. usage: long_nbnlp.py --zcnas build/zcnas --workdir DIR"""
import csv, json, os, random, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "oracle"))
from helpers import Cli, rows  # noqa: E402

T = Cli()
try:
    import torch
    from nbnlp_reference import NLPModel, num_params
except ImportError as e:
    print(f"long_nbnlp: SKIP: needs numpy and torch ({e})")
    sys.exit(77)

# 1. the oracle on every backend
t0 = time.time()
p = subprocess.run([sys.executable, os.path.join(HERE, "..", "oracle", "oracle_nbnlp.py"), "--zcnas", T.zcnas,
                    "--workdir", T.path("oracle"), "--testtool", os.path.join(os.path.dirname(T.zcnas), "tests", "zc_testtool"),
                    "--every-backend"], capture_output=True, text=True)
T.check(p.returncode == 0, f"oracle_nbnlp --every-backend ({time.time() - t0:.0f} s): {p.stdout.strip().splitlines()[-1:]}")

# 2. generated recipes against the reference's parameter count
for dataset, vocab in (("ptb", 10000), ("wikitext2", 33278)):
    t0 = time.time()
    rc, out, err = T.run("score", "--space", "nbnlp", "--dataset", dataset, "--sample", "1000", "--seed", "7",
                         "--proxy", "params", "--quiet")
    got = rows(out) if rc == 0 else []
    bad = [r["arch"] for r in got
           if num_params(NLPModel(json.loads(r["arch"]), vocab, device="meta")) != int(r["params"])]
    T.check(rc == 0 and len(got) == 1000 and not bad,
            f"{dataset}: 1000 generated recipes, {len(bad)} counts differ {bad[:1]} ({time.time() - t0:.0f} s) {err.strip()[:100]}")

# 3. epsilon's sign on the WikiText-2 logs
with open(os.path.join(T.data, "benchmarks", "nbnlp_wikitext2_logs.csv"), newline="") as f:
    recipes = sorted({r["recipe_json"] for r in csv.DictReader(f)})
pick = T.path("sample.txt")
with open(pick, "w") as f:
    f.write("".join(r + "\n" for r in random.Random(0).sample(recipes, 60)))
t0 = time.time()
scores = T.path("scores.csv")
rc, _, err = T.run("score", "--space", "nbnlp", "--dataset", "wikitext2", "--arch-file", pick, "--proxy", "epsilon",
                   "--out", scores, "--quiet")
rc2, out, err2 = T.run("eval", "--space", "nbnlp", "--scores", scores, "--format", "json")
res = json.loads(out)["results"][0] if rc == 0 and rc2 == 0 else {}
T.check(res.get("spearman", 1) < 0 and res.get("nan_scores", 99) <= 6,
        f"epsilon on 60 WikiText-2 recipes: Spearman {res.get('spearman')} vs final test loss, "
        f"{res.get('nan_scores')} NaN ({time.time() - t0:.0f} s) {(err + err2).strip()[:160]}")
T.finish("long_nbnlp")
