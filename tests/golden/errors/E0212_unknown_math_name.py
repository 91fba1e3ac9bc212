import math
from math import gamma  # error[E0212] 18: `math.gamma` is not supported in kernels

def f(x: float) -> float:
    return math.erf(x) + math.trunc(x)  # error[E0212] 12: `math.erf` is not supported in kernels  # error[E0212] 26: `math.trunc` is not supported in kernels
