def f(xs: list[float]) -> float:
    for x in xs:
        if x > 0:
            break
    else:  # error[E0208] 5: `else` after `for` is not supported in kernels
        return 0.0
    while False:
        pass
    else:  # error[E0208] 5: `else` after `while` is not supported in kernels
        pass
    return 1.0
