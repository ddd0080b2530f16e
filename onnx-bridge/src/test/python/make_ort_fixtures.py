#!/usr/bin/python3
"""PyTorch-exported ONNX models, small CSVs and an independent numpy reference for the ONNX Runtime probe.

How to rerun (from the repository root):

    /usr/bin/python3 onnx-bridge/src/test/python/make_ort_fixtures.py

It (re)writes onnx-bridge/src/test/resources/fixtures/ort/: for each case NAME a model NAME.onnx (exported with
torch.onnx.export, opset 13, dynamic batch axis), a data file NAME.csv (feature columns f00, f01, ... in input order,
then the label column "label") and one reference.json holding, per case and per dense layer in data-flow order:
the weights W (d_out x d_in, float32 values as stored), the activation counts over the data computed by a numpy
float64 forward pass (stably active / stably dead / unstable; h = W x + b > 0 counts as active), and the metrics of
the stably active submatrices W_i[S_i, C_i] and of the pairs W_from[S_from', C_from] -> W_to[:, cols(S_from')]
(science.md 2.11). C_i, the columns of W_i that read values linear on the data, is written down by hand for each
case from the model's code (its `sources`): every column fed by a graph input, and the columns where the stably
active units of a feeding layer land (a linear layer has S = all units), after a Concat's offset or a Split's window;
C_i is null when layer i reads a sum of several producers (the residual head). S_from' are the units of S_from that
reach the consumer (a Split passes a window of them). The label column is the model's own
numpy prediction with a fixed share flipped, so accuracy is below 1; the reference holds numpy's accuracy.

Cases: branches (two ReLU branches 4-3 and 4-2 that both read the input, joined by a Concat, then 5-3), split_heads
(a 5-6 ReLU trunk Split into 4 and 2 units, each read by its own 4-2 / 2-2 head, the heads added); mlp_bias (6-8-8-3 ReLU with bias), mlp_nobias (5-6-6-2 ReLU without bias), residual (6-8 ReLU, an 8-8 ReLU
block added to its input, 8-3 head), binary_logit (4-6-1 ReLU, one logit), binary_probability (the same shape with a
Sigmoid: one probability), softmax (5-7-4 ReLU then Softmax,
numeric labels), input3d (input [N, 4, 3]: a 3-5 Linear applied at each of the 4 positions, ReLU, Flatten, 20-3);
mlp_external.onnx + mlp_external.data is mlp_bias with its weights in an external data file (same reference).
Rows whose pre-activations come within 1e-3 of zero are dropped so float32 and float64 agree on every sign.
Deterministic (fixed seeds). Needs python3-torch, python3-onnx, python3-numpy (Debian).
"""
import json
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "ort")
MARGIN = 1e-3


def layer_metrics(w):
    s = np.linalg.svd(w, compute_uv=False)
    fro = np.linalg.norm(w, 'fro')
    p = s / s.sum()
    p = p[p > 0]
    return {"shape": list(w.shape), "spectral_norm": float(s[0]), "frobenius_norm": float(fro),
            "rank1_ratio": float(s[0] / fro), "stable_rank": float(fro ** 2 / s[0] ** 2),
            "effective_rank": float(np.exp(-(p * np.log(p)).sum()))}


def pair_metrics(wf, wt):
    uf, sf, _ = np.linalg.svd(wf)
    _, st, vtt = np.linalg.svd(wt)
    a = wf @ wf.T
    b = wt.T @ wt
    c = np.linalg.norm(a @ b - b @ a, 'fro') / (np.sqrt(2) * np.linalg.norm(a, 'fro') * np.linalg.norm(b, 'fro'))
    return {"adjacent_alignment": float(abs(vtt[0] @ uf[:, 0])),
            "weighted_alignment": float(np.linalg.norm(wt @ wf, 2) / (sf[0] * st[0])),
            "commutator_score": float(c)}


def lin(d_in, d_out, bias, rng, active=0, dead=0, positive_inputs=False):
    """A torch Linear with `active` rows forced positive on nonnegative inputs and `dead` rows forced negative."""
    m = torch.nn.Linear(d_in, d_out, bias=bias)
    w = rng.normal(size=(d_out, d_in)) / np.sqrt(d_in)
    b = 0.1 * rng.normal(size=d_out)
    for j in range(active):
        w[j] = np.abs(w[j]) + 0.2
        b[j] = 0.5
    for j in range(active, active + dead):
        w[j] = -np.abs(w[j]) - 0.2
        b[j] = -0.5
    with torch.no_grad():
        m.weight.copy_(torch.tensor(w, dtype=torch.float32))
        if bias:
            m.bias.copy_(torch.tensor(b, dtype=torch.float32))
    return m


def wb(m):
    w = m.weight.detach().numpy().astype(np.float64)
    b = m.bias.detach().numpy().astype(np.float64) if m.bias is not None else np.zeros(w.shape[0])
    return w, b


class Mlp(torch.nn.Module):
    def __init__(self, layers, softmax=False):
        super().__init__()
        self.layers = torch.nn.ModuleList(layers)
        self.softmax = softmax

    def forward(self, x):
        for i, l in enumerate(self.layers):
            x = l(x)
            if i < len(self.layers) - 1:
                x = torch.relu(x)
        return torch.softmax(x, dim=1) if self.softmax else x

    def numpy_forward(self, x):
        hs = []
        for i, l in enumerate(self.layers):
            w, b = wb(l)
            h = x @ w.T + b
            hs.append(h)
            x = np.maximum(h, 0) if i < len(self.layers) - 1 else h
        return hs, x


class SigmoidMlp(Mlp):
    """An Mlp with one output column turned into a probability by a Sigmoid."""

    def forward(self, x):
        return torch.sigmoid(super().forward(x))

    def numpy_forward(self, x):
        hs, out = super().numpy_forward(x)
        return hs, 1.0 / (1.0 + np.exp(-out))


class Residual(torch.nn.Module):
    def __init__(self, rng):
        super().__init__()
        self.inp = lin(6, 8, True, rng, active=3, dead=2)
        self.block = lin(8, 8, True, rng, active=3, dead=2)
        self.head = lin(8, 3, True, rng)

    def forward(self, x):
        h = torch.relu(self.inp(x))
        z = h + torch.relu(self.block(h))
        return self.head(z)

    def numpy_forward(self, x):
        w0, b0 = wb(self.inp)
        w1, b1 = wb(self.block)
        w2, b2 = wb(self.head)
        h0 = x @ w0.T + b0
        a0 = np.maximum(h0, 0)
        h1 = a0 @ w1.T + b1
        z = a0 + np.maximum(h1, 0)
        h2 = z @ w2.T + b2
        return [h0, h1, h2], h2


class Branches(torch.nn.Module):
    """Two ReLU branches that both read the input, joined by a Concat: the second branch's columns are all inputs."""

    def __init__(self, rng):
        super().__init__()
        self.a = lin(4, 3, True, rng, active=2, dead=1)
        self.b = lin(4, 2, True, rng, active=1, dead=0)
        self.head = lin(5, 3, True, rng)

    def forward(self, x):
        return self.head(torch.cat([torch.relu(self.a(x)), torch.relu(self.b(x))], dim=1))

    def numpy_forward(self, x):
        wa, ba = wb(self.a)
        wbb, bb = wb(self.b)
        wh, bh = wb(self.head)
        ha = x @ wa.T + ba
        hb = x @ wbb.T + bb
        hh = np.concatenate([np.maximum(ha, 0), np.maximum(hb, 0)], axis=1) @ wh.T + bh
        return [ha, hb, hh], hh


class SplitHeads(torch.nn.Module):
    """A ReLU trunk split into two windows of its units, each read by its own head; the heads' outputs added."""

    def __init__(self, rng):
        super().__init__()
        self.trunk = lin(5, 6, True, rng, active=4, dead=1)
        self.h1 = lin(4, 2, True, rng)
        self.h2 = lin(2, 2, True, rng)

    def forward(self, x):
        a, b = torch.split(torch.relu(self.trunk(x)), [4, 2], dim=1)
        return self.h1(a) + self.h2(b)

    def numpy_forward(self, x):
        wt, bt = wb(self.trunk)
        w1, b1 = wb(self.h1)
        w2, b2 = wb(self.h2)
        ht = x @ wt.T + bt
        t = np.maximum(ht, 0)
        h1 = t[:, :4] @ w1.T + b1
        h2 = t[:, 4:] @ w2.T + b2
        return [ht, h1, h2], h1 + h2


class Input3d(torch.nn.Module):
    def __init__(self, rng):
        super().__init__()
        self.pos = lin(3, 5, True, rng, active=2, dead=1)
        self.head = lin(20, 3, True, rng)

    def forward(self, x):
        return self.head(torch.relu(self.pos(x)).flatten(1))

    def numpy_forward(self, x):
        w0, b0 = wb(self.pos)
        w1, b1 = wb(self.head)
        h0 = x @ w0.T + b0            # [N, 4, 5]
        h1 = np.maximum(h0, 0).reshape(len(x), -1) @ w1.T + b1
        # a dense layer applied at every position: each (example, position) is one observation of its units
        return [h0.reshape(-1, 5), h1], h1


def sign_safe(model, x):
    hs, _ = model.numpy_forward(x)
    ok = np.ones(len(x), dtype=bool)
    for h in hs[:-1]:
        hh = h.reshape(len(x), -1)
        ok &= np.abs(hh).min(axis=1) > MARGIN
    return x[ok]


def activation_sets(hs, relu):
    sets = []
    for h, r in zip(hs, relu):
        d = h.shape[1]
        if not r:
            sets.append((list(range(d)), [], 0))
            continue
        pos = (h > 0).sum(axis=0)
        active = [int(j) for j in range(d) if pos[j] == h.shape[0]]
        dead = [int(j) for j in range(d) if pos[j] == 0]
        sets.append((active, dead, d - len(active) - len(dead)))
    return sets


def reference(name, model, weights, relu, edges, x, labels, classes, scores_to_class, sources=None):
    """sources[i]: how layer i's columns are fed, by hand from the model's code: a list of
    (producer, producer_start, column_start, length) with producer -1 for the graph input, ("tiled", producer) for a
    producer applied at positions and flattened (units fastest), or None for a sum of several producers. edges: a list
    of (from, to) or (from, to, producer_start, column_start, length) for a window. Default: a chain."""
    hs, out = model.numpy_forward(x)
    sets = activation_sets(hs, relu)
    if sources is None:
        sources = [[(i - 1, 0, 0, w.shape[1])] if i > 0 else [(-1, 0, 0, w.shape[1])] for i, w in enumerate(weights)]

    def columns(i):
        src = sources[i]
        if src is None:
            return None
        cols = []
        for s in src:
            if s[0] == "tiled":
                d = weights[s[1]].shape[0]
                cols += [p * d + j for p in range(weights[i].shape[1] // d) for j in sets[s[1]][0]]
                continue
            producer, ps, cs, length = s
            units = range(ps, ps + length) if producer < 0 else [u for u in sets[producer][0] if ps <= u < ps + length]
            cols += [cs + (u - ps) for u in units]
        return sorted(cols)

    layers = []
    for i, w in enumerate(weights):
        rows = sets[i][0]
        cols = columns(i)
        sub = w[np.ix_(rows, cols)] if rows and cols else None
        layers.append({"shape": list(w.shape), "weights": w.tolist(), "relu": relu[i], "stably_active": sets[i][0], "stably_dead": sets[i][1],
                       "unstable": sets[i][2], "stable_rows": rows, "stable_columns": cols,
                       "stable_metrics": layer_metrics(sub) if sub is not None and min(sub.shape) > 0 else None})
    pairs = []
    for e in edges:
        f, t = e[0], e[1]
        ps, cs, length = e[2:] if len(e) > 2 else (0, 0, weights[f].shape[0])
        s = [u for u in sets[f][0] if ps <= u < ps + length]
        before = layers[f]["stable_columns"]
        m = None
        # pair metrics need both vectors in one space: none across the Flatten of input3d
        if s and before and (len(e) > 2 or weights[f].shape[0] == weights[t].shape[1]):
            m = pair_metrics(weights[f][np.ix_(s, before)], weights[t][:, [cs + (u - ps) for u in s]])
        pairs.append({"from": f, "to": t, "stable_metrics": m})
    predicted = scores_to_class(out)
    accuracy = float(np.mean([classes[p] == l for p, l in zip(predicted, labels)]))
    return {"model": name + ".onnx", "data": name + ".csv", "examples": int(len(x)), "classes": classes,
            "layers": layers, "pairs": pairs, "accuracy": accuracy}


def write_csv(name, x, labels):
    flat = x.reshape(len(x), -1)
    with open(os.path.join(OUT, name + ".csv"), "w") as f:
        f.write(",".join([f"f{j:02d}" for j in range(flat.shape[1])] + ["label"]) + "\n")
        for row, l in zip(flat, labels):
            f.write(",".join(repr(float(v)) for v in row) + "," + l + "\n")


def export(name, model, shape):
    model.eval()
    torch.onnx.export(model, torch.zeros(shape, dtype=torch.float32), os.path.join(OUT, name + ".onnx"),
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, opset_version=13)


def labels_for(pred, classes, rng, flip=0.15):
    out = []
    for p in pred:
        c = p
        if rng.random() < flip:
            c = (p + 1 + rng.integers(len(classes) - 1)) % len(classes)
        out.append(classes[c])
    return out


def case(name, model, shape, weights, relu, edges, classes, n, rng, positive_inputs=True,
         scores_to_class=lambda s: s.argmax(axis=1), sources=None):
    torch.manual_seed(0)
    lo = 0.05 if positive_inputs else -1.0
    x = rng.uniform(lo, 1.0, size=(4 * n,) + tuple(shape[1:]))
    # round to what the CSV holds exactly (repr of a float64 round-trips), then to float32 as ONNX Runtime sees it
    x = x.astype(np.float32).astype(np.float64)
    x = sign_safe(model, x)[:n]
    _, out = model.numpy_forward(x)
    labels = labels_for(scores_to_class(out), classes, rng)
    write_csv(name, x, labels)
    export(name, model, shape)
    return reference(name, model, [w.astype(np.float32).astype(np.float64) for w in weights], relu, edges, x, labels,
                     classes, scores_to_class, sources)


def main():
    os.makedirs(OUT, exist_ok=True)
    refs = {}
    rng = np.random.default_rng(13)

    m = Mlp([lin(6, 8, True, rng, 3, 2), lin(8, 8, True, rng, 3, 2), lin(8, 3, True, rng)])
    refs["mlp_bias"] = case("mlp_bias", m, (1, 6), [wb(l)[0] for l in m.layers], [True, True, False],
                            [(0, 1), (1, 2)], ["cat", "dog", "eel"], 60, rng)

    m = Mlp([lin(5, 6, False, rng, 2, 2), lin(6, 6, False, rng, 2, 1), lin(6, 2, False, rng)])
    refs["mlp_nobias"] = case("mlp_nobias", m, (1, 5), [wb(l)[0] for l in m.layers], [True, True, False],
                              [(0, 1), (1, 2)], ["no", "yes"], 50, rng)

    m = Residual(rng)
    refs["residual"] = case("residual", m, (1, 6), [wb(m.inp)[0], wb(m.block)[0], wb(m.head)[0]], [True, True, False],
                            [(0, 1), (0, 2), (1, 2)], ["a", "b", "c"], 60, rng,
                            sources=[[(-1, 0, 0, 6)], [(0, 0, 0, 8)], None])

    m = Mlp([lin(4, 6, True, rng, 2, 2), lin(6, 1, True, rng)])
    # centre the logit on inputs like the data's (own generator, so the other cases stay as they are), so that both
    # classes are predicted and the sign of z decides
    probe_x = np.random.default_rng(99).uniform(0.05, 1.0, size=(200, 4))
    with torch.no_grad():
        m.layers[1].bias -= float(np.median(m.numpy_forward(probe_x)[1][:, 0]))
    refs["binary_logit"] = case("binary_logit", m, (1, 4), [wb(l)[0] for l in m.layers], [True, False], [(0, 1)],
                                ["neg", "pos"], 60, rng,
                                scores_to_class=lambda s: (s[:, 0] > 0).astype(int))

    m = Mlp([lin(5, 7, True, rng, 2, 2), lin(7, 4, True, rng)], softmax=True)
    refs["softmax"] = case("softmax", m, (1, 5), [wb(l)[0] for l in m.layers], [True, False], [(0, 1)],
                           ["0", "1", "2", "3"], 60, rng)

    m = Input3d(rng)
    refs["input3d"] = case("input3d", m, (1, 4, 3), [wb(m.pos)[0], wb(m.head)[0]], [True, False], [(0, 1)],
                           ["x", "y", "z"], 40, rng, sources=[[(-1, 0, 0, 3)], [("tiled", 0)]])

    # last, so the cases above keep their random draws
    m = SigmoidMlp([lin(4, 6, True, rng, 2, 2), lin(6, 1, True, rng)])
    probe_x = np.random.default_rng(98).uniform(0.05, 1.0, size=(200, 4))
    with torch.no_grad():
        m.layers[1].bias -= float(np.median(Mlp.numpy_forward(m, probe_x)[1][:, 0]))
    refs["binary_probability"] = case("binary_probability", m, (1, 4), [wb(l)[0] for l in m.layers], [True, False],
                                      [(0, 1)], ["neg", "pos"], 60, rng,
                                      scores_to_class=lambda s: (s[:, 0] > 0.5).astype(int))

    # graphs rather than chains (after the cases above, so those keep their random draws)
    m = Branches(rng)
    refs["branches"] = case("branches", m, (1, 4), [wb(m.a)[0], wb(m.b)[0], wb(m.head)[0]], [True, True, False],
                            [(0, 2, 0, 0, 3), (1, 2, 0, 3, 2)], ["p", "q", "r"], 60, rng,
                            sources=[[(-1, 0, 0, 4)], [(-1, 0, 0, 4)], [(0, 0, 0, 3), (1, 0, 3, 2)]])
    m = SplitHeads(rng)
    refs["split_heads"] = case("split_heads", m, (1, 5), [wb(m.trunk)[0], wb(m.h1)[0], wb(m.h2)[0]],
                               [True, False, False], [(0, 1, 0, 0, 4), (0, 2, 4, 0, 2)], ["u", "v"], 60, rng,
                               sources=[[(-1, 0, 0, 5)], [(0, 0, 0, 4)], [(0, 4, 0, 2)]])

    # mlp_bias again with its weights in an external data file next to it (ONNX Runtime must find it although the
    # probe opens a modified copy of the model)
    import onnx
    ext = onnx.load(os.path.join(OUT, "mlp_bias.onnx"))
    if os.path.exists(os.path.join(OUT, "mlp_external.data")):
        os.remove(os.path.join(OUT, "mlp_external.data"))   # onnx.save_model appends to an existing data file
    onnx.save_model(ext, os.path.join(OUT, "mlp_external.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="mlp_external.data", size_threshold=0)

    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(refs, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
