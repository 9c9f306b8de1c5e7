#!/usr/bin/env bash
# Installs everything shipml needs to build, test and benchmark: Debian 12
# packages, and playwright-core from the npm registry for the browser tests.
# Idempotent: a no-op (no apt-get, no npm) when everything is present.
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config clang-format   # clang-format: the tests keep .clang-format's style
  libeigen3-dev          # linear algebra for the linear models
  libssl-dev openssl     # Ed25519 signatures of model files (libcrypto); keys made with openssl
  nlohmann-json3-dev     # model-file headers, --json output
  libsimdjson-dev        # request bodies in the server: parsed without allocating
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler   # shipml serve --grpc-port (OIP v2 over gRPC)
  python3-grpcio         # docs/serving.md's gRPC client example
  libcli11-dev           # the command line
  libjemalloc-dev        # the allocator the shipml binary links (twice the server throughput)
  libsqlite3-dev         # run records: the embedded default store; sqlite:/// data sources
  zlib1g-dev libzstd-dev # compressed data files (.gz, .zst), read and written
  libpq-dev postgresql   # run records: the team store, and the server its tests start
  libyaml-cpp-dev        # experiment files (shipml run)
  libcairo2-dev fonts-dejavu-core   # charts (SVG, PNG, PDF) and the font they use
  libxgboost-dev         # the xgboost estimator (XGBoost's C API)
  libopenmpi-dev openmpi-bin   # `mpirun shipml ...`: the MPI plugin (libshipml_mpi.so) and the launcher its tests run
  chromium               # the report test opens the HTML report in headless Chromium
  libgtest-dev libgmock-dev libbenchmark-dev   # tests and micro-benchmarks
  python3-sklearn python3-pandas python3-xgboost   # oracle tests, side-by-side benchmarks, the Python package
  pybind11-dev python3-dev           # the Python module (shipml._core) for Debian's Python 3.11
  python3-pip python3-setuptools python3-wheel python3-venv   # building and installing its wheel, offline
  python3-pytest python3-psutil python3-nbclient python3-ipykernel   # the Python tests; docs/python.md runs as a notebook
  curl python3-yaml      # serving tests, deploy/ checks
  doxygen                # the API reference (a test fails on any warning)
  wrk nginx-light python3-fastapi python3-uvicorn   # the serving load benchmark and its peers
)

# Node.js runs the browser tests; a machine that has npm already (from Debian
# or from elsewhere) keeps its own.
command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# playwright-core for the browser tests of `shipml ui`, from the npm registry,
# pinned by tests/ui/package-lock.json. It downloads no browser: the tests run
# Debian's chromium.
ui_tests="$(cd "$(dirname "$0")/../tests/ui" && pwd)"
if [ ! -f "$ui_tests/node_modules/playwright-core/package.json" ]; then
  echo "install-deps: npm ci in tests/ui (playwright-core)" >&2
  (cd "$ui_tests" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
