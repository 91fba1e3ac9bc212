class Sensor:  # error[E0204] 1: `class` is not supported in kernels
    pass

def f(x: float) -> float:
    try:  # error[E0204] 5: `try` is not supported in kernels
        y = 1.0 / x
    except ZeroDivisionError:
        y = 0.0
    with open("f") as handle:  # error[E0204] 5: `with` is not supported in kernels
        pass
    global G  # error[E0204] 5: `global` is not supported in kernels
    assert x > 0  # error[E0204] 5: `assert` is not supported in kernels
    raise ValueError  # error[E0204] 5: `raise` is not supported in kernels
    return y

def g(x: float) -> float:
    def inner(y: float) -> float:  # error[E0204] 5: `def` is not supported in kernels
        return y
    import math  # error[E0204] 5: `import` is not supported in kernels
    return x
