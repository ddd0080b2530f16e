#!/usr/bin/env python3
"""Independent PyTorch (float64) reference for full-batch gradient descent on
square-loss multi-output regression networks (DeepNetRegressionTrainer).

How to rerun (from the repository root):

    /usr/bin/python3 tribuo-invariance/src/test/python/make_regression_reference.py

It (re)writes tribuo-invariance/src/test/resources/fixtures/regression_reference.json.
Deterministic (fixed seeds, float64, CPU).

Conventions (column-vector, as torch.nn.Linear): layer i has W_i of shape
(d_out, d_in) and optional bias b_i; h_i = W_i x_i + b_i; hidden layers apply
the activation, the last layer is linear. Loss: mean over the N examples of
0.5 * ||f(x_n) - y_n||^2 (y_n real vectors, one entry per output).
Update: theta <- theta - lr * grad(mean loss), constant lr.

Cases: a 2-output network with 2 hidden layers, linear and ReLU (with biases
for the ReLU one), and the single-output E5 network f(x) = v^T ReLU(W x) on two
points with the same target 1.

JSON: {"description", "generator", "torch_version", "cases": [{"name",
"activation", "bias", "learning_rate", "steps", "widths", "x", "y" (N x k),
"initial", "weights" (per step 0..steps: list of layers {"w", "b"}),
"losses" (before each step and after the last)}]}.
"""

import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_PATH = os.path.normpath(
    os.path.join(HERE, "..", "resources", "fixtures", "regression_reference.json"))


def forward(params, x, activation):
    cur = x
    for i, (w, b) in enumerate(params):
        h = cur @ w.T
        if b is not None:
            h = h + b
        if i < len(params) - 1 and activation == "relu":
            h = torch.relu(h)
        cur = h
    return cur


def mean_loss(out, y):
    return (0.5 * ((out - y) ** 2).sum(dim=1)).mean()


def layers_to_json(params):
    return [{"w": w.detach().tolist(),
             "b": (b.detach().tolist() if b is not None else None)}
            for (w, b) in params]


def run(case, x, y, params):
    lr = case["learning_rate"]
    weights = [layers_to_json(params)]
    losses = []
    for _ in range(case["steps"]):
        leaves = [(w.detach().clone().requires_grad_(True),
                   b.detach().clone().requires_grad_(True) if b is not None else None)
                  for (w, b) in params]
        loss = mean_loss(forward(leaves, x, case["activation"]), y)
        losses.append(loss.item())
        flat = [t for pair in leaves for t in pair if t is not None]
        grads = iter(torch.autograd.grad(loss, flat))
        new = []
        for (w, b) in leaves:
            gw = next(grads)
            gb = next(grads) if b is not None else None
            new.append((w.detach() - lr * gw,
                        (b.detach() - lr * gb) if b is not None else None))
        params = new
        weights.append(layers_to_json(params))
    losses.append(mean_loss(forward(params, x, case["activation"]), y).item())
    return {
        "name": case["name"], "activation": case["activation"], "bias": case["bias"],
        "learning_rate": lr, "steps": case["steps"], "widths": case["widths"],
        "x": x.tolist(), "y": y.tolist(), "initial": weights[0],
        "weights": weights, "losses": losses,
    }


def random_case(case):
    gen = torch.Generator().manual_seed(case["seed"])
    widths = case["widths"]
    n, d, k = case["n"], widths[0], widths[-1]
    x = torch.randn(n, d, generator=gen)
    m = torch.randn(k, d, generator=gen)
    y = torch.tanh(x @ m.T) + 0.1 * torch.randn(n, k, generator=gen)
    params = []
    for d_in, d_out in zip(widths[:-1], widths[1:]):
        w = torch.randn(d_out, d_in, generator=gen) * (0.7 / math.sqrt(d_in))
        b = torch.randn(d_out, generator=gen) * 0.1 if case["bias"] else None
        params.append((w, b))
    return run(case, x, y, params)


def two_point_case(case):
    """E5: two unit vectors at an obtuse angle, both with target 1; f = v^T ReLU(W x)."""
    gen = torch.Generator().manual_seed(case["seed"])
    theta = 2.4
    x = torch.tensor([[1.0, 0.0], [math.cos(theta), math.sin(theta)]])
    y = torch.tensor([[1.0], [1.0]])
    width = case["widths"][1]
    w = torch.randn(width, 2, generator=gen) * 0.3
    v = torch.randn(1, width, generator=gen) * 0.3
    return run(case, x, y, [(w, None), (v, None)])


CASES = [
    (random_case, dict(name="two_outputs_linear_nobias", activation="linear", bias=False,
                       widths=[4, 5, 3, 2], n=9, seed=201, learning_rate=0.1, steps=8)),
    (random_case, dict(name="two_outputs_relu_bias", activation="relu", bias=True,
                       widths=[4, 5, 3, 2], n=11, seed=202, learning_rate=0.1, steps=8)),
    (two_point_case, dict(name="one_output_relu_two_points_same_target", activation="relu",
                          bias=False, widths=[2, 6, 1], seed=203, learning_rate=0.05, steps=8)),
]


def main():
    cases = [make(c) for make, c in CASES]
    doc = {
        "description": (
            "Full-batch gradient descent on the mean of 0.5*||f(x) - y||^2 "
            "(PyTorch autograd, float64). W_i has shape (d_out, d_in), "
            "h = W x + b. 'weights'[s] holds every layer after s updates "
            "(s = 0 is the initial network); 'losses' holds the mean loss "
            "before each update and after the last. Generated by "
            "tribuo-invariance/src/test/python/make_regression_reference.py."),
        "generator": "make_regression_reference.py",
        "torch_version": torch.__version__,
        "cases": cases,
    }
    with open(OUT_PATH, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    for c in cases:
        assert len(c["weights"]) == c["steps"] + 1
        assert all(math.isfinite(v) for v in c["losses"])
        print(f"{c['name']:45s} N={len(c['x'])} widths={c['widths']} "
              f"loss {c['losses'][0]:.6f} -> {c['losses'][-1]:.6f}")
    print(f"wrote {OUT_PATH} ({os.path.getsize(OUT_PATH)} bytes)")


if __name__ == "__main__":
    main()
