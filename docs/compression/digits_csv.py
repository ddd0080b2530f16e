#!/usr/bin/python3
"""Writes scikit-learn's digits data set (1797 8x8 images, 10 classes; bundled with scikit-learn, nothing downloaded) as
two CSV files for docs/compression.md: DIR/digits_train.csv (the first 1347 rows of a fixed shuffle) and
DIR/digits_test.csv (the other 450), columns p00..p63 (pixel intensities 0-16) and label (d0..d9).

    /usr/bin/python3 docs/compression/digits_csv.py DIR

Deterministic (seed 0). Needs python3-sklearn, python3-numpy (Debian).
"""
import os
import sys

import numpy as np
from sklearn.datasets import load_digits


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    d = load_digits()
    order = np.random.default_rng(0).permutation(len(d.target))
    x, y = d.data[order], d.target[order]
    for name, rows in (("digits_train.csv", range(0, 1347)), ("digits_test.csv", range(1347, len(y)))):
        with open(os.path.join(out, name), "w") as f:
            f.write(",".join("p%02d" % j for j in range(64)) + ",label\n")
            for i in rows:
                f.write(",".join("%d" % v for v in x[i]) + ",d%d\n" % y[i])


if __name__ == "__main__":
    main()
