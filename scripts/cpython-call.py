#!/usr/bin/env python3
"""pyvc-call's line protocol, answered by CPython running the kernel file itself: the oracle.

Usage: cpython-call.py FILE.py FUNC < lines-of-JSON-argument-arrays
Prints {"ok": result} or {"error": "ExceptionName", "message": "..."} per line; NaN and
infinities as the tokens NaN, Infinity, -Infinity (Python's json module does that already).
"""
import importlib.util
import json
import sys


def load_module(path):
    spec = importlib.util.spec_from_file_location("kernel", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def to_json(value):
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: cpython-call.py FILE.py FUNC")
    function = getattr(load_module(sys.argv[1]), sys.argv[2])
    returns = function.__annotations__.get("return")
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            arguments = json.loads(line)
        except json.JSONDecodeError as error:
            print(json.dumps({"error": "InputError", "message": str(error)}))
            continue
        try:
            result = function(*arguments)
            if returns is float and isinstance(result, int):
                result = float(result)  # the annotation's type, as the compiled kernel returns
            print(json.dumps({"ok": to_json(result)}))
        except Exception as error:  # the oracle reports whatever CPython raises
            print(json.dumps({"error": type(error).__name__, "message": str(error)}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
