"""Signal kernels: element-wise transforms that return lists, and pairwise reductions."""


def clamp(xs: list[float], lo: float, hi: float) -> list[float]:
    return [min(max(x, lo), hi) for x in xs]


def dot(xs: list[float], ys: list[float]) -> float:
    return sum(x * y for x, y in zip(xs, ys))


def moving_average(xs: list[float], k: int) -> list[float]:
    """Trailing mean over k samples; the first k-1 outputs average what is there."""
    out = []
    acc = 0.0
    for i, x in enumerate(xs):
        acc += x
        if i >= k:
            acc -= xs[i - k]
        out.append(acc / min(i + 1, k))
    return out


def above(xs: list[float], t: float) -> list[bool]:
    return [x > t for x in xs]


def first_above(xs: list[float], t: float) -> int:
    """Index of the first sample above t, or -1."""
    for i, x in enumerate(xs):
        if x > t:
            return i
    return -1
