def f(x: float) -> float:
    return max(x,  # error[E0109] 15: `(` was never closed
               1.0
