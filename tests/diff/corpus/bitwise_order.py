# Differential corpus: bitwise operators on ints and bools (& | ^ ~ << >>, with CPython's
# results for negative operands and counts), the order in which operands that raise are
# evaluated (sum's start after its iterable, `n * [v]` count first, list comprehensions built
# whole before any/all/sum read them), and plain string statements inside bodies.
# Every function runs unchanged under CPython, which is the oracle for every result.

MASK = 0xFF
FLAG = 1 << 3
HIGH = ~MASK & 0xFFFF
POLY = 0xEDB88320


def int_and(a: int, b: int) -> int:
    return a & b


def int_or(a: int, b: int) -> int:
    return a | b


def int_xor(a: int, b: int) -> int:
    return a ^ b


def int_invert(a: int) -> int:
    return ~a


def int_lshift(a: int, n: int) -> int:
    # The count stays below 80 so CPython never builds a huge int; 64..79 still overflow.
    return a << (n % 80)


def int_lshift_signed(a: int, n: int) -> int:
    # Negative counts raise ValueError, as CPython does.
    return a << (n % 80 - 10)


def int_rshift(a: int, n: int) -> int:
    return a >> n


def bool_ops(a: bool, b: bool) -> tuple[bool, bool, bool, int]:
    return a & b, a | b, a ^ b, ~a


def mixed_bool_int(a: bool, n: int) -> int:
    return (a | n) + (a << 2) + (n & True)


def masks_from_constants(x: int) -> int:
    return (x & MASK) | FLAG | (x & HIGH)


def status_bit(status: int, bit: int) -> bool:
    """A docstring, and below a string used as a comment."""
    "bit must be a small non-negative number"
    return (status >> (bit % 64)) & 1 == 1


def set_bits(xs: list[int]) -> int:
    word = 0
    for x in xs:
        "only the low six bits pick the bit"
        word |= 1 << (x & 63)
    return word


def popcount(v: int) -> int:
    # Kernighan's loop; a negative v is masked to 64 bits first so the loop ends.
    v &= 0x7FFFFFFFFFFFFFFF
    count = 0
    while v:
        v &= v - 1
        count += 1
    return count


def crc32(data: list[int]) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte & 0xFF
        for _ in range(8):
            crc = (crc >> 1) ^ (POLY & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def shift_updates(a: int, b: int) -> int:
    a <<= b % 8
    a >>= 1
    a ^= b
    a &= 0xFFFF_FFFF
    return a


def sum_start_after_list(a: int, b: int) -> int:
    # CPython builds the list (10 // b) before it evaluates the start (a * a).
    return sum([10 // b], a * a)


def sum_start_after_range(a: int, s: int, c: int) -> int:
    # The generator's range() is made before the start is evaluated.
    return sum((x for x in range(0, a % 50, s % 3)), 10 // c)


def repeat_count_first(a: int, n: int, b: int) -> list[int]:
    # `count * [v]`: the count is evaluated before the list.
    return (a * a - a * a + n % 5) * [10 // b]


def any_of_built_list(xs: list[int]) -> bool:
    # A list comprehension is built whole before any() reads it: every element is computed.
    return any([10 // x > 0 for x in xs])


def all_of_built_list(xs: list[int]) -> bool:
    return all([10 // x != 3 for x in xs])


def sum_of_built_list(xs: list[int]) -> int:
    # Elements that raise come before the sum's own overflow, as the list is built first.
    return sum([9223372036854775807 // x for x in xs])


def min_of_built_list(xs: list[int]) -> int:
    return min([100 // x for x in xs])


def copy_then_append_many_locals(xs: list[float]) -> list[float]:
    ys = xs[:]
    a = 1.0
    b = 2.0
    c = 3.0
    d = 4.0
    e = 5.0
    f = 6.0
    g = 7.0
    h = 8.0
    k = 9.0
    ys.append(sum(xs) + a + b + c + d + e + f + g + h + k)
    ys[0] += sum([x * 2.0 for x in xs])
    return ys
