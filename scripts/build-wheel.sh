#!/usr/bin/env bash
# Builds the shipml wheel (the Python sources plus shipml._core) from the
# release build, offline, with Debian's pip, setuptools and wheel:
#   scripts/build-wheel.sh [BUILD_DIR] [OUT_DIR]
# The wheel is for CPython 3.11 on x86_64 Linux; on another machine it needs
# the libraries shipml links (Debian 12: libsqlite3-0 libpq5 libcairo2
# libyaml-cpp0.7 libxgboost0 fonts-dejavu-core), as docs/python.md says.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath -m "${1:-build/release}")
out=$(realpath -m "${2:-build/wheel}")
mkdir -p "$out"
rm -f "$out"/shipml-*.whl
SHIPML_BUILD_DIR="$build" /usr/bin/python3 -m pip wheel --quiet --no-build-isolation --no-deps --no-index \
  --wheel-dir "$out" ./python
ls "$out"/shipml-*.whl
