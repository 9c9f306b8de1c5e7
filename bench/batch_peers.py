#!/usr/bin/python3
"""Batch scoring the way a Python team does it today, the yardstick for
`shipml predict` on files larger than memory: pandas reads the CSV in chunks,
XGBoost's Booster predicts each chunk, pandas appends the scores to a CSV.

Usage: batch_peers.py INPUT.csv MODEL.json OUTPUT.csv THREADS [CHUNK_ROWS]

The booster is loaded from a file (saved by XGBoost), so the peak memory is
what scoring takes, not what training took. Prints one JSON line: rows,
seconds, rows per second, peak RSS (VmHWM) and RSS before scoring, in MB.
"""
import json
import sys
import time

import pandas as pd
import xgboost as xgb

from fit_predict_peers import memory_mb


def main():
    source, model_path, target, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    chunk_rows = int(sys.argv[5]) if len(sys.argv) > 5 else 100_000
    booster = xgb.Booster({"nthread": threads})
    booster.load_model(model_path)
    before = memory_mb()[1]
    start = time.perf_counter()
    rows = 0
    with open(target, "w") as out:
        for i, chunk in enumerate(pd.read_csv(source, chunksize=chunk_rows)):
            scores = booster.predict(xgb.DMatrix(chunk.values, feature_names=list(chunk.columns)))
            pd.DataFrame({"score": scores}).to_csv(out, header=i == 0, index=False)
            rows += len(chunk)
    seconds = time.perf_counter() - start
    print(json.dumps({"tool": "pandas+xgboost", "rows": rows, "seconds": seconds, "rows_per_s": rows / seconds,
                      "peak_rss_mb": memory_mb()[1], "rss_before_mb": before}))


if __name__ == "__main__":
    main()
