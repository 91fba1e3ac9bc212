import math

def f(x: float, y: float) -> float:
    return x + y

def g(x: float) -> float:
    return f(x) + f(x, x, x) + math.sqrt(x, 2) + len() + abs(x, x)  # error[E0305] 12: `f` takes 2 arguments but 1 was given  # error[E0305] 19: `f` takes 2 arguments but 3 were given  # error[E0305] 32: `math.sqrt` takes 1 argument but 2 were given  # error[E0305] 50: `len` takes 1 argument but 0 were given  # error[E0305] 58: `abs` takes 1 argument but 2 were given
