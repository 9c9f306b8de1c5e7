#!/usr/bin/env bash
# Explanations side by side (issue 18): shipml's TreeSHAP against XGBoost's own
# (pred_contribs) on models of the same size: 100 trees of depth 6, on the
# 10,000 training rows x 20 features of the synthetic problem, 2 threads each.
# Prints the seconds to explain every row (best of 3) and the ratio.
# Usage: bench/explain.sh BUILD_DIR
set -euo pipefail
export SHIPML_TRACKING=off  # measurements, not experiments: no run records
build=${1:-build/release}
threads=2
data=$build/bench-data
/usr/bin/python3 bench/prepare_data.py data "$data" 12500 >/dev/null  # an 80/20 split: 10,000 training rows
train=$data/synthetic_12500/train.csv
ours=$("$build/bench/bench_explain" "$train" label hist_gbdt n_estimators=100 max_depth=6 max_leaves=64 \
  learning_rate=0.1 min_samples_leaf=1 early_stopping=false threads=$threads)
theirs=$(/usr/bin/python3 bench/explain_peers.py "$train" label $threads n_estimators=100 max_depth=6 eta=0.1 \
  min_child_weight=1 max_bin=255)
/usr/bin/python3 - "$ours" "$theirs" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"{'explain 10,000 rows x 20':28s} {'seconds':>9s} {'sum error':>10s}")
for r, name in ((a, "shipml hist_gbdt TreeSHAP"), (b, "XGBoost 1.7 pred_contribs")):
    print(f"{name:28s} {r['explain_s']:9.3f} {r['largest_sum_error']:10.2e}")
print(f"ratio shipml/XGBoost: {a['explain_s'] / b['explain_s']:.2f}x time "
      f"(shipml's first call, which also builds the model's TreeSHAP form: {a['first_explain_s']:.3f} s)")
PY
