#!/usr/bin/env bash
# Side-by-side benchmarks: shipml against its peers on the same data and machine.
# Usage: bench/run.sh BUILD_DIR   (make bench builds it first)
set -euo pipefail
export SHIPML_TRACKING=off  # measurements, not experiments: no run records
build=${1:-build/release}
work=$build/bench-data
mkdir -p "$work"

echo "== CSV reading, 500,000 x 20 numeric =="
csv=$work/numeric_500k_x20.csv
[ -f "$csv" ] || "$build/bench/bench_csv" --write "$csv"
size_mb=$(du -m "$csv" | cut -f1)
# One MB/s per thread count, in the order csv_bench runs them (threads:1, threads:2).
read -r shipml_1 shipml_2 < <(SHIPML_BENCH_CSV=$csv "$build/bench/bench_csv" --benchmark_format=json 2>/dev/null |
  /usr/bin/python3 -c 'import json,sys; print(*(round(b["bytes_per_second"]/1e6, 1) for b in json.load(sys.stdin)["benchmarks"]))')
pandas_mbs=$(/usr/bin/python3 bench/csv_pandas.py "$csv" 3)
printf '%-28s %10s\n' "reader (${size_mb} MB file)" "MB/s"
printf '%-28s %10s\n' "shipml read_csv, 1 thread" "$shipml_1" "shipml read_csv, 2 threads" "$shipml_2" \
  "pandas 1.5 read_csv" "$pandas_mbs"
/usr/bin/python3 -c "print(f'ratio shipml/pandas: {$shipml_1/$pandas_mbs:.2f}x (1 thread), {$shipml_2/$pandas_mbs:.2f}x (2 threads)')"

echo
echo "== Tree ensembles (bench/trees.sh) =="
bash bench/trees.sh "$build" "${SHIPML_BENCH_ROWS:-1000000}"

echo
echo "== Linear models, neighbours and a pipeline (bench/learners.sh) =="
bash bench/learners.sh "$build"

echo
echo "== Explanations: TreeSHAP against XGBoost's pred_contribs (bench/explain.sh) =="
bash bench/explain.sh "$build"

echo
echo "== The Python package (bench/python.sh) =="
bash bench/python.sh "$build" "${SHIPML_BENCH_ROWS:-1000000}"
