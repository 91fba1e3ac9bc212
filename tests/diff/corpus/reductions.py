# Differential corpus: list comprehensions and generator expressions with if filters, alone and
# as the argument of sum/min/max/any/all; float sums here are reductions (lane order in the
# default mode, CPython's order with --strict-fp).


def sum_floats(xs: list[float]) -> float:
    return sum(xs)


def sum_ints(xs: list[int]) -> int:
    return sum(xs)


def sum_bools(flags: list[bool]) -> int:
    return sum(flags)


def sum_gt(xs: list[float], t: float) -> float:
    return sum(x for x in xs if x > t)


def count_gt(xs: list[float], t: float) -> int:
    return sum(1 for x in xs if x > t)


def sum_squares_comp(xs: list[float]) -> float:
    return sum([x * x for x in xs])


def min_gen(xs: list[float]) -> float:
    return min(x * 2.0 for x in xs)


def max_gen_filtered(xs: list[int]) -> int:
    # ValueError when the filter leaves nothing.
    return max(x for x in xs if x % 2 == 0)


def min_list(xs: list[float]) -> float:
    return min(xs)


def max_list_int(xs: list[int]) -> int:
    return max(xs)


def any_negative(xs: list[float]) -> bool:
    return any(x < 0.0 for x in xs)


def all_finite_positive(xs: list[float]) -> bool:
    return all(x > 0.0 for x in xs if x == x)


def any_list(flags: list[bool]) -> bool:
    return any(flags)


def all_list(flags: list[bool]) -> bool:
    return all(flags)


def comp_scale(xs: list[float], k: float) -> list[float]:
    return [x * k for x in xs]


def comp_filter(xs: list[int], t: int) -> list[int]:
    return [x - t for x in xs if x > t]


def comp_over_range(n: int) -> list[int]:
    return [i * i for i in range(n % 40) if i % 3 != 1]


def comp_bools(xs: list[float]) -> list[bool]:
    return [x >= 0.5 for x in xs]


def comp_enumerate(xs: list[float]) -> list[float]:
    return [x * i for i, x in enumerate(xs) if i % 2 == 0]


def comp_zip(xs: list[float], ys: list[float]) -> list[float]:
    return [x - y for x, y in zip(xs, ys)]


def dot_gen(xs: list[float], ys: list[float]) -> float:
    return sum(x * y for x, y in zip(xs, ys))


def accumulate_loop(xs: list[float]) -> float:
    acc = 0.0
    for x in xs:
        acc += x
    return acc


def accumulate_filtered_loop(xs: list[float], t: float) -> float:
    acc = 0.0
    for x in xs:
        if x > t:
            acc += x
    return acc


def sum_of_comp_result(xs: list[int]) -> int:
    evens = [x // 2 for x in xs if x % 2 == 0]
    return sum(evens) + len(evens)
