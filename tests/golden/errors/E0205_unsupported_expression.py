@staticmethod  # error[E0205] 1: a decorator is not supported in kernels
def f(x: int, y: int) -> int:
    a = x | y
    b = x in [1, 2]  # error[E0205] 9: the `in` operator is not supported in kernels
    c = x is y  # error[E0205] 9: the `is` operator is not supported in kernels
    d = (z := 3)  # error[E0205] 10: an assignment expression (`:=`) is not supported in kernels
    e = lambda v: v  # error[E0205] 9: a lambda expression is not supported in kernels
    g = f"{x}"  # error[E0205] 9: an f-string is not supported in kernels
    h = [x, y][0:2:1]  # error[E0205] 20: a slice step is not supported in kernels
    return ~x
