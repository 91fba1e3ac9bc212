#!/usr/bin/env python3
"""Cold compiles with two pyvc-driver binaries, interleaved: A, B, A, B, ... so that the drift
of a shared machine falls on both alike. Each compile is a new process running
`DRIVER compile --no-cache -O2 FILE -o OUT` for every kernel file given, one after the other.
Prints per driver the median and quartiles of the wall time of one round (all files) and the
median of its minor page faults (the child's ru_minflt), then A's time over B's paired by round.

Used to weigh the huge-page machinery: A is the driver as built (its page cache reloaded in
2 MiB folios after the link), B a plain copy of it (written by cp, so held in 4 KiB folios):
    compile_bench.py --copy-b build/libexec/pyvc-driver --rounds 40 FILE.py...

Usage: compile_bench.py (--driver-b B | --copy-b) DRIVER_A [--rounds N] FILES...
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time


def one_round(driver, files, work_dir):
    """Wall seconds and minor page faults of compiling every file once, each in its own process."""
    seconds, faults = 0.0, 0
    for index, source in enumerate(files):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
        start = time.perf_counter()
        subprocess.run([driver, "compile", "--no-cache", "-O2", source, "-o",
                        os.path.join(work_dir, f"out{index}.so")], check=True)
        seconds += time.perf_counter() - start
        faults += resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt - before
    return seconds, faults


def summary(name, samples):
    times = sorted(s for s, _ in samples)
    quartiles = statistics.quantiles(times, n=4)
    faults = statistics.median(f for _, f in samples)
    return (f"{name}: median {statistics.median(times) * 1e3:.1f} ms per round "
            f"(quartiles {quartiles[0] * 1e3:.1f} .. {quartiles[2] * 1e3:.1f}), "
            f"median minor page faults {faults:.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("driver_a")
    parser.add_argument("--driver-b")
    parser.add_argument("--copy-b", action="store_true", help="B is a cp of A (4 KiB page-cache folios)")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("files", nargs="+")
    options = parser.parse_args()
    if bool(options.driver_b) == options.copy_b:
        parser.error("give exactly one of --driver-b and --copy-b")
    with tempfile.TemporaryDirectory(prefix="pyvc-compile-bench-") as work_dir:
        driver_b = options.driver_b
        if options.copy_b:
            driver_b = os.path.join(work_dir, "pyvc-driver-copy")
            shutil.copy2(options.driver_a, driver_b)
        drivers = {"A " + options.driver_a: options.driver_a, "B " + (driver_b if options.driver_b
                                                                       else "copy of A"): driver_b}
        for driver in drivers.values():  # warm up: both in the page cache, both cached by the CPU
            one_round(driver, options.files, work_dir)
        samples = {name: [] for name in drivers}
        for _ in range(options.rounds):
            for name, driver in drivers.items():
                samples[name].append(one_round(driver, options.files, work_dir))
    print(f"{options.rounds} interleaved rounds of {len(options.files)} cold compiles (-O2, --no-cache)")
    for name, measured in samples.items():
        print(summary(name, measured))
    a, b = samples.values()
    ratios = sorted(sa / sb for (sa, _), (sb, _) in zip(a, b))
    quartiles = statistics.quantiles(ratios, n=4)
    print(f"A/B wall time, paired by round: median {statistics.median(ratios):.3f} "
          f"(quartiles {quartiles[0]:.3f} .. {quartiles[2]:.3f}; A faster in "
          f"{sum(r < 1 for r in ratios)} of {len(ratios)} rounds)")


if __name__ == "__main__":
    main()
