"""Writes scikit-learn's bundled classification data sets (iris, wine, breast_cancer, digits) as CSV files with a
header row and a `label` column, raw (not scaled), for the `--standardize` tests (issue 10).

Run from the repository root:  /usr/bin/python3 tribuo-invariance/src/test/python/make_sklearn_csv.py
Feature columns keep scikit-learn's feature names (spaces and brackets become '_'), so the CSV column order
differs from Tribuo's sorted-by-name feature order (iris: sepal_length_cm comes first in the file, petal_length_cm
first in Tribuo); label values are the class names with spaces replaced by '_' (iris: setosa, versicolor, virginica).
"""
import csv
import os

from sklearn import datasets

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "sklearn")


def clean(feature):
    out = "".join(c if c.isalnum() else "_" for c in str(feature).strip())
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_")


def write(name, bunch):
    x, y = bunch.data, bunch.target
    names = [str(n).replace(" ", "_") for n in bunch.target_names]
    header = [clean(n) for n in bunch.feature_names] + ["label"]
    assert len(set(header)) == len(header), name
    path = os.path.join(OUT, name + ".csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row, label in zip(x, y):
            w.writerow([repr(float(v)) for v in row] + [names[label]])
    print(path, x.shape, len(names), "classes")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    write("iris", datasets.load_iris())
    write("wine", datasets.load_wine())
    write("breast_cancer", datasets.load_breast_cancer())
    write("digits", datasets.load_digits())
