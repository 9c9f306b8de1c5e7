#!/usr/bin/env bash
# The installable library, as a user on a clean Debian 12 machine gets it:
#  1. the Debian packages are built from the release build (cpack) and carry the
#     right names, version and dependencies; apt resolves them (simulated: the
#     test leaves this machine as it was);
#  2. unpacked into a scratch root, the CLI runs, its man pages and completion
#     are there, and the Python package imports;
#  3. the downstream example (examples/downstream, its own find_package(shipml))
#     builds against that root; both programs run, and the runtime-only one
#     links none of libpq, libsqlite3, libcairo and libyaml-cpp;
#  4. MPI is in shipml-mpi alone: the CLI neither links nor depends on it, and
#     finds the packaged plugin under mpirun.
# Usage: check_packages.sh SOURCE_DIR RELEASE_BUILD_DIR
set -euo pipefail
src=$1 build=$2
version=$(sed -nE 's/^project\(shipml VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")
soversion=${version%.*}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "packages: $*" >&2; exit 1; }

# 1. Build the packages into a folder of this test's own.
(cd "$build" && cpack -G DEB -B "$work/packages" > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
declare -A expected=([shipml]=cli [libshipml$soversion]=runtime [libshipml-dev]=dev [python3-shipml]=python)
debs=()
for package in "${!expected[@]}"; do
  deb="$work/packages/${package}_${version}_amd64.deb"
  [ -f "$deb" ] || fail "no $package package (built: $(ls "$work/packages"))"
  [ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "$package has version $(dpkg-deb -f "$deb" Version), not $version"
  debs+=("$deb")
done
depends() { dpkg-deb -f "$work/packages/$1_${version}_amd64.deb" Depends; }
depends shipml | grep -q "libsqlite3-0" || fail "shipml does not depend on libsqlite3-0: $(depends shipml)"
depends shipml | grep -q "fonts-dejavu-core" || fail "shipml does not depend on the charts' font"
depends libshipml-dev | grep -q "libshipml$soversion (= $version)" || fail "libshipml-dev: $(depends libshipml-dev)"
depends python3-shipml | grep -q "python3-pandas" || fail "python3-shipml: $(depends python3-shipml)"
contents=$(dpkg-deb -c "$work/packages/libshipml${soversion}_${version}_amd64.deb")
grep -q "libshipml_runtime.so.$soversion " <<< "$contents" || fail "libshipml$soversion lacks libshipml_runtime.so.$soversion"
# MPI only in shipml-mpi (when the build found MPI): the CLI, its package and the
# libraries neither link nor depend on it.
mpi_deb="$work/packages/shipml-mpi_${version}_amd64.deb"
depends shipml | grep -q "libopenmpi" && fail "shipml depends on OpenMPI: $(depends shipml)"
if [ -f "$mpi_deb" ]; then
  debs+=("$mpi_deb")
  depends shipml-mpi | grep -q "libopenmpi" || fail "shipml-mpi does not depend on OpenMPI: $(depends shipml-mpi)"
  depends shipml-mpi | grep -q "shipml (= $version)" || fail "shipml-mpi: $(depends shipml-mpi)"
  dpkg-deb -c "$mpi_deb" | grep -q "/lib/shipml/libshipml_mpi.so$" || fail "shipml-mpi lacks lib/shipml/libshipml_mpi.so"
fi
if [ -d /var/lib/apt/lists ] && ls /var/lib/apt/lists/*Packages* > /dev/null 2>&1; then
  apt-get install -s "${debs[@]}" > "$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt cannot resolve the packages"; }
fi

# 2. Unpacked: the command line, its documentation, the Python package.
root=$work/root
for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$root"; done
"$root/usr/bin/shipml" --version | grep -qx "shipml $version" || fail "the packaged CLI says $("$root/usr/bin/shipml" --version)"
for page in shipml.1 shipml-train.1 shipml-serve.1 shipml-runs-list.1; do
  [ -s "$root/usr/share/man/man1/$page" ] || fail "no man page $page"
done
grep -q "complete -F _shipml shipml" "$root/usr/share/bash-completion/completions/shipml" || fail "no bash completion"
objdump -p "$root/usr/bin/shipml" | grep -q "NEEDED.*libmpi" && fail "the packaged CLI links libmpi"
if [ -f "$mpi_deb" ] && command -v mpirun > /dev/null; then
  # The installed CLI finds the installed plugin (../lib/shipml from bin/) under mpirun.
  out=$(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none \
    timeout 60 mpirun --oversubscribe -np 2 "$root/usr/bin/shipml" --version) || fail "the packaged CLI fails under mpirun"
  [ "$out" = "shipml $version" ] || fail "the packaged CLI under mpirun -np 2 printed: $out"
fi
PYTHONPATH=$root/usr/lib/python3/dist-packages /usr/bin/python3 -c "
import shipml, sys
assert shipml.__version__ == '$version', shipml.__version__
assert shipml.__file__.startswith('$root'), shipml.__file__
" || fail "the packaged Python package does not import"

# 3. A downstream project built against the unpacked packages.
cmake -S "$src/examples/downstream" -B "$work/downstream" -DCMAKE_PREFIX_PATH="$root/usr" -DCMAKE_BUILD_TYPE=Release \
  > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "find_package(shipml) failed"; }
cmake --build "$work/downstream" -j "$(nproc)" > "$work/build.log" 2>&1 || { cat "$work/build.log"; fail "the downstream build failed"; }
cd "$work"
SHIPML_TRACKING_URI="$work/runs" "$work/downstream/train" "$src/data/churn.csv" churn churn.shipml > train.log \
  || { cat train.log; fail "downstream train failed"; }
"$work/downstream/predict" churn.shipml "$src/data/churn.csv" > predictions.csv || fail "downstream predict failed"
[ "$(wc -l < predictions.csv)" -eq 5000 ] || fail "downstream predict wrote $(wc -l < predictions.csv) rows"
[ "$("$root/usr/bin/shipml" runs list --store "$work/runs" --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" -eq 2 ] \
  || fail "downstream train did not record its score and train runs"
# The runtime-only program: its NEEDED entries, and everything it loads.
needed=$(objdump -p "$work/downstream/predict" | awk '/NEEDED/ {print $2}')
echo "$needed" | grep -qx "libshipml_runtime.so.$soversion" || fail "predict does not link libshipml_runtime: $needed"
echo "$needed" | grep -q "^libshipml.so" && fail "predict links libshipml, not the runtime alone: $needed"
loaded=$(ldd "$work/downstream/predict")
for lib in libpq libsqlite3 libcairo libyaml-cpp; do
  echo "$loaded" | grep -q "$lib" && fail "the runtime-only program loads $lib:"$'\n'"$loaded"
done
echo "packages: $(cd "$work/packages" && ls -- *.deb | tr '\n' ' ')built, unpacked and used; predict links: $(echo $needed)"
