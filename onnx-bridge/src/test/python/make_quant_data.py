#!/usr/bin/python3
"""Labelled data for the quantised MLPs of onnx/wild (quant_dynamic.onnx, quant_qdq.onnx, quant_qoperator.onnx, ...:
one float MLP x[N,8] -> 6 -> ReLU -> 4 in ORT's quantisation layouts), for `analyze --data` on a quantised model as
README and docs/guide.md show it.

How to rerun (from the repository root):

    /usr/bin/python3 onnx-bridge/src/test/python/make_quant_data.py

It writes onnx-bridge/src/test/resources/onnx/wild-data/quant_mlp.csv: 150 rows of 8 features (x0..x7, standard
normal, 4 decimals) and a label, the class the FLOAT model predicts (c0..c3: the argmax of its scores, computed in
float64 from make_wild_fixtures.py's reference.json, each quantised layer's `float_weights` and `float_bias`), 50 rows
of each class it predicts (the first of 20,000 draws predicted as it, in draw order). It never predicts c1, so the
file has three labels for the model's four output columns: give the order with --classes c0,c1,c2,c3. The accuracy
of a quantised model on this file is its agreement with the float model. Deterministic (seed 2020).
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RESOURCES = os.path.join(HERE, "..", "resources", "onnx")


def main():
    with open(os.path.join(RESOURCES, "wild", "reference.json")) as f:
        ref = json.load(f)
    model = next(m for m in ref["models"] if m["file"] == "quant_dynamic.onnx")
    (w1, b1), (w2, b2) = [(np.array(l["float_weights"]), np.array(l["float_bias"])) for l in model["layers"]]
    rng = np.random.default_rng(2020)
    draws = np.round(rng.standard_normal((20000, w1.shape[1])), 4)
    predicted = (np.maximum(draws @ w1.T + b1, 0) @ w2.T + b2).argmax(axis=1)
    present = [c for c in range(w2.shape[0]) if np.count_nonzero(predicted == c) >= 50]
    assert present == [0, 2, 3], present
    picked = np.sort(np.concatenate([np.flatnonzero(predicted == c)[:50] for c in present]))
    x, labels = draws[picked], predicted[picked]
    os.makedirs(os.path.join(RESOURCES, "wild-data"), exist_ok=True)
    with open(os.path.join(RESOURCES, "wild-data", "quant_mlp.csv"), "w") as f:
        f.write(",".join("x%d" % j for j in range(x.shape[1])) + ",label\n")
        for row, label in zip(x, labels):
            f.write(",".join("%.4f" % v for v in row) + ",c%d\n" % label)


if __name__ == "__main__":
    main()
