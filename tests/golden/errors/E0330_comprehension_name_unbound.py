def f(n: int) -> list[int]:
    return [n for i in range(2) for n in range(n)]  # error[E0330] 48: `n` is read before the comprehension binds it

def g(xs: list[int]) -> list[int]:
    return [x for x in xs if y > 0 for y in xs]  # error[E0330] 30: `y` is read before the comprehension binds it

def ok(n: int) -> list[int]:
    return [n for n in range(n)]
