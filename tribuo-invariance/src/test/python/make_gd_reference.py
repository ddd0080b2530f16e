#!/usr/bin/env python3
"""Independent PyTorch (float64) reference for full-batch gradient descent on
deep linear / ReLU feed-forward classifiers.

How to rerun (from the repository root):

    /usr/bin/python3 tribuo-invariance/src/test/python/make_gd_reference.py

It (re)writes tribuo-invariance/src/test/resources/fixtures/gd_reference.json.
The script is deterministic (fixed seeds, float64, CPU), so rerunning it
should reproduce the fixture (up to last-bit differences across torch builds).

What the fixture checks: the Java trainer's forward pass, mean loss, gradients
(via autograd here, so independent of any hand-written backprop) and plain
full-batch gradient-descent updates, for binary (one output unit, labels in
{-1,+1}, margin z = y f(x)) and multi-class (k output units) problems, with the
logistic, exponential and squared losses, linear or ReLU activations, with or
without biases, and with an optional residual skip.

Conventions (column-vector, same as torch.nn.Linear):
  * layer i has weight W_i of shape (d_out, d_in) and optional bias b_i (d_out)
  * h_i = W_i x_i + b_i ; x_{i+1} = act(h_i) for hidden layers, the last layer
    is linear (no activation)
  * skip: for 1 <= i <= L-2 (0-based layer index, L layers) with d_in == d_out,
    x_{i+1} = act(W_i x_i + b_i) + x_i
  * binary losses (mean over n):  logistic softplus(-z), exponential exp(-z),
    squared 0.5 (f - y)^2
  * multi-class losses (mean over n): logistic = cross entropy
    logsumexp(f) - f_c, exponential = sum_{j != c} exp(f_j - f_c),
    squared = 0.5 sum_j (f_j - onehot_j)^2
  * update: theta <- theta - lr * grad(mean loss); constant lr, no momentum,
    no weight decay.

JSON schema: {"description": str, "generator": str, "torch_version": str,
"cases": [ {"name", "classes", "activation", "bias", "skip", "loss",
"learning_rate", "steps", "widths", "seed", "x", "y", "initial", "losses",
"final", "initial_gradients"} ]}; see write-up in main() below.
"""

import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

LEARNING_RATE = 0.1
STEPS = 5

# Output path, relative to this script: ../resources/fixtures/gd_reference.json
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_PATH = os.path.normpath(
    os.path.join(HERE, "..", "resources", "fixtures", "gd_reference.json"))


# --------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------

def forward(params, x, activation, skip):
    """Forward pass on a batch.

    params: list of (W, b) with W of shape (d_out, d_in), b of shape (d_out)
            or None.
    x:      (N, d) tensor, rows are examples.
    Returns (N, d_out_last) outputs.

    Row-batched form of the column-vector convention h = W x + b, i.e.
    H = X W^T + b.
    """
    L = len(params)
    cur = x
    for i, (w, b) in enumerate(params):
        h = cur @ w.T
        if b is not None:
            h = h + b
        if i == L - 1:
            # last layer: always linear, never skipped
            cur = h
            break
        a = torch.relu(h) if activation == "relu" else h
        d_out, d_in = w.shape
        if skip and 1 <= i <= L - 2 and d_in == d_out:
            a = a + cur
        cur = a
    return cur


def mean_loss(out, y, loss, classes):
    """Mean loss over the batch, following the conventions in the header."""
    if classes == 2:
        f = out[:, 0]          # one output unit
        if loss == "squared":
            return (0.5 * (f - y) ** 2).mean()
        z = y * f               # margin
        if loss == "logistic":
            return F.softplus(-z).mean()
        if loss == "exponential":
            return torch.exp(-z).mean()
        raise ValueError(loss)
    # multi-class, y holds integer class indices (long tensor)
    n, k = out.shape
    f_c = out.gather(1, y.view(-1, 1))            # (N, 1) score of true class
    if loss == "logistic":
        return (torch.logsumexp(out, dim=1) - f_c[:, 0]).mean()
    if loss == "exponential":
        e = torch.exp(out - f_c)                  # (N, k), entry c equals 1
        mask = torch.ones_like(out)
        mask.scatter_(1, y.view(-1, 1), 0.0)      # drop the j == c term
        return (e * mask).sum(dim=1).mean()
    if loss == "squared":
        t = F.one_hot(y, num_classes=k).to(out.dtype)
        return (0.5 * ((out - t) ** 2).sum(dim=1)).mean()
    raise ValueError(loss)


# --------------------------------------------------------------------------
# Data / initialisation
# --------------------------------------------------------------------------

def make_data(gen, n, d, classes):
    """X ~ N(0, 1); labels from a random linear teacher (binary: sign of
    X v, as -1/+1 floats) or argmax of a random linear map (multi-class)."""
    x = torch.randn(n, d, generator=gen)
    if classes == 2:
        v = torch.randn(d, generator=gen)
        s = x @ v
        y = torch.where(s >= 0, torch.tensor(1.0), torch.tensor(-1.0))
        # make sure both classes are present (deterministic fix-up)
        if (y > 0).all() or (y < 0).all():
            y[0] = -y[0]
    else:
        m = torch.randn(classes, d, generator=gen)
        y = (x @ m.T).argmax(dim=1)
    return x, y


def init_params(gen, widths, bias):
    """W ~ N(0, (0.5/sqrt(fan_in))^2), b ~ N(0, 0.1^2) when present."""
    params = []
    for d_in, d_out in zip(widths[:-1], widths[1:]):
        w = torch.randn(d_out, d_in, generator=gen) * (0.5 / math.sqrt(d_in))
        b = torch.randn(d_out, generator=gen) * 0.1 if bias else None
        params.append((w, b))
    return params


# --------------------------------------------------------------------------
# Serialisation helpers (Python floats -> repr round-trips exactly)
# --------------------------------------------------------------------------

def layers_to_json(params):
    return [{"w": w.detach().tolist(),
             "b": (b.detach().tolist() if b is not None else None)}
            for (w, b) in params]


def grads_to_json(grads):
    return [{"w": gw.tolist(), "b": (gb.tolist() if gb is not None else None)}
            for (gw, gb) in grads]


# --------------------------------------------------------------------------
# Gradient descent run
# --------------------------------------------------------------------------

def loss_and_grads(params, x, y, case):
    """Mean loss and its autograd gradient w.r.t. every W and b."""
    leaves = []
    for w, b in params:
        leaves.append(w.detach().clone().requires_grad_(True))
        leaves.append(b.detach().clone().requires_grad_(True)
                      if b is not None else None)
    p = [(leaves[2 * i], leaves[2 * i + 1]) for i in range(len(params))]
    out = forward(p, x, case["activation"], case["skip"])
    loss = mean_loss(out, y, case["loss"], case["classes"])
    tensors = [t for t in leaves if t is not None]
    g = torch.autograd.grad(loss, tensors)
    it = iter(g)
    grads = []
    for w, b in p:
        gw = next(it)
        gb = next(it) if b is not None else None
        grads.append((gw, gb))
    return loss.item(), grads


def run_case(case):
    gen = torch.Generator().manual_seed(case["seed"])
    classes = case["classes"]
    x, y = make_data(gen, case["n"], case["widths"][0], classes)
    params = init_params(gen, case["widths"], case["bias"])
    initial = layers_to_json(params)

    lr = LEARNING_RATE
    losses = []
    initial_grads = None
    for step in range(STEPS):
        loss, grads = loss_and_grads(params, x, y, case)
        losses.append(loss)
        if step == 0:
            initial_grads = grads_to_json(grads)
        # plain full-batch GD step
        params = [(w - lr * gw, (b - lr * gb) if b is not None else None)
                  for (w, b), (gw, gb) in zip(params, grads)]
    final_loss, _ = loss_and_grads(params, x, y, case)
    losses.append(final_loss)

    return {
        "name": case["name"],
        "classes": classes,
        "activation": case["activation"],
        "bias": case["bias"],
        "skip": case["skip"],
        "loss": case["loss"],
        "learning_rate": lr,
        "steps": STEPS,
        "widths": case["widths"],
        "seed": case["seed"],
        "x": x.tolist(),
        "y": y.tolist() if classes == 2 else [int(c) for c in y.tolist()],
        "initial": initial,
        "losses": losses,
        "final": layers_to_json(params),
        "initial_gradients": initial_grads,
    }


# Case definitions: widths = [d, hidden..., outputs]
CASES = [
    dict(name="binary_linear_nobias_logistic", classes=2, activation="linear",
         bias=False, skip=False, loss="logistic", n=12, widths=[5, 4, 4, 1],
         seed=101),
    dict(name="binary_linear_nobias_exponential", classes=2,
         activation="linear", bias=False, skip=False, loss="exponential",
         n=10, widths=[4, 4, 4, 1], seed=102),
    dict(name="binary_linear_nobias_squared", classes=2, activation="linear",
         bias=False, skip=False, loss="squared", n=14, widths=[3, 4, 4, 1],
         seed=103),
    dict(name="binary_relu_bias_logistic", classes=2, activation="relu",
         bias=True, skip=False, loss="logistic", n=16, widths=[6, 5, 5, 1],
         seed=104),
    dict(name="binary_relu_bias_skip_logistic", classes=2, activation="relu",
         bias=True, skip=True, loss="logistic", n=15, widths=[5, 4, 4, 4, 1],
         seed=105),
    dict(name="multiclass3_relu_bias_logistic", classes=3, activation="relu",
         bias=True, skip=False, loss="logistic", n=18, widths=[4, 5, 4, 3],
         seed=106),
    dict(name="multiclass3_linear_nobias_exponential", classes=3,
         activation="linear", bias=False, skip=False, loss="exponential",
         n=12, widths=[5, 4, 3, 3], seed=107),
    dict(name="multiclass3_relu_bias_squared", classes=3, activation="relu",
         bias=True, skip=False, loss="squared", n=20, widths=[6, 6, 5, 3],
         seed=108),
]


def check_finite(obj, path="root"):
    """Recursively assert every number in the structure is finite."""
    if isinstance(obj, float):
        assert math.isfinite(obj), path
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            check_finite(v, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            check_finite(v, f"{path}.{k}")


def main():
    torch.manual_seed(0)  # not used directly (explicit generators), set anyway
    cases = [run_case(c) for c in CASES]
    doc = {
        "description": (
            "Full-batch gradient descent reference (PyTorch autograd, "
            "float64). W_i has shape (d_out, d_in), h = W x + b. 'losses' "
            "holds the mean loss before each of the 'steps' updates plus the "
            "loss after the last one; 'initial_gradients' is the gradient of "
            "the mean loss at 'initial'. Generated by "
            "tribuo-invariance/src/test/python/make_gd_reference.py."),
        "generator": "make_gd_reference.py",
        "torch_version": torch.__version__,
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")

    # Verification: reload, check finiteness and shapes, print a summary.
    with open(OUT_PATH) as fh:
        back = json.load(fh)
    check_finite(back)
    for c in back["cases"]:
        assert len(c["losses"]) == c["steps"] + 1
        for key in ("initial", "final", "initial_gradients"):
            layers = c[key]
            assert len(layers) == len(c["widths"]) - 1
            for (d_in, d_out), lay in zip(zip(c["widths"][:-1],
                                              c["widths"][1:]), layers):
                assert len(lay["w"]) == d_out
                assert all(len(r) == d_in for r in lay["w"])
                assert (lay["b"] is None) == (not c["bias"])
                if lay["b"] is not None:
                    assert len(lay["b"]) == d_out
        out_units = 1 if c["classes"] == 2 else c["classes"]
        assert c["widths"][-1] == out_units
        ys = sorted(set(c["y"]))
        print(f"{c['name']:40s} N={len(c['x']):2d} widths={c['widths']} "
              f"labels={ys} losses: {c['losses'][0]:.6f} -> "
              f"{c['losses'][-1]:.6f}")
    print(f"wrote {OUT_PATH} ({os.path.getsize(OUT_PATH)} bytes)")


if __name__ == "__main__":
    main()
