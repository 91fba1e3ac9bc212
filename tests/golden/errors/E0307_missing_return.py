def f(x: float) -> float:  # error[E0307] 1: function `f` may reach its end without returning
    if x > 0:
        return x

def g(xs: list[float]) -> float:  # error[E0307] 1: function `g` may reach its end without returning
    for x in xs:
        return x
