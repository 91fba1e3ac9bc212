def f(x: float, y: float) -> float:
    return x + y

def g(xs: list[float]) -> float:
    return f(1.0, y=2.0) + max(xs, default=0.0) + sorted(xs, reverse=True)[0]  # error[E0322] 19: keyword argument `y` is not supported here  # error[E0322] 36: keyword argument `default` is not supported here  # error[E0322] 62: keyword argument `reverse` is not supported here
