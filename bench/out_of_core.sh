#!/usr/bin/env bash
# Out-of-core training (issue 22, docs/out-of-core.md): a CSV three times the
# memory limit, trained by `shipml train --out-of-core` under that limit
# (`ulimit -v`, address space), with its peak resident memory and wall time;
# beside it XGBoost's external-memory mode (a DataIter with a cache on disk,
# Debian's python3-xgboost) on the same file, under the same limit. Also
# `shipml train` in memory under the limit, which must fail.
# Note: hist_gbdt keeps about 60 bytes a row beside the bytes of its binned
# values (target, gradients, row sets), about half of a 20-column row's CSV
# bytes, so at 3x the limit its state does not fit: on 2026-12-02 a 1.8 GB CSV
# (15.8M rows) under 600 MB ran out of memory. Wider rows (more columns) fit.
# Usage: bench/out_of_core.sh BUILD_DIR [LIMIT_MB] [TREES]   (defaults 400 and 20)
set -uo pipefail
export SHIPML_TRACKING=off
build=${1:-build/release}
limit_mb=${2:-400}
trees=${3:-20}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
data=$out/big.csv

# 20 numeric columns and a binary target, about 3x the limit in bytes: 100 MB
# of rows drawn once, then repeated (the rows' order does not matter here).
awk 'BEGIN {
  srand(7); printf "x0"; for (j = 1; j < 20; j++) printf ",x%d", j; print ",y"; n = 0
  while (n < 100 * 1048576) {
    s = 0; line = ""
    for (j = 0; j < 20; j++) { x = int(rand() * 10000) / 100; s += (j % 3 == 0 ? 0.3 : -0.1) * x; line = line x "," }
    line = line (s + 30 * rand() > 15 ? "yes" : "no"); print line; n += length(line) + 1
  } }' > "$out/block.csv"
head -1 "$out/block.csv" > "$data"
for ((i = 0; i < limit_mb * 3 / 100; i++)); do tail -n +2 "$out/block.csv" >> "$data"; done
rows=$(($(wc -l < "$data") - 1))
echo "data: $(du -m "$data" | cut -f1) MB, $rows rows x 20 features (as doubles: $((rows * 21 * 8 / 1048576)) MB); limit ${limit_mb} MB"

# measure NAME COMMAND...: runs it under the limit, prints wall time, peak RSS and exit status.
measure() {
  local name=$1
  shift
  (ulimit -v $((limit_mb * 1024)) && /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" > "$out/$name.log" 2>&1)
  local status=$?
  # The last line: time(1) puts "Command exited with non-zero status N" before it.
  read -r seconds rss_kb < <(tail -1 "$out/$name.time" 2> /dev/null) || { seconds=?; rss_kb=0; }
  [ -n "${rss_kb:-}" ] || rss_kb=0
  printf "%-34s %8s s  peak RSS %6d MB  exit %d\n" "$name" "$seconds" $((rss_kb / 1024)) "$status"
  [ "$status" -eq 0 ] || tail -2 "$out/$name.log" | sed 's/^/    /'
}

train=(train -q --data "$data" --target y -e hist_gbdt --set n_estimators="$trees" --set early_stopping=false)
measure "shipml in memory" "$build/shipml" "${train[@]}" --out "$out/memory.shipml"
measure "shipml --out-of-core (100k rows)" "$build/shipml" "${train[@]}" --out "$out/ooc.shipml" --out-of-core \
  --chunk-rows 100000

cat > "$out/xgb_external.py" <<'PY'
# XGBoost's external-memory training: the CSV read in chunks by a DataIter,
# cached on disk by XGBoost, then hist trees (1.7: tree_method=hist or approx).
import sys, os, pandas as pd, xgboost as xgb
path, trees, cache = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class Chunks(xgb.DataIter):
    def __init__(self):
        self._reader = None
        super().__init__(cache_prefix=os.path.join(cache, "cache"))
    def next(self, input_data):
        if self._reader is None:
            self._reader = pd.read_csv(path, chunksize=100000)
        try:
            chunk = next(self._reader)
        except StopIteration:
            return 0
        input_data(data=chunk.drop(columns="y").to_numpy(), label=(chunk["y"] == "yes").to_numpy(int))
        return 1
    def reset(self):
        self._reader = None
m = xgb.DMatrix(Chunks())
xgb.train({"tree_method": "hist", "objective": "binary:logistic", "max_depth": 6, "nthread": 2}, m, trees)
PY
if /usr/bin/python3 -c "import xgboost; xgboost.DataIter" 2> /dev/null; then
  mkdir -p "$out/xgb_cache"
  measure "xgboost external memory (100k)" /usr/bin/python3 "$out/xgb_external.py" "$data" "$trees" "$out/xgb_cache"
else
  echo "xgboost: no DataIter in Debian's python3-xgboost: external memory not measured"
fi
