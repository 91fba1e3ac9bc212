#!/usr/bin/env python3
# Stand-in for `pyvc-call` in the harness self-test: runs the corpus function under CPython and
# answers in pyvc-call's line protocol. FAKE_SEMANTICS=checked follows the dialect (a correct
# compiler); =wrapping lets ints wrap at 64 bits like a compiler that forgot its checks.
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from oracle import _call_with_guard, load_corpus_file  # noqa: E402


def wrap(value):
    if type(value) is int:
        return (value + 2 ** 63) % 2 ** 64 - 2 ** 63
    if isinstance(value, (list, tuple)):
        return [wrap(v) for v in value]
    return value


def main():
    library, function = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as directory:
        source = os.path.join(directory, os.path.basename(library).split(".")[0] + ".py")
        shutil.copy(library, source)
        corpus = load_corpus_file(source)
    semantics = os.environ.get("FAKE_SEMANTICS", "checked")
    namespace = corpus.plain if semantics == "wrapping" else corpus.checked
    for line in sys.stdin:
        answer = _call_with_guard(namespace[function], json.loads(line))
        if answer[0] == "ok":
            print(json.dumps({"ok": wrap(answer[1])}))
        else:
            name = "ValueError" if answer[1] == "alternatives" else answer[1]
            print(json.dumps({"error": name, "message": str(answer[2])}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
