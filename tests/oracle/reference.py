"""The PyTorch references every oracle (and bench/pytorch_proxies.py) shares: xautodl's NAS-Bench-201
TinyNetwork with its official module names (so `zcnas init --save` loads into it strictly), CIFAR-10
as NAS-Bench-201 normalises it, and the official ZiCo (compute_zico.py) and epsilon (epsinas'
compute_epsinas) algorithms. One copy, so that a fix to the reference reaches every check.

Import with the oracle's directory on sys.path (tests/oracle/ does so implicitly for its own scripts):
    from reference import tiny_network, load_cifar10, zico_torch, epsilon_torch, ...
"""
import math
import hashlib
import os
import subprocess
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ------------------------------------------------------------------ xautodl TinyNetwork
OP_NAMES = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


class ReLUConvBN(nn.Module):
    def __init__(self, C_in, C_out, kernel_size, stride, padding, dilation, affine, track_running_stats=True):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_out, kernel_size, stride=stride, padding=padding, dilation=dilation,
                      bias=not affine),
            nn.BatchNorm2d(C_out, affine=affine, track_running_stats=track_running_stats),
        )

    def forward(self, x):
        return self.op(x)


class POOLING(nn.Module):
    def __init__(self, C_in, C_out, stride, mode, affine=True, track_running_stats=True):
        super().__init__()
        if C_in == C_out:
            self.preprocess = None
        else:
            self.preprocess = ReLUConvBN(C_in, C_out, 1, 1, 0, 1, affine, track_running_stats)
        assert mode == "avg"
        self.op = nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False)

    def forward(self, inputs):
        x = self.preprocess(inputs) if self.preprocess else inputs
        return self.op(x)


class Identity(nn.Module):
    def forward(self, x):
        return x


class Zero(nn.Module):
    def __init__(self, C_in, C_out, stride):
        super().__init__()
        self.C_in, self.C_out, self.stride = C_in, C_out, stride
        self.is_zero = True

    def forward(self, x):
        if self.C_in == self.C_out:
            if self.stride == 1:
                return x.mul(0.0)
            return x[:, :, :: self.stride, :: self.stride].mul(0.0)
        shape = list(x.shape)
        shape[1] = self.C_out
        return x.new_zeros(shape, dtype=x.dtype, device=x.device)


class FactorizedReduce(nn.Module):
    """xautodl's FactorizedReduce; only its stride-1 form (a 1x1 conv and BN, no ReLU: the skip_connect of
    a NATS-Bench-SSS cell whose width changes) is used here."""

    def __init__(self, C_in, C_out, stride, affine, track_running_stats):
        super().__init__()
        assert stride == 1
        self.relu = nn.ReLU(inplace=False)
        self.conv = nn.Conv2d(C_in, C_out, 1, stride=1, padding=0, bias=not affine)
        self.bn = nn.BatchNorm2d(C_out, affine=affine, track_running_stats=track_running_stats)

    def forward(self, x):
        return self.bn(self.conv(x))


OPS = {
    "none": lambda C_in, C_out, stride, affine, trs: Zero(C_in, C_out, stride),
    "avg_pool_3x3": lambda C_in, C_out, stride, affine, trs: POOLING(C_in, C_out, stride, "avg", affine, trs),
    "nor_conv_3x3": lambda C_in, C_out, stride, affine, trs: ReLUConvBN(C_in, C_out, (3, 3), (stride, stride),
                                                                       (1, 1), (1, 1), affine, trs),
    "nor_conv_1x1": lambda C_in, C_out, stride, affine, trs: ReLUConvBN(C_in, C_out, (1, 1), (stride, stride),
                                                                       (0, 0), (1, 1), affine, trs),
    "skip_connect": lambda C_in, C_out, stride, affine, trs: (Identity() if stride == 1 and C_in == C_out
                                                              else FactorizedReduce(C_in, C_out, stride, affine, trs)),
}


def parse_arch(s):
    """'|op~0|+|op~0|op~1|+|...|' -> [((op, in), ...) per node] (xautodl's genotype)."""
    nodes = []
    for node_str in s.split("+"):
        items = [t for t in node_str.split("|") if t]
        nodes.append(tuple((t.split("~")[0], int(t.split("~")[1])) for t in items))
    return nodes


class InferCell(nn.Module):
    def __init__(self, genotype, C_in, C_out, stride, affine=True, track_running_stats=True):
        super().__init__()
        self.layers = nn.ModuleList()
        self.node_IN = []
        self.node_IX = []
        for node_info in genotype:
            cur_index, cur_innod = [], []
            for (op_name, op_in) in node_info:
                if op_in == 0:
                    layer = OPS[op_name](C_in, C_out, stride, affine, track_running_stats)
                else:
                    layer = OPS[op_name](C_out, C_out, 1, affine, track_running_stats)
                cur_index.append(len(self.layers))
                cur_innod.append(op_in)
                self.layers.append(layer)
            self.node_IX.append(cur_index)
            self.node_IN.append(cur_innod)

    def forward(self, inputs):
        nodes = [inputs]
        for node_layers, node_innods in zip(self.node_IX, self.node_IN):
            node_feature = sum(self.layers[_il](nodes[_ii]) for _il, _ii in zip(node_layers, node_innods))
            nodes.append(node_feature)
        return nodes[-1]


class ResNetBasicblock(nn.Module):
    def __init__(self, inplanes, planes, stride, affine=True, track_running_stats=True):
        super().__init__()
        assert stride == 2
        self.conv_a = ReLUConvBN(inplanes, planes, 3, stride, 1, 1, affine, track_running_stats)
        self.conv_b = ReLUConvBN(planes, planes, 3, 1, 1, 1, affine, track_running_stats)
        self.downsample = nn.Sequential(
            nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
            nn.Conv2d(inplanes, planes, kernel_size=1, stride=1, padding=0, bias=False),
        )

    def forward(self, inputs):
        basicblock = self.conv_a(inputs)
        basicblock = self.conv_b(basicblock)
        residual = self.downsample(inputs)
        return residual + basicblock


class TinyNetwork(nn.Module):
    """forward returns (pre-classifier features, logits), as xautodl's."""

    def __init__(self, C, N, genotype, num_classes, affine=True, track_running_stats=True):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, C, kernel_size=3, padding=1, bias=False),
                                  nn.BatchNorm2d(C, affine=affine, track_running_stats=track_running_stats))
        layer_channels = [C] * N + [C * 2] + [C * 2] * N + [C * 4] + [C * 4] * N
        layer_reductions = [False] * N + [True] + [False] * N + [True] + [False] * N
        C_prev = C
        self.cells = nn.ModuleList()
        for C_curr, reduction in zip(layer_channels, layer_reductions):
            if reduction:
                cell = ResNetBasicblock(C_prev, C_curr, 2, affine, track_running_stats)
            else:
                cell = InferCell(genotype, C_prev, C_curr, 1, affine, track_running_stats)
            self.cells.append(cell)
            C_prev = C_curr
        self.lastact = nn.Sequential(nn.BatchNorm2d(C_prev, affine=affine, track_running_stats=track_running_stats),
                                     nn.ReLU(inplace=True))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(C_prev, num_classes)

    def forward(self, inputs):
        feature = self.stem(inputs)
        for cell in self.cells:
            feature = cell(feature)
        out = self.lastact(feature)
        out = self.global_pooling(out)
        out = out.view(out.size(0), -1)
        logits = self.classifier(out)
        return out, logits


def tiny_network(arch, num_classes=10, track_running_stats=True):
    """The NAS-Bench-201 network (C=16, N=5) of an architecture string."""
    return TinyNetwork(16, 5, parse_arch(arch), num_classes, True, track_running_stats)


SSS_GENOTYPE = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


class DynamicShapeTinyNet(nn.Module):
    """xautodl's model of the NATS-Bench size space: channels c0..c4 for stem + cell, reduction, cell,
    reduction, cell (one cell per stage), the fixed SSS genotype."""

    def __init__(self, channels, genotype, num_classes, track_running_stats=True):
        super().__init__()
        N = len(channels) // 3
        self.stem = nn.Sequential(nn.Conv2d(3, channels[0], kernel_size=3, padding=1, bias=False),
                                  nn.BatchNorm2d(channels[0], track_running_stats=track_running_stats))
        reductions = [False] * N + [True] + [False] * N + [True] + [False] * N
        c_prev = channels[0]
        self.cells = nn.ModuleList()
        for c_curr, reduction in zip(channels, reductions):
            if reduction:
                cell = ResNetBasicblock(c_prev, c_curr, 2, True, track_running_stats)
            else:
                cell = InferCell(genotype, c_prev, c_curr, 1, True, track_running_stats)
            self.cells.append(cell)
            c_prev = c_curr
        self.lastact = nn.Sequential(nn.BatchNorm2d(c_prev, track_running_stats=track_running_stats),
                                     nn.ReLU(inplace=True))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, num_classes)

    def forward(self, inputs):
        feature = self.stem(inputs)
        for cell in self.cells:
            feature = cell(feature)
        out = self.global_pooling(self.lastact(feature)).view(inputs.size(0), -1)
        return out, self.classifier(out)


def sss_network(arch, num_classes=10, track_running_stats=True):
    """The NATS-Bench-SSS network of a channel string 'c0:c1:c2:c3:c4'."""
    return DynamicShapeTinyNet([int(c) for c in arch.split(":")], parse_arch(SSS_GENOTYPE), num_classes,
                               track_running_stats)


# ------------------------------------------------------------------ NAS-Bench-101
# google-research/nasbench (model_spec._prune, model_builder.compute_vertex_channels / build_module) and
# zero-cost-nas' PyTorch port (foresight/models/nasbench1.py: its module names), re-stated.
NB101_OPS = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]


def nb101_parse(s):
    """'<upper-triangle bits row by row>:<op>,...' -> (matrix, ops), unpruned."""
    bits, ops = s.split(":")
    ops = ops.split(",")
    n = len(ops)
    m = [[0] * n for _ in range(n)]
    b = 0
    for i in range(n):
        for j in range(i + 1, n):
            m[i][j] = int(bits[b])
            b += 1
    return m, ops


def nb101_prune(matrix, ops):
    """ModelSpec._prune: keep the vertices on some input -> output path; None when there is none."""
    n = len(matrix)
    vin, fr = {0}, [0]
    while fr:
        top = fr.pop()
        for v in range(top + 1, n):
            if matrix[top][v] and v not in vin:
                vin.add(v)
                fr.append(v)
    vout, fr = {n - 1}, [n - 1]
    while fr:
        top = fr.pop()
        for v in range(0, top):
            if matrix[v][top] and v not in vout:
                vout.add(v)
                fr.append(v)
    keep = [i for i in range(n) if i in vin and i in vout]
    if len(keep) < 2 or keep[0] != 0 or keep[-1] != n - 1:
        return None, None
    return [[matrix[i][j] for j in keep] for i in keep], [ops[i] for i in keep]


def nb101_hash(arch):
    """The benchmark's graph hash of a cell (nasbench graph_util.hash_module on the pruned spec, labels
    conv3x3 0, conv1x1 1, maxpool3x3 2, input -1, output -2), re-stated with hashlib."""
    m, ops = nb101_prune(*nb101_parse(arch))
    V = len(m)
    labels = [-1] + [NB101_OPS.index(o) for o in ops[1:-1]] + [-2]
    in_e = [sum(m[r][c] for r in range(V)) for c in range(V)]
    out_e = [sum(m[r]) for r in range(V)]
    hs = [hashlib.md5(str((o, i, lab)).encode()).hexdigest() for o, i, lab in zip(out_e, in_e, labels)]
    for _ in range(V):
        hs = [hashlib.md5(("".join(sorted(hs[w] for w in range(V) if m[w][v])) + "|" +
                           "".join(sorted(hs[w] for w in range(V) if m[v][w])) + "|" + hs[v]).encode()).hexdigest()
              for v in range(V)]
    return hashlib.md5(str(sorted(hs)).encode()).hexdigest()


def nb101_vertex_channels(c_in, c_out, m):
    V = len(m)
    vc = [0] * V
    vc[0], vc[V - 1] = c_in, c_out
    if V == 2:
        return vc
    k = sum(m[v][V - 1] for v in range(1, V - 1))
    share, extra = c_out // k, c_out % k
    for v in range(1, V - 1):
        if m[v][V - 1]:
            vc[v] = share
            if extra:
                vc[v] += 1
                extra -= 1
    for v in range(V - 3, 0, -1):
        if not m[v][V - 1]:
            for d in range(v + 1, V - 1):
                if m[v][d]:
                    vc[v] = max(vc[v], vc[d])
    return vc


class ConvBnRelu(nn.Module):
    def __init__(self, c_in, c_out, k=1, stride=1, padding=0, trs=True, device=None):
        super().__init__()
        self.conv_bn_relu = nn.Sequential(
            nn.Conv2d(c_in, c_out, k, stride, padding, bias=False, device=device),
            nn.BatchNorm2d(c_out, track_running_stats=trs, device=device), nn.ReLU(inplace=False))

    def forward(self, x):
        return self.conv_bn_relu(x)


class Conv3x3BnRelu(nn.Module):
    def __init__(self, c, trs, device):
        super().__init__()
        self.conv3x3 = ConvBnRelu(c, c, 3, 1, 1, trs, device)

    def forward(self, x):
        return self.conv3x3(x)


class Conv1x1BnRelu(nn.Module):
    def __init__(self, c, trs, device):
        super().__init__()
        self.conv1x1 = ConvBnRelu(c, c, 1, 1, 0, trs, device)

    def forward(self, x):
        return self.conv1x1(x)


class MaxPool3x3(nn.Module):
    def __init__(self, c, trs, device):
        super().__init__()
        self.maxpool = nn.MaxPool2d(3, 1, 1)

    def forward(self, x):
        return self.maxpool(x)


NB101_OP_MAP = {"conv3x3-bn-relu": Conv3x3BnRelu, "conv1x1-bn-relu": Conv1x1BnRelu, "maxpool3x3": MaxPool3x3}


class NB101Cell(nn.Module):
    def __init__(self, matrix, ops, c_in, c_out, trs, device):
        super().__init__()
        self.matrix, V = matrix, len(matrix)
        self.vc = nb101_vertex_channels(c_in, c_out, matrix)
        self.vertex_op = nn.ModuleList([None])
        for t in range(1, V - 1):
            self.vertex_op.append(NB101_OP_MAP[ops[t]](self.vc[t], trs, device))
        self.input_op = nn.ModuleList([None])
        for t in range(1, V):
            self.input_op.append(ConvBnRelu(c_in, self.vc[t], 1, 1, 0, trs, device) if matrix[0][t] else None)

    def forward(self, x):
        m, V = self.matrix, len(self.matrix)
        tensors, out_concat = [x], []
        for t in range(1, V - 1):
            fan_in = [tensors[src][:, :self.vc[t]] for src in range(1, t) if m[src][t]]
            if m[0][t]:
                fan_in.append(self.input_op[t](x))
            vertex_input = sum(fan_in)
            tensors.append(self.vertex_op[t](vertex_input))
            if m[t][V - 1]:
                out_concat.append(tensors[t])
        if not out_concat:
            return self.input_op[V - 1](x)
        outputs = torch.cat(out_concat, 1) if len(out_concat) > 1 else out_concat[0]
        if m[0][V - 1]:
            outputs = outputs + self.input_op[V - 1](x)   # zero-cost-nas adds in place (breaks autograd)
        return outputs


class NB101Network(nn.Module):
    """stem ConvBnRelu 3 -> 128, 3 stacks of 3 cells (a 2x2 max pool before stacks 2, 3), GAP, linear;
    forward returns (pooled features, logits) like the TinyNetwork above."""

    def __init__(self, matrix, ops, num_classes=10, trs=True, stem=128, stacks=3, cells=3, device=None):
        super().__init__()
        self.layers = nn.ModuleList([ConvBnRelu(3, stem, 3, 1, 1, trs, device)])
        c_in = c_out = stem
        for s in range(stacks):
            if s > 0:
                self.layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                c_out *= 2
            for _ in range(cells):
                self.layers.append(NB101Cell(matrix, ops, c_in, c_out, trs, device))
                c_in = c_out
        self.classifier = nn.Linear(c_out, num_classes, device=device)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        out = torch.mean(x, (2, 3))
        return out, self.classifier(out)


def nb101_network(arch, num_classes=10, track_running_stats=True, device=None):
    m, ops = nb101_prune(*nb101_parse(arch))
    if m is None:
        raise ValueError(f"{arch}: no input -> output path")
    return NB101Network(m, ops, num_classes, track_running_stats, device=device)


def load_weight_dir(d):
    """A `zcnas init --save D` folder as a state_dict."""
    return {f[:-4]: torch.from_numpy(np.load(os.path.join(d, f))) for f in sorted(os.listdir(d))
            if f.endswith(".npy")}


# ------------------------------------------------------------------ data
CIFAR10_MEAN = [x / 255 for x in (125.3, 123.0, 113.9)]
CIFAR10_STD = [x / 255 for x in (63.0, 62.1, 66.7)]


def load_cifar10(path, n=None):
    """The first n records (all when None) of an official CIFAR-10 binary file, as NAS-Bench-201's
    torchvision pipeline makes them: ToTensor (byte / 255 in float32), Normalize ((x - mean) / std in
    float32). Returns numpy (x float32 NCHW, labels int64)."""
    raw = np.fromfile(path, dtype=np.uint8, count=-1 if n is None else n * 3073)
    if raw.size % 3073:
        raise ValueError(f"{path}: size {raw.size} is not a multiple of 3073")
    rec = raw.reshape(-1, 3073)
    if n is not None and rec.shape[0] < n:
        raise ValueError(f"{path}: {rec.shape[0]} records, {n} needed")
    labels = rec[:, 0].astype(np.int64)
    x = rec[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / np.float32(255)
    mean = np.array(CIFAR10_MEAN, dtype=np.float32).reshape(1, 3, 1, 1)
    std = np.array(CIFAR10_STD, dtype=np.float32).reshape(1, 3, 1, 1)
    return ((x - mean) / std).astype(np.float32), labels


# ------------------------------------------------------------------ official proxies
def zico_from_grads(grad_dict):
    """caculate_zico of ZeroShotProxy/compute_zico.py, verbatim in substance."""
    nsr_mean_sum_abs = 0
    for modname in grad_dict.keys():
        g = np.array(grad_dict[modname])
        nsr_std = np.std(g, axis=0)
        nonzero_idx = np.nonzero(nsr_std)[0]
        nsr_mean_abs = np.mean(np.abs(g), axis=0)
        tmpsum = np.sum(nsr_mean_abs[nonzero_idx] / nsr_std[nonzero_idx])
        if tmpsum == 0:
            pass
        else:
            nsr_mean_sum_abs += np.log(tmpsum)
    return float(nsr_mean_sum_abs)


def zico_torch(model, batches):
    """getzico: train mode, per batch zero grads / forward / mean CE / backward, copy the weight grads
    of every Conv2d and Linear in named_modules order. batches: (x, y) pairs, numpy or torch."""
    return zico_from_grads(zico_grads(model, batches))


def zico_grads(model, batches):
    """getzico's grad_dict (see zico_torch): per Conv2d / Linear module, its flattened weight gradient
    of each batch."""
    grad_dict = {}
    model.train()
    for x, y in batches:
        model.zero_grad()
        out = model(torch.as_tensor(x))
        logits = out[1] if isinstance(out, tuple) else out   # xautodl models return (features, logits)
        loss = F.cross_entropy(logits, torch.as_tensor(y))
        loss.backward()
        for name, mod in model.named_modules():
            if isinstance(mod, (nn.Conv2d, nn.Linear)):
                # .numpy() of a CPU tensor is a view that zero_grad() would overwrite: copy.
                grad_dict.setdefault(name, []).append(mod.weight.grad.detach().reshape(-1).numpy().copy())
    return grad_dict


def epsilon_from_outputs(preds):
    """The scoring part of epsinas' compute_epsinas on the two flattened outputs."""
    rows = []
    for pred in preds:
        pred = np.asarray(pred)
        pred_min, pred_max = np.nanmin(pred), np.nanmax(pred)
        rows.append((pred - pred_min) / (pred_max - pred_min))
    P = np.array(rows)
    P[P == 0] = np.nan
    mae = np.nanmean(np.abs(P[0, :] - P[1, :]))
    return float(mae / np.nanmean(P))


def epsilon_torch(arch, x, weights=(1e-7, 1.0), dtype=torch.float32):
    """compute_epsinas (NB201): num_classes 1, every BN track_running_stats=False; for each w every
    conv/linear weight and BN gamma = w, every bias/beta = 0; float32 forward without grad (float64
    only to measure float32's own rounding). x: numpy or torch."""
    return epsilon_model(tiny_network(arch, num_classes=1, track_running_stats=False), x, weights, dtype)


def epsilon_model(net, x, weights, dtype=torch.float32):
    """compute_epsinas on a network built with one output and BN without running statistics (any
    space: epsinas' NB101 network is zero-cost-nas' with those two changes)."""
    net = net.to(dtype)
    preds = []
    for w in weights:
        torch.manual_seed(21)
        for m in net.modules():
            if hasattr(m, "bias") and m.bias is not None:
                nn.init.constant_(m.bias, 0)
            if hasattr(m, "weight") and not (hasattr(m, "affine") and m.affine is False):
                if m.weight is not None:
                    nn.init.constant_(m.weight, w)
        with torch.no_grad():
            _, y = net(torch.as_tensor(x).to(dtype))
        preds.append(y.numpy().flatten())  # float32 as in epsinas (float64 when asked)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return epsilon_from_outputs(preds)


# ------------------------------------------------------------------ helpers
def zcnas_data_root():
    """$ZCNAS_DATA (scripts/test.sh sets it), or exit 1 with a one-line reason."""
    root = os.environ.get("ZCNAS_DATA")
    if not root:
        sys.exit(f"{os.path.basename(sys.argv[0])}: ZCNAS_DATA is not set (run the suite with "
                 "scripts/test.sh, or export ZCNAS_DATA=<data root>)")
    return root


def rel_err(a, b):
    """||a - b|| / ||b|| (inf on a shape mismatch or a non-finite value)."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        return float("inf")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("inf")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-12))


def run(cmd, what=None):
    """Runs a command; its stdout, or RuntimeError naming it with its stderr."""
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{what or cmd[0]}: {' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def timed_run(cmd, what=None):
    t = time.time()
    out = run(cmd, what)
    return out, time.time() - t


# ------------------------------------------------------------------ TransNAS-Bench-101
# Written from the official code (NASLib naslib/search_spaces/transbench101/tnb101/models): MacroNet
# 'backbone' encoder with MicroCell / ResNetBasicblock, and the task decoders. Module names match the
# official state_dict keys. TNB_DEVICE = "meta" builds them without memory (parameter counts).
TNB_DEVICE = None

class TNBReLUConvBN(nn.Module):
    def __init__(self, c_in, c_out, k, s, p):
        super().__init__()
        self.ops = nn.Sequential(nn.ReLU(inplace=False), nn.Conv2d(c_in, c_out, k, stride=s, padding=p, bias=False, device=TNB_DEVICE),
                                 nn.BatchNorm2d(c_out, affine=True, track_running_stats=True, device=TNB_DEVICE))

    def forward(self, x):
        return self.ops(x)


class TNBZero(nn.Module):
    def __init__(self, c_in, c_out, s):
        super().__init__()
        self.c_in, self.c_out, self.s = c_in, c_out, s

    def forward(self, x):
        if self.c_in == self.c_out:
            return x.mul(0.) if self.s == 1 else x[:, :, ::self.s, ::self.s].mul(0.)
        shape = list(x.shape)
        shape[1], shape[2], shape[3] = self.c_out, (shape[2] + 1) // self.s, (shape[3] + 1) // self.s
        return x.new_zeros(shape)


class TNBFactorizedReduce(nn.Module):
    def __init__(self, c_in, c_out, s):
        super().__init__()
        self.relu = nn.ReLU(inplace=False)
        self.convs = nn.ModuleList([nn.Conv2d(c_in, c_out // 2, 1, stride=s, bias=False, device=TNB_DEVICE),
                                    nn.Conv2d(c_in, c_out - c_out // 2, 1, stride=s, bias=False, device=TNB_DEVICE)])
        self.pad = nn.ConstantPad2d((0, 1, 0, 1), 0)
        self.bn = nn.BatchNorm2d(c_out, affine=True, track_running_stats=True, device=TNB_DEVICE)

    def forward(self, x):
        x = self.relu(x)
        y = self.pad(x)
        return self.bn(torch.cat([self.convs[0](x), self.convs[1](y[:, :, 1:, 1:])], dim=1))


def tnb_op(code, c_in, c_out, s):
    if code == '0':
        return TNBZero(c_in, c_out, s)
    if code == '1':
        return Identity() if s == 1 and c_in == c_out else TNBFactorizedReduce(c_in, c_out, s)
    if code == '2':
        return TNBReLUConvBN(c_in, c_out, 1, s, 0)
    return TNBReLUConvBN(c_in, c_out, 3, s, 1)


class TNBMicroCell(nn.Module):
    def __init__(self, cell_code, c_in, c_out, s):
        super().__init__()
        self.edges = nn.ModuleList()
        self.from_ops = [list(range(n * (n - 1) // 2, n * (n - 1) // 2 + n)) for n in range(4)]
        for node in range(4):
            for op, frm in zip(cell_code[node], range(node)):
                self.edges.append(tnb_op(op, c_in, c_out, s) if frm == 0 else tnb_op(op, c_out, c_out, 1))

    def forward(self, x):
        feats = [x]
        for node in range(1, 4):
            feats.append(torch.stack([self.edges[o](feats[f]) for o, f in zip(self.from_ops[node], range(node))]).sum(0))
        return feats[-1]


class TNBBasicBlock(nn.Module):
    def __init__(self, c_in, c_out, s):
        super().__init__()
        self.conv_a = TNBReLUConvBN(c_in, c_out, 3, s, 1)
        self.conv_b = TNBReLUConvBN(c_out, c_out, 3, 1, 1)
        self.downsample = None
        if s != 1 or c_in != c_out:
            # nn.BatchNorm2d(planes, affine, track_running_stats) as the official code: eps = momentum = 1
            self.downsample = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=s, bias=False, device=TNB_DEVICE),
                                            nn.BatchNorm2d(c_out, True, True, device=TNB_DEVICE))

    def forward(self, x):
        f = self.conv_b(self.conv_a(x))
        return (self.downsample(x) if self.downsample is not None else x) + f


class TNBEncoder(nn.Module):
    def __init__(self, arch):
        super().__init__()
        parts = arch.split('-')
        macro = parts[1]
        micro = None if parts[-1] == 'basic' else [''] + parts[2].split('_')
        self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, stride=2, padding=1, bias=False, device=TNB_DEVICE), nn.BatchNorm2d(32, device=TNB_DEVICE),
                                  TNBReLUConvBN(32, 64, 3, 2, 1))
        c, w = 64, 56
        self.layers = []
        for i, d in enumerate(macro):
            d = int(d)
            t = 2 * c if d % 2 == 0 else c
            s = 2 if d > 2 else 1
            w //= s
            cells = [TNBBasicBlock(c, t, s) if micro is None else TNBMicroCell(micro, c, t, s)]
            cells.append(TNBBasicBlock(t, t, 1) if micro is None else TNBMicroCell(micro, t, t, 1))
            self.add_module(f"layer{i}", nn.Sequential(*cells))
            self.layers.append(f"layer{i}")
            c = t
        self.output_dim = (c, w, w)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')

    def forward(self, x):
        x = self.stem(x)
        for n in self.layers:
            x = getattr(self, n)(x)
        return x


class TNBConvLayer(nn.Module):
    def __init__(self, c_in, c_out, act, norm, deconv=False):
        super().__init__()
        self.conv = (nn.ConvTranspose2d(c_in, c_out, 3, stride=2, padding=1, output_padding=1, device=TNB_DEVICE) if deconv
                     else nn.Conv2d(c_in, c_out, 3, stride=1, padding=1, device=TNB_DEVICE))
        self.norm = nn.BatchNorm2d(c_out, device=TNB_DEVICE) if norm else None
        self.activation = act

    def forward(self, x):
        x = self.conv(x)
        if self.norm is not None:
            x = self.norm(x)
        return self.activation(x) if self.activation is not None else x


def tnb_upsamplings(w):
    return int(math.log2(256 / w))


class TNBSegmentationDecoder(nn.Module):
    def __init__(self, in_dim, classes=17):
        super().__init__()
        c, nu = 1024, tnb_upsamplings(in_dim[1])
        lr = lambda: nn.LeakyReLU(0.2, False)  # noqa: E731
        model = [TNBConvLayer(in_dim[0], 1024, lr(), True)]
        for _ in range(6 - nu):
            model.append(TNBConvLayer(c, c // 2, lr(), True))
            c //= 2
        for _ in range(nu - 1):
            model.append(TNBConvLayer(c, c // 2, lr(), True, deconv=True))
            c //= 2
        model.append(TNBConvLayer(c, c, lr(), True, deconv=True))
        model.append(TNBConvLayer(c, classes, None, False))
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x)


class TNBGenerativeDecoder(nn.Module):
    def __init__(self, in_dim, channels=3):
        super().__init__()
        nu = tnb_upsamplings(in_dim[1])
        outs = [1024, 1024, 512, 512, 256, 128, 64, 64, 32, 32, 16, 32, 16, channels]
        up = [0, 0, nu == 6, 0, nu >= 5, 0, nu >= 4, 0, nu >= 3, 0, 1, 0, 1, 0]
        c = in_dim[0]
        for i in range(14):
            last = i == 13
            setattr(self, f"conv{i + 1}", TNBConvLayer(c, outs[i], nn.Tanh() if last else nn.LeakyReLU(0.2),
                                                       not last, deconv=bool(up[i])))
            c = outs[i]

    def forward(self, x):
        for i in range(14):
            x = getattr(self, f"conv{i + 1}")(x)
        return x


class TNBHead(nn.Module):
    def __init__(self, c, k):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(c, k, device=TNB_DEVICE)

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(x), 1))


TNB_OUTPUTS = {"class_scene": 63, "class_object": 100, "jigsaw": 1000, "room_layout": 9, "segmentsemantic": 17,
               "normal": 3, "autoencoder": 3}


class TNBNetwork(nn.Module):
    """encoder + decoder; jigsaw runs the encoder on each of the 9 tiles of x (n x 9 x 3 x h x w)."""

    def __init__(self, arch, task):
        super().__init__()
        self.task = task
        self.encoder = TNBEncoder(arch)
        d = self.encoder.output_dim
        if task == "segmentsemantic":
            self.decoder = TNBSegmentationDecoder(d)
        elif task in ("normal", "autoencoder"):
            self.decoder = TNBGenerativeDecoder(d)
        else:
            self.decoder = TNBHead(d[0] * (9 if task == "jigsaw" else 1), TNB_OUTPUTS[task])

    def forward(self, x):
        if self.task == "jigsaw":
            return self.decoder(torch.cat([self.encoder(x[:, i]) for i in range(x.shape[1])], dim=1))
        return self.decoder(self.encoder(x))


def tnb_loss(task, out, target):
    """The loss TransNAS-Bench-101 trains each task with (NASLib's get_loss_fn)."""
    import torch.nn.functional as F
    if task in ("class_scene", "class_object"):
        return -(target * torch.log(F.softmax(out, dim=-1) + 0.00001)).sum(dim=-1).mean()
    if task in ("autoencoder", "normal"):
        return F.l1_loss(out, target)
    if task == "room_layout":
        return F.mse_loss(out, target)
    return F.cross_entropy(out, target.long())


# ------------------------------------------------------------------ ResNet-18 (ONNX import tests, bench)
class ResNetBlock(nn.Module):
    def __init__(s, cin, cout, stride):
        super().__init__()
        s.conv1, s.bn1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout)
        s.conv2, s.bn2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout)
        s.relu = nn.ReLU()
        s.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                        if stride != 1 or cin != cout else None)

    def forward(s, x):
        y = s.bn2(s.conv2(s.relu(s.bn1(s.conv1(x)))))
        return s.relu(y + (s.downsample(x) if s.downsample is not None else x))


class ResNet18(nn.Module):
    """torchvision's resnet18 (BasicBlock, [2, 2, 2, 2]) with `classes` outputs, for the ONNX tests and bench."""
    def __init__(s, classes=10):
        super().__init__()
        s.conv1, s.bn1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64)
        s.relu, s.maxpool = nn.ReLU(), nn.MaxPool2d(3, 2, 1)
        layers, cin = [], 64
        for i, c in enumerate([64, 128, 256, 512]):
            layers.append(nn.Sequential(ResNetBlock(cin, c, 1 if i == 0 else 2), ResNetBlock(c, c, 1)))
            cin = c
        s.layer1, s.layer2, s.layer3, s.layer4 = layers
        s.avgpool, s.fc = nn.AdaptiveAvgPool2d(1), nn.Linear(512, classes)

    def forward(s, x):
        x = s.layer4(s.layer3(s.layer2(s.layer1(s.maxpool(s.relu(s.bn1(s.conv1(x))))))))
        return s.fc(torch.flatten(s.avgpool(x), 1))
