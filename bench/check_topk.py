#!/usr/bin/python3
"""Checks `analyze --spectrum top-k --format json` output against float64 numpy/scipy on a sample of layers.

  bench/check_topk.py MODEL.onnx ANALYSIS.json [REGEX]

For every layer whose name matches REGEX (default: the first block's and the last block's layers and lm_head of B8,
or every layer of a one-layer model), reads the float16/float32 weight from its external data with numpy.fromfile
(every weight of B8/B9 is a MatMul's right operand B, so W = B^T), forms the smaller Gram matrix in float64 and takes
its ten leading eigenpairs (scipy.linalg.eigh, LAPACK dsyevr): sigma_i = sqrt(lambda_i), the top singular pair from
the eigenvector and W times it. Prints one JSON line: per layer the largest relative error of the ten leading singular
values, per pair of sampled layers with an entry in the analysis the error of the top alignment |<u1(from), v1(to)>|,
and the worst of each.
"""
import json
import os
import re
import sys

import numpy as np
import onnx
import scipy.linalg

DTYPES = {onnx.TensorProto.FLOAT: np.float32, onnx.TensorProto.FLOAT16: np.float16}


def weight(folder, t):
    info = {e.key: e.value for e in t.external_data}
    count = int(np.prod(t.dims))
    b = np.fromfile(os.path.join(folder, info["location"]), dtype=DTYPES[t.data_type], count=count,
                    offset=int(info.get("offset", "0"))).reshape(tuple(t.dims))
    return b.astype(np.float64).T


def top(w, k=10):
    m, n = w.shape
    if n <= m:
        g = w.T @ w
        lam, vec = scipy.linalg.eigh(g, subset_by_index=[n - k, n - 1])
        sigma = np.sqrt(lam[::-1])
        v1 = vec[:, -1]
        u1 = w @ v1 / sigma[0]
    else:
        g = w @ w.T
        lam, vec = scipy.linalg.eigh(g, subset_by_index=[m - k, m - 1])
        sigma = np.sqrt(lam[::-1])
        u1 = vec[:, -1]
        v1 = w.T @ u1 / sigma[0]
    return sigma, u1, v1


def main():
    path, analysis = sys.argv[1], sys.argv[2]
    pattern = re.compile(sys.argv[3] if len(sys.argv) > 3 else r"^model\.layers\.(0|31)\.|^lm_head|^[^.]+$")
    folder = os.path.dirname(os.path.abspath(path))
    model = onnx.load(path, load_external_data=False)
    with open(analysis) as f:
        ours = json.load(f)
    inits = {t.name: t for t in model.graph.initializer}
    layers, vectors = {}, {}
    for layer in ours["layers"]:
        name = layer["name"]
        if not pattern.search(name) or name not in inits:
            continue
        sigma, u1, v1 = top(weight(folder, inits[name]))
        got = np.array(layer["singular_values"][:10])
        layers[name] = float(np.max(np.abs(got - sigma) / sigma))
        vectors[name] = (u1, v1)
    pairs = {}
    for pair in ours.get("alignment", []):
        a, b = pair["from"], pair["to"]
        if a in vectors and b in vectors and pair.get("top_alignment") is not None:
            want = abs(float(vectors[a][0] @ vectors[b][1]))
            pairs[a + " -> " + b] = abs(pair["top_alignment"] - want)
    print(json.dumps({"layers_checked": len(layers), "worst_value_rel_error": max(layers.values(), default=None),
                      "pairs_checked": len(pairs), "worst_alignment_error": max(pairs.values(), default=None),
                      "layers": layers, "pairs": pairs}))


if __name__ == "__main__":
    main()
