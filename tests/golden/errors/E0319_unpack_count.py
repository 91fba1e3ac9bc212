def f(x: float) -> float:
    a, b = 1, 2, 3  # error[E0319] 12: cannot unpack 3 values into 2 targets
    c, d = x  # error[E0319] 12: cannot unpack 1 value into 2 targets
    for i, v in range(3):  # error[E0319] 9: cannot unpack 1 value into 2 targets
        pass
    return a
