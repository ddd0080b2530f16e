#!/usr/bin/python3
"""Three PyTorch checkpoints of one small ReLU network, exported to ONNX, for the report's checkpoints side by side.

How to rerun (from the repository root):

    /usr/bin/python3 onnx-bridge/src/test/python/make_checkpoint_fixtures.py

It (re)writes onnx-bridge/src/test/resources/fixtures/checkpoints/: data.csv (200 rows, features f00..f05 and the
label column "label", two classes separated by a hyperplane through the origin) and step_0000.onnx, step_0100.onnx,
step_1000.onnx: a 6-8-8-1 network with biases (exported as Gemm, so the layers keep their module names) (ReLU after the two hidden layers, one logit) trained by full-batch
gradient descent on the logistic loss (lr 0.5, small init 0.1/sqrt(fan_in)), exported with torch.onnx.export
(opset 13, dynamic batch axis) after 0, 100 and 1,000 steps. The layers keep their PyTorch names (fc1.weight, ...)
in every checkpoint, so the report matches them by name. Deterministic (fixed seeds). Needs python3-torch,
python3-onnx, python3-numpy (Debian).
"""
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "checkpoints")
STEPS = (0, 100, 1000)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(6, 8)
        self.fc2 = torch.nn.Linear(8, 8)
        self.fc3 = torch.nn.Linear(8, 1)

    def forward(self, x):
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(7)
    w_true = rng.normal(size=6)
    x = rng.normal(size=(200, 6))
    y = (x @ w_true > 0).astype(np.int64)
    with open(os.path.join(OUT, "data.csv"), "w") as f:
        f.write(",".join("f%02d" % j for j in range(6)) + ",label\n")
        for row, label in zip(x, y):
            f.write(",".join("%.6f" % v for v in row) + "," + ("up" if label else "down") + "\n")
    torch.manual_seed(3)
    net = Net()
    with torch.no_grad():
        for layer in (net.fc1, net.fc2, net.fc3):
            layer.weight.normal_(0.0, 0.1 / np.sqrt(layer.weight.shape[1]))
            layer.bias.zero_()
    xt = torch.tensor(x, dtype=torch.float32)
    yt = torch.tensor(2.0 * y - 1.0, dtype=torch.float32)
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    for step in range(max(STEPS) + 1):
        if step in STEPS:
            torch.onnx.export(net, xt[:1], os.path.join(OUT, "step_%04d.onnx" % step), opset_version=13,
                              input_names=["x"], output_names=["logit"], dynamic_axes={"x": {0: "batch"},
                                                                                       "logit": {0: "batch"}})
        if step == max(STEPS):
            break
        opt.zero_grad()
        loss = torch.nn.functional.softplus(-yt * net(xt).squeeze(1)).mean()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
