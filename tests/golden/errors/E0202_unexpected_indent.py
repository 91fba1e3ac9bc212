def f(x: float) -> float:
    return x
        y = 2  # error[E0202] 1: unexpected indent
