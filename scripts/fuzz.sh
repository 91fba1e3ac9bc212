#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, ASan + UBSan) in build-fuzz/ and runs them.
#   scripts/fuzz.sh [SECONDS]     each target for SECONDS (default 60), one after another;
#                                 new inputs go to build-fuzz/corpus/<target>, crashes to
#                                 build-fuzz/crashes/<target>/
#   scripts/fuzz.sh --smoke       each target a fixed number of runs over the seeds (CTest)
#   scripts/fuzz.sh --build-only
# FUZZ_JOBS=N runs N targets at once (default 1); FUZZ_FLAGS adds libFuzzer flags to timed runs
# (docs/FUZZING.md uses -detect_leaks=0 for long runs). Exit status 1 when any target fails.
set -euo pipefail
cd "$(dirname "$0")/.."
repository=$PWD
build=$repository/build-fuzz

# libFuzzer and the sanitizer runtimes must come from the compiler that instruments: clang-19
# when its runtime (libclang-rt-19-dev) is installed, else clang-14, whose runtime is.
pick_compiler() {
  local probe
  probe=$(mktemp -d)
  printf '#include <cstddef>\n#include <cstdint>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t *, size_t) { return 0; }\n' >"$probe/probe.cpp"
  for compiler in clang++-19 clang++-14; do
    if command -v "$compiler" >/dev/null &&
      "$compiler" -fsanitize=fuzzer,address,undefined "$probe/probe.cpp" -o "$probe/probe" 2>/dev/null; then
      rm -rf "$probe"
      echo "$compiler"
      return
    fi
  done
  rm -rf "$probe"
  echo "fuzz.sh: no clang with libFuzzer and ASan runtimes (install libclang-rt-19-dev)" >&2
  exit 2
}

mode=time
seconds=60
case "${1:-}" in
--smoke) mode=smoke ;;
--build-only) mode=build ;;
'') ;;
*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS | --smoke | --build-only]" >&2; exit 2 ;;
*) seconds=$1 ;;
esac

if [[ ! -f $build/CMakeCache.txt ]]; then
  compiler=$(pick_compiler)
  echo "fuzz.sh: building with $compiler"
  cmake -S tests/fuzz -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$compiler" >/dev/null
fi
cmake --build "$build" -j"${FUZZ_BUILD_JOBS:-2}"
targets=$(cd tests/fuzz/corpus && ls)

case $mode in
build) exit 0 ;;
smoke) exec ctest --test-dir "$build" --output-on-failure ;;
esac

status=0
run_one() {
  local target=$1
  mkdir -p "$build/corpus/$target" "$build/crashes/$target"
  # shellcheck disable=SC2086 # FUZZ_FLAGS is a list of flags
  "$build/fuzz_$target" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 \
    ${FUZZ_FLAGS:-} \
    -artifact_prefix="$build/crashes/$target/" \
    "$build/corpus/$target" "$repository/tests/fuzz/corpus/$target" \
    >"$build/$target.log" 2>&1
}
pids=()
for target in $targets; do
  run_one "$target" &
  pids+=($!)
  if ((${#pids[@]} >= ${FUZZ_JOBS:-1})); then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done

for target in $targets; do
  stats=$(grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done|cov: ' "$build/$target.log" | tail -4 | tr '\n' ' ')
  echo "$target: $stats"
  if grep -q -E '^==[0-9]+==ERROR|fuzz oracle failed|runtime error' "$build/$target.log"; then
    echo "$target: FAILED, see $build/$target.log and $build/crashes/$target/" >&2
    status=1
  fi
done
exit $status
