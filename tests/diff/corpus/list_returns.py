# Differential corpus: functions returning lists to other functions of the file. A helper that
# returns its own list parameter is given only fresh lists (a slice, a literal, a comprehension,
# another call's result), so the copy a call hands back cannot be told from the list itself and
# the result may be changed (E0329 rejects named arguments); helpers returning fresh lists take
# named lists and their results are changed freely.


def _identity(ys: list[int]) -> list[int]:
    return ys


def _pick(a: list[float], b: list[float], first: bool) -> list[float]:
    chosen = a if first else b
    return chosen


def _doubled(ys: list[int]) -> list[int]:
    return [y % 1000 * 2 for y in ys]


def _head(ys: list[int]) -> list[int]:
    return ys[:2]


def _ascending(ys: list[float]) -> list[float]:
    return sorted(ys)


def identity_of_slice_then_store(xs: list[int]) -> list[int]:
    ws = _identity(xs[:])
    if len(ws) > 0:
        ws[0] = 99
    ws.append(7)
    return ws


def identity_of_literal_then_append(n: int) -> list[int]:
    ws = _identity([1, 2, 3])
    ws[0] = n % 1000
    ws.append(4)
    return ws


def identity_of_comprehension(xs: list[int]) -> int:
    ws = _identity([x % 100 for x in xs])
    ws.append(5)
    ws[-1] += 1
    return sum(ws)


def identity_of_call_result(xs: list[int]) -> list[int]:
    ws = _identity(_doubled(xs))
    ws.append(len(xs))
    return ws


def pick_fresh_then_append(xs: list[float], ys: list[float], first: bool) -> list[float]:
    zs = _pick(xs[:], [y for y in ys], first)
    zs.append(1.5)
    return zs


def fresh_results_from_named_lists(xs: list[int]) -> list[int]:
    zs = [1, 2, 3]
    ws = _doubled(zs)
    ws[0] = 99
    hs = _head(xs)
    hs.append(zs[0] + ws[0])
    hs.append(len(ws))
    return hs


def sorted_result_changed(xs: list[float]) -> int:
    s = _ascending(xs)
    s.append(0.5)
    return len(s) - len(xs)
