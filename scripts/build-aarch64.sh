#!/usr/bin/env bash
# Cross-compiles the runtime side (the kernel loader and pyvc-call) for aarch64 Linux into
# build-aarch64/; the result is build-aarch64/bin/pyvc-call. Run it on the host under qemu:
#   qemu-aarch64 -L /usr/aarch64-linux-gnu build-aarch64/bin/pyvc-call LIB.so FUNC
# Needs gcc/g++-aarch64-linux-gnu, libc6-dev-arm64-cross and libffi-dev:arm64
# (scripts/install-deps.sh installs them). Extra arguments go to the configure step.
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build-aarch64 -G Ninja --no-warn-unused-cli \
  -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPYVC_BUILD_COMPILER=OFF -DPYVC_BUILD_DATAPATH=OFF -DPYVC_BUILD_TESTS=OFF "$@" >/dev/null
cmake --build build-aarch64 --target pyvc-call -j2
echo "build-aarch64.sh: built build-aarch64/bin/pyvc-call"
