#!/usr/bin/env python3
# Tests the differential harness itself, with stand-ins for pyvc and pyvc-call: a correct
# "compiler" (CPython under the dialect's rules) must pass, and one whose ints wrap silently at
# 64 bits must be caught on exactly the overflow inputs.
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_DIFF = os.path.join(HERE, "..", "run_diff.py")
CORPUS_FILE = os.path.join(HERE, "..", "corpus", "arith_ops.py")
FUNCTIONS = ["int_add", "int_neg", "int_floordiv", "float_mod", "divmod_pair"]


def run(semantics, mode):
    argv = [sys.executable, RUN_DIFF, "--pyvc", os.path.join(HERE, "fake_pyvc.py"),
            "--pyvc-call", os.path.join(HERE, "fake_pyvc_call.py"), "--mode", mode, CORPUS_FILE]
    for function in FUNCTIONS:
        argv += ["--function", function]
    environment = dict(os.environ, FAKE_SEMANTICS=semantics)
    return subprocess.run(argv, capture_output=True, text=True, env=environment, timeout=300)


def main():
    failures = []
    correct = run("checked", "host-strict")
    if correct.returncode != 0:
        failures.append("a correct compiler was reported as failing:\n" + correct.stdout[-3000:])
    wrapping = run("wrapping", "host")
    if wrapping.returncode == 0:
        failures.append("silently wrapping ints were not caught")
    for needle in ["int_add(9223372036854775807, 1): expected OverflowError",
                   "int_neg(-9223372036854775808): expected OverflowError",
                   "int_floordiv(-9223372036854775808, -1): expected OverflowError"]:
        if needle not in wrapping.stdout:
            failures.append(f"the report lacks `{needle}`")
    if "float_mod" in wrapping.stdout.split("failing functions:")[-1].split("\n")[0]:
        failures.append("float_mod failed although floats do not wrap")
    for failure in failures:
        print(f"FAIL: {failure}")
    print(f"harness_selftest: {'FAILED' if failures else 'ok'} ({len(failures)} problems)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
