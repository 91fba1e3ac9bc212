# Differential corpus: if/elif/else, while, for over range (1, 2 and 3 arguments, negative
# steps), over a list, enumerate and zip; break, continue, pass; early return from loops.


def range_sum(n: int) -> int:
    total = 0
    for i in range(n % 200):
        total += i * i
    return total


def range_start_stop(a: int, b: int) -> int:
    count = 0
    for i in range(a % 50, b % 50):
        count += i
    return count


def range_step_negative(n: int) -> int:
    # range(start, stop, step) with a negative step counts down.
    out = 0
    for i in range(n % 40, -5, -3):
        out = out * 3 + i
    return out


def range_step_arbitrary(a: int, b: int, s: int) -> int:
    step = s % 7 - 3
    if step == 0:
        step = 1
    count = 0
    for i in range(a % 30 - 15, b % 30 - 15, step):
        count += 1 + i % 4
    return count


def for_over_list(xs: list[float]) -> float:
    best = 0.0
    for x in xs:
        if x > best:
            best = x
    return best


def for_enumerate(xs: list[float]) -> int:
    # Index of the last element above 1.0, or -1.
    last = -1
    for i, x in enumerate(xs):
        if x > 1.0:
            last = i
    return last


def for_zip(xs: list[float], ys: list[float]) -> int:
    agree = 0
    for x, y in zip(xs, ys):
        if (x > 0.0) == (y > 0.0):
            agree += 1
    return agree


def while_collatz(n: int) -> int:
    m = n % 1000 + 1
    steps = 0
    while m != 1:
        if m % 2 == 0:
            m = m // 2
        else:
            m = 3 * m + 1
        steps += 1
    return steps


def while_break(xs: list[int], target: int) -> int:
    i = 0
    while i < len(xs):
        if xs[i] == target:
            break
        i += 1
    return i


def for_continue(xs: list[int]) -> int:
    total = 0
    for x in xs:
        if x % 3 == 0:
            continue
        total += x % 1000
    return total


def for_break_else_free(xs: list[float], limit: float) -> int:
    # Counts elements until the running total passes the limit.
    running = 0.0
    count = 0
    for x in xs:
        running += x
        if running > limit:
            break
        count += 1
    return count


def pass_statement(a: int) -> int:
    if a > 0:
        pass
    else:
        a = -(a % 1000)
    return a % 97


def nested_loops(n: int) -> int:
    m = n % 25
    total = 0
    for i in range(m):
        for j in range(i):
            if (i + j) % 5 == 0:
                continue
            if j > 15:
                break
            total += i * j
    return total


def early_return(xs: list[int]) -> int:
    for i, x in enumerate(xs):
        if x < 0:
            return i
    return -1


def elif_chain(a: int) -> int:
    r = a % 10
    if r == 0:
        return 100
    elif r == 1:
        return 101
    elif r < 5:
        return 104
    elif r <= 7:
        return 107
    else:
        return 109


def gcd_while(a: int, b: int) -> int:
    x = abs(a % 1000000007)
    y = abs(b % 1000000007)
    while y != 0:
        x, y = y, x % y
    return x


def while_float_halving(x: float) -> int:
    # Counts halvings until |x| < 1; NaN and inf stop through the guard.
    v = abs(x)
    steps = 0
    while v >= 1.0 and steps < 2000:
        v = v / 2.0
        steps += 1
    return steps


def find_index_for_else(xs: list[float], t: float) -> int:
    for i, x in enumerate(xs):
        if x > t:
            found = i
            break
    else:
        found = -1
    return found


def first_divisor_while_else(n: int) -> int:
    d = 2
    m = n % 10000
    while d * d <= m:
        if m % d == 0:
            break
        d += 1
    else:
        d = 0
    return d


def nested_loop_else(xs: list[int], ys: list[int]) -> int:
    hits = 0
    for x in xs:
        for y in ys:
            if x == y:
                break
        else:
            hits += 1
            continue
        hits += 100
    return hits


def else_raises_after_loop(xs: list[int], k: int) -> int:
    total = 0
    for x in xs:
        if x < 0:
            break
        total += x
    else:
        total += 10 // k
    return total


def checked_mean(xs: list[float]) -> float:
    assert len(xs) > 0, "mean of no readings"
    total = 0.0
    for x in xs:
        assert x == x, "NaN reading"
        total += x
    return total / len(xs)


def assert_without_message(n: int) -> int:
    assert n % 7 != 3
    return n % 7


def raise_on_limit(x: float, limit: float) -> float:
    if x > limit:
        raise ValueError("reading above the limit")
    if x < -limit:
        raise OverflowError
    return x


def raise_in_loop(xs: list[int]) -> int:
    for i, x in enumerate(xs):
        if x < 0:
            raise IndexError("negative value")
        if x == 0:
            return i
    raise ZeroDivisionError("no zero found")
