def f(x: float) -> float:
    return x * 2j  # error[E0110] 16: complex numbers are not supported in kernels
