# Differential corpus: corners of Python's semantics that a compiler easily gets subtly wrong --
# loop variables after and inside loops, ranges at the ends of the int64 range, and/or returning
# an operand rather than a bool, truthiness of numbers, the order in which errors surface.
INT64_MAX = 9223372036854775807
INT64_MIN = -9223372036854775807 - 1


def loop_var_after_loop(n: int) -> int:
    # After the loop the variable keeps its last value; an empty range leaves it untouched.
    i = -1
    for i in range(n % 10):
        pass
    return i


def loop_var_reassigned(n: int) -> int:
    # Assigning the loop variable in the body does not change the iteration.
    total = 0
    for i in range(n % 12):
        i = i * 10
        total += i
    return total


def range_near_max(k: int) -> int:
    # A counter that steps past INT64_MAX must still stop: no wrap-around in the loop itself.
    count = 0
    last = 0
    for i in range(INT64_MAX - k % 20, INT64_MAX, 3):
        count += 1
        last = i
    return count * 1000 + last % 1000


def range_near_min(k: int) -> int:
    count = 0
    for i in range(INT64_MIN + k % 20, INT64_MIN, -3):
        count += 1
    return count


def range_huge_step(s: int) -> int:
    # A step near INT64_MAX: start + step overflows, the loop must simply end.
    step = s % 7 + 1 if s % 3 == 0 else INT64_MAX - s % 7
    count = 0
    for i in range(5, 100, step):
        count += 1 + i % 3
    return count


def int_or_default(a: int, b: int) -> int:
    # `or` gives back an operand, not a bool.
    return a or b


def float_and_value(x: float, y: float) -> float:
    return x and y


def truthy_float(x: float) -> int:
    return 1 if x else 0


def while_int_truthiness(n: int) -> int:
    m = n % 50
    steps = 0
    while m:
        m -= 1
        steps += 1
    return steps


def mixed_branches(x: float) -> float:
    return 1 if x > 0.0 else 2.5


def error_order_left(xs: list[int], i: int, b: int) -> int:
    # Left to right: with both a zero divisor and a bad index, ZeroDivisionError comes first.
    return 10 // b + xs[i]


def error_order_right(xs: list[int], i: int, b: int) -> int:
    return xs[i] + 10 // b


def float_to_int_bounds(x: float) -> int:
    # -2^63 converts exactly; 2^63 (the double just above INT64_MAX) does not.
    return int(x) // 2


def floor_ceil_by_division(x: float) -> tuple[int, int]:
    # Floor and ceiling through float floor division, then int(): OverflowError near 2^63.
    return int(x // 1.0), -int(-x // 1.0)


def signed_zero_results(x: float, y: float) -> tuple[float, float, float]:
    return x % y, x // y, -(x * 0.0)


def min_max_signed_zero(x: float, y: float) -> tuple[float, float]:
    # Among equal values min and max keep the first: min(0.0, -0.0) is 0.0.
    return min(x, y), max(x, y)
