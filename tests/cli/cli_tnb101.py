#!/usr/bin/env python3
"""TransNAS-Bench-101 end to end: the two spaces' enumeration against the benchmark table, arch strings
and NASLib tuples, the Taskonomy reader on a generated tree, and every task of both spaces scored with
ZiCo and epsilon on it.

1. `score --all --proxy params` lists every architecture of tnb101-micro (4,096) and tnb101-macro (3,256)
   with index 0..n-1 in the order of $ZCNAS_DATA/benchmarks/tnb101_macro_micro_val.csv, each arch string
   equal to the table's (parse and format round-trip for all of them); NASLib tuples name the same
   architectures; malformed strings get one-line errors.
2. A Taskonomy tree is generated (two buildings of random PNG images with every task's label files): ZiCo
   and epsilon run on every task of both spaces (one micro and one macro architecture) and give finite
   ZiCo scores; autoencoder and jigsaw also run on a plain folder of images.
3. Reader errors: a missing label file, a label map of another size than its image, a corrupt PNG, a
   label vector of the wrong length, no images at all, an unknown --task, --task on a space without tasks.
"""
import csv
import math
import os
import shutil

import numpy as np
from PIL import Image

from helpers import Cli, rows

cli = Cli(__doc__)
TABLE = os.path.join(cli.data, "benchmarks", "tnb101_macro_micro_val.csv")
TASKS = ["class_scene", "class_object", "jigsaw", "room_layout", "segmentsemantic", "normal", "autoencoder"]


def table_order(space):
    order = {}
    with open(TABLE, newline="") as f:
        for r in csv.DictReader(f):
            if r["space"] == space:
                order[int(r["naslib_idx"])] = r["arch_str"]
    return [order[i] for i in range(len(order))]


# 1. enumeration
for space, bench in (("tnb101-micro", "transbench101_micro"), ("tnb101-macro", "transbench101_macro")):
    want = table_order(bench)
    rc, out, err = cli.run("score", "--space", space, "--all", "--proxy", "params", "--quiet")
    got = rows(out) if rc == 0 else []
    cli.check(rc == 0 and [r["arch"] for r in got] == want and [int(r["index"]) for r in got] == list(range(len(want))),
              f"{space} --all: {len(got)} rows in the table's order (want {len(want)}) {err.strip()[:120]}")
    cli.check(len(set(r["params"] for r in got)) > 50, f"{space}: parameter counts vary over the space")
rc, out, _ = cli.run("score", "--space", "tnb101-micro", "--arch", "(2, 3, 2, 3, 2, 3)", "--proxy", "params")
cli.check(rc == 0 and rows(out)[0]["arch"] == "64-41414-2_32_323" and rows(out)[0]["index"] == "0",
          "micro NASLib tuple (2, 3, 2, 3, 2, 3) is 64-41414-2_32_323, index 0")
rc, out, _ = cli.run("score", "--space", "tnb101-macro", "--arch", "(2, 3, 1, 4, 0, 0)", "--proxy", "params")
cli.check(rc == 0 and rows(out)[0]["arch"] == "64-2314-basic" and rows(out)[0]["index"] == "5",
          "macro NASLib tuple (2, 3, 1, 4, 0, 0) is 64-2314-basic, index 5")
for space, bad, needle in (("tnb101-micro", "64-41414-3_33_334", "ops 0..3"),
                           ("tnb101-micro", "64-4141-3_33_333", "41414"),
                           ("tnb101-micro", "32-41414-3_33_333", "64-"),
                           ("tnb101-macro", "64-1111-basic", "not in the benchmark"),
                           ("tnb101-macro", "64-1234123-basic", "more than 6"),
                           ("tnb101-macro", "64-1250-basic", "digit"),
                           ("tnb101-macro", "(2, 3, 9, 4, 0, 0)", "1..4")):
    cli.expect_error(2, needle, "score", "--space", space, "--arch", bad, "--proxy", "params")

# 2. a generated Taskonomy tree
rng = np.random.default_rng(0)
tree = cli.path("taskonomy")


def make_tree(root, n=3):
    for b in ("bldA", "bldB"):
        for d in ("rgb", "normal", "segmentsemantic", "class_object", "class_scene", "room_layout"):
            os.makedirs(os.path.join(root, b, d), exist_ok=True)
        for i in range(n):
            stem = os.path.join(root, b, "{d}", f"point_{i}_view_0_domain_{{d}}")
            Image.fromarray(rng.integers(0, 256, (80, 96, 3), dtype=np.uint8)).save(stem.format(d="rgb") + ".png")
            Image.fromarray(rng.integers(0, 256, (80, 96, 3), dtype=np.uint8)).save(stem.format(d="normal") + ".png")
            Image.fromarray(rng.integers(0, 18, (80, 96), dtype=np.uint8)).save(stem.format(d="segmentsemantic") + ".png")
            for task, k in (("class_object", 100), ("class_scene", 63)):
                p = rng.random(k).astype(np.float32)
                np.save(stem.format(d=task) + ".npy", p / p.sum())
            np.save(stem.format(d="room_layout") + ".npy", rng.standard_normal(9).astype(np.float32))


make_tree(tree)
SMALL = ["--batch-size", "2", "--eps-batch-size", "2", "--threads", "2"]
for space, arch in (("tnb101-micro", "64-41414-1_02_313"), ("tnb101-macro", "64-2314-basic")):
    for task in TASKS:
        res = ["--resolution", "32" if task == "jigsaw" else "64"]
        rc, out, err = cli.run("score", "--space", space, "--task", task, "--arch", arch, "--proxy", "zico,epsilon",
                               "--data", tree, *SMALL, *res)
        r = rows(out)[0] if rc == 0 and rows(out) else {}
        z = float(r.get("zico", "nan"))
        cli.check(rc == 0 and math.isfinite(z) and "epsilon" in r,
                  f"{space} {task}: zico {r.get('zico')} epsilon {r.get('epsilon')} {err.strip()[-150:]}")
plain = cli.path("plain")
os.makedirs(os.path.join(plain, "any_class"))
for i in range(3):
    Image.fromarray(rng.integers(0, 256, (50, 70, 3), dtype=np.uint8)).save(os.path.join(plain, "any_class", f"{i}.jpg"))
for task in ("autoencoder", "jigsaw"):
    rc, out, err = cli.run("score", "--space", "tnb101-micro", "--task", task, "--arch", "64-41414-3_33_333",
                           "--proxy", "zico", "--data", plain, *SMALL, "--resolution", "32" if task == "jigsaw" else "64")
    cli.check(rc == 0 and math.isfinite(float(rows(out)[0]["zico"])), f"{task} on a plain image folder {err.strip()[-150:]}")
cli.expect_error(1, ["class_scene", "no images"], "score", "--space", "tnb101-micro", "--task", "class_scene", "--arch",
                 "64-41414-3_33_333", "--proxy", "zico", "--data", plain, *SMALL, "--resolution", "64")

# 3. reader errors


def broken(name, damage):
    root = cli.path(name)
    make_tree(root, n=1)
    damage(root)
    return root


def score_err(root, task, needles, code=1):
    cli.expect_error(code, needles, "score", "--space", "tnb101-micro", "--task", task, "--arch", "64-41414-3_33_333",
                     "--proxy", "zico", "--data", root, *SMALL, "--resolution", "64")


r = broken("missing_label", lambda d: os.remove(os.path.join(d, "bldA", "normal", "point_0_view_0_domain_normal.png")))
score_err(r, "normal", ["point_0_view_0_domain_normal.png"])
r = broken("label_size", lambda d: Image.fromarray(np.zeros((40, 40), np.uint8)).save(
    os.path.join(d, "bldB", "segmentsemantic", "point_0_view_0_domain_segmentsemantic.png")))
score_err(r, "segmentsemantic", ["40x40", "per pixel"])


def corrupt(d):
    p = os.path.join(d, "bldA", "rgb", "point_0_view_0_domain_rgb.png")
    data = open(p, "rb").read()
    open(p, "wb").write(data[: len(data) // 2])


r = broken("corrupt_png", corrupt)
score_err(r, "autoencoder", ["point_0_view_0_domain_rgb.png"])
r = broken("short_vector", lambda d: np.save(os.path.join(d, "bldA", "class_object", "point_0_view_0_domain_class_object.npy"),
                                             np.ones(7, np.float32)))
score_err(r, "class_object", ["7 values", "expected 100"])
empty = cli.path("empty")
os.makedirs(empty)
score_err(empty, "autoencoder", ["no images"])
cli.expect_error(2, ["--task", "unknown task 'depth'"], "score", "--space", "tnb101-micro", "--task", "depth", "--arch",
                 "64-41414-3_33_333", "--proxy", "params")
cli.expect_error(2, ["--task", "classification only"], "score", "--space", "nb201", "--task", "jigsaw", "--index", "0",
                 "--proxy", "params")
cli.finish("cli_tnb101")
