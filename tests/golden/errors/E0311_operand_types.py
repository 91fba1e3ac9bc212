def f(xs: list[float], ys: list[float]) -> float:
    zs = xs + ys  # error[E0311] 10: unsupported operand type(s) for `+`: `list[float]` and `list[float]`
    w = xs - 1.0  # error[E0311] 9: unsupported operand type(s) for `-`: `list[float]` and `float`
    v = xs < ys  # error[E0311] 9: unsupported operand type(s) for `<`: `list[float]` and `list[float]`
    u = xs and ys  # error[E0311] 9: unsupported operand type(s) for `and`: `list[float]`
    xs += ys  # error[E0311] 5: unsupported operand type(s) for `+=`: `list[float]`
    return -xs  # error[E0311] 12: unsupported operand type(s) for `unary -`: `list[float]`
