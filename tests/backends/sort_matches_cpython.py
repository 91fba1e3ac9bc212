"""Differential test of the kernels' sort (pyvc_rt_list_sort in backends/support/pyvc_support.c)
against CPython's sorted(): random float, int and bool lists, compared bit for bit.

The support file is compiled as it is into a shared library and called through ctypes. With
NaN, `<` orders nothing, so sorted()'s result is whatever its exact sequence of comparisons
makes it; every NaN here carries its own payload, so the test sees where each one ends up, and
-0.0 and 0.0 show whether equal values kept their order.

    sort_matches_cpython.py [--lists N] [--seed S] [--cc COMPILER]
"""

import argparse
import array
import ctypes
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

SUPPORT_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "backends",
                              "support", "pyvc_support.c")
SORT_BOOL, SORT_INT, SORT_FLOAT = 0, 1, 2
STATUS_OK, STATUS_MEMORY = 0, 5
INT64_MIN, INT64_MAX = -2 ** 63, 2 ** 63 - 1

# Built with the support file: a malloc that fails on request, to reach the out-of-memory path.
FAILING_MALLOC = r"""
#undef malloc /* the build renames the support file's malloc to this one */
typedef __SIZE_TYPE__ size_t;
void *malloc(size_t size);
long long test_mallocs_before_failure = -1;
void *test_malloc(size_t size) {
  if (test_mallocs_before_failure == 0)
    return 0;
  if (test_mallocs_before_failure > 0)
    --test_mallocs_before_failure;
  return malloc(size);
}
"""


class PyvcList(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("length", ctypes.c_int64),
                ("capacity", ctypes.c_int64), ("next", ctypes.c_void_p),
                ("prev", ctypes.c_void_p), ("flags", ctypes.c_int64)]


def nan_with_payload(payload, negative=False):
    bits = 0x7FF8000000000000 | payload | (1 << 63 if negative else 0)
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def build_library(compiler, folder):
    helper = os.path.join(folder, "failing_malloc.c")
    with open(helper, "w") as out:
        out.write(FAILING_MALLOC)
    library = os.path.join(folder, "libsort_under_test.so")
    # The flags of the bitcode build that matter here (backends/CMakeLists.txt).
    subprocess.run([compiler, "-O2", "-ffp-contract=off", "-fno-math-errno", "-std=c11",
                    "-fPIC", "-shared", "-Dmalloc=test_malloc", SUPPORT_SOURCE, helper,
                    "-o", library, "-lm"], check=True)
    return ctypes.CDLL(library)


class SortUnderTest:
    FORMATS = {SORT_BOOL: ("B", 1), SORT_INT: ("q", 8), SORT_FLOAT: ("d", 8)}

    def __init__(self, library):
        self.library = library
        self.function = library.pyvc_rt_list_sort
        self.function.argtypes = [ctypes.POINTER(PyvcList), ctypes.c_int64, ctypes.c_int32,
                                  ctypes.POINTER(ctypes.c_char_p)]
        self.function.restype = ctypes.c_int32
        self.mallocs_before_failure = ctypes.c_longlong.in_dll(library,
                                                               "test_mallocs_before_failure")

    def sort(self, values, kind):
        """(status, message, sorted bytes) for `values` sorted in place by the C code."""
        typecode, size = self.FORMATS[kind]
        data = array.array(typecode, values)
        address, length = data.buffer_info()
        header = PyvcList(address, length, length, None, None, 0)
        message = ctypes.c_char_p()
        status = self.function(ctypes.byref(header), size, kind, ctypes.byref(message))
        return status, message.value, data.tobytes()


# ---------------------------------------------------------------------------------------------
# Random lists: few distinct values (many duplicates), then a shape laid over them.

def float_pool(rng):
    nans = [-math.nan if rng.random() < 0.3 else math.nan for _ in range(rng.randint(1, 4))]
    specials = [0.0, -0.0, float("inf"), float("-inf"), 5e-324, -1.5, 2.0, 1e300]
    ordinary = [float(rng.randint(-5, 5)) for _ in range(rng.randint(0, 6))]
    choice = rng.random()
    if choice < 0.2:  # mostly NaN
        return nans * 3 + rng.sample(specials, 2)
    if choice < 0.4:  # NaN and two values
        return nans + [1.0, 2.0]
    if choice < 0.5:  # no NaN: signed zeros and duplicates must keep their order
        return specials + ordinary
    return nans + rng.sample(specials, rng.randint(1, len(specials))) + ordinary


def int_pool(rng):
    small = list(range(rng.randint(-3, 0), rng.randint(1, 6)))
    if rng.random() < 0.3:
        small += [INT64_MIN, INT64_MAX, rng.randint(INT64_MIN, INT64_MAX)]
    return small


def distinct_nans(count, rng, negative):
    payloads = rng.sample(range(1, 1 << 50), count)
    return [nan_with_payload(payload, negative) for payload in payloads]


NAN_TABLE_SIZE = 1 << 17  # more than the NaNs of the longest list
POSITIVE_NANS = distinct_nans(NAN_TABLE_SIZE, random.Random(1), False)
NEGATIVE_NANS = distinct_nans(NAN_TABLE_SIZE, random.Random(2), True)


def fresh_nans(values, rng):
    """Every NaN of the list gets its own payload (keeping its sign), so each can be followed."""
    result = list(values)
    start = rng.randrange(NAN_TABLE_SIZE)
    for number, index in enumerate(i for i, value in enumerate(values) if value != value):
        table = NEGATIVE_NANS if math.copysign(1.0, values[index]) < 0 else POSITIVE_NANS
        result[index] = table[(start + number) % NAN_TABLE_SIZE]
    return result


def shaped(values, rng):
    """Lays runs over random values: ascending and descending stretches, organ pipes, saws."""
    shape = rng.random()
    n = len(values)
    if shape < 0.3 or n < 4:
        return values
    if shape < 0.4:
        return sorted(values)
    if shape < 0.5:
        return sorted(values, reverse=True)
    if shape < 0.6:  # organ pipe
        middle = rng.randint(1, n - 1)
        return sorted(values[:middle]) + sorted(values[middle:], reverse=True)
    if shape < 0.7:  # saw teeth
        tooth = rng.randint(2, 80)
        result = []
        for start in range(0, n, tooth):
            result += sorted(values[start:start + tooth])
        return result
    # random stretches sorted one way or the other, the rest left alone
    result = list(values)
    for _ in range(rng.randint(1, 6)):
        start = rng.randrange(n)
        stop = min(n, start + rng.randint(2, max(2, n // 2)))
        result[start:stop] = sorted(result[start:stop], reverse=rng.random() < 0.5)
    return result


def random_list(rng, length):
    kind = rng.choices([SORT_FLOAT, SORT_INT, SORT_BOOL], weights=[6, 2, 1])[0]
    if kind == SORT_FLOAT:
        values = shaped(rng.choices(float_pool(rng), k=length), rng)
        return kind, fresh_nans(values, rng)
    if kind == SORT_INT:
        return kind, shaped(rng.choices(int_pool(rng), k=length), rng)
    return kind, shaped(rng.choices([False, True], k=length), rng)


def expected_bytes(values, kind):
    typecode = SortUnderTest.FORMATS[kind][0]
    return array.array(typecode, sorted(values)).tobytes()


def describe(values, limit=40):
    shown = ", ".join(repr(v) if v == v else "nan(%#x)" % struct.unpack("<Q", struct.pack("<d", v))[0]
                      for v in values[:limit])
    return "[%s%s] (%d values)" % (shown, ", ..." if len(values) > limit else "", len(values))


def check_list(sorter, kind, values):
    status, message, result = sorter.sort(values, kind)
    if status != STATUS_OK:
        return "status %d (%s)" % (status, message)
    if result != expected_bytes(values, kind):
        return "order differs from sorted()"
    return None


def check_known_orders(sorter):
    """A few results worked out from CPython's rules, not only compared with it."""
    nan = float("nan")
    # [1.0, nan]: the run check asks nan < 1.0 (false), so it is one ascending run, unchanged.
    status, _, result = sorter.sort([1.0, nan], SORT_FLOAT)
    values = array.array("d", result)
    assert status == STATUS_OK and values[0] == 1.0 and values[1] != values[1], list(values)
    # [3.0, 2.0, nan, 1.0]: 2.0 < 3.0 starts a descending run, nan < 2.0 is false and ends it,
    # reversed: [2.0, 3.0]. Binary insertion: nan < 3.0 is false, so nan goes after 3.0; then
    # 1.0 < 3.0 and 1.0 < 2.0 put 1.0 first. NaN ends up last, not where it started.
    status, _, result = sorter.sort([3.0, 2.0, nan, 1.0], SORT_FLOAT)
    values = array.array("d", result)
    assert status == STATUS_OK and list(values[:3]) == [1.0, 2.0, 3.0] \
        and values[3] != values[3], list(values)
    # -0.0 and 0.0 are equal: a stable sort keeps them in input order.
    status, _, result = sorter.sort([0.0, -1.0, -0.0], SORT_FLOAT)
    assert struct.unpack("<3d", result) == (-1.0, 0.0, -0.0) and \
        struct.pack("<d", struct.unpack("<3d", result)[2])[7] == 0x80


def check_out_of_memory(sorter, rng):
    """The merge's scratch space fails: STATUS_MEMORY with CPython's message."""
    values = [rng.random() for _ in range(1000)]  # random: runs of minrun, merges need scratch
    sorter.mallocs_before_failure.value = 0
    try:
        status, message, _ = sorter.sort(values, SORT_FLOAT)
    finally:
        sorter.mallocs_before_failure.value = -1
    assert status == STATUS_MEMORY and message == b"out of memory", (status, message)
    # Already sorted: one run, no merge, no memory needed.
    sorter.mallocs_before_failure.value = 0
    try:
        status, _, _ = sorter.sort(sorted(values), SORT_FLOAT)
    finally:
        sorter.mallocs_before_failure.value = -1
    assert status == STATUS_OK, status


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lists", type=int, default=200_000,
                        help="how many short lists (0..300 values); 1 in 10,000 more are long")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cc", default=shutil.which("clang-19") or shutil.which("cc") or "cc")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        sorter = SortUnderTest(build_library(args.cc, folder))
        check_known_orders(sorter)
        check_out_of_memory(sorter, rng)
        long_lists = max(4, args.lists // 10_000)
        lengths = [rng.randint(0, 300) for _ in range(args.lists)]
        lengths += [rng.randint(2_000, 70_000) for _ in range(long_lists)]
        counts = {SORT_BOOL: 0, SORT_INT: 0, SORT_FLOAT: 0}
        for number, length in enumerate(lengths):
            kind, values = random_list(rng, length)
            counts[kind] += 1
            problem = check_list(sorter, kind, values)
            if problem:
                print("list %d (seed %d, kind %d): %s\n  input %s" % (
                    number, args.seed, kind, problem, describe(values)))
                return 1
    print("%d lists sorted as CPython sorts them (%d float, %d int, %d bool; %d long)" % (
        len(lengths), counts[SORT_FLOAT], counts[SORT_INT], counts[SORT_BOOL], long_lists))
    return 0


if __name__ == "__main__":
    sys.exit(main())
