# Decides whether a kernel's answer matches CPython's: exception names must agree, values must be
# equal in their annotated type -- floats bit for bit (-0.0 and NaN included), except float
# reductions in the default mode, which follow a fixed lane order and get a bounded tolerance.
import math
import struct

from oracle import LIST_TYPES, conform, list_element_type, tuple_element_types, CorpusTypeError

# Relative error allowed per element for a reduction in lane order, against the magnitudes of
# its inputs: each lane-order sum differs from the sequential one by at most about n ulps of the
# partial sums, and the partial sums are bounded by sum(|x|) and sum(x*x) for these kernels.
REDUCTION_ULPS_PER_ELEMENT = 4.0
# Past this magnitude partial sums can overflow in one order and not in another.
OVERFLOW_REGION = 1e150


def float_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def floats_identical(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return float_bits(a) == float_bits(b)


class Tolerance:
    """The allowed error of one call's float results; None means bit-identical."""

    def __init__(self, args):
        magnitudes = []
        for arg in args:
            values = arg if isinstance(arg, list) else [arg]
            magnitudes.extend(abs(v) for v in values
                              if isinstance(v, float) and math.isfinite(v))
        largest = max(magnitudes, default=0.0)
        self.overflow_region = largest > OVERFLOW_REGION
        self.scale = sum(magnitudes) + sum(m * m for m in magnitudes)
        self.elements = sum(len(a) for a in args if isinstance(a, list))

    def accepts(self, expected, got):
        if floats_identical(expected, got):
            return True
        if self.overflow_region:
            return True  # any order-dependent overflow is legitimate; strict mode checks these
        if not (math.isfinite(expected) and math.isfinite(got)):
            return False
        bound = (max(abs(expected), self.scale) * (self.elements + 16)
                 * REDUCTION_ULPS_PER_ELEMENT * 2.0 ** -52)
        return abs(expected - got) <= bound


def values_match(expected, got, type_text, tolerance=None):
    """True when got (already conformed) equals expected in type_text."""
    if type_text == "float":
        if tolerance is None:
            return floats_identical(expected, got)
        return tolerance.accepts(expected, got)
    if type_text in ("int", "bool"):
        return type(expected) is type(got) and expected == got
    if type_text in LIST_TYPES:
        element = list_element_type(type_text)
        return len(expected) == len(got) and all(
            values_match(e, g, element, tolerance) for e, g in zip(expected, got))
    elements = tuple_element_types(type_text)
    return len(expected) == len(got) == len(elements) and all(
        values_match(e, g, t, tolerance) for e, g, t in zip(expected, got, elements))


def conform_kernel_value(value, type_text):
    """A value read from pyvc-call's JSON in the annotated type, or raises CorpusTypeError.
    JSON has no tuples and may write a whole float without a fraction; nothing else is bent."""
    if type_text == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if type_text == "int" and isinstance(value, bool):
        raise CorpusTypeError(f"{value!r} is a bool, not an int")
    if type_text in LIST_TYPES and isinstance(value, list):
        element = list_element_type(type_text)
        return [conform_kernel_value(v, element) for v in value]
    if type_text.startswith("tuple[") and isinstance(value, list):
        elements = tuple_element_types(type_text)
        if len(value) != len(elements):
            raise CorpusTypeError(f"{value!r} has not {len(elements)} elements")
        return tuple(conform_kernel_value(v, t) for v, t in zip(value, elements))
    return conform(value, type_text)


def outcome_matches(expected, kernel_line, type_text, tolerance=None):
    """kernel_line is one parsed JSON object from pyvc-call. Returns (matches, description)."""
    if "error" in kernel_line:
        name = kernel_line["error"]
        description = f"{name}: {kernel_line.get('message', '')}"
        return name in expected.errors, description
    if "ok" not in kernel_line:
        return False, f"malformed line {kernel_line!r}"
    try:
        got = conform_kernel_value(kernel_line["ok"], type_text)
    except CorpusTypeError as error:
        return False, f"{kernel_line['ok']!r} (wrong type: {error})"
    if not expected.has_value:
        return False, repr(got)
    return values_match(expected.value, got, type_text, tolerance), repr(got)


def identical_lines(a, b, type_text):
    """Bit-identity of two kernels' answers (x86-64 against aarch64)."""
    if ("error" in a) != ("error" in b):
        return False
    if "error" in a:
        return a["error"] == b["error"]
    try:
        return values_match(conform_kernel_value(a["ok"], type_text),
                            conform_kernel_value(b["ok"], type_text), type_text)
    except (CorpusTypeError, KeyError):
        return False
