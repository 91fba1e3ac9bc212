"""Window kernels over lists: reductions, loops with early exits, list results."""
from math import sqrt


def stats(xs: list[float]) -> tuple[float, float, float, float]:
    n = len(xs)
    mean = sum(xs) / n
    var = sum((x - mean) ** 2 for x in xs) / n
    return mean, sqrt(var), min(xs), max(xs)


def median(xs: list[float]) -> float:
    s = sorted(xs)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 == 1 else (s[mid - 1] + s[mid]) / 2


def moving_sum(xs: list[float], k: int) -> list[float]:
    out = []
    acc = 0.0
    for i, x in enumerate(xs):
        acc += x
        if i >= k:
            acc -= xs[i - k]
        if i >= k - 1:
            out.append(acc)
    return out


def first_spike(xs: list[float], factor: float) -> int:
    for i in range(1, len(xs)):
        if xs[i] > factor * abs(xs[i - 1]):
            return i
    return -1


def dedupe_sorted(xs: list[int]) -> list[int]:
    out = [0] * 0
    for x in xs:
        if len(out) == 0 or out[-1] != x:
            out.append(x)
    return out


def crossings(xs: list[float], level: float) -> list[bool]:
    return [a < level <= b or b < level <= a for a, b in zip(xs, xs[1:])]


def all_finite(xs: list[float]) -> bool:
    return all(x == x and abs(x) != float("inf") for x in xs)
