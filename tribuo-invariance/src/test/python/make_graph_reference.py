#!/usr/bin/python3
"""Independent numpy (float64) reference for the analyzer on a data-flow graph (GraphAnalysisTest).

How to rerun (from the repository root):

    /usr/bin/python3 tribuo-invariance/src/test/python/make_graph_reference.py

It (re)writes tribuo-invariance/src/test/resources/fixtures/graph_reference.json. The weights are not stored: every
matrix is the formula below (integer arithmetic, then rounded to float32), which GraphAnalysisTest evaluates the same
way, so the fixture holds only the expected figures.

    entry(i, j; seed) = ((i * 7919 + j * 104729 + seed * 1299709 + i * j * 31) mod 1000) / 1000 - 0.5
    scaled by 1 / sqrt(columns), plus a rank-one spike 2 * a_i * b_j (a_i = cos(0.1 (i + seed)),
    b_j = sin(0.07 (j + 1) + seed)) so that σ₁ is well separated and the top singular vectors are well defined.

Layers (W is d_out x d_in) and edges (producer -> consumer, ops):
    0 "in"        40 x 30
    1 "wide"     600 x 40      edge 0 -> 1 [Relu]           (d = 40: Gram path)
    2 "narrow"    50 x 600     edge 1 -> 2 [Relu]           (d = 600 > 40 + 50: low-rank path)
    3 "sliced"    70 x 30      edge 2 -> 3 [Slice]          no metrics: d_out(narrow)=50 but d_in(sliced)=30
    4 "conv3x3"    8 x 450     3x3 convolution, groups 1    edge 2 -> 4 [Reshape]: no metrics (patches)
    5 "pointwise" 16 x 50      1x1 convolution, groups 1    edge 2 -> 5 [Relu, Add] residual: metrics (d = 50)
Per layer: spectral norm, Frobenius norm, stable rank, rank-1 ratio, effective rank (l1-normalised), numerical rank
(float32 eps), sigma2/sigma1, the top 10 singular values. Per edge with metrics: |v1(W_to)^T u1(W_from)|,
||W_to W_from||_2 / (||W_to||_2 ||W_from||_2), c = ||AB - BA||_F / (sqrt(2) ||A||_F ||B||_F) with A = W_from W_from^T,
B = W_to^T W_to, and ||B - A||_F.
"""
import json
import os

import numpy as np

SHAPES = [("in", 40, 30), ("wide", 600, 40), ("narrow", 50, 600), ("sliced", 70, 30), ("conv3x3", 8, 450),
          ("pointwise", 16, 50)]
EDGES = [(0, 1), (1, 2), (2, 5)]


def matrix(rows, cols, seed):
    i = np.arange(rows, dtype=np.int64)[:, None]
    j = np.arange(cols, dtype=np.int64)[None, :]
    base = ((i * 7919 + j * 104729 + seed * 1299709 + i * j * 31) % 1000).astype(np.float64) / 1000.0 - 0.5
    a = np.cos(0.1 * (np.arange(rows) + seed))[:, None]
    b = np.sin(0.07 * (np.arange(cols) + 1) + seed)[None, :]
    w = base / np.sqrt(cols) + 2.0 * a * b
    return w.astype(np.float32).astype(np.float64)


def layer(w):
    s = np.linalg.svd(w, compute_uv=False)
    fro = np.linalg.norm(w)
    p = s / s.sum()
    p = p[p > 0]
    return {"spectral_norm": s[0], "frobenius_norm": fro, "stable_rank": fro ** 2 / s[0] ** 2,
            "rank1_ratio": s[0] / fro, "effective_rank": float(np.exp(-(p * np.log(p)).sum())),
            "numerical_rank": int((s > s[0] * max(w.shape) * np.finfo(np.float32).eps).sum()),
            "sigma2_over_sigma1": s[1] / s[0], "singular_values": s[:10].tolist()}


def pair(wf, wt):
    uf, sf, _ = np.linalg.svd(wf)
    _, st, vt = np.linalg.svd(wt)
    a = wf @ wf.T
    b = wt.T @ wt
    c = np.linalg.norm(a @ b - b @ a) / (np.sqrt(2) * np.linalg.norm(a) * np.linalg.norm(b))
    return {"top_alignment": abs(float(vt[0] @ uf[:, 0])),
            "weighted_alignment": np.linalg.norm(wt @ wf, 2) / (sf[0] * st[0]),
            "commutator_score": c, "balancedness": np.linalg.norm(b - a)}


def main():
    ws = [matrix(r, c, seed) for seed, (_, r, c) in enumerate(SHAPES)]
    out = {"layers": [dict(name=n, **layer(w)) for (n, _, _), w in zip(SHAPES, ws)],
           "pairs": [dict(producer=p, consumer=q, **pair(ws[p], ws[q])) for p, q in EDGES]}
    path = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "graph_reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, default=float)
        f.write("\n")


if __name__ == "__main__":
    main()
