def f(x: float) -> float:
    return x)  # error[E0108] 13: unmatched `)`
