# Generates the arguments a corpus function is tried with, from its annotations: edge cases
# first (0, -1, ints near 2^63, -0.0, NaN, inf, 1e308, 5e-324, empty and one-element lists,
# lists with NaN), crossed between parameters, then random values. Deterministic per function.
import itertools
import math
import random
import zlib

INT_EDGES = [0, -1, 1, 2, -2, 3, -3, 7, -7, 10, 1000, -1000, 2 ** 31, -(2 ** 31), 2 ** 53 + 1,
             2 ** 62, -(2 ** 62), 2 ** 63 - 1, -(2 ** 63)]
FLOAT_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.0, -7.25, 0.1, 123.456, 1e16,
               2.0 ** 53, 4503599627370495.5, 1e-300, 5e-324, -5e-324, 1e308, -1e308,
               math.nan, math.inf, -math.inf]
BOOL_EDGES = [False, True]

LIST_EDGES = {
    "list[float]": [[], [0.0], [-0.0], [2.5], [math.nan], [1.0, math.nan, 2.0], [math.inf],
                    [math.inf, -math.inf], [1e308, 1e308, -1e308], [5e-324, -5e-324],
                    [-1.0, 1.0, -1.0, 1.0], [0.1] * 17, [3.0, 1.0, 2.0]],
    "list[int]": [[], [0], [-7], [2 ** 63 - 1, 1], [-(2 ** 63)], [2 ** 62, 2 ** 62],
                  [1, 2, 3, 4, 5, 6], [-3, 0, 3], [5] * 16],
    "list[bool]": [[], [True], [False], [True, False, True], [True] * 17],
}

MAX_EDGE_COMBINATIONS = 320
RANDOM_INPUTS = 90
MAX_LIST_LENGTH = 40
# A few long lists per function, so vectorized main loops (16 lanes, unrolled) run many times.
LONG_LIST_INPUTS = 6
LONG_LIST_LENGTHS = (64, 1000)


def _edges(type_text):
    if type_text == "int":
        return INT_EDGES
    if type_text == "float":
        return FLOAT_EDGES
    if type_text == "bool":
        return BOOL_EDGES
    return LIST_EDGES[type_text]


def _random_int(rng):
    kind = rng.random()
    if kind < 0.6:
        return rng.randint(-100, 100)
    if kind < 0.85:
        return rng.randint(-10 ** 6, 10 ** 6)
    return rng.randint(-(2 ** 63), 2 ** 63 - 1)


def _random_float(rng):
    kind = rng.random()
    if kind < 0.55:
        return rng.uniform(-100.0, 100.0)
    if kind < 0.7:
        return rng.gauss(0.0, 1.0)
    if kind < 0.8:
        return float(rng.randint(-20, 20)) + rng.choice([0.0, 0.5])  # exact halves for round()
    if kind < 0.9:
        return rng.uniform(-1.0, 1.0) * 10.0 ** rng.randint(-300, 300)
    return rng.choice(FLOAT_EDGES)


def _random_value(rng, type_text, max_length=MAX_LIST_LENGTH, min_length=0):
    if type_text == "int":
        return _random_int(rng)
    if type_text == "float":
        return _random_float(rng)
    if type_text == "bool":
        return rng.random() < 0.5
    element = type_text[len("list["):-1]
    length = rng.randint(min_length, max_length)
    if element == "float":
        # Mostly ordinary readings; sometimes one special value among them.
        values = [rng.uniform(-50.0, 50.0) for _ in range(length)]
        if values and rng.random() < 0.15:
            values[rng.randrange(length)] = _random_float(rng)
        return values
    if element == "int":
        return [rng.randint(-1000, 1000) if rng.random() < 0.9 else _random_int(rng)
                for _ in range(length)]
    return [rng.random() < 0.5 for _ in range(length)]


def generate_inputs(file_stem, signature, extra=()):
    """The argument lists for one function: witnesses given by the caller, edges, random."""
    rng = random.Random(zlib.crc32(f"{file_stem}:{signature.name}".encode()))
    types = [t for _, t in signature.params]
    inputs = [list(args) for args in extra]
    combinations = list(itertools.product(*[_edges(t) for t in types]))
    if len(combinations) > MAX_EDGE_COMBINATIONS:
        combinations = rng.sample(combinations, MAX_EDGE_COMBINATIONS)
    inputs.extend(list(c) for c in combinations)
    for _ in range(RANDOM_INPUTS):
        inputs.append([_random_value(rng, t) for t in types])
    if any(t.startswith("list[") for t in types):
        for _ in range(LONG_LIST_INPUTS):
            inputs.append([_random_value(rng, t, LONG_LIST_LENGTHS[1], LONG_LIST_LENGTHS[0])
                           for t in types])
    return _without_duplicates(inputs)


def _without_duplicates(inputs):
    # repr tells -0.0 from 0.0 and keeps NaN equal to itself, unlike ==.
    seen = set()
    unique = []
    for args in inputs:
        key = repr(args)
        if key not in seen:
            seen.add(key)
            unique.append(args)
    return unique
