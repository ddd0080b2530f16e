#!/usr/bin/python3
"""Independent numpy/scipy (float64) reference for the weight analyzer (science.md sections 2.1-2.9).

How to rerun (from the repository root):

    /usr/bin/python3 tribuo-invariance/src/test/python/make_analysis_reference.py

It (re)writes tribuo-invariance/src/test/resources/fixtures/analysis_reference.json. Deterministic (fixed seed).

Contents: a 3-layer bias-free linear network W0 (5x4), W1 (3x5), W2 (1x3) with its per-layer metrics
(numpy.linalg.svd / matrix_rank), per-pair metrics (adjacent alignment, weighted alignment, commutator score,
balancedness, matched-vector and subspace scores with delta = 1e-2), and a separable data set (N = 20, d = 4,
labels from a teacher through the origin) with the homogeneous hard-margin SVM solved by scipy's SLSQP on the
primal QP (min 1/2 |u|^2 s.t. y_n u.x_n >= 1), the end-to-end predictor w = (W2 W1 W0)^T, its cosine with the SVM
direction and its normalised margin ratio.
"""
import json
import os

import numpy as np
from scipy.optimize import minimize

rng = np.random.default_rng(20240603)
W = [rng.normal(size=(5, 4)), rng.normal(size=(3, 5)), rng.normal(size=(1, 3))]


def layer_metrics(w):
    s = np.linalg.svd(w, compute_uv=False)
    m, n = w.shape
    fro = np.linalg.norm(w, 'fro')
    p = s / s.sum()
    p = p[p > 0]
    return {
        "singular_values": s.tolist(),
        "spectral_norm": float(s[0]),
        "frobenius_norm": float(fro),
        "rank1_ratio": float(s[0] / fro),
        "stable_rank": float(fro ** 2 / s[0] ** 2),
        "numerical_rank": int(np.linalg.matrix_rank(w)),
        "relative_rank_1e2": int((s > 1e-2 * s[0]).sum()),
        "relative_rank_1e3": int((s > 1e-3 * s[0]).sum()),
        "effective_rank": float(np.exp(-(p * np.log(p)).sum())),
        "nuclear_frobenius_ratio": float(s.sum() / fro),
        "second_to_first_ratio": float(s[1] / s[0]) if len(s) > 1 else 0.0,
        "spectral_gap": float(s[0] - (s[1] if len(s) > 1 else 0.0)),
    }


def pair_metrics(wf, wt):
    uf, sf, _ = np.linalg.svd(wf)
    _, st, vtt = np.linalg.svd(wt)
    vt = vtt.T
    a = wf @ wf.T
    b = wt.T @ wt
    c = np.linalg.norm(a @ b - b @ a, 'fro') / (np.sqrt(2) * np.linalg.norm(a, 'fro') * np.linalg.norm(b, 'fro'))
    k = int(min((sf > 1e-2 * sf[0]).sum(), (st > 1e-2 * st[0]).sum()))
    mm = vt[:, :k].T @ uf[:, :k]
    return {
        "adjacent_alignment": float(abs(vt[:, 0] @ uf[:, 0])),
        "weighted_alignment": float(np.linalg.norm(wt @ wf, 2) / (sf[0] * st[0])),
        "commutator_score": float(c),
        "balancedness": float(np.linalg.norm(b - a, 'fro')),
        "matched_rank": k,
        "matched_vector_score": float(np.abs(mm).max(axis=1).mean()),
        "subspace_score": float((mm ** 2).sum() / k),
    }


teacher = rng.normal(size=4)
X = rng.normal(size=(40, 4))
X = X[np.abs(X @ teacher) > 0.3][:20]
y = np.sign(X @ teacher)
res = minimize(lambda u: 0.5 * u @ u, np.zeros(4), jac=lambda u: u, method='SLSQP',
               constraints=[{'type': 'ineq', 'fun': lambda u: y * (X @ u) - 1, 'jac': lambda u: y[:, None] * X}],
               options={'ftol': 1e-15, 'maxiter': 1000})
u = res.x
uhat = u / np.linalg.norm(u)
P = W[2] @ W[1] @ W[0]
w = P[0]
cos = float(w @ uhat / np.linalg.norm(w))
gamma = float((y * (X @ w)).min() / np.linalg.norm(w))
gamma_star = float((y * (X @ uhat)).min())

out = {
    "weights": [wi.tolist() for wi in W],
    "layers": [layer_metrics(wi) for wi in W],
    "pairs": [pair_metrics(W[0], W[1]), pair_metrics(W[1], W[2])],
    "data": {"inputs": X.tolist(), "labels": y.tolist()},
    "svm": {"weights": u.tolist(), "margin": gamma_star, "one_over_norm": float(1 / np.linalg.norm(u))},
    "end_to_end": {"predictor": w.tolist(), "cosine": cos, "normalised_margin": gamma, "margin_ratio": gamma / gamma_star},
}
path = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "analysis_reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", os.path.normpath(path), "svm success", res.success, "min margin", (y * (X @ u)).min())
