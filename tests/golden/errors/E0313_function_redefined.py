def f(x: float) -> float:
    return x

def f(x: float) -> float:  # error[E0313] 1: `f` is defined more than once
    return 2 * x

def g(a: float, a: float) -> float:  # error[E0313] 17: `a` is defined more than once
    return a
