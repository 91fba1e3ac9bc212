def f(xs: list[float]) -> float:
    ys = xs[:]
    ys.sort()  # error[E0320] 5: method `.sort` is not supported in kernels
    ys.extend(xs)  # error[E0320] 5: method `.extend` is not supported in kernels
    return ys.pop()  # error[E0320] 12: method `.pop` is not supported in kernels
