#!/usr/bin/env bash
# Batch scoring CSV to CSV, end to end (issue 19): `shipml predict` beside the
# Python path a team writes today (bench/batch_peers.py: pandas reads chunks,
# XGBoost's Booster predicts, pandas appends). Same rows, same 2 threads, a
# 100-tree depth-6 model each, trained on the first 200,000 rows. Prints rows
# per second and peak RSS (the whole process) for both, and the ratios.
# Usage: bench/batch_score.sh BUILD_DIR [COPIES]  (COPIES x 500,000 rows x 20; default 20 = 10M rows)
set -euo pipefail
export SHIPML_TRACKING=off  # measurements, not experiments: no run records
build=${1:-build/release}
copies=${2:-20}
threads=2
data=$build/bench-data/batch
mkdir -p "$data"
score=$data/score_${copies}.csv
if [[ ! -s $score ]]; then
  "$build/bench/bench_csv" --write "$data/part.csv"  # 500,000 rows x 20 numbers
  { cat "$data/part.csv"; for ((i = 1; i < copies; i++)); do tail -n +2 "$data/part.csv"; done; } >"$score.tmp"
  mv "$score.tmp" "$score"
fi
/usr/bin/python3 - "$data/part.csv" "$data" $threads <<'PY'
import sys
import numpy as np, pandas as pd, xgboost as xgb
part, out, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
x = pd.read_csv(part, nrows=200_000)
v = x.values
x["label"] = ((v[:, 0] * v[:, 1] > 0) ^ (v[:, 2] + v[:, 3] > 10)).astype(int)
x.to_csv(f"{out}/train.csv", index=False)
booster = xgb.train({"tree_method": "hist", "max_depth": 6, "eta": 0.1, "objective": "binary:logistic",
                     "nthread": threads}, xgb.DMatrix(x.drop(columns="label"), label=x["label"]), 100)
booster.save_model(f"{out}/model.json")
PY
"$build/shipml" -q train --data "$data/train.csv" --target label -e hist_gbdt --set n_estimators=100 \
  --set max_depth=6 --set max_leaves=64 --set early_stopping=false -o "$data/model.shipml" >/dev/null
ours=$( { /usr/bin/time -f '%e %M' "$build/shipml" -q predict --model "$data/model.shipml" --data "$score" \
  --out "$data/ours.csv" --threads $threads 2>&1 >/dev/null; } | tail -1)
theirs=$(/usr/bin/python3 bench/batch_peers.py "$score" "$data/model.json" "$data/theirs.csv" $threads)
rows=$(($(wc -l <"$score") - 1))
/usr/bin/python3 - "$ours" "$theirs" "$rows" "$(stat -c %s "$score")" <<'PY'
import json, sys
seconds, kb = sys.argv[1].split()
ours = {"rows_per_s": int(sys.argv[3]) / float(seconds), "peak_rss_mb": int(kb) / 1024, "seconds": float(seconds)}
theirs = json.loads(sys.argv[2])
size = int(sys.argv[4]) / 1e6
print(f"batch scoring {int(sys.argv[3]):,} rows x 20 ({size:,.0f} MB CSV) to CSV, 100 trees, 2 threads")
print(f"{'':28s} {'seconds':>9s} {'rows/s':>11s} {'peak RSS MB':>12s}")
for r, name in ((ours, "shipml predict"), (theirs, "pandas chunks + XGBoost 1.7")):
    print(f"{name:28s} {r['seconds']:9.2f} {r['rows_per_s']:11,.0f} {r['peak_rss_mb']:12.1f}")
print(f"ratio shipml/peer: {ours['rows_per_s'] / theirs['rows_per_s']:.2f}x throughput (floor 3x), "
      f"{ours['peak_rss_mb'] / theirs['peak_rss_mb']:.2f}x peak memory (ceiling 0.25x)")
PY
