#!/usr/bin/env bash
# shipml's main job end to end on bundled data: score a model with
# cross-validation, train it on all rows, save it, inspect it, predict with it;
# then the same from Python (docs/examples/quickstart.py).
set -euo pipefail
shipml=${1:-build/release/shipml}
out=build/quickstart
mkdir -p "$out"
run() { printf '\n$ %s\n' "$*"; "$@"; }

run "$shipml" score --data data/churn.csv --target churn -e hist_gbdt --cv 5
run "$shipml" train --data data/churn.csv --target churn -e hist_gbdt --out "$out/churn.shipml"
run "$shipml" inspect "$out/churn.shipml"
run "$shipml" predict --model "$out/churn.shipml" --data data/churn.csv --proba --out "$out/predictions.csv"
printf '\n$ head -5 %s\n' "$out/predictions.csv"
head -5 "$out/predictions.csv"

# Python, from the build folder (`make python` installs it for /usr/bin/python3).
ln -sfn "$PWD/data" "$out/data"
package=$(realpath "$(dirname "$shipml")/python") example=$PWD/docs/examples/quickstart.py
printf '\n$ python3 docs/examples/quickstart.py\n'
(cd "$out" && PYTHONPATH="$package" /usr/bin/python3 "$example")
