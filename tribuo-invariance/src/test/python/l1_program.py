"""The l1 linear program both l1 fixture generators solve with scipy's HiGHS: argmin ||b||_1 over b = b+ - b-
(b+, b- >= 0) under the constraints given (linprog's A_ub/b_ub or A_eq/b_eq on the stacked [b+, b-])."""
import numpy as np
from scipy.optimize import linprog


def min_l1(d, **constraints):
    """The minimiser b (length d), or None when the constraints are infeasible."""
    res = linprog(np.ones(2 * d), bounds=[(0, None)] * (2 * d), method="highs", **constraints)
    if res.status == 2:
        return None
    assert res.status == 0, res.message
    return res.x[:d] - res.x[d:]
