"""PyTorch reference for the NAS-Bench-NLP search space (spec 2.1, 2.4, 4.6), written from the spec.

The model is the AWD-style language model of NAS-Bench-NLP in eval mode (no dropout, no weight drop):
Embedding(V, emsize) -> nlayers CustomRNN layers built from a recipe -> decoder tied to the embedding.
Parameter names follow the official code (rnns.{l}.cell.components.{node}.weights.{j} ...), so a
weight dictionary saved by zcnas loads strictly. `epsilon_outputs` / `epsilon_score` are epsinas'
NAS-Bench-NLP variant of compute_epsinas.

Run as a script for a self-check (needs $ZCNAS_DATA for the parameter counts):
    ZCNAS_DATA=<data root> /usr/bin/python3 tests/oracle/nbnlp_reference.py
"""
import json
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import epsilon_from_outputs  # noqa: E402  (the one copy of the epsinas scoring)

_ARITY = {"linear": None, "blend": 3, "elementwise_prod": 2, "elementwise_sum": 2,
          "activation_tanh": 1, "activation_sigm": 1, "activation_leaky_relu": 1}


def _prev_index(name):
    """i for 'h_prev_i', else None."""
    s = name[len("h_prev_"):]
    return int(s) if name.startswith("h_prev_") and s.isdigit() else None


def topo_order(recipe):
    """Kahn's topological sort of the recipe graph (sources 'x' / 'h_prev_i' included);
    ties are broken by first appearance (inputs before keys, in recipe order). Raises on a cycle."""
    nodes = []
    for k, spec in recipe.items():
        for n in list(spec["input"]) + [k]:
            if n not in nodes:
                nodes.append(n)
    indeg = {n: len(recipe[n]["input"]) if n in recipe else 0 for n in nodes}
    order, ready = [], [n for n in nodes if indeg[n] == 0]
    while ready:
        n = ready.pop(0)
        order.append(n)
        for k in nodes:  # each occurrence of n as an input is one edge
            if k in recipe and n in recipe[k]["input"]:
                indeg[k] -= recipe[k]["input"].count(n)
                if indeg[k] == 0:
                    ready.append(k)
    if len(order) != len(nodes):
        raise ValueError("recipe has a cycle")
    return order


def hidden_tuple_size(recipe):
    """T = 1 + max i over keys 'h_new_i' (0 if none)."""
    return 1 + max([int(k[6:]) for k in recipe if k.startswith("h_new_") and k[6:].isdigit()], default=-1)


class MultiLinear(nn.Module):
    """W_0 in_0 + b + W_1 in_1 + ...: F.linear(in0, W0, b) + F.linear(in1, W1) + ..., left to right."""

    def __init__(self, in_sizes, out_size, device=None):
        super().__init__()
        self.weights = nn.ParameterList([nn.Parameter(torch.empty(out_size, s, device=device)) for s in in_sizes])
        self.bias = nn.Parameter(torch.empty(out_size, device=device))

    def forward(self, *inputs):
        y = F.linear(inputs[0], self.weights[0], self.bias)
        for x, w in zip(inputs[1:], list(self.weights)[1:]):
            y = y + F.linear(x, w)
        return y


class CustomRNNCell(nn.Module):
    """One step of a recipe cell: (x (B, in), hidden tuple of (B, H)) -> new hidden tuple."""

    def __init__(self, in_size, hid_size, recipe, device=None):
        super().__init__()
        self.recipe, self.T = recipe, hidden_tuple_size(recipe)
        if self.T == 0 or any(f"h_new_{i}" not in recipe for i in range(self.T)):
            raise ValueError("recipe must define h_new_0 .. h_new_{T-1}")
        for k, spec in recipe.items():
            n = len(spec["input"])
            if spec["op"] not in _ARITY or (_ARITY[spec["op"]] or n) != n or n == 0:
                raise ValueError(f"node {k}: unsupported op {spec['op']} with {n} inputs")
            for i in spec["input"]:
                if i != "x" and i not in recipe and not (_prev_index(i) is not None and _prev_index(i) < self.T):
                    raise ValueError(f"node {k}: unknown input {i}")
        self.order = topo_order(recipe)
        self.components = nn.ModuleDict({
            k: MultiLinear([in_size if i == "x" else hid_size for i in s["input"]], hid_size, device)
            for k, s in recipe.items() if s["op"] == "linear"})

    def forward(self, x, hidden):
        v = {}
        for n in self.order:
            if n == "x":
                v[n] = x
            elif n not in self.recipe:
                v[n] = hidden[_prev_index(n)]
            else:
                op, a = self.recipe[n]["op"], [v[i] for i in self.recipe[n]["input"]]
                if op == "linear":
                    v[n] = self.components[n](*a)
                elif op == "blend":
                    v[n] = a[0] * a[1] + (1 - a[0]) * a[2]
                elif op == "elementwise_prod":
                    v[n] = a[0] * a[1]
                elif op == "elementwise_sum":
                    v[n] = a[0] + a[1]
                elif op == "activation_tanh":
                    v[n] = torch.tanh(a[0])
                elif op == "activation_sigm":
                    v[n] = torch.sigmoid(a[0])
                else:
                    v[n] = F.leaky_relu(a[0], 0.01)
        return tuple(v[f"h_new_{i}"] for i in range(self.T))


class CustomRNN(nn.Module):
    """A cell run over the sequence; output at each step is h_new_0."""

    def __init__(self, in_size, hid_size, recipe, device=None):
        super().__init__()
        self.hid_size = hid_size
        self.cell = CustomRNNCell(in_size, hid_size, recipe, device)

    def forward(self, inputs, hidden):
        outs = []
        for x in torch.unbind(inputs, 0):
            hidden = self.cell(x, hidden)
            outs.append(hidden[0])
        return torch.stack(outs, 0), hidden


class TiedDecoder(nn.Module):
    """Decoder whose weight is the embedding weight (passed in), owning only its bias."""

    def __init__(self, vocab, device=None):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(vocab, device=device))

    def forward(self, x, weight):
        return F.linear(x, weight, self.bias)


class NLPModel(nn.Module):
    """AWD-style LM in eval mode (no dropout): Embedding(V, emsize) -> nlayers custom RNN layers (input
    emsize for layer 0 else nhid; hidden nhid except the last layer, which has emsize because the decoder
    is tied) -> decoder: logits = out @ encoder.weight^T + decoder.bias.
    Parameters: encoder.weight [V, emsize]; rnns.{l}.cell.components.{node}.weights.{j} [H_l, in_j] and
    rnns.{l}.cell.components.{node}.bias [H_l] per linear node (recipe key order); decoder.bias [V].
    Init as the official code: embedding U(-0.1, 0.1), cell parameters U(-1/sqrt(H_l), 1/sqrt(H_l)), decoder
    bias 0. device='meta' builds shapes only. The recipe is a dict (or its JSON string)."""

    def __init__(self, recipe, vocab, emsize=400, nhid=600, nlayers=3, device=None):
        super().__init__()
        recipe = json.loads(recipe) if isinstance(recipe, str) else recipe
        self.vocab, self.emsize, self.nlayers = vocab, emsize, nlayers
        self.encoder = nn.Embedding(vocab, emsize, device=device)
        self.hid_sizes = [nhid if l != nlayers - 1 else emsize for l in range(nlayers)]
        self.rnns = nn.ModuleList([CustomRNN(emsize if l == 0 else nhid, self.hid_sizes[l], recipe, device)
                                   for l in range(nlayers)])
        self.decoder = TiedDecoder(vocab, device)
        with torch.no_grad():
            self.encoder.weight.uniform_(-0.1, 0.1)
            for rnn in self.rnns:
                for p in rnn.parameters():
                    p.uniform_(-rnn.hid_size ** -0.5, rnn.hid_size ** -0.5)
        self.eval()

    def init_hidden(self, batch, value=0.0):
        """Per layer, a tuple of T (B, H_l) tensors filled with `value`."""
        w = self.encoder.weight
        return [tuple(torch.full((batch, r.hid_size), value, dtype=w.dtype, device=w.device)
                      for _ in range(r.cell.T)) for r in self.rnns]

    def forward(self, tokens, hidden=None):
        """tokens (T, B) long; hidden: list per layer of tuples of (B, H_l), None = zeros.
        Returns (logits (T, B, V), raw_outputs: per layer (T, B, H_l), h_new_0 at every step)."""
        hidden = self.init_hidden(tokens.shape[1]) if hidden is None else hidden
        out, raw_outputs = F.embedding(tokens, self.encoder.weight), []
        for rnn, h in zip(self.rnns, hidden):
            out, _ = rnn(out, tuple(h))
            raw_outputs.append(out)
        return self.decoder(out, self.encoder.weight), raw_outputs


def num_params(model):
    """Number of parameters, each counted once (the tied embedding/decoder weight once)."""
    return sum(p.numel() for p in model.parameters())


def load_weights(model, d):
    """Copy numpy arrays into the parameters by name; every name required, shapes exact, no extras."""
    params = dict(model.named_parameters())
    missing, extra = sorted(set(params) - set(d)), sorted(set(d) - set(params))
    if missing or extra:
        raise KeyError(f"load_weights: missing {missing[:5]}, unexpected {extra[:5]}")
    with torch.no_grad():
        for name, p in params.items():
            a = np.asarray(d[name])
            if tuple(a.shape) != tuple(p.shape):
                raise ValueError(f"load_weights: {name} has shape {a.shape}, expected {tuple(p.shape)}")
            p.copy_(torch.from_numpy(np.ascontiguousarray(a)).to(p.dtype))


def lm_loss(logits, targets):
    """Mean cross-entropy over all T*B positions."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def epsilon_outputs(model, tokens, w, embedding):
    """epsinas NLP forward for weight w (spec 2.4), modifying `model` in place: every cell parameter
    (weights and biases) := w, embedding weight := `embedding` (the same array for both w; it is also
    the tied decoder weight, which is unused), decoder bias untouched, every initial hidden state := w;
    eval mode, no grad. Returns raw_outputs[-1][:, :, 0] flattened (T*B numpy values in the model's
    dtype: float32 unless the model was made double)."""
    model.eval()
    with torch.no_grad():
        for rnn in model.rnns:
            for p in rnn.parameters():
                p.fill_(w)
        model.encoder.weight.copy_(torch.as_tensor(np.asarray(embedding)).to(model.encoder.weight.dtype))
        _, raw = model(tokens, model.init_hidden(tokens.shape[1], w))
    return raw[-1][:, :, 0].reshape(-1).cpu().numpy()


def epsilon_score(y_low, y_high):
    """Spec 2.1: min-max each row over the whole vector (nanmin/nanmax), zeros -> NaN,
    nanmean|p0 - p1| / nanmean(both rows). NaN for a constant row. Arithmetic in the inputs' dtype."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return epsilon_from_outputs([y_low, y_high])


# ------------------------------------------------------------------ self-check
RNN = {"f": {"op": "linear", "input": ["x", "h_prev_0"]}, "h_new_0": {"op": "activation_tanh", "input": ["f"]}}
LSTM = {**{g: {"op": "linear", "input": ["x", "h_prev_0"]} for g in "ifgo"},
        "i_a": {"op": "activation_sigm", "input": ["i"]}, "f_a": {"op": "activation_sigm", "input": ["f"]},
        "g_a": {"op": "activation_tanh", "input": ["g"]}, "o_a": {"op": "activation_sigm", "input": ["o"]},
        "c1": {"op": "elementwise_prod", "input": ["f_a", "h_prev_1"]},
        "c2": {"op": "elementwise_prod", "input": ["i_a", "g_a"]},
        "h_new_1": {"op": "elementwise_sum", "input": ["c1", "c2"]},
        "c_a": {"op": "activation_tanh", "input": ["h_new_1"]},
        "h_new_0": {"op": "elementwise_prod", "input": ["o_a", "c_a"]}}
# LSTM-like with blend, a 3-input linear, leaky_relu and 3 hidden states (keys deliberately out of order)
BLEND3 = {"h_new_0": {"op": "elementwise_prod", "input": ["o_a", "c_a"]},
          "c_a": {"op": "activation_tanh", "input": ["h_new_1"]},
          "h_new_1": {"op": "blend", "input": ["f_a", "h_prev_1", "g_a"]},
          "h_new_2": {"op": "elementwise_sum", "input": ["h_prev_2", "h_new_1"]},
          "f": {"op": "linear", "input": ["x", "h_prev_0", "h_prev_2"]},
          "f_a": {"op": "activation_sigm", "input": ["f"]},
          "g": {"op": "linear", "input": ["h_prev_0", "x"]},
          "g_a": {"op": "activation_tanh", "input": ["g"]},
          "o": {"op": "linear", "input": ["x", "h_prev_1"]},
          "o_a": {"op": "activation_leaky_relu", "input": ["o"]}}


def _main():
    import csv
    from torch.nn.utils import stateless
    root = os.environ.get("ZCNAS_DATA")
    if not root:
        sys.exit("nbnlp_reference.py: ZCNAS_DATA is not set")
    rows = list(csv.DictReader(open(os.path.join(root, "benchmarks", "nbnlp_wikitext2_logs.csv"))))
    ok = sum(num_params(NLPModel(r["recipe_json"], 33278, device="meta")) == int(r["num_params"]) for r in rows)
    print(f"(1) num_params: {ok}/{len(rows)} recipes match the CSV")

    torch.manual_seed(0)
    m = NLPModel(BLEND3, 20, emsize=4, nhid=5).double()
    names = [n for n, _ in m.named_parameters()]
    tokens, targets = torch.randint(0, 20, (3, 2)), torch.randint(0, 20, (3, 2))
    hid = [tuple(torch.randn(2, r.hid_size, dtype=torch.float64) for _ in range(3)) for r in m.rnns]
    flat_h = [h for layer in hid for h in layer]

    def f(*xs):
        ps, hs = dict(zip(names, xs[:len(names)])), list(xs[len(names):])
        h = [tuple(hs[3 * l:3 * l + 3]) for l in range(3)]
        logits, raw = stateless.functional_call(m, ps, (tokens, h))
        return lm_loss(logits, targets), logits, raw[0], raw[-1]

    xs = [p.detach().clone().requires_grad_() for p in m.parameters()] + [h.requires_grad_() for h in flat_h]
    print("(2) gradcheck (BLEND3, double, all parameters and initial hidden states):",
          torch.autograd.gradcheck(f, xs, eps=1e-6, atol=1e-5, rtol=1e-4))

    print("(3) epsilon scores, weights [1e-5, 1e-3], vocab 50, emsize 16, nhid 24, T=10, B=8:")
    tokens = torch.randint(0, 50, (10, 8), generator=torch.Generator().manual_seed(1))
    torch.manual_seed(21)
    emb = torch.rand(50, 16).numpy()
    for name, rec in [("RNN", RNN), ("LSTM", LSTM), ("BLEND3", BLEND3)]:
        out = {}
        for dt in (torch.float32, torch.float64):
            model = NLPModel(rec, 50, emsize=16, nhid=24).to(dt)
            out[dt] = epsilon_score(*[epsilon_outputs(model, tokens, w, emb) for w in (1e-5, 1e-3)])
        print(f"    {name:6s} float32 {out[torch.float32]:.9g}  float64 {out[torch.float64]:.9g}")


if __name__ == "__main__":
    _main()
