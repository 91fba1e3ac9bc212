#!/usr/bin/env bash
# Sets everything up and builds: installs the Debian packages (idempotent), configures build/
# for the host and builds the given targets (everything without arguments), then cross-compiles
# the runtime side into build-aarch64/.
#   bash scripts/build.sh                      # everything: tools, tests, benchmarks
#   bash scripts/build.sh pyvc pyvc-agent      # only what is named (and what it needs)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ $# -eq 0 ]; then
  cmake --build build -j2
else
  cmake --build build -j2 --target "$@"
fi
bash scripts/build-aarch64.sh
