"""zcnas: training-free (zero-cost) neural architecture search from Python.

The C library libzcnas does the work (the same scoring context as the `zcnas` command, so the same
arguments give the same scores); this package turns keyword arguments into its options and its
results into plain Python objects:

    >>> import zcnas
    >>> rows = zcnas.score(space="nb201", index=[0, 1], proxies=["zico", "epsilon"])
    >>> rows[0]["zico"]
    >>> import pandas; pandas.DataFrame(rows)

Data (datasets, benchmark tables) is read from `data=` / `bench=` or $ZCNAS_DATA, as the command does.
Long calls release the GIL and stop on Ctrl-C (KeyboardInterrupt); library failures raise
zcnas.Error with the library's one-line message.
"""
from ._zcnas import Error, _aggregate, _aggregates, _correlate, _proxies, _score, _search, _spaces, _version

__all__ = ["Error", "score", "score_onnx", "score_torch", "search", "correlate", "aggregate", "proxies", "spaces",
           "__version__"]
__version__ = _version()


def score(space="nb201", proxies=("zico",), *, arch=None, index=None, sample=None, all=False, seed=0,
          dataset=None, data=None, bench=None, resolution=None, num_classes=None, threads=0, backend_threads=1,
          batch_size=None, batches=None, eps_batch_size=None, base_batch_size=None, nwot_batch_size=None,
          images=None, labels=None, progress=None, **options):
    """Scores architectures of a search space with zero-cost proxies; one dict per architecture.

    Choose the architectures with exactly one of
      arch     an architecture string of the space, or a list of them
      index    benchmark indices: an int, a list of ints, or a str like "3,17,100-199"
      sample   k distinct random architectures (seeded by `seed`)
      all      every architecture of the space (True)
    proxies: names as `zcnas score --proxy` takes them (zico, epsilon, params, flops, synflow, nwot,
      az_nas, vkdnw_agg, ... see zcnas.proxies()); an aggregate (vkdnw_agg, az_nas's ranks, te_nas's)
      is computed over the scored architectures, as `zcnas eval` does.
    The other arguments are the command's options with _ for -: seed, dataset (cifar10, cifar100,
    imagenet16), data (dataset path), bench (benchmark table), resolution, num_classes, threads
    (worker threads, 0: all cores), backend_threads, batch_size and batches (ZiCo's lane),
    eps_batch_size, base_batch_size, nwot_batch_size, and the proxies' options: zico_std ('signed' or
    'abs'), eps_weights=(low, high), exact_full, meco_input ('real' or 'random'), vkdnw_constants
    ('half' or 'exact'), swap_repeats, reg_swap_mu, reg_swap_sigma, sampler ('random' or 'sequential'),
    augment, backend ('dnnl' or 'ref'), weights (a folder of .npy weights), onnx_weights (True: an
    ONNX model's own weights instead of a fresh initialisation), max_memory (bytes).
    images, labels: your own data instead of a dataset's: images an (n, channels, height, width) array of
      normalised float images (numpy or anything numpy converts), labels n class indices below
      num_classes (the dataset's class count unless given). Every data lane's batches are consecutive
      slices of them from the first image on, wrapping around (ZiCo's two batches of 64 are images
      0-63 and 64-127); a lane's batch may not exceed n (set batch_size=, eps_batch_size=, ...). The input
      size is the images' unless resolution= is given (then they are resized).
    progress: called as progress(done, total) as architectures finish; returning False stops the run
      early (the rows scored so far are returned).

    Returns a list of dicts: index (None without a benchmark index), arch, each score, and
    <proxy>_seconds per proxy. NaN scores stay float('nan'), as in the command's output.
    """
    if isinstance(proxies, str):
        proxies = [p for p in proxies.split(",") if p]
    if isinstance(index, int) and not isinstance(index, bool):
        index = [index]
    names = list(proxies)
    images, labels, resolution = _own_images(images, labels, resolution)
    cols, rows = _score(space, names, arch=arch, index=index, sample=sample, all=bool(all), seed=seed,
                        dataset=dataset, data=data, bench=bench, resolution=resolution, num_classes=num_classes,
                        threads=threads, backend_threads=backend_threads, batch_size=batch_size, batches=batches,
                        eps_batch_size=eps_batch_size, base_batch_size=base_batch_size,
                        nwot_batch_size=nwot_batch_size, progress=progress, options=options,
                        images=images, labels=labels)
    out = [dict(zip(["index", "arch", *cols], r)) for r in rows]
    # An aggregate named in proxies: its score over this population, from its sub-score columns.
    for name, _, _, columns in _aggregates():
        if name in names and out:
            for r, v in zip(out, _aggregate(name, [[r[c] for r in out] for c in columns])):
                r[name] = v
    return out


_SHARED = ("dataset", "data", "bench", "num_classes", "threads", "backend_threads", "batch_size", "batches",
           "eps_batch_size", "base_batch_size", "nwot_batch_size")


def _common(kw):
    """score()'s data and run keywords as they are, the proxies' options gathered into options=."""
    out = {k: kw.pop(k) for k in list(kw) if k in _SHARED}
    out["options"] = kw
    return out


def _own_images(images, labels, resolution):
    """The caller's images and labels as the C layer takes them (float32 / int32, C order)."""
    if images is None:
        return images, labels, resolution
    import numpy as np
    images = np.ascontiguousarray(images, dtype=np.float32)
    if labels is not None:
        labels = np.ascontiguousarray(labels, dtype=np.int32)
    if resolution is None and images.ndim == 4:
        resolution = int(images.shape[2])
    return images, labels, resolution


def search(space="nb201", proxy="zico", *, algo="rea", evals=1000, population=64, sample_size=10, generation=1,
           max_flops=None, max_params=None, seed=0, callback=None, images=None, labels=None, resolution=None,
           **options):
    """Searches a space with one zero-cost proxy as the fitness, as `zcnas search` does.

    algo: 'rea' (regularised ageing evolution: population, sample_size (tournament), generation
      (children scored together)) or 'random' (the best of `evals` uniform draws with replacement).
    evals: evaluations in all; max_flops / max_params: budgets on the space's cost (never drawn above).
    proxy: a proxy name, or an aggregate (az_nas, vkdnw_agg, ...: each candidate ranked among all
      evaluated so far, as those papers' searches do).
    seed: seeds every random decision of the search and the scoring.
    callback: called as callback(eval, arch, score) after each evaluation, in order, while the search
      waits; returning False stops it early and the result so far is returned with stopped=True: REA
      after the generation of that evaluation (the initial population is one), random search after its
      chunk of 64 draws. Ctrl-C and an exception in the callback stop it too, and are raised.
    The other keywords are score()'s data and proxy options (dataset, data, threads, batch_size,
    images/labels, zico_std, ...).

    Returns a dict: arch (the best architecture's string, None if nothing scored), index (its benchmark
    index or None), score, evals, distinct (architectures evaluated), scored (networks actually scored:
    revisits are cached), stopped, and history: the (arch, score) of every evaluation in order.
    """
    images, labels, resolution = _own_images(images, labels, resolution)
    return _search(space, [proxy], algo=algo, evals=evals, population=population, sample_size=sample_size,
                   generation=generation, max_flops=max_flops, max_params=max_params, callback=callback, seed=seed,
                   images=images, labels=labels, resolution=resolution, **_common(options))


def score_onnx(path, proxies=("zico",), **options):
    """Scores a network exported to ONNX (the onnx space: `zcnas score --onnx FILE`); the options are
    score()'s. Returns score()'s dict for the model."""
    return score("onnx", proxies, arch=str(path), **options)[0]


def score_torch(model, input_shape, proxies=("zico",), **options):
    """Scores a PyTorch module: exported with torch.onnx.export (training mode, batch norm kept, no
    constant folding) at input_shape (C, H, W) into a temporary file, then score_onnx. The input size
    is the run's unless resolution= says otherwise: pass resolution=H to score at the export size."""
    import os, tempfile
    import torch

    c, h, w = input_shape
    was_training = model.training
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "model.onnx")
        model.train()
        try:
            torch.onnx.export(model, torch.randn(2, c, h, w), path, training=torch.onnx.TrainingMode.TRAINING,
                              do_constant_folding=False)
        finally:
            model.train(was_training)
        return score_onnx(path, proxies, **options)


def aggregate(name, columns):
    """An aggregate proxy (vkdnw_agg, ...) over a population: columns[k][i] is its k-th sub-score of
    architecture i; returns the population's scores."""
    return _aggregate(name, [list(map(float, c)) for c in columns])


def correlate(x, y):
    """Spearman, Kendall tau-b and Pearson of two sequences (pairs with a NaN left out, as `zcnas eval`
    does) and the number of pairs used: {'spearman': .., 'kendall': .., 'pearson': .., 'n': ..}."""
    return _correlate([float(v) for v in x], [float(v) for v in y])


def proxies():
    """(name, help, score columns) of every proxy, then (name, help, columns it combines) of every
    aggregate."""
    return _proxies() + [(name, help, columns) for name, help, _, columns in _aggregates()]


def spaces():
    """The search spaces' names."""
    return _spaces()
