import math

NAME = "sensor"  # error[E0317] 8: module constant `NAME` must be a literal or a constant expression
TABLE = [1, 2, 3]  # error[E0317] 9: module constant `TABLE` must be a literal or a constant expression
SQRT2 = math.sqrt(2)  # error[E0317] 9: module constant `SQRT2` must be a literal or a constant expression

def f(x: float) -> float:
    return x
