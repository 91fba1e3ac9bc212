def f(xs: list[float], x: float) -> float:
    a = len(x)  # error[E0314] 13: `len` expects a list
    b = sum(x)  # error[E0314] 13: `sum` expects a list or a generator expression
    c = min(xs, 1.0)  # error[E0314] 13: `min` expects numbers when given several arguments
    d = round(x, 2)  # error[E0305] 9: `round` takes 1 argument but 2 were given
    e = float("12.5")  # error[E0314] 15: `float` expects a number, or one of the strings "nan", "inf", "-inf"
    e2 = float(" - inf")  # error[E0314] 16: `float` expects a number, or one of the strings "nan", "inf", "-inf"
    e3 = float("i nf")  # error[E0314] 16: `float` expects a number, or one of the strings "nan", "inf", "-inf"
    e4 = float(" -Infinity\n")
    g = abs(xs)  # error[E0314] 13: `abs` expects a number
    h = sorted(x)  # error[E0314] 16: `sorted` expects a list
    return a + b + c + d + e + e2 + e3 + e4 + g
