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
    assert x > 0, "asserts compile"
    if x > 1.0:
        raise  # error[E0204] 9: `raise` is not supported in kernels
    if x > 2.0:
        raise TypeError("no")  # error[E0205] 15: raising this exception is not supported in kernels
    if x > 3.0:
        raise ValueError(f"{x}")  # error[E0205] 26: a computed exception message is not supported in kernels
    return y

def g(x: float) -> float:
    def inner(y: float) -> float:  # error[E0204] 5: `def` is not supported in kernels
        return y
    import math  # error[E0204] 5: `import` is not supported in kernels
    return x
