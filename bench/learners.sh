#!/usr/bin/env bash
# Linear models and neighbours side by side with scikit-learn 1.2 (standardised
# inputs on both sides, same train/test rows, 2 threads): fit and predict
# seconds, the test metric, and the ratios shipml/scikit-learn.
#   logistic (lbfgs) on 200,000 x 50 binary; elastic_net (coordinate descent)
#   on 200,000 x 50 regression; knn predict on 10,000 x 50 and 100,000 x 8.
# Usage: bench/learners.sh BUILD_DIR
set -euo pipefail
export SHIPML_TRACKING=off
build=${1:-build/release}
work=$build/bench-data/learners
mkdir -p "$work"
/usr/bin/python3 - "$work" <<'PY'
import os, sys
import numpy as np, pandas as pd
out = sys.argv[1]
def write(name, X, y, target="y", test=0.2):
    if os.path.exists(f"{out}/{name}_train.csv"):
        return
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    df[target] = y
    cut = int(len(df) * (1 - test))
    df.iloc[:cut].to_csv(f"{out}/{name}_train.csv", index=False, float_format="%.6g")
    df.iloc[cut:].to_csv(f"{out}/{name}_test.csv", index=False, float_format="%.6g")
rng = np.random.default_rng(20261127)
def classification(rows, cols):
    X = rng.normal(size=(rows, cols))
    w = rng.normal(size=cols)
    return X, np.where(X @ w + rng.logistic(size=rows) > 0, "b", "a")
X = rng.normal(size=(200000, 50)); w = rng.normal(size=50) * (rng.random(50) < 0.3)
write("regression_200k_x50", X, X @ w + rng.normal(size=200000))
write("binary_200k_x50", *classification(200000, 50))
write("knn_10k_x50", *classification(12500, 50))
write("knn_100k_x8", *classification(125000, 8))
PY
run() {  # NAME ESTIMATOR PEER [params...]; REPEATS=n: n more predictions of the batch, median shown
  local name=$1 est=$2 peer=$3; shift 3
  export BENCH_PREDICT_REPEATS=${REPEATS:-0}
  local ours theirs
  ours=$("$build/bench/bench_fit_predict" "$work/${name}_train.csv" "$work/${name}_test.csv" y "$est" "$@")
  local peer_params=()
  for p in "$@"; do [[ $p == path_steps=* || $p == tol=* ]] || peer_params+=("$p"); done
  theirs=$(/usr/bin/python3 bench/fit_predict_peers.py "$work/${name}_train.csv" "$work/${name}_test.csv" y "$peer" 2 "${peer_params[@]}")
  /usr/bin/python3 - "$name" "$est" "$ours" "$theirs" <<'PY'
import json, sys
name, est, ours, theirs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
metric = "auc" if "auc" in ours else "r2"
loss = again = ""
if "predict_again_s" in ours:
    a, b = ours["predict_again_s"], theirs["predict_again_s"]
    again = f"; predict again {a:.4f} vs {b:.4f} s ({a/b:.2f}x)"
if "train_loss" in ours and "train_loss" in theirs:
    loss = f"; training loss {ours['train_loss']:.6g} vs {theirs['train_loss']:.6g} ({ours['train_loss']/theirs['train_loss'] - 1:+.1e} relative)"
print(f"{name + ' ' + est:<34}{ours['fit_s']:>9.3f}{theirs['fit_s']:>9.3f}{ours['fit_s']/theirs['fit_s']:>7.2f}x"
      f"{ours['predict_s']:>10.3f}{theirs['predict_s']:>9.3f}{ours['predict_s']/theirs['predict_s']:>7.2f}x"
      f"   {metric} {ours[metric]:.4f} vs {theirs[metric]:.4f}{again}{loss}")
PY
}
printf '%-34s%9s%9s%8s%10s%9s%8s\n' "data, estimator" "fit s" "sklearn" "ratio" "predict s" "sklearn" "ratio"
# Linear predictions are quick, so the first one mostly measures page faults on
# fresh memory (the encoded batch; numpy's too): the median of 3 more follows it.
REPEATS=3 run binary_200k_x50 logistic sklearn_logistic
REPEATS=3 run regression_200k_x50 elastic_net sklearn_enet alpha=0.01 l1_ratio=0.5
run knn_10k_x50 knn sklearn_knn n_neighbors=5
run knn_100k_x8 knn sklearn_knn n_neighbors=5
# The pipeline: small data, so the median of 5 runs each.
pipeline_median() {  # tool...
  for i in 1 2 3 4 5; do "$@"; done | /usr/bin/python3 -c '
import json, statistics, sys
runs = [json.loads(l) for l in sys.stdin]
out = runs[0]
for k in ("fit_s", "predict_s"):
    out[k] = statistics.median(r[k] for r in runs)
print(json.dumps(out))'
}
bench_data=$build/bench-data
[ -f "$bench_data/churn/train.csv" ] || /usr/bin/python3 bench/prepare_data.py data "$bench_data" 1000
ours=$(pipeline_median "$build/bench/bench_fit_predict" "$bench_data/churn/train.csv" "$bench_data/churn/test.csv" churn bench/churn_pipeline.yaml)
theirs=$(pipeline_median /usr/bin/python3 bench/fit_predict_peers.py "$bench_data/churn/train.csv" "$bench_data/churn/test.csv" churn sklearn_pipeline 2)
/usr/bin/python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"{'churn pipeline (impute+scale+one-hot+logistic)':<34}{ours['fit_s']:>9.4f}{theirs['fit_s']:>9.4f}{ours['fit_s']/theirs['fit_s']:>7.2f}x"
      f"{ours['predict_s']:>10.4f}{theirs['predict_s']:>9.4f}{ours['predict_s']/theirs['predict_s']:>7.2f}x"
      f"   auc {ours['auc']:.4f} vs {theirs['auc']:.4f}")
PY
echo "(shipml and scikit-learn both standardise the inputs; 2 threads; the metric is on the same test rows)"
