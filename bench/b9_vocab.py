#!/usr/bin/python3
"""Writes benchmark B9's model: one layer larger than the heap it is analysed in.

  bench/b9_vocab.py DIR   DIR/b9_vocab.onnx + DIR/b9_vocab.data: logits = X @ B with B a 4096 x 128256 float16
                          weight in external data (a LLaMA-3-sized vocabulary, 1.05 GB; W = B^T is 128256 x 4096),
                          rank-64 signal plus Gaussian noise as in ../shared/bench/onnx_models.py B8.

Analysed in top-k mode with a 512 MB heap (bench/run.sh B9):
  INVARIANCE_JAVA_OPTS=-Xmx512m bin/invariance analyze DIR/b9_vocab.onnx --spectrum top-k --format json
The weight's float32 copy alone (2.1 GB) is four times that heap: only panels of it are read at a time.
Deterministic (seed 9), written a block of 512 rows at a time (about 600 MB of memory). Needs python3-numpy and
python3-onnx (Debian).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

ROWS, COLS, RANK = 4096, 128256, 64


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(9)
    a = rng.standard_normal((ROWS, RANK), dtype=np.float32)
    b = rng.standard_normal((RANK, COLS), dtype=np.float32)
    data = "b9_vocab.data"
    with open(os.path.join(out, data), "wb") as f:
        for r0 in range(0, ROWS, 512):
            block = (a[r0:r0 + 512] @ b) / np.float32(RANK)
            block += np.float32(0.1) * rng.standard_normal(block.shape, dtype=np.float32)
            f.write(np.ascontiguousarray(block.astype(np.float16)).tobytes())
    t = TensorProto()
    t.name = "lm_head.weight"
    t.data_type = TensorProto.FLOAT16
    t.dims.extend([ROWS, COLS])
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", data), ("offset", "0"), ("length", str(2 * ROWS * COLS))):
        e = t.external_data.add()
        e.key, e.value = k, v
    g = helper.make_graph([helper.make_node("MatMul", ["x", "lm_head.weight"], ["logits"])], "b9_vocab",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT16, ["N", ROWS])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT16, ["N", COLS])], [t])
    m = helper.make_model(g, producer_name="bench/b9_vocab.py", opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(m, os.path.join(out, "b9_vocab.onnx"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
