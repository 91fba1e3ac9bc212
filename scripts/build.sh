#!/usr/bin/env bash
# Sets everything up and builds: installs the Debian packages (idempotent), configures build/
# for the host and builds it, then cross-compiles the runtime side into build-aarch64/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2
bash scripts/build-aarch64.sh
