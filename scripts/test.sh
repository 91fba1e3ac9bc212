#!/usr/bin/env bash
# Sets everything up and runs every test: unit, golden, differential (CPython vs compiled, on
# x86-64 and on aarch64 under qemu), codegen, runtime and agent end-to-end tests through CTest;
# then the aarch64 stage: the cross-built runtime's unit tests and the cross-built agent end to
# end, under qemu-aarch64 (scripts/test-aarch64.sh); then each parser's fuzz target for a fixed
# number of runs (scripts/fuzz.sh --smoke), and the runtime and its tests built with ASan and UBSan
# (scripts/sanitize.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh
ctest --test-dir build --output-on-failure -j2 --timeout 900 "$@"
bash scripts/test-aarch64.sh
bash scripts/fuzz.sh --smoke
bash scripts/sanitize.sh
