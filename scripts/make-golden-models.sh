#!/usr/bin/env bash
# Writes golden model files for the current format version into tests/golden/vN,
# with the predictions they must keep giving. Existing files are never
# overwritten (old files must keep loading as they are); a model listed here
# that the folder lacks (a new estimator) is added.
set -euo pipefail
shipml=${1:?usage: make-golden-models.sh path/to/shipml VERSION}
version=${2:?usage: make-golden-models.sh path/to/shipml VERSION}
out=tests/golden/v$version
mkdir -p "$out"
make_one() {  # name estimator data target [--set ...]
  local name=$1 est=$2 data=$3 target=$4; shift 4
  [ -e "$out/$name.shipml" ] && return 0
  "$shipml" train --data "data/$data" --target "$target" -e "$est" "$@" --out "$out/$name.shipml" >/dev/null
  local proba=--proba; [ "$name" = "${name%regression*}" ] || proba=
  "$shipml" predict --model "$out/$name.shipml" --data "data/$data" $proba --out "$out/$name.expected.csv"
  echo "$data" > "$out/$name.data"
}
make_one logistic_penguins logistic penguins.csv species
make_one decision_tree_credit decision_tree credit_data.csv Status --set max_depth=6
make_one linear_regression_ames linear ames.csv Sale_Price --set alpha=1
make_one decision_tree_regression_concrete decision_tree concrete.csv compressive_strength --set max_depth=5
make_one hist_gbdt_churn hist_gbdt churn.csv churn --set n_estimators=20
make_one hist_gbdt_regression_ames hist_gbdt ames.csv Sale_Price --set n_estimators=20
make_one random_forest_penguins random_forest penguins.csv species --set n_estimators=10
make_one extra_trees_regression_concrete extra_trees concrete.csv compressive_strength --set n_estimators=10
