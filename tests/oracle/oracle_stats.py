#!/usr/bin/env python3
"""Compares zc_spearman / zc_kendall_tau_b / zc_pearson with scipy.stats on random data with ties.

The C side is the test_stats binary (`test_stats --eval FILE`), found next to the workdir
(the workdir is build/tests/oracle_stats.work; test binaries live in build/tests/).
Exit 0 pass, 77 skip (numpy/scipy missing), 1 fail.
"""
import argparse
import math
import os
import subprocess
import sys
import warnings

TOL = 1e-9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zcnas", help="zcnas CLI (unused: the C side is test_stats)")
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    try:
        import numpy as np
        from scipy import stats
    except ImportError as e:
        print(f"SKIP: {e}")
        return 77

    os.makedirs(args.workdir, exist_ok=True)
    exe = os.path.join(os.path.dirname(os.path.abspath(args.workdir)), "test_stats")
    if not os.access(exe, os.X_OK):
        print(f"FAIL: test helper not found at {exe} (build the test_stats target)")
        return 1

    rng = np.random.default_rng(20240601)
    cases = []
    for n in (2, 3, 4, 5, 10, 50, 200, 1000, 5000):
        # continuous, light ties, heavy ties, ties only in one variable
        cases.append((f"cont n={n}", rng.normal(size=n), rng.normal(size=n)))
        x = rng.integers(0, max(2, n // 3), size=n).astype(float)
        cases.append((f"ties n={n}", x, x + rng.integers(0, 3, size=n)))
        cases.append((f"heavy n={n}", rng.integers(0, 3, size=n).astype(float),
                      rng.integers(0, 2, size=n).astype(float)))
        cases.append((f"xties n={n}", np.round(rng.normal(size=n)), rng.normal(size=n)))
        y = rng.normal(size=n)
        cases.append((f"corr n={n}", y * 3 + 0.1 * rng.normal(size=n), -np.round(y, 1)))
    cases.append(("all tied x", np.full(20, 0.3), rng.normal(size=20)))
    cases.append(("all tied y", rng.normal(size=20), np.full(20, -1.0)))
    cases.append(("all tied n=2", np.array([1.0, 1.0]), np.array([2.0, 2.0])))
    cases.append(("n=2 tie in x", np.array([1.0, 1.0]), np.array([2.0, 3.0])))
    cases.append(("identical", np.arange(30.0), np.arange(30.0)))
    cases.append(("reversed", np.arange(30.0), -np.arange(30.0) ** 3))
    cases.append(("large values", rng.normal(size=100) * 1e150, rng.normal(size=100) * 1e-150))

    failures = 0
    for i, (name, x, y) in enumerate(cases):
        path = os.path.join(args.workdir, f"case{i}.txt")
        with open(path, "w") as f:
            for a, b in zip(x, y):
                f.write(f"{a!r} {b!r}\n")
        out = subprocess.run([exe, "--eval", path], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"FAIL {name}: test_stats exited {out.returncode}: {out.stderr.strip()}")
            failures += 1
            continue
        got = [float(v) for v in out.stdout.split()]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scipy warns on constant input
            want = [float(stats.spearmanr(x, y)[0]), float(stats.kendalltau(x, y)[0])]
            want.append(float(stats.pearsonr(x, y)[0]) if len(x) >= 2 else math.nan)
        for label, g, w in zip(("spearman", "kendall", "pearson"), got, want):
            ok = (math.isnan(g) and math.isnan(w)) or abs(g - w) <= TOL
            if not ok:
                print(f"FAIL {name} {label}: zcnas {g!r} scipy {w!r}")
                failures += 1
    print(f"oracle_stats: {len(cases)} cases, {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
