#!/usr/bin/env bash
# The C++ sources stay formatted as .clang-format says (applied once; kept so).
# Usage: check_format.sh SOURCE_DIR
set -euo pipefail
cd "$1"
files=$(git ls-files '*.cpp' '*.hpp' '*.h' 2>/dev/null | grep -E '^(include|src|apps|tests|bench|fuzz|docs/examples|python/src|examples)/' ||
        find include src apps tests bench fuzz docs/examples python/src examples -name '*.[ch]pp' -o -name '*.h')
if ! clang-format --dry-run --Werror $files 2> /tmp/shipml-format.$$; then
  grep -E '^[^ ].*: (error|warning):' /tmp/shipml-format.$$ | cut -d: -f1 | sort -u | sed 's/^/not formatted: /'
  echo "run: clang-format -i \$(git ls-files '*.cpp' '*.hpp')"
  rm -f /tmp/shipml-format.$$
  exit 1
fi
rm -f /tmp/shipml-format.$$
echo "format: $(echo "$files" | wc -w) C++ files as .clang-format says"
