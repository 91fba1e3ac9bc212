#!/usr/bin/env python3
# Codegen test: compiles kernels/vectorizable.py with `pyvc compile --emit=asm` and asserts that
# a kernel's loop holds the vector instructions it should (NEON on v registers for aarch64, ymm
# for x86-64-v3) and that no fused multiply-add appears (Python never fuses). On failure prints
# the offending assembly. Standard library only.
import argparse
import os
import re
import subprocess
import sys
import tempfile

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

FUNCTION_START = re.compile(r"^([A-Za-z_.$][\w.$]*):")
SIZE_DIRECTIVE = re.compile(r"^\s*\.size\s+([\w.$]+),")
BRANCH_TARGET = re.compile(r"^\s+[a-z][\w.]*\s+(?:.*,\s*)?(\.LBB\d+_\d+)\s*$")
LOCAL_LABEL = re.compile(r"^(\.LBB\d+_\d+):")
CALL = re.compile(r"^\s+(?:bl|call[lq]?|b|jmp)\s+([A-Za-z_][\w.$]*)(?:@PLT)?\s*$")


def family(target):
    return "aarch64" if target.startswith("aarch64") else "x86-64"


def split_functions(asm):
    """Function name -> its lines, from `name:` to its `.size` directive."""
    functions, current, body = {}, None, []
    for line in asm.splitlines():
        size = SIZE_DIRECTIVE.match(line)
        if current and size and size.group(1) == current:
            functions[current] = body
            current, body = None, []
            continue
        start = FUNCTION_START.match(line)
        if start and not line.startswith(".L") and current is None:
            current, body = start.group(1), []
            continue
        if current:
            body.append(line)
    return functions


def with_callees(functions, symbol):
    """The symbol's lines plus those of the local functions it calls (the body may be split
    into an outlined helper)."""
    seen, pending, lines = set(), [symbol], []
    while pending:
        name = pending.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        lines.extend(functions[name])
        pending.extend(m.group(1) for m in map(CALL.match, functions[name]) if m)
    return lines


def loop_lines(lines):
    """Lines inside some loop: between a block label and a later branch back to it."""
    label_at = {}
    inside = set()
    for index, line in enumerate(lines):
        label = LOCAL_LABEL.match(line)
        if label:
            label_at[label.group(1)] = index
        branch = BRANCH_TARGET.match(line)
        if branch and branch.group(1) in label_at:
            inside.update(range(label_at[branch.group(1)], index + 1))
    return [lines[i] for i in sorted(inside)]


def compile_asm(pyvc, target, work_dir):
    output = os.path.join(work_dir, f"vectorizable.{target}.s")
    argv = [pyvc, "compile", KERNELS, "--emit=asm", "--target", target, "-O3", "--no-cache",
            "-o", output]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {done.returncode}:\n"
                           f"{done.stdout}{done.stderr}")
    with open(output, encoding="utf-8") as f:
        return f.read()


def check_kernel(asm, target, kernel):
    """Returns a list of failure messages (empty when the kernel's code is as expected)."""
    symbol, patterns = EXPECTATIONS[family(target)][kernel]
    functions = split_functions(asm)
    if symbol not in functions:
        return [f"{symbol} not found in the assembly (functions: {', '.join(sorted(functions))})"]
    body = with_callees(functions, symbol)
    loop = loop_lines(body)
    failures = []
    if not loop:
        failures.append(f"{symbol} has no loop (no branch back to a block label)")
    for pattern in patterns:
        if not any(re.search(pattern, line) for line in loop):
            failures.append(f"no instruction matching /{pattern}/ inside a loop of {symbol}")
    for pattern in FORBIDDEN_IN_LOOPS[family(target)].get(kernel, []):
        found = [line.strip() for line in loop if re.search(pattern, line)]
        if found:
            failures.append(f"{symbol} has /{pattern}/ inside a loop: {found[:3]}")
    fused = [line.strip() for line in body if re.search(FUSED_MULTIPLY_ADD, line)]
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
        try:
            asm = compile_asm(options.pyvc, options.target, work_dir)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            print(f"error: {error}")
            return 1
    failed = 0
    functions = split_functions(asm)
    for kernel in kernels:
        failures = check_kernel(asm, options.target, kernel)
        print(f"{options.target} {kernel}: {'ok' if not failures else 'FAILED'}")
        if failures:
            failed += 1
            for failure in failures:
                print(f"  {failure}")
            symbol = EXPECTATIONS[family(options.target)][kernel][0]
            print(f"  --- assembly of {symbol} (and its local callees) ---")
            print("\n".join(with_callees(functions, symbol)) or "  (none)")
    print(f"codegen: {len(kernels) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
