#!/usr/bin/env bash
# Builds the Debian packages (docs/INSTALL.md): pyvc, pyvc-agent, pyvc-dev (amd64) and
# python3-pyvc (all) from build/ into build/packages/, and pyvc-agent and pyvc-dev for arm64 from
# the cross build into build-aarch64/packages/. Builds what they hold first (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh pyvc pyvc-driver pyvc-rules-module pyvc-keys pyvc-call pyvc-agent \
  pyvc-agent-default-kernels
bash scripts/build-aarch64.sh pyvc-call pyvc-agent pyvc-agent-default-kernels
# The runtime libraries of pyvc-dev: every library target (the tests are not packaged).
cmake --build build -j2 --target pyvc_agent pyvc_trust
cmake --build build-aarch64 -j2 --target pyvc_agent pyvc_trust
cpack -G DEB --config build/CPackConfig.cmake -B build/packages >/dev/null
cpack -G DEB --config build-aarch64/CPackConfig.cmake -B build-aarch64/packages >/dev/null
ls -1 build/packages/*.deb build-aarch64/packages/*.deb
