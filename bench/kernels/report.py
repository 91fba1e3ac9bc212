#!/usr/bin/env python3
"""Turns the benchmark lines (kernel, n, implementation, seconds) into the Markdown tables of
docs/PERFORMANCE.md: time per call and pyvc's speed relative to every other implementation
(a ratio above 1.0 means pyvc is faster).

Usage: report.py RESULTS.tsv
"""
import collections
import sys

KERNELS = ["sum_gt", "mean", "variance", "rms", "dot", "clamp", "zero_crossings", "histogram", "ewma"]
OTHERS = ["c-O3-strict", "c-O3-assoc", "c-O3-assoc-no-fma", "cpython", "numpy", "numba"]
REDUCTIONS = ["sum_gt", "mean", "variance", "rms", "dot"]
# bytes read per element by each reduction: variance reads xs twice, dot reads two arrays
BYTES_PER_ELEMENT = {"sum_gt": 8, "mean": 8, "variance": 16, "rms": 8, "dot": 16}


def read(path):
    times = collections.defaultdict(dict)
    with open(path) as lines:
        for line in lines:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 4:
                kernel, n, implementation, seconds = parts
                times[(kernel, int(n))][implementation] = float(seconds)
    return times


def human(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def kernel_tables(times):
    sizes = sorted({n for (kernel, n) in times if kernel in KERNELS})
    for n in sizes:
        print(f"\n### n = {n:,}\n")
        print("| kernel | pyvc direct | pyvc.load(buffer) | " + " | ".join(f"vs {o}" for o in OTHERS) + " |")
        print("|---" * (3 + len(OTHERS)) + "|")
        for kernel in KERNELS:
            row = times.get((kernel, n))
            if not row or "pyvc-direct" not in row:
                continue
            ours = row["pyvc-direct"]
            cells = [kernel, human(ours), human(row["pyvc-load-buffer"]) if "pyvc-load-buffer" in row else "—"]
            for other in OTHERS:
                cells.append(f"{row[other] / ours:.2f}×" if other in row else "—")
            print("| " + " | ".join(cells) + " |")


def bandwidth_table(times):
    big = [n for (kernel, n) in times if kernel == "read_bandwidth"]
    if not big:
        return
    n = big[0]
    bandwidth = 8 * n / times[("read_bandwidth", n)]["c-int64-sum"]
    print(f"\n### Memory bandwidth at n = {n:,}\n")
    print(f"Single-core read bandwidth (C int64 sum, same run): {bandwidth / 1e9:.2f} GB/s\n")
    print("| reduction | GB/s read | share of bandwidth |")
    print("|---|---|---|")
    for kernel in REDUCTIONS:
        row = times.get((kernel, n), {})
        if "pyvc-direct" in row:
            rate = BYTES_PER_ELEMENT[kernel] * n / row["pyvc-direct"]
            print(f"| {kernel} | {rate / 1e9:.2f} | {100 * rate / bandwidth:.0f}% |")


def compile_table(times):
    row = times.get(("compile", 9))
    if not row:
        return
    print("\n### Compile time, 9 functions, cold process (median)\n")
    print("| what | time |")
    print("|---|---|")
    for name in ("pyvc-no-cache", "pyvc-cache-hit", "gcc-O3", "clang-19-O3", "numba-first-call"):
        if name in row:
            print(f"| {name} | {human(row[name])} |")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    times = read(sys.argv[1])
    kernel_tables(times)
    bandwidth_table(times)
    compile_table(times)


if __name__ == "__main__":
    main()
