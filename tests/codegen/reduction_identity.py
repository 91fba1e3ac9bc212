#!/usr/bin/env python3
# Cross-target reduction test: float sums from kernels/reduction.py, compiled for x86-64 and for
# aarch64 (run under qemu) at -O0 and -O3, must give bit-identical results on every array --
# the fixed lane order -- and with --strict-fp must equal CPython's sum() bit for bit.
import argparse
import json
import math
import os
import random
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
KERNELS = os.path.join(HERE, "kernels", "reduction.py")
FUNCTIONS = ["total", "total_loop", "total_positive"]
SIZES = [0, 1, 2, 15, 16, 17, 31, 32, 33, 1000, 12345]
QEMU_PREFIX = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]


def arrays():
    """Deterministic arrays of mixed magnitudes, so the summation order shows in the bits."""
    rng = random.Random(20261122)
    result = []
    for n in SIZES:
        result.append([rng.uniform(-1.0, 1.0) * 10.0 ** rng.randint(-12, 12) for _ in range(n)])
    # Cancellation and exact values: order changes the result a lot, or not at all.
    result.append([1e16, 1.0, -1e16, 1.0] * 9 + [0.5])
    result.append([0.1] * 1000)
    result.append([float(i) for i in range(1, 300)])
    result.append([-0.0] * 17)
    return result


def float_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def cpython_reference(function, xs):
    if function == "total_positive":
        return float(sum(x for x in xs if x > 0.0))
    if function == "total_loop":
        acc = 0.0
        for x in xs:
            acc += x
        return acc
    return float(sum(xs))


def compile_library(pyvc, target, opt_level, strict, work_dir):
    name = f"reduction.{target}.O{opt_level}{'.strict' if strict else ''}.so"
    library = os.path.join(work_dir, name)
    argv = [pyvc, "compile", KERNELS, "-o", library, "--target", target, f"-O{opt_level}",
            "--no-cache"] + (["--strict-fp"] if strict else [])
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    return library


def call_all(prefix, library, function, inputs):
    lines = "".join(json.dumps([xs]) + "\n" for xs in inputs)
    done = subprocess.run(prefix + [library, function], input=lines, capture_output=True,
                          text=True, timeout=600)
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    if done.returncode != 0 or len(answers) != len(inputs):
        raise RuntimeError(f"pyvc-call {function} on {library} exited with {done.returncode} after "
                           f"{len(answers)} of {len(inputs)} answers:\n{done.stderr[-1000:]}")
    results = []
    for answer in answers:
        if "ok" not in answer:
            raise RuntimeError(f"{function} on {library} answered {answer}")
        results.append(float(answer["ok"]))
    return results


def main():
    if sys.version_info[:2] != (3, 11):
        print(f"error: the reference is CPython 3.11's sum(), not {sys.version.split()[0]}'s")
        return 1
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pyvc", required=True)
    parser.add_argument("--pyvc-call", required=True)
    parser.add_argument("--aarch64-pyvc-call", required=True)
    options = parser.parse_args()
    for path, what in [(options.pyvc, "pyvc: build the `pyvc` target"),
                       (options.pyvc_call, "pyvc-call: build the `pyvc-call` target"),
                       (options.aarch64_pyvc_call,
                        "the aarch64 pyvc-call: run scripts/build-aarch64.sh")]:
        if not os.access(path, os.X_OK):
            print(f"error: {path} not found; {what} first")
            return 1

    inputs = arrays()
    callers = {"x86-64": [options.pyvc_call], "aarch64": QEMU_PREFIX + [options.aarch64_pyvc_call]}
    failures = []
    checks = 0
    with tempfile.TemporaryDirectory(prefix="pyvc-reduction-") as work_dir:
        try:
            results = {}
            for target, prefix in callers.items():
                for opt_level in (0, 3):
                    for strict in (False, True):
                        library = compile_library(options.pyvc, target, opt_level, strict, work_dir)
                        for function in FUNCTIONS:
                            results[(target, opt_level, strict, function)] = call_all(
                                prefix, library, function, inputs)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            print(f"error: {error}")
            return 1

    for function in FUNCTIONS:
        differs_from_cpython = 0
        for index, xs in enumerate(inputs):
            expected = cpython_reference(function, xs)
            default = {(t, o): results[(t, o, False, function)][index]
                       for t in callers for o in (0, 3)}
            checks += 1
            if len({float_bits(v) for v in default.values()}) != 1:
                failures.append(f"{function} n={len(xs)} (array {index}): default-mode results "
                                f"differ: " + ", ".join(f"{t} -O{o}: {v!r}"
                                                        for (t, o), v in default.items()))
            if float_bits(default[("x86-64", 3)]) != float_bits(expected):
                differs_from_cpython += 1
                scale = math.fsum(abs(x) for x in xs) * (len(xs) + 16) * 2.0 ** -50
                if abs(default[("x86-64", 3)] - expected) > scale:
                    failures.append(f"{function} n={len(xs)}: lane-order sum "
                                    f"{default[('x86-64', 3)]!r} is far from CPython's {expected!r}")
            for target in callers:
                for opt_level in (0, 3):
                    strict_value = results[(target, opt_level, True, function)][index]
                    checks += 1
                    if float_bits(strict_value) != float_bits(expected):
                        failures.append(f"{function} n={len(xs)}: --strict-fp on {target} "
                                        f"-O{opt_level} gives {strict_value!r}, CPython {expected!r}")
        print(f"{function}: {len(inputs)} arrays, default mode differs from CPython's order on "
              f"{differs_from_cpython} of them (expected: lane order)")
    for failure in failures:
        print(f"FAIL: {failure}")
    print(f"reduction_identity: {checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
