"""Writes the data bench/forest_ranks.sh trains on: 400,000 rows each of a
binary classification (make_classification: 20 numbers, 8 informative, 10% of
labels flipped, two of the numbers cut into lettered categories, 5% of one
column missing) and a regression (Friedman #1 with noise, plus a category that
shifts the target), with fixed seeds: the same files every time.

    /usr/bin/python3 bench/forest_ranks_data.py OUT_DIR
"""
import sys

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification, make_friedman1

ROWS = 400_000


def letters(values, bins, rng):
    cuts = np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1])
    names = np.array([chr(ord("a") + i) for i in range(bins)])
    return names[np.searchsorted(cuts, values)]


def main(out):
    rng = np.random.default_rng(22)
    X, y = make_classification(n_samples=ROWS, n_features=20, n_informative=8, n_redundant=4,
                               flip_y=0.1, class_sep=0.7, random_state=22)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    frame["c0"] = letters(frame.pop("x0").to_numpy(), 12, rng)
    frame["c1"] = letters(frame.pop("x1").to_numpy(), 5, rng)
    frame.loc[rng.random(ROWS) < 0.05, "x2"] = np.nan
    frame["label"] = np.where(y == 1, "yes", "no")
    frame.to_csv(f"{out}/forest_classification.csv", index=False, float_format="%.6g")

    X, y = make_friedman1(n_samples=ROWS, n_features=10, noise=1.0, random_state=23)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(10)])
    region = rng.integers(0, 6, ROWS)
    frame["region"] = np.array(list("ABCDEF"))[region]
    frame["y"] = y + np.array([0.0, 1.5, -1.0, 0.5, 2.0, -0.5])[region]
    frame.to_csv(f"{out}/forest_regression.csv", index=False, float_format="%.6g")


if __name__ == "__main__":
    main(sys.argv[1])
