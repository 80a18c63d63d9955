#!/usr/bin/env python3
"""Compares `zcnas eval --format csv` with the epsinas compute_stats statistics (spec 2.5) computed by
numpy.nanpercentile and scipy.stats.spearmanr / kendalltau on random data with ties, NaN scores, NaN
targets, infinities, unordered benchmark rows, both NaN policies and minimised targets.
Exit 0 pass, 77 skip (numpy/scipy missing), 1 fail."""
import argparse
import csv
import io
import math
import os
import shutil
import subprocess
import sys
import warnings

TOL = 1e-9


def compute_stats(score, accs, maximize=True):
    """egracheva/epsinas compute_stats (NAS-Bench-201 version, and the NAS-Bench-NLP one for
    maximize=False), without the final formatting."""
    import numpy as np
    from scipy import stats
    score = np.asarray(score, dtype=float)
    accs = np.asarray(accs, dtype=float)
    nonan = ~np.isnan(score) & ~np.isnan(accs)
    a = accs[nonan]
    s = score[nonan]
    n = len(a)
    if n == 0:
        return dict(n=0)
    if maximize:
        top_model = a > np.nanpercentile(a, 90)
        both = top_model & (s > np.nanpercentile(s, 90))
        top_score = s > np.nanpercentile(s, 90)
    else:
        top_model = a < np.nanpercentile(a, 10)
        both = top_model & (s > np.nanpercentile(s, 90))
        top_score = s < np.nanpercentile(s, 10)

    def corr(f, x, y):
        if len(x) < 2:
            return math.nan
        return float(f(x, y)[0])

    out = dict(n=n, n_top10=int(np.sum(top_model)),
               spearman=corr(stats.spearmanr, s, a), kendall=corr(stats.kendalltau, s, a),
               spearman_top10=corr(stats.spearmanr, s[top_model], a[top_model]),
               kendall_top10=corr(stats.kendalltau, s[top_model], a[top_model]))
    num, den = np.sum(both), np.sum(top_score)
    out["top10_top10"] = float(np.float64(num) / np.float64(den) * 100) if den else (math.nan if num == 0 else math.inf)
    if n > 64:
        sel = (a > np.nanpercentile(a, 95)) if maximize else (a < np.nanpercentile(a, 5))
        out["top64_top5"] = float(np.sum(sel & (s >= np.sort(s)[-64])))
    else:
        out["top64_top5"] = math.nan
    return out


def same(g, w):
    if isinstance(w, float) and math.isnan(w):
        return math.isnan(g)
    if isinstance(w, float) and math.isinf(w):
        return g == w
    return abs(g - w) <= TOL


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zcnas", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    try:
        import numpy as np
        import scipy.stats  # noqa: F401
    except ImportError as e:
        print(f"SKIP: {e}")
        return 77
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    rng = np.random.default_rng(7)

    def make_case(n, kind):
        acc = np.round(rng.normal(80, 8, size=n), 1 if kind == "ties" else 4)
        cols = {}
        noise = rng.normal(size=n)
        cols["good"] = acc + 3 * noise                                     # correlated
        cols["ties"] = np.round(acc / 5 + noise)                           # heavy ties
        cols["coarse"] = rng.integers(0, 3, size=n).astype(float)          # three values
        nanny = np.exp(acc / 10 + noise)                                   # positive, with NaNs
        nanny[rng.random(n) < 0.4] = np.nan
        cols["nanny"] = nanny
        neg = -acc + noise
        neg[rng.random(n) < 0.1] = np.nan
        cols["neg"] = neg
        if kind == "inf":
            x = acc + noise
            x[rng.random(n) < 0.05] = np.inf
            cols["inf"] = x
        if kind == "mostly_nan":
            x = acc + noise
            x[rng.random(n) < 0.93] = np.nan
            cols["sparse"] = x
        cols["const"] = np.full(n, 3.0)
        tgt_nan = rng.random(n) < (0.05 if kind != "clean" else 0.0)
        acc = acc.copy()
        acc[tgt_nan] = np.nan
        return acc, cols

    failures = 0
    checks = 0
    case_id = 0
    for n in (3, 8, 30, 64, 65, 200, 2000):
        for kind in ("clean", "ties", "inf", "mostly_nan"):
            case_id += 1
            acc, cols = make_case(n, kind)
            # Benchmark: the archs' rows shuffled, plus rows the scores do not use.
            indices = rng.choice(15625, size=n, replace=False)
            extra = [i for i in rng.choice(15625, size=10, replace=False) if i not in set(indices)]
            bench = os.path.join(args.workdir, f"bench{case_id}.csv")
            rows = [(int(i), a) for i, a in zip(indices, acc)] + [(int(i), 50.0) for i in extra]
            order = rng.permutation(len(rows))
            with open(bench, "w") as f:
                f.write("index,arch,acc,other\n")
                for k in order:
                    i, a = rows[k]
                    f.write(f"{i},|x~0|,{'nan' if math.isnan(a) else repr(float(a))},1\n")
            scores = os.path.join(args.workdir, f"scores{case_id}.csv")
            names = list(cols)
            with open(scores, "w") as f:
                f.write("index,arch," + ",".join(f"{c},{c}_seconds" for c in names) + "\n")
                for r, i in enumerate(indices):
                    vals = []
                    for c in names:
                        v = float(cols[c][r])
                        vals.append("nan" if math.isnan(v) else repr(v))
                        vals.append("0.01")
                    f.write(f"{int(i)},|x~0|," + ",".join(vals) + "\n")
            for nan_mode in ("exclude", "worst"):
                for maximize in (True, False):
                    cmd = [args.zcnas, "eval", "--scores", scores, "--bench", bench, "--target", "acc",
                           "--format", "csv", "--nan", nan_mode] + ([] if maximize else ["--minimize"])
                    p = subprocess.run(cmd, capture_output=True, text=True)
                    what = f"n={n} {kind} nan={nan_mode} maximize={maximize}"
                    if p.returncode != 0:
                        print(f"FAIL {what}: exit {p.returncode}: {p.stderr.strip()}")
                        failures += 1
                        continue
                    got = {r["proxy"]: r for r in csv.DictReader(io.StringIO(p.stdout))}
                    if sorted(got) != sorted(names):
                        print(f"FAIL {what}: proxies {sorted(got)} != {sorted(names)}")
                        failures += 1
                        continue
                    for c in names:
                        s = np.array(cols[c], dtype=float)
                        if nan_mode == "worst":
                            s = np.where(np.isnan(s), -np.inf, s)
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            want = compute_stats(s, acc, maximize)
                        g = got[c]
                        n_nan_score = int(np.sum(np.isnan(cols[c]) & ~np.isnan(acc)))
                        checks += 1
                        bad = []
                        if int(g["n"]) != want["n"]:
                            bad.append(f"n {g['n']} vs {want['n']}")
                        if int(g["nan_scores"]) != n_nan_score:
                            bad.append(f"nan_scores {g['nan_scores']} vs {n_nan_score}")
                        if int(g["nan_targets"]) != int(np.sum(np.isnan(acc))):
                            bad.append("nan_targets")
                        if want["n"]:
                            if int(g["n_top10"]) != want["n_top10"]:
                                bad.append(f"n_top10 {g['n_top10']} vs {want['n_top10']}")
                            for key in ("spearman", "kendall", "spearman_top10", "kendall_top10", "top10_top10",
                                        "top64_top5"):
                                if not same(float(g[key]), want[key]):
                                    bad.append(f"{key} {g[key]} vs {want[key]!r}")
                        if bad:
                            failures += 1
                            print(f"FAIL {what} {c}: " + "; ".join(bad))
    print(f"oracle_eval: {checks} proxy evaluations, {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
