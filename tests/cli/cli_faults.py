#!/usr/bin/env python3
"""Fault injection: runs killed with SIGKILL at random moments, many times over, then resumed, end with
exactly the output of an uninterrupted run (scoring and ZiCo's evolutionary search); a disk that fills
up mid-run (a file-size limit, and a real small tmpfs when running as root) gives one clear error and a
non-zero exit, and resuming once there is room completes without loss or duplicates."""
import os, random, resource, signal, subprocess, time

from helpers import Cli, rows

T = Cli()
ZC, W = T.zcnas, T.workdir
run, check = T.run, T.check
rng = random.Random(int(os.environ.get("ZCNAS_FAULT_SEED", "7")))
KILLS = int(os.environ.get("ZCNAS_FAULT_KILLS", "12"))

SCORE = ["score", "--index", "0-999", "--proxy", "epsilon,params", "--eps-batch-size", "16", "--threads", "2", "--quiet"]


def content(path):
    """The file without its timing columns (seconds differ between runs)."""
    text = open(path).read()
    lines = text.splitlines(True)
    head = [l for l in lines if l.startswith("#")]
    return head, [{k: v for k, v in r.items() if not k.endswith("_seconds")} for r in rows(text)]


def limited(max_bytes):
    """A child whose files may not grow past max_bytes: write() then fails with EFBIG, as on a full disk."""
    def setup():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    return setup


def killed_run(args, min_s, max_s, done):
    """Starts args, SIGKILLs it after a random delay unless it ends first; True when it ended by itself."""
    p = subprocess.Popen([ZC, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        p.wait(timeout=rng.uniform(min_s, max_s))
        return p.returncode == 0 and done()
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return False


# ---------------------------------------------------------------- score: kill -9 many times, then resume
ref = T.path("ref.csv")
rc, _, err = run(*SCORE, "--out", ref)
check(rc == 0, f"uninterrupted score run ({err.strip()[:100]})")
part = T.path("part.csv")
kills = finished = 0
for _ in range(KILLS):
    if killed_run([*SCORE, "--out", part, "--resume"], 0.05, 0.6, lambda: True):
        finished += 1
        break
    kills += 1
rc, _, err = run(*SCORE, "--out", part, "--resume")
check(rc == 0 and kills >= 3 and content(part) == content(ref),
      f"score: {kills} SIGKILLs at random moments + --resume == an uninterrupted run ({len(content(part)[1])} rows)")

# ---------------------------------------------------------------- evolution: kill -9 many times, then resume
SMALL = "SuperConvK3BNRELU(3,8,2,1)SuperResIDWE2K3(8,16,2,8,1)SuperResIDWE2K3(16,24,2,8,1)SuperConvK1BNRELU(24,32,1,1)"
EVO = ["search", "--space", "zennas", "--initial", SMALL, "--num-classes", "10", "--resolution", "16", "--batch-size", "4",
       "--population", "4", "--max-layers", "6", "--budget-flops", "20e6", "--backend", "ref", "--quiet", "--seed", "3",
       "--iterations", "2000", "--checkpoint-every", "7"]
evo_ref, evo = T.path("evo_ref"), T.path("evo")
rc, _, err = run(*EVO, "--out", evo_ref)
check(rc == 0, f"uninterrupted evolution ({err.strip()[:100]})")
kills = 0
for i in range(KILLS):
    extra = ["--resume"] if os.path.exists(os.path.join(evo, "checkpoint")) else []
    if killed_run([*EVO, "--out", evo, *extra], 0.05, 0.8, lambda: True):
        break
    kills += 1
extra = ["--resume"] if os.path.exists(os.path.join(evo, "checkpoint")) else []
rc, _, err = run(*EVO, "--out", evo, *extra)
same = rc == 0 and all(open(os.path.join(evo, f)).read() == open(os.path.join(evo_ref, f)).read()
                       for f in ("candidates.csv", "best.txt", "checkpoint"))
check(same and kills >= 3, f"evolution: {kills} SIGKILLs at random moments + --resume == an uninterrupted run ({err.strip()[:100]})")

# ---------------------------------------------------------------- a full disk, then room again
ref_size = os.path.getsize(ref)
for frac in (0.1, 0.5, 0.9):
    full = T.path(f"full{int(frac * 100)}.csv")
    p = subprocess.run([ZC, *SCORE, "--out", full], capture_output=True, text=True,
                       preexec_fn=limited(int(ref_size * frac)))
    lines = [l for l in p.stderr.splitlines() if l]
    check(p.returncode == 1 and len(lines) == 1 and "cannot write" in p.stderr and "File too large" in p.stderr,
          f"score on a disk full at {frac:.0%} of the output: exit {p.returncode}, {p.stderr.strip()[:120]!r}")
    rc, _, err = run(*SCORE, "--out", full, "--resume")
    check(rc == 0 and content(full) == content(ref), f"... then --resume completes it, no row lost or repeated ({err.strip()[:80]})")

evo_full = T.path("evo_full")
p = subprocess.run([ZC, *EVO, "--out", evo_full], capture_output=True, text=True, preexec_fn=limited(3000))
lines = [l for l in p.stderr.splitlines() if l]
check(p.returncode == 1 and len(lines) == 1 and "File too large" in p.stderr,
      f"evolution on a full disk: exit {p.returncode}, one line: {p.stderr.strip()[:160]!r}")
extra = ["--resume"] if os.path.exists(os.path.join(evo_full, "checkpoint")) else []
rc, _, err = run(*EVO, "--out", evo_full, *extra)
check(rc == 0 and all(open(os.path.join(evo_full, f)).read() == open(os.path.join(evo_ref, f)).read()
                      for f in ("candidates.csv", "best.txt")), f"... then resuming completes it ({err.strip()[:100]})")

# a real full file system: a small tmpfs (root only; skipped where mounting is not allowed)
mnt = T.path("tmpfs")
os.makedirs(mnt, exist_ok=True)
mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", mnt],
                                               capture_output=True).returncode == 0
if not mounted:
    print("skip tmpfs: not root or mounting not allowed here (the file-size limit above covers the same paths)")
else:
    try:
        out = os.path.join(mnt, "scores.csv")
        rc, _, err = run(*SCORE, "--out", out)
        lines = [l for l in err.splitlines() if l]
        check(rc == 1 and len(lines) == 1 and "No space left" in err, f"score on a full tmpfs: exit {rc}, {err.strip()[:120]!r}")
        subprocess.run(["mount", "-o", "remount,size=256k", mnt], check=True)
        rc, _, err = run(*SCORE, "--out", out, "--resume")
        check(rc == 0 and content(out) == content(ref), f"... room made, --resume completes it ({err.strip()[:80]})")
    finally:
        subprocess.run(["umount", mnt], capture_output=True)

T.finish("cli_faults")
