#!/usr/bin/env bash
# Writes golden model files into tests/golden/vN (N: the file's format version),
# with the predictions they must keep giving. Existing files are never
# overwritten (old files must keep loading as they are); a model listed here
# that the folder lacks (a new estimator or transformer) is added.
#   v1: an estimator alone; v2: a pipeline of steps before it; v3: calibration or a
#   decision threshold (with or without steps), or a knn with row weights.
set -euo pipefail
shipml=${1:?usage: make-golden-models.sh path/to/shipml}
export SHIPML_TRACKING=off
make_one() {  # version name data target (-e estimator [--set ...] | --pipeline spec)
  local version=$1 name=$2 data=$3 target=$4; shift 4
  local out=tests/golden/v$version
  mkdir -p "$out"
  [ -e "$out/$name.shipml" ] && return 0
  local path=data/$data; [ -e "$out/$data" ] && path=$out/$data
  "$shipml" train --data "$path" --target "$target" "$@" --out "$out/$name.shipml" >/dev/null
  local proba=--proba; [ "$name" = "${name%regression*}" ] || proba=
  "$shipml" predict --model "$out/$name.shipml" --data "$path" $proba --out "$out/$name.expected.csv"
  echo "$data" > "$out/$name.data"
}
make_one 1 logistic_penguins penguins.csv species -e logistic
make_one 1 decision_tree_credit credit_data.csv Status -e decision_tree --set max_depth=6
make_one 1 linear_regression_ames ames.csv Sale_Price -e linear --set alpha=1
make_one 1 decision_tree_regression_concrete concrete.csv compressive_strength -e decision_tree --set max_depth=5
make_one 1 hist_gbdt_churn churn.csv churn -e hist_gbdt --set n_estimators=20
make_one 1 hist_gbdt_regression_ames ames.csv Sale_Price -e hist_gbdt --set n_estimators=20
make_one 1 random_forest_penguins penguins.csv species -e random_forest --set n_estimators=10
make_one 1 extra_trees_regression_concrete concrete.csv compressive_strength -e extra_trees --set n_estimators=10
make_one 1 elastic_net_regression_diabetes diabetes.csv progression -e elastic_net --set alpha=0.1
make_one 1 lasso_regression_concrete concrete.csv compressive_strength -e lasso --set alpha=0.5
make_one 1 knn_penguins penguins.csv species -e knn --set weights=distance
make_one 1 gaussian_nb_wine wine.csv cultivar -e gaussian_nb
make_one 1 xgboost_churn churn.csv churn -e xgboost --set n_estimators=20 --set max_depth=4
make_one 2 pipeline_credit credit_data.csv Status --pipeline docs/examples/pipelines/credit.yaml
make_one 2 pipeline_regression_ames ames.csv Sale_Price --pipeline docs/examples/pipelines/ames.yaml
make_one 2 pipeline_regression_concrete concrete.csv compressive_strength --pipeline docs/examples/pipelines/concrete.yaml
make_one 2 pipeline_regression_dates sales_dates.csv Sale_Price --pipeline tests/golden/v2/dates.yaml
make_one 2 pipeline_kbest_breast_cancer breast_cancer.csv diagnosis --pipeline tests/golden/v2/kbest.yaml
make_one 3 knn_weighted_penguins penguins_weighted.csv species -e knn --set n_neighbors=7 --weight w
make_one 3 calibrated_sigmoid_logistic_breast_cancer breast_cancer.csv diagnosis -e logistic --calibrate sigmoid
make_one 3 calibrated_isotonic_tree_wine wine.csv cultivar -e decision_tree --set max_depth=3 --calibrate isotonic \
  --calibration-cv 4
make_one 3 calibrated_sigmoid_hist_gbdt_iris iris.csv species -e hist_gbdt --set n_estimators=15 --calibrate sigmoid
make_one 3 threshold_tuned_random_forest_churn churn.csv churn -e random_forest --set n_estimators=10 --set max_depth=5 \
  --threshold tune:f1 --threshold-cv 3
make_one 3 calibrated_threshold_pipeline_credit credit_data.csv Status --pipeline docs/examples/pipelines/credit.yaml \
  --calibrate isotonic --threshold 0.35
