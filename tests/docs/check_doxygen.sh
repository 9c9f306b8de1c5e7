#!/usr/bin/env bash
# The API reference (docs/Doxyfile over include/shipml) builds with no Doxygen
# warning: every public class, function, member and enumerator is documented
# and no comment breaks Doxygen's markup.
# Usage: check_doxygen.sh SOURCE_DIR OUT_DIR VERSION
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 SOURCE_DIR OUT_DIR VERSION" >&2; exit 2; }
src=$1 version=$3
mkdir -p "$2"
out=$(cd "$2" && pwd)  # Doxygen runs in SOURCE_DIR
rm -rf "$out/html" "$out/warnings.log"
if ! (cd "$src" && SHIPML_VERSION="$version" SHIPML_DOXYGEN_OUT="$out" doxygen docs/Doxyfile) ||
   [ -s "$out/warnings.log" ] || [ ! -f "$out/html/index.html" ]; then
  echo "check_doxygen: the API reference has warnings or was not written:" >&2
  cat "$out/warnings.log" >&2 2>/dev/null || true
  exit 1
fi
pages=$(find "$out/html" -name '*.html' | wc -l)
classes=$(find "$out/html" \( -name 'class*.html' -o -name 'struct*.html' \) ! -name '*-members.html' | wc -l)
echo "check_doxygen: shipml $version API reference, $pages pages, $classes classes and structs, no warnings"
