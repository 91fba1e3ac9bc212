def f(n: int) -> int:
    xs = []  # error[E0316] 5: cannot infer the element type of this empty list
    return n + len([])  # error[E0316] 20: cannot infer the element type of this empty list
