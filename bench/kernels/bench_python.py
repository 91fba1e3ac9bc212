#!/usr/bin/env python3
"""Times the nine benchmark kernels from Python, on the same data as bench_native.cpp:
CPython running kernels.py, numpy, Numba @njit, and the pyvc-compiled library through
pyvc.load() with a buffer (no copy). Prints tab-separated lines: kernel, n, implementation,
seconds per call (best of several). Run under /usr/bin/python3, where numpy and numba import.

Usage: bench_python.py KERNELS.so N [N...] [--numba-compile]
"""
import array
import importlib.util
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
THRESHOLD, LOW, HIGH, ALPHA = 0.0, -0.5, 0.5, 0.1
HIST_LOW, HIST_HIGH, BINS = -1.0, 1.0, 16


def make_data(n):
    """The same generator as bench_native.cpp's makeData (a 64-bit LCG), bit for bit."""
    state = 0x9E3779B97F4A7C15
    xs, ys = array.array("d", bytes(8 * n)), array.array("d", bytes(8 * n))
    mask = (1 << 64) - 1
    for i in range(n):
        state = (state * 6364136223846793005 + 1442695040888963407) & mask
        xs[i] = (state >> 11) * 2.0**-53 * 2.0 - 1.0
        state = (state * 6364136223846793005 + 1442695040888963407) & mask
        ys[i] = (state >> 11) * 2.0**-53 * 2.0 - 1.0
    return xs, ys


def best_seconds(call, budget=0.3, at_most=200):
    best, total, repetition = math.inf, 0.0, 0
    while repetition < at_most and (repetition < 3 or total < budget):
        start = time.perf_counter()
        call()
        seconds = time.perf_counter() - start
        best, total, repetition = min(best, seconds), total + seconds, repetition + 1
    return best


def report(kernel, n, implementation, seconds):
    print(f"{kernel}\t{n}\t{implementation}\t{seconds:.9g}", flush=True)


def load_source(path):
    spec = importlib.util.spec_from_file_location("bench_kernels", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def calls(k, xs, ys):
    """The nine calls, the same arguments for every implementation."""
    return {
        "sum_gt": lambda: k.sum_gt(xs, THRESHOLD),
        "mean": lambda: k.mean(xs),
        "variance": lambda: k.variance(xs),
        "rms": lambda: k.rms(xs),
        "dot": lambda: k.dot(xs, ys),
        "clamp": lambda: k.clamp(xs, LOW, HIGH),
        "zero_crossings": lambda: k.zero_crossings(xs),
        "histogram": lambda: k.histogram(xs, HIST_LOW, HIST_HIGH, BINS),
        "ewma": lambda: k.ewma(xs, ALPHA),
    }


class NumpyKernels:
    """The kernels' natural numpy forms; ewma and zero_crossings have none that is sequential
    (ewma) or obvious, so zero_crossings uses a vector form and ewma is left out."""

    def __init__(self, np):
        self.np = np

    def sum_gt(self, xs, t):
        return float(xs[xs > t].sum())

    def mean(self, xs):
        return float(xs.mean())

    def variance(self, xs):
        return float(xs.var())

    def rms(self, xs):
        return math.sqrt(float(self.np.dot(xs, xs)) / len(xs))

    def dot(self, xs, ys):
        return float(self.np.dot(xs, ys))

    def clamp(self, xs, lo, hi):
        return self.np.clip(xs, lo, hi)

    def zero_crossings(self, xs):
        negative = xs < 0.0
        return int(self.np.count_nonzero(negative[1:] != negative[:-1]))

    def histogram(self, xs, lo, hi, bins):
        return self.np.histogram(xs, bins=bins, range=(lo, hi))[0]

    ewma = None


def numba_kernels(numba, np):
    """The same loops as reference.c, compiled by Numba @njit (fastmath off, like the kernels)."""
    njit = numba.njit(cache=False)

    @njit
    def sum_gt(xs, t):
        acc = 0.0
        for x in xs:
            if x > t:
                acc += x
        return acc

    @njit
    def mean(xs):
        acc = 0.0
        for x in xs:
            acc += x
        return acc / len(xs)

    @njit
    def variance(xs):
        m = mean(xs)
        acc = 0.0
        for x in xs:
            acc += (x - m) * (x - m)
        return acc / len(xs)

    @njit
    def rms(xs):
        acc = 0.0
        for x in xs:
            acc += x * x
        return math.sqrt(acc / len(xs))

    @njit
    def dot(xs, ys):
        acc = 0.0
        for i in range(len(xs)):
            acc += xs[i] * ys[i]
        return acc

    @njit
    def clamp(xs, lo, hi):
        out = xs.copy()
        for i in range(len(xs)):
            out[i] = min(max(xs[i], lo), hi)
        return out

    @njit
    def zero_crossings(xs):
        count = 0
        for i in range(1, len(xs)):
            if (xs[i - 1] < 0.0) != (xs[i] < 0.0):
                count += 1
        return count

    @njit
    def histogram(xs, lo, hi, bins):
        counts = np.zeros(bins, np.int64)
        width = (hi - lo) / bins
        for x in xs:
            if lo <= x < hi:
                counts[int((x - lo) / width)] += 1
        return counts

    @njit
    def ewma(xs, alpha):
        acc = 0.0
        for x in xs:
            acc = alpha * x + (1.0 - alpha) * acc
        return acc

    class Kernels:
        pass

    kernels = Kernels()
    for f in (sum_gt, mean, variance, rms, dot, clamp, zero_crossings, histogram, ewma):
        setattr(kernels, f.__name__, f)
    return kernels


def main():
    arguments = sys.argv[1:]
    if len(arguments) < 2:
        sys.exit(__doc__)
    library = arguments.pop(0)
    sizes = [int(a) for a in arguments if a.isdigit()]
    cpython_limit = int(os.environ.get("PYVC_BENCH_CPYTHON_MAX_N", "1000000"))

    sys.path.insert(0, os.path.join(HERE, "..", "..", "runtime", "python"))
    import pyvc

    compiled = pyvc.load(library)
    source = load_source(os.path.join(HERE, "kernels.py"))
    try:
        import numpy as np
    except ImportError:
        np = None
    try:
        import numba
    except ImportError:
        numba = None

    numba_compiled = None
    if numba is not None and np is not None:
        warm = np.linspace(-1.0, 1.0, 64)
        numba_compiled = numba_kernels(numba, np)
        start = time.perf_counter()
        for call in calls(numba_compiled, warm, warm).values():
            call()  # the first call compiles
        report("compile", 9, "numba-first-call", time.perf_counter() - start)

    for n in sizes:
        xs, ys = make_data(n)
        for kernel, call in calls(compiled, xs, ys).items():
            report(kernel, n, "pyvc-load-buffer", best_seconds(call))
        if n <= cpython_limit:
            lists = (xs.tolist(), ys.tolist())
            for kernel, call in calls(source, *lists).items():
                report(kernel, n, "cpython", best_seconds(call, budget=1.0, at_most=3))
        if np is not None:
            nx, ny = np.frombuffer(xs, dtype=np.float64), np.frombuffer(ys, dtype=np.float64)
            numpy_kernels = NumpyKernels(np)
            for kernel, call in calls(numpy_kernels, nx, ny).items():
                if getattr(numpy_kernels, kernel) is not None:
                    report(kernel, n, "numpy", best_seconds(call))
            if numba_compiled is not None:
                for kernel, call in calls(numba_compiled, nx, ny).items():
                    report(kernel, n, "numba", best_seconds(call))


if __name__ == "__main__":
    main()
