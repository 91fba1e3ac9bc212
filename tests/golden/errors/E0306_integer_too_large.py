def f(x: int) -> int:
    return x + 9223372036854775808 + 123456789012345678901234567890  # error[E0306] 16: integer literal does not fit in 64 bits  # error[E0306] 38: integer literal does not fit in 64 bits

def g() -> int:
    return -9223372036854775808
