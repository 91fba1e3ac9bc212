# Kernels whose hot loops must vectorize: codegen tests read their assembly for NEON (v
# registers) on aarch64 and ymm registers on x86-64-v3. Plain dialect Python; CPython runs it.

LIMIT = 85.0


def float_sum(xs: list[float]) -> float:
    return sum(xs)


def sum_gt(xs: list[float], t: float) -> float:
    return sum(x for x in xs if x > t)


def clamp(xs: list[float], lo: float, hi: float) -> list[float]:
    return [lo if x < lo else hi if x > hi else x for x in xs]


def scale(xs: list[float], k: float) -> list[float]:
    return [x * k for x in xs]


def dot(xs: list[float], ys: list[float]) -> float:
    acc = 0.0
    for i in range(min(len(xs), len(ys))):
        acc += xs[i] * ys[i]
    return acc


def overheat(temp: float, humidity: float) -> bool:
    # A scalar rule: its batch variant pyvc_vectorizable_batch_overheat runs it over arrays.
    return temp > LIMIT or (temp > 60.0 and humidity < 0.1)


def calibrate(raw: float, gain: float, offset: float) -> float:
    return raw * gain + offset


def zero_crossings(xs: list[float]) -> int:
    # The counter and i - 1 are proven not to overflow (ir/passes/ProveNoOverflow), so the branch
    # becomes a vector compare and an integer vector add of the mask.
    count = 0
    for i in range(1, len(xs)):
        if (xs[i - 1] < 0.0) != (xs[i] < 0.0):
            count += 1
    return count


def histogram(xs: list[float], lo: float, hi: float, bins: int) -> list[int]:
    # At -O3 the filter and the index are speculative vector code per block of 16 (a vector
    # division); the updates stay scalar (backends/ScatterUpdateLoop.cpp).
    counts = [0] * bins
    width = (hi - lo) / bins
    for x in xs:
        if lo <= x < hi:
            counts[int((x - lo) / width)] += 1
    return counts


def band_sum(xs: list[float], lo: float, hi: float) -> float:
    # A chained comparison as a filter: both compares as vector code.
    return sum(x for x in xs if lo <= x < hi)
