"""Scalar rules a gateway evaluates per reading: no lists, only numbers and bools."""
import math

OVERHEAT_C = 85.0
HYSTERESIS = OVERHEAT_C / 20


def overheat(celsius: float, was_hot: bool) -> bool:
    limit = OVERHEAT_C - HYSTERESIS if was_hot else OVERHEAT_C
    return celsius >= limit


def band(value: float, lo: float, hi: float) -> int:
    if math.isnan(value):
        return -1
    elif value < lo:
        return 0
    elif lo <= value < hi:
        return 1
    return 2


def dew_point(temp_c: float, humidity: float) -> float:
    a, b = 17.27, 237.7
    gamma = a * temp_c / (b + temp_c) + math.log(humidity / 100.0)
    return b * gamma / (a - gamma)


def bucket(ms: int, width: int) -> tuple[int, int]:
    return ms // width, ms % width


def gcd(a: int, b: int) -> int:
    while b != 0:
        a, b = b, a % b
    return abs(a)
