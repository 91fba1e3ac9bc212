#!/usr/bin/env bash
# Sets everything up and runs every test: unit, golden, differential (CPython vs compiled, on
# x86-64 and on aarch64 under qemu), codegen and runtime tests, all through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh
ctest --test-dir build --output-on-failure -j2 --timeout 900 "$@"
