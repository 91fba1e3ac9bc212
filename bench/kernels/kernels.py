"""The kernel benchmark suite: nine window kernels in the pyvc dialect (valid Python).

The same file is compiled by pyvc, run by CPython, and mirrored by reference.c, numpy_kernels.py
and numba_kernels.py with the same algorithms.
"""
import math


def sum_gt(xs: list[float], t: float) -> float:
    return sum(x for x in xs if x > t)


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def variance(xs: list[float]) -> float:
    m = sum(xs) / len(xs)
    return sum((x - m) * (x - m) for x in xs) / len(xs)


def rms(xs: list[float]) -> float:
    return math.sqrt(sum(x * x for x in xs) / len(xs))


def dot(xs: list[float], ys: list[float]) -> float:
    return sum(x * y for x, y in zip(xs, ys))


def clamp(xs: list[float], lo: float, hi: float) -> list[float]:
    return [min(max(x, lo), hi) for x in xs]


def zero_crossings(xs: list[float]) -> int:
    count = 0
    for i in range(1, len(xs)):
        if (xs[i - 1] < 0.0) != (xs[i] < 0.0):
            count += 1
    return count


def histogram(xs: list[float], lo: float, hi: float, bins: int) -> list[int]:
    counts = [0] * bins
    width = (hi - lo) / bins
    for x in xs:
        if lo <= x < hi:
            counts[int((x - lo) / width)] += 1
    return counts


def ewma(xs: list[float], alpha: float) -> float:
    acc = 0.0
    for x in xs:
        acc = alpha * x + (1.0 - alpha) * acc
    return acc
