#!/usr/bin/env python3
# Codegen test: compiles kernels/vectorizable.py to the library pyvc ships (`pyvc compile`, a
# .so), disassembles it with llvm-objdump-19, and asserts that a kernel's loop holds the vector
# instructions it should (NEON on v registers for aarch64, ymm for x86-64-v3) and that no fused
# multiply-add appears (Python never fuses). On failure prints the offending disassembly.
# Standard library only.
import argparse
import os
import re
import subprocess
import sys
import tempfile

from disassembly import compile_kernels, disassemble, loop_instructions, with_callees

HERE = os.path.dirname(os.path.abspath(__file__))
KERNELS = os.path.join(HERE, "kernels", "vectorizable.py")

# kernel -> (symbol, [regexes that must all match inside a loop]) per target family.
NEON_COMPARE = r"\bfcm(gt|ge|lt|le|eq)\s+v\d+\.2d"
YMM_COMPARE = r"\bvcmp\w*pd\s+.*%ymm\d+"
EXPECTATIONS = {
    "aarch64": {
        "float_sum": ("pyvc_vectorizable_fn_float_sum", [r"\bfadd\s+v\d+\.2d"]),
        "sum_gt": ("pyvc_vectorizable_fn_sum_gt", [NEON_COMPARE, r"\bfadd\s+v\d+\.2d"]),
        "clamp": ("pyvc_vectorizable_fn_clamp",
                  [r"\b(fcm(gt|ge|lt|le)|fmaxnm|fminnm|fmax|fmin|bsl|bif|bit)\s+v\d+\.(2d|16b)"]),
        "scale": ("pyvc_vectorizable_fn_scale", [r"\bfmul\s+v\d+\.2d"]),
        "dot": ("pyvc_vectorizable_fn_dot", [r"\bfmul\s+v\d+\.2d", r"\bfadd\s+v\d+\.2d"]),
        "overheat_batch": ("pyvc_vectorizable_batch_overheat", [NEON_COMPARE]),
        "calibrate_batch": ("pyvc_vectorizable_batch_calibrate", [r"\bfmul\s+v\d+\.2d", r"\bfadd\s+v\d+\.2d"]),
        "zero_crossings": ("pyvc_vectorizable_fn_zero_crossings", [NEON_COMPARE, r"\b(add|sub)\s+v\d+\.2d"]),
        "histogram": ("pyvc_vectorizable_fn_histogram", [NEON_COMPARE, r"\bfdiv\s+v\d+\.2d", r"\bfcvtzs\s+v\d+\.2d"]),
        "band_sum": ("pyvc_vectorizable_fn_band_sum", [NEON_COMPARE, r"\bfadd\s+v\d+\.2d"]),
    },
    "x86-64": {
        "float_sum": ("pyvc_vectorizable_fn_float_sum", [r"\bvaddpd\s+.*%ymm\d+"]),
        "sum_gt": ("pyvc_vectorizable_fn_sum_gt", [YMM_COMPARE, r"\bvaddpd\s+.*%ymm\d+"]),
        "clamp": ("pyvc_vectorizable_fn_clamp", [r"\bv(cmp\w*|max|min|blendv)pd\s+.*%ymm\d+"]),
        "scale": ("pyvc_vectorizable_fn_scale", [r"\bvmulpd\s+.*%ymm\d+"]),
        "dot": ("pyvc_vectorizable_fn_dot", [r"\bvmulpd\s+.*%ymm\d+", r"\bvaddpd\s+.*%ymm\d+"]),
        "overheat_batch": ("pyvc_vectorizable_batch_overheat", [YMM_COMPARE]),
        "calibrate_batch": ("pyvc_vectorizable_batch_calibrate", [r"\bvmulpd\s+.*%ymm\d+", r"\bvaddpd\s+.*%ymm\d+"]),
        "zero_crossings": ("pyvc_vectorizable_fn_zero_crossings", [YMM_COMPARE, r"\bvp(add|sub)q\s+.*%ymm\d+"]),
        "histogram": ("pyvc_vectorizable_fn_histogram", [YMM_COMPARE, r"\bvdivpd\s+.*%ymm\d+"]),
        "band_sum": ("pyvc_vectorizable_fn_band_sum", [YMM_COMPARE, r"\bvaddpd\s+.*%ymm\d+"]),
    },
}
# Instructions a kernel's loops must not hold. zero_crossings reads xs[i - 1] and xs[i]: when
# GVN turns the first into the previous iteration's second, the vector loop pays a lane shuffle
# per vector (compiler/Optimizer.cpp, setLlvmOptions).
FORBIDDEN_IN_LOOPS = {
    "aarch64": {"zero_crossings": [r"\bext\s+v\d+\.16b"]},
    "x86-64": {"zero_crossings": [r"\bv(perm\w*|palignr|shufpd|valign\w*)\b"]},
}
# Contraction changes results (ARCHITECTURE.md): no kernel may contain a fused multiply-add.
FUSED_MULTIPLY_ADD = r"\b(v?fn?m(add|sub)\w*|fml[as])\b"



def family(target):
    return "aarch64" if target.startswith("aarch64") else "x86-64"


def check_kernel(functions, target, kernel):
    """Returns a list of failure messages (empty when the kernel's code is as expected)."""
    symbol, patterns = EXPECTATIONS[family(target)][kernel]
    if symbol not in functions:
        return [f"{symbol} not found in the library (functions: {', '.join(sorted(functions))})"]
    bodies = with_callees(functions, symbol)
    body = [str(instruction) for part in bodies for instruction in part]
    loop = [str(instruction) for part in bodies for instruction in loop_instructions(part)]
    failures = []
    if not loop:
        failures.append(f"{symbol} has no loop (no branch back within a function)")
    for pattern in patterns:
        if not any(re.search(pattern, line) for line in loop):
            failures.append(f"no instruction matching /{pattern}/ inside a loop of {symbol}")
    for pattern in FORBIDDEN_IN_LOOPS[family(target)].get(kernel, []):
        found = [line for line in loop if re.search(pattern, line)]
        if found:
            failures.append(f"{symbol} has /{pattern}/ inside a loop: {found[:3]}")
    fused = [line for line in body if re.search(FUSED_MULTIPLY_ADD, line)]
    if fused:
        failures.append(f"{symbol} contains fused multiply-adds: {fused[:3]}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pyvc", required=True)
    parser.add_argument("--target", required=True, help="aarch64 or x86-64-v3 (or a CPU variant)")
    parser.add_argument("kernels", nargs="*", help="default: every kernel of the target")
    options = parser.parse_args()
    if not os.access(options.pyvc, os.X_OK):
        print(f"error: pyvc not found at {options.pyvc}: build the `pyvc` target first")
        return 1
    kernels = options.kernels or sorted(EXPECTATIONS[family(options.target)])
    with tempfile.TemporaryDirectory(prefix="pyvc-codegen-") as work_dir:
        library = os.path.join(work_dir, f"vectorizable.{options.target}.so")
        try:
            compile_kernels(options.pyvc, KERNELS, library, options.target, 3)
            functions = disassemble(library)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            print(f"error: {error}")
            return 1
    failed = 0
    for kernel in kernels:
        failures = check_kernel(functions, options.target, kernel)
        print(f"{options.target} {kernel}: {'ok' if not failures else 'FAILED'}")
        if failures:
            failed += 1
            for failure in failures:
                print(f"  {failure}")
            symbol = EXPECTATIONS[family(options.target)][kernel][0]
            print(f"  --- disassembly of {symbol} (and its local callees) ---")
            for part in with_callees(functions, symbol):
                print("\n".join(f"  {i.address:x}: {i}" for i in part))
    print(f"codegen: {len(kernels) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
