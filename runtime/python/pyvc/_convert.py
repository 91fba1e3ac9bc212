"""Converting Python arguments to what a kernel's C function takes (docs/ABI.md), with the rules
CPython would apply to a function annotated the same way:

- float parameters take float, int (converted as float() converts it) and bool;
- int parameters take int and bool, and anything with __index__ (numpy integers); a float is a
  TypeError; an int outside 64 bits is an OverflowError;
- bool parameters take only bool (and numpy.bool_);
- list parameters take any sequence of such items, or any buffer. A writable, C-contiguous,
  one-dimensional buffer of exactly the element type (array.array('d'/'q'), a float64/int64/bool
  numpy array, a memoryview of those) is passed to the kernel WITHOUT copying; read-only buffers of
  that type are copied once (one memcpy); other buffers and sequences are converted item by item.
"""

import array
import ctypes
import operator

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

CTYPES = {"float": ctypes.c_double, "int": ctypes.c_int64, "bool": ctypes.c_bool}

# Buffer formats (struct syntax, native little-endian) whose items are exactly the C element.
_BUFFER_FORMATS = {
    "float": (frozenset(("d", "<d", "=d", "@d")), 8),
    "int": (frozenset(("q", "l", "<q", "<l", "=q", "=l", "@q", "@l")), 8),
    "bool": (frozenset(("?", "<?", "=?", "@?")), 1),
}
_ARRAY_TYPECODES = {"float": "d", "int": "q"}


def _type_name(value):
    return type(value).__name__


def _is_numpy_bool(value):
    return type(value).__name__ == "bool_" and type(value).__module__ == "numpy"


def to_float(value, where):
    if type(value) is float:
        return value
    if isinstance(value, (float, int)):  # bool is an int; float(10**400) raises OverflowError
        return float(value)
    if hasattr(type(value), "__index__"):
        return float(operator.index(value))
    if hasattr(type(value), "__float__") and not isinstance(value, (str, bytes)):
        return float(value)
    raise TypeError("%s must be float, not %s" % (where, _type_name(value)))


def to_int(value, where):
    if isinstance(value, float) or not hasattr(type(value), "__index__"):
        raise TypeError("%s must be int, not %s" % (where, _type_name(value)))
    integer = operator.index(value)
    if not INT64_MIN <= integer <= INT64_MAX:
        raise OverflowError("%s: int %d does not fit in 64 bits" % (where, integer))
    return integer


def to_bool(value, where):
    if value is True or value is False:
        return value
    if _is_numpy_bool(value):
        return bool(value)
    raise TypeError("%s must be bool, not %s" % (where, _type_name(value)))


SCALAR_CONVERTERS = {"float": to_float, "int": to_int, "bool": to_bool}


def _exact_buffer(value, element):
    """A memoryview of `value` when its memory can go to the kernel as is, else None."""
    try:
        view = memoryview(value)
    except TypeError:
        return None
    formats, itemsize = _BUFFER_FORMATS[element]
    if view.ndim == 1 and view.itemsize == itemsize and view.format in formats and view.c_contiguous:
        return view
    view.release()
    return None


def list_argument(value, element, where):
    """Returns (address, length, keepalive) for a list parameter. `keepalive` must live until
    the call returns: it pins the caller's buffer (or owns the converted copy)."""
    view = _exact_buffer(value, element)
    if view is not None:
        length = len(view)
        if length == 0:
            return None, 0, view
        if not view.readonly:
            anchor = ctypes.c_char.from_buffer(view)  # shares the memory: no copy
            return ctypes.addressof(anchor), length, anchor
        copy = (CTYPES[element] * length).from_buffer_copy(view)
        return ctypes.addressof(copy), length, copy

    if isinstance(value, (str, bytes, dict)) or not hasattr(type(value), "__len__") \
            or not hasattr(type(value), "__iter__"):
        raise TypeError("%s must be list[%s], not %s" % (where, element, _type_name(value)))
    items = list(value)
    if not items:
        return None, 0, None
    if element == "bool":
        converted = bytes(to_bool(item, "%s item %d" % (where, index))
                          for index, item in enumerate(items))
        storage = (ctypes.c_bool * len(items)).from_buffer_copy(converted)
        return ctypes.addressof(storage), len(items), storage
    try:
        # array() converts in C; it accepts what our rules accept, apart from the checks below.
        if element == "int" and any(isinstance(item, float) for item in items):
            raise TypeError
        storage = array.array(_ARRAY_TYPECODES[element], items)
    except (TypeError, OverflowError, ValueError):
        # Find the first offending item and say it the way the scalar rules do.
        convert = SCALAR_CONVERTERS[element]
        for index, item in enumerate(items):
            convert(item, "%s item %d" % (where, index))
        raise
    return storage.buffer_info()[0], len(items), storage


def list_result(data, length):
    """Copies a list result out of the kernel's array into a list of Python values (the ctypes
    element type makes them floats, ints or bools); the caller then frees the array."""
    if length < 0 or (length > 0 and not data):
        raise SystemError("the kernel returned a malformed list (length %d)" % length)
    return data[:length] if length else []
