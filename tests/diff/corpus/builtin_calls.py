# Differential corpus: the builtins len abs min max sum any all range enumerate zip sorted float
# int bool round, with their edge cases -- int() of NaN and inf, round half to even, abs of the
# most negative int, min/max of an empty sequence, sorted with NaN (CPython's order).


def abs_int(a: int) -> int:
    return abs(a)


def abs_float(x: float) -> float:
    return abs(x)


def min_two_int(a: int, b: int) -> int:
    return min(a, b)


def max_three_float(x: float, y: float, z: float) -> float:
    # With NaN the result depends on the argument order, exactly as CPython compares.
    return max(x, y, z)


def min_two_float(x: float, y: float) -> float:
    return min(x, y)


def float_of_int(a: int) -> float:
    return float(a)


def int_of_float(x: float) -> int:
    # ValueError for NaN, OverflowError for inf and for floats past 64 bits.
    return int(x)


def int_of_bool(p: bool) -> int:
    return int(p) + int(not p) * 10


def float_of_bool(p: bool) -> float:
    return float(p) * 2.5


def bool_of_float(x: float) -> bool:
    return bool(x)


def round_float(x: float) -> int:
    # round() with one argument: half to even, ValueError for NaN, OverflowError for inf.
    return round(x)


def round_halves(a: int) -> int:
    return round((a % 1000) + 0.5) - round(-(a % 1000) - 0.5)


def len_list(xs: list[float]) -> int:
    return len(xs)


def sorted_floats(xs: list[float]) -> list[float]:
    return sorted(xs)


def sorted_ints(xs: list[int]) -> list[int]:
    return sorted(xs)


def median_sorted(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    if n % 2 == 1:
        return s[n // 2]
    return (s[n // 2 - 1] + s[n // 2]) / 2.0


def range_len(a: int, b: int) -> int:
    return len([0 for i in range(a % 100, b % 100)])


def enumerate_weighted(xs: list[int]) -> int:
    total = 0
    for i, x in enumerate(xs):
        total += i * (x % 100)
    return total


def zip_shorter(xs: list[int], ys: list[float]) -> int:
    n = 0
    for a, y in zip(xs, ys):
        if float(a) > y:
            n += 1
    return n


def min_max_empty_guard(xs: list[float]) -> float:
    if len(xs) == 0:
        return 0.0
    return max(xs) - min(xs)


def round_of_division(a: int, b: int) -> int:
    return round(a / b)


def max_int_float(a: int, x: float) -> float:
    # CPython compares the int and the float exactly and returns the winner unchanged.
    return max(a, x)


def min_of_abs(a: int, b: int) -> int:
    return min(abs(a), abs(b), 1000)
