def f(xs: list[float]) -> float:
    print(xs)  # error[E0321] 5: `print` is not supported in kernels
    return float(len(list(xs))) + divmod(2.0, 3.0)  # error[E0321] 35: `divmod` is not supported in kernels
