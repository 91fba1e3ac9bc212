def f(xs: list[float], n: int) -> float:
    y = 1.0
    y = xs  # error[E0309] 5: `y` cannot hold both `float` and `list[float]`
    n = 2.5  # error[E0309] 5: `n` cannot hold both `int` and `float`
    return y
