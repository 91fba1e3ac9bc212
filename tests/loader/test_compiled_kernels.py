"""Compiles compiled_kernels.py with the real `pyvc compile` (host, and aarch64 when a cross
pyvc-call exists), then checks that pyvc.load and pyvc-call give exactly what CPython gives for
the same file: the same values (bit for bit, via repr) and the same exception types.
Environment: PYVC_COMPILER, PYVC_CALL, optional PYVC_AARCH64_CALL; PYTHONPATH has the package."""

import importlib.util
import json
import math
import os
import shutil
import subprocess
import tempfile
import unittest

import pyvc

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "compiled_kernels.py")
COMPILER = os.environ["PYVC_COMPILER"]
CALL = os.environ["PYVC_CALL"]
AARCH64_CALL = os.environ.get("PYVC_AARCH64_CALL", "")

NAN, INF = math.nan, math.inf

# (function, argument lists): the edge cases the issue names -- empty lists, NaN, inf, -0.0,
# negative divisors, ints near 2**63.
CASES = {
    "mean": [[[1.0, 2.0, 4.5]], [[]], [[0.1, 0.2, 0.3]], [[NAN, 1.0]], [[INF, -INF]], [[-0.0]],
             [[1e308, 1e308]]],
    "clamp": [[[-5.0, 0.5, 9.0], 0.0, 1.0], [[], 0.0, 1.0], [[-0.0, 0.0], 0.0, 1.0],
              [[1.0, 2.0], 3.0, 2.0]],
    "floor_div": [[7, 2], [-7, 2], [7, -2], [-7, -2], [1, 0], [0, 5],
                  [-(2**63), -1], [2**63 - 1, -1], [-(2**63), 1]],
    "ratio": [[1.0, 4.0], [1.0, 0.0], [0.0, 0.0], [-1.0, -0.0], [1e308, 1e-308], [NAN, 2.0],
              [3, 2]],
    "in_band": [[20.5, 18.0, 25.0], [25.0, 18.0, 25.0], [18.0, 18.0, 25.0], [NAN, 0.0, 1.0]],
    "pick": [[True, 1.5, 2.5], [False, 1.5, 2.5]],
    "bounds": [[[3.0, -1.0, 2.0]], [[]], [[-0.0, 0.0]], [[5.0]]],
    "divmod_int": [[7, 2], [-7, 2], [7, -2], [1, 0], [-(2**63), -1]],
    "above": [[[1.0, 5.0, NAN], 2.0], [[], 0.0]],
    "count_true": [[[True, False, True]], [[]]],
    "squares": [[5], [0], [-3]],
    "at": [[[10, 20, 30], -1], [[10, 20, 30], 3], [[10, 20, 30], -4], [[], 0]],
}


def cpython_module():
    spec = importlib.util.spec_from_file_location("compiled_kernels_cpython", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outcome(function, args):
    """("ok", repr-able value) or ("error", exception type name), as a comparable pair."""
    try:
        value = function(*args)
    except Exception as error:  # the type is what must agree
        return ("error", type(error).__name__)
    members = value if isinstance(value, tuple) else (value,)
    for member in members:
        if isinstance(member, int) and not isinstance(member, bool) \
                and not -(2**63) <= member < 2**63:
            return ("error", "OverflowError")  # 64-bit ints: pyvc raises where CPython grows
    return ("ok", repr(value))


def json_line(pair_value):
    """pyvc-call's expected line for a CPython value: Python's json module writes floats with
    repr and NaN/Infinity as bare tokens, exactly the protocol."""
    return json.dumps({"ok": pair_value})


def compile_kernels(directory, target):
    output = os.path.join(directory, "kernels-%s.so" % target)
    command = [COMPILER, "compile", SOURCE, "-o", output, "--target", target, "--no-cache"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s%s" % (" ".join(command), result.returncode,
                                                       result.stdout, result.stderr))
    return output


class CompiledKernelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.mkdtemp(prefix="pyvc-loader-compiled-")
        cls.library_path = compile_kernels(cls.directory, "host")
        cls.cpython = cpython_module()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.directory)

    def test_manifest_lists_every_function(self):
        manifest = pyvc.read_manifest(self.library_path)
        names = [function["name"] for function in manifest["functions"]]
        self.assertEqual(sorted(names), sorted(CASES))
        batch = {f["name"] for f in manifest["functions"] if f.get("batch_symbol")}
        self.assertTrue({"floor_div", "ratio", "in_band", "pick", "divmod_int"} <= batch, batch)

    def test_python_package_agrees_with_cpython(self):
        library = pyvc.load(self.library_path)
        for name, cases in CASES.items():
            for args in cases:
                with self.subTest(function=name, args=args):
                    self.assertEqual(outcome(getattr(library, name), args),
                                     outcome(getattr(self.cpython, name), args))

    def test_batch_variants_agree_with_scalar_calls(self):
        library = pyvc.load(self.library_path)
        a = [7, -7, 7, 0, 2**62]
        b = [2, 2, -2, 5, -3]
        self.assertEqual(library.floor_div.batch(a, b), [x // y for x, y in zip(a, b)])
        self.assertEqual(library.divmod_int.batch(a, b),
                         ([x // y for x, y in zip(a, b)], [x % y for x, y in zip(a, b)]))
        with self.assertRaises(ZeroDivisionError) as raised:
            library.ratio.batch([1.0, 2.0, 3.0], [1.0, 0.0, 1.0])
        self.assertEqual(raised.exception.index, 1)

    def run_pyvc_call(self, command_prefix, library_path, name, cases):
        lines = "".join(json.dumps(args) + "\n" for args in cases)
        result = subprocess.run(command_prefix + [library_path, name], input=lines,
                                capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.splitlines()

    def expected_line(self, name, args):
        """("ok", the exact line) or ("error", the exception name)."""
        function = getattr(self.cpython, name)
        kind, detail = outcome(function, args)
        if kind == "error":
            return kind, detail
        value = function(*args)
        return kind, json_line(list(value) if isinstance(value, tuple) else value)

    def check_lines(self, name, cases, lines):
        self.assertEqual(len(lines), len(cases), name)
        for args, line in zip(cases, lines):
            with self.subTest(function=name, args=args):
                kind, expected = self.expected_line(name, args)
                if kind == "ok":
                    self.assertEqual(line, expected)
                else:
                    self.assertEqual(json.loads(line).get("error"), expected, line)

    def test_pyvc_call_agrees_with_cpython(self):
        for name, cases in CASES.items():
            self.check_lines(name, cases, self.run_pyvc_call([CALL], self.library_path, name, cases))

    @unittest.skipUnless(os.path.exists(AARCH64_CALL),
                         "no aarch64 pyvc-call: run `bash scripts/build-aarch64.sh` first")
    def test_aarch64_build_under_qemu_agrees_with_cpython(self):
        library_path = compile_kernels(self.directory, "aarch64")
        self.assertEqual(pyvc.read_manifest(library_path)["target"]["triple"].split("-")[0],
                         "aarch64")
        qemu = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", AARCH64_CALL]
        for name, cases in CASES.items():
            self.check_lines(name, cases, self.run_pyvc_call(qemu, library_path, name, cases))


if __name__ == "__main__":
    unittest.main()
