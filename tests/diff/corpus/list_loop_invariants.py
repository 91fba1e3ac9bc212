# Differential corpus: loops whose list headers (data, length) the backend may read once before
# the loop, and the shapes where it must not: a list appended to, reassigned, aliased, written
# through an alias or handed to a call inside the loop; int() of a float as an index (NaN,
# infinities, -2^63, negative and out-of-range indices); [a, b] * n made without a temporary.


def histogram(xs: list[float], lo: float, hi: float, bins: int) -> list[int]:
    # The benchmark kernel; bins % 24 keeps the list small (0 gives ZeroDivisionError).
    counts = [0] * (bins % 24)
    width = (hi - lo) / (bins % 24)
    for x in xs:
        if lo <= x < hi:
            counts[int((x - lo) / width)] += 1
    return counts


def bin_unfiltered(xs: list[float], lo: float, width: float) -> list[int]:
    # No range filter: int() raises ValueError for NaN and OverflowError for infinities and
    # huge values; -1 < q < 0 truncates to 0, q <= -1 counts from the end, q >= 8 is IndexError.
    counts = [0] * 8
    for x in xs:
        counts[int((x - lo) / width)] += 1
    return counts


def float_index_read(xs: list[int], v: float) -> int:
    return xs[int(v)]


def float_index_scaled(xs: list[float], scale: float) -> float:
    total = 0.0
    for i in range(len(xs)):
        total += xs[int(i * scale)]
    return total


def int_of_float_extremes(k: int) -> int:
    # -2^63 converts exactly; 2^63 and the double below -2^63 overflow.
    choice = k % 3
    v = -9223372036854775808.0
    if choice == 1:
        v = 9223372036854775808.0
    elif choice == 2:
        v = -9223372036854777856.0
    return int(v) // 4


def index_at_minimum(xs: list[int], k: int) -> int:
    # int(-2^63) is a valid int, and always an IndexError as an index.
    v = -9223372036854775808.0
    if k % 3 == 0:
        return xs[int(v)]
    if k % 3 == 1:
        return xs[int(v + 9223372036854775808.0)]
    return int(v) % 1000


def signed_table_loop(xs: list[int]) -> int:
    table = [3, 1, 4, 1, 5, 9, 2, 6]
    total = 0
    for x in xs:
        total += table[x % 16 - 8]
    return total


def signed_table_out_of_range(xs: list[int]) -> int:
    table = [2, 7, 1, 8, 2, 8]
    total = 0
    for x in xs:
        if x % 5 == 0:
            total += table[x % 15 - 7]
    return total


def append_inside_loop(xs: list[float]) -> list[int]:
    # The list grows (and its data moves) inside the loop: lengths and data are re-read.
    counts = [0] * 2
    for x in xs:
        if x > 0.0:
            counts.append(len(counts))
        if x == x and -1e6 < x < 1e6:
            counts[int(x) % len(counts)] += 1
        counts[-1] += 1
    return counts


def alias_appended_inside_loop(xs: list[int]) -> int:
    counts = [0] * 3
    other = counts
    total = 0
    for x in xs:
        if x % 2 == 0:
            other.append(x % 10)
        total += counts[len(counts) - 1] + len(counts) + counts[-2]
    return total


def reassign_inside_loop(xs: list[float]) -> int:
    bins = [0] * 4
    for x in xs:
        if x > 1.0:
            bins = [1] * 7
        if x == x and -1e9 < x < 1e9:
            bins[int(x) % len(bins)] += 1
            bins[-1 - int(x) % 3] += 2
    total = 0
    for b in bins:
        total += b
    return total * 100 + len(bins)


def _sum_ints(ys: list[int]) -> int:
    total = 0
    for y in ys:
        total += y
    return total


def _bumped(ys: list[int], k: int) -> list[int]:
    out = ys[:]
    out[k % len(out)] += 10
    return out


def call_inside_loop(xs: list[float]) -> int:
    # The callee sees every update made so far; the list it returns replaces the local.
    counts = [0] * 5
    seen = 0
    for x in xs:
        if 0.0 <= x < 5.0:
            counts[int(x)] += 1
            seen += _sum_ints(counts)
        elif x > 40.0:
            counts = _bumped(counts, int(x) % 7)
    return seen * 1000 + _sum_ints(counts)


def write_through_alias_inside_loop(xs: list[int]) -> list[int]:
    # Two names for one list written inside the loop: both see every write.
    ys = xs[:]
    zs = ys
    total = 0
    for i in range(len(ys)):
        total += ys[i] % 1000 + zs[-1 - i] % 1000
        zs[i] = total
    return ys


def repeat_literal_shapes(a: int, b: bool, n: int) -> tuple[int, int, bool]:
    ints = [a % 1000, 7, -3] * (n % 9 - 3)
    flags = [b, not b] * (n % 5)
    single = [a] * (n % 4)
    total = 0
    for v in ints:
        total += v
    last = flags[-1] if len(flags) > 0 else b
    return total, len(ints) + len(single), last


def repeat_float_then_fill(v: float, n: int) -> list[float]:
    out = [v, -v] * (n % 6)
    for i in range(len(out)):
        if i % 3 == 0:
            out[i] = out[i] * 0.5
    return out


def repeat_too_long(k: int) -> int:
    # 2^62 elements: MemoryError in CPython and in the kernel, neither allocates.
    if k % 2 == 0:
        return len([k, k] * (2 ** 61))
    return len([k, k] * (k % 5))
