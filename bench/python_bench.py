#!/usr/bin/python3
"""The Python package side by side, in one process per tool, on the same data:

1. fit and predict of 100 depth-6 boosted trees on the 1M x 20 numeric problem
   from a pandas DataFrame, 2 threads: shipml from Python, the same work in C++
   (bench_fit_predict, which times only fit and predict), and XGBoost's Python
   API (hist, the same depth, rounds, learning rate, L2 and bins);
2. single-row predict_proba from a 1-row NumPy array and a 1-row DataFrame:
   shipml, scikit-learn's HistGradientBoosting and XGBoost (inplace_predict
   for the array), each model fit on the same rows.

Usage: python_bench.py BUILD_DIR TRAIN.csv TEST.csv [REPEATS]
Prints a table; the last line is JSON for the closing notes.
"""
import json
import os
import statistics
import subprocess
import sys
import time
import timeit

import numpy as np
import pandas as pd

build, train_csv, test_csv = sys.argv[1:4]
repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 5
sys.path.insert(0, os.path.join(build, "python"))
os.environ["SHIPML_TRACKING"] = "off"

import shipml  # noqa: E402
import xgboost  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

THREADS = 2
OURS = dict(n_estimators=100, max_depth=6, max_leaves=64, learning_rate=0.1, min_samples_leaf=1, min_child_weight=1,
            early_stopping=False, l2_regularization=1, threads=THREADS)
CPP = " ".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in OURS.items())
XGB = dict(n_estimators=100, max_depth=6, learning_rate=0.1, min_child_weight=1, max_bin=255, reg_lambda=1,
           tree_method="hist", n_jobs=THREADS)

# Numbers read exactly as shipml's reader reads them, so every tool sees the same data.
train = pd.read_csv(train_csv, float_precision="round_trip")
test = pd.read_csv(test_csv, float_precision="round_trip")
X, y = train.drop(columns="label"), (train["label"] == "yes").astype(int)
X_test, y_test = test.drop(columns="label"), (test["label"] == "yes").astype(int)


def timed(work):
    start = time.perf_counter()
    out = work()
    return time.perf_counter() - start, out


results = {"shipml python": [], "shipml c++": [], "xgboost python": []}
models = {}
for r in range(repeats):  # alternating, so every tool sees the same machine
    model = shipml.Model("hist_gbdt", **OURS)
    fit, _ = timed(lambda: model.fit(X, y))
    predict, proba = timed(lambda: model.predict_proba(X_test))
    results["shipml python"].append((fit, predict, roc_auc_score(y_test, proba[:, 1])))
    models["shipml"] = model

    line = subprocess.run([os.path.join(build, "bench", "bench_fit_predict"), train_csv, test_csv, "label", "hist_gbdt",
                           *CPP.split()], capture_output=True, text=True, check=True).stdout
    cpp = json.loads(line)
    results["shipml c++"].append((cpp["fit_s"], cpp["predict_s"], cpp["auc"]))

    booster = xgboost.XGBClassifier(**XGB)
    fit, _ = timed(lambda: booster.fit(X, y))
    predict, proba = timed(lambda: booster.predict_proba(X_test))
    results["xgboost python"].append((fit, predict, roc_auc_score(y_test, proba[:, 1])))
    models["xgboost"] = booster

rows = X.iloc[:100_000]
hgb = HistGradientBoostingClassifier(max_iter=100, max_depth=6, max_leaf_nodes=64, learning_rate=0.1,
                                     min_samples_leaf=1, early_stopping=False, l2_regularization=1).fit(X, y)


def latency(call, number=2000):
    """Median microseconds per call over 7 rounds of `number` calls."""
    call()
    return statistics.median(timeit.repeat(call, number=number, repeat=7)) / number * 1e6


row_array = X_test.to_numpy()[:1].copy()
row_frame = X_test.iloc[:1].copy()
booster = models["xgboost"].get_booster()
single = {
    "shipml, numpy row": latency(lambda: models["shipml"].predict_proba(row_array)),
    "shipml, DataFrame row": latency(lambda: models["shipml"].predict_proba(row_frame), 500),
    "sklearn HGB, numpy row": latency(lambda: hgb.predict_proba(row_array), 500),
    "sklearn HGB, DataFrame row": latency(lambda: hgb.predict_proba(row_frame), 200),
    "xgboost inplace_predict, numpy row": latency(lambda: booster.inplace_predict(row_array), 500),
    "xgboost predict_proba, DataFrame row": latency(lambda: models["xgboost"].predict_proba(row_frame), 200),
}
assert np.array_equal(models["shipml"].predict_proba(row_array), models["shipml"].predict_proba(row_frame))

medians = {tool: tuple(statistics.median(v[i] for v in runs) for i in range(3)) for tool, runs in results.items()}
print(f"== Python: {len(X):,} x {X.shape[1]} DataFrame, 100 trees of depth 6, {THREADS} threads, median of {repeats} ==")
print(f"{'':28}{'fit s':>10}{'predict s':>12}{'test AUC':>10}")
for tool, (fit, predict, auc) in medians.items():
    print(f"{tool:28}{fit:10.3f}{predict:12.4f}{auc:10.4f}")
py, cpp, xgb = medians["shipml python"], medians["shipml c++"], medians["xgboost python"]


def paired(a, b, i):
    """The median over repeats of a's time over b's in the same repeat (this VM's speed drifts between repeats)."""
    return statistics.median(x[i] / y[i] for x, y in zip(results[a], results[b]))


print(f"shipml python / c++: fit {paired('shipml python', 'shipml c++', 0):.3f}x, "
      f"predict {paired('shipml python', 'shipml c++', 1):.3f}x (medians of paired ratios)")
print(f"shipml python / xgboost python: fit {paired('shipml python', 'xgboost python', 0):.3f}x, "
      f"predict {paired('shipml python', 'xgboost python', 1):.3f}x")
print()
print("== Single-row predict_proba, microseconds per call (median) ==")
for name, us in single.items():
    print(f"{name:40}{us:10.1f}")
print(f"shipml / sklearn HGB on the numpy row: {single['shipml, numpy row'] / single['sklearn HGB, numpy row']:.3f}x"
      f" ({single['sklearn HGB, numpy row'] / single['shipml, numpy row']:.0f}x faster)")
print(json.dumps({"fit_predict": medians, "runs": results, "single_row_us": single}))
