"""A tour of every construct the kernel dialect accepts; must compile without diagnostics."""
from __future__ import annotations

import math
import math as m
from math import sqrt, pi as PI, inf
from typing import List

SCALE = 2.5
LIMIT: int = 10
HALF = SCALE / 2
BIG = 2 ** 62
NEG = -9223372036854775808
FLAG = not True


def swap_sum(a: int, b: int) -> int:
    """Swaps with tuple assignment; the right side is evaluated first."""
    a, b = b, a
    return a * 10 + b


def unpack_call(xs: list[float]) -> float:
    lo, hi = bounds(xs)  # called before its definition
    return hi - lo


def bounds(xs: list[float]) -> tuple[float, float]:
    return min(xs), max(xs)


def factorial(n: int) -> int:
    if n <= 1:
        return 1
    return n * factorial(n - 1)


def widen(xs: list[float]) -> float:
    acc = 0
    for x in xs:
        acc += x
    return acc


def empty_from_return(n: int) -> list[float]:
    out = []
    for i in range(n):
        out.append(i * 0.5)
    return out


def empty_from_annotation() -> list[int]:
    return []


def counts(n: int) -> list[float]:
    table = [0] * n
    for i in range(n):
        table[i] += 1.5
    return table


def repeat_left(n: int) -> list[bool]:
    return n * [False]


def loops(xs: List[float], ys: list[float]) -> float:
    total = 0.0
    for i, x in enumerate(xs, 1):
        total += i * x
    for i, (x, y) in enumerate(zip(xs, ys)):
        total -= x * y + i
    for x, y in zip(xs, ys):
        if x > y:
            continue
        total += y
    for i in range(len(xs) - 1, -1, -1):
        if xs[i] < 0:
            break
    k = 0
    while k < 10:
        k += 3
    return total + k


def forever(n: int) -> int:
    i = 0
    while True:
        i += 1
        if i * i > n:
            return i


def expressions(a: float, b: int, c: bool) -> float:
    x = -a if c else +b
    y = a // b % 3 ** 2 - b / 4
    z = (a or b) and c
    w = not c or 0 < a <= b < 100 != a
    v = b ** 3 + (-b) ** 2
    return x + y + z + w + v + float(c) + int(a) + round(a) + abs(b) + bool(b)


def math_calls(x: float) -> float:
    return (math.sqrt(x) + m.exp(x) + math.log(x) + math.log(x, 2) + math.log2(x) + math.log10(x) + math.sin(x)
            + math.cos(x) + math.tan(x) + math.atan2(x, 1) + math.fabs(x) + math.floor(x) + math.ceil(x)
            + math.pow(x, 2) + math.hypot(x, 3) + math.isnan(x) + math.isinf(x) + math.isfinite(x) + math.pi
            + math.e + sqrt(PI) + math.floor(3) + (inf if x > 1e308 else 0) + math.nan * 0 + math.tau)


def specials() -> tuple[float, float, float]:
    return float("nan"), float("inf"), float("-inf")


def lists(xs: list[float], n: int) -> list[float]:
    first = xs[0]
    last = xs[-1]
    middle = xs[1:-1]
    head = xs[:n]
    tail = xs[n:]
    copy = xs[:]
    copy[0] = first + last
    copy.append(len(middle) + len(head) + len(tail))
    literal = [1, 2.5, True]
    return sorted(copy) if len(literal) > 5 else copy


def reductions(xs: list[float], flags: list[bool]) -> tuple[float, int, bool, bool, float, float]:
    s = sum(x for x in xs if x > 0)
    c = sum(flags)
    a = any(x > 10 for x in xs)
    e = all(flags)
    lo = min(x * 2 for x in xs if x != 0)
    hi = max(xs)
    return s + sum(xs, 10), c + sum([1, 2], start=3), a, e, lo, hi + min(1, 2.5, 3)


def comprehensions(xs: list[float], n: int) -> list[float]:
    pairs = [x * i for i in range(n) for x in xs if x > i if i % 2 == 0]
    squares = [i * i for i in range(n)]
    return [p + squares[0] for p in pairs] if n > 0 else pairs


def sorted_generator(xs: list[int]) -> list[int]:
    return sorted(x * 2 for x in xs)


def constants() -> float:
    return SCALE * LIMIT + HALF + BIG + NEG + FLAG


def annotated(x: int) -> float:
    y: float = x
    y += 1
    return y


def chained(a: int) -> int:
    b = c = a + 1
    return b + c


def rebind_parameter(xs: list[float]) -> float:
    xs = [1.0, 2.0]
    return xs[0]


def int_division(a: int, b: int) -> float:
    return a / b


def pass_and_ellipsis(x: float) -> float:
    pass
    ...
    return x


if __name__ == "__main__":  # warning[W0201] 1: `if __name__ == "__main__":` block is not compiled
    print(swap_sum(1, 2))


MASK = 0xF0 | 0x0F
SHIFTED = 1 << 10 >> 2


def bit_fiddling(status: int, flags: bool, other: bool) -> int:
    "A string statement is a docstring or a comment, anywhere."
    low = status & MASK ^ ~status
    low |= SHIFTED
    low <<= 1
    low >>= 2
    both = flags & other | (flags ^ other)
    return low + both


def loops_with_else(xs: list[float], t: float) -> int:
    for i, x in enumerate(xs):
        if x > t:
            found = i
            break
    else:
        found = -1
    n = 0
    while n < 3:
        n += 1
    else:
        "the loop ended without break"
        n += 10
    return found + n


def checked(xs: list[float]) -> list[float]:
    assert len(xs) > 0, "no readings"
    assert xs[0] == xs[0]
    if xs[0] < 0.0:
        raise ValueError("negative first reading")
    ys = list(xs)
    ys.append(pow(xs[0], 2.0))
    zs = list()
    for k in list(range(len(ys))):
        zs.append(ys[k] * 2.0)
    return zs
