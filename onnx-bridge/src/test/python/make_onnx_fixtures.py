#!/usr/bin/python3
"""Small ONNX fixtures for the ONNX reader and their independent numpy reference.

How to rerun (from the repository root):

    /usr/bin/python3 onnx-bridge/src/test/python/make_onnx_fixtures.py

It (re)writes onnx-bridge/src/test/resources/onnx/*.onnx (plus external_mlp.data) and reference.json.
Deterministic (fixed seeds). Needs numpy, torch and onnx (Debian's python3-torch, python3-onnx).

For every model the reference lists, in graph order, each dense layer's name (the weight tensor's name in the
file), op, subgraph, W (d_out x d_in) and bias as numpy derives them WITHOUT reading the ONNX layout: from the
PyTorch module's parameters (nn.Linear.weight is already d_out x d_in; a Conv kernel [out, in/g, kh, kw] is
reshaped to out x (in/g*kh*kw)), or from the numpy arrays the onnx.helper graphs were built from, converted by
science.md 1.2 (Gemm transB=0: W = alpha*B^T, b = beta*C; MatMul(X, B): W = B^T; DequantizeLinear: (q - z)*s).
The ONNX file is consulted only to learn the name PyTorch gave an initializer (the one holding weight or
weight^T). Then numpy (float64) computes the metrics of science.md section 2 for every layer and, for every
edge of the data flow (declared here by hand from the architecture), the pair figures when d_out of the
producer equals d_in of the consumer.
"""
import json
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "onnx")
EPS = {"FLOAT32": np.finfo(np.float32).eps, "FLOAT64": np.finfo(np.float64).eps,
       "FLOAT16": 2.0 ** -10, "BFLOAT16": 2.0 ** -7}


def layer_metrics(w, element_type):
    s = np.linalg.svd(w, compute_uv=False)
    fro = np.linalg.norm(w, "fro")
    p = s / s.sum()
    p = p[p > 0]
    return {
        "spectral_norm": float(s[0]),
        "frobenius_norm": float(fro),
        "stable_rank": float(fro ** 2 / s[0] ** 2),
        "rank1_ratio": float(s[0] / fro),
        "effective_rank": float(np.exp(-(p * np.log(p)).sum())),
        "numerical_rank": int((s > s[0] * max(w.shape) * EPS[element_type]).sum()),
        "singular_values": s[:5].tolist(),
    }


def pair_metrics(wf, wt):
    uf, sf, _ = np.linalg.svd(wf)
    _, st, vtt = np.linalg.svd(wt)
    a = wf @ wf.T
    b = wt.T @ wt
    c = np.linalg.norm(a @ b - b @ a, "fro") / (np.sqrt(2) * np.linalg.norm(a, "fro") * np.linalg.norm(b, "fro"))
    return {
        "adjacent_alignment": float(abs(vtt[0] @ uf[:, 0])),
        "weighted_alignment": float(np.linalg.norm(wt @ wf, 2) / (sf[0] * st[0])),
        "commutator_score": float(c),
        "balancedness": float(np.linalg.norm(b - a, "fro")),
    }


def entry(name, op, w, bias=None, element_type="FLOAT32", subgraph="", activation="linear", conv=None):
    w = np.asarray(w, dtype=np.float64)
    d = {"name": name, "op": op, "subgraph": subgraph, "activation": activation, "element_type": element_type,
         "shape": list(w.shape), "weights": w.tolist(),
         "bias": None if bias is None else np.asarray(bias, dtype=np.float64).reshape(-1).tolist()}
    if conv is not None:
        d["convolution"] = conv
    d["metrics"] = layer_metrics(w, element_type)
    return d


def reference(model_file, layers, edges, notes=None):
    """edges: (producer index, consumer index, via residual)."""
    by = [np.asarray(l["weights"]) for l in layers]
    out_edges = []
    for p, c, residual in edges:
        e = {"producer": p, "consumer": c, "producer_name": layers[p]["name"], "consumer_name": layers[c]["name"],
             "via_residual": residual}
        if by[p].shape[0] == by[c].shape[1]:
            e["metrics"] = pair_metrics(by[p], by[c])
        out_edges.append(e)
    return {"file": model_file, "layers": layers, "edges": out_edges, "notes": notes or []}


def init_name(model, array):
    """The initializer PyTorch wrote for a parameter (stored as is, or transposed for MatMul)."""
    for t in model.graph.initializer:
        v = numpy_helper.to_array(t)
        if v.shape == array.shape and np.array_equal(v, array):
            return t.name
        if v.ndim == 2 and v.shape == array.T.shape and np.array_equal(v, array.T):
            return t.name
    raise SystemExit("no initializer holds the parameter of shape %s" % (array.shape,))


def export(module, example, name, opset=13):
    path = os.path.join(OUT, name)
    module.eval()
    torch.onnx.export(module, example, path, opset_version=opset, input_names=["x"], output_names=["y"],
                      do_constant_folding=True)
    return path, onnx.load(path)


def param(p):
    return p.detach().numpy().astype(np.float32)


def save(model, name, **kw):
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name), **kw)


def graph_model(nodes, name, inputs, outputs, inits, opset=17):
    g = helper.make_graph(nodes, name, inputs, outputs, inits)
    m = helper.make_model(g, producer_name="make_onnx_fixtures.py", opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def vi(name, dims, t=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, t, dims)


# ---------------------------------------------------------------- PyTorch exports

def torch_gemm_mlp(refs):
    torch.manual_seed(1)
    m = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 5), torch.nn.ReLU(),
                            torch.nn.Linear(5, 3))
    _, model = export(m, torch.randn(2, 6), "torch_gemm_mlp.onnx")
    lin = [m[0], m[2], m[4]]
    layers = [entry(init_name(model, param(l.weight)), "Gemm", param(l.weight), param(l.bias),
                    activation="relu" if i < 2 else "linear") for i, l in enumerate(lin)]
    refs.append(reference("torch_gemm_mlp.onnx", layers, [(0, 1, False), (1, 2, False)]))


def torch_matmul_mlp(refs):
    torch.manual_seed(2)
    m = torch.nn.Sequential(torch.nn.Linear(7, 9), torch.nn.ReLU(), torch.nn.Linear(9, 4))
    _, model = export(m, torch.randn(2, 3, 7), "torch_matmul_mlp.onnx")  # 3-D input: MatMul(X, W^T) + Add
    layers = [entry(init_name(model, param(m[0].weight)), "MatMul", param(m[0].weight), param(m[0].bias), activation="relu"),
              entry(init_name(model, param(m[2].weight)), "MatMul", param(m[2].weight), param(m[2].bias))]
    refs.append(reference("torch_matmul_mlp.onnx", layers, [(0, 1, False)]))


class ConvNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(3, 4, 3)
        self.c2 = torch.nn.Conv2d(4, 6, 1)
        self.c3 = torch.nn.Conv2d(6, 6, 3, groups=2, bias=False)
        self.fc = torch.nn.Linear(6 * 2 * 2, 5)

    def forward(self, x):
        h = torch.relu(self.c1(x))
        h = torch.relu(self.c2(h))
        h = self.c3(h)
        return self.fc(torch.flatten(h, 1))


def torch_conv(refs):
    torch.manual_seed(3)
    m = ConvNet()
    _, model = export(m, torch.randn(1, 3, 6, 6), "torch_conv.onnx")
    def conv_entry(c, act, groups, kernel):
        w = param(c.weight)
        return entry(init_name(model, w), "Conv", w.reshape(w.shape[0], -1), None if c.bias is None else param(c.bias),
                     activation=act, conv={"groups": groups, "kernel_shape": kernel, "transposed": False})
    layers = [conv_entry(m.c1, "relu", 1, [3, 3]), conv_entry(m.c2, "relu", 1, [1, 1]), conv_entry(m.c3, "linear", 2, [3, 3]),
              entry(init_name(model, param(m.fc.weight)), "Gemm", param(m.fc.weight), param(m.fc.bias))]
    refs.append(reference("torch_conv.onnx", layers, [(0, 1, False), (1, 2, False), (2, 3, False)]))


class Residual(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(5, 6)
        self.fc2 = torch.nn.Linear(6, 6)
        self.fc3 = torch.nn.Linear(6, 2)

    def forward(self, x):
        h = torch.relu(self.fc1(x))
        r = torch.relu(self.fc2(h)) + h
        return self.fc3(r)


def torch_residual(refs):
    torch.manual_seed(4)
    m = Residual()
    _, model = export(m, torch.randn(2, 5), "torch_residual.onnx")
    layers = [entry(init_name(model, param(l.weight)), "Gemm", param(l.weight), param(l.bias),
                    activation="relu" if i < 2 else "linear") for i, l in enumerate([m.fc1, m.fc2, m.fc3])]
    refs.append(reference("torch_residual.onnx", layers, [(0, 1, False), (0, 2, True), (1, 2, False)]))


class LayerNormMlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(6, 8)
        self.ln = torch.nn.LayerNorm(8)
        self.fc2 = torch.nn.Linear(8, 8)
        self.fc3 = torch.nn.Linear(8, 3)

    def forward(self, x):
        h = torch.relu(self.ln(self.fc1(x)))
        return self.fc3(torch.relu(self.fc2(h)))


def torch_layernorm(refs):
    torch.manual_seed(5)
    m = LayerNormMlp()
    _, model = export(m, torch.randn(2, 6), "torch_layernorm_mlp.onnx", opset=13)  # LayerNorm as ReduceMean/Sub/Pow/...
    layers = [entry(init_name(model, param(m.fc1.weight)), "Gemm", param(m.fc1.weight), param(m.fc1.bias)),
              entry(init_name(model, param(m.fc2.weight)), "Gemm", param(m.fc2.weight), param(m.fc2.bias), activation="relu"),
              entry(init_name(model, param(m.fc3.weight)), "Gemm", param(m.fc3.weight), param(m.fc3.bias))]
    refs.append(reference("torch_layernorm_mlp.onnx", layers, [(0, 1, False), (1, 2, False)]))


def torch_no_bias(refs):
    torch.manual_seed(6)
    m = torch.nn.Sequential(torch.nn.Linear(5, 7, bias=False), torch.nn.ReLU(), torch.nn.Linear(7, 2, bias=False))
    _, model = export(m, torch.randn(2, 5), "torch_no_bias.onnx")
    ops = {n.op_type for n in model.graph.node}
    op = "Gemm" if "Gemm" in ops else "MatMul"
    layers = [entry(init_name(model, param(m[0].weight)), op, param(m[0].weight), activation="relu"),
              entry(init_name(model, param(m[2].weight)), op, param(m[2].weight))]
    refs.append(reference("torch_no_bias.onnx", layers, [(0, 1, False)]))


class AttentionBlock(torch.nn.Module):
    """A pre-LayerNorm transformer block on (batch, tokens, 8) and a head: parallel q, k, v projections, attention
    arithmetic between activations, two residual additions."""

    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = torch.nn.LayerNorm(8), torch.nn.LayerNorm(8)
        self.q, self.k, self.v, self.o = (torch.nn.Linear(8, 8) for _ in range(4))
        self.fc1, self.fc2 = torch.nn.Linear(8, 16), torch.nn.Linear(16, 8)
        self.head = torch.nn.Linear(8, 3)

    def forward(self, x):
        h = self.ln1(x)
        a = torch.softmax(self.q(h) @ self.k(h).transpose(1, 2) / np.sqrt(8.0), dim=-1) @ self.v(h)
        x = x + self.o(a)
        x = x + self.fc2(torch.relu(self.fc1(self.ln2(x))))
        return self.head(x)


def torch_attention(refs):
    torch.manual_seed(8)
    m = AttentionBlock()
    _, model = export(m, torch.randn(2, 5, 8), "torch_attention.onnx")
    mods = [m.q, m.k, m.v, m.o, m.fc1, m.fc2, m.head]
    layers = [entry(init_name(model, param(l.weight)), "MatMul", param(l.weight), param(l.bias),
                    activation="relu" if l is m.fc1 else "linear") for l in mods]
    # Only v reaches o: the attention arithmetic multiplies two computed values, q @ k^T sums over the units of q and
    # k (their paths end there: "contracted", issue 20) and softmax(.) @ v keeps v's units on its last axis. o reaches
    # fc1 through the first residual Add (on its main input) and LayerNorm, and the head through the second residual
    # Add's skip input; fc2 reaches the head directly.
    edges = [(2, 3, False), (3, 4, False), (4, 5, False), (3, 6, True), (5, 6, False)]
    refs.append(reference("torch_attention.onnx", layers, edges))


# ---------------------------------------------------------------- onnx.helper graphs

def helper_gemm_attributes(refs):
    rng = np.random.default_rng(11)
    b0 = rng.standard_normal((4, 6)).astype(np.float32)   # (in, out): transB = 0
    c0 = rng.standard_normal(6).astype(np.float32)
    b1 = rng.standard_normal((3, 6)).astype(np.float32)   # (out, in): transB = 1
    c1 = rng.standard_normal(3).astype(np.float32)
    # typed fields (float_data) for the first layer, raw_data for the second
    inits = [helper.make_tensor("B0", TensorProto.FLOAT, b0.shape, b0.reshape(-1).tolist()),
             helper.make_tensor("C0", TensorProto.FLOAT, c0.shape, c0.tolist()),
             numpy_helper.from_array(b1, "B1"), numpy_helper.from_array(c1, "C1")]
    nodes = [helper.make_node("Gemm", ["x", "B0", "C0"], ["h0"], alpha=0.5, beta=2.0, transB=0),
             helper.make_node("Relu", ["h0"], ["a0"]),
             helper.make_node("Gemm", ["a0", "B1", "C1"], ["y"], alpha=1.5, transB=1)]
    save(graph_model(nodes, "gemm_attributes", [vi("x", ["N", 4])], [vi("y", ["N", 3])], inits), "helper_gemm_attributes.onnx")
    layers = [entry("B0", "Gemm", 0.5 * b0.astype(np.float64).T, 2.0 * c0.astype(np.float64), activation="relu"),
              entry("B1", "Gemm", 1.5 * b1.astype(np.float64), c1)]
    refs.append(reference("helper_gemm_attributes.onnx", layers, [(0, 1, False)]))


def helper_low_precision(refs):
    rng = np.random.default_rng(12)
    w16 = rng.standard_normal((5, 6)).astype(np.float16)        # MatMul(X, B): stored (in, out)
    wbf = rng.standard_normal((6, 4)).astype(np.float32)
    bf_bits = (wbf.view(np.uint32) >> 16).astype(np.uint16)     # bfloat16 by truncation of float32
    wbf_value = (bf_bits.astype(np.uint32) << 16).view(np.float32)
    w64 = rng.standard_normal((4, 3))                           # float64, Gemm transB = 1 (out, in)
    bf = TensorProto()
    bf.name, bf.data_type = "W_bf16", TensorProto.BFLOAT16
    bf.dims.extend(wbf.shape)
    bf.raw_data = bf_bits.tobytes()
    inits = [numpy_helper.from_array(w16, "W_fp16"), bf, numpy_helper.from_array(w64.T.copy(), "W_fp64")]
    nodes = [helper.make_node("Cast", ["W_fp16"], ["W_fp16_f"], to=TensorProto.FLOAT),
             helper.make_node("MatMul", ["x", "W_fp16_f"], ["h0"]),
             helper.make_node("Relu", ["h0"], ["a0"]),
             helper.make_node("Cast", ["W_bf16"], ["W_bf16_f"], to=TensorProto.FLOAT),
             helper.make_node("MatMul", ["a0", "W_bf16_f"], ["h1"]),
             helper.make_node("Cast", ["h1"], ["h1d"], to=TensorProto.DOUBLE),
             helper.make_node("Gemm", ["h1d", "W_fp64"], ["yd"], transB=1),
             helper.make_node("Cast", ["yd"], ["y"], to=TensorProto.FLOAT)]
    save(graph_model(nodes, "low_precision", [vi("x", ["N", 5])], [vi("y", ["N", 3])], inits), "helper_low_precision.onnx")
    layers = [entry("W_fp16", "MatMul", w16.astype(np.float64).T, element_type="FLOAT16", activation="relu"),
              entry("W_bf16", "MatMul", wbf_value.astype(np.float64).T, element_type="BFLOAT16"),
              entry("W_fp64", "Gemm", w64.T, element_type="FLOAT64")]
    refs.append(reference("helper_low_precision.onnx", layers, [(0, 1, False), (1, 2, False)]))


def helper_constant_quantized(refs):
    rng = np.random.default_rng(13)
    wc = rng.standard_normal((6, 5)).astype(np.float32)         # Constant node, (out, in), Transpose -> (in, out)
    q = rng.integers(-128, 128, size=(6, 4)).astype(np.int8)    # int8 (in, out), per output channel (axis 1)
    scale = (0.01 + 0.02 * rng.random(4)).astype(np.float32)
    zero = rng.integers(-5, 6, size=4).astype(np.int8)
    inits = [numpy_helper.from_array(q, "W_q"), numpy_helper.from_array(scale, "W_scale"),
             numpy_helper.from_array(zero, "W_zero")]
    nodes = [helper.make_node("Constant", [], ["W_const"], value=numpy_helper.from_array(wc, "W_const")),
             helper.make_node("Transpose", ["W_const"], ["W_const_t"], perm=[1, 0]),
             helper.make_node("Identity", ["W_const_t"], ["W_const_i"]),
             helper.make_node("MatMul", ["x", "W_const_i"], ["h0"]),
             helper.make_node("Relu", ["h0"], ["a0"]),
             helper.make_node("DequantizeLinear", ["W_q", "W_scale", "W_zero"], ["W_deq"], axis=1),
             helper.make_node("MatMul", ["a0", "W_deq"], ["y"])]
    save(graph_model(nodes, "constant_quantized", [vi("x", ["N", 5])], [vi("y", ["N", 4])], inits, opset=13),
         "helper_constant_quantized.onnx")
    deq = (q.astype(np.float64) - zero.astype(np.float64)[None, :]) * scale.astype(np.float64)[None, :]
    layers = [entry("W_const", "MatMul", wc.astype(np.float64), activation="relu"),
              entry("W_q", "MatMul", deq.T)]
    refs.append(reference("helper_constant_quantized.onnx", layers, [(0, 1, False)]))


def helper_if(refs):
    rng = np.random.default_rng(14)
    w_in = rng.standard_normal((4, 6)).astype(np.float32)       # MatMul(X, B): (in, out)
    w_then = rng.standard_normal((6, 6)).astype(np.float32)
    w_else = rng.standard_normal((6, 6)).astype(np.float32)
    w_out = rng.standard_normal((6, 2)).astype(np.float32)
    then_g = helper.make_graph([helper.make_node("MatMul", ["a0", "W_then"], ["t0"]),
                                helper.make_node("Relu", ["t0"], ["t1"])],
                               "then_branch", [], [vi("t1", ["N", 6])], [numpy_helper.from_array(w_then, "W_then")])
    else_g = helper.make_graph([helper.make_node("Constant", [], ["W_else"], value=numpy_helper.from_array(w_else, "W_else")),
                                helper.make_node("MatMul", ["a0", "W_else"], ["e0"])],
                               "else_branch", [], [vi("e0", ["N", 6])])
    nodes = [helper.make_node("MatMul", ["x", "W_in"], ["h0"]),
             helper.make_node("Relu", ["h0"], ["a0"]),
             helper.make_node("If", ["cond"], ["branch"], name="If_0", then_branch=then_g, else_branch=else_g),
             helper.make_node("MatMul", ["branch", "W_out"], ["y"])]
    m = graph_model(nodes, "if_branches", [vi("x", ["N", 4]), vi("cond", [], TensorProto.BOOL)], [vi("y", ["N", 2])],
                    [numpy_helper.from_array(w_in, "W_in"), numpy_helper.from_array(w_out, "W_out")])
    save(m, "helper_if.onnx")
    # graph order: the branches in the order of the If's attributes in the file (onnx.helper sorts them by name)
    layers = [entry("W_in", "MatMul", w_in.astype(np.float64).T, activation="relu"),
              entry("W_else", "MatMul", w_else.astype(np.float64).T, subgraph="If_0/else_branch"),
              entry("W_then", "MatMul", w_then.astype(np.float64).T, subgraph="If_0/then_branch", activation="relu"),
              entry("W_out", "MatMul", w_out.astype(np.float64).T)]
    refs.append(reference("helper_if.onnx", layers, [(0, 1, False), (0, 2, False), (1, 3, False), (2, 3, False)]))


def helper_external(refs):
    rng = np.random.default_rng(15)
    w0 = rng.standard_normal((8, 5)).astype(np.float32)         # Gemm transB = 1: (out, in)
    b0 = rng.standard_normal(8).astype(np.float32)
    w1 = rng.standard_normal((8, 3)).astype(np.float32)         # MatMul(X, B): (in, out)
    nodes = [helper.make_node("Gemm", ["x", "ext.fc0.weight", "ext.fc0.bias"], ["h0"], transB=1),
             helper.make_node("Relu", ["h0"], ["a0"]),
             helper.make_node("MatMul", ["a0", "ext.fc1.weight"], ["y"])]
    m = graph_model(nodes, "external_mlp", [vi("x", ["N", 5])], [vi("y", ["N", 3])],
                    [numpy_helper.from_array(w0, "ext.fc0.weight"), numpy_helper.from_array(b0, "ext.fc0.bias"),
                     numpy_helper.from_array(w1, "ext.fc1.weight")])
    data = os.path.join(OUT, "external_mlp.data")
    if os.path.exists(data):
        os.remove(data)
    save(m, "external_mlp.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
         location="external_mlp.data", size_threshold=0)
    layers = [entry("ext.fc0.weight", "Gemm", w0, b0, activation="relu"),
              entry("ext.fc1.weight", "MatMul", w1.astype(np.float64).T)]
    refs.append(reference("external_mlp.onnx", layers, [(0, 1, False)]))


def torch_conv_transpose(refs):
    torch.manual_seed(7)
    m = torch.nn.Sequential(torch.nn.ConvTranspose2d(4, 6, 2, groups=2), torch.nn.ReLU(), torch.nn.ConvTranspose2d(6, 3, 1))
    _, model = export(m, torch.randn(1, 4, 3, 3), "torch_conv_transpose.onnx")
    layers = []
    for c, act, groups, kernel in ((m[0], "relu", 2, [2, 2]), (m[2], "linear", 1, [1, 1])):
        w = param(c.weight)                          # [in, out/g, kh, kw]
        wm = w.reshape(w.shape[0], -1).T             # (out/g*kh*kw) x in
        bias = param(c.bias) if wm.shape[0] == c.bias.shape[0] else None  # a bias per output channel fits only 1x1, g=1
        layers.append(entry(init_name(model, w), "ConvTranspose", wm, bias, activation=act,
                            conv={"groups": groups, "kernel_shape": kernel, "transposed": True}))
    refs.append(reference("torch_conv_transpose.onnx", layers, [(0, 1, False)],
                          ["its bias has no entry per row of the kernel matrix"]))


def helper_folded_batchnorm(refs):
    """A Keras-style Conv (kernel HWIO) with its BatchNormalization folded in, as tf2onnx writes it when the
    fold is left to constant expressions: Conv(x, Transpose(K)[3,2,0,1] * Reshape(gamma/sqrt(var+eps)),
    bias (b - mean) * scale + beta), then a Dense layer (MatMul(X, kernel) + bias)."""
    rng = np.random.default_rng(16)
    k = rng.standard_normal((3, 3, 2, 4)).astype(np.float32)                 # H, W, I, O
    gamma, beta = rng.random(4).astype(np.float32) + 0.5, rng.standard_normal(4).astype(np.float32)
    mean, var = rng.standard_normal(4).astype(np.float32), rng.random(4).astype(np.float32) + 0.1
    b = rng.standard_normal(4).astype(np.float32)
    scale = (gamma / np.sqrt(var + np.float32(1e-3))).astype(np.float32)
    dense = rng.standard_normal((4 * 2 * 2, 3)).astype(np.float32)           # Keras Dense kernel (in, out)
    dense_b = rng.standard_normal(3).astype(np.float32)
    inits = [numpy_helper.from_array(k, "conv2d/kernel"), numpy_helper.from_array(scale.reshape(4, 1, 1, 1), "bn/scale"),
             numpy_helper.from_array(b, "conv2d/bias"), numpy_helper.from_array(mean, "bn/mean"),
             numpy_helper.from_array(scale, "bn/scale_vec"), numpy_helper.from_array(beta, "bn/beta"),
             numpy_helper.from_array(np.array([1, 16], np.int64), "flat_shape"),
             numpy_helper.from_array(dense, "dense/kernel"), numpy_helper.from_array(dense_b, "dense/bias")]
    nodes = [helper.make_node("Transpose", ["conv2d/kernel"], ["k_oihw"], perm=[3, 2, 0, 1]),
             helper.make_node("Mul", ["k_oihw", "bn/scale"], ["k_folded"]),
             helper.make_node("Sub", ["conv2d/bias", "bn/mean"], ["b_centred"]),
             helper.make_node("Mul", ["b_centred", "bn/scale_vec"], ["b_scaled"]),
             helper.make_node("Add", ["b_scaled", "bn/beta"], ["b_folded"]),
             helper.make_node("Conv", ["x", "k_folded", "b_folded"], ["c"]),
             helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("Reshape", ["r", "flat_shape"], ["f"]),
             helper.make_node("MatMul", ["f", "dense/kernel"], ["d"]),
             helper.make_node("Add", ["d", "dense/bias"], ["y"])]
    save(graph_model(nodes, "folded_batchnorm", [vi("x", [1, 2, 4, 4])], [vi("y", [1, 3])], inits, opset=13),
         "helper_folded_batchnorm.onnx")
    w = np.transpose(k.astype(np.float64), (3, 2, 0, 1)) * scale.astype(np.float64).reshape(4, 1, 1, 1)
    bias = (b.astype(np.float64) - mean) * scale + beta
    layers = [entry("conv2d/kernel", "Conv", w.reshape(4, -1), bias, activation="relu",
                    conv={"groups": 1, "kernel_shape": [3, 3], "transposed": False}),
              entry("dense/kernel", "MatMul", dense.astype(np.float64).T, dense_b)]
    refs.append(reference("helper_folded_batchnorm.onnx", layers, [(0, 1, False)]))


def helper_weight_first(refs):
    """Column-vector activations: MatMul(A, X) gives W = A; Gemm(A, X) with transA = 1 gives W = alpha * A^T."""
    rng = np.random.default_rng(17)
    a0 = rng.standard_normal((6, 4)).astype(np.float32)      # (out, in)
    a1 = rng.standard_normal((6, 3)).astype(np.float32)      # stored (in, out), transA = 1
    c1 = rng.standard_normal((3, 1)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["A0", "x"], ["h0"]),
             helper.make_node("Relu", ["h0"], ["a"]),
             helper.make_node("Gemm", ["A1", "a", "C1"], ["y"], transA=1, alpha=2.0, beta=0.5)]
    save(graph_model(nodes, "weight_first", [vi("x", [4, "N"])], [vi("y", [3, "N"])],
                     [numpy_helper.from_array(a0, "A0"), numpy_helper.from_array(a1, "A1"),
                      numpy_helper.from_array(c1, "C1")]), "helper_weight_first.onnx")
    layers = [entry("A0", "MatMul", a0, activation="relu"), entry("A1", "Gemm", 2.0 * a1.astype(np.float64).T, 0.5 * c1)]
    refs.append(reference("helper_weight_first.onnx", layers, [(0, 1, False)]))


def helper_loop(refs):
    """A Loop whose body holds a dense layer applied to the loop-carried value."""
    rng = np.random.default_rng(18)
    w_in = rng.standard_normal((3, 5)).astype(np.float32)
    w_body = rng.standard_normal((5, 5)).astype(np.float32)
    w_out = rng.standard_normal((5, 2)).astype(np.float32)
    body = helper.make_graph(
        [helper.make_node("MatMul", ["h_in", "W_body"], ["hb"]), helper.make_node("Relu", ["hb"], ["h_next"]),
         helper.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body", [vi("i", [], TensorProto.INT64), vi("cond_in", [], TensorProto.BOOL), vi("h_in", ["N", 5])],
        [vi("cond_out", [], TensorProto.BOOL), vi("h_next", ["N", 5])], [numpy_helper.from_array(w_body, "W_body")])
    nodes = [helper.make_node("MatMul", ["x", "W_in"], ["h0"]),
             helper.make_node("Loop", ["trips", "", "h0"], ["h_final"], name="Loop_0", body=body),
             helper.make_node("MatMul", ["h_final", "W_out"], ["y"])]
    save(graph_model(nodes, "loop", [vi("x", ["N", 3]), vi("trips", [], TensorProto.INT64)], [vi("y", ["N", 2])],
                     [numpy_helper.from_array(w_in, "W_in"), numpy_helper.from_array(w_out, "W_out")]), "helper_loop.onnx")
    layers = [entry("W_in", "MatMul", w_in.astype(np.float64).T),
              entry("W_body", "MatMul", w_body.astype(np.float64).T, subgraph="Loop_0/body", activation="relu"),
              entry("W_out", "MatMul", w_out.astype(np.float64).T)]
    refs.append(reference("helper_loop.onnx", layers, [(0, 1, False), (1, 2, False)]))


def helper_no_dense(refs):
    nodes = [helper.make_node("Relu", ["x"], ["y"])]
    save(graph_model(nodes, "no_dense", [vi("x", ["N", 3])], [vi("y", ["N", 3])], []), "helper_no_dense.onnx")
    refs.append(reference("helper_no_dense.onnx", [], [], ["no dense layer"]))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    refs = []
    for make in (torch_gemm_mlp, torch_matmul_mlp, torch_conv, torch_residual, torch_layernorm, torch_no_bias,
                 torch_conv_transpose, torch_attention, helper_gemm_attributes, helper_low_precision, helper_constant_quantized,
                 helper_if, helper_external, helper_folded_batchnorm, helper_weight_first, helper_loop, helper_no_dense):
        make(refs)
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump({"generator": "onnx-bridge/src/test/python/make_onnx_fixtures.py", "models": refs}, f, indent=1)
    for r in refs:
        print(r["file"], [l["name"] for l in r["layers"]], [(e["producer"], e["consumer"]) for e in r["edges"]])
