import math

TOTAL = 0
for i in range(3):  # error[E0210] 1: a `for` loop at module level is not supported in kernels
    TOTAL += i
print(TOTAL)  # error[E0210] 1: an expression statement at module level is not supported in kernels

def f(x: float) -> float:
    return x
