# Differential corpus: calls between functions of one file, recursion, tuple results, tuple
# unpacking (from calls and literals) and swap, module constants.
# Functions whose names start with an underscore are helpers: compiled, but only called through
# the others, because their own inputs need bounds (recursion depth, loop counts).

LIMIT = 30
RATE = 0.25
ENABLED = True


def _fib(n: int) -> int:
    if n < 2:
        return n
    return _fib(n - 1) + _fib(n - 2)


def fib(n: int) -> int:
    return _fib(n % 25)


def _factorial(n: int) -> int:
    if n <= 1:
        return 1
    return n * _factorial(n - 1)


def factorial(n: int) -> int:
    # Overflows 64 bits from 21! on.
    return _factorial(n % LIMIT)


def _power_sum(xs: list[float], k: int) -> float:
    if k == 0:
        return float(len(xs))
    return sum(x ** k for x in xs)


def power_sums(xs: list[float]) -> tuple[float, float, float]:
    return _power_sum(xs, 0), _power_sum(xs, 1), _power_sum(xs, 2)


def _ackermann_small(m: int, n: int) -> int:
    if m == 0:
        return n + 1
    if n == 0:
        return _ackermann_small(m - 1, 1)
    return _ackermann_small(m - 1, _ackermann_small(m, n - 1))


def ackermann(m: int, n: int) -> int:
    return _ackermann_small(m % 3, n % 6)


def _is_even(n: int) -> bool:
    if n == 0:
        return True
    return _is_odd(n - 1)


def _is_odd(n: int) -> bool:
    if n == 0:
        return False
    return _is_even(n - 1)


def mutual_recursion(n: int) -> bool:
    return _is_even(n % 200)


def min_max(xs: list[float]) -> tuple[float, float]:
    lo = xs[0]
    hi = xs[0]
    for x in xs:
        if x < lo:
            lo = x
        if x > hi:
            hi = x
    return lo, hi


def spread(xs: list[float]) -> float:
    lo, hi = min_max(xs)
    return hi - lo


def swap_and_sort(a: int, b: int) -> tuple[int, int]:
    if a > b:
        a, b = b, a
    return a, b


def rotate_three(a: float, b: float, c: float) -> tuple[float, float, float]:
    a, b, c = b, c, a
    return a, b, c


def unpack_literal(k: int) -> int:
    x, y = k % 100, k // 100 % 100
    return x * 100 + y


def fib_iter_swap(n: int) -> int:
    a, b = 0, 1
    for _ in range(n % 91):
        a, b = b, a + b
    return a


def tuple_mixed(x: float, a: int) -> tuple[float, int, bool]:
    return x * RATE, a % 7, ENABLED and x > 0.0


def _bisect_left(xs: list[float], v: float, lo: int, hi: int) -> int:
    if lo >= hi:
        return lo
    mid = (lo + hi) // 2
    if xs[mid] < v:
        return _bisect_left(xs, v, mid + 1, hi)
    return _bisect_left(xs, v, lo, mid)


def rank_in_sorted(xs: list[float], v: float) -> int:
    return _bisect_left(sorted(xs), v, 0, len(xs))


def call_chain(x: float) -> float:
    return _scaled(_shifted(x, 1.5), 3.0)


def _shifted(x: float, d: float) -> float:
    return x - d


def _scaled(x: float, k: float) -> float:
    return x * k


def divmod_via_call(a: int, b: int) -> int:
    q, r = _divmod(a, b)
    return q * 10 + r


def _divmod(a: int, b: int) -> tuple[int, int]:
    return a // b, a % b
