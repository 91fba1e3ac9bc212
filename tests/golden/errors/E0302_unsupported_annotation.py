def f(x: str, ys: list[str], d: dict[int, int]) -> float:  # error[E0302] 10: type annotation `str` is not supported in kernels  # error[E0302] 19: type annotation `list[str]` is not supported in kernels  # error[E0302] 33: type annotation `dict[int, int]` is not supported in kernels
    return 1.0

def g(x: float) -> list[list[float]]:  # error[E0302] 20: type annotation `list[list[float]]` is not supported in kernels
    return []

def h(x: float) -> None:  # error[E0302] 20: type annotation `None` is not supported in kernels
    return x
