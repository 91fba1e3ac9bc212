SCALE = 2.0

def f(x: float) -> float:
    y = 3.0
    return y(2) + SCALE(x) + x.real()  # error[E0324] 12: `y` is not a function  # error[E0324] 19: `SCALE` is not a function  # error[E0320] 30: method `.real` is not supported in kernels
