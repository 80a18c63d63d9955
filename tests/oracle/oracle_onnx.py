"""ONNX import (the onnx space, `zcnas score --onnx`) against the native networks and PyTorch.

Exports NAS-Bench-201 networks (reference.py's TinyNetwork, the official model) and a ResNet-18 from
Debian's PyTorch with torch.onnx.export (training mode, no constant folding: batch norm stays), then:
- NB201: params, FLOPs and epsilon (constant weights, so no random stream is involved) of the ONNX file
  equal the native nb201 network's, digit for digit, on 4 cells (one with 'none' edges, one all-'none');
- ResNet-18: params equal PyTorch's parameter count, FLOPs the conv and linear multiply-accumulates
  (and bias adds) counted with forward hooks; ZiCo and epsilon are finite;
- ZiCo on the file's own weights (--onnx-weights) equals the official getzico in PyTorch on the same
  module and images within 2% (an NB201 cell and the ResNet-18: forward, loss and weight gradients of
  the mapped graph, end to end);
- malformed, truncated, empty, unsupported and absurd models: exit 1 with one line naming the file
  (and the node and op for an unsupported one), never a crash.
usage: oracle_onnx.py --zcnas build/zcnas --workdir build/tests/oracle_onnx.work
"""
import argparse, csv, io, os, random, shutil, subprocess, sys

ap = argparse.ArgumentParser()
ap.add_argument("--zcnas", required=True)
ap.add_argument("--workdir", required=True)
a = ap.parse_args()
try:
    import torch
    import torch.nn as nn
except ImportError:
    print("skip: python3-torch is missing")
    sys.exit(77)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R

zcnas = os.path.abspath(a.zcnas)
work = os.path.abspath(a.workdir)
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    failures += not cond
    return cond


def run(*args):
    p = subprocess.run([zcnas, *args], capture_output=True, text=True, errors="replace")
    return p.returncode, p.stdout, p.stderr


def rows(text):
    return list(csv.DictReader(io.StringIO("".join(l for l in text.splitlines(True) if not l.startswith("#")))))


probe = os.path.join(work, "probe.onnx")
open(probe, "wb").write(b"")
rc, _, err = run("info", "--onnx", probe)
if "without ONNX support" in err:
    print("skip: this zcnas was built without ONNX support (protobuf-c-compiler, libprotobuf-c-dev, libonnx-dev)")
    sys.exit(77)


def export(model, path, res=32):
    model.train()
    torch.onnx.export(model, torch.randn(2, 3, res, res), path, training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False)


# ---- NAS-Bench-201 cells: the ONNX file against the native network
torch.manual_seed(0)
cells = ["|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
         "|none~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|none~1|avg_pool_3x3~2|",
         "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
         "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"]
for k, cell in enumerate(cells):
    path = os.path.join(work, f"nb201_{k}.onnx")
    export(R.tiny_network(cell), path)
    rc1, out1, err1 = run("score", "--onnx", path, "--proxy", "params,flops,epsilon", "--threads", "1")
    rc2, out2, err2 = run("score", "--space", "nb201", "--arch", cell, "--proxy", "params,flops,epsilon", "--threads", "1")
    if not check(rc1 == 0 and rc2 == 0, f"nb201 cell {k}: scored from ONNX and natively ({err1.strip()[:200]} {err2.strip()[:100]})"):
        continue
    r1, r2 = rows(out1)[0], rows(out2)[0]
    for col in ("params", "flops", "epsilon"):
        check(r1[col] == r2[col], f"nb201 cell {k}: {col} from ONNX {r1[col]} == native {r2[col]}")
    check(r1["arch"] == path and r1["index"] == "", f"nb201 cell {k}: the arch column is the file")

# ---- ResNet-18 (reference.py's: torchvision is not needed)
res = R.ResNet18()
rpath = os.path.join(work, "resnet18.onnx")
export(res, rpath)
macs = []


def hook(m, i, o):   # multiply-accumulates, plus one add per output for a bias (zcnas' flops, as xautodl's)
    if isinstance(m, nn.Conv2d):
        macs.append(o[0].numel() * (m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1] + (m.bias is not None)))
    else:
        macs.append(m.out_features * (m.in_features + (m.bias is not None)))


for mod in res.modules():
    if isinstance(mod, (nn.Conv2d, nn.Linear)):
        mod.register_forward_hook(hook)
res.eval()(torch.randn(1, 3, 32, 32))
rc, out, err = run("score", "--onnx", rpath, "--proxy", "params,flops,zico,epsilon", "--threads", "1", "--batch-size", "16")
if check(rc == 0, f"resnet18: scored ({err.strip()[:200]})"):
    r = rows(out)[0]
    n_params = sum(p.numel() for p in res.parameters())
    check(int(r["params"]) == n_params, f"resnet18: params {r['params']} == PyTorch's {n_params}")
    check(int(r["flops"]) == sum(macs), f"resnet18: flops {r['flops']} == conv + linear MACs and bias adds {sum(macs)}")
    check(all(v not in ("nan", "inf", "-inf") for v in (r["zico"], r["epsilon"])) and float(r["zico"]) > 0,
          f"resnet18: zico {r['zico']} and epsilon {r['epsilon']} finite")
rc, out, err = run("info", "--onnx", rpath)
check(rc == 0 and "layer4.1.conv2" in out and "11,181,642" in out,
      f"info --onnx lists the mapped nodes with their PyTorch module names and the parameters")

# ---- ZiCo on the file's own weights (--onnx-weights) against the official getzico in PyTorch on the
# same module and the same images (--sampler sequential: the first 2B training images in order), within
# 2% as oracle_nb201's native comparison
ZICO_TOL = 0.02
B = 32


X, Y = R.load_cifar10(os.path.join(R.zcnas_data_root(), "cifar10", "data_batch_1.bin"), 2 * B)
batches = [(X[0:B], Y[0:B]), (X[B:2 * B], Y[B:2 * B])]
for name, model, path in (("nb201 cell 0", None, os.path.join(work, "nb201_0.onnx")), ("resnet18", res, rpath)):
    if model is None:
        torch.manual_seed(0)
        model = R.tiny_network(cells[0])
        export(model, path)   # this module's weights are the file's
    rc, out, err = run("score", "--onnx", path, "--onnx-weights", "--proxy", "zico", "--sampler", "sequential",
                       "--batch-size", str(B), "--batches", "2", "--threads", "1")
    if not check(rc == 0, f"{name}: zico with --onnx-weights ({err.strip()[:200]})"):
        continue
    got = float(rows(out)[0]["zico"])
    want = R.zico_torch(model.train(), batches)
    rel = abs(got - want) / max(abs(want), 1e-12)
    check(rel <= ZICO_TOL, f"{name}: zico on the file's weights {got:.6f} vs PyTorch's getzico {want:.6f} "
                           f"(relative {rel:.2e}, tolerance {ZICO_TOL})")
rc, out, err = run("score", "--space", "nb201", "--index", "1", "--onnx-weights", "--proxy", "zico")
check(rc == 2 and "--onnx-weights" in err, f"--onnx-weights outside the onnx space: usage error ({err.strip()[:100]})")

# ---- logits, loss and every weight gradient of the mapped graph on identical weights (zc_testtool net:
# one train-mode forward, mean cross-entropy, backward), weights from `zcnas init --onnx FILE --save D`:
# - NB201 cells: the ONNX network against zcnas's native network (the native one is checked against
#   PyTorch, tensor by tensor, by oracle_nb201 / oracle_spaces): the same ops on the same weights, so
#   within 1e-5 (only the order of a cell's sums may differ);
# - a MobileNetV2-style network (1x1 expansion, depthwise 3x3 with groups = channels, linear 1x1
#   projection, residual add, classifier): against float64 PyTorch on the same weights, each tensor
#   within max(1e-4, 4 x PyTorch float32's own error) of float64 (relative, in norm).
import numpy as np  # noqa: E402

tool = os.path.join(os.path.dirname(work.rstrip("/")), "zc_testtool")
GRAD_BATCH = 8
XG, YG = X[:GRAD_BATCH], Y[:GRAD_BATCH]
np.save(os.path.join(work, "xg.npy"), XG)
np.save(os.path.join(work, "yg.npy"), YG.astype(np.float32))


def testtool_net(space, arch, wdir, odir):
    os.makedirs(odir, exist_ok=True)
    p = subprocess.run([tool, "net", "--space", space, "--arch", arch, "--classes", "10", "--weights", wdir,
                        "--x", os.path.join(work, "xg.npy"), "--labels", os.path.join(work, "yg.npy"),
                        "--out-dir", odir], capture_output=True, text=True)
    return p.returncode == 0, p.stderr.strip()[:200]


def tensors(odir):
    return {f[:-4]: np.load(os.path.join(odir, f)).astype(np.float64) for f in os.listdir(odir) if f.endswith(".npy")}


def rel(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


if not os.path.exists(tool):
    check(False, f"{tool} exists (build the zc_testtool target)")
for k in (0, 1):
    cell, path = cells[k], os.path.join(work, f"nb201_{k}.onnx")
    wdir = os.path.join(work, f"w_nb201_{k}")
    rc, _, err = run("init", "--onnx", path, "--seed", "5", "--save", wdir)
    ok1, e1 = testtool_net("onnx", path, wdir, os.path.join(work, f"g_onnx_{k}")) if rc == 0 else (False, err)
    ok2, e2 = testtool_net("nb201", cell, wdir, os.path.join(work, f"g_native_{k}")) if rc == 0 else (False, err)
    if not check(rc == 0 and ok1 and ok2, f"nb201 cell {k}: zcnas init --onnx and a gradient step on both networks ({e1} {e2})"):
        continue
    a, b = tensors(os.path.join(work, f"g_onnx_{k}")), tensors(os.path.join(work, f"g_native_{k}"))
    worst = max(((rel(a[key], b[key]), key) for key in b if key in a), default=(float("inf"), "none"))
    check(set(a) == set(b) and len(b) > 2 and worst[0] <= 1e-5,
          f"nb201 cell {k}: logits, loss and {len(b) - 2} gradients from ONNX equal the native network's "
          f"(worst {worst[1]} {worst[0]:.1e}, tolerance 1e-5)")


class InvertedResidual(nn.Module):
    def __init__(s, c, t):
        super().__init__()
        s.expand = nn.Sequential(nn.Conv2d(c, c * t, 1, bias=False), nn.BatchNorm2d(c * t), nn.ReLU())
        s.depthwise = nn.Sequential(nn.Conv2d(c * t, c * t, 3, 1, 1, groups=c * t, bias=False), nn.BatchNorm2d(c * t), nn.ReLU())
        s.project = nn.Sequential(nn.Conv2d(c * t, c, 1, bias=False), nn.BatchNorm2d(c))

    def forward(s, x):
        return x + s.project(s.depthwise(s.expand(x)))


class MobileNetV2Like(nn.Module):
    def __init__(s):
        super().__init__()
        s.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        s.block1, s.block2 = InvertedResidual(16, 4), InvertedResidual(16, 6)
        s.down = nn.Sequential(nn.Conv2d(16, 16, 3, 2, 1, groups=16, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        s.classifier = nn.Linear(16, 10)

    def forward(s, x):
        x = s.down(s.block2(s.block1(s.stem(x))))
        return s.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def torch_step(model, dtype):
    m = __import__("copy").deepcopy(model).to(dtype).train()
    m.zero_grad()
    z = m(torch.from_numpy(XG).to(dtype))
    loss = nn.functional.cross_entropy(z, torch.from_numpy(YG))
    loss.backward()
    out = {"logits": z.detach().double().numpy(), "loss": np.array([loss.item()])}
    out.update({n: p.grad.double().numpy() for n, p in m.named_parameters()})
    return out


mb = MobileNetV2Like()
mpath, mwdir = os.path.join(work, "mbv2.onnx"), os.path.join(work, "w_mbv2")
export(mb, mpath)
rc, _, err = run("init", "--onnx", mpath, "--seed", "7", "--save", mwdir)
ok1, e1 = testtool_net("onnx", mpath, mwdir, os.path.join(work, "g_mbv2")) if rc == 0 else (False, err)
if check(rc == 0 and ok1, f"mobilenetv2-like: zcnas init --onnx and a gradient step ({e1})"):
    mb.load_state_dict(R.load_weight_dir(mwdir), strict=True)
    got, t64, t32 = tensors(os.path.join(work, "g_mbv2")), torch_step(mb, torch.float64), torch_step(mb, torch.float32)
    bad, worst = [], (0.0, "")
    for key, r in t64.items():
        g = got.get(key if key in ("logits", "loss") else key + ".grad")
        if g is None or g.size != r.size:
            bad.append(f"{key}: missing or shape {None if g is None else g.shape}")
            continue
        tol = max(1e-4, 4 * rel(t32[key], r))
        e = rel(g.reshape(r.shape), r)
        worst = max(worst, (e / tol, f"{key} {e:.1e} (tol {tol:.1e})"))
        if not e <= tol:
            bad.append(f"{key}: {e:.2e} > {tol:.1e}")
    check(not bad, f"mobilenetv2-like (depthwise groups): logits, loss and {len(t64) - 2} gradients from ONNX "
                   f"against float64 PyTorch on the same weights; worst {worst[1]} {bad[:4]}")

# ---- bad models: one line naming the file, exit 1
class Softmaxed(nn.Module):
    def __init__(s):
        super().__init__()
        s.conv, s.fc = nn.Conv2d(3, 8, 3, padding=1), nn.Linear(8, 10)

    def forward(s, x):
        return torch.softmax(s.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(s.conv(x), 1), 1)), 1)


class Dilated(nn.Module):
    def __init__(s):
        super().__init__()
        s.conv, s.fc = nn.Conv2d(3, 8, 3, padding=2, dilation=2), nn.Linear(8, 10)

    def forward(s, x):
        return s.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(s.conv(x), 1), 1))


bad = {}
export(Softmaxed(), os.path.join(work, "softmax.onnx"))
bad["softmax.onnx"] = ["softmax.onnx", "Softmax", "not mapped"]
export(Dilated(), os.path.join(work, "dilated.onnx"))
bad["dilated.onnx"] = ["dilated.onnx", "dilation"]
blob = open(rpath, "rb").read()
open(os.path.join(work, "truncated.onnx"), "wb").write(blob[: len(blob) // 3])
bad["truncated.onnx"] = ["truncated.onnx"]
open(os.path.join(work, "empty.onnx"), "wb").write(b"")
bad["empty.onnx"] = ["empty.onnx", "empty"]
rnd = random.Random(0)
open(os.path.join(work, "noise.onnx"), "wb").write(bytes(rnd.randrange(256) for _ in range(4096)))
bad["noise.onnx"] = ["noise.onnx"]
open(os.path.join(work, "text.onnx"), "w").write("this is not a model\n")
bad["text.onnx"] = ["text.onnx"]
bad["missing.onnx"] = ["missing.onnx", "No such file"]
os.makedirs(os.path.join(work, "dir.onnx"))
bad["dir.onnx"] = ["dir.onnx", "not a regular file"]
for name, needles in bad.items():
    for cmd in (["score", "--proxy", "params"], ["info"]):
        rc, out, err = run(*cmd, "--onnx", os.path.join(work, name))
        lines = [l for l in err.splitlines() if l.strip()]
        check(rc == 1 and len(lines) == 1 and all(n in err for n in needles),
              f"{cmd[0]} --onnx {name}: exit 1, one line naming {needles} (rc {rc}: {err.strip()[:160]!r})")
# one byte flipped at many places of a small model: an error or a result, never a crash
small = open(os.path.join(work, "nb201_1.onnx"), "rb").read()
crashes = 0
for i in range(40):
    b = bytearray(small)
    pos = rnd.randrange(len(b))
    b[pos] = rnd.randrange(256)
    p = os.path.join(work, "flip.onnx")
    open(p, "wb").write(bytes(b))
    rc, out, err = run("score", "--onnx", p, "--proxy", "params,flops")
    crashes += rc not in (0, 1) or (rc == 1 and len([l for l in err.splitlines() if l.strip()]) != 1)
check(crashes == 0, f"40 models with one byte changed: exit 0 or one-line exit 1 ({crashes} otherwise)")
rc, out, err = run("score", "--onnx", rpath, "--space", "nb201", "--proxy", "params")
check(rc == 2 and "--onnx" in err, f"--onnx with --space nb201: usage error ({err.strip()[:120]})")
rc, out, err = run("score", "--space", "onnx", "--sample", "3", "--proxy", "params")
check(rc == 1 and "cannot be drawn" in err, f"--space onnx --sample: refused ({err.strip()[:120]})")

print(f"oracle_onnx: {failures} failed")
sys.exit(1 if failures else 0)
