#!/usr/bin/env python3
# The dependency rules of docs/ARCHITECTURE.md, checked on every #include: the runtime builds
# without LLVM and without the compiler; the frontend knows nothing of LLVM or the backends; the
# backends know nothing of Python syntax; the IR knows none of them. Prints every include that
# breaks a rule and exits 1 if there is one. Standard library only.
import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
LLVM = ("llvm/", "llvm-c/", "lld/")

# module folder -> include prefixes it must not use, and why.
RULES = {
    "runtime": (LLVM + ("compiler/", "frontend-py/", "ir/", "backends/"),
                "the runtime builds and runs on a gateway without LLVM or the compiler"),
    "frontend-py": (LLVM + ("compiler/", "backends/"),
                    "the frontend never sees LLVM or the backends"),
    "ir": (LLVM + ("compiler/", "frontend-py/", "backends/"),
           "the IR depends on no other compiler module"),
    "backends": (("frontend-py/", "compiler/"), "backends never see Python syntax or the driver"),
}
SOURCE_SUFFIXES = (".h", ".hpp", ".c", ".cc", ".cpp", ".def", ".inc")


def violations(root):
    found = []
    for module, (forbidden, why) in RULES.items():
        for folder, _, files in os.walk(os.path.join(root, module)):
            for name in sorted(files):
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for number, line in enumerate(f, 1):
                        include = INCLUDE.match(line)
                        if include and include.group(1).startswith(forbidden):
                            found.append(f"{os.path.relpath(path, root)}:{number}: includes "
                                         f"{include.group(1)}: {why}")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source-dir", required=True, help="the repository root")
    options = parser.parse_args()
    missing = [module for module in RULES if not os.path.isdir(os.path.join(options.source_dir, module))]
    if missing:
        print(f"error: no {', '.join(missing)} under {options.source_dir}")
        return 1
    found = violations(options.source_dir)
    for line in found:
        print(line)
    print(f"dependency rules: {'ok' if not found else f'{len(found)} includes break them'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
