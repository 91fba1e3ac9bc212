def f(xs: list[float]) -> float:
    print(xs)  # error[E0321] 5: `print` is not supported in kernels
    return float(len(list(xs))) + pow(2.0, 3.0)  # error[E0321] 22: `list` is not supported in kernels  # error[E0321] 35: `pow` is not supported in kernels
