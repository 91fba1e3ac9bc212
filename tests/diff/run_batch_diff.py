#!/usr/bin/env python3
# Differential test of the batch variants: every scalar corpus function with a batch symbol is
# evaluated by pyvc_<module>_batch_<f> over columns of generated inputs (through the pyvc Python
# package, in process) and compared element by element with CPython, including where the batch stops:
# at the first failing element, with that element's exception and index. Host only.
import argparse
import glob
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from inputs import generate_inputs  # noqa: E402
from kernel_runner import compile_kernel_file  # noqa: E402
from matching import Tolerance, values_match  # noqa: E402
from oracle import (KERNEL_ERRORS, conform, expected_outcome, load_corpus_file,  # noqa: E402
                    reducing_functions)
from witnesses import witnesses_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MISMATCHES_SHOWN = 6


def transpose_results(results, returns):
    """The batch returns one list per result member; per element values in the annotated type."""
    if returns.startswith("tuple["):
        return [conform(tuple(member[i] for member in results), returns)
                for i in range(len(results[0]) if results else 0)]
    return [conform(value, returns) for value in results]


class BatchChecker:
    """Walks the inputs with batch calls: a call either answers every element, or stops at the
    first failing one; the prefix before it is then re-run to compare its values."""

    def __init__(self, function, signature, tolerance_for):
        self.function = function
        self.signature = signature
        self.tolerance_for = tolerance_for
        self.mismatches = []

    def _columns(self, inputs):
        return [[args[j] for args in inputs] for j in range(len(self.signature.params))]

    def _call(self, inputs):
        """('ok', per-element values) or ('error', name, index) or ('broken', text)."""
        try:
            results = self.function.batch(*self._columns(inputs))
        except Exception as error:  # the batch's exception is what is being tested
            name = type(error).__name__
            if name in KERNEL_ERRORS and hasattr(error, "index"):
                return ("error", name, error.index)
            return ("broken", f"{name}: {error}")
        return ("ok", transpose_results(results, self.signature.returns))

    def _compare_values(self, inputs, expectations, values):
        for args, expected, got in zip(inputs, expectations, values):
            if not expected.has_value or not values_match(
                    expected.value, got, self.signature.returns, self.tolerance_for(args)):
                self._mismatch(args, expected, repr(got))

    def _mismatch(self, args, expected, got):
        self.mismatches.append(f"{self.signature.name}.batch at {args!r}: expected "
                               f"{expected.describe()}, got {got}")

    def check(self, inputs, expectations):
        start = 0
        while start < len(inputs) and len(self.mismatches) < 50:
            answer = self._call(inputs[start:])
            if answer[0] == "broken":
                self._mismatch(inputs[start], expectations[start], answer[1])
                return
            if answer[0] == "ok":
                self._compare_values(inputs[start:], expectations[start:], answer[1])
                return
            _, name, index = answer
            failing = start + index
            if not 0 <= index < len(inputs) - start:
                self._mismatch(inputs[start], expectations[start],
                               f"{name} at out-of-range index {index}")
                return
            if name not in expectations[failing].errors:
                self._mismatch(inputs[failing], expectations[failing], f"{name} (index {index})")
            if failing > start:
                prefix = self._call(inputs[start:failing])
                if prefix[0] == "ok":
                    self._compare_values(inputs[start:failing], expectations[start:failing],
                                         prefix[1])
                else:
                    self._mismatch(inputs[start], expectations[start],
                                   f"the prefix before index {index} fails: {prefix}")
            start = failing + 1


def run_file(path, pyvc, strict, work_dir, load):
    corpus = load_corpus_file(path)
    stem = os.path.basename(path).removesuffix(".py")
    library = os.path.join(work_dir, f"{stem}.batch.{'strict' if strict else 'default'}.so")
    ok, output = compile_kernel_file(pyvc, path, library, "host", strict)
    print(f"== {stem}.py (batch, {'strict' if strict else 'default'} fp) ==")
    if not ok:
        print(f"  COMPILE FAILED: {output}")
        return 0, 1
    kernels = load(library)
    reducing = reducing_functions(corpus.source)
    passed = failed = 0
    for signature in corpus.signatures:
        function = getattr(kernels, signature.name, None)
        if signature.is_helper or function is None or not hasattr(function, "batch"):
            continue
        inputs = generate_inputs(stem, signature, witnesses_for(stem, signature.name))
        expectations = [expected_outcome(corpus, signature, args,
                                         order_may_vary=signature.name in reducing)
                        for args in inputs]
        kept = [(a, e) for a, e in zip(inputs, expectations) if not e.skip_reason]
        use_tolerance = signature.name in reducing and not strict
        checker = BatchChecker(function, signature,
                               lambda args: Tolerance(args) if use_tolerance else None)
        checker.check([a for a, _ in kept], [e for _, e in kept])
        status = "ok" if not checker.mismatches else f"{len(checker.mismatches)} MISMATCHES"
        print(f"  {signature.name:<28} {len(kept):4d} elements  {status}")
        for line in checker.mismatches[:MISMATCHES_SHOWN]:
            print(f"      {line}")
        failed += bool(checker.mismatches)
        passed += not checker.mismatches
    return passed, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pyvc", required=True)
    parser.add_argument("--python-package", required=True, help="runtime/python (holds pyvc/)")
    parser.add_argument("--strict-fp", action="store_true")
    parser.add_argument("files", nargs="*")
    options = parser.parse_args()
    if not os.access(options.pyvc, os.X_OK):
        print(f"error: pyvc not found at {options.pyvc}: build the `pyvc` target first")
        return 1
    sys.path.insert(0, options.python_package)
    import pyvc  # noqa: E402  (the package under test, from this source tree)

    files = options.files or sorted(glob.glob(os.path.join(HERE, "corpus", "*.py")))
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="pyvc-batch-") as work_dir:
        for path in files:
            p, f = run_file(os.path.abspath(path), options.pyvc, options.strict_fp, work_dir,
                            pyvc.load)
            passed += p
            failed += f
    if passed + failed == 0:
        print("error: no function has a batch variant")
        return 1
    print(f"batch: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
