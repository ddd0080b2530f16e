#!/usr/bin/env python3
"""Independent PyTorch (float64) reference for gradient descent on structured
linear networks (Yun, Krishnan & Mobahi 2021), and a NumPy reference for the
aligned initialisation (Radhakrishnan et al. 2020).

How to rerun (from the repository root):

    /usr/bin/python3 tribuo-invariance/src/test/python/make_structured_reference.py

It (re)writes tribuo-invariance/src/test/resources/fixtures/structured_reference.json.
Deterministic (fixed seeds, float64, CPU).

Structured GD ("cases"): the network's hidden layers are d x d matrices built
from d parameters, the output layer is a dense k x d matrix:
  * diagonal:  W = diag(w)
  * circulant: W[i][j] = c[(i - j) mod d]   (circular convolution, one filter)
The gradient with respect to w or c comes from autograd through that
construction (so dL/dc_k = sum_{i-j = k mod d} dL/dW[i][j] is not written by
hand here). Losses are means over the examples: binary (one output, y = +-1,
z = y f(x)) logistic softplus(-z); multi-class cross-entropy logsumexp(f) - f_c.
Update: theta <- theta - lr * grad, constant lr. "parameters" lists, for step
0 (initial) .. steps, the hidden layers' parameter vectors and the output
layer's row-major weights.

Aligned initialisation ("aligned"): x_n = e_n (N = d) and y_n = C[:, n], so
C = sum_n y_n x_n^T exactly, with C = U diag(sigma) V^T for orthogonal U, V
drawn here. With layer widths d_0 .. d_L, W_i = Q_{i+1}[:, :r] diag(s) Q_i[:, :r]^T,
r = min(d_i, d_{i+1}), s_j = scale (1 + 1e-3 j), Q_0 = V, Q_L = U and any
orthogonal middle Q's; the end-to-end P = W_{L-1} ... W_0 then equals
U[:, :m] diag(prod_i s_j) V[:, :m]^T (m = min of all widths) whatever the middle
Q's and the SVD signs, and layer i's singular values are s_{r-1} >= .. >= s_0.
"""

import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_PATH = os.path.normpath(
    os.path.join(HERE, "..", "resources", "fixtures", "structured_reference.json"))


def dense(structure, p, d):
    if structure == "diagonal":
        return torch.diag(p)
    i = torch.arange(d).unsqueeze(1)
    j = torch.arange(d).unsqueeze(0)
    return p[(i - j) % d]


def loss_of(params, structure, x, y, classes):
    d = x.shape[1]
    cur = x
    for p in params[:-1]:
        cur = cur @ dense(structure, p, d).T
    out = cur @ params[-1].T
    if classes == 2:
        z = y * out[:, 0]
        return F.softplus(-z).mean()
    return F.cross_entropy(out, y)


def run_case(name, structure, d, n, hidden_layers, classes, lr, steps, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    if classes == 2:
        y = torch.where(torch.randn(n, generator=g) > 0, 1.0, -1.0)
    else:
        y = torch.arange(n) % classes
    k = 1 if classes == 2 else classes
    params = [(0.5 * torch.randn(d, generator=g)).requires_grad_() for _ in range(hidden_layers)]
    params.append((0.5 * torch.randn(k, d, generator=g)).requires_grad_())
    history = [[p.detach().clone().reshape(-1).tolist() for p in params]]
    losses = []
    for _ in range(steps):
        loss = loss_of(params, structure, x, y, classes)
        losses.append(loss.item())
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, gr in zip(params, grads):
                p -= lr * gr
        history.append([p.detach().clone().reshape(-1).tolist() for p in params])
    return {
        "name": name,
        "structure": structure,
        "classes": classes,
        "learning_rate": lr,
        "steps": steps,
        "x": x.tolist(),
        "y": y.tolist(),
        "losses": losses,
        "parameters": history,
    }


def orthogonal(rng, n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def aligned_case(widths, scale, sigma, seed):
    rng = np.random.default_rng(seed)
    d, k = widths[0], widths[-1]
    u = orthogonal(rng, k)
    v = orthogonal(rng, d)
    c = u[:, :len(sigma)] @ np.diag(sigma) @ v[:, :len(sigma)].T
    m = min(widths)
    prod = np.ones(m)
    layer_values = []
    for i in range(len(widths) - 1):
        r = min(widths[i], widths[i + 1])
        s = scale * (1 + 1e-3 * np.arange(r))
        layer_values.append(sorted(s.tolist(), reverse=True))
        prod *= s[:m]
    p = u[:, :m] @ np.diag(prod) @ v[:, :m].T
    return {
        "widths": widths,
        "scale": scale,
        "x": np.eye(d).tolist(),
        "y": c.T.tolist(),
        "end_to_end": p.tolist(),
        "layer_singular_values": layer_values,
    }


def main():
    cases = [
        run_case("diagonal, two layers, logistic", "diagonal", 4, 6, 1, 2, 0.2, 5, 1),
        run_case("circulant, two layers, logistic", "circulant", 5, 7, 1, 2, 0.2, 5, 2),
        run_case("circulant, three layers, three classes", "circulant", 4, 9, 2, 3, 0.1, 5, 3),
        run_case("diagonal, three layers, three classes", "diagonal", 4, 9, 2, 3, 0.1, 5, 4),
    ]
    fixture = {
        "description": "GD on structured linear nets (torch autograd) and the aligned init's figures (numpy)",
        "generator": "tribuo-invariance/src/test/python/make_structured_reference.py",
        "torch_version": torch.__version__,
        "cases": cases,
        "aligned": aligned_case([4, 4, 4, 3], 0.1, [5.0, 3.0, 1.0], 5),
    }
    with open(OUT_PATH, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
