# Differential corpus: the list features at the edge of the dialect, kept in their own file so
# that a frontend gap here does not hide the rest -- empty list literals grown with .append,
# iterating a slice, slices with negative bounds, lists passed between functions.


def empty_then_append(xs: list[float]) -> list[float]:
    out = []
    for x in xs:
        if x == x:
            out.append(x)
    return out


def negative_slice(xs: list[int]) -> list[int]:
    return xs[-3:-1]


def slice_loop_mean(xs: list[float], a: int, b: int) -> float:
    part = xs[a:b]
    total = 0.0
    for x in part:
        total += x
    return total / len(part)


def helper_total(xs: list[int]) -> int:
    total = 0
    for x in xs:
        total += x
    return total


def pass_slice_to_helper(xs: list[int]) -> int:
    return helper_total(xs[1:]) - helper_total(xs[:1])


def build_and_reduce(n: int) -> int:
    out = []
    for i in range(n % 50):
        out.append(i * 3 % 7)
    return helper_total(out)


def append_from_literal(a: int, b: int) -> list[int]:
    out = [a]
    out.append(b)
    out.append(a - b)
    return out


def list_of_range(n: int) -> list[int]:
    return list(range(n % 50, -3, -2))


def list_copy_then_store(xs: list[float]) -> list[float]:
    ys = list(xs)
    if len(ys) > 0:
        ys[-1] = 0.5
    return ys


def list_of_generator(xs: list[int], k: int) -> list[int]:
    return list(10 // k + x for x in xs if x > 0)


def list_empty_then_append(n: int) -> list[float]:
    out = list()
    for i in range(n % 20):
        out.append(i / 3)
    return out


def copy_method_then_append(xs: list[int], v: int) -> list[int]:
    ys = xs.copy()
    ys.append(v)
    ys[0] = ys[-1] * 2
    return ys
