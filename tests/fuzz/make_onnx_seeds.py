#!/usr/bin/env python3
"""Writes the seed models of the onnx fuzz harness (usage: make_onnx_seeds.py tests/fuzz/corpus/onnx): tiny networks exported
from PyTorch that together use every op the importer maps."""
import sys, torch, torch.nn as nn
out = sys.argv[1]
torch.manual_seed(0)

class A(nn.Module):   # conv, BN, relu, residual add, concat, pools, flatten, linear
    def __init__(s):
        super().__init__()
        s.c1, s.b1, s.c2 = nn.Conv2d(3, 4, 3, 1, 1), nn.BatchNorm2d(4), nn.Conv2d(4, 4, 1, bias=False)
        s.dw = nn.Conv2d(8, 8, 3, 2, 1, groups=8)
        s.fc = nn.Linear(8, 3)
    def forward(s, x):
        y = torch.relu(s.b1(s.c1(x)))
        y = torch.cat([y + s.c2(y), nn.functional.max_pool2d(y, 3, 1, 1)], 1)
        y = nn.functional.avg_pool2d(s.dw(y), 3, 1, 1, count_include_pad=False)
        return s.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(torch.sigmoid(y) * y, 1), 1))

class B(nn.Module):   # view(N, -1) (shape arithmetic), x * 0, tanh, leaky relu, dropout, no pooling
    def __init__(s):
        super().__init__()
        s.c = nn.Conv2d(3, 2, 3, 2, 1)
        s.fc = nn.Linear(2 * 4 * 4, 2)
        s.drop = nn.Dropout(0.1)
    def forward(s, x):
        y = nn.functional.leaky_relu(torch.tanh(s.c(x)), 0.2) + s.c(x).mul(0.)
        return s.fc(s.drop(y.view(y.size(0), -1)))

for name, m in (("mixed", A()), ("view_zero", B())):
    m.train()
    torch.onnx.export(m, torch.randn(2, 3, 8, 8), f"{out}/{name}.onnx", training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False)
