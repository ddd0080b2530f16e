#!/usr/bin/python3
"""Fixtures for the top-k spectrum read from the file a panel at a time (issue 23): small ONNX models whose layers
are large enough for block Lanczos (min(d_out, d_in) > 64) in every stored form the panel reader converts, with
numpy's float64 SVD of each layer's exact W as the reference.

How to rerun (from the repository root):

    /usr/bin/python3 onnx-bridge/src/test/python/make_stream_fixtures.py

It writes onnx-bridge/src/test/resources/onnx/stream/:
- f16_chain.onnx + f16_chain.data: float16 weights in external data: MatMul(x, B1 [160, 120]) (W1 = B1^T, a
  transposed layer), Relu, Gemm(h, B2 [120, 100], transB=0, alpha=-0.75) (W2 = -0.75 B2^T);
- bf16_raw.onnx: bfloat16 weights in raw_data: MatMul(x, B1 [100, 140]) (W1 = B1^T), Relu, Gemm transB=1 with
  B2 [90, 140] (W2 = B2);
- int8_channel.onnx: DequantizeLinear of int8 [130, 80] per column (axis 1, scale and zero point of 80) into
  MatMul (W1 = ((q - z) s)^T), Relu, DequantizeLinear of uint8 [70, 80] per row (axis 0) into Gemm transB=1
  (W2 = (q - z) s);
- conv_f32.onnx + conv_f32.data: float32 Conv kernels in external data, [72, 8, 3, 3] (W1 72 x 72) then a 1x1
  [80, 72, 1, 1] (W2 80 x 72), Relu between;
- reference.json: per model and layer the ten leading singular values of W and ||W||_F (float64 SVD of the stored
  values, dequantised in float64), and per pair the top alignment |<u1(producer), v1(consumer)>|.
Each W is a decaying spectrum (sigma_i = 3 * 0.8^i on 40 directions) plus Gaussian noise 0.01, so the leading values
are well separated. Deterministic (seed 23).
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "onnx", "stream")
rng = np.random.default_rng(23)


def signal(rows, cols):
    r = 40
    u, _ = np.linalg.qr(rng.standard_normal((rows, r)))
    v, _ = np.linalg.qr(rng.standard_normal((cols, r)))
    s = 3.0 * 0.8 ** np.arange(r)
    return (u * s) @ v.T + 0.01 * rng.standard_normal((rows, cols))


def bf16_bits(a):
    """Round float32 to bfloat16 (nearest even) and return the 16-bit patterns and the exact values."""
    bits = a.astype(np.float32).view(np.uint32)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    return rounded, (rounded.astype(np.uint32) << 16).view(np.float32).astype(np.float64)


def external(tensors, data_file):
    """Moves the tensors' raw_data one after the other into OUT/data_file, recording their locations."""
    blob = bytearray()
    for tensor in tensors:
        raw = tensor.raw_data
        offset = len(blob)
        blob.extend(raw)
        tensor.ClearField("raw_data")
        tensor.data_location = TensorProto.EXTERNAL
        for k, v in (("location", data_file), ("offset", str(offset)), ("length", str(len(raw)))):
            e = tensor.external_data.add()
            e.key, e.value = k, v
    with open(os.path.join(OUT, data_file), "wb") as f:
        f.write(blob)


def top(w):
    u, s, vt = np.linalg.svd(w)
    return u[:, 0], s[:10], vt[0]


def reference(name, layers):
    """layers: list of (name, W float64) in chain order."""
    out = {"file": name, "layers": [], "pairs": []}
    tops = []
    for lname, w in layers:
        u1, s, v1 = top(w)
        tops.append((u1, v1))
        out["layers"].append({"name": lname, "shape": list(w.shape), "singular_values": s.tolist(),
                              "frobenius": float(np.linalg.norm(w))})
    for i in range(len(layers) - 1):
        out["pairs"].append({"producer": layers[i][0], "consumer": layers[i + 1][0],
                             "top_alignment": float(abs(tops[i][0] @ tops[i + 1][1]))})
    return out


def save(model, name):
    path = os.path.join(OUT, name)
    onnx.save(model, path)
    onnx.checker.check_model(path)


def f16_chain():
    b1 = signal(160, 120).astype(np.float16)
    b2 = signal(120, 100).astype(np.float16)
    t1 = numpy_helper.from_array(b1, "B1")
    t2 = numpy_helper.from_array(b2, "B2")
    external([t1, t2], "f16_chain.data")
    nodes = [helper.make_node("MatMul", ["x", "B1"], ["h"], name="mm"),
             helper.make_node("Relu", ["h"], ["r"], name="relu"),
             helper.make_node("Gemm", ["r", "B2"], ["y"], name="gemm", alpha=-0.75, transB=0)]
    graph = helper.make_graph(nodes, "f16_chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT16, [1, 160])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [1, 100])], [t1, t2])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), "f16_chain.onnx")
    return reference("f16_chain.onnx", [("B1", b1.astype(np.float64).T), ("B2", -0.75 * b2.astype(np.float64).T)])


def bf16_raw():
    bits1, w1 = bf16_bits(signal(100, 140))
    bits2, w2 = bf16_bits(signal(90, 140))
    t1 = helper.make_tensor("B1", TensorProto.BFLOAT16, [100, 140], bits1.tobytes(), raw=True)
    t2 = helper.make_tensor("B2", TensorProto.BFLOAT16, [90, 140], bits2.tobytes(), raw=True)
    nodes = [helper.make_node("MatMul", ["x", "B1"], ["h"], name="mm"),
             helper.make_node("Relu", ["h"], ["r"], name="relu"),
             helper.make_node("Gemm", ["r", "B2"], ["y"], name="gemm", transB=1)]
    graph = helper.make_graph(nodes, "bf16_raw", [helper.make_tensor_value_info("x", TensorProto.BFLOAT16, [1, 100])],
                              [helper.make_tensor_value_info("y", TensorProto.BFLOAT16, [1, 90])], [t1, t2])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), "bf16_raw.onnx")
    return reference("bf16_raw.onnx", [("B1", w1.reshape(100, 140).T), ("B2", w2.reshape(90, 140))])


def int8_channel():
    f1 = signal(130, 80)
    s1 = (np.abs(f1).max(axis=0) / 100.0).astype(np.float32)
    z1 = rng.integers(-5, 6, 80).astype(np.int8)
    q1 = np.clip(np.round(f1 / s1) + z1, -128, 127).astype(np.int8)
    f2 = signal(70, 80)
    s2 = (np.abs(f2).max(axis=1) / 100.0).astype(np.float32)
    z2 = rng.integers(120, 136, 70).astype(np.uint8)
    q2 = np.clip(np.round(f2 / s2[:, None]) + z2[:, None], 0, 255).astype(np.uint8)
    inits = [numpy_helper.from_array(q1, "Q1"), numpy_helper.from_array(s1, "S1"), numpy_helper.from_array(z1, "Z1"),
             numpy_helper.from_array(q2, "Q2"), numpy_helper.from_array(s2, "S2"), numpy_helper.from_array(z2, "Z2")]
    nodes = [helper.make_node("DequantizeLinear", ["Q1", "S1", "Z1"], ["W1"], name="dq1", axis=1),
             helper.make_node("MatMul", ["x", "W1"], ["h"], name="mm"),
             helper.make_node("Relu", ["h"], ["r"], name="relu"),
             helper.make_node("DequantizeLinear", ["Q2", "S2", "Z2"], ["W2"], name="dq2", axis=0),
             helper.make_node("Gemm", ["r", "W2"], ["y"], name="gemm", transB=1)]
    graph = helper.make_graph(nodes, "int8_channel", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 130])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 70])], inits)
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), "int8_channel.onnx")
    w1 = (q1.astype(np.float64) - z1.astype(np.float64)) * s1.astype(np.float64)
    w2 = (q2.astype(np.float64) - z2.astype(np.float64)[:, None]) * s2.astype(np.float64)[:, None]
    return reference("int8_channel.onnx", [("Q1", w1.T), ("Q2", w2)])


def conv_f32():
    k1 = signal(72, 72).astype(np.float32).reshape(72, 8, 3, 3)
    k2 = signal(80, 72).astype(np.float32).reshape(80, 72, 1, 1)
    t1 = numpy_helper.from_array(k1, "K1")
    t2 = numpy_helper.from_array(k2, "K2")
    external([t1, t2], "conv_f32.data")
    nodes = [helper.make_node("Conv", ["x", "K1"], ["h"], name="conv1", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["h"], ["r"], name="relu"),
             helper.make_node("Conv", ["r", "K2"], ["y"], name="conv2")]
    graph = helper.make_graph(nodes, "conv_f32",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 10, 10])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 80, 10, 10])], [t1, t2])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), "conv_f32.onnx")
    return reference("conv_f32.onnx", [("K1", k1.astype(np.float64).reshape(72, 72)),
                                       ("K2", k2.astype(np.float64).reshape(80, 72))])


def main():
    os.makedirs(OUT, exist_ok=True)
    models = [f16_chain(), bf16_raw(), int8_channel(), conv_f32()]
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump({"generator": "onnx-bridge/src/test/python/make_stream_fixtures.py", "models": models}, f, indent=1)


if __name__ == "__main__":
    main()
