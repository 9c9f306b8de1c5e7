#!/usr/bin/env bash
# A search spread over MPI ranks (issue 22): one 48-candidate hist_gbdt search
# (x 3 folds = 144 fits, then the refit) on churn.csv, run as 1 rank and as 2
# ranks under mpirun with 1 thread each, and as one process with 2 threads for
# comparison. Prints the median wall time of each, the speed-ups, and checks
# that all three chose the same candidate with the same scores.
# Usage: bench/distributed.sh BUILD_DIR [REPEATS]   (REPEATS: runs of each, default 3)
set -euo pipefail
export SHIPML_TRACKING=off  # measurements, not experiments: no run records
# mpirun as root (CI), and no single-copy shared memory (containers may forbid ptrace).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
build=${1:-build/release}
repeats=${2:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
search=(search -q --data data/churn.csv --target churn -e hist_gbdt --set early_stopping=false
  --set n_estimators=50 --grid learning_rate=0.05,0.1,0.3 --grid max_leaves=7,15,31,63
  --grid min_samples_leaf=5,20,50,100 --cv 3 -m roc_auc --json)

# run NAME COMMAND...: runs it once, adding its wall time to NAME's and keeping its output.
run() {
  local name=$1
  shift
  /usr/bin/time -f "%e" -a -o "$out/$name.times" "$@" --out "$out/$name" > "$out/$name.json"
}
# The three in turn, `repeats` times, so a machine whose load changes treats
# them alike. No binding to cores: on a machine others use too, a rank tied to
# a busy core cannot move off it.
for ((i = 0; i < repeats; i++)); do
  run one_rank mpirun --bind-to none -np 1 "$build/shipml" "${search[@]}" --threads 1
  run two_ranks mpirun --bind-to none -np 2 "$build/shipml" "${search[@]}" --threads 1
  run two_threads "$build/shipml" "${search[@]}" --threads 2
done

/usr/bin/python3 - "$out" "$repeats" <<'PY'
import json, statistics, sys
out = sys.argv[1]
def wall(name):
    return statistics.median(float(t) for t in open(f"{out}/{name}.times").read().split())
def scores(name):
    j = json.load(open(f"{out}/{name}.json"))
    return [(c["searched"], c["metrics"]["roc_auc"]["mean"]) for c in j["candidates"]], j["candidates"][0]
runs = {"one_rank": "mpirun -np 1, --threads 1", "two_ranks": "mpirun -np 2, --threads 1 each",
        "two_threads": "1 process, --threads 2"}
base, best = scores("one_rank")
same = all(scores(name)[0] == base for name in runs)
print(f"48-candidate hist_gbdt search x 3 folds on churn.csv (5,000 rows), median of {sys.argv[2]} runs")
print(f"{'':34}{'wall s':>8}{'speed-up':>10}")
for name, label in runs.items():
    print(f"{label:34}{wall(name):>8.2f}{wall('one_rank') / wall(name):>9.2f}x")
print(f"\n2 ranks / 2 threads wall time: {wall('two_ranks') / wall('two_threads'):.2f}x")
print(f"best: {best['searched']}, ROC AUC {best['metrics']['roc_auc']['mean']:.4f}; "
      f"every candidate's score identical in all three: {'yes' if same else 'NO'}")
sys.exit(0 if same else 1)
PY
