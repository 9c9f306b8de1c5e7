#!/usr/bin/env bash
# Hyperparameter search side by side: `shipml search` against scikit-learn's
# GridSearchCV(HistGradientBoostingClassifier), 24 candidates x 5 stratified folds
# on churn.csv, 2 threads each, ROC AUC. Prints wall time, CPU use, the best
# candidate and score of each, and the ratio.
# Usage: bench/search.sh BUILD_DIR
set -euo pipefail
export SHIPML_TRACKING=off  # measurements, not experiments: no run records
build=${1:-build/release}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/time -f "%e %P" -o "$out/time" "$build/shipml" search -q --data data/churn.csv --target churn -e hist_gbdt \
  --set early_stopping=false --grid learning_rate=0.03,0.1,0.3 --grid max_leaves=15,31,63,127 \
  --grid l2_regularization=0,1 --cv 5 --threads 2 -m roc_auc --json --out "$out/search" > "$out/shipml.json"
/usr/bin/time -f "%e %P" -o "$out/peer_time" /usr/bin/python3 bench/search_peers.py data/churn.csv churn 2 > "$out/peer.json"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
ours = json.load(open(f"{out}/shipml.json"))
theirs = json.load(open(f"{out}/peer.json"))
wall, cpu = open(f"{out}/time").read().split()
peer_wall, peer_cpu = open(f"{out}/peer_time").read().split()
best = ours["candidates"][0]
score = best["metrics"]["roc_auc"]["mean"]
print(f"{'':<34}{'wall s':>8}{'CPU':>7}  {'best ROC AUC':>12}  best candidate")
print(f"{'shipml search (hist_gbdt)':<34}{float(wall):>8.2f}{cpu:>7}  {score:>12.4f}  {best['searched']}")
print(f"{'scikit-learn GridSearchCV (HGB)':<34}{float(peer_wall):>8.2f}{peer_cpu:>7}  {theirs['best_score']:>12.4f}  {theirs['best']}")
print(f"\nratio shipml/scikit-learn wall time: {float(wall) / float(peer_wall):.2f}x;"
      f" best-score difference: {score - theirs['best_score']:+.4f}")
print("(wall times include reading the data; 24 candidates x 5 stratified folds, 2 threads each)")
PY
