#!/usr/bin/env bash
# The kernel benchmark, side by side in one run: pyvc (direct and through pyvc.load), C -O3
# strict and with -fassociative-math, CPython, numpy, Numba; then compile times. Prints the
# Markdown tables that go into docs/PERFORMANCE.md. Needs a built build/ (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

work=build/bench-kernels
mkdir -p "$work"
cmake --build build --target pyvc pyvc-bench-kernels -j2 >/dev/null
build/bin/pyvc compile bench/kernels/kernels.py --target host -O3 --no-cache -o "$work/kernels.so"
clang-19 -O3 -march=native -shared -fPIC bench/kernels/reference.c -o "$work/ref-strict.so" -lm
clang-19 -O3 -march=native -fassociative-math -fno-signed-zeros -fno-trapping-math \
  -shared -fPIC bench/kernels/reference.c -o "$work/ref-assoc.so" -lm
# The same without fused multiply-adds: the arithmetic of Python (and pyvc), which never fuses.
clang-19 -O3 -march=native -fassociative-math -fno-signed-zeros -fno-trapping-math -ffp-contract=off \
  -shared -fPIC bench/kernels/reference.c -o "$work/ref-assoc-no-fma.so" -lm

results="$work/results.tsv"
: >"$results"
build/bin/pyvc-bench-kernels "$work/kernels.so" "$work/ref-strict.so" "$work/ref-assoc.so" \
  --uncontracted "$work/ref-assoc-no-fma.so" 1000 1000000 --bandwidth "${PYVC_BENCH_BANDWIDTH_N:-100000000}" | tee -a "$results"
/usr/bin/python3 bench/kernels/bench_python.py "$work/kernels.so" 1000 1000000 | tee -a "$results"
python3 bench/kernels/compile_time.py build/bin/pyvc "$work" | tee -a "$results"
echo
python3 bench/kernels/report.py "$results"
