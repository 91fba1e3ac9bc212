ZERO = 0
BAD = 1 / ZERO  # error[E0325] 7: constant `BAD` cannot be computed: division by zero
HUGE = 2 ** 64  # error[E0325] 8: constant `HUGE` cannot be computed: the result does not fit in 64 bits
FLOOR = 7 // 0  # error[E0325] 9: constant `FLOOR` cannot be computed: integer division or modulo by zero

def f(x: float) -> float:
    return x
