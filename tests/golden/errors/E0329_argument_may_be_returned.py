def f(xs: list[int]) -> list[int]:
    zs = [1, 2, 3]
    ws = _identity(zs)  # error[E0329] 20: `_identity` may return its list argument `zs`; pyvc would return a copy
    ws[0] = 99
    vs = _identity(xs if len(xs) > 0 else [0])  # error[E0329] 20: `_identity` may return its list argument `xs if len(xs) > 0 else [0]`; pyvc would return a copy
    vs.append(1)
    return _identity(zs[:])


def _identity(ys: list[int]) -> list[int]:
    return ys
