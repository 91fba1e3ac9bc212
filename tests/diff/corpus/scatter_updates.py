# Differential corpus: loops that update a list at an index computed with int() from each
# element (histograms), which pyvc runs as speculative blocks of 16 positions with the body as
# fallback (backends/ScatterUpdateLoop.cpp). The wrappers build inputs that put the error cases
# inside one block: two different errors (the first must win), a negative index (counts from the
# end), an index equal to the length, a zero divisor in a filtered-out or in a kept position.
import math


def _buckets(xs: list[float], lo: float, width: float, n: int) -> list[int]:
    counts = [0] * n
    for x in xs:
        counts[int((x - lo) / width)] += 1
    return counts


def _spread(k: int, length: int) -> list[float]:
    # Indices 0 .. 3 over a list of `length`, varied by k.
    return [((i * 7 + k) % 4) + 0.5 for i in range(length)]


def first_error_wins(k: int) -> list[int]:
    # A NaN (ValueError) and an infinity (OverflowError) at positions a and b of 40 (or one, or
    # neither, as k says).
    xs = _spread(k, 40)
    if k % 5 != 0:
        xs[k % 40] = math.nan
    if k % 7 != 0:
        xs[(k // 40) % 40] = math.inf
    return _buckets(xs, 0.0, 1.0, 4)


def negative_index_in_block(k: int) -> list[int]:
    # int(-1.5) is -1: the last bucket, through the body (the block's vector code flags it).
    xs = _spread(k, 48)
    xs[k % 48] = -1.5
    xs[(k * 5) % 48] = -3.25
    return _buckets(xs, 0.0, 1.0, 4)


def index_at_length(k: int) -> list[int]:
    # 4.0 is one past the last bucket: IndexError, for the two k in three that place it.
    xs = _spread(k, 35)
    if k % 3 != 0:
        xs[k % 35] = 4.0
    return _buckets(xs, 0.0, 1.0, 4)


def zero_width(k: int) -> list[int]:
    # Every kept position divides by zero: ZeroDivisionError, unless the list is empty.
    return _buckets(_spread(k, k % 20), 0.0, 0.0, 4)


def _guarded(xs: list[float], ws: list[float]) -> list[int]:
    counts = [0] * 6
    for x, w in zip(xs, ws):
        if w != 0.0 and x >= 0.0:
            counts[int(x / w)] += 1
    return counts


def zero_divisor_filtered_out(k: int) -> list[int]:
    # The zero divisors sit in positions the filter drops: no error, whatever the block.
    xs = _spread(k, 50)
    ws = [1.0 + (i % 2) for i in range(50)]
    ws[k % 50] = 0.0
    ws[(k * 3) % 50] = 0.0
    return _guarded(xs, ws)


def weighted_sums(xs: list[float], ws: list[float], scale: float) -> list[float]:
    sums = [0.0] * 9
    for x, w in zip(xs, ws):
        if 0.0 <= x < 9.0 * scale:
            sums[int(x / scale)] += w
    return sums


def int_elements(vs: list[int], step: float) -> list[int]:
    counts = [0] * 8
    for v in vs:
        if 0 <= v < 64:
            counts[int(v * step)] -= 1
    return counts


def index_and_target_after_loop(xs: list[float]) -> float:
    # The named index and the loop target keep their last values after the loop.
    counts = [0] * 10
    k = -1
    x = -1.0
    for x in xs:
        if 0.0 <= x < 1.0:
            k = int(x * 10.0)
            counts[k] += 1
    return k + x + counts[0]


def histogram_of_ints(xs: list[float], lo: float, hi: float, bins: int) -> list[int]:
    counts = [0] * (bins % 40)
    width = (hi - lo) / (bins % 40)
    for x in xs:
        if lo <= x < hi:
            counts[int((x - lo) / width)] += 1
    return counts


def rebound_parameter(xs: list[float]) -> list[float]:
    # xs is rebound to the list the loop updates: each element must be read after the updates
    # of the positions before it, so the loop stays as written.
    ys = [0.0] * (len(xs) % 40 + 20)
    xs = ys
    for x in xs:
        if x < 15.0:
            ys[int(x + 1.0)] += 1.0
    return ys


def repeated_target(xs: list[float], ys: list[float]) -> list[int]:
    # `for x, x in ...` binds x twice: the second list's element wins.
    counts = [0] * 4
    for x, x in zip(xs, ys):
        if 0.0 <= x < 4.0:
            counts[int(x)] += 1
    return counts


def bool_filtered(xs: list[float], flags: list[bool]) -> list[int]:
    counts = [0] * 5
    for x, keep in zip(xs, flags):
        if keep and x >= 0.0:
            counts[int(x / 0.25)] += 1
    return counts


def nan_divisor(xs: list[float], d: float) -> list[int]:
    # A NaN divisor gives NaN quotients: int() raises ValueError at the first kept position.
    counts = [0] * 3
    for x in xs:
        if x > 0.0:
            counts[int(x / d)] += 1
    return counts

