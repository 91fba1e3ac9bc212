#!/usr/bin/env bash
# Sets everything up and builds: installs the Debian packages (idempotent), configures build/
# for the host and builds the given targets (everything without arguments), then cross-compiles
# for aarch64 into build-aarch64/ (scripts/build-aarch64.sh): everything but the compiler without
# arguments, only pyvc-call (what scripts/demo.sh runs under qemu) with them.
#   bash scripts/build.sh                      # everything: tools, tests, benchmarks, both builds
#   bash scripts/build.sh pyvc pyvc-agent      # only what is named (and the aarch64 pyvc-call)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ $# -eq 0 ]; then
  cmake --build build -j2
  bash scripts/build-aarch64.sh
else
  cmake --build build -j2 --target "$@"
  bash scripts/build-aarch64.sh pyvc-call
fi
