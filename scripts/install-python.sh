#!/usr/bin/env bash
# Installs the shipml Python package for Debian's /usr/bin/python3 (the Python
# that has Debian's numpy, pandas and scikit-learn), from a wheel of the
# release build. Debian marks its Python externally managed (PEP 668), so pip
# is told --break-system-packages: it installs into /usr/local, beside, not
# over, Debian's own packages. Offline: no package index is asked.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
wheel=$(bash scripts/build-wheel.sh "$build" build/wheel | tail -n 1)
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo /usr/bin/python3 -m pip install --quiet --root-user-action=ignore --break-system-packages --no-index --no-deps \
  --force-reinstall "$wheel"
cd /
/usr/bin/python3 -c 'import shipml; print(f"installed shipml {shipml.__version__} for /usr/bin/python3 ({shipml.__file__})")'
