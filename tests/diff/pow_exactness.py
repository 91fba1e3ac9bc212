#!/usr/bin/env python3
# `**` and math.pow with constant exponents against CPython, on many inputs (docs/LANGUAGE.md,
# "Exactness of `**`"):
#   --strict-fp: every result has CPython's bits (CPython calls libm's pow; so does the kernel,
#                and LLVM may not rewrite the call);
#   default:     x ** 2 is the correctly rounded x * x, x ** 0.5 is sqrt(x), x ** -1 is 1 / x and
#                2.0 ** x is exp2(x), bit for bit; every other exponent is libm's pow as in CPython.
# Each kernel runs through its batch variant (the pyvc Python package) over all inputs at once.
import argparse
import math
import os
import random
import struct
import subprocess
import sys
import tempfile

KERNELS = '''
import math


def square(x: float) -> float:
    return x ** 2


def cube(x: float) -> float:
    return x ** 3


def root(x: float) -> float:
    return x ** 0.5


def inverse(x: float) -> float:
    return x ** -1


def two_to(x: float) -> float:
    return 2.0 ** x


def math_square(x: float) -> float:
    return math.pow(x, 2)


def math_root(x: float) -> float:
    return math.pow(x, 0.5)
'''

# Values where libm's pow and the rewritten forms are known to differ in the last bit.
KNOWN = [1.1461879775969166]


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def random_doubles(rng, count, low_exponent, high_exponent, negative):
    values = []
    for _ in range(count):
        mantissa = rng.getrandbits(52)
        exponent = rng.randint(low_exponent, high_exponent) + 1023
        value = struct.unpack("<d", struct.pack("<Q", (exponent << 52) | mantissa))[0]
        values.append(-value if negative and rng.random() < 0.5 else value)
    return values


def inputs_for(name, rng, count):
    if name in ("square", "math_square"):
        values = random_doubles(rng, count, -500, 500, True)
    elif name == "cube":
        values = random_doubles(rng, count, -300, 300, True)
    elif name in ("root", "math_root"):
        values = random_doubles(rng, count, -1000, 1000, False) + [0.0, -0.0, math.inf]
    elif name == "inverse":
        values = random_doubles(rng, count, -1000, 1000, True)
    else:  # two_to
        values = [rng.uniform(-1070.0, 1023.0) for _ in range(count)] + [-0.0, 0.5, 1e-300]
    return KNOWN + values


def cpython(name, x):
    return {"square": lambda: x ** 2, "cube": lambda: x ** 3, "root": lambda: x ** 0.5,
            "inverse": lambda: x ** -1, "two_to": lambda: 2.0 ** x,
            "math_square": lambda: math.pow(x, 2), "math_root": lambda: math.pow(x, 0.5)}[name]()


def default_contract(name, x):
    if name in ("square", "math_square"):
        return x * x
    if name in ("root", "math_root"):
        return math.fabs(math.sqrt(x))  # pow(-0.0, 0.5) is +0.0
    if name == "inverse":
        return 1.0 / x
    if name == "two_to":
        return math.exp2(x)
    return cpython(name, x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pyvc", required=True)
    parser.add_argument("--python-package", required=True)
    parser.add_argument("--inputs", type=int, default=100_000, help="random inputs per kernel")
    args = parser.parse_args()
    sys.path.insert(0, args.python_package)
    import pyvc

    rng = random.Random(20261208)
    failures = []
    with tempfile.TemporaryDirectory(prefix="pyvc-pow-") as work:
        source = os.path.join(work, "powers.py")
        with open(source, "w") as out:
            out.write(KERNELS)
        for mode in ("strict", "default"):
            library = os.path.join(work, f"powers.{mode}.so")
            command = [args.pyvc, "compile", source, "-o", library] + (["--strict-fp"] if mode == "strict" else [])
            subprocess.run(command, check=True)
            kernels = pyvc.load(library)
            for name in ("square", "cube", "root", "inverse", "two_to", "math_square", "math_root"):
                values = inputs_for(name, rng, args.inputs)
                results = getattr(kernels, name).batch(values)
                differs_from_cpython = 0
                wrong = []
                for x, got in zip(values, results):
                    python = cpython(name, x)
                    expected = python if mode == "strict" else default_contract(name, x)
                    if bits(got) != bits(expected):
                        wrong.append((x, got, expected))
                    differs_from_cpython += bits(got) != bits(python)
                print(f"{mode:7} {name:12} {len(values)} inputs: {len(wrong)} off the contract, "
                      f"{differs_from_cpython} differ from CPython's bits")
                for x, got, expected in wrong[:5]:
                    failures.append(f"{mode} {name}({x!r}) = {got!r} ({got.hex()}), "
                                    f"expected {expected!r} ({expected.hex()})")
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
