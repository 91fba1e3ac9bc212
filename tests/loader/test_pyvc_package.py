"""Tests of the pure-Python pyvc package (runtime/python/pyvc) against the hand-written ABI test
library: manifest reading without loading, calls with numbers, lists and buffers (proving that
buffers reach the kernel without a copy), exceptions as CPython raises them, batch variants.
CTest runs this under python3 on PATH and under /usr/bin/python3 (with numpy required there)."""

import array
import inspect
import math
import os
import re
import shutil
import tempfile
import unittest

import pyvc
from pyvc import _cpu as pyvc_cpu
from pyvc import _manifest as abi_names

KERNELS = os.environ["PYVC_TEST_KERNELS"]
KERNELS_ABI1 = os.environ["PYVC_TEST_KERNELS_ABI1"]
KERNELS_UNKNOWN_FEATURE = os.environ["PYVC_TEST_KERNELS_UNKNOWN_FEATURE"]
NO_MANIFEST = os.environ["PYVC_TEST_NO_MANIFEST"]
KERNELS_GHOST = os.environ.get("PYVC_TEST_KERNELS_GHOST", "")
KERNELS_AARCH64 = os.environ.get("PYVC_TEST_KERNELS_AARCH64", "")

try:
    import numpy
except ImportError:
    numpy = None
    if os.environ.get("PYVC_REQUIRE_NUMPY") == "1":
        raise

k = pyvc.load(KERNELS)


class ManifestTest(unittest.TestCase):
    def test_reads_manifest_of_host_library(self):
        manifest = pyvc.read_manifest(KERNELS)
        self.assertEqual(manifest["abi_version"], pyvc.ABI_VERSION)
        self.assertEqual(manifest["functions"][0]["name"], "mean")
        self.assertIn("future_key", manifest)  # unknown keys are kept and ignored

    @unittest.skipUnless(os.path.exists(KERNELS_AARCH64), "no aarch64 test library")
    def test_reads_manifest_of_foreign_library_without_loading_it(self):
        manifest = pyvc.read_manifest(KERNELS_AARCH64)
        self.assertEqual(manifest["target"]["triple"], "aarch64-unknown-linux-gnu")

    def test_refuses_library_without_manifest(self):
        with self.assertRaisesRegex(pyvc.ManifestError, "no .pyvc_manifest section"):
            pyvc.read_manifest(NO_MANIFEST)

    def test_refuses_old_abi_version_and_says_to_recompile(self):
        with self.assertRaisesRegex(pyvc.ManifestError,
                                    "built for kernel ABI 1, this loader needs ABI 2: recompile"):
            pyvc.load(KERNELS_ABI1)

    def test_refuses_cpu_feature_it_cannot_check_before_loading(self):
        target = pyvc.read_manifest(KERNELS_UNKNOWN_FEATURE)["target"]
        with self.assertRaises(pyvc.LoadError) as raised:
            pyvc.load(KERNELS_UNKNOWN_FEATURE)
        self.assertEqual(str(raised.exception),
                         "%s: compiled for %s (cpu %s), needs CPU feature teleportation that this "
                         "%s CPU lacks; compile it for an older target or with --target host here"
                         % (KERNELS_UNKNOWN_FEATURE, target["name"], target["cpu"],
                            target["triple"].split("-")[0]))


    def test_truncated_and_garbage_files_are_manifest_errors(self):
        with open(KERNELS, "rb") as file:
            data = file.read()
        directory = tempfile.mkdtemp()
        try:
            for name, content in [("garbage.so", bytes(range(256)) * 16),
                                  ("empty.so", b""),
                                  ("half.so", data[:len(data) // 2]),
                                  ("one-short.so", data[:-1])]:
                path = os.path.join(directory, name)
                with open(path, "wb") as file:
                    file.write(content)
                with self.assertRaises(pyvc.ManifestError, msg=name):
                    pyvc.read_manifest(path)
        finally:
            shutil.rmtree(directory)

    def test_random_corruption_is_a_manifest_error_or_a_manifest(self):
        import random
        import struct
        from pyvc import _elf
        with open(KERNELS, "rb") as file:
            original = file.read()
        shoff, = struct.unpack_from("<Q", original, 0x28)
        generator = random.Random(20261122)
        for _ in range(2000):
            data = bytearray(original)
            for _ in range(4):
                if generator.random() < 0.5:
                    data[generator.randrange(64)] = generator.randrange(256)
                else:
                    data[generator.randrange(shoff, len(data))] = generator.randrange(256)
            try:
                _elf.extract_manifest_section(bytes(data), "corrupt.so")
            except pyvc.ManifestError:
                pass

    def test_missing_file_is_an_os_error(self):
        with self.assertRaises(FileNotFoundError):
            pyvc.load(os.path.join(tempfile.gettempdir(), "pyvc-no-such-dir", "absent.so"))


class AbiConstantsTest(unittest.TestCase):
    """The Python package's copy of kernel_abi.h's version and symbol names."""

    def test_constants_equal_kernel_abi_h(self):
        header = os.path.join(os.path.dirname(__file__), "..", "..", "runtime", "include", "pyvc",
                              "kernel_abi.h")
        with open(header) as file:
            defines = dict(re.findall(r'^#define (PYVC_\w+) "?([^"\n]*)"?$', file.read(), re.M))
        self.assertEqual(int(defines["PYVC_ABI_VERSION"]), pyvc.ABI_VERSION)
        self.assertEqual(defines["PYVC_SYMBOL_PREFIX"], abi_names.SYMBOL_PREFIX)
        self.assertEqual(defines["PYVC_FREE_SUFFIX"], abi_names.FREE_SUFFIX)
        self.assertEqual(defines["PYVC_MANIFEST_SUFFIX"], abi_names.MANIFEST_SUFFIX)
        self.assertEqual(abi_names.free_symbol({"module": "windows"}), "pyvc_windows_free")

class CpuFeatureTest(unittest.TestCase):
    """The Python loader's feature table and its reading of /proc/cpuinfo."""

    def test_table_equals_the_one_the_compiler_and_cxx_loader_use(self):
        definitions = os.path.join(os.path.dirname(__file__), "..", "..", "runtime", "include",
                                   "pyvc", "cpu_features.def")
        with open(definitions) as file:
            text = file.read()
        x86 = dict(re.findall(r'^PYVC_X86_FEATURE\("([^"]+)",.*"([^"]+)"\)$', text, re.M))
        aarch64 = dict(re.findall(r'^PYVC_AARCH64_FEATURE\("([^"]+)",.*"([^"]+)"\)$', text, re.M))
        self.assertTrue(x86 and aarch64, "the patterns no longer match cpu_features.def")
        self.assertEqual(pyvc_cpu.X86_FEATURES, x86)
        self.assertEqual(pyvc_cpu.AARCH64_FEATURES, aarch64)

    def test_missing_features_by_cpuinfo_flags(self):
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        cpuinfo = os.path.join(directory, "cpuinfo")
        with open(cpuinfo, "w") as file:
            file.write("processor\t: 0\nflags\t\t: fpu sse sse2 pni ssse3 sse4_1 sse4_2 avx\n\n"
                       "processor\t: 1\nflags\t\t: avx2 fma\n")
        flags = pyvc_cpu.read_cpu_flags(cpuinfo)
        self.assertEqual(pyvc_cpu.missing_features(["sse2", "sse4.2", "avx"], "x86_64", flags), [])
        self.assertEqual(pyvc_cpu.missing_features(["sse3", "avx2", "fma", "neon"], "x86_64", flags),
                         ["avx2", "fma", "neon"])
        with open(cpuinfo, "w") as file:
            file.write("processor\t: 0\nFeatures\t: fp asimd evtstrm crc32 cpuid\n")
        flags = pyvc_cpu.read_cpu_flags(cpuinfo)
        self.assertEqual(pyvc_cpu.missing_features(["fp-armv8", "neon", "dotprod"], "aarch64", flags),
                         ["dotprod"])

    def test_this_cpu_has_what_the_host_test_library_needs(self):
        manifest = pyvc.read_manifest(KERNELS)
        self.assertEqual(pyvc_cpu.missing_features(manifest["target"]["features"],
                                                   manifest["target"]["triple"].split("-")[0]), [])

class LoadTest(unittest.TestCase):
    @unittest.skipUnless(os.path.exists(KERNELS_AARCH64), "no aarch64 test library")
    def test_foreign_architecture_is_refused(self):
        with self.assertRaisesRegex(pyvc.LoadError, "compiled for aarch64-unknown-linux-gnu"):
            pyvc.load(KERNELS_AARCH64)

    @unittest.skipUnless(os.path.exists(KERNELS_GHOST), "no ghost test library")
    def test_missing_symbol_is_refused(self):
        with self.assertRaisesRegex(pyvc.LoadError, "symbol pyvc_test_kernels_fn_ghost"):
            pyvc.load(KERNELS_GHOST)

    def test_functions_are_attributes_with_doc_and_signature(self):
        self.assertIn("clamp", dir(k))
        self.assertEqual(list(k.functions)[:3], ["mean", "div", "ratio"])
        self.assertEqual(repr(k.clamp),
                         "<pyvc kernel clamp(xs: list[float], lo: float, hi: float) -> list[float]>")
        self.assertEqual(repr(k.div), "<pyvc kernel div(a: int, b: int) -> int [batch]>")
        self.assertIn("test kernel mean", k.mean.__doc__)
        self.assertEqual(str(inspect.signature(k.minmax)),
                         "(xs: list[float]) -> tuple[float, float]")
        self.assertEqual(k.mean.__name__, "mean")


class ScalarCallTest(unittest.TestCase):
    def test_numbers(self):
        self.assertEqual(k.div(7, 2), 3)
        self.assertEqual(k.div(-7, 2), -4)
        self.assertEqual(k.ratio(1.0, 4.0), 0.25)
        self.assertIs(k.is_positive(0.5), True)
        self.assertIs(k.is_positive(-0.0), False)
        self.assertEqual(k.select(True, 1.5, 2.5), 1.5)
        self.assertEqual(k.select(False, 1.5, 2.5), 2.5)
        self.assertIsNone(k.nothing(1.0))

    def test_thirteen_mixed_arguments(self):
        self.assertEqual(k.mix(1, 1.0, True, 1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1, True), 8191.0)
        self.assertEqual(k.mix(0, 0.0, False, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3, False), 6144.0)

    def test_special_floats_pass_unchanged(self):
        self.assertEqual(math.copysign(1.0, k.select(True, -0.0, 1.0)), -1.0)
        self.assertEqual(k.select(True, math.inf, 1.0), math.inf)
        self.assertTrue(math.isnan(k.select(True, math.nan, 1.0)))

    def test_python_conversions(self):
        self.assertEqual(k.select(True, 3, 0.0), 3.0)
        self.assertIsInstance(k.select(True, 3, 0.0), float)
        self.assertEqual(k.select(True, 2**53 + 1, 0.0), 9007199254740992.0)
        self.assertEqual(k.div(True, 1), 1)
        with self.assertRaisesRegex(TypeError, r"div\(\) argument 'a' must be int, not float"):
            k.div(7.0, 2)
        with self.assertRaisesRegex(TypeError, "must be bool, not int"):
            k.select(1, 1.0, 2.0)
        with self.assertRaisesRegex(TypeError, "must be float, not str"):
            k.ratio("1", 2.0)
        with self.assertRaisesRegex(OverflowError, "does not fit in 64 bits"):
            k.div(2**63, 1)
        with self.assertRaises(OverflowError):  # float(10**400), as CPython would
            k.ratio(10**400, 1.0)

    def test_argument_count_and_keywords(self):
        with self.assertRaisesRegex(TypeError, r"missing 1 required positional argument: 'b'"):
            k.div(1)
        with self.assertRaisesRegex(TypeError, r"takes 1 positional argument but 2 were given"):
            k.mean([1.0], [2.0])
        self.assertEqual(k.div(b=2, a=9), 4)

    def test_exceptions_are_the_ones_cpython_raises(self):
        cases = [
            (ZeroDivisionError, "division by zero", k.mean, ([],)),
            (ZeroDivisionError, "integer division or modulo by zero", k.div, (1, 0)),
            (ZeroDivisionError, "float division by zero", k.ratio, (1.0, 0.0)),
            (OverflowError, "int too large", k.div, (-2**63, -1)),
            (IndexError, "list index out of range", k.at, ([1, 2], 2)),
            (ValueError, "min\\(\\) arg is an empty sequence", k.minmax, ([],)),
            (ValueError, "cannot convert float NaN to integer", k.split, (math.nan,)),
            (OverflowError, "cannot convert float infinity to integer", k.split, (math.inf,)),
            (MemoryError, "", k.iota, (2**50,)),
            (RecursionError, "maximum recursion depth exceeded", k.deep, (5000,)),
            (SystemError, "unknown status 99: status from the future", k.bad_status, (1,)),
        ]
        for exception_type, message, function, args in cases:
            with self.assertRaisesRegex(exception_type, message, msg=function.__name__):
                function(*args)


class ListCallTest(unittest.TestCase):
    def test_lists_and_tuples_in_and_out(self):
        self.assertEqual(k.mean([1, 2, 4.5]), 2.5)
        self.assertEqual(k.mean((3.0,)), 3.0)
        self.assertEqual(k.clamp([-5.0, 0.5, 9.0], 0.0, 1.0), [0.0, 0.5, 1.0])
        self.assertEqual(k.clamp([], 0.0, 1.0), [])
        self.assertEqual(k.minmax([3.0, -1.0, 2.0]), (-1.0, 3.0))
        self.assertEqual(k.describe([1, -2, 4]), (3, 3.0, True))
        self.assertEqual(k.split(-2.25), (-3, 0.75))
        self.assertEqual(k.iota(4), [0, 1, 2, 3])
        self.assertEqual(k.negate_all([True, False]), [False, True])
        self.assertEqual(k.count_true([True, False, True]), 2)
        self.assertEqual(k.at([10, 20, 30], -1), 30)

    def test_list_item_errors_name_the_item(self):
        with self.assertRaisesRegex(TypeError, r"at\(\) argument 'xs' item 1 must be int, not float"):
            k.at([1, 2.0], 0)
        with self.assertRaisesRegex(TypeError, r"item 0 must be float, not str"):
            k.mean(["1"])
        with self.assertRaisesRegex(TypeError, r"item 1 must be bool, not int"):
            k.count_true([True, 1])
        with self.assertRaisesRegex(TypeError, r"must be list\[float\], not float"):
            k.mean(1.0)
        with self.assertRaisesRegex(TypeError, r"must be list\[float\], not str"):
            k.mean("12")
        with self.assertRaisesRegex(OverflowError, "item 0: int .* does not fit in 64 bits"):
            k.at([2**64], 0)

    def test_list_results_are_released(self):
        before = k.live_allocations()
        for _ in range(200):
            k.clamp([1.0, 2.0, 3.0], 0.0, 2.0)
            k.iota(10)
            k.negate_all([True])
        self.assertEqual(k.live_allocations(), before)


class BufferTest(unittest.TestCase):
    """The test kernel address_of* returns the data pointer it received: equal to the caller's
    buffer address exactly when the buffer was passed without a copy."""

    def test_array_of_doubles_is_not_copied(self):
        values = array.array("d", [1.0, 2.0, 4.5])
        self.assertEqual(k.address_of(values), values.buffer_info()[0])
        self.assertEqual(k.mean(values), 2.5)
        values.append(8.0)  # the export was released after the call
        self.assertEqual(k.mean(values), 3.875)

    def test_array_of_int64_and_memoryviews_are_not_copied(self):
        ints = array.array("q", [5, 6, 7])
        self.assertEqual(k.address_of_ints(ints), ints.buffer_info()[0])
        self.assertEqual(k.at(ints, -1), 7)
        doubles = array.array("d", [0.5] * 1000)
        view = memoryview(doubles)[10:]
        self.assertEqual(k.address_of(view), doubles.buffer_info()[0] + 10 * 8)
        self.assertEqual(k.mean(view), 0.5)

    def test_read_only_buffers_are_copied_once(self):
        doubles = array.array("d", [1.0, 3.0])
        frozen = memoryview(bytes(doubles)).cast("d")
        self.assertTrue(frozen.readonly)
        self.assertNotEqual(k.address_of(frozen), 0)
        self.assertEqual(k.mean(frozen), 2.0)

    def test_other_item_types_are_converted(self):
        self.assertEqual(k.mean(array.array("f", [1.5, 2.5])), 2.0)
        self.assertEqual(k.mean(array.array("i", [1, 2])), 1.5)
        with self.assertRaisesRegex(TypeError, "must be int, not float"):
            k.at(array.array("d", [1.0]), 0)
        self.assertEqual(k.address_of(array.array("d")), 0)  # empty: NULL, length 0


@unittest.skipIf(numpy is None, "numpy is not importable under this python3")
class NumpyTest(unittest.TestCase):
    def test_float64_array_is_not_copied(self):
        values = numpy.linspace(0.0, 1.0, 101)
        self.assertEqual(k.address_of(values), values.ctypes.data)
        self.assertAlmostEqual(k.mean(values), 0.5)
        clamped = k.clamp(values, 0.25, 0.75)
        self.assertEqual(len(clamped), 101)
        self.assertEqual((min(clamped), max(clamped)), (0.25, 0.75))

    def test_int64_and_bool_arrays_are_not_copied(self):
        ints = numpy.arange(10, dtype=numpy.int64)
        self.assertEqual(k.address_of_ints(ints), ints.ctypes.data)
        self.assertEqual(k.at(ints, -2), 8)
        flags = numpy.array([True, False, True])
        self.assertEqual(k.address_of_bools(flags), flags.ctypes.data)
        self.assertEqual(k.count_true(flags), 2)

    def test_strided_readonly_and_float32_arrays_still_give_right_results(self):
        values = numpy.arange(10, dtype=numpy.float64)
        self.assertEqual(k.mean(values[::2]), 4.0)  # not contiguous: converted
        frozen = numpy.array([1.0, 2.0])
        frozen.flags.writeable = False
        self.assertEqual(k.mean(frozen), 1.5)
        self.assertEqual(k.mean(numpy.array([1.5, 2.5], dtype=numpy.float32)), 2.0)
        with self.assertRaisesRegex(TypeError, "must be int, not float"):
            k.at(numpy.array([1.0]), 0)

    def test_numpy_scalars_follow_the_python_rules(self):
        self.assertEqual(k.div(numpy.int64(9), numpy.int32(2)), 4)
        self.assertEqual(k.ratio(numpy.float64(1.0), numpy.float32(4.0)), 0.25)
        self.assertEqual(k.select(numpy.bool_(True), 1.0, 2.0), 1.0)
        with self.assertRaises(TypeError):
            k.div(numpy.float64(9.0), 2)

    def test_batch_with_numpy_columns(self):
        a = numpy.array([1.0, 9.0, -3.0])
        b = numpy.array([2.0, 3.0, 4.0])
        self.assertEqual(k.ratio.batch(a, b), [0.5, 3.0, -0.75])


class BatchTest(unittest.TestCase):
    def test_batch_variants(self):
        self.assertEqual(k.div.batch([7, 8, -9], [2, 3, 2]), [3, 2, -5])
        self.assertEqual(k.is_positive.batch([-1.0, 0.0, 2.0]), [False, False, True])
        self.assertEqual(k.select.batch([True, False], [1.0, 2.0], [-1.0, -2.0]), [1.0, -2.0])
        self.assertEqual(k.split.batch(array.array("d", [1.5, -0.25])), ([1, -1], [0.5, 0.75]))
        self.assertEqual(k.ratio.batch([], []), [])

    def test_batch_error_carries_the_index(self):
        with self.assertRaises(ZeroDivisionError) as raised:
            k.div.batch([1, 2, 3, 4], [1, 1, 0, 0])
        self.assertEqual(raised.exception.index, 2)
        self.assertEqual(str(raised.exception), "integer division or modulo by zero")

    def test_batch_argument_errors(self):
        with self.assertRaisesRegex(ValueError, "columns differ in length"):
            k.ratio.batch([1.0], [1.0, 2.0])
        with self.assertRaisesRegex(TypeError, "takes 2 columns but 1 were given"):
            k.ratio.batch([1.0])

    def test_only_scalar_functions_have_batch(self):
        self.assertTrue(hasattr(k.div, "batch"))
        self.assertFalse(hasattr(k.mean, "batch"))
        self.assertFalse(hasattr(k.deep, "batch"))


if __name__ == "__main__":
    unittest.main()
