def f(xs: list[float], x: float) -> float:
    ys = [0.0] * 3
    ys[0:1] = 2.0  # error[E0207] 5: cannot assign to a slice
    f(xs, x) = 1.0  # error[E0207] 5: cannot assign to a function call
    (a, b), c = (1, 2), 3  # error[E0207] 5: cannot assign to a nested tuple  # error[E0318] 17: tuple values can only be returned or unpacked
    return x
