def f(x: float) -> float:
    return x + y + undefined_function(x)  # error[E0301] 16: cannot find `y` in this scope  # error[E0301] 20: cannot find `undefined_function` in this scope
