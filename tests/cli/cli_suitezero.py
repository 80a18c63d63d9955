#!/usr/bin/env python3
"""NAS-Bench-Suite-Zero JSON (NASLib's zero-cost benchmark files) out of `zcnas score --format suitezero` and
into `zcnas eval --scores FILE.json`.

1. Keys: all 15,625 NB201 cells scored with `params` in both formats. Every arch key equals NASLib's
   convert_str_to_op_indices of the CSV's arch (an independent copy of NASLib's conversions.py below) and
   converts back with convert_op_indices_to_str; id = the CSV's index; params = the CSV's / 1e6;
   val_accuracy = the table's cifar10_naslib_val. NASLib's own flops / params of (0, 2, 3, 2, 3, 1) on the
   three datasets and of TNB-101 micro / macro cells (values of NASLib's files) come out exactly.
2. Round trip: 24 sampled cells and the all-`none` cell (synflow 0, jacob_cov NaN, nwot -inf) scored with
   params, flops, synflow, jacob_cov, nwot in CSV and suitezero. The file is what Python's json.dump writes
   for its content (byte for byte) with NASLib's conventions (jacov, millions, synflow's signed log, NaN and
   -inf as -1e8); `zcnas eval` of the JSON gives the rank statistics of the CSV (NaN ranked last there) for
   every shared column, and the JSON's val_accuracy column matches the table.
3. A hand-written released-style file (-Infinity, NaN, "id" in NASLib's numbering, "idx" / "arch"
   metadata, the unknown proxy epe_nas, three datasets) and TNB-101 micro / macro files read by eval.
4. Errors, one line each, never a crash: truncated files at many offsets, wrong top-level and member types,
   unknown arch keys, a missing dataset, JSON lines, deep nesting, control characters; the writer's refusals.
"""
import csv
import json
import math
import os
import random

from helpers import Cli, rows

cli = Cli(__doc__)
TABLE = os.path.join(cli.data, "benchmarks", "nb201_accuracy.csv")

# ---- NASLib's conversions (naslib/search_spaces/nasbench201/conversions.py), independent of zcnas
OP_NAMES_NB201 = ['skip_connect', 'none', 'nor_conv_3x3', 'nor_conv_1x1', 'avg_pool_3x3']
EDGE_LIST = ((1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4))


def convert_str_to_op_indices(str_encoding):
    nodes = str_encoding.split('+')

    def get_op(x):
        return x.split('~')[0]

    node_ops = [list(map(get_op, n.strip()[1:-1].split('|'))) for n in nodes]
    enc = []
    for u, v in EDGE_LIST:
        enc.append(OP_NAMES_NB201.index(node_ops[v - 2][u - 1]))
    return tuple(enc)


def convert_op_indices_to_str(op_indices):
    edge_op_dict = {edge: OP_NAMES_NB201[op] for edge, op in zip(EDGE_LIST, op_indices)}
    op_edge_list = ["{}~{}".format(edge_op_dict[(i, j)], i - 1) for i, j in sorted(edge_op_dict, key=lambda x: x[1])]
    return "|{}|+|{}|{}|+|{}|{}|{}|".format(*op_edge_list)


def naslib_value(proxy, score):   # ZeroCost.query
    if math.isnan(score) or math.isinf(score):
        score = -1e8
    if proxy == "synflow":
        if score == 0.:
            return score
        return math.log(score) if score > 0 else -math.log(-score)
    if proxy in ("params", "flops"):
        return score / 1e6
    return score


def close(a, b, rel=1e-8):
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


def read_json(path):
    with open(path) as f:
        text = f.read()
    return text, json.loads(text)


with open(TABLE, newline="") as f:
    table = {r["arch"]: r for r in csv.DictReader(f)}

# ---------------------------------------------------------------- 1. keys of every NB201 cell
all_json, all_csv = cli.path("all.json"), cli.path("all.csv")
rc1, _, err1 = cli.run("score", "--all", "--proxy", "params", "--format", "suitezero", "--out", all_json, "--quiet")
rc2, _, err2 = cli.run("score", "--all", "--proxy", "params", "--out", all_csv, "--quiet")
cli.check(rc1 == 0 and rc2 == 0, f"score --all in suitezero and csv: {(err1 + err2).strip()[:200]}")
if rc1 == 0 and rc2 == 0:
    text, doc = read_json(all_json)
    cli.check(list(doc) == ["cifar10"] and len(doc["cifar10"]) == 15625, "one dataset 'cifar10' with 15,625 entries")
    with open(all_csv, newline="") as f:
        csv_rows = rows(f.read())
    entries = doc["cifar10"]
    bad_key, bad_back, bad_id, bad_params, bad_val, bad_shape = [], [], [], [], [], []
    for r, (key, e) in zip(csv_rows, entries.items()):
        want = convert_str_to_op_indices(r["arch"])
        if key != str(want):
            bad_key.append((r["arch"], key))
        if convert_op_indices_to_str(want) != r["arch"] or convert_op_indices_to_str(eval(key)) != r["arch"]:
            bad_back.append(key)
        if e.get("id") != int(r["index"]):
            bad_id.append(key)
        if e["params"]["score"] != int(r["params"]) / 1e6:
            bad_params.append(key)
        if e["val_accuracy"] != float(table[r["arch"]]["cifar10_naslib_val"]):
            bad_val.append(key)
        if list(e) != ["id", "params", "val_accuracy"] or sorted(e["params"]) != ["score", "time"]:
            bad_shape.append(key)
    cli.check(len(csv_rows) == 15625 and not bad_key,
              f"every key is NASLib's convert_str_to_op_indices of the arch ({len(bad_key)} differ: {bad_key[:2]})")
    cli.check(not bad_back, f"convert_op_indices_to_str of every key gives the arch back ({bad_back[:3]})")
    cli.check(not bad_id, f"id = the benchmark index ({bad_id[:3]})")
    cli.check(not bad_params, f"params = the CSV's count / 1e6 ({bad_params[:3]})")
    cli.check(not bad_val, f"val_accuracy = cifar10_naslib_val ({bad_val[:3]})")
    cli.check(not bad_shape, f"entries are {{id, params: {{score, time}}, val_accuracy}} ({bad_shape[:3]})")
    cli.check(len(set(entries)) == 15625 and len({e["id"] for e in entries.values()}) == 15625, "keys and ids distinct")
    cli.check(json.dumps(doc) == text, "the file is json.dumps of its content, byte for byte")
    # the notes' examples
    for key, arch in (("(4, 0, 3, 1, 4, 3)",
                       "|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_1x1~2|"),
                      ("(0, 2, 3, 2, 3, 1)",
                       "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|")):
        cli.check(entries.get(key, {}).get("id") == int(table[arch]["index"]), f"{key} is {arch}")

# NASLib's own flops and params (tensorwatch's count), as in its zc_nasbench201 / zc_transbench101 files
EX = "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|"
for space, extra, arch, key, dkey, flops, params in (
        ("nb201", ["--dataset", "cifar10"], EX, "(0, 2, 3, 2, 3, 1)", "cifar10", 88.307392, 0.615386),
        ("nb201", ["--dataset", "cifar100"], EX, "(0, 2, 3, 2, 3, 1)", "cifar100", 88.313152, 0.621236),
        ("nb201", ["--dataset", "imagenet16"], EX, "(0, 2, 3, 2, 3, 1)", "ImageNet16-120", 22.084672, 0.622536),
        ("tnb101-micro", ["--task", "class_scene"], "(1, 0, 0, 2, 1, 0)", "(1, 0, 0, 2, 1, 0)", "class_scene",
         263.299072, 0.910687),
        ("tnb101-micro", ["--task", "jigsaw"], "(1, 0, 0, 2, 1, 0)", "(1, 0, 0, 2, 1, 0)", "jigsaw", 21.101056,
         5.487368),
        ("tnb101-micro", ["--task", "segmentsemantic"], "64-41414-1_00_210", "(1, 0, 0, 2, 1, 0)", "segmentsemantic",
         1198.81728, 11.902545),
        ("tnb101-macro", ["--task", "class_scene"], "64-1242-basic", "(1, 2, 4, 2, 0, 0)", "class_scene",
         13602.455552, 11.218783),
        ("tnb101-macro", ["--task", "jigsaw"], "(1, 2, 4, 2, 0, 0)", "(1, 2, 4, 2, 0, 0)", "jigsaw", 855.097856,
         15.795464)):
    rc, out, err = cli.run("score", "--space", space, *extra, "--arch", arch, "--proxy", "flops,params",
                           "--format", "suitezero", "--quiet")
    e = json.loads(out).get(dkey, {}).get(key, {}) if rc == 0 else {}
    cli.check(e.get("flops", {}).get("score") == flops and e.get("params", {}).get("score") == params,
              f"{space} {dkey} {key}: NASLib's flops {flops} and params {params} "
              f"(got {e.get('flops')}, {e.get('params')}) {err.strip()[:100]}")

# ---------------------------------------------------------------- 2. round trip
NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
pick = random.Random(14).sample(sorted(table), 24) + [NONE]
archs = cli.path("archs.txt")
with open(archs, "w") as f:
    f.write("".join(a + "\n" for a in pick))
PROXIES = "params,flops,synflow,jacob_cov,nwot"
common = ["--arch-file", archs, "--proxy", PROXIES, "--base-batch-size", "16", "--nwot-batch-size", "16",
          "--seed", "1", "--quiet"]
rt_csv, rt_json = cli.path("rt.csv"), cli.path("rt.json")
rc1, _, err1 = cli.run("score", *common, "--out", rt_csv)
rc2, _, err2 = cli.run("score", *common, "--format", "suitezero", "--out", rt_json)
cli.check(rc1 == 0 and rc2 == 0, f"round trip: 25 cells scored in both formats {(err1 + err2).strip()[:200]}")
if rc1 == 0 and rc2 == 0:
    with open(rt_csv, newline="") as f:
        c_rows = rows(f.read())
    text, doc = read_json(rt_json)
    cli.check(json.dumps(doc) == text, "json.dumps of the file's content is the file, byte for byte")
    entries = doc.get("cifar10", {})
    cli.check(list(entries) == [str(convert_str_to_op_indices(a)) for a in pick], "one entry per cell, in order")
    names = {"params": "params", "flops": "flops", "synflow": "synflow", "jacob_cov": "jacov", "nwot": "nwot"}
    bad, flops_ok = [], True
    for r in c_rows:
        e = entries.get(str(convert_str_to_op_indices(r["arch"])), {})
        if list(e) != ["id", "params", "flops", "synflow", "jacov", "nwot", "val_accuracy"]:
            bad.append(("members", list(e)))
            continue
        for p, n in names.items():
            got, t = e[n]["score"], e[n]["time"]
            if not (isinstance(t, float) and math.isfinite(t) and t >= 0):
                bad.append((n, "time", t))
            if p == "flops":   # NASLib counts BN, ReLU and pooling windows too: more than the MACs
                flops_ok &= int(r["flops"]) / 1e6 < got < 2 * int(r["flops"]) / 1e6
            elif not close(got, naslib_value(p, float(r[p]))):
                bad.append((n, r[p], got))
        if e["val_accuracy"] != float(table[r["arch"]]["cifar10_naslib_val"]):
            bad.append(("val_accuracy", e["val_accuracy"]))
    cli.check(not bad, f"every value is NASLib's convention of the CSV's ({bad[:3]})")
    cli.check(flops_ok, "flops: NASLib's count, above the MACs / 1e6")
    none = entries.get("(1, 1, 1, 1, 1, 1)", {})
    cli.check(none.get("synflow", {}).get("score") == 0.0 and none.get("jacov", {}).get("score") == -1e8 and
              none.get("nwot", {}).get("score") == -1e8,
              f"the all-none cell: synflow 0.0 stays 0, NaN jacov and -inf nwot are -1e8 ({none})")
    cli.check('"score": -100000000.0' in text and '"synflow": {"score": 0.0,' in text,
              "-1e8 and 0 written as Python writes them")

    # eval: the same rank statistics (NaN ranked last in the CSV, -1e8 in the JSON)
    cols = "params,flops,synflow,jacob_cov,nwot"
    rc1, out1, err1 = cli.run("eval", "--scores", rt_csv, "--proxy", cols, "--nan", "worst", "--format", "json")
    rc2, out2, err2 = cli.run("eval", "--scores", rt_json, "--proxy", cols + ",val_accuracy", "--format", "json")
    cli.check(rc1 == 0 and rc2 == 0, f"eval reads both {(err1 + err2).strip()[:200]}")
    if rc1 == 0 and rc2 == 0:
        a = {r["proxy"]: r for r in json.loads(out1)["results"]}
        b = {r["proxy"]: r for r in json.loads(out2)["results"]}
        RANK = ["n", "spearman", "kendall", "spearman_top10", "kendall_top10", "top10_top10", "precision_at_k",
                "ndcg_at_k"]
        diff = []
        for p in ("params", "synflow", "jacob_cov", "nwot"):
            for k in RANK + (["pearson"] if p == "params" else []):
                x, y = a[p].get(k), b[p].get(k)
                if not (x == y or (isinstance(x, float) and isinstance(y, float) and close(x, y, 1e-9))):
                    diff.append((p, k, x, y))
        cli.check(not diff and set(RANK) <= set(a["params"]), f"identical rank statistics for the shared columns ({diff[:3]})")
        cli.check(a["flops"]["n"] == b["flops"]["n"] == 25 and abs(a["flops"]["spearman"] - b["flops"]["spearman"]) < 0.05,
                  f"flops (NASLib's count) ranks about as the MACs: {a['flops']['spearman']} / {b['flops']['spearman']}")
        cli.check(b["val_accuracy"]["n"] == 25 and b["val_accuracy"]["spearman"] > 0.9,
                  "val_accuracy is a column eval ranks against the target too")
    rc, out, _ = cli.run("eval", "--scores", rt_json, "--target", "cifar10_naslib_val", "--proxy", "val_accuracy",
                         "--format", "json")
    r = json.loads(out)["results"][0] if rc == 0 else {}
    cli.check(close(r.get("spearman", 0), 1.0, 1e-12) and r.get("kendall") == 1 and close(r.get("pearson", 0), 1.0, 1e-12),
              "val_accuracy against cifar10_naslib_val: the same column (rows joined on the right cells)")

# ---------------------------------------------------------------- 3. released-style files
CELLS = ["(0, 2, 3, 2, 3, 1)", "(4, 0, 3, 1, 4, 3)", "(2, 2, 2, 2, 2, 2)", "(1, 1, 1, 1, 1, 1)", "(3, 0, 2, 4, 0, 2)",
         "(2, 0, 2, 0, 2, 0)", "(0, 0, 0, 0, 0, 0)", "(4, 4, 4, 4, 4, 4)"]
VAL = {c: float(table[convert_op_indices_to_str(eval(c))]["cifar10_naslib_val"]) for c in CELLS}


def released(cells, ds="cifar10"):
    parts = []
    for i, c in enumerate(cells):
        jac = "-Infinity" if i == 1 else "NaN" if i == 3 else repr(-30.5 - i)
        parts.append(f'"{c}": {{"id": {534 + i}, "idx": "{534 + i}", "arch": "{c}", '
                     f'"epe_nas": {{"score": {-1e8 if i == 2 else 500.0 + 3 * i}, "time": 0.66}}, '
                     f'"jacov": {{"score": {jac}, "time": 0.5}}, "synflow": {{"score": {0.0 if i == 3 else 40.0 + i}, '
                     f'"time": 0.4}}, "val_accuracy": {VAL[c] if ds == "cifar10" else 50.0 + i}}}')
    return f'"{ds}": {{' + ", ".join(parts) + "}"


hand = cli.path("released.json")
with open(hand, "w") as f:
    f.write("{" + released(CELLS) + ", " + released(CELLS[:5], "cifar100") + ', "ImageNet16-120": {}}')
rc, out, err = cli.run("eval", "--scores", hand, "--format", "json", "--target", "cifar10_naslib_val")
res = {r["proxy"]: r for r in json.loads(out)["results"]} if rc == 0 else {}
cli.check(rc == 0 and list(res) == ["epe_nas", "jacob_cov", "synflow", "val_accuracy"],
          f"released-style file: columns epe_nas, jacob_cov (from jacov), synflow, val_accuracy ({list(res)}) "
          f"{err.strip()[:200]}")
if res:
    cli.check(res["jacob_cov"]["n"] == 7 and res["jacob_cov"]["nan_scores"] == 1 and res["epe_nas"]["n"] == 8,
              "-Infinity is a score, NaN is not, -1e8 is taken as written")
    cli.check(close(res["val_accuracy"]["kendall"], 1.0, 1e-12) and res["val_accuracy"]["pearson"] == 1,
              "rows joined by arch on the right cells (the file's ids are NASLib's numbering, not benchmark indices)")
rc, out, err = cli.run("eval", "--scores", hand, "--dataset", "cifar100", "--format", "json")
res = json.loads(out)["results"] if rc == 0 else []
cli.check(rc == 0 and all(r["n"] in (4, 5) for r in res) and '"target": "cifar100_test"' in out,
          f"--dataset cifar100 reads that key and ranks against cifar100_test {err.strip()[:200]}")
cli.expect_error(1, ["no architectures", "ImageNet16-120"], "eval", "--scores", hand, "--dataset", "imagenet16")

for space, task, cells in (("tnb101-micro", "class_scene", ["(1, 0, 0, 2, 1, 0)", "(3, 3, 3, 3, 3, 3)",
                                                            "(2, 3, 2, 3, 2, 3)", "(0, 1, 2, 3, 0, 1)"]),
                           ("tnb101-macro", "room_layout", ["(1, 2, 4, 2, 0, 0)", "(2, 3, 1, 4, 0, 0)",
                                                            "(4, 4, 1, 1, 2, 1)", "(3, 2, 1, 1, 2, 0)"])):
    path = cli.path(space + ".json")
    body = ", ".join(f'"{c}": {{"id": {i}, "epe_nas": {{"score": -100000000.0, "time": 1.9}}, "flops": '
                     f'{{"score": {100.0 + i}, "time": 0.1}}, "val_accuracy": {i}}}' for i, c in enumerate(cells))
    with open(path, "w") as f:
        f.write('{"class_object": {}, "%s": {%s}}' % (task, body))
    rc, out, err = cli.run("eval", "--space", space, "--task", task, "--scores", path, "--proxy", "flops,epe_nas",
                           "--format", "json")
    res = {r["proxy"]: r for r in json.loads(out)["results"]} if rc == 0 else {}
    cli.check(rc == 0 and res.get("flops", {}).get("n") == 4 and res.get("epe_nas", {}).get("n") == 4,
              f"{space} --task {task}: the task's key, NASLib tuples as keys {err.strip()[:200]}")
    cli.expect_error(1, ["no dataset 'jigsaw'", "class_object", task],
                     "eval", "--space", space, "--task", "jigsaw", "--scores", path)

# ---------------------------------------------------------------- 4. errors
def expect_eval_error(text, needles, *extra, code=1, what=None):
    path = cli.path("bad.json")
    with open(path, "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode())
    return cli.expect_error(code, needles, "eval", "--scores", path, *extra)


good = open(hand).read()
crashes = []
for cut in sorted(set(range(1, len(good), max(1, len(good) // 60))) | {len(good) - 1, len(good) - 2}):
    path = cli.path("cut.json")
    with open(path, "w") as f:
        f.write(good[:cut])
    rc, out, err = cli.run("eval", "--scores", path)
    lines = [l for l in err.strip().splitlines() if l]
    if not (rc == 1 and len(lines) == 1 and "byte " in err and not out):
        crashes.append((cut, rc, err.strip()[:120]))
cli.check(not crashes, f"every truncation: exit 1, one line with a byte offset ({crashes[:3]})")

E = '"(0, 2, 3, 2, 3, 1)"'
for text, needles in (

        ('{"cifar10": {%s: 5}}' % E, ["architecture '(0, 2, 3, 2, 3, 1)' is a number"]),
        ('{"cifar10": {%s: {"nwot": {"score": "12"}}}}' % E, ["score of 'nwot'", "a string, expected a number"]),
        ('{"cifar10": {%s: {"nwot": {"time": 1.0}}}}' % E, ["'nwot'", "no \"score\""]),
        ('{"cifar10": {%s: {"val_accuracy": [1]}}}' % E, ["val_accuracy", "an array"]),
        ('{"cifar10": {%s: {"nwot": {"score": 1}, "nwot": {"score": 2}}}}' % E, ["twice"]),
        ('{"cifar10": {%s: {"nwot": {"score": 1}}, %s: {}}}' % (E, E), ["appears twice"]),
        ('{"cifar10": {"(0, 2, 3, 2, 3, 9)": {}}}', ["byte 13", "(0, 2, 3, 2, 3, 9)", "Suite-Zero key"]),
        ('{"cifar10": {"(0, 2, 3)": {}}}', ["(0, 2, 3)"]),
        ('{"cifar10": {"|none~0|+|none~0|none~1|": {}}}', ["arch key"]),
        ('{"cifar10": {"(0,\\n2)": {}}}', ["byte 13", "(0,?2)"]),
        ('{"cifar10": {}}', ["no architectures under 'cifar10'"]),
        ('{"cifar100": {%s: {}}, "svhn": {}}' % E, ["no dataset 'cifar10'", "available: cifar100, svhn"]),
        ('{"cifar10": {%s: {"nwot": {"score": 1.}}}}' % E, ["malformed number"]),
        ('{"cifar10": {%s: {"nwot": {"score": 01}}}}' % E, ["expected ',' or '}'"]),
        ('{"cifar10": {%s: {"nwot": {"score": nan}}}}' % E, ["a number"]),
        ('{"cifar10": {%s: {"nwot": {"score": 1}}}} x' % E, ["text after"]),
        ('{"cifar10": {%s: {"nwot": {"score": 1}}}, "x": {"a": %s}}' % (E, "[" * 100000), ["nested deeper"]),
        ('{"cifar10": {%s: {"nw\x01ot": {"score": 1}}}}' % E, ["control character"]),
        ('{"cifar10": {%s: {"x": "\\ud800\\u0000"}}}' % E, ["\\u0000"]),
        (b'{"cifar10": {\xff\xfe}}', ["byte 13"]),
        ('{"cifar10": {%s: {"index": {"score": 1}}}}' % E, ["cannot be a proxy's name"])):
    expect_eval_error(text, needles)
# another kind of JSON: a usage error (exit 2), as a JSON-lines file given as a CSV
for text, needles in (('[{"cifar10": {}}]', ["byte 0", "expected '{'"]),
                      ('{"cifar10": [1, 2]}', ["byte 12", "'cifar10' is an array"]),
                      ('{"index": 0, "arch": "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "params": 73306}\n',
                       ["top-level member 'index' is a number", "JSON lines"])):
    expect_eval_error(text, needles, code=2)
expect_eval_error('{"cifar10": {%s: {}}}' % E, ["--dataset", "cifar12"], "--dataset", "cifar12", code=2)
expect_eval_error('{"cifar10": {%s: {}}}' % E, ["--dataset", "use --task"], "--space", "tnb101-micro", "--dataset",
                  "cifar10", code=2)
expect_eval_error('{"cifar10": {%s: {}}}' % E, ["nats-sss", "no NAS-Bench-Suite-Zero convention"], "--space", "nats-sss",
                  "--bench", TABLE, code=2)
# random damage: flipped bytes never crash
rng, crashes = random.Random(3), []
for k in range(40):
    b = bytearray(good.encode())
    for _ in range(rng.randint(1, 4)):
        b[rng.randrange(len(b))] = rng.choice(b'{}[]":,0-9eE.NIa\\ \x00\xff')
    path = cli.path("fuzz.json")
    with open(path, "wb") as f:
        f.write(bytes(b))
    rc, out, err = cli.run("eval", "--scores", path)
    if rc not in (0, 1, 2) or (rc and len([l for l in err.strip().splitlines() if l]) != 1):
        crashes.append((k, rc, err[:100]))
cli.check(not crashes, f"40 randomly damaged files: exit 0/1/2 with at most one error line ({crashes[:2]})")

# the writer's refusals
cli.expect_error(2, ["--format suitezero", "nb101", "no NAS-Bench-Suite-Zero convention"],
                 "score", "--space", "nb101", "--sample", "2", "--proxy", "params", "--format", "suitezero")
cli.expect_error(2, ["--format suitezero", "nbnlp"], "score", "--space", "nbnlp", "--sample", "2", "--proxy", "params",
                 "--format", "suitezero")
cli.expect_error(2, ["--resume", "suitezero"], "score", "--sample", "2", "--proxy", "params", "--format", "suitezero",
                 "--out", cli.path("r.json"), "--resume")
cli.expect_error(2, ["selected twice"], "score", "--index", "5,5", "--proxy", "params", "--format", "suitezero")
cli.expect_error(2, ["--format", "csv, jsonl or suitezero"], "score", "--index", "5", "--format", "naslib")
rc, out, _ = cli.run("score", "--help")
cli.check("suitezero" in out and "jacov" in out and "-1e8" in out and "cifar10_naslib_val" in out,
          "score --help documents the format")
rc, out, _ = cli.run("eval", "--help")
cli.check("NAS-Bench-Suite-Zero" in out and "--dataset" in out and "val_accuracy" in out, "eval --help documents it")

cli.finish("cli_suitezero")
