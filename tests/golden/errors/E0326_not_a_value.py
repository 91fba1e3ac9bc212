import math

def g(x: float) -> float:
    return x

def f(x: float) -> float:
    h = g  # error[E0326] 9: `g` is not a value
    s = math.sqrt  # error[E0326] 9: `math.sqrt` is not a value
    m = math  # error[E0326] 9: `math` is not a value
    l = len  # error[E0326] 9: `len` is not a value
    return x
