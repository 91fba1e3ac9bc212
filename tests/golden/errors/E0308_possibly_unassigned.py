def f(xs: list[float]) -> float:
    for x in xs:
        last = x
    return last  # error[E0308] 12: `last` may be used before it is assigned

def g(x: float) -> float:
    if x > 0:
        y = 1.0
    return y + x  # error[E0308] 12: `y` may be used before it is assigned

def h(x: float) -> float:
    z = z + x  # error[E0308] 9: `z` may be used before it is assigned
    return z
