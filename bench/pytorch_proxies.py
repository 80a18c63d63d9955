#!/usr/bin/env python3
"""The PyTorch side of the benchmark: ZiCo and epsilon computed the way the authors' code does
(xautodl's NAS-Bench-201 TinyNetwork, compute_zico.getzico, epsinas' compute_epsinas), on the same
architectures, the same CIFAR-10 images ($ZCNAS_DATA/cifar10/data_batch_1.bin) and the same thread count as zcnas. Prints one CSV
row per architecture with the score and the seconds it took (network construction included, as in
the official loops).

usage: pytorch_proxies.py --index 0,5,17 --proxy zico|epsilon [--batch-size 64] [--threads 1]
"""
import argparse, os, sys, time

import numpy as np
import torch
import torch.nn as nn

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


class ReLUConvBN(nn.Module):
    def __init__(self, C_in, C_out, k, s, p, trs):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(inplace=False), nn.Conv2d(C_in, C_out, k, s, p, bias=False),
                                nn.BatchNorm2d(C_out, affine=True, track_running_stats=trs))

    def forward(self, x):
        return self.op(x)


class Pooling(nn.Module):
    def __init__(self):
        super().__init__()
        self.op = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)

    def forward(self, x):
        return self.op(x)


class Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


class Identity(nn.Module):
    def forward(self, x):
        return x


def make_op(name, C, trs):
    return {"none": lambda: Zero(), "skip_connect": lambda: Identity(),
            "nor_conv_1x1": lambda: ReLUConvBN(C, C, 1, 1, 0, trs),
            "nor_conv_3x3": lambda: ReLUConvBN(C, C, 3, 1, 1, trs),
            "avg_pool_3x3": lambda: Pooling()}[name]()


class InferCell(nn.Module):
    def __init__(self, genotype, C, trs):
        super().__init__()
        self.layers = nn.ModuleList()
        self.node_IN, self.node_IX = [], []
        for node in genotype:
            idx, inn = [], []
            for op, src in node:
                idx.append(len(self.layers))
                inn.append(src)
                self.layers.append(make_op(op, C, trs))
            self.node_IX.append(idx)
            self.node_IN.append(inn)

    def forward(self, x):
        nodes = [x]
        for ix, inn in zip(self.node_IX, self.node_IN):
            nodes.append(sum(self.layers[i](nodes[j]) for i, j in zip(ix, inn)))
        return nodes[-1]


class ResNetBasicblock(nn.Module):
    def __init__(self, C_in, C_out, trs):
        super().__init__()
        self.conv_a = ReLUConvBN(C_in, C_out, 3, 2, 1, trs)
        self.conv_b = ReLUConvBN(C_out, C_out, 3, 1, 1, trs)
        self.downsample = nn.Sequential(nn.AvgPool2d(2, 2, 0), nn.Conv2d(C_in, C_out, 1, 1, 0, bias=False))

    def forward(self, x):
        return self.downsample(x) + self.conv_b(self.conv_a(x))


class TinyNetwork(nn.Module):
    def __init__(self, genotype, num_classes, trs=True, C=16, N=5):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, C, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(C, track_running_stats=trs))
        chans = [C] * N + [2 * C] + [2 * C] * N + [4 * C] + [4 * C] * N
        reds = [False] * N + [True] + [False] * N + [True] + [False] * N
        self.cells = nn.ModuleList()
        prev = C
        for c, r in zip(chans, reds):
            self.cells.append(ResNetBasicblock(prev, c, trs) if r else InferCell(genotype, c, trs))
            prev = c
        self.lastact = nn.Sequential(nn.BatchNorm2d(prev, track_running_stats=trs), nn.ReLU(inplace=True))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(prev, num_classes)

    def forward(self, x):
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x)
        x = self.global_pooling(self.lastact(x)).flatten(1)
        return self.classifier(x)


def genotype(arch):
    nodes = []
    for part in arch.split("+"):
        nodes.append([(t.split("~")[0], int(t.split("~")[1])) for t in part.strip("|").split("|")])
    return nodes


def load_cifar10(path, count):
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)[:count]
    x = raw[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0
    mean = np.array([125.3, 123.0, 113.9], np.float32) / 255
    std = np.array([63.0, 62.1, 66.7], np.float32) / 255
    x = (x - mean[None, :, None, None]) / std[None, :, None, None]
    return torch.from_numpy(x), torch.from_numpy(raw[:, 0].astype(np.int64))


def zico(net, batches):
    """compute_zico.getzico: per Conv2d/Linear weight, std of the signed grads over batches."""
    grads = {}
    net.train()
    loss_fn = nn.CrossEntropyLoss()
    for x, y in batches:
        net.zero_grad()
        loss_fn(net(x), y).backward()
        for name, mod in net.named_modules():
            if isinstance(mod, (nn.Conv2d, nn.Linear)):
                # copy: on CPU .numpy() is a view that the next zero_grad() overwrites
                grads.setdefault(name, []).append(mod.weight.grad.data.cpu().reshape(-1).numpy().copy())
    score = 0.0
    for g in grads.values():
        g = np.array(g)
        std = np.std(g, axis=0)
        nz = np.nonzero(std)[0]
        mean_abs = np.mean(np.abs(g), axis=0)
        s = np.sum(mean_abs[nz] / std[nz])
        if s != 0:
            score += np.log(s)
    return float(score)


def epsilon(arch, x, weights=(1e-7, 1.0)):
    """epsinas compute_epsinas for NB201: one output, BN without running stats, constant weights."""
    net = TinyNetwork(genotype(arch), 1, trs=False)
    preds = []
    for w in weights:
        for m in net.modules():
            if getattr(m, "bias", None) is not None:
                nn.init.constant_(m.bias, 0.0)
            if hasattr(m, "weight") and m.weight is not None and not (hasattr(m, "affine") and not m.affine):
                nn.init.constant_(m.weight, w)
        with torch.no_grad():
            y = net(x).cpu().numpy().flatten()
        preds.append((y - np.nanmin(y)) / (np.nanmax(y) - np.nanmin(y)))
    p = np.array(preds)
    p[p == 0] = np.nan
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(np.nanmean(np.abs(p[0] - p[1])) / np.nanmean(p))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    ap.add_argument("--proxy", choices=["zico", "epsilon"], required=True)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    root = os.environ.get("ZCNAS_DATA", "")   # the data root, as for zcnas (scripts/data-env.sh)
    ap.add_argument("--data", default=os.path.join(root, "cifar10", "data_batch_1.bin"))
    ap.add_argument("--table", default=os.path.join(root, "benchmarks", "nb201_accuracy.csv"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    archs = {}
    with open(a.table) as f:
        next(f)
        for line in f:
            i, s = line.split(",", 2)[:2]
            archs[int(i)] = s
    idx = [int(v) for v in a.index.split(",")]
    x, y = load_cifar10(a.data, 2 * a.batch_size if a.proxy == "zico" else 256)
    batches = [(x[:a.batch_size], y[:a.batch_size]), (x[a.batch_size:2 * a.batch_size], y[a.batch_size:2 * a.batch_size])]
    print(f"index,{a.proxy},{a.proxy}_seconds", flush=True)
    for i in idx:
        t0 = time.perf_counter()
        if a.proxy == "zico":
            v = zico(TinyNetwork(genotype(archs[i]), 10), batches)
        else:
            v = epsilon(archs[i], x)
        print(f"{i},{v:.9g},{time.perf_counter() - t0:.6f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
