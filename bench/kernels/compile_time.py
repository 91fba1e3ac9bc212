#!/usr/bin/env python3
"""Compile time, each in a cold process: `pyvc compile --no-cache` of kernels.py (nine
functions), a pyvc cache hit, and gcc -O3 / clang-19 -O3 compiling reference.c to a .so.
Prints tab-separated lines: compile, 9, implementation, median seconds.

Usage: compile_time.py PYVC WORKDIR [RUNS]
"""
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def median_seconds(command, runs, env=None):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    pyvc, workdir = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 21
    os.makedirs(workdir, exist_ok=True)
    source = os.path.join(HERE, "kernels.py")
    reference = os.path.join(HERE, "reference.c")
    output = os.path.join(workdir, "compile-time.so")
    env = dict(os.environ, PYVC_CACHE_DIR=os.path.join(workdir, "cache"))

    cold = median_seconds([pyvc, "compile", source, "--no-cache", "-o", output], runs, env)
    print(f"compile\t9\tpyvc-no-cache\t{cold:.9g}", flush=True)
    subprocess.run([pyvc, "compile", source, "-o", output], check=True, env=env)  # fill the cache
    hit = median_seconds([pyvc, "compile", source, "-o", output], runs, env)
    print(f"compile\t9\tpyvc-cache-hit\t{hit:.9g}", flush=True)
    for name, compiler in (("gcc-O3", "gcc"), ("clang-19-O3", "clang-19")):
        seconds = median_seconds(
            [compiler, "-O3", "-shared", "-fPIC", reference, "-o", output, "-lm"], runs)
        print(f"compile\t9\t{name}\t{seconds:.9g}", flush=True)


if __name__ == "__main__":
    main()
