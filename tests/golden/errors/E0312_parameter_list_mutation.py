def f(xs: list[float]) -> float:
    xs[0] = 1.0  # error[E0312] 5: cannot modify list `xs`: it is (or may be) a parameter
    xs.append(2.0)  # error[E0312] 5: cannot modify list `xs`: it is (or may be) a parameter
    alias = xs
    alias[1] += 3.0  # error[E0312] 5: cannot modify list `alias`: it is (or may be) a parameter
    return xs[0]
