def f(xs: list[float]) -> int:
    r = range(10)  # error[E0323] 9: `range` can only be iterated by `for` or a comprehension
    e = enumerate(xs)  # error[E0323] 9: `enumerate` can only be iterated by `for` or a comprehension
    return len(zip(xs, xs))  # error[E0323] 16: `zip` can only be iterated by `for` or a comprehension
