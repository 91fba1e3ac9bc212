"""CPython as the oracle of the window aggregate tests: runs the kernels of KERNELS.py on each
window of WINDOWS.jsonl and compares every result or exception with what the compiled kernel
gave. Prints one line, "agree: N windows x M aggregates", or the disagreements (exit 1)."""
import importlib.util
import json
import sys


def load(path):
    spec = importlib.util.spec_from_file_location("window_kernels", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected(function, values):
    try:
        result = function(list(values))
    except Exception as error:  # the kernel's exception, whatever it is, is the expectation
        return {"error": [type(error).__name__, str(error)]}
    return {"value": float(result)}


def main():
    kernels = load(sys.argv[1])
    disagreements = []
    windows = 0
    names = set()
    with open(sys.argv[2]) as lines:
        for number, line in enumerate(lines, 1):
            row = json.loads(line)
            windows += 1
            for name, got in row["results"].items():
                names.add(name)
                want = expected(getattr(kernels, name), row["values"])
                if got != want:
                    disagreements.append(f"window {number}: {name}: pyvc {got}, CPython {want}")
    for text in disagreements[:20]:
        print(text)
    if disagreements:
        print(f"{len(disagreements)} disagreements")
        return 1
    print(f"agree: {windows} windows x {len(names)} aggregates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
