# Differential corpus: realistic gateway kernels over sensor readings -- statistics, filters,
# thresholds and batch rules, written the way a kernel author would.
import math

ALPHA = 0.2
BINS = 8
OVERHEAT = 85.0


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def variance(xs: list[float]) -> float:
    m = sum(xs) / len(xs)
    return sum((x - m) * (x - m) for x in xs) / len(xs)


def rms(xs: list[float]) -> float:
    return math.sqrt(sum(x * x for x in xs) / len(xs))


def ewma(xs: list[float]) -> float:
    # Sequential by nature: every step depends on the previous one.
    s = xs[0]
    for i in range(1, len(xs)):
        s = ALPHA * xs[i] + (1.0 - ALPHA) * s
    return s


def zero_crossings(xs: list[float]) -> int:
    n = 0
    for i in range(1, len(xs)):
        if (xs[i - 1] < 0.0) != (xs[i] < 0.0):
            n += 1
    return n


def histogram(xs: list[float], lo: float, hi: float) -> list[int]:
    counts = [0] * BINS
    width = (hi - lo) / BINS
    for x in xs:
        if lo <= x < hi:
            k = int((x - lo) / width)
            if k >= BINS:
                k = BINS - 1
            counts[k] += 1
    return counts


def clamp(xs: list[float], lo: float, hi: float) -> list[float]:
    return [lo if x < lo else hi if x > hi else x for x in xs]


def dot(xs: list[float], ys: list[float]) -> float:
    acc = 0.0
    for i in range(min(len(xs), len(ys))):
        acc += xs[i] * ys[i]
    return acc


def sum_gt(xs: list[float], t: float) -> float:
    return sum(x for x in xs if x > t)


def moving_average(xs: list[float], w: int) -> list[float]:
    k = w % 6 + 1
    out = [0.0] * 0
    for i in range(len(xs) - k + 1):
        s = 0.0
        for j in range(i, i + k):
            s += xs[j]
        out.append(s / k)
    return out


def overheat_rule(temp: float, humidity: float) -> bool:
    # A scalar rule: the compiler also emits a batch variant of it.
    return temp > OVERHEAT or (temp > 60.0 and humidity < 0.1)


def dew_point(temp: float, humidity: float) -> float:
    a = 17.27
    b = 237.7
    gamma = a * temp / (b + temp) + math.log(humidity)
    return b * gamma / (a - gamma)


def scale_offset(xs: list[float], k: float, d: float) -> list[float]:
    return [x * k + d for x in xs]


def peak_to_peak(xs: list[float]) -> float:
    return max(xs) - min(xs)


def count_in_band(xs: list[float], lo: float, hi: float) -> int:
    return sum(1 for x in xs if lo <= x <= hi)


def first_exceedance(xs: list[float], t: float) -> int:
    for i, x in enumerate(xs):
        if x > t:
            return i
    return -1


def despike(xs: list[float], limit: float) -> list[float]:
    out = [0.0] * len(xs)
    prev = 0.0
    for i, x in enumerate(xs):
        if abs(x - prev) > limit:
            out[i] = prev
        else:
            out[i] = x
            prev = x
    return out


def energy_ratio(xs: list[float], ys: list[float]) -> float:
    ex = sum(x * x for x in xs)
    ey = sum(y * y for y in ys)
    return ex / ey


def quantize(xs: list[float], step: float) -> list[int]:
    return [round(x / step) for x in xs]


def counter_delta(counts: list[int]) -> int:
    # Total increase of a wrapping counter: a drop means the counter restarted.
    total = 0
    for i in range(1, len(counts)):
        d = counts[i] - counts[i - 1]
        total += d if d >= 0 else counts[i]
    return total


def all_sensors_ok(flags: list[bool], readings: list[float]) -> bool:
    return all(flags) and not any(math.isnan(r) for r in readings)
