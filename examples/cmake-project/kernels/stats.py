"""Summary statistics of a window of readings (a pyvc kernel file; CPython runs it unchanged)."""
import math


def mean(xs: list[float]) -> float:
    """ZeroDivisionError on an empty window, as in Python."""
    return sum(xs) / len(xs)


def stddev(xs: list[float]) -> float:
    """Population standard deviation."""
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / len(xs))


def count_above(xs: list[float], threshold: float) -> int:
    n = 0
    for x in xs:
        if x > threshold:
            n += 1
    return n
