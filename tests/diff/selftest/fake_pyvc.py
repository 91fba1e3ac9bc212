#!/usr/bin/env python3
# Stand-in for `pyvc compile` in the harness self-test: the "library" is a copy of the source.
import shutil
import sys

arguments = sys.argv[1:]
assert arguments[0] == "compile", arguments
shutil.copy(arguments[1], arguments[arguments.index("-o") + 1])
