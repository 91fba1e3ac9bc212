LIMIT = 10

def f(xs: list[float]) -> float:
    LIMIT[0] = 2  # error[E0328] 5: cannot assign to `LIMIT`
    return sum(v for v in xs)
