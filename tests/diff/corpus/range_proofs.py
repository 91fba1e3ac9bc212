# Differential corpus: the facts ProveNoOverflow uses to drop OverflowError checks (counters
# bounded by a list's length, index arithmetic bounded by range()) and, beside each, the shapes
# where the proof must fail because CPython's checked result really overflows 64 bits.


def sign_changes(xs: list[float]) -> int:
    # The zero_crossings benchmark: counter and i - 1 both proven.
    count = 0
    for i in range(1, len(xs)):
        if (xs[i - 1] < 0.0) != (xs[i] < 0.0):
            count += 1
    return count


def rising_pairs_forward(xs: list[int]) -> int:
    # i + 1 with i < len(xs) - 1 is proven; the subscript xs[i + 1] keeps its own check.
    total = 0
    for i in range(0, len(xs) - 1):
        if xs[i + 1] > xs[i]:
            total += 1
    return total


def counter_twice_per_step(xs: list[float]) -> int:
    # Up by 3 or down by 1 on each path of one iteration: still bounded by the length.
    count = 0
    for x in xs:
        if x > 0.0:
            count += 1
            count += 2
        else:
            count -= 1
    return count


def counter_from_parameter(xs: list[float], start: int) -> int:
    # The start is unbounded (inputs reach 2^63 - 1): the check must stay.
    count = start
    for x in xs:
        if x >= 0.0:
            count += 1
    return count


def counter_near_limit(xs: list[float]) -> int:
    # Overflows at the second non-NaN element.
    count = 9223372036854775806
    for x in xs:
        if x == x:
            count += 1
    return count


def counter_huge_steps(xs: list[float]) -> int:
    # 2^62 per element overflows at the second element.
    count = 0
    for x in xs:
        count += 4611686018427387904
    return count


def counter_of_indices(xs: list[float]) -> int:
    # The increment i is itself up to len(xs): not a bounded constant, the check stays.
    count = 0
    for i, x in enumerate(xs):
        if x > 0.0:
            count += i
    return count


def counter_in_nested_loop(xs: list[float], n: int) -> int:
    # Initialised outside the outer loop: n * len(xs) increments, not proven (but small here).
    count = 0
    for j in range(n % 4):
        for x in xs:
            if x < 0.0:
                count += 1
    return count


def counter_in_while(xs: list[float], start: int) -> int:
    # A while loop has no trip bound: the counter from a parameter keeps its check.
    count = start
    i = 0
    while i < len(xs):
        if xs[i] > 0.0:
            count += 1
        i += 1
    return count


def counter_reset_per_row(xs: list[float], n: int) -> int:
    # The inner loop's counter is re-initialised right before it: proven on every outer step.
    best = 0
    for j in range(n % 3):
        count = j
        for x in xs:
            if x > 0.0:
                count += 1
        best = max(best, count)
    return best


def index_plus_huge(xs: list[float]) -> int:
    # i + (2^63 - 2) overflows once i reaches 2.
    last = 0
    for i in range(len(xs)):
        last = i + 9223372036854775806
    return last


def enumerate_from_parameter(xs: list[float], start: int) -> int:
    # enumerate's index starts at an unbounded value: i + 1 keeps its check.
    last = 0
    for i, x in enumerate(xs, start):
        last = i + 1
    return last


def index_times_constant(xs: list[int]) -> int:
    # 3 * i - 1 over range(1, len(xs)) is proven; so is the counter.
    total = 0
    for i in range(1, len(xs)):
        if xs[i] > 0:
            total += 1
        total = total + 3 * i - 1 - 3 * i + 1
    return total


def offsets_comprehension(xs: list[float]) -> list[float]:
    return [xs[i] - xs[i - 1] for i in range(1, len(xs))]


def bucket_counts(xs: list[float], bins: int) -> list[int]:
    # The histogram benchmark's shape: element counters of a fresh list are proven.
    n = bins % 8 + 1
    counts = [0] * n
    for x in xs:
        if 0.0 <= x < 1.0:
            counts[int(x * n)] += 1
    return counts


def bucket_counts_aliased(xs: list[int]) -> list[int]:
    # An alias writes 2^63 - 1 into the list before the loop: the increment must stay checked.
    counts = [0, 0, 0]
    other = counts
    other[0] = 9223372036854775807
    for x in xs:
        counts[x % 3] += 1
    return counts


def bucket_counts_near_limit(xs: list[int]) -> list[int]:
    counts = [9223372036854775807, 0]
    for x in xs:
        counts[x % 2] += 1
    return counts


def bucket_counts_stored_before(xs: list[int]) -> list[int]:
    # A store between the fresh list and the loop sets an element near 2^63: no proof.
    counts = [0, 0]
    counts[1] = 9223372036854775806
    for x in xs:
        counts[x % 2] += 1
    return counts
