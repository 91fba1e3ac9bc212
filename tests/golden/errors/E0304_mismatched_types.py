def f(x: float) -> int:
    return x  # error[E0304] 12: mismatched types: expected `int`, found `float`

def g(xs: list[float], i: float) -> float:
    return xs[i]  # error[E0304] 15: mismatched types: expected `int`, found `float`

def h(x: int) -> int:
    return f(x) + g([1.0], 1) + h(x > 1) + k(1.5)  # error[E0304] 46: mismatched types: expected `int`, found `float`

def k(n: int) -> float:
    return 1.0 if n > 0 else [1.0]  # error[E0304] 30: mismatched types: expected `float`, found `list[float]`

def m(x: float) -> tuple[int, int]:
    return x  # error[E0304] 12: mismatched types: expected `tuple[int, int]`, found `float`
