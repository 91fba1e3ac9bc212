# Differential corpus: comparisons (chained, with NaN, int against float), and/or/not with
# short-circuit, conditional expressions and bool conversions.

LOW = -1.5
HIGH = 2.5


def float_lt(x: float, y: float) -> bool:
    return x < y


def float_le(x: float, y: float) -> bool:
    return x <= y


def float_eq(x: float, y: float) -> bool:
    return x == y


def float_ne(x: float, y: float) -> bool:
    return x != y


def float_ge(x: float, y: float) -> bool:
    return x >= y


def float_gt(x: float, y: float) -> bool:
    return x > y


def int_compare_all(a: int, b: int) -> int:
    # Packs all six comparisons in one int so a single wrong one shows.
    r = 0
    if a < b:
        r += 1
    if a <= b:
        r += 2
    if a == b:
        r += 4
    if a != b:
        r += 8
    if a > b:
        r += 16
    if a >= b:
        r += 32
    return r


def int_float_eq(a: int, x: float) -> bool:
    # CPython compares an int and a float exactly, not after rounding the int to a double.
    return a == x


def int_float_lt(a: int, x: float) -> bool:
    return a < x


def in_band(x: float) -> bool:
    return LOW <= x < HIGH


def chained_three(a: int, b: int, c: int) -> bool:
    return a < b <= c != a


def is_nan_by_compare(x: float) -> bool:
    return x != x


def short_circuit_and(a: int, b: int) -> bool:
    # b != 0 guards the division: the right side must not run when the left is false.
    return b != 0 and a // b > 2


def short_circuit_or(a: int, b: int) -> bool:
    return b == 0 or a % b == 1


def not_logic(x: float, y: float) -> bool:
    return not (x < y) and not (x > y)


def bool_mix(p: bool, q: bool, r: bool) -> bool:
    return (p and not q) or (q and r) or not (p or r)


def cond_expr(x: float) -> float:
    return x * 2.0 if x > 0.0 else -x if x < -10.0 else 0.5


def cond_expr_int(a: int, b: int) -> int:
    return a // b if b != 0 else (0 if a == 0 else -1)


def sign(x: float) -> int:
    if x > 0.0:
        return 1
    elif x < 0.0:
        return -1
    elif x == 0.0:
        return 0
    else:
        return 2


def bool_to_int_sum(p: bool, q: bool) -> int:
    return int(p) + int(q) * 2


def bool_of_numbers(a: int, x: float) -> tuple[bool, bool]:
    return bool(a), bool(x)


def clamp_compare(x: float, lo: float, hi: float) -> float:
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def guarded_index(xs: list[float]) -> bool:
    # The right operand would raise IndexError on an empty list; and must not evaluate it.
    return len(xs) > 0 and xs[0] > 1.0


def one_branch_only(xs: list[float], i: int) -> float:
    # Only the chosen branch runs: the index is checked only when it is used.
    return xs[i] if 0 <= i < len(xs) else -1.0


def chained_with_error(a: int, b: int) -> bool:
    # The middle operand is evaluated once; ZeroDivisionError when b is 0.
    return 0 <= a // b < 10
