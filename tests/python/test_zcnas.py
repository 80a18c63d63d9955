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


def cifar10_records(n):
    """The first n records of CIFAR-10's data_batch_1.bin, normalised with NAS-Bench-201's constants in
    the same float32 steps as the library's loader: (p / 255 - mean) / std."""
    np = pytest.importorskip("numpy")
    root = os.environ.get("ZCNAS_DATA")
    path = os.path.join(root or "", "cifar10", "data_batch_1.bin")
    if not root or not os.path.exists(path):
        pytest.skip("needs $ZCNAS_DATA/cifar10")
    raw = np.fromfile(path, dtype=np.uint8, count=n * 3073).reshape(n, 3073)
    mean = np.array([125.3 / 255, 123.0 / 255, 113.9 / 255], dtype=np.float32).reshape(1, 3, 1, 1)
    std = np.array([63.0 / 255, 62.1 / 255, 66.7 / 255], dtype=np.float32).reshape(1, 3, 1, 1)
    x = (raw[:, 1:].reshape(n, 3, 32, 32).astype(np.float32) / np.float32(255) - mean) / std
    return x.astype(np.float32), raw[:, 0].astype(np.int64)


def test_own_images_equal_the_same_records_drawn_from_the_dataset():
    # the sequential sampler takes records 0, 1, 2, ... of the dataset for every lane, as the caller's
    # images are taken: the same pixels must give the same scores, to the last bit
    x, y = cifar10_records(256)
    proxies = ["zico", "epsilon", "nwot", "grad_norm", "snip", "jacob_cov"]
    mine = zcnas.score(index=[0, 1, 7], proxies=proxies, images=x, labels=y, threads=2)
    drawn = zcnas.score(index=[0, 1, 7], proxies=proxies, sampler="sequential", threads=2)
    strip = lambda rows: [{k: v for k, v in r.items() if not k.endswith("_seconds")} for r in rows]
    assert strip(mine) == strip(drawn)
    # and other images give other scores (the images are really used)
    other = zcnas.score(index=[0], proxies=["zico"], images=x[::-1].copy(), labels=y[::-1].copy())
    assert other[0]["zico"] != mine[0]["zico"]


def test_own_images_bad_input():
    np = pytest.importorskip("numpy")
    x = np.random.default_rng(0).standard_normal((128, 3, 32, 32)).astype(np.float32)
    y = np.zeros(128, dtype=np.int64)
    nan = x.copy()
    nan[5, 1, 2, 3] = np.nan
    cases = [
        (dict(images=x[:10], labels=y[:10]), zcnas.Error, "10 images given"),
        (dict(images=x, labels=y[:5]), ValueError, "5 of them for 128 images"),
        (dict(images=x[:, :2], labels=y), zcnas.Error, "the network takes 3x32x32"),
        (dict(images=x), ValueError, "labels"),
        (dict(labels=y), ValueError, "without images"),
        (dict(images=x, labels=y + 10), zcnas.Error, "label 10 out of range"),
        (dict(images=x[0], labels=y), ValueError, "shape (n, channels, height, width)"),
        (dict(images=nan, labels=y), zcnas.Error, "image 5"),
        (dict(space="tnb101-micro", images=x, labels=y), zcnas.Error, "own task data"),
    ]
    for kwargs, exc, needle in cases:
        with pytest.raises(exc) as e:
            zcnas.score(**{"index": [0], "proxies": ["zico"], **kwargs})
        assert needle in str(e.value), (kwargs.keys(), str(e.value))
    # a resolution other than the images' resizes them, as dataset images are resized
    rows = zcnas.score(index=[0], proxies=["zico"], images=x, labels=y, resolution=16)
    assert math.isfinite(rows[0]["zico"])


@pytest.mark.parametrize("algo,proxy,extra", [
    ("rea", "params", ["--population", "20", "--sample-size", "5"]),
    ("random", "synflow", ["--batch-size", "16"]),
])
def test_search_equals_the_command(tmp_path, algo, proxy, extra):
    log = tmp_path / "log.csv"
    p = subprocess.run([CLI, "search", "--space", "nb201", "--proxy", proxy, "--algo", algo, "--evals", "80",
                        "--seed", "3", "--log", str(log), *extra], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    want = list(csv.DictReader(open(log)))
    kwargs = dict(population=20, sample_size=5) if algo == "rea" else dict(batch_size=16)
    got = zcnas.search(proxy=proxy, algo=algo, evals=80, seed=3, **kwargs)
    assert got["evals"] == 80 and not got["stopped"] and len(got["history"]) == 80
    for (arch, score), w in zip(got["history"], want):
        assert arch == w["arch"] and same(score, w["score"])
    best = max(range(80), key=lambda i: (got["history"][i][1], -i))
    assert got["arch"] == got["history"][best][0] and got["score"] == got["history"][best][1]
    assert str(got["index"]) == next(w["index"] for w in want if w["arch"] == got["arch"])


def test_search_callback_and_early_stop():
    full = zcnas.search(proxy="params", evals=150, population=20, sample_size=5, seed=1)
    seen = []
    stopped = zcnas.search(proxy="params", evals=150, population=20, sample_size=5, seed=1,
                           callback=lambda e, a, s: seen.append((e, a, s)) or e < 49)
    # the callback sees every evaluation in order and stops REA (generation 1) right at evaluation 49
    assert [e for e, _, _ in seen] == list(range(50))
    assert stopped["stopped"] and stopped["evals"] == 50
    assert stopped["history"] == full["history"][:50] == [(a, s) for _, a, s in seen]
    with pytest.raises(ZeroDivisionError):
        zcnas.search(proxy="params", evals=100, population=10, callback=lambda e, a, s: 1 / 0)


@pytest.mark.parametrize("kwargs,exc,needle", [
    (dict(proxy="zico,params"), zcnas.Error, "zico,params"),
    (dict(algo="evolution"), ValueError, "algo"),
    (dict(evals=0), ValueError, "evals"),
    (dict(proxy="params", max_flops="big"), TypeError, "max_flops"),
    (dict(proxy="params", callback=3), TypeError, "callback"),
])
def test_search_errors(kwargs, exc, needle):
    with pytest.raises(exc) as e:
        zcnas.search(**{"evals": 10, **kwargs})
    assert needle in str(e.value)
