#!/usr/bin/env python3
"""zcnas vs PyTorch on NAS-Bench-NLP (WikiText-2), side by side in one run: per-architecture seconds of
epsilon (weights 1e-5 and 1e-3, one batch of 256 sequences x 70 tokens) and ZiCo (2 batches of B x 70,
next-token cross-entropy over the tied decoder) on the same N recurrent cells (a seeded sample of the
distinct recipe_json of $ZCNAS_DATA/benchmarks/nbnlp_wikitext2_logs.csv), the same corpus windows and
the same thread count. The model is the benchmark's AWD language model (embedding 400 over the 33,278
words of WikiText-2, 3 layers of hidden 600 / 600 / 400, tied decoder, 70 steps); the PyTorch model is
the one the oracle checks against (tests/oracle/nbnlp_reference.py: NLPModel, lm_loss, epsilon_outputs).

What is timed, per architecture and proxy, on both sides: network construction and initialisation, the
proxy's passes and its score (zcnas's <proxy>_seconds is the proxy's score call: build, init, run, free;
data loading happens before and is excluded, as the tokenising here is).
  epsilon  zcnas: its epsilon on the last layer's hidden unit 0 (no decoder). PyTorch: NLPModel(recipe,
           33278), the shared U(0, 1) embedding drawn, then epsilon_outputs for w = 1e-5 and 1e-3 (every
           cell parameter and initial hidden state := w, no_grad) and epsilon_score; the tied decoder is
           skipped, as in epsinas (it reads raw_outputs[-1], which the AWD forward returns before any
           decoder; the reference's forward would add two 17,920 x 400 x 33,278 GEMMs no side needs).
  zico     zcnas: its ZiCo (--batch-size B --batches 2). PyTorch: NLPModel(recipe, 33278) with its default
           init, per batch zero_grad / forward / lm_loss / backward, a copy of the gradient of every cell
           linear weight (rnns.*.weights.*: the weights zcnas counts; the embedding / tied decoder weight
           is not a Linear's), then compute_zico's statistics (tests/oracle/reference.py: zico_from_grads,
           mean|g| / std over the batches, log of each parameter's sum).
Data: the word-level loader of the benchmark (line.split() + ['<eos>'], one vocabulary in order of first
appearance over the splits present: train, valid, test), the first split present (valid: the train
split is absent here) batchified into 256 columns (epsilon: rows 0-69) or B columns (ZiCo: rows 0-69 and
70-139, targets one row later), exactly the windows zcnas takes (src/spaces/nbnlp/nbnlp_data.c).
Threads: zcnas --threads T scores T architectures at once, one thread each; PyTorch runs one
architecture at a time on T threads (torch.set_num_threads), so the per-architecture speed-up divides
zcnas's seconds by T (at T = 1 it is the plain ratio). Peak RSS: zcnas's score process (wait4), and this
process (which runs PyTorch) after the PyTorch loop. Prints Markdown with the CPU and its vector ISA, and
PyTorch's BLAS (every cell linear and the decoder are F.linear, i.e. BLAS sgemm: a reference BLAS makes
PyTorch's side much slower than with OpenBLAS or MKL, so the line says which one was loaded).
--quick (a smoke test, not a measurement): epsilon batch 16 and ZiCo batch 4 unless --batch-size.

usage: /usr/bin/python3 bench/bench_nbnlp.py [--n 20] [--seed 0] [--batch-size 16] [--threads 1]
                                             [--zcnas build/zcnas] [--quick]
"""
import argparse, csv, os, random, resource, statistics, subprocess, sys, tempfile, time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
from nbnlp_reference import NLPModel, epsilon_outputs, epsilon_score, lm_loss  # noqa: E402
from reference import zico_from_grads  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "bench"))
from bench_nb101 import cpu  # noqa: E402

VOCAB, SEQ, EPS_WEIGHTS = 33278, 70, (1e-5, 1e-3)   # --dataset wikitext2: the benchmark's vocabulary


def torch_blas():
    """PyTorch's version, its BLAS_INFO and the BLAS library files it has loaded (F.linear runs there)."""
    torch.ones(2, 2) @ torch.ones(2, 2)
    info = next((w.split("=", 1)[1].rstrip(",") for w in torch.__config__.show().split() if w.startswith("BLAS_INFO=")),
                "?")
    with open("/proc/self/maps") as f:
        libs = sorted({os.path.realpath(ln.split()[-1]) for ln in f if "blas" in ln.split()[-1].lower()})
    return f"PyTorch {torch.__version__}, BLAS_INFO={info} ({', '.join(libs) or 'no BLAS library loaded'})"


def load_corpus(folder):
    """The LM loader's tokens of the first split present, one dictionary over all splits (as zcnas)."""
    words, splits = {}, []
    for split in ("train", "valid", "test"):
        path = os.path.join(folder, split + ".txt")
        if not os.path.exists(path):
            continue
        ids = []
        with open(path, "r", encoding="utf-8") as f:
            for line in f:
                for w in line.split() + ["<eos>"]:
                    ids.append(words.setdefault(w, len(words)))
        splits.append((split, ids))
    if not splits:
        sys.exit(f"bench: no train/valid/test.txt in {folder}")
    return splits[0][0], torch.tensor(splits[0][1], dtype=torch.long), len(words)


def windows(ids, batch, n):
    """batchify(ids, batch) (rows x batch columns, remainder trimmed) and its first n windows of SEQ rows:
    (tokens, next tokens), each (SEQ, batch)."""
    rows = ids.numel() // batch
    data = ids[:rows * batch].view(batch, rows).t().contiguous()
    if n * SEQ + 1 > rows:
        sys.exit(f"bench: the corpus has {rows} rows at batch {batch}; {n} windows need {n * SEQ + 1}")
    return [(data[k * SEQ:(k + 1) * SEQ], data[k * SEQ + 1:(k + 1) * SEQ + 1]) for k in range(n)]


def torch_epsilon(recipe, tokens):
    t0 = time.perf_counter()
    m = NLPModel(recipe, VOCAB)
    m.decoder.forward = lambda x, weight: x   # epsinas reads raw_outputs[-1]: no decoder (see above)
    emb = torch.rand(VOCAB, m.emsize)         # the U(0, 1) embedding, the same for both weights
    score = epsilon_score(*[epsilon_outputs(m, tokens, w, emb) for w in EPS_WEIGHTS])
    return score, time.perf_counter() - t0


def torch_zico(recipe, batches):
    t0 = time.perf_counter()
    m = NLPModel(recipe, VOCAB)
    weights = [(n, p) for n, p in m.named_parameters() if ".weights." in n]
    grads = {}
    for x, y in batches:
        m.zero_grad()
        logits, _ = m(x)
        lm_loss(logits, y).backward()
        for n, p in weights:   # a weight that reaches no output has no gradient: zeros (dropped by std 0)
            g = p.grad.detach().reshape(-1).numpy().copy() if p.grad is not None else torch.zeros(p.numel()).numpy()
            grads.setdefault(n, []).append(g)
    score = zico_from_grads(grads)
    return score, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch-size", type=int, default=None, help="ZiCo batch size (default 16; --quick: 4)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--zcnas", default=os.path.join(ROOT, "build", "zcnas"))
    ap.add_argument("--quick", action="store_true", help="smoke test: epsilon batch 16, ZiCo batch 4")
    a = ap.parse_args()
    batch = a.batch_size or (4 if a.quick else 16)
    eps_batch = 16 if a.quick else 256
    root = os.environ.get("ZCNAS_DATA") or os.path.join(ROOT, "..", "shared", "data")
    os.environ["ZCNAS_DATA"] = root
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(os.path.join(root, "benchmarks", "nbnlp_wikitext2_logs.csv"), newline="") as f:
        table = {r["recipe_json"]: r["num_params"] for r in csv.DictReader(f)}
    recipes = random.Random(a.seed).sample(sorted(table), a.n)
    fd, path = tempfile.mkstemp(prefix="bench_nbnlp_", suffix=".txt")
    out_csv = path[:-4] + ".csv"
    try:
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(recipes) + "\n")
        # zcnas: one process over all N, epsilon then ZiCo per architecture; its peak RSS from wait4
        cmd = [a.zcnas, "score", "--space", "nbnlp", "--dataset", "wikitext2", "--arch-file", path,
               "--proxy", "epsilon,zico", "--batch-size", str(batch), "--batches", "2", "--eps-batch-size",
               str(eps_batch), "--threads", str(a.threads), "--format", "csv", "--quiet", "--out", out_csv]
        env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        zc_wall = time.perf_counter() - t0
        if status != 0:
            sys.exit(f"bench: {' '.join(cmd)} failed:\n{p.stderr.read().decode()}")
        zc_rss = ru.ru_maxrss / 1024.0
        with open(out_csv, newline="") as f:
            got = list(csv.DictReader(line for line in f if not line.startswith("#")))   # after the fingerprint
    finally:
        for q in (path, out_csv):
            if os.path.exists(q):
                os.remove(q)
    if len(got) != a.n:
        sys.exit(f"bench: zcnas returned {len(got)} rows for {a.n} recipes")
    print(f"zcnas: done ({zc_wall:.1f} s)", file=sys.stderr, flush=True)
    z = {px: [float(r[px + "_seconds"]) for r in got] for px in ("epsilon", "zico")}
    zs = {px: [r[px] for r in got] for px in ("epsilon", "zico")}
    # PyTorch: the same windows of the same corpus, one architecture at a time
    split, ids, vocab = load_corpus(os.path.join(root, "text", "wikitext-2"))
    if vocab > VOCAB:
        sys.exit(f"bench: {vocab} distinct words, more than the model's {VOCAB}")
    eps_tokens = windows(ids, eps_batch, 1)[0][0]
    zico_batches = windows(ids, batch, 2)
    t, ts = {"epsilon": [], "zico": []}, {"epsilon": [], "zico": []}
    for i, rec in enumerate(recipes):
        for px, fn, arg in (("epsilon", torch_epsilon, eps_tokens), ("zico", torch_zico, zico_batches)):
            s, sec = fn(rec, arg)
            t[px].append(sec)
            ts[px].append(s)
        print(f"torch {i + 1}/{a.n}: epsilon {t['epsilon'][-1]:.2f} s, zico {t['zico'][-1]:.2f} s "
              f"(scores {ts['epsilon'][-1]:.6g} / {ts['zico'][-1]:.6g}; zcnas {zs['epsilon'][i]} / {zs['zico'][i]})",
              file=sys.stderr, flush=True)
    torch_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    params = statistics.median(int(table[r]) for r in recipes)
    print(f"NAS-Bench-NLP, WikiText-2 ({split} split, vocabulary {VOCAB}), {a.n} recipes of the benchmark logs "
          f"(seeded sample of the distinct recipe_json, seed {a.seed}; median {params / 1e6:.1f} M parameters), "
          f"epsilon on a batch of {eps_batch} x {SEQ}, ZiCo 2 batches of {batch} x {SEQ}, {a.threads} thread(s) each, "
          f"CPU {cpu()}, {torch_blas()}, {time.strftime('%Y-%m-%d')}"
          + (" -- QUICK smoke test, not a measurement" if a.quick else ""))
    print("\nTimed per architecture and proxy, both sides: construction and init of the network, the proxy's passes "
          "and its score; data loading excluded.\n")
    print("| proxy | zcnas s total | zcnas s/arch (median) | PyTorch s total | PyTorch s/arch (median) | "
          "speed-up, totals | speed-up per arch (median) | range |")
    print("|---|---|---|---|---|---|---|---|")
    for px in ("epsilon", "zico"):
        ratios = [b / (c / a.threads) for c, b in zip(z[px], t[px])]
        print(f"| {px} | {sum(z[px]):.2f} | {statistics.median(z[px]):.3f} | {sum(t[px]):.2f} | "
              f"{statistics.median(t[px]):.3f} | {sum(t[px]) / (sum(z[px]) / a.threads):.2f}x | "
              f"{statistics.median(ratios):.2f}x | {min(ratios):.2f}x .. {max(ratios):.2f}x |")
    print(f"\nzcnas process wall (start, corpus, all {a.n} architectures, both proxies): {zc_wall:.2f} s. "
          f"Peak RSS: zcnas {zc_rss:.0f} MiB (the score process), PyTorch {torch_rss:.0f} MiB (this process, "
          f"interpreter, corpus and torch included).")


if __name__ == "__main__":
    main()
