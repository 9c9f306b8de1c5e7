#!/usr/bin/env bash
# Tree ensembles side by side: shipml against scikit-learn 1.2 and XGBoost 1.7 on
# the same train/test files, the same thread count, trees, depth/leaves and bins.
# Prints fit and predict seconds, the test metric, the memory training added on
# top of the loaded data, and shipml/peer ratios.
# Usage: bench/trees.sh BUILD_DIR [ROWS]    (ROWS of the synthetic problem, default 1,000,000)
set -euo pipefail
export SHIPML_TRACKING=off  # measurements, not experiments: no run records
build=${1:-build/release}
rows=${2:-1000000}
threads=2
data=$build/bench-data
/usr/bin/python3 bench/prepare_data.py data "$data" "$rows"
results=$(mktemp)
trap 'rm -f "$results"' EXIT

run() {  # dataset target label shipml-estimator "shipml params" peer "peer params" [repeats]
  local ds=$1 target=$2 label=$3 est=$4 ours=$5 peer=$6 theirs=$7 repeats=${8:-1}
  local train=$data/$ds/train.csv test=$data/$ds/test.csv
  local a b i
  for ((i = 0; i < repeats; i++)); do  # alternating, so both see the same machine
    # shellcheck disable=SC2086
    a=$("$build/bench/bench_fit_predict" "$train" "$test" "$target" "$est" threads=$threads $ours)
    # shellcheck disable=SC2086
    b=$(/usr/bin/python3 bench/fit_predict_peers.py "$train" "$test" "$target" "$peer" $threads $theirs)
    echo "{\"dataset\":\"$ds\",\"case\":\"$label\",\"shipml\":$a,\"peer\":$b}" >> "$results"
  done
  echo "  measured $label on $ds" >&2
}

# The same boosting hyperparameters for all three. L2 is XGBoost's default
# (lambda 1) everywhere, and no leaf step is held (XGBoost's max_delta_step 0);
# a category needs 10 rows in a node to be split off on its own, the support
# scikit-learn hard-codes (XGBoost has no such minimum).
boost="n_estimators=100 max_depth=6 max_leaves=64 learning_rate=0.1 min_samples_leaf=1 min_child_weight=1 early_stopping=false l2_regularization=1 max_delta_step=0 min_category_rows=10"
xgb="n_estimators=100 max_depth=6 learning_rate=0.1 min_child_weight=1 max_bin=255 reg_lambda=1"
skhgb="max_iter=100 max_depth=6 max_leaf_nodes=64 learning_rate=0.1 min_samples_leaf=1 early_stopping=false max_bins=255 l2_regularization=1"
synth=synthetic_$rows
# The floors are judged on medians: the cases the issue sets floors for run three times.
run "$synth" label "hist_gbdt vs XGBoost" hist_gbdt "$boost" xgboost "$xgb" 3
run "$synth" label "hist_gbdt vs sklearn HGB" hist_gbdt "$boost" sklearn_hgb "$skhgb"
for ds in churn:churn credit_data:Status penguins:species ames:Sale_Price; do
  run "${ds%%:*}" "${ds##*:}" "hist_gbdt vs XGBoost" hist_gbdt "$boost" xgboost "$xgb"
  run "${ds%%:*}" "${ds##*:}" "hist_gbdt vs sklearn HGB" hist_gbdt "$boost" sklearn_hgb "$skhgb"
done
# Wide: 60,000 image-like rows of 784 integer pixels in 10 classes, mostly 0
# (bench/prepare_data.py); 20 rounds of 10 trees, or 20 forest trees.
run wide digit "hist_gbdt vs XGBoost (20 rounds)" hist_gbdt "${boost/n_estimators=100/n_estimators=20}" \
  xgboost "${xgb/n_estimators=100/n_estimators=20}" 3
run wide digit "random_forest vs sklearn RF (20 trees)" random_forest "n_estimators=20" sklearn_rf "n_estimators=20 max_features=sqrt" 3
# Forests: fully grown trees, sqrt features for classes; 20 trees on the big problem.
run "$synth" label "random_forest vs sklearn RF (20 trees)" random_forest "n_estimators=20" sklearn_rf "n_estimators=20 max_features=sqrt"
run "$synth" label "extra_trees vs sklearn ET (20 trees)" extra_trees "n_estimators=20" sklearn_et "n_estimators=20 max_features=sqrt" 3
for ds in churn:churn credit_data:Status penguins:species; do
  run "${ds%%:*}" "${ds##*:}" "random_forest vs sklearn RF" random_forest "n_estimators=100" sklearn_rf "n_estimators=100 max_features=sqrt"
done
run ames Sale_Price "random_forest vs sklearn RF" random_forest "n_estimators=100" sklearn_rf "n_estimators=100 max_features=1.0"

/usr/bin/python3 - "$results" <<'PY'
import json, sys
import statistics
# Repeated cases become one row: the median of each time, the same metrics.
cases = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    cases.setdefault((r["dataset"], r["case"]), []).append(r)
rows = []
for (dataset, case), runs in cases.items():
    row = {"dataset": dataset, "case": case, "runs": len(runs)}
    for side in ("shipml", "peer"):
        row[side] = dict(runs[0][side])
        for key in ("fit_s", "predict_s", "train_extra_mb"):
            row[side][key] = statistics.median(r[side][key] for r in runs)
    rows.append(row)
def metric(r):
    return ("auc", r["auc"]) if "auc" in r else ("r2", r["r2"])
print(f"{'dataset':<20} {'case':<40} {'fit s':>15} {'predict s':>15} {'metric (ours/peer)':>26} {'train MB':>13} {'fit x':>6} {'pred x':>6}")
for r in rows:
    a, b = r["shipml"], r["peer"]
    name, ma = metric(a)
    _, mb = metric(b)
    extra = f"{a.get('accuracy', 0):.4f}/{b.get('accuracy', 0):.4f} acc" if "accuracy" in a else ""
    print(f"{r['dataset']:<20} {r['case']:<40} {a['fit_s']:>7.3f}/{b['fit_s']:<7.3f} {a['predict_s']:>7.4f}/{b['predict_s']:<7.4f} "
          f"{name} {ma:.4f}/{mb:.4f} {a['train_extra_mb']:>6.0f}/{b['train_extra_mb']:<6.0f} "
          f"{a['fit_s']/b['fit_s']:>6.2f} {a['predict_s']/b['predict_s']:>6.2f}  {extra}")
print("\nfit x, pred x: shipml time / peer time (below 1 means shipml is faster).")
print("Times of repeated cases are medians: " + ", ".join(f"{r['dataset']} {r['case']} ({r['runs']} runs)" for r in rows if r["runs"] > 1) + ".")
print("train MB: peak memory added by training over the loaded data (shipml/peer).")
PY
