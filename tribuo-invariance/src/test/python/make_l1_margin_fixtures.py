#!/usr/bin/env python3
"""Reference solutions of the l1 max-margin linear program for L1MaxMarginTest.

    beta_1 = argmin ||b||_1  subject to  y_n x_n^T b >= 1  (n = 1..N), no intercept,

solved with scipy.optimize.linprog (HiGHS) over b = b+ - b-, b+, b- >= 0 (science.md 3.3, E3's l1 target).
Cases: E3's data (d = 10, N = 20, x ~ N(0, I), y = sign(x_0 + 0.5 x_1), points with |x_0 + 0.5 x_1| < 0.1 dropped),
a denser teacher, and a set that no direction through the origin separates (the LP is infeasible).
Writes tribuo-invariance/src/test/resources/fixtures/l1margin/l1_margin.json. Run: /usr/bin/python3 THIS_FILE
"""
import json
import os

import numpy as np

from l1_program import min_l1


def e3_data(seed, d=10, n=20):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    while len(xs) < n:
        x = rng.normal(size=d)
        s = x[0] + 0.5 * x[1]
        if abs(s) < 0.1:
            continue
        xs.append(x)
        ys.append(1.0 if s > 0 else -1.0)
    return np.array(xs), np.array(ys)


def dense_data(seed, d=6, n=30):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=d)
    x = rng.normal(size=(n, d))
    y = np.where(x @ w > 0, 1.0, -1.0)
    return x, y


def solve(x, y):
    n, d = x.shape
    # y_n x_n^T (b+ - b-) >= 1  <=>  -y_n x_n^T b+ + y_n x_n^T b- <= -1
    return min_l1(d, A_ub=np.hstack([-(y[:, None] * x), y[:, None] * x]), b_ub=-np.ones(n))


def case(name, x, y):
    b = solve(x, y)
    out = {"name": name, "inputs": x.tolist(), "labels": y.tolist(), "feasible": b is not None}
    if b is not None:
        out["weights"] = b.tolist()
        out["l1_norm"] = float(np.abs(b).sum())
        out["min_margin"] = float((y * (x @ b)).min())
    return out


def main():
    x0, y0 = e3_data(0)
    x1, y1 = e3_data(7)
    x2, y2 = dense_data(3)
    # XOR-like: no direction through the origin separates these
    x3 = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    y3 = np.array([1.0, 1.0, -1.0, -1.0])
    cases = [case("e3_seed0", x0, y0), case("e3_seed7", x1, y1), case("dense_teacher", x2, y2),
             case("not_separable", x3, y3)]
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.path.join(here, "..", "resources", "fixtures", "l1margin", "l1_margin.json")
    with open(target, "w") as f:
        json.dump({"generator": "make_l1_margin_fixtures.py", "scipy": __import__("scipy").__version__,
                   "cases": cases}, f, indent=1)
    print("wrote", os.path.normpath(target))


if __name__ == "__main__":
    main()
