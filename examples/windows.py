"""Window aggregates over a list of readings (kernel functions: loops and reductions)."""
import math


def mean(xs: list[float]) -> float:
    """Average; ZeroDivisionError on an empty window, as in Python."""
    return sum(xs) / len(xs)


def maximum(xs: list[float]) -> float:
    """The largest value; ValueError on an empty window, as max() raises in Python."""
    return max(xs)


def minimum(xs: list[float]) -> float:
    return min(xs)


def variance(xs: list[float]) -> float:
    m = mean(xs)
    return sum((x - m) ** 2 for x in xs) / len(xs)


def rms(xs: list[float]) -> float:
    return math.sqrt(sum(x * x for x in xs) / len(xs))


def sum_gt(xs: list[float], t: float) -> float:
    return sum(x for x in xs if x > t)


def ewma(xs: list[float], alpha: float) -> float:
    """Exponentially weighted moving average: sequential by nature."""
    acc = xs[0]
    for x in xs[1:]:
        acc = alpha * x + (1.0 - alpha) * acc
    return acc


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
            k = int((x - lo) / width)
            counts[min(k, bins - 1)] += 1
    return counts


def min_max(xs: list[float]) -> tuple[float, float]:
    return min(xs), max(xs)
