def f(x: float) -> float:
    y = x $ 2  # error[E0103] 11: unexpected character `$`
    return y ? 1  # error[E0103] 14: unexpected character `?`
