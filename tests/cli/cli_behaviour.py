#!/usr/bin/env python3
"""End-to-end checks of the zcnas CLI: output formats, determinism across thread counts, weights
round trip, and the error contract (one clear line, exit 2 for usage errors, 1 for runtime errors)."""
import json, math, os

from helpers import Cli, rows

T = Cli()
ZC = T.zcnas
W = T.workdir
run, check, expect_error = T.run, T.check, T.expect_error
ARCH0 = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
NOCONVFREE = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"

# --- output formats and values that do not need data
rc, out, err = run("score", "--arch", ARCH0, "--proxy", "params,flops")
r = rows(out)
check(rc == 0 and len(r) == 1 and r[0]["index"] == "0" and r[0]["arch"] == ARCH0, "csv row for index 0")
check(rc == 0 and r[0]["params"] == "129306" and r[0]["flops"] == "15647370", "params/flops of index 0")
check(rc == 0 and list(r[0].keys()) == ["index", "arch", "params", "params_seconds", "flops", "flops_seconds"],
      "column order index, arch, proxy, proxy_seconds")
rc, out, err = run("score", "--index", "0-2,7", "--proxy", "params", "--format", "jsonl")
js = [json.loads(l) for l in out.splitlines()]
check(rc == 0 and [j["index"] for j in js] == [0, 1, 2, 7], "jsonl rows for an index list")
arch_file = os.path.join(W, "archs.txt")
with open(arch_file, "w") as f:
    f.write("# two archs\n5\n" + NOCONVFREE + "\n\n")
rc, out, err = run("score", "--arch-file", arch_file, "--proxy", "flops")
r = rows(out)
check(rc == 0 and [x["index"] for x in r] == ["5", "1462"] and r[1]["flops"] == "220119690", "--arch-file")
rc, out, err = run("score", "--sample", "5", "--seed", "3", "--proxy", "params")
rc2, out2, _ = run("score", "--sample", "5", "--seed", "3", "--proxy", "params")
rc3, out3, _ = run("score", "--sample", "5", "--seed", "4", "--proxy", "params")
check(rc == 0 and len(rows(out)) == 5 and [x["index"] for x in rows(out)] == [x["index"] for x in rows(out2)]
      and [x["index"] for x in rows(out)] != [x["index"] for x in rows(out3)], "--sample is seeded")
rc, out, err = run("info", "--index", "0")
check(rc == 0 and "129,306" in out and "15,647,370" in out, "info prints params and FLOPs")

# --- proxies on data: small batches keep this fast
fast = ["--batch-size", "8", "--eps-batch-size", "16"]
rc, out, err = run("score", "--arch", NOCONVFREE, "--proxy", "epsilon", *fast)
check(rc == 0 and rows(out)[0]["epsilon"] == "nan", "epsilon is nan for an arch without a conv-free path")
rc, out, err = run("score", "--arch", ARCH0, "--proxy", "epsilon", *fast)
v = float(rows(out)[0]["epsilon"]) if rc == 0 else float("nan")
check(rc == 0 and math.isfinite(v) and v > 0, "epsilon finite for an arch with a conv-free path")
base = ["score", "--index", "0,1,2", "--proxy", "zico,epsilon", *fast]
_, o1, _ = run(*base, "--threads", "1")
_, o2, _ = run(*base, "--threads", "2")
strip = lambda t: [(x["index"], x["zico"], x["epsilon"]) for x in rows(t)]
check(len(strip(o1)) == 3 and strip(o1) == strip(o2), "identical scores with 1 and 2 threads")
wdir = os.path.join(W, "w0")
rc, _, err = run("init", "--arch", ARCH0, "--seed", "5", "--save", wdir)
check(rc == 0 and os.path.exists(os.path.join(wdir, "stem.0.weight.npy")), "init writes state_dict-named .npy")
_, a, _ = run("score", "--arch", ARCH0, "--proxy", "zico", "--seed", "5", *fast)
_, b, _ = run("score", "--arch", ARCH0, "--proxy", "zico", "--seed", "5", "--weights", wdir, *fast)
check(rows(a) and rows(b) and rows(a)[0]["zico"] == rows(b)[0]["zico"], "score --weights (init --seed S) == score --seed S")

# --- resumable output: an interrupted run (cut mid-row) plus --resume equals one uninterrupted run
full_out = os.path.join(W, "full.csv")
part_out = os.path.join(W, "part.csv")
run("score", "--index", "0-24", "--proxy", "epsilon,params", *fast, "--out", full_out)
with open(full_out) as f:
    whole = f.read()
with open(part_out, "w") as f:
    f.write(whole[: len(whole) * 2 // 5])      # as if killed while writing a row
rc, _, err = run("score", "--index", "0-24", "--proxy", "epsilon,params", *fast, "--out", part_out, "--resume")
key = lambda t: sorted((x["index"], x["epsilon"], x["params"]) for x in rows(t))
with open(part_out) as f:
    resumed = f.read()
check(rc == 0 and "rows kept" in err and key(resumed) == key(whole) and len(rows(resumed)) == 25,
      "interrupted + resumed run == uninterrupted run")
rc, _, _ = run("score", "--index", "0-24", "--proxy", "epsilon,params", *fast, "--out", part_out, "--resume")
check(rc == 0 and open(part_out).read() == resumed, "resuming a finished run changes nothing")
# a file written with other settings is refused, naming the difference, and left as it is
for extra, diff in [(("--proxy", "params"), "proxies=epsilon,params, now proxies=params"),
                    (("--proxy", "epsilon,params", "--seed", "3"), "seed=0, now seed=3"),
                    (("--proxy", "epsilon,params", "--dataset", "cifar100"), "classes=10, now classes=100"),
                    (("--proxy", "epsilon,params", "--eps-batch-size", "8"), "data_epsilon=1x16,md5:"),
                    (("--proxy", "epsilon,params", "--eps-weights", "1e-5,1"), "epsilon_weights=1e-07,1, now epsilon_weights=1e-05,1")]:
    args = fast if "--eps-batch-size" not in extra else fast[:2]
    expect_error(2, ["other settings", diff], "score", "--index", "0-24", *args, *extra, "--out", part_out, "--resume")
    check(open(part_out).read() == resumed, f"a refused --resume leaves the file as it was ({diff})")
# output captured from standard output carries no fingerprint: refused, not trusted
with open(os.path.join(W, "stdout.csv"), "w") as f:
    f.write(run("score", "--index", "0-2", "--proxy", "params")[1])
expect_error(2, "no run fingerprint", "score", "--index", "0-3", "--proxy", "params", "--out", os.path.join(W, "stdout.csv"),
             "--resume")
# NB101 (quoted arch strings, a hash column) with a cell listed twice, once in each half: one row each
cells = ["111011:input,conv3x3-bn-relu,maxpool3x3,output", "1:input,output",
         "111011:input,maxpool3x3,conv3x3-bn-relu,output", "101:input,conv1x1-bn-relu,output", "1:input,output"]
cell_file = os.path.join(W, "cells.txt")
with open(cell_file, "w") as f:
    f.write("\n".join(cells) + "\n")
nb = ("score", "--space", "nb101", "--arch-file", cell_file, "--proxy", "params,epsilon", "--eps-batch-size", "8")
run(*nb, "--out", full_out)
whole = open(full_out).read()
with open(part_out, "w") as f:
    f.write("".join(whole.splitlines(True)[:4]))   # fingerprint, header, 2 rows
rc, _, err = run(*nb, "--out", part_out, "--resume")
key = lambda t: [(x["arch"], x["hash"], x["epsilon"], x["params"]) for x in rows(t)]
check(rc == 0 and "2 rows kept, 3 architectures scored" in err and key(open(part_out).read()) == key(whole)
      and len(rows(whole)) == 5, f"nb101: interrupted + resumed == uninterrupted, repeated cells included ({err.strip()})")

# --- the error contract
expect_error(2, "conv_9x9", "score", "--arch", ARCH0.replace("nor_conv_1x1~0|skip", "conv_9x9~0|skip"))
expect_error(2, "--bogus", "score", "--bogus")
expect_error(2, "exactly one", "score", "--arch", ARCH0, "--index", "3")
expect_error(2, "15625", "score", "--index", "15625")
expect_error(2, "unknown proxy", "score", "--index", "1", "--proxy", "zico,foo")
expect_error(2, "batch-size", "score", "--index", "1", "--batch-size", "0")
expect_error(2, "not an integer", "score", "--index", "1", "--threads", "two")
expect_error(2, ["--batches 1", "at least 2"], "score", "--index", "1", "--proxy", "zico", "--batches", "1")
expect_error(2, ["--base-batch-size 1", "jacob_cov", "at least 2"], "score", "--index", "1", "--proxy", "snip,jacob_cov",
             "--base-batch-size", "1")
rc, out, _ = run("score", "--index", "1", "--proxy", "snip", "--base-batch-size", "1", "--quiet")
check(rc == 0 and len(rows(out)) == 1, "snip takes a batch of one (only jacob_cov needs two samples)")
# --resume never cuts or replaces a file that is not this run's output (it used to cut a file without a
# newline to nothing and overwrite it); a torn header of a killed run is started over
for name, content, why in [("notes.txt", b"my notes without a newline", "not a zcnas output"),
                           ("blob.bin", b"\x00\x01\x02binary\n", "not a zcnas output"),
                           ("nul.csv", b"index,arch,params,params_seconds\n0,x\x00y,1,1\n", "not a zcnas output"),
                           ("crlf.csv", b"index,arch,params,params_seconds\r\n", "CRLF")]:
    pth = os.path.join(W, name)
    with open(pth, "wb") as f:
        f.write(content)
    expect_error(2, [why, name], "score", "--index", "0-3", "--proxy", "params", "--out", pth, "--resume")
    check(open(pth, "rb").read() == content, f"--resume left {name} as it was")
# rows that are not this run's kind refuse the resume instead of being kept as scores
A0 = ARCH0
pre_csv = os.path.join(W, "pre.csv")
run("score", "--index", "0", "--proxy", "params", "--out", pre_csv)
preamble = "".join(open(pre_csv).read().splitlines(True)[:2])
for what, row in [("a score that is not a number", f"0,{A0},abc,1"), ("an index that is not its architecture's",
                  f"1,{A0},129306,1"), ("a different number of columns", f"0,{A0},129306,1,9")]:
    pth = os.path.join(W, "bad_rows.csv")
    content = preamble + row + "\n"
    with open(pth, "w") as f:
        f.write(content)
    rc, _, err = run("score", "--index", "0-3", "--proxy", "params", "--out", pth, "--resume", "--quiet")
    check(rc == 1 and what in err and open(pth).read() == content, f"--resume refuses {what}, file unchanged ({rc}, "
          f"{err.strip()[:120]})")
# the same for JSON lines: every row is checked against the keys this run writes
pre_js = os.path.join(W, "pre.jsonl")
run("score", "--index", "0", "--proxy", "params", "--format", "jsonl", "--out", pre_js)
js_lines = open(pre_js).read().splitlines(True)
check(len(js_lines) == 2 and json.loads(js_lines[0]).get("zcnas_run", "").startswith("zcnas="),
      "a JSON-lines file starts with its run fingerprint line")
good = json.loads(js_lines[1])
for what, row in [("a score that is not a number", {**good, "params": "abc"}),
                  ("an index that is not its architecture's", {**good, "index": 1}),
                  ("other columns", {**good, "extra": 1}),
                  ("other columns", {k: v for k, v in good.items() if k != "params_seconds"})]:
    pth = os.path.join(W, "bad_rows.jsonl")
    content = js_lines[0] + json.dumps(row) + "\n"
    with open(pth, "w") as f:
        f.write(content)
    rc, _, err = run("score", "--index", "0-3", "--proxy", "params", "--format", "jsonl", "--out", pth, "--resume", "--quiet")
    check(rc == 1 and what in err and open(pth).read() == content, f"--resume refuses a JSON row with {what}, file "
          f"unchanged ({rc}, {err.strip()[:120]})")
# a run killed while writing its first line (fingerprint or header) is started over
for cut in (7, len(preamble.splitlines(True)[0]) + 9):
    torn = os.path.join(W, "torn_header.csv")
    with open(torn, "w") as f:
        f.write(preamble[:cut])
    rc, _, err = run("score", "--index", "0-3", "--proxy", "params", "--out", torn, "--resume", "--quiet")
    check(rc == 0 and len(rows(open(torn).read())) == 4, f"a torn preamble ({cut} bytes) is started over ({rc}, "
          f"{err.strip()[:100]})")

# standard output that cannot be written (a full disk) is a runtime error for every command, never exit 0
if os.path.exists("/dev/full"):
    import subprocess
    for args in (["--help"], ["info", "--index", "3"], ["score", "--index", "0-3", "--proxy", "params"],
                 ["search", "--evals", "3", "--proxy", "params"], ["eval", "--help"]):
        with open("/dev/full", "w") as full:
            p = subprocess.run([ZC, *args], stdout=full, stderr=subprocess.PIPE, text=True)
        lines = [l for l in p.stderr.splitlines() if l]
        check(p.returncode == 1 and len(lines) == 1 and "No space left" in p.stderr,
              f"zcnas {' '.join(args)} > /dev/full: exit 1, one line ({p.returncode}, {p.stderr.strip()[:120]!r})")

# files written whole (weights, reports, figures): a write that fails half-way (here the file-size limit,
# as a full disk would) leaves no half file under the real name and no temporary file
import resource, signal, subprocess


def limited(limit):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # write() then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre


full_w, cut_w = os.path.join(W, "w_full"), os.path.join(W, "w_cut")
rc_full, _, _ = run("init", "--index", "5", "--save", full_w)
p = subprocess.run([ZC, "init", "--index", "5", "--save", cut_w], capture_output=True, text=True,
                   preexec_fn=limited(6000))
names = sorted(os.listdir(cut_w)) if os.path.isdir(cut_w) else []
same = all(open(os.path.join(cut_w, n), "rb").read() == open(os.path.join(full_w, n), "rb").read() for n in names
           if n.endswith(".npy"))
check(rc_full == 0 and p.returncode == 1 and "error writing" in p.stderr and len(p.stderr.strip().splitlines()) == 1
      and same and not any(n.endswith(".tmp") for n in names) and len(names) < len(os.listdir(full_w)),
      f"init past the file-size limit: exit 1, one line, every .npy left complete, no .tmp ({p.returncode}, "
      f"{p.stderr.strip()[:100]!r}, {len(names)} files)")
rep = os.path.join(W, "rep_cut")
p = subprocess.run([ZC, "reproduce", "--sample", "10", "--proxy", "params,flops", "--out", rep, "--quiet"],
                   capture_output=True, text=True, preexec_fn=limited(2600))   # a figure is about 2.8 kB
left = sorted(os.listdir(rep)) if os.path.isdir(rep) else []
check(p.returncode == 1 and "error writing" in p.stderr and not any(n.endswith(".tmp") for n in left)
      and any(n.endswith(".svg") for n in left) and len(left) < 7
      and all(open(os.path.join(rep, n)).read().rstrip().endswith("</svg>") for n in left if n.endswith(".svg")),
      f"reproduce past the file-size limit: exit 1, only whole figures and reports ({p.returncode}, {left})")

# a MasterNet whose first block does not read the 3 image channels (was a heap overflow in the data copy)
expect_error(2, "images have 3", "score", "--space", "zennas", "--arch", "SuperConvK3BNRELU(4,8,2,1)SuperConvK1BNRELU(8,32,1,1)",
             "--proxy", "zico", "--resolution", "32")
bad_file = os.path.join(W, "bad.txt")
with open(bad_file, "w") as f:
    f.write("1\n2\n|nor_conv_3x3~0|+|oops|\n")
expect_error(2, "bad.txt:3", "score", "--arch-file", bad_file, "--proxy", "params")
missing = os.path.join(W, "nope")
expect_error(1, "nope", "score", "--index", "1", "--proxy", "zico", "--data", missing)
trunc = os.path.join(W, "trunc")
os.makedirs(trunc)
src = os.path.join(os.environ["ZCNAS_DATA"], "cifar10", "data_batch_1.bin")
with open(src, "rb") as f, open(os.path.join(trunc, "data_batch_1.bin"), "wb") as g:
    g.write(f.read(3073 * 10 + 7))
expect_error(1, "data_batch_1.bin", "score", "--index", "1", "--proxy", "zico", "--data", trunc)
wrong = os.path.join(W, "w1462")
run("init", "--arch", NOCONVFREE, "--save", wrong)
expect_error(1, ".npy", "score", "--arch", ARCH0, "--proxy", "zico", "--weights", wrong, *fast)
expect_error(2, "unknown command", "frobnicate")
rc, out, err = run("score", "--help")
check(rc == 0 and "--proxy" in out and "--arch-file" in out, "score --help")

# --- data comes from --data / --bench or $ZCNAS_DATA only, and its absence is one clear message
nodata = {k: v for k, v in os.environ.items() if k != "ZCNAS_DATA"}
rc, out, err = run("score", "--index", "5", env=nodata)
check(rc == 1 and out == "" and len(err.strip().splitlines()) == 1 and "ZCNAS_DATA" in err and "--bench" in err
      and "nb201_accuracy.csv" in err and "NATS-Bench" in err, f"no data: score --index names the table, both ways and the source: {err.strip()[:120]!r}")
rc, out, err = run("demo", env=nodata)
check(rc == 1 and out == "" and len(err.strip().splitlines()) == 1 and "ZCNAS_DATA" in err and "--data" in err
      and "cifar-10-binary.tar.gz" in err, f"no data: demo names the dataset, both ways and the source: {err.strip()[:120]!r}")
rc, out, err = run("score", "--arch", ARCH0, "--proxy", "params,flops", env=nodata)
r = rows(out)
check(rc == 0 and len(r) == 1 and r[0]["index"] == "" and r[0]["params"] == "129306" and err == "",
      "no data: an arch string gets params/flops, an empty index and no note")
rc, out, err = run("score", "--arch", ARCH0, "--proxy", "zico", "--data", os.path.join(os.environ["ZCNAS_DATA"], "cifar10"),
                   *fast, env=nodata)
check(rc == 0 and rows(out)[0]["index"] == "" and "note" in err and "arch code" in err,
      "no table: ZiCo on an arch string says its initialisation is seeded by the arch code")
rc, out, err = run("score", "--arch", ARCH0, "--proxy", "zico", *fast)
rc2, out2, _ = run("score", "--index", "0", "--proxy", "zico", *fast)
check(rc == 0 and rc2 == 0 and rows(out)[0]["index"] == "0" and rows(out)[0]["zico"] == rows(out2)[0]["zico"],
      "with the table an arch string has its index and the score of --index")
expect_error(1, "No such file", "score", "--index", "1", "--bench", os.path.join(W, "missing.csv"))
short = os.path.join(W, "short.csv")
with open(os.path.join(os.environ["ZCNAS_DATA"], "benchmarks", "nb201_accuracy.csv")) as f, open(short, "w") as g:
    g.writelines(f.readlines()[:100])
expect_error(1, "99 rows", "score", "--index", "1", "--proxy", "params", "--bench", short)
rc, out, err = run("info", "--arch", ARCH0, env=nodata)
check(rc == 0 and "no benchmark table" in out and "129,306" in out, "info on an arch string needs no table")

# --- progress: lines when stderr is not a terminal, none with --quiet
rc, out, err = run("score", "--index", "0-5", "--proxy", "zico", "--threads", "1", "--progress-every", "0.001", *fast)
plines = [l for l in err.splitlines() if "/6 architectures" in l]
check(rc == 0 and len(plines) >= 3 and "ETA" in plines[0] and "/s" in plines[0],
      f"progress lines off a terminal: {plines[:1]}")
rc, out, err = run("score", "--index", "0-5", "--proxy", "zico", "--threads", "1", "--progress-every", "0.001",
                   "--quiet", *fast)
check(rc == 0 and "architectures" not in err, "--quiet: no progress")
expect_error(2, "progress-every", "score", "--index", "1", "--progress-every", "0")

# --- the demo adapts default batch sizes to a small dataset and says so; a batch the user set is an error
rc, out, err = run("demo", "--dataset", "imagenet16", "--sample", "4", "--batch-size", "16", "--quiet")
check(rc == 0 and "epsilon batch 256 -> 64" in err and "imagenet16_test" in out,
      f"demo --dataset imagenet16 on a small sample: {err.strip()[:100]!r}")
expect_error(2, "only", "demo", "--dataset", "imagenet16", "--sample", "2", "--eps-batch-size", "256")
expect_error(2, "--eps-batch-size", "score", "--index", "1", "--proxy", "epsilon", "--dataset", "imagenet16",
             "--eps-batch-size", "200")

# --- absurd sizes are refused before anything is built, naming the estimate and the way out
BIG = "SuperConvK3BNRELU(3,2048,1,1)SuperConvK3BNRELU(2048,2048,1,1)"
for args, needles in [(("--space", "zennas", "--arch", BIG, "--proxy", "zico"), ["refused before building", "GiB",
                                                                                  "this machine's memory", "--max-memory"]),
                      (("--index", "0", "--proxy", "zico,te_nas", "--max-memory", "100M"), ["te_nas at batch 64",
                                                                                           "--max-memory (100.0 MiB)"])]:
    expect_error(1, needles, "score", *args, "--quiet")
rc, out, err = run("score", "--space", "zennas", "--arch", BIG, "--proxy", "params,flops", "--quiet")
check(rc == 0 and len(rows(out)) == 1, "counting proxies build no network, so any size is counted")
rc, out, err = run("score", "--index", "0-1", "--proxy", "zico", "--max-memory", "2G", "--quiet", *fast)
check(rc == 0 and len(rows(out)) == 2, "a network within --max-memory is scored")
for bad in ("0", "-1G", "8X", "1e30G", "nan", "G"):
    expect_error(2, ["--max-memory", bad], "score", "--index", "0", "--max-memory", bad)

T.finish("cli_behaviour")
