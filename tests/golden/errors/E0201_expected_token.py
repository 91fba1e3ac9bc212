def f(x: float) -> float  # error[E0201] 25: expected `:`, found end of line
    return x

def g(x: float) -> float:
    return (x +)  # error[E0201] 16: expected an expression, found `)`

def h(x: float) -> float:
    return x
