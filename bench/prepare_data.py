#!/usr/bin/python3
"""Writes the benchmark datasets, each split once into train.csv and test.csv so
every tool trains and predicts on exactly the same rows.

Usage: prepare_data.py DATA_DIR OUT_DIR [ROWS]

- synthetic: a seeded make_classification-style binary problem of our own:
  10 informative features (class-dependent Gaussian clusters plus a nonlinear
  interaction), 5 redundant ones (random linear mixes of the informative), 5
  noise features, 3% of labels flipped.
- wide: 75,000 image-like rows of 28 x 28 integer "pixels" (0-255) in 10
  classes, 60,000 of them to train on: each class a few strokes drawn at its
  own places, shifted, thickened and mixed with another class's strokes per
  row, with noise. Like scanned digits, most pixels are 0 and the border ones
  always are (constant and nearly constant columns).
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


def wide(rows=75_000, side=28, classes=10, seed=20261202):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32)
    protos = np.zeros((classes, side, side), np.float32)
    for k in range(classes):  # three strokes per class, inside the centre 20 x 20
        for _ in range(3):
            (y0, x0), (y1, x1) = rng.uniform(6, side - 6, size=(2, 2))
            for t in np.linspace(0, 1, 24):
                cy, cx = y0 + t * (y1 - y0), x0 + t * (x1 - x0)
                protos[k] = np.maximum(protos[k], np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 2.0))
    y = rng.integers(0, classes, size=rows)
    other = (y + rng.integers(1, classes, size=rows)) % classes
    mix = rng.uniform(0.0, 0.45, size=(rows, 1, 1)).astype(np.float32)
    img = (1 - mix) * protos[y] + mix * protos[other]
    img *= rng.uniform(0.6, 1.3, size=(rows, 1, 1)).astype(np.float32)
    for dy in range(-2, 3):  # each row shifted by up to two pixels either way
        for dx in range(-2, 3):
            pick = (rng.integers(-2, 3, size=rows) == dy) & (rng.integers(-2, 3, size=rows) == dx)
            img[pick] = np.roll(img[pick], (dy, dx), axis=(1, 2))
    img += rng.normal(0, 0.12, size=img.shape).astype(np.float32)
    img[:, :3, :] = img[:, -3:, :] = img[:, :, :3] = img[:, :, -3:] = 0  # the frame stays blank
    pixels = np.where(img < 0.25, 0, np.clip(np.rint(img * 255), 0, 255)).astype(np.uint8)
    df = pd.DataFrame(pixels.reshape(rows, side * side), columns=[f"px{i}" for i in range(side * side)])
    df["digit"] = np.array([f"d{k}" for k in range(classes)])[y]
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
    if not os.path.exists(os.path.join(out_dir, "wide", "test.csv")):
        write("wide", wide(), "digit", out_dir, True)
    for name, target, stratify in [("churn", "churn", True), ("credit_data", "Status", True),
                                   ("penguins", "species", True), ("ames", "Sale_Price", False)]:
        df = pd.read_csv(os.path.join(data_dir, f"{name}.csv"))
        write(name, df, target, out_dir, stratify)


if __name__ == "__main__":
    main()
