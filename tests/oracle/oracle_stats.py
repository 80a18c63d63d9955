#!/usr/bin/env python3
"""Compares zc_spearman / zc_kendall_tau_b / zc_pearson with scipy.stats on random data with ties, and
zc_precision_at_k / zc_ndcg (y the gains as given) with the numpy references of oracle_eval.py (nDCG also
with scikit-learn's ndcg_score when it is installed) for k from 1 to beyond n.

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
    # nonnegative gains for nDCG (most cases above have negative y, where it is NaN): graded, sparse, huge
    for n in (2, 3, 7, 40, 300):
        cases.append((f"gains n={n}", np.round(rng.normal(size=n), 1), rng.integers(0, 4, size=n).astype(float)))
        cases.append((f"sparse gains n={n}", rng.integers(0, 3, size=n).astype(float),
                      (rng.random(n) < 0.2).astype(float)))
        acc = np.round(rng.normal(80, 8, size=n), 1)
        cases.append((f"2^acc n={n}", np.round(acc / 4 + rng.normal(size=n)), 2.0 ** acc - 1))
    cases.append(("infinite scores", np.array([np.inf, 1, -np.inf, 2, -np.inf, np.inf, 0]),
                  np.array([3.0, 0, 1, 2, 5, 4, 1])))
    cases.append(("zero gains", rng.normal(size=10), np.zeros(10)))

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from oracle_eval import ndcg_at_k, precision_at_k, sklearn_ndcg

    failures = 0
    finite_ndcg = sk_checks = 0
    for i, (name, x, y) in enumerate(cases):
        path = os.path.join(args.workdir, f"case{i}.txt")
        with open(path, "w") as f:
            for a, b in zip(x, y):
                f.write(f"{a!r} {b!r}\n")
        n = len(x)
        k = 1 + (7 * i) % (n + 2)           # 1 to n + 2
        out = subprocess.run([exe, "--eval", path, str(k)], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"FAIL {name}: test_stats exited {out.returncode}: {out.stderr.strip()}")
            failures += 1
            continue
        got = [float(v) for v in out.stdout.split()]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scipy warns on constant input
            want = [float(stats.spearmanr(x, y)[0]), float(stats.kendalltau(x, y)[0])]
            if len(x) < 2 or not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
                want.append(math.nan)
            else:
                want.append(float(stats.pearsonr(x, y)[0]))
        want += [precision_at_k(x, y, k, True), precision_at_k(x, y, k, False), ndcg_at_k(y, x, k)]
        labels = ["spearman", "kendall", "pearson", f"precision@{k}", f"precision@{k} minimised", f"ndcg@{k}"]
        sk = sklearn_ndcg(y, x, k) if n >= 2 and np.all(y >= 0) and np.all(np.isfinite(y)) else None
        finite_ndcg += bool(np.isfinite(want[5]))
        if sk is not None:
            sk_checks += 1
            got.append(got[5])
            want.append(sk)
            labels.append(f"ndcg@{k} sklearn")
        if not np.all(np.isfinite(x)):      # scipy's rank correlations give NaN here; zcnas ranks the infinities
            labels, got, want = labels[2:], got[2:], want[2:]
        for label, g, w in zip(labels, got, want):
            ok = (math.isnan(g) and math.isnan(w)) or abs(g - w) <= TOL
            if not ok:
                print(f"FAIL {name} {label}: zcnas {g!r} scipy {w!r}")
                failures += 1
    print(f"oracle_stats: {len(cases)} cases ({finite_ndcg} with a defined nDCG, {sk_checks} of them also checked "
          f"against sklearn), {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
