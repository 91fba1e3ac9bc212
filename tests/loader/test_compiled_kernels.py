"""Compiles compiled_kernels.py with the real `pyvc compile` (host, and aarch64 when a cross
pyvc-call exists), then checks that pyvc.load and pyvc-call give exactly what CPython gives for
the same file: the same values (bit for bit, via repr) and the same exception types. Also: two
libraries with the same function names in one process, and a library for a newer x86 CPU
refused (not SIGILL) by pyvc-call on an older one, emulated by qemu-x86_64.
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


WINDOWS = "def mean(xs: list[float]) -> float:\n    return sum(xs) / len(xs)\n"
PEAKS = "def mean(xs: list[float]) -> float:\n    return max(xs)\n"


class TwoModulesTest(unittest.TestCase):
    """Two libraries that both define `mean` load into one process; each call reaches its own."""

    def test_both_means_in_one_process(self):
        directory = tempfile.mkdtemp(prefix="pyvc-loader-modules-")
        self.addCleanup(shutil.rmtree, directory)
        libraries = {}
        for name, text in (("windows", WINDOWS), ("peaks", PEAKS)):
            source = os.path.join(directory, name + ".py")
            with open(source, "w") as file:
                file.write(text)
            output = os.path.join(directory, name + ".so")
            subprocess.run([COMPILER, "compile", source, "-o", output, "--no-cache"], check=True,
                           timeout=300)
            libraries[name] = pyvc.load(output)
        self.assertEqual(libraries["windows"].manifest["module"], "windows")
        self.assertEqual(libraries["peaks"].manifest["functions"][0]["symbol"], "pyvc_peaks_fn_mean")
        self.assertEqual(libraries["windows"].mean([1.0, 2.0, 6.0]), 3.0)
        self.assertEqual(libraries["peaks"].mean([1.0, 2.0, 6.0]), 6.0)


def qemu_runs(cpu):
    try:
        result = subprocess.run(["qemu-x86_64", "-cpu", cpu, "/bin/true"], capture_output=True,
                                timeout=60)
    except OSError:
        return False
    return result.returncode == 0


@unittest.skipUnless(os.uname().machine == "x86_64" and qemu_runs("Nehalem"),
                     "needs an x86-64 machine and qemu-x86_64")
class CpuFeatureRefusalTest(unittest.TestCase):
    """A library for x86-64-v3 (AVX2, FMA, BMI...) on a CPU without them: pyvc-call refuses it with
    the missing features and exit 3 before any of its code runs. qemu 7.2's TCG cannot execute
    AVX-512 at all, so the newer CPU is x86-64-v3 and the older one a Nehalem (SSE4.2, no AVX)."""

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.mkdtemp(prefix="pyvc-loader-cpu-")
        cls.library_path = compile_kernels(cls.directory, "x86-64-v3")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.directory)

    def call_under(self, cpu):
        return subprocess.run(["qemu-x86_64", "-cpu", cpu, CALL, "--allow-unsigned",
                               self.library_path, "mean"], input="[[1.0, 2.0, 4.5]]\n",
                              capture_output=True, text=True, timeout=300)

    def test_manifest_lists_the_features_of_the_target(self):
        features = pyvc.read_manifest(self.library_path)["target"]["features"]
        self.assertEqual(features, ["cmov", "cx8", "sse", "sse2", "sse3", "ssse3", "sse4.1",
                                    "sse4.2", "popcnt", "cx16", "movbe", "avx", "fma", "f16c",
                                    "sahf", "lzcnt", "bmi", "bmi2", "avx2"])

    def test_older_cpu_is_refused_with_the_missing_features(self):
        result = self.call_under("Nehalem")
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr,
                         "pyvc-call: error: %s: compiled for x86-64-v3 (cpu x86-64-v3), needs CPU "
                         "features movbe, avx, fma, f16c, lzcnt, bmi, bmi2, avx2 that this x86_64 "
                         "CPU lacks; compile it for an older target or with --target host here\n"
                         % self.library_path)

    def test_cpu_with_the_features_runs_it(self):
        for cpu in ("Haswell", "max"):
            with self.subTest(cpu=cpu):
                result = self.call_under(cpu)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stdout, '{"ok": 2.5}\n')


if __name__ == "__main__":
    unittest.main()
