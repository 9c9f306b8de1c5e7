#!/usr/bin/env bash
# Keeps the docs honest: runs every shell example marked `<!-- example -->` in
# README.md and docs/*.md
# with the built shipml on PATH, and checks that the C++ example shown in the
# README is exactly docs/examples/quickstart.cpp (which the tests build and run).
set -euo pipefail
src=$1 bin_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$src/data" "$work/data"
ln -s "$src/docs" "$work/docs"   # example experiment files; results go to the work folder
ln -s "$src/proto" "$work/proto" # the gRPC example generates its client from the proto file
export PATH="$bin_dir:$PATH"

# The C++ example in the README must be the file that is compiled and run.
python3 - "$src/README.md" "$src/docs/examples/quickstart.cpp" <<'PY'
import sys
readme, example = (open(p).read() for p in sys.argv[1:])
if example.strip() not in readme:
    sys.exit("README.md does not show docs/examples/quickstart.cpp verbatim")
PY

# Examples from the README and the guides in docs/, in that order.
for doc in "$src/README.md" "$src"/docs/*.md; do
  awk '/<!-- example -->/{grab=1; next} grab && /^```sh/{inblock=1; next} inblock && /^```/{inblock=0; grab=0; print "#--"; next} inblock{print}' \
    "$doc" >> "$work/examples.sh"
done
count=$(grep -c '^#--' "$work/examples.sh" || true)
[ "$count" -ge 1 ] || { echo "no examples found in README.md"; exit 1; }
cd "$work"
bash -euo pipefail examples.sh > "$work/out.log" 2>&1 || { cat "$work/out.log"; echo "a README example failed"; exit 1; }
echo "$count example blocks (README.md, docs/) ran"
