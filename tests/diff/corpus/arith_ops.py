# Differential corpus: arithmetic on ints and floats -- + - * / // % ** and unary minus,
# floor semantics, ZeroDivisionError, OverflowError past 64-bit ints, float pow overflow.
# Every function runs unchanged under CPython, which is the oracle for every result.

BIAS = 3
SCALE = 0.5


def int_add(a: int, b: int) -> int:
    return a + b


def int_sub(a: int, b: int) -> int:
    return a - b


def int_mul(a: int, b: int) -> int:
    return a * b


def int_neg(a: int) -> int:
    return -a


def int_floordiv(a: int, b: int) -> int:
    return a // b


def int_mod(a: int, b: int) -> int:
    return a % b


def int_truediv(a: int, b: int) -> float:
    return a / b


def int_pow_small(b: int, e: int) -> int:
    # Exponent kept in 0..69 so CPython stays fast; bases near 2^63 still overflow.
    return b ** (e % 70)


def int_pow_signed(b: int, e: int) -> int:
    # A negative exponent is the documented divergence: the kernel raises ValueError.
    return b ** (e % 9 - 4)


def float_add(x: float, y: float) -> float:
    return x + y


def float_sub(x: float, y: float) -> float:
    return x - y


def float_mul(x: float, y: float) -> float:
    return x * y


def float_div(x: float, y: float) -> float:
    return x / y


def float_floordiv(x: float, y: float) -> float:
    return x // y


def float_mod(x: float, y: float) -> float:
    return x % y


def float_pow(x: float, y: float) -> float:
    # Negative bases with fractional exponents give complex numbers in CPython; fabs avoids them.
    return abs(x) ** y


def float_neg(x: float) -> float:
    return -x


def mixed_int_float(a: int, x: float) -> float:
    return a * x + a - x / 2


def poly_int(a: int) -> int:
    # Horner form: overflows for |a| past about 2^21.
    return ((a * 3 - 5) * a + 7) * a - BIAS


def poly_float(x: float) -> float:
    return ((x * SCALE - 1.25) * x + 3.0) * x - 0.1


def aug_assign_int(a: int, b: int) -> int:
    r = a
    r += b
    r -= 3
    r *= 2
    r //= 7 + (b % 5)
    r %= 1000003
    return r


def aug_assign_float(x: float, y: float) -> float:
    r = x
    r += y
    r -= 0.5
    r *= 1.5
    r /= 3.0
    r **= 2
    return r


def divmod_pair(a: int, b: int) -> tuple[int, int]:
    return a // b, a % b


def float_divmod_pair(x: float, y: float) -> tuple[float, float]:
    return x // y, x % y


def precedence(a: int, b: int, c: int) -> int:
    return a + b * c - a // (c * c + 1) % 7 - -b


def square_minus(x: float) -> float:
    return -x ** 2 + 2.0 ** -1


def float_pow_int_exponent(x: float, n: int) -> float:
    # Negative bases are fine with int exponents; 0.0 ** negative raises ZeroDivisionError.
    return x ** (n % 11 - 5)


def int_true_div_mixed(a: int, b: int) -> float:
    # CPython divides big ints exactly and rounds once; converting both to double first differs.
    return (a * 3 + 1) / (b % 1000 + 1)


def builtin_pow_float(x: float, y: float) -> float:
    # As float_pow: a negative base with a fractional exponent is complex in CPython.
    return pow(abs(x), y)


def builtin_pow_int(b: int, e: int) -> int:
    return pow(b, e % 64)
