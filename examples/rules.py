"""Per-reading rules a gateway evaluates on every sensor value (scalar functions: each also gets
a vectorized batch variant for evaluating a rule over a whole batch of readings)."""
import math

OVERHEAT_C = 35.0
FREEZE_C = 0.0


def overheat(v: float) -> bool:
    """True when a temperature reading is above the alarm threshold."""
    return v > OVERHEAT_C


def in_band(v: float, lo: float, hi: float) -> bool:
    """True when lo <= v < hi."""
    return lo <= v < hi


def fahrenheit_to_celsius(f: float) -> float:
    return (f - 32.0) * 5.0 / 9.0


def dew_point(temp_c: float, humidity_pct: float) -> float:
    """Magnus formula; raises ValueError (math domain error) for humidity <= 0."""
    a = 17.27
    b = 237.7
    gamma = a * temp_c / (b + temp_c) + math.log(humidity_pct / 100.0)
    return b * gamma / (a - gamma)


def severity(v: float) -> int:
    """0 normal, 1 warm, 2 hot, 3 critical."""
    if v < 30.0:
        return 0
    elif v < OVERHEAT_C:
        return 1
    elif v < 45.0:
        return 2
    return 3


def bucket(ms: int, width_ms: int) -> int:
    """The window a timestamp falls in; ZeroDivisionError for a zero width."""
    return ms // width_ms
