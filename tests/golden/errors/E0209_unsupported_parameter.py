def f(x: float, y: float = 1.0) -> float:  # error[E0209] 28: a default parameter value is not supported in kernels
    return x + y

def g(*args: float) -> float:  # error[E0209] 7: an `*args` parameter is not supported in kernels
    return 0.0

def h(x: float, **options: float) -> float:  # error[E0209] 17: a `**kwargs` parameter is not supported in kernels
    return x
