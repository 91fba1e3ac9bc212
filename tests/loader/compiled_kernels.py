"""Kernels the loader tests compile with the real `pyvc compile` and call through pyvc-call and
the pyvc package, comparing every result and exception with CPython running this same file.
One function per ABI shape: float/int/bool scalars, each list type in and out, tuples, batch."""


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def clamp(xs: list[float], lo: float, hi: float) -> list[float]:
    return [min(max(x, lo), hi) for x in xs]


def floor_div(a: int, b: int) -> int:
    return a // b


def ratio(a: float, b: float) -> float:
    return a / b


def in_band(v: float, lo: float, hi: float) -> bool:
    return lo <= v < hi


def pick(flag: bool, a: float, b: float) -> float:
    if flag:
        return a
    return b


def bounds(xs: list[float]) -> tuple[float, float]:
    return min(xs), max(xs)


def divmod_int(a: int, b: int) -> tuple[int, int]:
    return a // b, a % b


def above(xs: list[float], t: float) -> list[bool]:
    return [x > t for x in xs]


def count_true(flags: list[bool]) -> int:
    n = 0
    for f in flags:
        if f:
            n += 1
    return n


def squares(n: int) -> list[int]:
    return [i * i for i in range(n)]


def at(xs: list[int], i: int) -> int:
    return xs[i]
