"""pyvc: call kernels compiled by `pyvc compile` from Python, with ctypes and nothing else.

    import pyvc
    rules = pyvc.load("build/rules.so")
    rules.mean([1.0, 2.0, 4.5])            # 2.5
    rules.mean(array.array("d", data))     # the buffer goes to the kernel without a copy
    rules.overheat.batch(readings)         # the vectorized batch variant of a scalar function
    pyvc.read_manifest("build/rules.so")   # the manifest, read without loading the library
    pyvc.load("rules.so", trusted_keys="/etc/pyvc-agent/trusted-keys")  # only if signed (pyvc sign)

Kernel errors raise the exception CPython would raise (ZeroDivisionError, IndexError, ValueError,
OverflowError, MemoryError, RecursionError, AssertionError) with the kernel's message.
"""

from ._elf import ManifestError
from ._library import KernelFunction, KernelLibrary, LoadError, load
from ._manifest import ABI_VERSION, read_manifest
from ._signature import SignatureError

__version__ = "0.1.0"
__all__ = ["ABI_VERSION", "KernelFunction", "KernelLibrary", "LoadError", "ManifestError",
           "SignatureError", "load", "read_manifest"]
