"""Reference solutions of the homogeneous hard-margin SVM  u* = argmin ||u||  s.t.  y_n u.x_n >= 1  (no intercept),
for HardMarginSvmTest (issue 10). Independent of the Java solver: scipy's SLSQP finds the support set, then the exact
u* is solved from it (u* = sum a_s y_s x_s with y_s u*.x_s = 1 on the support set, a_s >= 0 checked); separability
is decided by scipy's HiGHS linear program (is there u with y_n u.x_n >= 1 for all n?).

Run from the repository root:  /usr/bin/python3 tribuo-invariance/src/test/python/make_svm_reference.py
"""
import json
import os

import numpy as np
from scipy.optimize import linprog, minimize

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "svm_reference.json")


def feasible_point(x, y):
    """A u with y_n u.x_n >= 1 for all n (HiGHS linear program), or None when the data are not separable."""
    a = -(y[:, None] * x)
    r = linprog(np.zeros(x.shape[1]), A_ub=a, b_ub=-np.ones(len(y)), bounds=[(None, None)] * x.shape[1],
                method="highs")
    return r.x if r.status == 0 else None


def hard_margin(x, y, start):
    """SLSQP from a feasible point proposes the support set; the exact u* is solved on it and certified by the KKT
    conditions (u* = sum a_s z_s with a_s >= 0, z_s.u* = 1 on the support set, z_n.u* >= 1 everywhere)."""
    z = y[:, None] * x
    r = minimize(lambda u: 0.5 * u @ u, start, jac=lambda u: u,
                 constraints=[{"type": "ineq", "fun": lambda u: z @ u - 1.0, "jac": lambda u: z}],
                 method="SLSQP", options={"ftol": 1e-12, "maxiter": 2000})
    support = list(np.where(z @ r.x < 1.0 + 1e-4)[0])
    for _ in range(2000):
        zs = z[support]
        a = np.linalg.lstsq(zs @ zs.T, np.ones(len(support)), rcond=None)[0]
        if (a < -1e-12).any():
            support.pop(int(np.argmin(a)))
            continue
        u = zs.T @ a
        worst = int(np.argmin(z @ u))
        if z[worst] @ u < 1.0 - 1e-10:
            support.append(worst)
            continue
        return u, len(support)
    raise AssertionError("active set did not settle")


def case(name, x, y):
    start = feasible_point(x, y)
    sep = start is not None
    c = {"name": name, "inputs": x.tolist(), "labels": y.tolist(), "separable": bool(sep)}
    if sep:
        u, support = hard_margin(x, y, start)
        c["u_star"] = u.tolist()
        c["margin"] = float(1.0 / np.linalg.norm(u))
        c["support_vectors"] = int(support)
    print(name, x.shape, "separable" if sep else "not separable", c.get("margin"))
    return c


def main():
    rng = np.random.default_rng(20261126)
    cases = []
    # Planted direction, points at least 0.05 from the hyperplane through the origin.
    d = 10
    w = rng.standard_normal(d)
    w /= np.linalg.norm(w)
    x = rng.standard_normal((400, d))
    s = x @ w
    keep = np.abs(s) > 0.05
    x, s = x[keep][:300], s[keep][:300]
    cases.append(case("planted_300x10", x, np.sign(s)))
    # Anisotropic features (scales 0.1 ... 10), still separable: harder for coordinate descent.
    scales = np.logspace(-1, 1, 6)
    x = rng.standard_normal((200, 6)) * scales
    w = rng.standard_normal(6) / scales
    s = x @ w
    keep = np.abs(s) > 0.1 * np.abs(s).mean()
    cases.append(case("anisotropic_200x6", x[keep], np.sign(s[keep])))
    # Label noise: not separable through the origin.
    x = rng.standard_normal((200, 5))
    yv = np.sign(x @ rng.standard_normal(5))
    flip = rng.choice(200, 20, replace=False)
    yv[flip] *= -1
    cases.append(case("noisy_200x5", x, yv))
    with open(OUT, "w") as f:
        json.dump({"generator": "make_svm_reference.py", "cases": cases}, f)


if __name__ == "__main__":
    main()
