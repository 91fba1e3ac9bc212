def f(x, y: float):  # error[E0303] 1: the return type of `f` needs a type annotation  # error[E0303] 7: parameter `x` needs a type annotation
    return y
