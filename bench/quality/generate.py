"""Writes the battery's non-R data sets: scikit-learn's bundled digits and four
generated problems whose structure is known (seeded, so the files are the same
on every machine). Run with Debian's /usr/bin/python3.

Usage: generate.py OUT_DIR [NAME...]   (no NAME: every set)
"""
import os
import sys

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits, make_classification


def digits():
    # 1,797 8x8 images, 10 classes: many small-integer columns, some constant.
    d = load_digits()
    df = pd.DataFrame(d.data.astype(int), columns=[f"pixel{i}" for i in range(64)])
    df["digit"] = d.target
    return df


def synth_highcard():
    # Binary; the signal is mostly in a high-cardinality category: levels drawn
    # from 1,500 with Zipf-like frequencies, so 864 occur (1,062 rows for the
    # commonest, 577 levels with one or two rows), plus two numeric columns and
    # an 8-level category.
    rng = np.random.default_rng(1701)
    rows, levels = 6000, 1500
    p = 1.0 / np.arange(1, levels + 1) ** 1.1
    level = rng.choice(levels, size=rows, p=p / p.sum())
    effect = rng.normal(0.0, 1.5, size=levels)
    x1, x2 = rng.normal(size=rows), rng.normal(size=rows)
    region = rng.integers(0, 8, size=rows)
    logit = effect[level] + 0.8 * x1 - 0.5 * x2 + 0.3 * (region == 3) - 1.0
    y = rng.random(rows) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({"merchant": [f"m{v:04d}" for v in level], "region": [f"r{v}" for v in region],
                         "x1": x1.round(5), "x2": x2.round(5), "fraud": np.where(y, "yes", "no")})


def synth_missing():
    # Regression (Friedman #1 plus 5 noise columns): 30% of every feature
    # missing completely at random, and a column `income` that is missing far
    # more often when the target is high (its missingness carries signal).
    rng = np.random.default_rng(1702)
    rows = 4000
    X = rng.random((rows, 10))
    y = (10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - 0.5) ** 2 + 10 * X[:, 3] + 5 * X[:, 4]
         + rng.normal(size=rows))
    X[rng.random(X.shape) < 0.3] = np.nan
    df = pd.DataFrame(X.round(5), columns=[f"x{i}" for i in range(10)])
    income = rng.lognormal(10, 0.5, size=rows).round(0)
    high = y > np.quantile(y, 0.7)
    income[rng.random(rows) < np.where(high, 0.8, 0.1)] = np.nan
    df["income"] = income
    df["y"] = y.round(5)
    return df


def synth_heavytail():
    # Regression with a heavy-tailed target (log-normal: the top 1% of rows
    # carry a large share of the variance) and heavy-tailed features
    # (Student t with 2 degrees of freedom).
    rng = np.random.default_rng(1703)
    rows = 5000
    t = rng.standard_t(2, size=(rows, 4))
    n = rng.normal(size=(rows, 4))
    log_y = 1.0 + 0.8 * n[:, 0] + 0.5 * n[:, 1] * n[:, 2] + 0.3 * np.tanh(t[:, 0]) + 0.6 * rng.normal(size=rows)
    df = pd.DataFrame(np.hstack([n, t]).round(5), columns=[f"n{i}" for i in range(4)] + [f"t{i}" for i in range(4)])
    df["y"] = np.exp(log_y).round(5)
    return df


def synth_rare_multiclass():
    # 6 classes drawn with weights 90% / 5% / 3% / 1.5% / 0.4% / 0.1%; with 1% of
    # labels flipped at random the counts are 7130 / 411 / 255 / 130 / 49 / 25.
    # 20 features, 8 of them informative and 4 linear mixtures of those.
    X, y = make_classification(n_samples=8000, n_features=20, n_informative=8, n_redundant=4, n_classes=6,
                               n_clusters_per_class=2, weights=[0.9, 0.05, 0.03, 0.015, 0.004, 0.001],
                               flip_y=0.01, class_sep=1.0, random_state=1704)
    df = pd.DataFrame(X.round(5), columns=[f"f{i}" for i in range(20)])
    df["label"] = [f"c{v}" for v in y]
    return df


SETS = {"digits": digits, "synth_highcard": synth_highcard, "synth_missing": synth_missing,
        "synth_heavytail": synth_heavytail, "synth_rare_multiclass": synth_rare_multiclass}


def main():
    out, names = sys.argv[1], sys.argv[2:] or list(SETS)
    os.makedirs(out, exist_ok=True)
    for name in names:
        df = SETS[name]()
        path = os.path.join(out, f"{name}.csv")
        df.to_csv(path + ".tmp", index=False)
        os.replace(path + ".tmp", path)
        print(f"generated {name:<22} {len(df):6d} rows x {df.shape[1] - 1:4d} columns", file=sys.stderr)


if __name__ == "__main__":
    main()
