#!/usr/bin/env bash
# The Python package against the same work in C++ and against XGBoost's Python
# API, and single-row latency against scikit-learn and XGBoost (see python_bench.py).
# Usage: bench/python.sh BUILD_DIR [ROWS]   (the build needs -DSHIPML_PYTHON=ON, as `make build` does)
set -euo pipefail
build=${1:-build/release}
rows=${2:-1000000}
data=$build/bench-data
/usr/bin/python3 bench/prepare_data.py data "$data" "$rows"
/usr/bin/python3 bench/python_bench.py "$build" "$data/synthetic_$rows/train.csv" "$data/synthetic_$rows/test.csv" 5
