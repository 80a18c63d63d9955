#!/usr/bin/env python3
"""A sweep of malformed input across every command and file type: mutated architecture strings of every
space, index lists, numeric options, architecture files, benchmark tables, score files, NAS-Bench-Suite-Zero
JSON, .npy weights, dataset binaries, checkpoints and resumed outputs. Each case must end in one of two
ways: a clear error (exit 1 or 2, exactly one stderr line starting "zcnas:") or a correct result, checked
where that can be checked (a refused --resume leaves its file byte for byte; inputs that must be refused
are); never a crash, a sanitizer report, a hang or a multi-line error. Prints the counts per category.

ZCNAS_SWEEP_EVERY=N runs every N-th case (ctest samples; scripts/test.sh --long runs all of them on the
ASan/UBSan build); ZCNAS_SWEEP_TIMEOUT (seconds, default 120) is the hang limit."""
import collections, csv, json, os, random, shutil, struct, subprocess

from helpers import Cli, rows

T = Cli()
ZC, W, DATA = T.zcnas, T.workdir, T.data
EVERY = int(os.environ.get("ZCNAS_SWEEP_EVERY", "1"))
TIMEOUT = float(os.environ.get("ZCNAS_SWEEP_TIMEOUT", "120"))
rng = random.Random(2026)

EXAMPLES = {
    "nb201": "|none~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_3x3~1|none~2|",
    "nats-sss": "24:8:64:64:32",
    "zennas": "SuperConvK3BNRELU(3,16,2,1)SuperResIDWE6K3(16,32,2,8,1)SuperResIDWE1K3(32,40,2,120,2)"
              "SuperConvK1BNRELU(40,256,1,1)",
    "nb101": "111:input,conv3x3-bn-relu,output",
    "tnb101-micro": "64-41414-3_22_111",
    "tnb101-macro": "64-133233-basic",
    "nbnlp": '{"node_2":{"op":"linear","input":["x","h_prev_1","h_prev_0"]},"h_new_0":{"op":"activation_leaky_relu",'
             '"input":["node_2"]},"h_new_1":{"op":"activation_tanh","input":["node_2"]}}',
}
JUNK = ["~", "|", "+", "(", ")", ",", ":", "-", "_", "{", "}", "\"", "9" * 30, "-1", "0", "nan", "inf", "é", "\x7f",
        " ", "\t", "\\", "%s%n", "1e308", "2147483648"]


def mutate(s, k):
    """k-th deterministic mutation of s: cut, drop, repeat, insert junk, replace a number, blow up."""
    kind = k % 7
    i = rng.randrange(len(s) + 1)
    if kind == 0:
        return s[:i]
    if kind == 1:
        return s[:i] + s[i + 1:]
    if kind == 2:
        return s[:i] + s[i:i + 5] * 3 + s[i:]
    if kind == 3:
        return s[:i] + rng.choice(JUNK) + s[i:]
    if kind == 4:
        digits = [j for j, c in enumerate(s) if c.isdigit()]
        j = rng.choice(digits) if digits else i
        return s[:j] + rng.choice(["99999999999", "0", "-3", "4294967297", "00"]) + s[j + 1:]
    if kind == 5:
        return s * rng.choice([2, 50])
    return "".join(c for c in s if rng.random() > 0.1)


cases = []   # (category, args, expect, file_to_watch): expect "refuse" or "either"


def damaged(raw, k, cuts, flips, junk, special):
    """Variant k of a file's bytes: cut at a random point (k < cuts), 1-3 random bytes replaced by junk
    (k < cuts + flips), else special[k]."""
    if k < cuts:
        return raw[:rng.randrange(len(raw))]
    if k < cuts + flips:
        b = bytearray(raw)
        for _ in range(1 + k % 3):
            b[rng.randrange(len(b))] = rng.choice(junk)
        return bytes(b)
    return special[k]


def add(cat, args, expect="either", watch=None, check=None):
    cases.append((cat, list(args), expect, watch, check))


def write(name, data):
    path = os.path.join(W, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape"))
    return path


# ---- architecture strings of every space (score and info)
for space, ex in EXAMPLES.items():
    for k in range(16):
        s = mutate(ex, k).replace("\x00", "")
        cmd = ("score", "--proxy", "params,flops") if k % 2 == 0 else ("info",)
        add("arch string", [cmd[0], "--space", space, "--arch", s, *cmd[1:]])
    for s in ("", " ", "\n", ex + "\n" + ex):
        add("arch string", ["score", "--space", space, "--arch", s, "--proxy", "params"], "refuse")

# ---- benchmark index lists
for v in ["", "-", "1-", "-5", "5-1", "1,,2", "99999999999999999999", "0x10", "1e3", "15625", "a", "-1", "1-15625-3",
          "3,", ",3", "1 2", "2147483648", "0-4294967296"]:
    add("index list", ["score", "--index", v, "--proxy", "params"], "refuse")
for v in ["0", "15624", "0-2,7"]:
    add("index list", ["score", "--index", v, "--proxy", "params"], "either",
        check=lambda out, v=v: len(rows(out)) == {"0": 1, "15624": 1, "0-2,7": 4}[v])

# ---- numeric options: values that must be refused
NUMERIC = [("score", "--batch-size"), ("score", "--batches"), ("score", "--threads"), ("score", "--seed"),
           ("score", "--eps-batch-size"), ("score", "--swap-repeats"), ("score", "--max-memory"),
           ("score", "--progress-every"), ("score", "--reg-swap-mu"), ("score", "--resolution"),
           ("score", "--num-classes"), ("score", "--sample"), ("search", "--evals"), ("search", "--iterations"),
           ("search", "--population"), ("eval", "--top-k")]
for cmd, opt in NUMERIC:
    for v in ["abc", "", "-1", "nan", "inf", "99999999999999999999", "1.5x", "0x"]:
        if opt == "--progress-every" and v == "99999999999999999999":
            continue   # a valid (if long) number of seconds
        base = {"score": ["score", "--index", "0", "--proxy", "params"],
                "search": ["search", "--proxy", "params", "--evals", "2"] if opt != "--evals" else ["search", "--proxy", "params"],
                "eval": ["eval", "--scores", os.path.join(W, "missing.csv")]}[cmd]
        if opt in ("--iterations", "--population"):
            base = ["search", "--space", "zennas", "--algo", "evolution", "--out", os.path.join(W, "evo_num"), "--proxy", "params"]
        add("numeric option", [*base, opt, v], "refuse")
for v in ["--eps-weights=1,1", "--eps-weights=0,1", "--eps-weights=1e39,1", "--eps-weights=a,b", "--eps-weights=1"]:
    opt, val = v.split("=")
    add("numeric option", ["score", "--index", "0", "--proxy", "epsilon", opt, val], "refuse")

# ---- architecture files
arch_lines = [EXAMPLES["nb201"], "12", "# comment", ""]
for k in range(14):
    text = "\n".join(arch_lines)
    data = {0: b"", 1: b"\x00\x01\x02", 2: text.replace("\n", "\r\n").encode(), 3: (EXAMPLES["nb201"] * 500).encode(),
            4: b"# only comments\n#\n", 5: b"15625\n", 6: b"-1\n", 7: b"\xff\xfe" + text.encode("utf-16-le"),
            8: mutate(text, 0).encode(), 9: mutate(text, 3).encode(), 10: ("3\n" * 70000).encode(),
            11: b"3\x00\n4\n", 12: b"|nor_conv_3x3~0|+|\n", 13: text.encode()}[k]
    path = write(f"archfile/a{k}.txt", data)
    add("arch file", ["score", "--arch-file", path, "--proxy", "params"], "refuse" if k in (1, 3, 5, 6, 11, 12) else "either")
add("arch file", ["score", "--arch-file", os.path.join(W, "nope.txt"), "--proxy", "params"], "refuse")
add("arch file", ["score", "--arch-file", W, "--proxy", "params"], "refuse")

# ---- benchmark tables (--bench) and score files (eval --scores)
with open(os.path.join(DATA, "benchmarks", "nb201_accuracy.csv"), "rb") as f:
    bench = f.read()
head = bench[:20000]
for k in range(30):
    data = damaged(head, k, 10, 10, b",\"\n\x00x9-.", {
                20: b"", 21: b"index,arch\n", 22: b"index,index,arch\n0,0,x\n", 23: head.replace(b"\n", b"\r\n"),
                24: b"\xef\xbb\xbf" + head, 25: b"index,arch,x\n0,\"unterminated\n", 26: b"index,arch\n1e99,abc\n",
                27: b"index,arch\n-1,|none~0|\n", 28: head[:head.index(b"\n") + 1] + b"nan" * 100 + b"\n",
                29: bench[:60000] + b"\n" + bench[:60000]} if k >= 20 else None)
    path = write(f"bench/b{k}.csv", data)
    add("benchmark table", ["score", "--index", "0-3", "--proxy", "params", "--bench", path])
    add("benchmark table", ["eval", "--bench", path, "--scores", os.path.join(W, "good_scores.csv")])

# a real score file, then damaged ones for eval --scores
good_scores = os.path.join(W, "good_scores.csv")
subprocess.run([ZC, "score", "--index", "0-39", "--proxy", "params,flops", "--out", good_scores, "--quiet"], check=True)
sc = open(good_scores, "rb").read()
for k in range(24):
    data = damaged(sc, k, 8, 8, b",\"\n\x00xe-+", {16: b"", 17: b"# zcnas run: x\n", 18: sc.replace(b",", b";"), 19: sc + sc.split(b"\n", 2)[2],
                20: sc.replace(b"129306", b"nan"), 21: sc.replace(b"129306", b"1e999"), 22: b"{\"a\": 1}\n",
                23: sc.replace(b"\n", b"\r\n")} if k >= 16 else None)
    path = write(f"scores/s{k}.csv", data)
    add("score file", ["eval", "--scores", path])

# ---- NAS-Bench-Suite-Zero JSON
sz = os.path.join(W, "good.json")
subprocess.run([ZC, "score", "--index", "0-9", "--proxy", "params,flops", "--format", "suitezero", "--out", sz, "--quiet"],
               check=True)
js = open(sz, "rb").read()
for k in range(24):
    data = damaged(js, k, 10, 10, b"{}[]:,\"\\0e-N", {20: b"[]", 21: b"{\"cifar10\": {\"(0, 1)\": {\"id\": 1e999}}}",
                                                      22: b"{" * 100000, 23: b"\"\\u12"} if k >= 20 else None)
    path = write(f"sz/j{k}.json", data)
    add("suite-zero json", ["eval", "--scores", path])

# ---- .npy weights (init writes a directory; damaged copies are loaded with --weights)
wdir = os.path.join(W, "weights_good")
subprocess.run([ZC, "init", "--index", "0", "--save", wdir], capture_output=True, check=True)
npys = sorted(f for f in os.listdir(wdir) if f.endswith(".npy")) if os.path.isdir(wdir) else []
for k in range(20):
    d = os.path.join(W, f"weights/w{k}")
    shutil.rmtree(d, ignore_errors=True)
    if npys:
        shutil.copytree(wdir, d)
        victim = os.path.join(d, npys[k % len(npys)])
        raw = open(victim, "rb").read()
        if k < 7:
            raw = raw[:rng.randrange(len(raw))]
        elif k < 14:
            b = bytearray(raw)
            b[rng.randrange(min(len(b), 128))] = rng.randrange(256)
            raw = bytes(b)
        elif k == 14:
            raw = b""
        elif k == 15:
            raw = raw[:10] + b"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999, 99999999), }" + b" " * 40 + b"\n"
        elif k == 16:
            os.remove(victim)
            raw = None
        else:
            raw = raw[:-4] + struct.pack("<f", float(["nan", "inf", "-inf"][k - 17]))
        if raw is not None:
            open(victim, "wb").write(raw)
    add("npy weights", ["score", "--index", "0", "--proxy", "zico", "--batch-size", "8", "--weights", d])

# ---- dataset binaries (a cifar10 folder with damaged files)
src = os.path.join(DATA, "cifar10")
for k in range(16):
    d = os.path.join(W, f"data/d{k}/cifar10")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name in sorted(os.listdir(src)):
        if name.endswith(".bin"):
            raw = open(os.path.join(src, name), "rb").read()[: 3073 * 200]
            if name == "data_batch_1.bin":
                if k < 6:
                    raw = raw[:rng.randrange(len(raw))]
                elif k < 12:
                    b = bytearray(raw)
                    for _ in range(5):
                        b[rng.randrange(100) * 3073] = rng.choice([10, 11, 255, 128])   # labels out of range
                    raw = bytes(b)
                elif k == 12:
                    raw = b""
                elif k == 13:
                    continue
                else:
                    raw = raw[:3073 * 3 + 1]
            open(os.path.join(d, name), "wb").write(raw)
    add("dataset binary", ["score", "--index", "0", "--proxy", "zico", "--batch-size", "8", "--data", d])

# ---- evolution checkpoints
SMALL = "SuperConvK3BNRELU(3,8,2,1)SuperResIDWE2K3(8,16,2,8,1)SuperConvK1BNRELU(16,32,1,1)"
EVO = ["search", "--space", "zennas", "--initial", SMALL, "--num-classes", "10", "--resolution", "16", "--batch-size", "4",
       "--population", "4", "--max-layers", "6", "--budget-flops", "20e6", "--backend", "ref", "--quiet", "--seed", "3"]
good_evo = os.path.join(W, "evo_good")
subprocess.run([ZC, *EVO, "--out", good_evo, "--iterations", "12"], capture_output=True)
ck = open(os.path.join(good_evo, "checkpoint"), "rb").read() if os.path.exists(os.path.join(good_evo, "checkpoint")) else b""
T.check(len(ck) > 0, "a search wrote a checkpoint to damage")
for k in range(24 if ck else 0):
    d = os.path.join(W, f"evo/e{k}")
    shutil.rmtree(d, ignore_errors=True)
    if os.path.isdir(good_evo):
        shutil.copytree(good_evo, d)
    if k < 8:
        raw = ck[:rng.randrange(len(ck) + 1)]
    elif k < 20:
        b = bytearray(ck)
        b[rng.randrange(len(b))] = rng.choice(b"0123456789abcdef-\n \x00")
        raw = bytes(b)
    else:
        raw = {20: b"", 21: ck.replace(b"checkpoint 3", b"checkpoint 9"), 22: ck + ck, 23: b"\x00" * 4096}[k]
    write(f"evo/e{k}/checkpoint", raw)
    add("checkpoint", [*EVO, "--out", d, "--iterations", "20", "--resume"], "refuse" if raw != ck else "either",
        watch=os.path.join(d, "checkpoint"))

# ---- --resume of damaged outputs (CSV and JSON lines): refused files stay byte for byte
def scored_rows(path, fmt):
    """(index, arch, params) of every row of a score file, without the run fingerprint and timings."""
    text = open(path, encoding="utf-8", errors="replace").read()
    try:
        got = rows(text) if fmt == "csv" else [json.loads(l) for l in text.splitlines()[1:] if l.strip()]
        return [(str(r["index"]), r["arch"], str(r["params"])) for r in got]
    except (ValueError, KeyError, TypeError) as e:   # a damaged row was kept: garbage
        return f"unreadable: {e}"


def held_values(data, fmt):
    """(index, arch) -> params of each row of a damaged file that still reads as a row. A flipped digit
    can leave a valid number in a complete row ("params": 316346 -> 316349): resume keeps such a row
    as the file states it, as it keeps any row it did not compute (it cannot tell an edited number from
    a computed one), so that value is as right as the uninterrupted run's."""
    held = {}
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            if fmt == "csv":
                r = next(csv.reader([line]))
                if len(r) >= 3 and r[0] != "index":
                    held[(r[0], r[1])] = r[2]
            else:
                r = json.loads(line)
                held[(str(r["index"]), r["arch"])] = str(r["params"])
        except (ValueError, KeyError, TypeError, StopIteration, csv.Error):
            pass
    return held


def resumed_whole(path, fmt, ref, data):
    """An accepted --resume ends with the uninterrupted run's rows, in its order: each row's value is
    that run's or the one the resumed file held for the row."""
    held = held_values(data, fmt)

    def check(out):
        got = scored_rows(path, fmt)
        return isinstance(got, list) and len(got) == len(ref) and all(
            g[:2] == w[:2] and (g[2] == w[2] or held.get(g[:2]) == g[2]) for g, w in zip(got, ref))
    return check


for fmt in ("csv", "jsonl"):
    good = os.path.join(W, f"resume_good.{fmt}")
    whole = os.path.join(W, f"resume_whole.{fmt}")
    subprocess.run([ZC, "score", "--index", "0-19", "--proxy", "params", "--format", fmt, "--out", good, "--quiet"], check=True)
    subprocess.run([ZC, "score", "--index", "0-24", "--proxy", "params", "--format", fmt, "--out", whole, "--quiet"], check=True)
    ref = scored_rows(whole, fmt)
    raw = open(good, "rb").read()
    for k in range(20):
        data = damaged(raw, k, 7, 9, b",\"\n\x00x9{}:", {16: b"\n\n\n", 17: raw.replace(b"seed=0", b"seed=1"), 18: raw.replace(b"zcnas=", b"zcnas=0."),
                               19: raw + raw} if k >= 16 else None)
        path = write(f"resume/r{k}.{fmt}", data)
        add("resumed output", ["score", "--index", "0-24", "--proxy", "params", "--format", fmt, "--out", path, "--resume",
                               "--quiet"], watch=path, check=resumed_whole(path, fmt, ref, data))

# ---------------------------------------------------------------- run them
counts = collections.Counter()
problems, accepted = [], []
for n, (cat, args, expect, watch, check) in enumerate(cases):
    if n % EVERY:
        continue
    before = open(watch, "rb").read() if watch and os.path.exists(watch) else None
    try:
        p = subprocess.run([ZC, *args], capture_output=True, timeout=TIMEOUT,
                           env={**os.environ, "ASAN_OPTIONS": "detect_leaks=1", "UBSAN_OPTIONS": "print_stacktrace=1"})
    except subprocess.TimeoutExpired:
        counts[cat, "HANG"] += 1
        problems.append(f"HANG {cat}: {args}")
        continue
    err = p.stderr.decode("utf-8", "replace")
    out = p.stdout.decode("utf-8", "replace")
    lines = [l for l in err.splitlines() if l.strip() and not l.startswith("zcnas: note:")]
    if p.returncode < 0 or p.returncode > 2 or "Sanitizer" in err or "runtime error" in err:
        kind, why = "CRASH", f"exit {p.returncode}: {err[-300:]!r}"
    elif p.returncode in (1, 2):
        clear = len(lines) == 1 and lines[0].startswith("zcnas: ")
        after = open(watch, "rb").read() if watch and os.path.exists(watch) else None
        if not clear:
            kind, why = "UNCLEAR", f"{len(lines)} lines: {err[:300]!r}"
        elif watch and before is not None and after != before and cat != "checkpoint":
            kind, why = "DATA LOSS", "a refused run changed its file"
        else:
            kind, why = "clear error", ""
    elif expect == "refuse":
        kind, why = "ACCEPTED BAD", f"exit 0 for input that must be refused: {out[:200]!r}"
    elif check and not check(out):
        kind, why = "GARBAGE", f"wrong result: {out[:200]!r}"
    else:
        kind, why = "accepted", ""
        accepted.append(f"{cat}: {' '.join(a if len(a) < 80 else a[:77] + '...' for a in args)}")
    counts[cat, kind] += 1
    if why:
        problems.append(f"{kind} {cat}: {' '.join(a if len(a) < 80 else a[:77] + '...' for a in args)}: {why}")

cats = sorted({c for c, _ in counts})
kinds = ["clear error", "accepted", "CRASH", "HANG", "UNCLEAR", "DATA LOSS", "ACCEPTED BAD", "GARBAGE"]
print(f"{'category':18s} " + " ".join(f"{k:>12s}" for k in kinds))
for c in cats:
    print(f"{c:18s} " + " ".join(f"{counts[c, k]:12d}" for k in kinds))
total = sum(counts.values())
print(f"{'all ' + str(total):18s} " + " ".join(f"{sum(counts[c, k] for c in cats):12d}" for k in kinds))
for p in problems:
    print(p)
if os.environ.get("ZCNAS_SWEEP_SHOW_ACCEPTED"):
    for a in accepted:
        print("accepted", a)
T.check(not problems, f"{total} malformed inputs (every {EVERY}): no crash, hang, unclear error, data loss or accepted garbage")
T.finish("cli_malformed")
