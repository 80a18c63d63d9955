"""PyTorch references of AZ-NAS, MeCo, SWAP, TE-NAS (NTK + linear regions) and VKDNW on the
NAS-Bench-201 network, written from the official code (see oracle_proxies2.py for what each one
follows, and /work/shared/research/spec-proxies2.md sections 1-5 and 7).

The small scoring functions (meco_value, az_entropy, az_block, ntk_from_grads, distinct_*,
vkdnw_pi / vkdnw_L / vkdnw_entropy) work on given tensors, so they can be checked on the hand-made
vectors of spec section 7 (self_test()). The network-level functions take a model from
reference.tiny_network (xautodl TinyNetwork) or MecoNAS201 (MeCo's own foresight NAS201Model tree),
with weights loaded from a `zcnas init --save` folder.

Import with tests/oracle on sys.path:  from proxies2_reference import az_reference, ...
"""
import copy
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from reference import parse_arch

# ================================================================== MeCo
# The hook of MeCo's correlation/NAS_Bench_201.py (get_score, measure 'meco'), per firing.


def meco_value(fea):
    """One firing: fea = the module output's [0] (sample 0 of a batched tensor). Rows = first dim,
    R = corrcoef of the rows, NaN / +-inf -> 0, min real part of the (general) eigenvalues. Computed
    in fea's dtype (float32 as MeCo; float64 for the reference). Raises on n = 1 (torch.linalg.eig
    of a 0-dim tensor), as MeCo does."""
    fea = fea.detach().clone()
    n = fea.shape[0]
    fea = fea.reshape(n, -1)
    corr = torch.corrcoef(fea)
    corr[torch.isnan(corr)] = 0
    corr[torch.isinf(corr)] = 0
    values = torch.linalg.eig(corr)[0]
    return float(torch.min(torch.real(values)))


def meco_sum(values):
    """MeCo's NB201 total: NaN and +-inf values dropped, the rest summed (in float32 as
    torch.tensor(result_list) holds them when they came from float32; here in float64)."""
    v = [x for x in values if math.isfinite(x)]
    return float(sum(v))


def meco_hooked(net, x, skip_n1=False):
    """Forward hooks on every module of net.named_modules() (root, containers, leaves), one
    meco_value per firing, on a forward of x in net's current mode. skip_n1: a firing whose
    output[0] has first dimension 1 (xautodl's tuple-returning root with B = 1) is skipped instead
    of raising. Returns (list of (module class name, value))."""
    import warnings
    out = []
    handles = []

    def hook(module, inp, output):
        fea = output[0]
        if skip_n1 and fea.shape[0] == 1:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # cov(): degrees of freedom <= 0 on (n, 1) rows
            out.append((type(module).__name__, meco_value(fea)))

    for _, m in net.named_modules():
        handles.append(m.register_forward_hook(hook))
    try:
        with torch.no_grad():
            net(x)
    finally:
        for h in handles:
            h.remove()
    return out


# ---- MeCo's model: foresight NAS201Model as copied into HamsterMimi/MeCo correlation/foresight/
# models/nasbench2.py + nasbench2_ops.py (classifier at the root, `top` returning features, an unused
# pre_GAP), re-stated with the same module tree (and therefore the same firings).
FS_OPS = ["none", "avg_pool_3x3", "nor_conv_3x3", "nor_conv_1x1", "skip_connect"]   # foresight OPS order


class FsReLUConvBN(nn.Module):
    def __init__(self, cin, cout, k, stride, pad, affine, trs):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(inplace=False),
                                nn.Conv2d(cin, cout, k, stride=stride, padding=pad, bias=not affine),
                                nn.BatchNorm2d(cout, affine=affine, track_running_stats=trs))

    def forward(self, x):
        return self.op(x)


class FsIdentity(nn.Module):
    def forward(self, x):
        return x


class FsZero(nn.Module):
    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        if self.stride == 1:
            return x.mul(0.)
        return x[:, :, ::self.stride, ::self.stride].mul(0.)


class FsPOOLING(nn.Module):
    def __init__(self):
        super().__init__()
        self.avgpool = nn.AvgPool2d(kernel_size=3, stride=1, padding=1, count_include_pad=False)

    def forward(self, x):
        return self.avgpool(x)


def fs_op(name, c):
    if name == "none":
        return FsZero(1)
    if name == "avg_pool_3x3":
        return FsPOOLING()
    if name == "nor_conv_3x3":
        return FsReLUConvBN(c, c, 3, 1, 1, False, False)
    if name == "nor_conv_1x1":
        return FsReLUConvBN(c, c, 1, 1, 0, False, False)
    return FsIdentity()


class FsSearchCell(nn.Module):
    """Every op of every edge is built (30 modules); only the keep_mask one of each edge is called.
    Cell ops: affine=False, track_running_stats=False (conv bias=True)."""

    def __init__(self, c, keep_mask):
        super().__init__()
        self.options = nn.ModuleList()
        for _edge in range(6):
            for name in FS_OPS:
                self.options.append(fs_op(name, c))
        self.keep_mask = keep_mask

    def forward(self, x):
        outs = [x]
        idx = 0
        for curr in range(3):
            edges_in = []
            for prev in range(curr + 1):
                for _ in range(len(FS_OPS)):
                    if self.keep_mask[idx]:
                        edges_in.append(self.options[idx](outs[prev]))
                    idx += 1
            outs.append(sum(edges_in))     # Python sum: 0 + e0 + ... (always a new tensor)
        return outs[-1]


class FsReduction(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.residual = nn.Sequential(nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
                                      nn.Conv2d(cin, cout, 1, 1, 0, bias=False))
        self.conv_a = FsReLUConvBN(cin, cout, 3, 2, 1, True, True)
        self.conv_b = FsReLUConvBN(cout, cout, 3, 1, 1, True, True)

    def forward(self, x):
        b = self.conv_a(x)
        b = self.conv_b(b)
        r = self.residual(x)
        return r + b


class FsStem(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(3, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x):
        return self.net(x)


class FsTop(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=True))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        x = self.lastact(x)
        x = self.global_pooling(x)
        return x.view(x.size(0), -1)


def fs_keep_mask(arch):
    nodes = parse_arch(arch)
    mask = []
    for j, node in enumerate(nodes):
        for prev in range(j + 1):
            ops = [op for op, i in node if i == prev]
            assert len(ops) == 1, arch
            mask += [ops[0] == name for name in FS_OPS]
    return mask


class MecoNAS201(nn.Module):
    """MeCo's NAS201Model (C = 16, 5 cells per stage); forward returns the logits only."""

    def __init__(self, arch, num_classes=10, c=16):
        super().__init__()
        km = fs_keep_mask(arch)
        self.stem = FsStem(c)
        self.stack_cell1 = nn.Sequential(*[FsSearchCell(c, km) for _ in range(5)])
        self.reduction1 = FsReduction(c, 2 * c)
        self.stack_cell2 = nn.Sequential(*[FsSearchCell(2 * c, km) for _ in range(5)])
        self.reduction2 = FsReduction(2 * c, 4 * c)
        self.stack_cell3 = nn.Sequential(*[FsSearchCell(4 * c, km) for _ in range(5)])
        self.top = FsTop(4 * c)
        self.classifier = nn.Linear(4 * c, num_classes)
        self.pre_GAP = nn.Sequential(nn.BatchNorm2d(4 * c), nn.ReLU(inplace=True))   # never called

    def forward(self, x):
        x = self.stem(x)
        x = self.stack_cell1(x)
        x = self.reduction1(x)
        x = self.stack_cell2(x)
        x = self.reduction2(x)
        x = self.stack_cell3(x)
        x = self.top(x)
        return self.classifier(x)


def _fs_cell_name(i):
    """xautodl cells.i -> MeCo module path."""
    if i < 5:
        return f"stack_cell1.{i}"
    if i == 5:
        return "reduction1"
    if i < 11:
        return f"stack_cell2.{i - 6}"
    if i == 11:
        return "reduction2"
    return f"stack_cell3.{i - 12}"


def meco_model_from_weights(arch, sd, num_classes=10):
    """MecoNAS201 carrying the weights of a zcnas / xautodl state_dict `sd` (name -> tensor).
    Cell BN of MeCo's model has no affine parameters: the zcnas cell gammas must be 1 and betas 0
    (zcnas' default init), else ValueError. Cell conv biases (absent in zcnas) are set to 0: a
    per-channel constant changes neither a Pearson correlation of rows nor a batch-statistics BN
    output. Unused options and pre_GAP keep PyTorch's init (never called)."""
    net = MecoNAS201(arch, num_classes)
    nodes = parse_arch(arch)
    edge_ops = [op for node in nodes for op, _ in node]
    new = {}
    for k, v in sd.items():
        parts = k.split(".")
        if parts[0] == "stem":
            new["stem.net." + ".".join(parts[1:])] = v
        elif parts[0] == "lastact":
            new["top." + k] = v
        elif parts[0] == "classifier":
            new[k] = v
        elif parts[0] == "cells":
            i = int(parts[1])
            base = _fs_cell_name(i)
            rest = parts[2:]
            if rest[0] == "layers":
                e = int(rest[1])
                opi = 5 * e + FS_OPS.index(edge_ops[e])
                tail = ".".join(rest[2:])          # op.1.weight / op.2.{weight,bias,running_*}
                if tail.startswith("op.2."):
                    what = tail[5:]
                    if what == "weight" and not torch.all(v == 1):
                        raise ValueError(f"{k}: MeCo's cell BN has no affine weight (needs gamma = 1)")
                    if what == "bias" and not torch.all(v == 0):
                        raise ValueError(f"{k}: MeCo's cell BN has no affine bias (needs beta = 0)")
                    continue                       # affine=False, track_running_stats=False
                new[f"{base}.options.{opi}.{tail}"] = v
            elif rest[0] == "downsample":
                new[f"{base}.residual.{'.'.join(rest[1:])}"] = v
            else:
                new[f"{base}.{'.'.join(rest)}"] = v
        else:
            raise ValueError(f"unexpected weight {k}")
    msd = net.state_dict()
    for k, v in new.items():
        if k not in msd:
            raise ValueError(f"weight {k} has no place in MeCo's model")
        if tuple(msd[k].shape) != tuple(v.shape):
            raise ValueError(f"{k}: shape {tuple(v.shape)} vs {tuple(msd[k].shape)}")
        msd[k] = v.to(msd[k].dtype).clone()
    # conv biases of the called cell ops -> 0
    for k in list(msd):
        if ".options." in k and k.endswith("op.1.bias"):
            msd[k] = torch.zeros_like(msd[k])
    net.load_state_dict(msd, strict=True)
    return net


def meco_reference(arch, sd, x, dtype=torch.float64, num_classes=10):
    """MeCo on MeCo's own model tree with the weights `sd`, train mode, one forward of x (1 image).
    Returns (meco, per-firing list)."""
    net = meco_model_from_weights(arch, sd, num_classes).to(dtype)
    net.train()
    vals = meco_hooked(net, torch.as_tensor(x).to(dtype))
    return meco_sum([v for _, v in vals]), vals


def meco_xautodl_tree(net, x):
    """The same score from xautodl's TinyNetwork tree (reference.tiny_network), re-weighted by the
    firing table of /work/notes/meco-tree.md: hooks on every module (the root's tuple output, n = 1,
    skipped), plus the firings MeCo's tree has more (stem BN once more, the last cell of each stage
    once more). A cross-check of that table."""
    net.train()
    vals = [v for _, v in meco_hooked(net, x, skip_n1=True)]
    extra = []
    with torch.no_grad():
        f = net.stem(x)
        extra.append(meco_value(f[0]))
        for i, cell in enumerate(net.cells):
            f = cell(f)
            if i in (4, 10, 16):
                extra.append(meco_value(f[0]))
    return meco_sum(vals + extra)


# ================================================================== AZ-NAS
# NB201/ZeroShotProxy/compute_az_nas_score.py (cvlab-yonsei/AZ-NAS 5e6683a) with the features of
# custom/tss_model.py extract_cell_features.


def az_entropy(feat):
    """Expressivity of one feature map (B, C, H, W) in its dtype: rows = B*H*W pixels (NHWC),
    centred columns, Sigma = X^T X / N, eigvalsh, p = s / sum s, -sum p ln(p + 1e-8). NaN possible
    (zero features; p + 1e-8 < 0)."""
    b, c, h, w = feat.shape
    f = feat.detach().permute(0, 2, 3, 1).reshape(b * h * w, c)
    f = f - f.mean(dim=0, keepdim=True)
    sigma = f.t() @ f / f.shape[0]
    s = torch.linalg.eigvalsh(sigma)
    p = s / s.sum()
    return float((-p * torch.log(p + 1e-8)).sum())


def az_block(u, v):
    """One trainability block: u = VJP of the block at v w.r.t. its input (B, C_in, H_in, W_in),
    v (B, C_out, H_out, W_out). Exact identity -> -inf; else pixel-unshuffle u by H_in / H_out,
    U (N x C_in r^2), V (N x C_out) NHWC rows, M = U^T V / N, sigma = max singular value,
    2 - sigma - 1 / (sigma + 1e-6) evaluated in Python floats (as the official .item() code)."""
    if u.shape == v.shape and torch.all(u == v):
        return -math.inf
    if u.shape[2] != v.shape[2] or u.shape[3] != v.shape[3]:
        r = int(u.shape[2] / v.shape[2])
        u = F.pixel_unshuffle(u, r)        # nn.PixelUnshuffle: channel c*r*r + dy*r + dx
    bo, co, ho, wo = v.shape
    bi, ci, hi, wi = u.shape
    V = v.permute(0, 2, 3, 1).reshape(bo * ho * wo, co)
    U = u.permute(0, 2, 3, 1).reshape(bi * hi * wi, ci)
    mat = U.t() @ V / (bo * ho * wo)
    smax = float(torch.linalg.svdvals(mat).max())
    return -smax - 1 / (smax + 1e-6) + 2


def az_features(net, x):
    """TinyNetwork.extract_cell_features: stem output, then each of the 17 cells' outputs."""
    feats = []
    f = net.stem(x)
    feats.append(f)
    for cell in net.cells:
        f = cell(f)
        feats.append(f)
    return feats


def az_v_length(feat_shapes):
    """Number of V values consumed: sum over l = 1..L of numel(F_l)."""
    return int(sum(int(np.prod(s)) for s in feat_shapes[1:]))


def az_scores(net, x, vflat, dtype=torch.float64):
    """AZ-NAS expressivity / progressivity / trainability of net (train mode) on x, with the
    Rademacher vectors taken from vflat (1-D, consumed from its start for l = L, L-1, ..., 1, each
    chunk reshaped to F_l's NCHW shape). Returns a dict (NaN -> -inf as the official info dict)."""
    net = copy.deepcopy(net).to(dtype)
    net.train()
    x = torch.as_tensor(x).to(dtype)
    feats = az_features(net, x)
    es = np.array([az_entropy(f) for f in feats])
    progressivity = np.min(es[1:] - es[:-1])
    expressivity = np.sum(es)
    vflat = torch.as_tensor(vflat)
    pos = 0
    scores = []
    for i in reversed(range(1, len(feats))):
        f_out, f_in = feats[i], feats[i - 1]
        n = f_out.numel()
        if pos + n > vflat.numel():
            raise ValueError(f"V has {vflat.numel()} values, {pos + n} needed")
        v = vflat[pos:pos + n].reshape(f_out.shape).to(dtype)
        pos += n
        u = torch.autograd.grad(outputs=f_out, inputs=f_in, grad_outputs=v, retain_graph=True)[0]
        scores.append(az_block(u, v))
    trainability = np.mean(scores)
    fix = lambda t: float(t) if not np.isnan(t) else -math.inf   # noqa: E731
    return {"expressivity": fix(expressivity), "progressivity": fix(progressivity),
            "trainability": fix(trainability), "E": es.tolist(), "T": scores}


def az_feature_shapes(net, x):
    with torch.no_grad():
        return [tuple(f.shape) for f in az_features(copy.deepcopy(net).train(), torch.as_tensor(x))]


# ================================================================== SWAP / linear regions
# pym1024/SWAP src/metrics/swap.py and AZ-NAS' compute_te_nas_score.py Linear_Region_Collector.


def _unique_rows(M):
    """Number of distinct rows of a 2-D 0/1 array (rows packed into bytes, then compared)."""
    M = np.ascontiguousarray(np.asarray(M, dtype=np.uint8))
    if M.shape[0] == 0:
        return 0
    packed = np.ascontiguousarray(np.packbits(M, axis=1))
    rows = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    return int(np.unique(rows).shape[0])


def distinct_cols(S):
    """SWAP: number of distinct columns (neuron patterns over the samples) of a 2-D 0/1 array."""
    return _unique_rows(np.asarray(S).T)


def distinct_rows(S):
    """Linear regions: number of distinct rows (sample patterns) of a 2-D 0/1 array."""
    return _unique_rows(S)


def relu_patterns(net, x, dtype=torch.float64):
    """Train mode, no grad, one forward: every nn.ReLU call whose input is 4-D (the official hook
    condition). Returns (S, Z, n_calls): S = sign(concatenated outputs) in {0,1} (B x N uint8),
    Z = the concatenated pre-activations (the ReLU inputs) each divided by the rms of its own ReLU
    call (B x N float64; read by a forward pre-hook, since the in-place lastact ReLU overwrites its
    input), n_calls = the number of ReLU calls hooked."""
    net = copy.deepcopy(net).to(dtype)
    net.train()
    x = torch.as_tensor(x).to(dtype)
    B = x.shape[0]
    outs, pres, hs = [], [], []

    def pre_hook(m, inp):
        if len(inp[0].shape) == 4:
            p = inp[0].detach().clone().reshape(B, -1).double()
            pres.append(p / (torch.sqrt(torch.mean(p * p)) + 1e-300))

    def hook(m, inp, out):
        if isinstance(inp, tuple) and len(inp[0].size()) == 4:
            outs.append(out.detach().reshape(B, -1))

    for m in net.modules():
        if isinstance(m, nn.ReLU):
            hs.append(m.register_forward_pre_hook(pre_hook))
            hs.append(m.register_forward_hook(hook))
    with torch.no_grad():
        net(x)
    for h in hs:
        h.remove()
    S = (torch.sign(torch.cat(outs, 1)) > 0).numpy().astype(np.uint8)   # sign of a ReLU output: 0 / 1
    return S, torch.cat(pres, 1).numpy(), len(outs)


def pattern_ambiguity(Z, tau):
    """Entries whose sign a float32 implementation may legitimately see the other way:
    |pre-activation| <= tau x rms of its ReLU call (Z from relu_patterns). Returns (#entries,
    #columns holding one, #rows holding one). Flipping one entry changes the number of distinct
    columns (rows) by at most 1, so |count - reference| <= #columns (#rows) holding one."""
    amb = (np.abs(Z) <= tau) & (Z != 0)     # exact zeros are structural (x * 0, constant channels)
    return int(amb.sum()), int(amb.any(axis=0).sum()), int(amb.any(axis=1).sum())


# ================================================================== TE-NAS NTK
# AZ-NAS NB201/ZeroShotProxy/compute_te_nas_score.py get_ntk_n (train_mode=True, num_batch=1).


def ntk_grads(net, x, dtype=torch.float64):
    """G (B x P): per sample i, backward of logit[i].sum() through the batch graph (train mode),
    the gradients of every parameter whose name contains 'weight' (named_parameters order)."""
    net = copy.deepcopy(net).to(dtype)
    net.train()
    x = torch.as_tensor(x).to(dtype)
    net.zero_grad()
    logit = net(x)
    if isinstance(logit, tuple):
        logit = logit[1]
    rows = []
    for i in range(x.shape[0]):
        logit[i:i + 1].backward(torch.ones_like(logit[i:i + 1]), retain_graph=True)
        g = [W.grad.view(-1).detach().clone() for name, W in net.named_parameters()
             if "weight" in name and W.grad is not None]
        rows.append(torch.cat(g, -1))
        net.zero_grad()
    return torch.stack(rows, 0)


def ntk_from_grads(G):
    """ntk = -cond(G G^T): eigh ascending, lambda_max / lambda_min, NaN -> 1e5 (np.nan_to_num:
    +-inf -> +-1.797e308)."""
    G = torch.as_tensor(G)
    ntk = torch.einsum("nc,mc->nm", [G, G])
    ev = torch.linalg.eigh(ntk)[0]
    with np.errstate(all="ignore"):
        cond = np.nan_to_num((ev[-1] / ev[0]).item(), copy=True, nan=100000.0)
    return -1 * float(cond)


# ================================================================== VKDNW
# ondratybl/VKDNW NB201/ZeroShotProxy/compute_vkdnw_score.py (945250a = HEAD with p = 1):
# eval mode, theta = element 0 of the first 128 parameter tensors, F = mean_b (L_b J_b)^T (L_b J_b).
VK_ALPHA = float(torch.tensor(0.05, dtype=torch.float16))            # 0.04998779296875
VK_ONE_MINUS = float(1 - torch.tensor(0.05, dtype=torch.float16))    # 0.9501953125 (fp16)


def vk_alpha_over_k(k):
    return float(torch.tensor(0.05, dtype=torch.float16) / k)        # fp16 division


def vkdnw_pi(z, exact=False):
    """pi = softmax(z) (1 - alpha) + alpha / K with the fp16 constants, in z's dtype; z (B, K).
    exact: alpha = 0.05 in z's dtype (zcnas --vkdnw-constants exact)."""
    z = torch.as_tensor(z)
    K = z.shape[1]
    if exact:
        return torch.softmax(z, dim=1) * 0.95 + 0.05 / K
    return torch.softmax(z, dim=1) * VK_ONE_MINUS + vk_alpha_over_k(K)


def vkdnw_L(z, exact=False):
    """cholesky_covariance: L (B, K, K) lower, L_jj = d_j, L_ij = -pi_i d_j / q_j (i > j), column K
    zero; q_j = 1 - cumsum(pi)_j, q_K := 0, d_j = sqrt(pi_j q_j / q_{j-1}) with q_0 = 1."""
    prob = vkdnw_pi(z, exact)
    q = torch.ones_like(prob) - torch.cumsum(prob, dim=1)
    q[:, -1] = 0
    q_shift = torch.roll(q, shifts=1, dims=1)
    q_shift[:, 0] = 1
    d = torch.sqrt(prob * q / q_shift)
    L = -torch.matmul(prob.unsqueeze(2), 1 / q.unsqueeze(2).transpose(1, 2))
    L = torch.nan_to_num(L, neginf=0.)
    K = L.shape[1]
    eye = torch.eye(K, dtype=L.dtype).repeat(L.shape[0], 1, 1)
    L = L * (1 - eye) + eye
    L = L * (1 - torch.triu(torch.ones(K, K, dtype=L.dtype), diagonal=1).repeat(L.shape[0], 1, 1))
    return torch.matmul(L, torch.diag_embed(d))


def vkdnw_entropy(lambdas, eleven=False):
    """q_k = torch.quantile(lambda, k/10) (k = 1..9, levels torch.arange(0.1, 1., 0.1) in float32,
    linear interpolation; eleven: the MobileNet code's torch.arange(0., 1.1, 0.1), k = 0..10);
    t = q / (||q||_1 + 1e-10); -sum t ln(t + 1e-10)."""
    lam = torch.as_tensor(lambdas)
    levels = (torch.arange(0., 1.1, 0.1) if eleven else torch.arange(0.1, 1., 0.1)).to(lam.dtype)
    q = torch.quantile(lam, levels)
    t = q / (torch.linalg.norm(q, ord=1).item() + 1e-10)
    return float(-(t * torch.log(t + 1e-10)).sum())


def vkdnw_jacobian(net, x, n_params=128, dtype=torch.float64, mobilenet=False):
    """J (B, K, P): d logits_b / d (element 0 of each of the first n_params parameter tensors), eval
    mode (BN with the stored running statistics), one sample at a time (samples are independent in
    eval mode). Returns (J, logits, number of parameter tensors).
    mobilenet: VKDNW's ImageNet_MBV2 code: a training-mode forward of the whole batch first (AZ-NAS'
    features: the BN running statistics move once, momentum 0.1), and the tensors are
    random.Random(#tensors).sample(..., 128) (all of them below 128, where Python raises)."""
    import random
    net = copy.deepcopy(net).to(dtype)
    x = torch.as_tensor(x).to(dtype)
    if mobilenet:
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d) and m.track_running_stats:
                m.reset_running_stats()
                m.momentum = 0.1
        net.train()
        with torch.no_grad():
            net(x)
    net.eval()
    params = [p for _, p in net.named_parameters()]
    if mobilenet and len(params) >= n_params:
        sel = [params[i] for i in random.Random(len(params)).sample(range(len(params)), n_params)]
    else:
        sel = params[:n_params]
    B = x.shape[0]
    Js, zs = [], []
    for b in range(B):
        z = net(x[b:b + 1])
        if isinstance(z, tuple):
            z = z[1]
        z = z[0]
        K = z.shape[0]
        J = torch.zeros(K, len(sel), dtype=dtype)
        for c in range(K):
            gs = torch.autograd.grad(z[c], sel, retain_graph=True, allow_unused=True)
            for j, g in enumerate(gs):
                if g is not None:
                    J[c, j] = g.reshape(-1)[0]
        Js.append(J)
        zs.append(z.detach())
    return torch.stack(Js), torch.stack(zs), len(params)


def vkdnw_from_jacobian(J, z, eleven=False, exact=False):
    """F = mean_b (L_b J_b)^T (L_b J_b); lambda = singular values of F; entropy of its deciles."""
    L = vkdnw_L(z, exact)
    LJ = torch.matmul(L, J)
    Fm = torch.mean(torch.matmul(LJ.transpose(1, 2), LJ), dim=0)
    lam = torch.linalg.svdvals(Fm)
    return vkdnw_entropy(lam, eleven), Fm, lam


def vkdnw_reference(net, x, dtype=torch.float64, n_params=128, mobilenet=False, exact=False):
    J, z, n = vkdnw_jacobian(net, x, n_params, dtype, mobilenet)
    ent, _, lam = vkdnw_from_jacobian(J, z, mobilenet, exact)
    return {"vkdnw_dim": float(n), "vkdnw_entropy": ent}


# ================================================================== self-test (spec section 7)


def self_test():
    """The hand-checkable vectors of spec section 7; returns a list of failure messages."""
    bad = []

    def chk(name, got, want, tol):
        if not (abs(got - want) <= tol):
            bad.append(f"{name}: {got!r}, expected {want!r} (tol {tol:g})")

    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rows, want in [(((1, 2, 3, 4), (1, 3, 2, 4)), 0.2), (((1, 2, 3, 4), (4, 3, 2, 1)), 0.0),
                           (((1, 2, 3, 4), (5, 5, 5, 5)), 0.0), (((1, 0, 0, 0), (0, 1, 0, 0)), 2 / 3)]:
            for dt in (torch.float32, torch.float64):
                t = torch.tensor(rows, dtype=dt).reshape(1, 2, 2, 2)    # batch of 1, 2 channels, 2x2
                chk(f"meco {rows} {dt}", meco_value(t[0]), want, 1e-6)
        # logits-like firing (1, K): output[0] = (K,) -> (K, 1) -> all NaN -> 0
        chk("meco (1,K)", meco_value(torch.randn(1, 10)[0]), 0.0, 0.0)
        try:
            meco_value(torch.randn(1, 1, 5)[0])
            bad.append("meco: n = 1 should raise (0-dim correlation)")
        except RuntimeError:
            pass
    # AZ expressivity
    a = torch.tensor([[1., 1, -1, -1], [1, -1, 1, -1]], dtype=torch.float64)
    chk("az E I", az_entropy(a.reshape(1, 2, 2, 2)), 0.6931472, 1e-7)
    chk("az E (1,4)", az_entropy((a * torch.tensor([[1.], [2.]], dtype=torch.float64)).reshape(1, 2, 2, 2)),
        0.5004024, 1e-7)
    chk("az E rank-1", az_entropy(torch.stack([a[0], 2 * a[0]]).reshape(1, 2, 2, 2)), 0.0, 1e-7)
    if not math.isnan(az_entropy(torch.zeros(2, 3, 2, 2, dtype=torch.float64))):
        bad.append("az E of zero features should be NaN")
    # AZ trainability with fixed v: V rows (1,1),(1,-1),(1,1),(1,-1), u = V diag(2, 0.5)
    Vr = torch.tensor([[1., 1], [1, -1], [1, 1], [1, -1]], dtype=torch.float64)
    v = Vr.reshape(1, 2, 2, 2).permute(0, 3, 1, 2)            # NHWC rows -> NCHW
    u = (Vr * torch.tensor([2., 0.5], dtype=torch.float64)).reshape(1, 2, 2, 2).permute(0, 3, 1, 2)
    chk("az T diag(2,.5)", az_block(u, v), -0.4999998, 1e-7)
    chk("az T sigma 1", az_block(-v, v), 1e-6, 1e-9)          # M = -I: sigma 1 (not the identity)
    if az_block(v.clone(), v) != -math.inf:
        bad.append("az T identity block should be -inf")
    # space-to-depth order: u (1, 1, 2, 2) -> (1, 4, 1, 1) channels (u00, u01, u10, u11) = nn.PixelUnshuffle
    uu = torch.tensor([[[[1., 2], [3, 4]]]], dtype=torch.float64)
    if F.pixel_unshuffle(uu, 2).reshape(-1).tolist() != [1., 2, 3, 4]:
        bad.append("pixel_unshuffle channel order")
    vv = torch.ones(1, 1, 1, 1, dtype=torch.float64)
    chk("az T unshuffle", az_block(uu, vv), 2 - math.sqrt(30) - 1 / (math.sqrt(30) + 1e-6), 1e-12)
    # NTK
    G = torch.tensor([[1., 0, 0], [1, 1, 0], [0, 0, 2]], dtype=torch.float64)
    ev = torch.linalg.eigh(G @ G.t())[0].tolist()
    for got, want in zip(ev, [0.381966, 2.618034, 4.0]):
        chk("ntk eig", got, want, 1e-6)
    chk("ntk cond", ntk_from_grads(G), -10.47214, 1e-5)
    chk("ntk NaN", ntk_from_grads(torch.zeros(3, 4, dtype=torch.float64)), -1e5, 0.0)
    # SWAP / LR
    A = np.array([[.5, .1, 0, 1], [0, 0, 0, 1], [2, 3, 0, 1]])
    S = (np.sign(A) > 0).astype(np.uint8)
    chk("swap", distinct_cols(S), 3, 0)
    chk("lr", distinct_rows(S), 2, 0)
    # VKDNW
    chk("vk alpha", VK_ALPHA, 0.04998779296875, 0.0)
    chk("vk 1-alpha", VK_ONE_MINUS, 0.9501953125, 0.0)
    z = torch.tensor([[0., 0, 0], [1, 0, -1]], dtype=torch.float32)
    pi = vkdnw_pi(z)
    for j in range(3):
        chk(f"vk pi0[{j}]", float(pi[0, j]), 0.333394378, 1e-8)
    for j, w in enumerate([0.648771405, 0.249202445, 0.102209225]):
        chk(f"vk pi1[{j}]", float(pi[1, j]), w, 1e-8)
    L = vkdnw_L(z)
    Lw = [[0.4714261, 0, 0], [-0.2357778, 0.4082296, 0], [-0.2357778, -0.4084539, 0]]
    for i in range(3):
        for j in range(3):
            chk(f"vk L[{i}][{j}]", float(L[0, i, j]), Lw[i][j], 1e-7)
    J = torch.eye(3).repeat(2, 1, 1)
    ent, Fm, lam = vkdnw_from_jacobian(J, z)
    ev = sorted(torch.linalg.eigvalsh(Fm.double()).tolist(), reverse=True)
    for got, want in zip(ev, [0.3539214, 0.2329909, 0.0]):
        chk("vk eig F", got, want, 1e-6)
    chk("vk entropy 3", ent, 2.0828888, 1e-6)
    lam = torch.arange(1., 10., dtype=torch.float64)
    q = torch.quantile(lam, torch.arange(0.1, 1., 0.1).double())
    for k in range(9):
        chk(f"vk q{k + 1}", float(q[k]), 1.8 + 0.8 * k, 1e-6)
    chk("vk entropy 1..9", vkdnw_entropy(lam), 2.1068220, 1e-6)
    return bad
