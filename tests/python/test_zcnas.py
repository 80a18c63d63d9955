"""The Python package against the zcnas command (same arguments, same scores), its errors, the GIL
release, Ctrl-C and the progress callback. Run by tests/python/run_pytest.py (ctest python_package),
which builds the package against the build under test and sets ZCNAS_CLI to its zcnas command."""
import _thread, csv, io, math, os, subprocess, sys, threading, time

import pytest
import zcnas

CLI = os.environ["ZCNAS_CLI"]
ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


def cli_rows(*args):
    p = subprocess.run([CLI, "score", *args], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return list(csv.DictReader(io.StringIO("".join(l for l in p.stdout.splitlines(True) if not l.startswith("#")))))


def same(a, b):
    """The command prints 9 significant digits."""
    if isinstance(a, float) and math.isnan(a):
        return b in ("nan", "-nan")
    return abs(a - float(b)) <= 1e-8 * max(1.0, abs(a))


@pytest.mark.parametrize("args,kwargs", [
    (["--index", "0,1,7", "--proxy", "zico,epsilon,params", "--threads", "2"],
     dict(index=[0, 1, 7], proxies=["zico", "epsilon", "params"], threads=2)),
    (["--sample", "4", "--seed", "3", "--proxy", "synflow,nwot,grad_norm", "--batch-size", "32"],
     dict(sample=4, seed=3, proxies="synflow,nwot,grad_norm", batch_size=32)),
    (["--arch", ARCH, "--proxy", "zico,epsilon", "--zico-std", "abs", "--eps-weights", "0.001,2", "--batches", "3"],
     dict(arch=ARCH, proxies=["zico", "epsilon"], zico_std="abs", eps_weights=(0.001, 2), batches=3)),
    (["--space", "nats-sss", "--index", "5,99", "--proxy", "zico,flops", "--batch-size", "16"],
     dict(space="nats-sss", index="5,99", proxies=["zico", "flops"], batch_size=16)),
])
def test_scores_equal_the_command(args, kwargs):
    want = cli_rows(*args)
    got = zcnas.score(**kwargs)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g["arch"] == w["arch"]
        assert (g["index"] is None and w["index"] == "") or str(g["index"]) == w["index"]
        scores = [k for k in w if k not in ("index", "arch") and not k.endswith("_seconds")]
        assert scores and set(scores) <= set(g)
        for k in scores:
            assert same(g[k], w[k]), (k, g[k], w[k])
        assert all(g[k] >= 0 for k in g if k.endswith("_seconds"))


def test_aggregate_over_the_scored_population():
    rows = zcnas.score(index="0-7", proxies=["vkdnw_agg"], threads=2)
    cols = next(c for n, _, c in zcnas.proxies() if n == "vkdnw_agg")
    again = zcnas.aggregate("vkdnw_agg", [[r[c] for r in rows] for c in cols])
    assert [r["vkdnw_agg"] for r in rows] == again
    assert len(set(again)) > 1


def test_nan_stays_nan():
    # epsilon's constant-weight outputs collapse for this cell: NaN, as the command prints
    rows = zcnas.score(index=[1821], proxies=["epsilon"])
    want = cli_rows("--index", "1821", "--proxy", "epsilon")
    assert same(rows[0]["epsilon"], want[0]["epsilon"])


def test_correlate_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    x = [3.0, 1.0, 2.0, 5.0, 4.0, float("nan"), 7.0, 7.0]
    y = [1.0, 2.0, 2.0, 4.0, 5.0, 6.0, 6.5, 8.0]
    c = zcnas.correlate(x, y)
    keep = [(a, b) for a, b in zip(x, y) if a == a and b == b]
    xs, ys = zip(*keep)
    assert c["n"] == len(keep)
    assert abs(c["spearman"] - stats.spearmanr(xs, ys)[0]) < 1e-12
    assert abs(c["kendall"] - stats.kendalltau(xs, ys)[0]) < 1e-12
    assert abs(c["pearson"] - stats.pearsonr(xs, ys)[0]) < 1e-12


@pytest.mark.parametrize("kwargs,exc,needle", [
    (dict(arch="|nor_conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|", proxies=["params"]), zcnas.Error, "nor_conv_9x9"),
    (dict(index=[0], proxies=["zicoo"]), zcnas.Error, "zicoo"),
    (dict(space="nb999", index=[0], proxies=["params"]), zcnas.Error, "nb999"),
    (dict(index=[99999], proxies=["params"]), zcnas.Error, "99999"),
    (dict(index=[0], arch=ARCH, proxies=["params"]), ValueError, "exactly one"),
    (dict(index=[0], proxies=["zico"], batches=1), ValueError, "at least 2"),
    (dict(index=[0], proxies=["zico"], batch_size=0), ValueError, "batch_size"),
    (dict(index=[0], proxies=["params"], seed=-1), ValueError, "seed"),
    (dict(index=[0], proxies=["params"], zico_stdd="abs"), TypeError, "zico_stdd"),
    (dict(index=[0], proxies=["params"], zico_std="both"), ValueError, "zico_std"),
    (dict(index=[0], proxies=["zico"], data="/nonexistent/cifar"), zcnas.Error, "/nonexistent/cifar"),
    (dict(index=["x"], proxies=["params"]), TypeError, "index"),
])
def test_errors_name_the_problem(kwargs, exc, needle):
    with pytest.raises(exc) as e:
        zcnas.score(**kwargs)
    assert needle in str(e.value)
    if exc is zcnas.Error:
        assert isinstance(e.value.status, int) and e.value.status > 0 and "\n" not in str(e.value)


def test_gil_released_and_two_threads_at_once():
    kwargs = dict(index="0-3", proxies=["zico"], batch_size=32, threads=1)
    serial = zcnas.score(**kwargs)
    results, spans = {}, {}

    def work(name):
        t0 = time.monotonic()
        results[name] = zcnas.score(**kwargs)
        spans[name] = (t0, time.monotonic())

    threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
    ticks = 0
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        ticks += 1   # this thread runs Python while both score: the GIL is free
        time.sleep(0.001)
    for t in threads:
        t.join()
    strip = lambda rows: [{k: v for k, v in r.items() if not k.endswith("_seconds")} for r in rows]
    assert strip(results["a"]) == strip(serial) and strip(results["b"]) == strip(serial)
    (a0, a1), (b0, b1) = spans["a"], spans["b"]
    assert a0 < b1 and b0 < a1, "the two calls ran at the same time"
    assert ticks > 50


def test_progress_and_early_stop():
    seen = []
    rows = zcnas.score(index="0-5", proxies=["params"], threads=1, progress=lambda d, n: seen.append((d, n)))
    assert len(rows) == 6 and seen and seen[-1] == (6, 6) and all(n == 6 for _, n in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    stopped = zcnas.score(index="0-39", proxies=["zico"], batch_size=16, threads=1, progress=lambda d, n: d < 2)
    assert 2 <= len(stopped) < 40
    with pytest.raises(ZeroDivisionError):
        zcnas.score(index="0-39", proxies=["zico"], batch_size=16, threads=1, progress=lambda d, n: 1 / 0)


def test_ctrl_c_interrupts():
    timer = threading.Timer(1.0, _thread.interrupt_main)
    t0 = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        zcnas.score(sample=200, proxies=["zico"], threads=1)   # minutes of work
    timer.cancel()
    assert time.monotonic() - t0 < 60


def test_pandas_frame():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(zcnas.score(index=[0, 1, 2], proxies=["params", "flops"]))
    assert list(df.columns[:2]) == ["index", "arch"] and len(df) == 3 and df["params"].dtype.kind == "f"


def test_score_torch_equals_the_native_network():
    torch = pytest.importorskip("torch")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "oracle"))
    import reference
    try:
        got = zcnas.score_torch(reference.tiny_network(ARCH), (3, 32, 32), ["params", "flops", "epsilon"])
    except zcnas.Error as e:
        if "without ONNX support" in str(e):
            pytest.skip(str(e))
        raise
    want = zcnas.score(arch=ARCH, proxies=["params", "flops", "epsilon"])[0]
    for k in ("params", "flops", "epsilon"):
        assert got[k] == want[k], k
