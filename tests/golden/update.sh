#!/bin/sh
# Regenerates the inline expectations of every golden input from the current frontend; review
# the result with `git diff tests/golden` before committing.
#   tests/golden/update.sh [BUILD_DIR]     (default: build)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
tool=$(find "$build" -name pyvc_golden_check -type f -perm -u+x | head -n 1)
[ -n "$tool" ] || { echo "pyvc_golden_check not found under $build; build it first" >&2; exit 2; }
"$tool" --update "$root"/tests/golden/errors/*.py "$root"/tests/golden/valid/*.py
