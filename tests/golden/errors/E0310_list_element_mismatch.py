def f(xs: list[int]) -> list[float]:
    return xs  # error[E0310] 12: list element type mismatch: expected `float`, found `int`

def g(xs: list[float]) -> float:
    ys: list[int] = [0] * 3
    ys[0] = 1.5  # error[E0304] 5: mismatched types: expected `int`, found `float`
    return h(xs)  # error[E0310] 14: list element type mismatch: expected `int`, found `float`

def h(xs: list[int]) -> float:
    return 0.0
