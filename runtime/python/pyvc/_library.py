"""Loading a kernel library with ctypes and calling its functions: one KernelFunction per
manifest entry, with ctypes prototypes built from the manifest's types (docs/ABI.md), exceptions
raised as CPython would raise them, list results copied out and released with the library's
pyvc_<module>_free."""

import ctypes
import inspect
import os

from ._convert import CTYPES, SCALAR_CONVERTERS, list_argument, list_result
from ._cpu import missing_features
from ._manifest import (KernelType, free_symbol, host_architecture, manifest_symbol,
                        read_manifest_and_text, target_architecture)
from ._signature import load_trusted_keys, read_verified_library, sealed_file

# kernel_abi.h status codes and the Python exceptions they stand for.
STATUS_EXCEPTIONS = {
    1: ZeroDivisionError,
    2: IndexError,
    3: ValueError,
    4: OverflowError,
    5: MemoryError,
    6: RecursionError,
    7: AssertionError,
}


class LoadError(OSError):
    """The library cannot be loaded here: another architecture, a CPU feature it needs is
    missing, dlopen failed, or a symbol named in its manifest is missing."""


def _raise_status(status, message, index=None):
    text = message.value.decode("utf-8", "replace") if message.value else ""
    exception_type = STATUS_EXCEPTIONS.get(status)
    if exception_type is None:
        error = SystemError("kernel returned unknown status %d: %s" % (status, text))
    else:
        error = exception_type(text) if text else exception_type()
    if index is not None:
        error.index = index  # the first failing element of a batch call
    raise error


class KernelFunction:
    """A compiled kernel function: call it like the Python function it was compiled from."""

    def __init__(self, library, description, cdll):
        self.__name__ = self.__qualname__ = description["name"]
        self._library = library
        self._params = [(p["name"], KernelType.parse(p["type"])) for p in description["params"]]
        self._returns = KernelType.parse(description.get("returns", "None"))
        self.description = description
        self.__signature__ = inspect.Signature(
            [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                               annotation=kind.annotation()) for name, kind in self._params],
            return_annotation=self._returns.annotation())
        self.signature_text = "%s(%s) -> %s" % (
            self.__name__, ", ".join("%s: %s" % (n, k) for n, k in self._params), self._returns)
        doc = description.get("doc") or ""
        self.__doc__ = self.signature_text + ("\n\n" + doc if doc else "")
        self._plan = self._plan_arguments()
        self._function = self._prototype(cdll, description["symbol"])
        if description.get("batch_symbol"):
            self._batch_function = self._batch_prototype(cdll, description["batch_symbol"])
            self.batch = self._call_batch

    def _prototype(self, cdll, symbol):
        function = _symbol(cdll, symbol, self._library)
        argtypes = []
        for _, kind in self._params:
            if kind.shape == "scalar":
                argtypes.append(CTYPES[kind.scalar])
            else:
                argtypes += [ctypes.c_void_p, ctypes.c_int64]
        returns = self._returns
        if returns.shape == "scalar":
            argtypes.append(ctypes.POINTER(CTYPES[returns.scalar]))
        elif returns.shape == "tuple":
            argtypes += [ctypes.POINTER(CTYPES[member]) for member in returns.members]
        elif returns.shape == "list":
            argtypes += [ctypes.POINTER(ctypes.POINTER(CTYPES[returns.scalar])),
                         ctypes.POINTER(ctypes.c_int64)]
        argtypes.append(ctypes.POINTER(ctypes.c_char_p))
        function.argtypes = argtypes
        function.restype = ctypes.c_int32
        return function

    def _batch_prototype(self, cdll, symbol):
        function = _symbol(cdll, symbol, self._library)
        outputs = len(self._result_members())
        function.argtypes = ([ctypes.c_void_p] * len(self._params) + [ctypes.c_int64] +
                             [ctypes.c_void_p] * outputs +
                             [ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_char_p)])
        function.restype = ctypes.c_int32
        return function

    def _result_members(self):
        if self._returns.shape == "scalar":
            return [self._returns.scalar]
        return list(self._returns.members)

    def _positional(self, args, kwargs):
        if kwargs:
            return self.__signature__.bind(*args, **kwargs).args
        expected = len(self._params)
        if len(args) > expected:
            raise TypeError("%s() takes %d positional argument%s but %d %s given" % (
                self.__name__, expected, "" if expected == 1 else "s", len(args),
                "was" if len(args) == 1 else "were"))
        if len(args) < expected:
            missing = ["'%s'" % name for name, _ in self._params[len(args):]]
            listed = missing[0] if len(missing) == 1 else (
                ", ".join(missing[:-1]) + ("," if len(missing) > 2 else "") + " and " + missing[-1])
            raise TypeError("%s() missing %d required positional argument%s: %s" % (
                self.__name__, len(missing), "" if len(missing) == 1 else "s", listed))
        return args

    def _plan_arguments(self):
        """Per parameter: (exact Python type passed as is, converter, list element, where).
        Computed once so that a call does no string formatting and no type dispatch."""
        plan = []
        for name, kind in self._params:
            where = "%s() argument '%s'" % (self.__name__, name)
            if kind.shape == "scalar":
                # float and bool values need no conversion; ints still need the 64-bit check.
                exact = {"float": float, "bool": bool}.get(kind.scalar)
                plan.append((exact, SCALAR_CONVERTERS[kind.scalar], None, where))
            else:
                plan.append((None, None, kind.scalar, where))
        return plan

    def _new_outputs(self):
        returns = self._returns
        if returns.shape == "scalar":
            return [CTYPES[returns.scalar]()]
        if returns.shape == "tuple":
            return [CTYPES[member]() for member in returns.members]
        if returns.shape == "list":
            return [ctypes.POINTER(CTYPES[returns.scalar])(), ctypes.c_int64()]
        return []

    def __call__(self, *args, **kwargs):
        if kwargs or len(args) != len(self._plan):
            args = self._positional(args, kwargs)
        c_args = []
        keepalive = []
        for (exact, convert, element, where), value in zip(self._plan, args):
            if element is None:
                c_args.append(value if type(value) is exact else convert(value, where))
                continue
            address, length, anchor = list_argument(value, element, where)
            c_args.append(address)
            c_args.append(length)
            keepalive.append(anchor)

        outputs = self._new_outputs()
        message = ctypes.c_char_p()
        status = self._function(*c_args, *[ctypes.byref(out) for out in outputs],
                                ctypes.byref(message))
        del keepalive  # releases the caller's buffers: an array.array can be resized again
        if status:
            _raise_status(status, message)

        shape = self._returns.shape
        if shape == "scalar":
            return outputs[0].value
        if shape == "tuple":
            return tuple(out.value for out in outputs)
        if shape == "list":
            data, length = outputs
            try:
                return list_result(data, length.value)
            finally:
                if data:
                    self._library._free(data)
        return None

    def _call_batch(self, *columns):
        """Evaluates the function element-wise over columns (one sequence or buffer per
        parameter, all of one length) with the library's vectorized batch variant. Returns a
        list of results (a tuple of lists for tuple results). On error raises the element's
        exception with the attribute `index` set to the first failing element."""
        if len(columns) != len(self._params):
            raise TypeError("%s.batch() takes %d columns but %d were given"
                            % (self.__name__, len(self._params), len(columns)))
        c_args = []
        keepalive = []
        count = None
        for (name, kind), column in zip(self._params, columns):
            address, length, anchor = list_argument(
                column, kind.scalar, "%s.batch() column '%s'" % (self.__name__, name))
            if count is not None and length != count:
                raise ValueError("%s.batch() columns differ in length" % self.__name__)
            count = length
            c_args.append(address)
            keepalive.append(anchor)
        count = count or 0
        outputs = [(CTYPES[member] * count)() for member in self._result_members()]
        error_index = ctypes.c_int64(-1)
        message = ctypes.c_char_p()
        status = self._batch_function(*c_args, count, *outputs, ctypes.byref(error_index),
                                      ctypes.byref(message))
        del keepalive
        if status:
            _raise_status(status, message, error_index.value)
        results = [output[:] for output in outputs]
        return results[0] if self._returns.shape == "scalar" else tuple(results)

    def __repr__(self):
        batch = " [batch]" if hasattr(self, "batch") else ""
        return "<pyvc kernel %s%s>" % (self.signature_text, batch)


def _symbol(cdll, symbol, library):
    try:
        return getattr(cdll, symbol)
    except AttributeError:
        raise LoadError("%s: symbol %s named in the manifest is missing" % (library._path, symbol)) from None


class KernelLibrary:
    """A loaded kernel library; its compiled functions are its attributes."""

    def __init__(self, path, trusted_keys=None):
        path = os.fspath(path)
        self._path = path
        self.signer = None  # with trusted_keys: the id of the key that signed the library
        data = None
        if trusted_keys is not None:
            # Read once and checked; exactly these bytes are loaded, from a sealed copy.
            trusted = load_trusted_keys(trusted_keys)
            data, self.signer = read_verified_library(path, trusted)
        self._manifest, text = read_manifest_and_text(path, data)
        architecture = target_architecture(self._manifest)
        if architecture != host_architecture():
            raise LoadError("%s: compiled for %s, but this machine is %s"
                            % (path, self._manifest["target"]["triple"], host_architecture()))
        target = self._manifest["target"]
        missing = missing_features(target["features"], architecture)
        if missing:
            raise LoadError("%s: compiled for %s (cpu %s), needs CPU feature%s %s that this %s CPU "
                            "lacks; compile it for an older target or with --target host here"
                            % (path, target.get("name", ""), target.get("cpu", ""),
                               "s" if len(missing) > 1 else "", ", ".join(missing),
                               architecture))
        load_path = os.path.abspath(path)
        if data is not None:
            load_path = "/proc/self/fd/%d" % sealed_file(os.path.basename(path), data)
        try:
            self._cdll = ctypes.CDLL(load_path, mode=os.RTLD_LOCAL | os.RTLD_NOW)
        except OSError as error:
            raise LoadError("cannot load %s: %s" % (path, error)) from None
        # The exported copy must be the section we parsed, or we would call by the wrong types.
        exported_name = manifest_symbol(self._manifest)
        try:
            exported = ctypes.string_at(ctypes.addressof(ctypes.c_char.in_dll(self._cdll, exported_name)))
        except ValueError:
            raise LoadError("%s: does not export %s" % (path, exported_name)) from None
        if exported != text.encode("utf-8"):
            raise LoadError("%s: the exported %s differs from the .pyvc_manifest section"
                            % (path, exported_name))
        self._free = _symbol(self._cdll, free_symbol(self._manifest), self)
        self._free.argtypes = [ctypes.c_void_p]
        self._free.restype = None
        self._functions = {}
        for description in self._manifest["functions"]:
            function = KernelFunction(self, description, self._cdll)
            self._functions[function.__name__] = function
            setattr(self, function.__name__, function)

    @property
    def manifest(self):
        return self._manifest

    @property
    def functions(self):
        """The functions by name, in manifest order."""
        return dict(self._functions)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._functions))

    def __repr__(self):
        return "<pyvc library %r (%s): %s>" % (self._path, self._manifest["target"]["triple"],
                                               ", ".join(self._functions))


def load(path, trusted_keys=None):
    """Loads the kernel library at `path`: reads its manifest from the file, checks the target
    and that this CPU has the features it needs, dlopens it and returns an object whose attributes are its functions.

    With `trusted_keys` (a public key file or a folder of *.pub files, or a list of them), the
    library is loaded only if path + ".sig" is a good signature by one of those keys (`pyvc
    sign`); otherwise SignatureError says why. Without it, nothing is checked."""
    return KernelLibrary(path, trusted_keys)
