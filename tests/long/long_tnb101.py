#!/usr/bin/env python3
"""Long run (scripts/test.sh --long): TransNAS-Bench-101's parameter counts over both whole spaces.
For each of the 7 tasks, `zcnas score --space tnb101-micro|tnb101-macro --task T --all --proxy params`
(all 4,096 + 3,256 architectures, in the table's order) against the PyTorch model written from the
official code (tests/oracle/reference.py: TNBNetwork, built on the meta device): every count equal.
Times are printed. usage: long_tnb101.py --zcnas build/zcnas --workdir DIR"""
import os, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "oracle"))
from helpers import Cli, rows  # noqa: E402

T = Cli()
try:
    import torch
    import reference
    from reference import TNBNetwork, TNB_OUTPUTS
    reference.TNB_DEVICE = "meta"   # shapes only
except ImportError as e:
    print(f"long_tnb101: SKIP: needs numpy and torch ({e})")
    sys.exit(77)

for space in ("tnb101-micro", "tnb101-macro"):
    for task in TNB_OUTPUTS:
        t0 = time.time()
        rc, out, err = T.run("score", "--space", space, "--task", task, "--all", "--proxy", "params", "--quiet")
        got = rows(out) if rc == 0 else []
        bad = []
        for r in got:
            n = sum(p.numel() for p in TNBNetwork(r["arch"], task).parameters())
            if n != int(r["params"]):
                bad.append(f"{r['arch']}: {r['params']} vs {n}")
        T.check(rc == 0 and len(got) > 3000 and not bad,
                f"{space} {task}: {len(got)} architectures, {len(bad)} counts differ {bad[:2]} "
                f"({time.time() - t0:.0f} s) {err.strip()[:100]}")
T.finish("long_tnb101")
