#!/usr/bin/env python3
"""`zcnas score --shard I/N` and `zcnas merge`: N shard files (given in any order) merge into exactly
the rows of one run (the seconds columns aside), in CSV and JSON lines; a shard killed mid-way
(a torn last row) is refused by merge, finished with --resume and then merges cleanly, losing and
duplicating nothing; and every way of giving the wrong files is refused with one line naming the
file: a missing or repeated shard, a short one, shards of another run (the fingerprint difference)
or of another list, and files that are not shards."""
import os

from helpers import Cli

T = Cli()
run, check, P = T.run, T.check, T.path
BASE = ["score", "--sample", "11", "--seed", "5", "--proxy", "params,synflow,zico", "--batch-size", "8", "--quiet",
        "--threads", "1"]


def lines(path):
    with open(path) as f:
        return f.read().splitlines()


def without_seconds(text_lines, jsonl=False):
    """Every line with the *_seconds fields dropped (they are wall times)."""
    if jsonl:
        import json
        out = [text_lines[0]]
        for l in text_lines[1:]:
            d = json.loads(l)
            out.append(sorted((k, v) for k, v in d.items() if not k.endswith("_seconds")))
        return out
    header = text_lines[1].split(",")
    keep = [i for i, h in enumerate(header) if not h.endswith("_seconds")]
    return [text_lines[0]] + [",".join(l.split(",")[i] for i in keep) for l in text_lines[1:]]


for fmt, ext in (("csv", "csv"), ("jsonl", "jsonl")):
    single = P(f"single.{ext}")
    rc, _, err = run(*BASE, "--format", fmt, "--out", single)
    check(rc == 0, f"{fmt}: the single run ({err.strip()[:120]})")
    parts = []
    for i in (1, 2, 3):
        parts.append(P(f"part-{i}.{ext}"))
        rc, _, err = run(*BASE, "--format", fmt, "--shard", f"{i}/3", "--out", parts[-1])
        check(rc == 0, f"{fmt}: shard {i}/3 ({err.strip()[:120]})")
    sizes = [len(lines(p)) - (2 if fmt == "csv" else 1) for p in parts]
    check(sizes == [4, 4, 3], f"{fmt}: shards of 11 hold 4, 4, 3 rows (got {sizes})")
    merged = P(f"merged.{ext}")
    rc, _, err = run("merge", "--out", merged, parts[2], parts[0], parts[1])
    check(rc == 0 and "3 shards: 11 rows" in err, f"{fmt}: merge in any order ({err.strip()[:120]})")
    check(without_seconds(lines(merged), fmt == "jsonl") == without_seconds(lines(single), fmt == "jsonl"),
          f"{fmt}: the merged file is the single run's (fingerprint line, header, rows in order)")
    rc, out, _ = run("merge", *parts)
    check(rc == 0 and out.splitlines() == lines(merged), f"{fmt}: merge to standard output")

    # a shard killed mid-way: a torn last row
    text = open(parts[1]).read()
    body = text.splitlines(True)
    head = 2 if fmt == "csv" else 1
    with open(parts[1], "w") as f:
        f.write("".join(body[:head + 1]) + body[head + 1][:25])
    T.expect_error(1, [parts[1], "torn", "--resume"], "merge", *parts)
    rc, _, err = run(*[a for a in BASE if a != "--quiet"], "--format", fmt, "--shard", "2/3", "--out", parts[1], "--resume")
    check(rc == 0 and "1 rows kept, 3 architectures scored now" in err, f"{fmt}: the shard resumed ({err.strip()[-120:]})")
    rc, _, err = run("merge", "--out", merged, *parts)
    check(rc == 0 and without_seconds(lines(merged), fmt == "jsonl") == without_seconds(lines(single), fmt == "jsonl"),
          f"{fmt}: after the resume the merge is the single run's again (nothing lost or repeated)")

# wrong files
p1, p2, p3 = (P(f"part-{i}.csv") for i in (1, 2, 3))
T.expect_error(2, ["3 shards", "2 files"], "merge", p1, p2)
T.expect_error(2, [p2, "both shard 2/3"], "merge", p1, p2, p2)
other_seed = P("other-seed.csv")
run(*[a if a != "5" else "6" for a in BASE], "--shard", "2/3", "--out", other_seed)
T.expect_error(2, ["different runs", "seed=5", "seed=6"], "merge", p1, other_seed, p3)
other_list = P("other-list.csv")
run(*[a if a != "11" else "12" for a in BASE], "--shard", "2/3", "--out", other_list)
T.expect_error(2, ["different lists"], "merge", p1, other_list, p3)
other_proxy = P("other-proxy.csv")
run(*[a if a != "params,synflow,zico" else "params,synflow" for a in BASE], "--shard", "2/3", "--out", other_proxy)
T.expect_error(2, ["different runs", "proxies"], "merge", p1, other_proxy, p3)
short = P("short.csv")
with open(p2) as f, open(short, "w") as g:
    g.write("".join(f.read().splitlines(True)[:-1]))
T.expect_error(1, [short, "3 of its 4 rows"], "merge", p1, short, p3)
single = P("single.csv")
T.expect_error(1, [single, "not a shard"], "merge", single, p2, p3)
T.expect_error(1, ["no-such.csv"], "merge", p1, p2, P("no-such.csv"))
T.expect_error(2, ["give the shard files"], "merge", "--out", P("x.csv"))
for bad in ("0/3", "4/3", "1/0", "a/b", "1/3x", "2"):
    T.expect_error(2, ["--shard", bad], *BASE, "--shard", bad, "--out", P("bad.csv"))
T.expect_error(2, ["--shard", "--out"], *BASE, "--shard", "1/2")
T.expect_error(2, ["--shard", "suitezero"], *BASE, "--shard", "1/2", "--format", "suitezero", "--out", P("z.json"))
check(not os.path.exists(P("x.csv")) and not os.path.exists(P("bad.csv")), "refused runs wrote nothing")

T.finish("cli_shard")
