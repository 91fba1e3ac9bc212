#!/usr/bin/env bash
# Cross-compiles everything but the compiler for aarch64 Linux into build-aarch64/: the runtime
# libraries, pyvc-call, pyvc-agent (with its default kernels, compiled by the host pyvc), the
# runtime's unit tests and benchmarks. Debian's arm64 packages come from scripts/install-deps.sh;
# cmake/aarch64-linux-gnu.cmake says how they are found. docs/CROSS.md has the details.
#   bash scripts/build-aarch64.sh                   # everything
#   bash scripts/build-aarch64.sh pyvc-call         # only the named targets (and what they need)
# Run the results on the host under qemu:
#   qemu-aarch64 -L /usr/aarch64-linux-gnu build-aarch64/bin/pyvc-call LIB.so FUNC
#   ctest --test-dir build-aarch64                  # the emulator is in the toolchain file
# PYVC_HOST_PYVC=/path/to/pyvc names the host compiler for the default kernels (default:
# build/bin/pyvc, when it exists). AARCH64_CMAKE_ARGS adds configure arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

configure_arguments=(-DPYVC_BUILD_COMPILER=OFF -DPYVC_BUILD_DATAPATH=ON -DPYVC_BUILD_TESTS=ON)
if [ -n "${PYVC_HOST_PYVC:-}" ]; then
  configure_arguments+=("-DPYVC_HOST_PYVC=$PYVC_HOST_PYVC")
fi
# shellcheck disable=SC2206 # word splitting of the extra arguments is wanted
configure_arguments+=(${AARCH64_CMAKE_ARGS:-})

cmake -S . -B build-aarch64 -G Ninja --no-warn-unused-cli \
  -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "${configure_arguments[@]}" >/dev/null
if [ $# -eq 0 ]; then
  cmake --build build-aarch64 -j2
  echo "build-aarch64.sh: built everything but the compiler into build-aarch64/"
else
  cmake --build build-aarch64 -j2 --target "$@"
  echo "build-aarch64.sh: built $* into build-aarch64/"
fi
