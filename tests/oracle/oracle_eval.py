#!/usr/bin/env python3
"""Compares `zcnas eval --format csv` with the epsinas compute_stats statistics (spec 2.5) computed by
numpy.nanpercentile and scipy.stats.spearmanr / kendalltau on random data with ties, NaN scores, NaN
targets, infinities, unordered benchmark rows, both NaN policies and minimised targets; and Pearson,
precision@k (NASLib's p_at_tb_k with stable tie order) and nDCG@k (VKDNW: gains 2**acc - 1, tied scores
averaged) against numpy implementations written here from the definitions, nDCG also against
scikit-learn's ndcg_score when sklearn is installed, for the default k and several --top-k.
Exit 0 pass, 77 skip (numpy/scipy missing), 1 fail."""
import argparse
import csv
import io
import json
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


def pearson(s, a):
    """np.corrcoef, NaN where scipy.stats.pearsonr has no value (n < 2, a constant or non-finite input)."""
    import numpy as np
    if len(s) < 2 or not (np.all(np.isfinite(s)) and np.all(np.isfinite(a))):
        return math.nan
    if np.all(s == s[0]) or np.all(a == a[0]):
        return math.nan
    return float(np.corrcoef(s, a)[0, 1])


def precision_at_k(s, a, k, maximize):
    """|k best scores & k best targets| / k; a stable sort puts tied rows in row order."""
    import numpy as np
    n = len(s)
    if k < 1 or k > n:
        return math.nan
    top_s = np.argsort(-s, kind="stable")[:k]
    top_a = np.argsort(-a if maximize else a, kind="stable")[:k]
    return len(set(top_s.tolist()) & set(top_a.tolist())) / k


def ndcg_at_k(gain, s, k):
    """nDCG@k with tied scores averaged (McSherry & Najork): each document's discount is the mean of
    the discounts of the positions its tie group spans; discounts 1/log2(pos + 2), 0 from k on."""
    import numpy as np
    n = len(s)
    if n < 2 or k < 1 or np.any(np.isnan(s)) or not np.all(np.isfinite(gain)) or np.any(gain < 0):
        return math.nan
    disc = 1.0 / np.log2(np.arange(n) + 2.0)
    disc[k:] = 0.0
    order = np.argsort(-s, kind="stable")
    pos_disc = np.empty(n)           # the expected discount of each document
    start = 0
    while start < n:
        end = start
        while end < n and s[order[end]] == s[order[start]]:
            end += 1
        pos_disc[order[start:end]] = disc[start:end].mean()
        start = end
    ideal = float(np.sum(np.sort(gain)[::-1] * disc))
    return 0.0 if ideal == 0 else float(np.sum(gain * pos_disc)) / ideal


def sklearn_ndcg(gain, s, k):
    """scikit-learn's ndcg_score on one query (ignore_ties=False); it refuses infinite scores, which
    only the order matters for: they become values beyond every finite score. None without sklearn."""
    import numpy as np
    try:
        from sklearn.metrics import ndcg_score
    except ImportError:
        return None
    if len(s) < 2:
        return math.nan
    s = np.array(s, dtype=float)
    fin = s[np.isfinite(s)]
    lo, hi = (fin.min(), fin.max()) if len(fin) else (0.0, 0.0)
    s[s == -np.inf] = lo - 1.0
    s[s == np.inf] = hi + 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # sklearn 1.2 casts gains like 2**94 to int to guess the target type
        return float(ndcg_score(np.asarray([gain]), np.asarray([s]), k=k))


def default_k(n):
    return max(1, (n + 5) // 10)    # 10% of n, rounded half up


def same(g, w):
    if isinstance(w, float) and math.isnan(w):
        return math.isnan(g)
    if isinstance(w, float) and math.isinf(w):
        return g == w
    return abs(g - w) <= TOL


def check_references(np, have_sklearn):
    """The numpy references on values computed by hand (and by sklearn 1.2.1: VKDNW's example)."""
    bad = 0

    def expect(label, got, want, tol=1e-12):
        nonlocal bad
        ok = (math.isnan(got) and math.isnan(want)) or abs(got - want) <= tol
        if not ok:
            print(f"FAIL reference {label}: {got!r} vs {want!r}")
            bad += 1

    acc = np.array([93.5, 91.2, 94.1, 88.0, 94.1, 10.0])
    sc = np.array([3.0, 2.0, 2.0, 1.0, 0.5, 2.0])
    for k, want in ((6, 0.7963230846283361), (1000, 0.7963230846283361), (1, 0.6597539553864498),
                    (2, 0.5507529952685252), (3, 0.5544833715561037)):
        expect(f"ndcg VKDNW example k={k}", ndcg_at_k(2.0 ** acc - 1, sc, k), want)
        if have_sklearn:
            expect(f"sklearn VKDNW example k={k}", sklearn_ndcg(2.0 ** acc - 1, sc, k), want)
    g = np.array([10.0, 0, 0, 1, 5])
    expect("ndcg sklearn docstring", ndcg_at_k(g, np.array([.05, 1.1, 1., .5, .0]), 5), 0.49368019137737595)
    expect("ndcg sklearn docstring k=4", ndcg_at_k(g, np.array([.05, 1.1, 1., .5, .0]), 4), 0.35202411006344875)
    expect("ndcg tie at k=1", ndcg_at_k(g, np.array([1.0, 0, 0, 0, 1]), 1), 0.75)
    expect("precision ties", precision_at_k(np.array([1.0, 1, 1, 0]), np.array([0.0, 0, 5, 9]), 3, True), 2 / 3)
    expect("precision minimised", precision_at_k(np.array([5.0, 4, 3, 2, 1]), np.arange(1.0, 6), 2, False), 1.0)
    expect("pearson", pearson(np.array([1.0, 2, 3, 4, 5]), np.array([5.0, 6, 7, 8, 7])), 0.8320502943378436)
    return bad


def check_cli(zcnas, workdir):
    """--top-k's validation, and the new columns in the table and JSON."""
    bad = 0
    scores, bench = os.path.join(workdir, "scores1.csv"), os.path.join(workdir, "bench1.csv")
    base = [zcnas, "eval", "--scores", scores, "--bench", bench, "--target", "acc"]
    for k in ("0", "-2", "1.5", "abc", "", "99999999999"):
        p = subprocess.run(base + ["--top-k", k], capture_output=True, text=True)
        if p.returncode != 2 or "--top-k" not in p.stderr or len(p.stderr.strip().splitlines()) != 1:
            print(f"FAIL --top-k {k!r}: exit {p.returncode}, {p.stderr.strip()!r} (want one usage line, exit 2)")
            bad += 1
    p = subprocess.run(base + ["--top-k", "2"], capture_output=True, text=True)
    if p.returncode != 0 or "k = 2" not in p.stdout or not all(h in p.stdout for h in ("pearson", "P@k", "nDCG@k")):
        print(f"FAIL table with --top-k 2: {p.stdout[:400]!r} {p.stderr.strip()!r}")
        bad += 1
    p = subprocess.run(base + ["--top-k", "2", "--format", "json"], capture_output=True, text=True)
    try:
        js = json.loads(p.stdout)
        ok = js["top_k"] == 2 and all(r["top_k"] == 2 and "pearson" in r and "precision_at_k" in r and
                                      "ndcg_at_k" in r for r in js["results"])
    except (ValueError, KeyError):
        ok = False
    if not ok:
        print(f"FAIL json with --top-k 2: {p.stdout[:400]!r}")
        bad += 1
    return bad


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
    try:
        import sklearn  # noqa: F401
        have_sklearn = True
    except ImportError:
        have_sklearn = False
        print("note: sklearn not installed: nDCG is checked against the numpy implementation only")
    failures = 0
    failures += check_references(np, have_sklearn)

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

    checks = 0
    sk_checks = 0
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
            for nan_mode, maximize, top_k in [(m, x, None) for m in ("exclude", "worst") for x in (True, False)] + \
                    [("exclude", True, 1), ("worst", True, 7), ("exclude", False, 7), ("exclude", True, n + 3)]:
                    cmd = [args.zcnas, "eval", "--scores", scores, "--bench", bench, "--target", "acc",
                           "--format", "csv", "--nan", nan_mode] + ([] if maximize else ["--minimize"]) + \
                          ([] if top_k is None else ["--top-k", str(top_k)])
                    p = subprocess.run(cmd, capture_output=True, text=True)
                    what = f"n={n} {kind} nan={nan_mode} maximize={maximize} top_k={top_k}"
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
                        # the same architectures as Spearman: NaN targets out, NaN scores per policy
                        keep = ~np.isnan(acc) & ~np.isnan(s)
                        su, au = s[keep], acc[keep]
                        k = top_k if top_k is not None else default_k(len(su))
                        extra = dict(pearson=pearson(su, au), precision_at_k=precision_at_k(su, au, k, maximize),
                                     ndcg_at_k=ndcg_at_k(2.0 ** au - 1, su, k) if maximize else math.nan)
                        if int(g["top_k"]) != k:
                            bad.append(f"top_k {g['top_k']} vs {k}")
                        for key, w in extra.items():
                            if not same(float(g[key]), w):
                                bad.append(f"{key} {g[key]} vs {w!r}")
                        if maximize and have_sklearn and len(su) >= 2:
                            w = sklearn_ndcg(2.0 ** au - 1, su, k)
                            sk_checks += 1
                            if not same(float(g["ndcg_at_k"]), w):
                                bad.append(f"ndcg_at_k {g['ndcg_at_k']} vs sklearn {w!r}")
                        if bad:
                            failures += 1
                            print(f"FAIL {what} {c}: " + "; ".join(bad))
    failures += check_cli(args.zcnas, args.workdir)
    print(f"oracle_eval: {checks} proxy evaluations ({sk_checks} nDCG checks against sklearn), {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
