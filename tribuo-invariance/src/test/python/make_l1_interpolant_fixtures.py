#!/usr/bin/env python3
"""Reference solutions of the minimum-l1 interpolation linear program for MinL1InterpolantTest.

    beta_l1 = argmin ||b||_1  subject to  X b = y,  no intercept,

solved with scipy.optimize.linprog (HiGHS) over b = b+ - b-, b+, b- >= 0 (science.md 3.3, A3.3's l1 target).
Cases: A3.3's shape (d = 20, N = 5, x ~ N(0, I), 2-sparse teacher (1, -0.5, 0, ...)), a dense teacher with d = 12,
N = 8, and an overdetermined set whose y is not in the column space of X (the LP is infeasible).
Writes tribuo-invariance/src/test/resources/fixtures/l1margin/l1_interpolant.json. Run: /usr/bin/python3 THIS_FILE
"""
import json
import os

import numpy as np

from l1_program import min_l1


def solve(x, y):
    return min_l1(x.shape[1], A_eq=np.hstack([x, -x]), b_eq=y)


def case(name, x, y):
    b = solve(x, y)
    out = {"name": name, "inputs": x.tolist(), "targets": y.tolist(), "feasible": b is not None}
    if b is not None:
        out["weights"] = b.tolist()
        out["l1_norm"] = float(np.abs(b).sum())
        out["max_residual"] = float(np.abs(x @ b - y).max())
    return out


def main():
    rng = np.random.default_rng(3)
    x0 = rng.normal(size=(5, 20))
    teacher = np.zeros(20)
    teacher[0], teacher[1] = 1.0, -0.5
    x1 = rng.normal(size=(8, 12))
    y1 = x1 @ rng.normal(size=12)
    x2 = rng.normal(size=(6, 3))
    y2 = rng.normal(size=6)
    cases = [case("sparse_teacher_d20_n5", x0, x0 @ teacher), case("dense_teacher_d12_n8", x1, y1),
             case("overdetermined", x2, y2)]
    assert not cases[2]["feasible"]
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.path.join(here, "..", "resources", "fixtures", "l1margin", "l1_interpolant.json")
    with open(target, "w") as f:
        json.dump({"generator": "make_l1_interpolant_fixtures.py", "scipy": __import__("scipy").__version__,
                   "cases": cases}, f, indent=1)
    print("wrote", os.path.normpath(target))


if __name__ == "__main__":
    main()
