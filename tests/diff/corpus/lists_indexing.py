# Differential corpus: list indexing (negative indices, IndexError), slices xs[a:b], list
# literals, [v] * n, .append on a local list, list results and len.


def first(xs: list[float]) -> float:
    return xs[0]


def last(xs: list[float]) -> float:
    return xs[-1]


def at_index(xs: list[int], i: int) -> int:
    # Any int: negative counts from the end, out of range raises IndexError.
    return xs[i]


def second_to_last(xs: list[bool]) -> bool:
    return xs[-2]


def slice_sum(xs: list[int], a: int, b: int) -> int:
    total = 0
    part = xs[a:b]
    for v in part:
        total += v % 1000
    return total


def slice_len(xs: list[float], a: int, b: int) -> int:
    return len(xs[a:b])


def slice_copy(xs: list[float], a: int, b: int) -> list[float]:
    return xs[a:b]


def slice_open_ends(xs: list[int]) -> tuple[int, int]:
    head = xs[:3]
    tail = xs[2:]
    return len(head), len(tail)


def literal_list(a: float, b: float) -> list[float]:
    return [a, b, a + b, a * b]


def literal_index(i: int) -> int:
    table = [2, 3, 5, 7, 11, 13]
    return table[i]


def repeat_list(v: float, n: int) -> list[float]:
    return [v] * (n % 20)


def repeat_then_fill(n: int) -> list[int]:
    out = [0] * (n % 30)
    for i in range(len(out)):
        out[i] = i * i - 3 * i
    return out


def append_squares(xs: list[float]) -> list[float]:
    out = [0.0] * 0
    for x in xs:
        out.append(x * x)
    return out


def append_filtered(xs: list[int], t: int) -> list[int]:
    out = [t] * 0
    for x in xs:
        if x > t:
            out.append(x)
    return out


def reverse_copy(xs: list[float]) -> list[float]:
    n = len(xs)
    out = [0.0] * n
    for i in range(n):
        out[i] = xs[n - 1 - i]
    return out


def local_list_update(xs: list[int]) -> int:
    counts = [0] * 4
    for x in xs:
        counts[x % 4] += 1
    return counts[0] * 1000 + counts[-1]


def list_of_bools(xs: list[float]) -> list[bool]:
    out = [False] * len(xs)
    for i in range(len(xs)):
        out[i] = xs[i] > 0.0
    return out


def count_true(flags: list[bool]) -> int:
    n = 0
    for f in flags:
        if f:
            n += 1
    return n


def swap_ends(xs: list[int]) -> list[int]:
    out = xs[0:len(xs)]
    out[0], out[-1] = out[-1], out[0]
    return out


def pairwise_diff(xs: list[float]) -> list[float]:
    return [xs[i + 1] - xs[i] for i in range(len(xs) - 1)]
