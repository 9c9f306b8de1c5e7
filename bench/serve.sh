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
# Usage: bench/serve.sh BUILD_DIR [SECONDS]
set -euo pipefail
export SHIPML_TRACKING=off  # measurements, not experiments: no run records
build=${1:-build/release}
seconds=${2:-10}
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
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" & pids+=($!)
wait_port "$nginx_port"
echo "nginx fixed 1-row $(load "http://127.0.0.1:$nginx_port/invocations" "$work/split_1.json")" >> "$results"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

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
