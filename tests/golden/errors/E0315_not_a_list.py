def f(x: float, n: int) -> float:
    y = x[0]  # error[E0315] 9: expected a list, found `float`
    for v in n:  # error[E0315] 14: expected a list, found `int`
        pass
    return x[1:]  # error[E0315] 12: expected a list, found `float`
