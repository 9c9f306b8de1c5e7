#!/usr/bin/python3
"""The peer measurement for bench/explain.sh: XGBoost's pred_contribs (its own
TreeSHAP) on an XGBoost model of the same size, depth and threads, over the
same training rows, best of three. Prints one JSON line.

Usage: explain_peers.py TRAIN TARGET THREADS [name=value ...]
"""
import json
import sys
import time

import pandas as pd
import xgboost as xgb

from fit_predict_peers import value  # name=value arguments read as the other peers read them


def main():
    train, target, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    params = dict(arg.split("=", 1) for arg in sys.argv[4:])
    df = pd.read_csv(train)
    y = pd.Categorical(df.pop(target)).codes
    rounds = int(params.pop("n_estimators", 100))
    booster_params = {"tree_method": "hist", "nthread": threads, "objective": "binary:logistic",
                      **{k: value(v) for k, v in params.items()}}
    data = xgb.DMatrix(df, label=y, nthread=threads)
    booster = xgb.train(booster_params, data, num_boost_round=rounds)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        contributions = booster.predict(data, pred_contribs=True)
        best = min(best, time.perf_counter() - start)
    margin = booster.predict(data, output_margin=True)
    error = float(abs(contributions.sum(axis=1) - margin).max())
    print(json.dumps({"tool": "xgboost", "rows": len(df), "explain_s": best, "largest_sum_error": error}))


if __name__ == "__main__":
    main()
