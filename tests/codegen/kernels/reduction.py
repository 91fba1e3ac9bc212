# Float reductions for the cross-target bit-identity test: a sum() and an accumulation loop, both
# in the fixed 16-lane order by default and in CPython's sequential order with --strict-fp.


def total(xs: list[float]) -> float:
    return sum(xs)


def total_loop(xs: list[float]) -> float:
    acc = 0.0
    for x in xs:
        acc += x
    return acc


def total_positive(xs: list[float]) -> float:
    return sum(x for x in xs if x > 0.0)
