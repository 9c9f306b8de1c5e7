#!/usr/bin/env bash
# The quality battery (issue 17): shipml's learners with default parameters against
# scikit-learn 1.2 and XGBoost 1.7 with theirs, 5-fold cross-validation on the same
# folds, on 26 awkward public and generated data sets. A benchmark, not a test:
# it finds where shipml's defaults fall short; nothing fails.
#
# Usage: bench/quality.sh [--shipml PATH] [--learners L1,L2] [--threads N] [--fresh-peers] [DATASET...]
#   --shipml PATH    the binary to measure (default: $SHIPML, else build/release/shipml)
#   --learners LIST  only these shipml learners (and the peers of their families)
#   --threads N      threads for every tool (default 2)
#   --fresh-peers    refit the peers even when results on the same folds exist
#   --aggregate-only run nothing: rebuild the results and the table from build/quality/results
#   DATASET...       a subset (names in bench/quality/datasets.py; default: all)
# Prints the table; writes build/quality/results.{json,csv} and build/quality/quality.md.
# `/usr/bin/python3 bench/quality/render.py build/quality/results.json docs/quality.md` updates the docs page.
set -euo pipefail
cd "$(dirname "$0")/.."
command_line="bench/quality.sh${*:+ $*}"
shipml=${SHIPML:-build/release/shipml}
threads=2
args=()
while (($#)); do
  case $1 in
    --shipml) shipml=$2; shift 2 ;;
    --shipml=*) shipml=${1#*=}; shift ;;
    --learners) args+=(--learners "$2"); shift 2 ;;
    --learners=*) args+=(--learners "${1#*=}"); shift ;;
    --threads) threads=$2; shift 2 ;;
    --threads=*) threads=${1#*=}; shift ;;
    --fresh-peers) args+=(--fresh-peers); shift ;;
    --aggregate-only) args+=(--aggregate-only); shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "quality: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ ! -x $shipml ]]; then
  echo "quality: no shipml binary at $shipml (build it, or pass --shipml PATH / SHIPML=PATH)" >&2
  exit 2
fi
bash bench/quality/install.sh

out=build/quality
mkdir -p "$out/data"
# The CSVs are committed in data/quality; one that is missing is made again from
# its package (R) or its generator (Python) into build/quality/data.
r_missing=() py_missing=()
while read -r name source; do
  [[ -f data/quality/$name.csv || -f $out/data/$name.csv ]] && continue
  if [[ $source == R ]]; then r_missing+=("$name"); else py_missing+=("$name"); fi
done < <(/usr/bin/python3 -c 'import sys; sys.path.insert(0, "bench/quality")
from datasets import DATASETS
for n, d in DATASETS.items(): print(n, d[0])')
if ((${#r_missing[@]})); then Rscript bench/quality/export.R "$out/data" "${r_missing[@]}"; fi
if ((${#py_missing[@]})); then /usr/bin/python3 bench/quality/generate.py "$out/data" "${py_missing[@]}"; fi

# One thread budget for every tool: shipml's learners get threads=N (see run.py),
# scikit-learn n_jobs=N, XGBoost n_jobs=N, and OpenMP/BLAS pools N.
export SHIPML_TRACKING=off OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads
# Passive OpenMP waits: on a busy machine spinning threads starve the ones they wait
# for (libxgboost and HistGradientBoosting ran 7 to 18 times slower); scores do not change.
export OMP_WAIT_POLICY=PASSIVE
export QUALITY_COMMAND="SHIPML=$shipml $command_line"
/usr/bin/python3 bench/quality/run.py --shipml "$shipml" --threads "$threads" --out "$out" "${args[@]}"
/usr/bin/python3 bench/quality/render.py "$out/results.json" "$out/quality.md"
echo "quality: wrote $out/quality.md (/usr/bin/python3 bench/quality/render.py $out/results.json docs/quality.md to publish it)" >&2
