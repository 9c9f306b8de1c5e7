#!/usr/bin/python3
"""Writes the benchmark datasets, each split once into train.csv and test.csv so
every tool trains and predicts on exactly the same rows.

Usage: prepare_data.py DATA_DIR OUT_DIR [ROWS]

- synthetic: a seeded make_classification-style binary problem of our own:
  10 informative features (class-dependent Gaussian clusters plus a nonlinear
  interaction), 5 redundant ones (random linear mixes of the informative), 5
  noise features, 3% of labels flipped.
- churn, credit_data, penguins, ames: the bundled real datasets, stratified
  (classification) or shuffled (regression) 80/20.
"""
import os
import sys

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split


def synthetic(rows, seed=20261127):
    rng = np.random.default_rng(seed)
    n_inf, n_red, n_noise = 10, 5, 5
    y = rng.integers(0, 2, size=rows)
    centers = rng.normal(0, 1.0, size=(2, n_inf))
    X_inf = rng.normal(size=(rows, n_inf)) + centers[y]
    # A nonlinear interaction that trees must discover.
    y = np.where(X_inf[:, 0] * X_inf[:, 1] > 1.5, 1 - y, y)
    X_red = X_inf @ rng.normal(size=(n_inf, n_red))
    X_noise = rng.normal(size=(rows, n_noise))
    X = np.hstack([X_inf, X_red, X_noise]).astype(np.float32)
    flip = rng.random(rows) < 0.03
    y = np.where(flip, 1 - y, y)
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    df["label"] = np.where(y == 1, "yes", "no")
    return df


def write(name, df, target, out_dir, stratify):
    folder = os.path.join(out_dir, name)
    if os.path.exists(os.path.join(folder, "test.csv")):
        return
    os.makedirs(folder, exist_ok=True)
    train, test = train_test_split(df, test_size=0.2, random_state=42, stratify=df[target] if stratify else None)
    train.to_csv(os.path.join(folder, "train.csv.tmp"), index=False, float_format="%.7g")
    test.to_csv(os.path.join(folder, "test.csv.tmp"), index=False, float_format="%.7g")
    for part in ("train", "test"):
        os.replace(os.path.join(folder, f"{part}.csv.tmp"), os.path.join(folder, f"{part}.csv"))


def main():
    data_dir, out_dir = sys.argv[1], sys.argv[2]
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    write(f"synthetic_{rows}", synthetic(rows), "label", out_dir, True)
    for name, target, stratify in [("churn", "churn", True), ("credit_data", "Status", True),
                                   ("penguins", "species", True), ("ames", "Sale_Price", False)]:
        df = pd.read_csv(os.path.join(data_dir, f"{name}.csv"))
        write(name, df, target, out_dir, stratify)


if __name__ == "__main__":
    main()
