#!/usr/bin/env python3
# The differential test: every corpus function runs under CPython (the oracle) and compiled by
# pyvc, on generated inputs; answers must agree. Modes: host, host-strict, aarch64 (under qemu,
# also bit-identical to x86-64), aarch64-strict, aarch64-batch (the all-scalar functions through
# their batch variants, `pyvc-call --batch`). Prints a per-function report, exits 1 on any
# mismatch. Standard library only.
import argparse
import glob
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from inputs import generate_inputs  # noqa: E402
from kernel_runner import CallerCommand, call_kernel, compile_kernel_file  # noqa: E402
from matching import Tolerance, identical_lines, outcome_matches  # noqa: E402
from oracle import expected_outcome, load_corpus_file, reducing_functions  # noqa: E402
from witnesses import witnesses_for  # noqa: E402

MODES = {
    # mode: (target, strict_fp, runs under qemu, cross-checked against x86-64, batch variants,
    #        -O level or None for pyvc's default)
    "host": ("host", False, False, False, False, None),
    "host-strict": ("host", True, False, False, False, None),
    "host-O3": ("host", False, False, False, False, 3),  # -O3's own lowerings (scatter updates)
    "aarch64": ("aarch64", False, True, True, False, None),
    "aarch64-O3": ("aarch64", False, True, True, False, 3),
    "aarch64-strict": ("aarch64", True, True, True, False, None),  # float-reducing functions only
    "aarch64-batch": ("aarch64", False, True, True, True, None),  # all-scalar functions only
}
SCALAR_TYPES = {"float", "int", "bool"}
MISMATCHES_SHOWN_PER_FUNCTION = 6
HERE = os.path.dirname(os.path.abspath(__file__))


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pyvc", required=True, help="the pyvc compiler")
    parser.add_argument("--pyvc-call", required=True, help="pyvc-call built for the host")
    parser.add_argument("--aarch64-pyvc-call", help="pyvc-call cross-compiled for aarch64")
    parser.add_argument("--mode", choices=sorted(MODES), default="host")
    parser.add_argument("--work-dir", help="keep the compiled libraries here")
    parser.add_argument("--function", action="append", default=[],
                        help="only these functions (repeatable)")
    parser.add_argument("files", nargs="*", help="corpus files (default: all of corpus/)")
    return parser.parse_args()


def check_tools(options, mode):
    problems = []
    if not os.access(options.pyvc, os.X_OK):
        problems.append(f"pyvc not found at {options.pyvc}: build the `pyvc` target first")
    if not os.access(options.pyvc_call, os.X_OK):
        problems.append(f"pyvc-call not found at {options.pyvc_call}: build `pyvc-call` first")
    if MODES[mode][2]:
        path = options.aarch64_pyvc_call
        if not path or not os.access(path, os.X_OK):
            problems.append(f"aarch64 pyvc-call not found at {path}: run scripts/build-aarch64.sh "
                            "(the README's test command builds it before the tests)")
    return problems


class Report:
    def __init__(self, label):
        self.label = label
        self.passed = []
        self.failed = []
        self.inputs = 0
        self.skipped = 0
        self.lenient = 0

    def function_result(self, file_stem, name, tried, mismatches, skipped, lenient):
        self.inputs += tried
        self.skipped += skipped
        self.lenient += lenient
        status = "ok" if not mismatches else f"{len(mismatches)} MISMATCHES"
        extra = f", {skipped} skipped" if skipped else ""
        print(f"  {name:<28} {tried:4d} inputs{extra}  {status}")
        by_target = {}
        for line in mismatches:
            by_target.setdefault(line.split("]", 1)[0] + "]", []).append(line)
        for target, lines in by_target.items():
            for line in lines[:MISMATCHES_SHOWN_PER_FUNCTION]:
                print(f"      {line}")
            if len(lines) > MISMATCHES_SHOWN_PER_FUNCTION:
                print(f"      ... and {len(lines) - MISMATCHES_SHOWN_PER_FUNCTION} more {target}")
        (self.failed if mismatches else self.passed).append(f"{file_stem}.{name}")

    def file_failed(self, file_stem, functions, reason):
        print(f"  COMPILE FAILED: {reason}")
        self.failed.extend(f"{file_stem}.{f}" for f in functions)


def shorten(text, limit):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def format_call(name, args):
    return f"{name}({shorten(', '.join(repr(a) for a in args), 300)})"


def compare_function(corpus, signature, answers_by_target, strict, reducing):
    """Returns (tried, mismatch lines, skipped, lenient)."""
    stem = os.path.basename(corpus.path).removesuffix(".py")
    inputs = generate_inputs(stem, signature, witnesses_for(stem, signature.name))
    expectations = [expected_outcome(corpus, signature, args, order_may_vary=reducing)
                    for args in inputs]
    mismatches = []
    skipped = sum(1 for e in expectations if e.skip_reason)
    lenient = 0
    for target, answers in answers_by_target(inputs, expectations).items():
        for args, expected, answer in zip(inputs, expectations, answers):
            if expected.skip_reason or "identical" in answer:
                continue
            if "crash" in answer or "malformed" in answer:
                problem = str(answer.get("crash", answer.get("malformed")))
                mismatches.append(f"[{target}] {format_call(signature.name, args)}: expected "
                                  f"{expected.describe()}, got {shorten(problem, 300)}")
                continue
            tolerance = Tolerance(args) if reducing and not strict else None
            matches, got = outcome_matches(expected, answer, signature.returns, tolerance)
            if not matches:
                mismatches.append(f"[{target}] {format_call(signature.name, args)}: expected "
                                  f"{expected.describe()}, got {got}")
            elif expected.has_value and expected.errors:
                lenient += 1
    return len(inputs), mismatches, skipped, lenient


def run_file(path, options, mode, work_dir, report):
    target, strict, under_qemu, cross_check, batch, opt_level = MODES[mode]
    corpus = load_corpus_file(path)
    stem = os.path.basename(path).removesuffix(".py")
    reducing = reducing_functions(corpus.source)
    tested = [s for s in corpus.signatures if not s.is_helper
              and (not options.function or s.name in options.function)]
    if mode == "aarch64-strict":
        # --strict-fp changes only float reductions; the rest is covered by diff.aarch64, and
        # qemu's start-up per function is what costs time.
        tested = [s for s in tested if s.name in reducing]
    if batch:
        tested = [s for s in tested if is_all_scalar(s)]
    print(f"== {stem}.py ({mode}) ==")
    if not tested:
        return
    libraries = {}
    builds = {target: CallerCommand(options.aarch64_pyvc_call if under_qemu else options.pyvc_call,
                                    under_qemu, batch)}
    if cross_check:
        builds["x86-64"] = CallerCommand(options.pyvc_call, batch=batch)
    for build_target in builds:
        flavour = f"{'strict' if strict else 'default'}{f'-O{opt_level}' if opt_level else ''}"
        library = os.path.join(work_dir, f"{stem}.{build_target}.{flavour}.so")
        ok, output = compile_kernel_file(options.pyvc, path, library, build_target, strict, opt_level)
        if not ok:
            report.file_failed(stem, [s.name for s in tested], output)
            return
        libraries[build_target] = library

    for signature in tested:
        def answers_by_target(inputs, expectations):
            wanted = [a for a, e in zip(inputs, expectations) if not e.skip_reason]
            runs = {t: call_kernel(builds[t], libraries[t], signature.name, wanted) for t in builds}
            if cross_check:
                runs[f"{target} vs x86-64"] = cross_target_answers(runs[target], runs["x86-64"],
                                                                   signature.returns)
                del runs["x86-64"]  # diff.host checks x86-64 against CPython
            # Put skipped inputs back in place so answers line up with inputs.
            aligned = {}
            for name, answers in runs.items():
                iterator = iter(answers)
                aligned[name] = [None if e.skip_reason else next(iterator) for e in expectations]
            return aligned

        tried, mismatches, skipped, lenient = compare_function(
            corpus, signature, answers_by_target, strict, signature.name in reducing)
        report.function_result(stem, signature.name, tried, mismatches, skipped, lenient)


def is_all_scalar(signature):
    """Whether the function has a batch variant: scalar parameters, a scalar or tuple result."""
    returns = signature.returns
    if returns.startswith("tuple[") and returns.endswith("]"):
        members = [m.strip() for m in returns[len("tuple["):-1].split(",")]
    else:
        members = [returns]
    return (bool(signature.params) and all(t in SCALAR_TYPES for _, t in signature.params)
            and all(m in SCALAR_TYPES for m in members))


def cross_target_answers(aarch64_answers, x86_answers, returns):
    """Per input: {"identical": True} where aarch64 answered bit for bit as x86-64 (or either
    crashed, which the comparison against CPython reports), else a crash-like marker that the
    report prints with both answers."""
    marked = []
    for a, b in zip(aarch64_answers, x86_answers):
        if "crash" in a or "crash" in b or identical_lines(a, b, returns):
            marked.append({"identical": True})
        else:
            marked.append({"crash": f"not bit-identical: aarch64 answered {a}, x86-64 answered {b}"})
    return marked


def main():
    options = parse_arguments()
    problems = check_tools(options, options.mode)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    files = options.files or sorted(glob.glob(os.path.join(HERE, "corpus", "*.py")))
    report = Report(options.mode)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pyvc-diff-") as temporary:
        work_dir = options.work_dir or temporary
        os.makedirs(work_dir, exist_ok=True)
        for path in files:
            run_file(os.path.abspath(path), options, options.mode, work_dir, report)
    seconds = time.monotonic() - started
    print(f"\n{len(report.passed) + len(report.failed)} functions, {report.inputs} inputs "
          f"({report.skipped} outside the dialect's domain, {report.lenient} accepted either way "
          f"for order-dependent int overflow), {seconds:.1f} s")
    if report.failed:
        print("failing functions: " + " ".join(report.failed))
    print(f"diff.{options.mode}: {len(report.passed)} passed, {len(report.failed)} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
