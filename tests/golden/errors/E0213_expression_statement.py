def f(x: float) -> float:
    x + 1  # error[E0213] 5: expression statements are not supported in kernels
    f(x)  # error[E0213] 5: expression statements are not supported in kernels
    return x
