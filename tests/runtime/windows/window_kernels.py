"""Window aggregates the window tests compile with the real `pyvc compile` and call on closed
windows: one per result type, two that raise on some windows, and wrong signatures to refuse."""
import math


def mean(xs: list[float]) -> float:
    """ZeroDivisionError on an empty window, as in Python."""
    return sum(xs) / len(xs)


def positives(xs: list[float]) -> int:
    n = 0
    for x in xs:
        if x > 0.0:
            n += 1
    return n


def rising(xs: list[float]) -> bool:
    return xs[-1] > xs[0]


def spread(xs: list[float]) -> float:
    """ValueError on an empty window (min of an empty list)."""
    return max(xs) - min(xs)


def root_sum(xs: list[float]) -> float:
    """ValueError (math domain error) when the window sums to a negative number."""
    return math.sqrt(sum(xs))


def inverse_first(xs: list[float]) -> float:
    """ZeroDivisionError when the first value is 0."""
    return 1.0 / xs[0]


def scale(x: float) -> float:
    return 2.0 * x


def above(xs: list[float], t: float) -> int:
    n = 0
    for x in xs:
        if x > t:
            n += 1
    return n


def total(xs: list[int]) -> int:
    return sum(xs)


def doubled(xs: list[float]) -> list[float]:
    return [2.0 * x for x in xs]


def bounds(xs: list[float]) -> tuple[float, float]:
    return min(xs), max(xs)
