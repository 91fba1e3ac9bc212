def f(x: float) -> float:
    if x > 0:
        break  # error[E0215] 9: `break` outside a loop
    continue  # error[E0215] 5: `continue` outside a loop
    return x
