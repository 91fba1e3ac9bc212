"""Signal kernels over a window: a list result and a sequential filter."""


def smooth(xs: list[float], alpha: float) -> list[float]:
    """Exponential smoothing: each output mixes the new sample with the previous output."""
    out = []
    acc = xs[0]
    for x in xs:
        acc = alpha * x + (1.0 - alpha) * acc
        out.append(acc)
    return out


def zero_crossings(xs: list[float]) -> int:
    n = 0
    for i in range(1, len(xs)):
        if (xs[i - 1] < 0.0) != (xs[i] < 0.0):
            n += 1
    return n
