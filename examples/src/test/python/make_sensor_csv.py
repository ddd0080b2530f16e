"""Writes sensors-train.csv (80 rows) and sensors-test.csv (40 rows) under
examples/src/main/resources/dev/invariance/examples/, the CSV files TribuoUserTour.kt reads.

Four numeric columns and a label column `state` ("ok"/"fault"): x ~ N(0, I_4), the label is the sign
of w.x with w = (1.5, -1, 0.5, 2), and rows with |w.x| < 0.5 are dropped, so the classes are linearly separable
with a margin. Run from the repository root: python3 examples/src/test/python/make_sensor_csv.py
"""
import numpy as np

rng = np.random.default_rng(2024)
w = np.array([1.5, -1.0, 0.5, 2.0])


def write(name, count):
    rows = []
    while len(rows) < count:
        x = rng.standard_normal(4)
        s = float(w @ x)
        if abs(s) < 0.5:
            continue
        rows.append((x, "fault" if s > 0 else "ok"))
    with open("examples/src/main/resources/dev/invariance/examples/" + name, "w") as f:
        f.write("temperature,vibration,current,pressure,state\n")
        for x, label in rows:
            f.write(",".join(f"{v:.6f}" for v in x) + f",{label}\n")


write("sensors-train.csv", 80)
write("sensors-test.csv", 40)
