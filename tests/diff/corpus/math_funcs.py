# Differential corpus: the math module -- sqrt exp log log2 log10 sin cos tan atan2 fabs floor
# ceil pow hypot isnan isinf isfinite and the constants pi e inf nan, through both `import math`
# and `from math import ...`; domain errors are ValueError, range errors OverflowError.
import math
from math import sqrt, pi, inf, nan, floor


def m_sqrt(x: float) -> float:
    return math.sqrt(x)


def m_exp(x: float) -> float:
    return math.exp(x)


def m_log(x: float) -> float:
    return math.log(x)


def m_log2(x: float) -> float:
    return math.log2(x)


def m_log10(x: float) -> float:
    return math.log10(x)


def m_trig(x: float) -> float:
    return math.sin(x) + math.cos(x) * 0.5


def m_tan(x: float) -> float:
    return math.tan(x)


def m_atan2(y: float, x: float) -> float:
    return math.atan2(y, x)


def m_fabs(x: float) -> float:
    return math.fabs(x)


def m_floor(x: float) -> int:
    return math.floor(x)


def m_ceil(x: float) -> int:
    return math.ceil(x)


def m_pow(x: float, y: float) -> float:
    return math.pow(x, y)


def m_hypot(x: float, y: float) -> float:
    return math.hypot(x, y)


def m_classify(x: float) -> int:
    r = 0
    if math.isnan(x):
        r += 1
    if math.isinf(x):
        r += 2
    if math.isfinite(x):
        r += 4
    return r


def m_constants(k: int) -> float:
    return math.pi * (k % 7) + math.e - pi / 2.0


def m_inf_nan(x: float) -> tuple[bool, bool, float]:
    return x < inf, x == nan, min(x, math.inf)


def from_import_sqrt(x: float, y: float) -> float:
    return sqrt(x * x + y * y)


def from_import_floor(x: float) -> int:
    return floor(x / 3.0)


def nan_constant_use(x: float) -> float:
    return nan if x < 0.0 else x + math.e


def deg_to_unit_vector(deg: float) -> tuple[float, float]:
    rad = deg * math.pi / 180.0
    return math.cos(rad), math.sin(rad)
