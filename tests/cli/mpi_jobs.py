#!/usr/bin/env python3
"""MPI jobs (a build with -DZCNAS_MPI=ON; registered only there): `mpirun -np 2` and `-np 3` score,
search and evolve exactly as one process does.

- score: the CSV and JSON-lines files of 2 and 3 ranks equal the single process's, byte for byte once
  the *_seconds columns (wall times) are dropped, rows in the same order;
- resume: a 3-rank job killed mid-way (SIGTERM to mpirun), resumed with 2 ranks, equals the single
  process's file: nothing lost, nothing repeated;
- search: REA with 4 children per generation and ZiCo's evolution with 4 candidates per step give
  the same log and candidates with 1, 2 and 3 ranks;
- failures end the job with one clear line and a non-zero exit, never a hang: a rank whose run
  differs from rank 0's (another --batch-size), a rank that cannot read its data, a rank with a bad
  option, and an architecture that fails to score (the memory guard) named in the message."""
import json, os, signal, subprocess, sys, time

from helpers import Cli

T = Cli()
run, check, P = T.run, T.check, T.path
MPIEXEC = os.environ.get("ZCNAS_MPIEXEC", "mpirun")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
LIMIT = 300   # seconds: a job that takes longer has hung


def mpi(np_, *args, extra=None):
    cmd = [MPIEXEC, "-np", str(np_), "--oversubscribe", T.zcnas, *args]
    if extra:   # MPMD: rank 0 with args, the others with extra
        cmd = [MPIEXEC, "-np", "1", "--oversubscribe", T.zcnas, *args, ":", "-np", str(np_ - 1), T.zcnas, *extra]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=LIMIT)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return "hung", "", ""


def without_seconds(path):
    with open(path) as f:
        text = f.read().splitlines()
    if text and text[0].startswith("{"):
        return [text[0]] + [sorted((k, v) for k, v in json.loads(l).items() if not k.endswith("_seconds")) for l in text[1:]]
    header = text[1].split(",")
    keep = [i for i, h in enumerate(header) if not h.endswith("_seconds")]
    return [text[0]] + [",".join(l.split(",")[i] for i in keep) for l in text[1:]]


rc, out, err = mpi(2, "--version")
if rc != 0:
    print(f"cannot start an MPI job ({MPIEXEC}): {err.strip()[:300]}")
    sys.exit(77)

# ---------------------------------------------------------------- score: identical output
SCORE = ["score", "--sample", "14", "--seed", "7", "--proxy", "params,synflow,zico,jacob_cov", "--batch-size", "16",
         "--threads", "1", "--quiet"]
for fmt in ("csv", "jsonl"):
    ref = P(f"single.{fmt}")
    rc, _, err = run(*SCORE, "--format", fmt, "--out", ref)
    check(rc == 0, f"{fmt}: one process ({err.strip()[:120]})")
    for np_ in ((2, 3) if fmt == "csv" else (3,)):
        got = P(f"np{np_}.{fmt}")
        rc, _, err = mpi(np_, *SCORE, "--format", fmt, "--out", got)
        check(rc == 0 and without_seconds(got) == without_seconds(ref),
              f"{fmt}: -np {np_} writes the single process's file (rc {rc}, {err.strip()[:160]!r})")

# ---------------------------------------------------------------- kill and resume
SLOW = ["score", "--sample", "24", "--seed", "8", "--proxy", "params,zico", "--batch-size", "64", "--threads", "1",
        "--quiet"]
ref = P("slow-single.csv")
rc, _, err = run(*SLOW, "--out", ref)
check(rc == 0, f"one process, 24 architectures ({err.strip()[:120]})")
killed = P("killed.csv")
job = subprocess.Popen([MPIEXEC, "-np", "3", "--oversubscribe", T.zcnas, *SLOW, "--out", killed], env=ENV,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
t0, rows = time.time(), 0
while time.time() - t0 < LIMIT and job.poll() is None:
    rows = len(open(killed).read().splitlines()) - 2 if os.path.exists(killed) else 0
    if rows >= 5:
        break
    time.sleep(0.05)
os.killpg(job.pid, signal.SIGTERM)
try:
    job.wait(timeout=60)
except subprocess.TimeoutExpired:
    os.killpg(job.pid, signal.SIGKILL)
    job.wait()
left = len(open(killed).read().splitlines()) - 2
check(5 <= left < 24, f"the 3-rank job was killed mid-way ({left} of 24 rows written)")
rc, _, err = mpi(2, *SLOW, "--out", killed, "--resume")
check(rc == 0 and without_seconds(killed) == without_seconds(ref),
      f"resumed with 2 ranks: the single process's file, nothing lost or repeated (rc {rc}, {err.strip()[:160]!r})")

# ---------------------------------------------------------------- search: deterministic for any rank count
REA = ["search", "--algo", "rea", "--evals", "20", "--population", "8", "--generation", "4", "--proxy", "synflow",
       "--batch-size", "8", "--threads", "1", "--quiet", "--seed", "3"]
rc, _, err = run(*REA, "--log", P("rea-1.csv"))
check(rc == 0, f"rea, one process ({err.strip()[:120]})")
for np_ in (2, 3):
    rc, _, err = mpi(np_, *REA, "--log", P(f"rea-{np_}.csv"))
    check(rc == 0 and open(P(f"rea-{np_}.csv")).read() == open(P("rea-1.csv")).read(),
          f"rea with {np_} ranks: the same evaluations in the same order (rc {rc}, {err.strip()[:160]!r})")
EVO = ["search", "--space", "zennas", "--algo", "evolution", "--no-budget", "--iterations", "14", "--population", "6",
       "--candidates-per-step", "4", "--proxy", "synflow", "--resolution", "32", "--batch-size", "4", "--threads", "1",
       "--quiet", "--seed", "2"]


def candidates(d):
    with open(os.path.join(d, "candidates.csv")) as f:
        return [l.split(",")[:7] for l in f.read().splitlines()]


rc, _, err = run(*EVO, "--out", P("evo-1"))
check(rc == 0 and len(candidates(P("evo-1"))) == 15, f"evolution in steps of 4, one process ({err.strip()[:120]})")
for np_ in (2, 3):
    rc, _, err = mpi(np_, *EVO, "--out", P(f"evo-{np_}"))
    check(rc == 0 and candidates(P(f"evo-{np_}")) == candidates(P("evo-1")) and
          open(P(f"evo-{np_}", "best.txt")).read() == open(P("evo-1", "best.txt")).read(),
          f"evolution with {np_} ranks: the same candidates and best (rc {rc}, {err.strip()[:160]!r})")

# ---------------------------------------------------------------- failures: a clear line, no hang
S = ["score", "--sample", "6", "--seed", "7", "--proxy", "zico", "--batch-size", "16", "--threads", "1", "--quiet"]


def expect_fail(what, rc, err, needles):
    msgs = [l for l in err.splitlines() if l.startswith("zcnas:")]
    check(rc not in (0, "hung") and len(msgs) == 1 and all(n in msgs[0] for n in needles),
          f"{what}: exit {rc}, one line naming {needles} ({msgs[:2]!r})")


S8 = [a if a != "16" else "8" for a in S]   # the other ranks: another batch size
rc, _, err = mpi(2, *S, "--out", P("f1.csv"), extra=S8 + ["--out", P("f1.csv")])
expect_fail("a rank's run differs", rc, err, ["rank 1", "differs from rank 0", "data_zico"])
rc, _, err = mpi(3, *S, "--out", P("f2.csv"), extra=S + ["--data", P("nowhere"), "--out", P("f2.csv")])
expect_fail("a rank without its data", rc, err, ["rank ", "nowhere"])
rc, _, err = mpi(2, *S, "--out", P("f3.csv"), extra=S + ["--bogus"])
expect_fail("a rank with a bad option", rc, err, ["rank 1", "--bogus"])
rc, _, err = mpi(3, *S, "--max-memory", "1M", "--out", P("f4.csv"))
expect_fail("an architecture that cannot be scored", rc, err, ["--max-memory", "(architecture |"])

T.finish("mpi_jobs")
