#!/usr/bin/env bash
# Data-parallel training (issue 22, docs/out-of-core.md): hist_gbdt on
# 1,000,000 rows x 20 features, as one process and under mpirun with 1 and 2
# ranks (each rank reading its shard of the one CSV), with wall time and the
# models' agreement (AUC on a held-out file). bench/distributed.sh measures
# the search spread over ranks; this one, one model's training.
# Usage: bench/data_parallel.sh BUILD_DIR [ROWS] [TREES]   (defaults 1000000 and 50)
set -euo pipefail
export SHIPML_TRACKING=off
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
build=${1:-build/release}
rows=${2:-1000000}
trees=${3:-50}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

make_data() {  # make_data FILE ROWS SEED
  awk -v rows="$2" -v seed="$3" 'BEGIN {
    srand(seed); printf "x0"; for (j = 1; j < 20; j++) printf ",x%d", j; print ",y"
    for (i = 0; i < rows; i++) {
      s = 0; line = ""
      for (j = 0; j < 20; j++) { x = int(rand() * 10000) / 100; s += (j % 3 == 0 ? 0.3 : -0.1) * x; line = line x "," }
      print line (s + 30 * rand() > 15 ? "yes" : "no")
    } }' > "$1"
}
make_data "$out/train.csv" "$rows" 1
make_data "$out/test.csv" 100000 2
echo "data: $rows rows x 20 features, $(du -m "$out/train.csv" | cut -f1) MB; hist_gbdt, $trees trees"

train=(train -q --data "$out/train.csv" --target y -e hist_gbdt --set n_estimators="$trees" --set early_stopping=false)
# run NAME COMMAND...: wall time and peak RSS (of the launcher's biggest child for mpirun).
run() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" --out "$out/$name.shipml" > "$out/$name.log" 2>&1 ||
    { cat "$out/$name.log"; exit 1; }
  read -r seconds rss_kb < "$out/$name.time"
  local auc
  auc=$(/usr/bin/python3 - "$build/python" "$out/$name.shipml" "$out/test.csv" <<'PY' 2> /dev/null || echo "?"
import sys
sys.path.insert(0, sys.argv[1])
import pandas as pd, shipml
from sklearn.metrics import roc_auc_score
d = pd.read_csv(sys.argv[3]); y = d.pop("y")
m = shipml.Model.load(sys.argv[2])
print(f"{roc_auc_score(y == 'yes', m.predict_proba(d)[:, list(m.classes).index('yes')]):.5f}")
PY
)
  printf "%-26s %8s s  peak RSS %6d MB  AUC %s\n" "$name" "$seconds" $((rss_kb / 1024)) "$auc"
}
run "one process" "$build/shipml" "${train[@]}"
run "mpirun -np 1" mpirun -np 1 "$build/shipml" "${train[@]}"
run "mpirun -np 2" mpirun --oversubscribe -np 2 "$build/shipml" "${train[@]}"
grep -h "bytes" "$out"/*.log 2> /dev/null || true
