#!/usr/bin/env bash
# Serving under load, side by side on loopback with the same client (wrk, 1 thread,
# 16 keep-alive connections): `shipml serve`, the Python stack a user would
# otherwise deploy (FastAPI + uvicorn + scikit-learn, two workers), and nginx
# returning a fixed response (two workers: the ceiling of HTTP on this machine).
# Bodies: one row and 100 rows of churn.csv, as MLflow dataframe_split JSON and
# as an Open Inference Protocol v2 request; and one row through v2 asking for its
# contributions as well (`v2+explain`: TreeSHAP for hist_gbdt, linear for logistic); one row
# through v2 with drift monitoring off (`v2-nodrift`; on by default); and one row with every
# prediction logged to a file (`+log`, --log-predictions).
# The same rows over gRPC (`grpc`: ModelInfer with raw_input_contents, as tritonclient
# sends them) with bench/grpc_load.cpp: one client thread, 16 connections, closed loop.
# Width (`width` rows, after the table above): whether a row's cost grows with its width.
# The same 100-tree hist_gbdt on churn.csv (19 features, numbers and categories) and on 57
# numeric features (2,000 rows drawn by numpy with a fixed seed, a binary target), one row
# through OIP v2 and MLflow, served with --threads 1 and --threads 2, each beside nginx.
# Usage: bench/serve.sh BUILD_DIR [SECONDS] [MODE]
#   MODE: all (the default: every row above, then the width rows) or width (only the width rows).
#   SHIPML_BENCH_ROUNDS=N (width rows; default 1) measures nginx and every width row N times,
#   round after round, and prints the medians: on a shared machine one round can be unlucky.
set -euo pipefail
export SHIPML_TRACKING=off  # measurements, not experiments: no run records
build=${1:-build/release}
seconds=${2:-10}
mode=${3:-all}
rounds=${SHIPML_BENCH_ROUNDS:-1}
case $mode in
  all | width) ;;
  *) echo "bench/serve.sh: MODE must be 'all' or 'width', not '$mode'" >&2; exit 2 ;;
esac
shipml=$build/shipml
grpc_load=$build/bench/bench_grpc_load
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; echo "nothing on port $1" >&2; exit 1; }

echo "training the models..." >&2
"$shipml" -q train --data data/churn.csv --target churn -e hist_gbdt --set n_estimators=100 --set early_stopping=false \
  -o "$work/hist_gbdt.shipml" >/dev/null
"$shipml" -q train --data data/churn.csv --target churn -e logistic -o "$work/logistic.shipml" >/dev/null

# Request bodies: the first row, and the first 100 rows, without the target.
/usr/bin/python3 - "$work" <<'PY'
import json, sys
import pandas as pd
work = sys.argv[1]
rows = pd.read_csv("data/churn.csv").drop(columns=["churn"])
for n in (1, 100):
    part = rows.head(n)
    split = json.loads(part.to_json(orient="split"))
    del split["index"]
    json.dump({"dataframe_split": split}, open(f"{work}/split_{n}.json", "w"))
    inputs = [{"name": c, "shape": [n], "datatype": "BYTES" if part[c].dtype == object else "FP64",
               "data": part[c].tolist()} for c in part.columns]
    json.dump({"inputs": inputs}, open(f"{work}/v2_{n}.json", "w"))
    outputs = [{"name": "predict"}, {"name": "contributions"}]
    json.dump({"inputs": inputs, "outputs": outputs}, open(f"{work}/v2_explain_{n}.json", "w"))
PY
# A wide all-numeric table: 57 features (spambase's width), seeded, a binary target that
# depends on a third of them; then the first row of each table as the width rows' bodies.
/usr/bin/python3 - "$work" <<'PY'
import json, sys
import numpy as np
import pandas as pd
work = sys.argv[1]
rng = np.random.default_rng(57)
X = pd.DataFrame(rng.normal(size=(2000, 57)).round(4), columns=[f"feature_{j:02d}" for j in range(1, 58)])
signal = X.iloc[:, :19].to_numpy() @ rng.normal(size=19) + rng.normal(scale=2.0, size=2000)
X.assign(target=np.where(signal > 0, "yes", "no")).to_csv(f"{work}/wide57.csv", index=False)
for name, rows in (("churn", pd.read_csv("data/churn.csv").drop(columns=["churn"])), ("wide57", X)):
    row = rows.head(1)
    split = json.loads(row.to_json(orient="split"))
    del split["index"]
    json.dump({"dataframe_split": split}, open(f"{work}/{name}_split_1.json", "w"))
    inputs = [{"name": c, "shape": [1], "datatype": "BYTES" if row[c].dtype == object else "FP64",
               "data": row[c].tolist()} for c in row.columns]
    json.dump({"inputs": inputs}, open(f"{work}/{name}_v2_1.json", "w"))
PY
"$shipml" -q train --data "$work/wide57.csv" --target target -e hist_gbdt --set n_estimators=100 \
  --set early_stopping=false -o "$work/wide57.shipml" >/dev/null
cp "$work/hist_gbdt.shipml" "$work/churn.shipml"

load() {  # url body-file -> "requests/s p50_ms p99_ms non_2xx socket_errors"
  BODY=$2 CONTENT_TYPE=application/json wrk -t1 -c16 -d"${seconds}s" --latency -s bench/wrk_post.lua "$1" 2>&1 |
    /usr/bin/python3 bench/wrk_summary.py
}

results=$work/results.txt
nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { default_type application/json; return 200 '{"predictions":["no"]}'; }
  }
}
CONF
nginx_1row() {  # -> the load summary of nginx's fixed answer to the 1-row MLflow body
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" & pids+=($!)
  wait_port "$nginx_port"
  load "http://127.0.0.1:$nginx_port/invocations" "$work/split_1.json"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
}

if [[ $mode == all ]]; then
echo "nginx fixed 1-row $(nginx_1row)" >> "$results"

for model in hist_gbdt logistic; do
  port=$(free_port)
  grpc_port=$(free_port)
  "$shipml" serve "churn=$work/$model.shipml" --port "$port" --threads 2 --no-access-log \
    --grpc-port "$grpc_port" 2>/dev/null & pids+=($!)
  wait_port "$port"
  for n in 1 100; do
    echo "shipml/$model mlflow ${n}-row $(load "http://127.0.0.1:$port/invocations" "$work/split_$n.json")" >> "$results"
    echo "shipml/$model v2 ${n}-row $(load "http://127.0.0.1:$port/v2/models/churn/infer" "$work/v2_$n.json")" >> "$results"
    echo "shipml/$model grpc ${n}-row $("$grpc_load" "$grpc_port" churn data/churn.csv churn "$n" 16 "$seconds" raw)" \
      >> "$results"
  done
  echo "shipml/$model v2+explain 1-row $(load "http://127.0.0.1:$port/v2/models/churn/infer" "$work/v2_explain_1.json")" \
    >> "$results"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  # The same row with drift monitoring off: what watching the live window costs.
  port=$(free_port)
  "$shipml" serve "churn=$work/$model.shipml" --port "$port" --threads 2 --no-access-log --drift-window 0 \
    2>/dev/null & pids+=($!)
  wait_port "$port"
  echo "shipml/$model v2-nodrift 1-row $(load "http://127.0.0.1:$port/v2/models/churn/infer" "$work/v2_1.json")" \
    >> "$results"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

  # The same 1-row load with every prediction logged to a file (docs/serving.md#prediction-logs).
  port=$(free_port)
  "$shipml" serve "churn=$work/$model.shipml" --port "$port" --threads 2 --no-access-log \
    --log-predictions "$work/predictions.jsonl" --log-max-bytes 50MB --log-keep 1 2>/dev/null & pids+=($!)
  wait_port "$port"
  echo "shipml/$model+log mlflow 1-row $(load "http://127.0.0.1:$port/invocations" "$work/split_1.json")" >> "$results"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

  port=$(free_port)
  SHIPML_BENCH_DATA=data/churn.csv SHIPML_BENCH_MODEL=$model /usr/bin/python3 -m uvicorn --app-dir bench serve_fastapi:app \
    --host 127.0.0.1 --port "$port" --workers 2 --log-level warning --no-access-log & pids+=($!)
  wait_port "$port"
  for n in 1 100; do
    echo "fastapi/$model mlflow ${n}-row $(load "http://127.0.0.1:$port/invocations" "$work/split_$n.json")" >> "$results"
  done
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  echo "  measured $model" >&2
done

/usr/bin/python3 - "$results" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
nginx = next(float(r[3]) for r in rows if r[0] == "nginx")
print(f"{'server':<18} {'protocol':<10} {'body':<7} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7} {'sock err':>8} {'/nginx':>7} {'/python':>8}")
for server, protocol, body, rps, p50, p99, bad, sock in rows:
    python = ""
    if server.startswith("shipml/"):
        peer = [x for x in rows if x[0] == "fastapi/" + server.split("/")[1] and x[2] == body]
        # A peer that answered with errors (or not at all) is no yardstick.
        answered = peer and float(peer[0][3]) > 0 and peer[0][6] == "0" and peer[0][7] == "0"
        python = f"{float(rps) / float(peer[0][3]):.0f}x" if answered else ("failed" if peer else "")
    print(f"{server:<18} {protocol:<10} {body:<7} {float(rps):>8.0f} {p50:>7} {p99:>7} {bad:>7} {sock:>8} "
          f"{float(rps) / nginx:>7.2f} {python:>8}")
print("\n/nginx: throughput against nginx's fixed response; /python: against FastAPI + scikit-learn on the same body.")
print("wrk -t1 -c16 on 127.0.0.1 (gRPC: bench_grpc_load, 1 thread, 16 connections); shipml --threads 2,")
print("uvicorn --workers 2, nginx worker_processes 2.")
PY
fi

# Width: one row of 19 mixed features (churn.csv) and of 57 numeric ones, at 1 and 2 event loops.
width_results=$work/width.txt
for round in $(seq "$rounds"); do
  echo "nginx - - - $(nginx_1row)" >> "$width_results"
  for data in churn wide57; do
    for threads in 1 2; do
      port=$(free_port)
      "$shipml" serve "m=$work/$data.shipml" --port "$port" --threads "$threads" --no-access-log 2>/dev/null & pids+=($!)
      wait_port "$port"
      echo "shipml $data v2 $threads $(load "http://127.0.0.1:$port/v2/models/m/infer" "$work/${data}_v2_1.json")" \
        >> "$width_results"
      echo "shipml $data mlflow $threads $(load "http://127.0.0.1:$port/invocations" "$work/${data}_split_1.json")" \
        >> "$width_results"
      kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
    done
  done
  echo "  width round $round of $rounds" >&2
done

/usr/bin/python3 - "$width_results" "$rounds" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
median = lambda key, i: statistics.median(float(r[i]) for r in rows if tuple(r[:4]) == key)
nginx = median(("nginx", "-", "-", "-"), 4)
features = {"churn": "19 mixed", "wide57": "57 numeric"}
print(f"\n{'width':<11} {'protocol':<9} {'threads':>7} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7} {'/nginx':>7}")
print(f"{'nginx':<11} {'':<9} {'':>7} {nginx:>8.0f} {median(('nginx', '-', '-', '-'), 5):>7.3f} "
      f"{median(('nginx', '-', '-', '-'), 6):>7.3f} {'':>7} {1:>7.2f}")
for key in dict.fromkeys(tuple(r[:4]) for r in rows if r[0] == "shipml"):
    bad = sum(int(r[7]) + int(r[8]) for r in rows if tuple(r[:4]) == key)
    rps = median(key, 4)
    print(f"{features[key[1]]:<11} {key[2]:<9} {key[3]:>7} {rps:>8.0f} {median(key, 5):>7.3f} {median(key, 6):>7.3f} "
          f"{bad:>7} {rps / nginx:>7.2f}")
print(f"\nOne row, 100-tree hist_gbdt, drift monitoring on (the default); medians of {sys.argv[2]} round(s);")
print("wrk -t1 -c16 on 127.0.0.1; nginx worker_processes 2. non-2xx: answers that were not 200, and socket errors.")
PY
