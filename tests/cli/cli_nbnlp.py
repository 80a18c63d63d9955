#!/usr/bin/env python3
"""NAS-Bench-NLP end to end: the benchmark's recipes, parameter counts, the corpus reader behind the CLI,
scoring, evaluation against the WikiText-2 logs and a search.

1. Every recipe of $ZCNAS_DATA/benchmarks/nbnlp_wikitext2_logs.csv (345) scored with `--proxy params
   --vocab-size 33278`: the arch column reproduces recipe_json byte for byte and params equals the
   benchmark's num_params for every row.
2. A small corpus (train/valid/test.txt) generated here: epsilon, ZiCo and the gradient baselines give
   finite scores on it, the same twice (fixed windows); the proxies that are not defined for a language
   model refuse with one line; `info` describes the cell.
3. `eval --space nbnlp` on scores of 12 recipes ranks against final_test_loss, lower is better by default.
4. `score --sample` draws recipes of the benchmark's generator; `search --algo rea` mutates them.
5. Errors, one line each: malformed recipes (naming the node), an unknown --dataset, --vocab-size on an
   image space or smaller than the corpus' vocabulary, a missing corpus, a file that is not UTF-8, a
   corpus too short for the batch.
"""
import csv
import math
import os
import random

from helpers import Cli, rows

cli = Cli(__doc__)
TABLE = os.path.join(cli.data, "benchmarks", "nbnlp_wikitext2_logs.csv")
RNN = '{"f":{"op":"linear","input":["x","h_prev_0"]},"h_new_0":{"op":"activation_tanh","input":["f"]}}'

# 1. the benchmark's recipes and parameter counts
with open(TABLE, newline="") as f:
    table = list(csv.DictReader(f))
archs = cli.path("recipes.txt")
with open(archs, "w") as f:
    f.write("".join(r["recipe_json"] + "\n" for r in table))
rc, out, err = cli.run("score", "--space", "nbnlp", "--dataset", "wikitext2", "--arch-file", archs, "--proxy", "params",
                       "--quiet")
got = rows(out) if rc == 0 else []
cli.check(rc == 0 and len(got) == len(table) == 345, f"345 recipes scored ({len(got)}) {err.strip()[:160]}")
cli.check(all(g["arch"] == t["recipe_json"] for g, t in zip(got, table)), "arch column = recipe_json, byte for byte")
bad = [t["recepie_id"] for g, t in zip(got, table) if int(g["params"]) != int(t["num_params"])]
cli.check(len(got) == 345 and not bad, f"params = num_params for every recipe (mismatches: {bad[:5]})")

# 2. a small corpus
rng = random.Random(0)
words = [f"w{i}" for i in range(300)]
corpus = cli.path("corpus")
os.makedirs(corpus)
for split, lines in (("train", 400), ("valid", 40), ("test", 40)):
    with open(os.path.join(corpus, split + ".txt"), "w") as f:
        for _ in range(lines):
            f.write(" ".join(rng.choice(words) for _ in range(rng.randint(0, 15))) + "\n")
small = ["--space", "nbnlp", "--data", corpus, "--vocab-size", "400", "--arch", RNN, "--eps-batch-size", "4",
         "--batch-size", "2", "--base-batch-size", "2", "--nwot-batch-size", "2", "--quiet"]
proxies = "epsilon,zico,grad_norm,snip,grasp,l2_norm,plain"
rc, out, err = cli.run("score", *small, "--proxy", proxies)
r1 = rows(out)[0] if rc == 0 else {}
cli.check(rc == 0 and all(math.isfinite(float(r1[p])) for p in proxies.split(",")),
          f"{proxies} finite on a generated corpus: {err.strip()[:200]}")
rc, out, _ = cli.run("score", *small, "--proxy", proxies)
cli.check(rc == 0 and all(rows(out)[0][p] == r1.get(p) for p in proxies.split(",")), "the same scores twice")
for p in ("fisher", "jacob_cov", "nwot", "zen", "synflow"):
    cli.expect_error(1, [p, "language model"], "score", *small, "--proxy", p)
rc, out, _ = cli.run("info", "--space", "nbnlp", "--arch", RNN)
cli.check(rc == 0 and "f                = linear(x, h_prev_0)" in out and "5,731,600" in out and "per sequence" in out,
          "info: the cell, PTB's parameter count, MACs per sequence")

# 3. eval against the WikiText-2 logs
pick = archs + ".12"
with open(pick, "w") as f:
    f.write("".join(t["recipe_json"] + "\n" for t in table[:12]))
scores = cli.path("scores.csv")
rc, _, err = cli.run("score", "--space", "nbnlp", "--dataset", "wikitext2", "--arch-file", pick, "--proxy", "params",
                     "--out", scores, "--quiet")
rc, out, err = cli.run("eval", "--space", "nbnlp", "--scores", scores, "--format", "json")
cli.check(rc == 0 and '"target": "final_test_loss"' in out and '"maximize": false' in out and '"n": 12' in out.replace(
    '"n":12', '"n": 12'), f"eval: 12 rows against final_test_loss, minimised: {(out + err).strip()[:300]}")

# 4. the generator and mutation
rc, out, _ = cli.run("score", "--space", "nbnlp", "--sample", "5", "--seed", "3", "--proxy", "params", "--quiet")
drawn = rows(out) if rc == 0 else []
cli.check(len(drawn) == 5 and all(d["arch"].startswith('{"node_') or '"h_new_0"' in d["arch"] for d in drawn),
          "score --sample 5 draws generator recipes")
rc, out, err = cli.run("search", "--space", "nbnlp", "--algo", "rea", "--evals", "12", "--population", "4",
                       "--sample-size", "2", "--proxy", "params")
cli.check(rc == 0 and "h_new_0" in out, f"search --algo rea on nbnlp: {(out + err).strip()[-200:]}")

# 5. errors
cli.expect_error(2, ["'f'", "conv"], "score", "--space", "nbnlp", "--arch",
                 '{"f":{"op":"conv","input":["x"]},"h_new_0":{"op":"activation_tanh","input":["f"]}}', "--proxy", "params")
cli.expect_error(2, ["h_new_0"], "score", "--space", "nbnlp", "--arch", '{"f":{"op":"linear","input":["x"]}}',
                 "--proxy", "params")
cli.expect_error(2, ["'q'"], "score", "--space", "nbnlp", "--arch",
                 '{"h_new_0":{"op":"linear","input":["x","q"]}}', "--proxy", "params")
cli.expect_error(2, ["--dataset", "imagenet16", "ptb,wikitext2"], "score", "--space", "nbnlp", "--dataset",
                 "imagenet16", "--arch", RNN, "--proxy", "params")
cli.expect_error(2, ["--vocab-size", "nb201"], "score", "--space", "nb201", "--vocab-size", "100", "--index", "0",
                 "--proxy", "params")
cli.expect_error(1, ["distinct words", "vocabulary of 100"], "score",
                 *[a if a != "400" else "100" for a in small], "--proxy", "epsilon")
cli.expect_error(1, [cli.path("nowhere")], "score", *[a if a != corpus else cli.path("nowhere") for a in small],
                 "--proxy", "epsilon")
latin = cli.path("latin1")
os.makedirs(latin)
with open(os.path.join(latin, "train.txt"), "wb") as f:
    f.write(b"ok line\nna\xefve caf\xe9\n")
cli.expect_error(1, ["train.txt:2", "UTF-8"], "score", *[a if a != corpus else latin for a in small], "--proxy", "epsilon")
short = cli.path("short")
os.makedirs(short)
with open(os.path.join(short, "train.txt"), "w") as f:
    f.write("a b c\n" * 20)
cli.expect_error(1, ["tokens", "need"], "score", *[a if a != corpus else short for a in small], "--proxy", "epsilon")
cli.finish("cli_nbnlp")
