def pair(x: float) -> tuple[float, float]:
    return x, x

def f(x: float) -> float:
    t = pair(x)
    return pair(x) + t[5] + (1, 2)  # error[E0318] 22: tuple values can only be returned or unpacked  # error[E0318] 29: tuple values can only be returned or unpacked
