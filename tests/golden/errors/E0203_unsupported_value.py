def f(x: int) -> int:
    table = {1: 2, 3: 4}  # error[E0203] 13: `dict` is not supported in kernels
    seen = {x}  # error[E0203] 12: `set` is not supported in kernels
    nothing = None  # error[E0203] 15: `None` is not supported in kernels
    return x
