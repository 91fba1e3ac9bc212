#!/usr/bin/env python3
# Seam test: `--emit=obj` and `--emit=asm` show the code that ships. Compiles a kernel file to a
# library, an object and assembly at one target and -O level, and asserts that every exported
# function (pyvc_<module>_fn_*, pyvc_<module>_batch_*) has the same instructions in all three: the object's
# disassembly equals the library's once addresses are masked (linking changes only those, and
# lld's aarch64 adrp relaxation), and the assembly's mnemonics equal the object's, alignment
# padding aside. Standard library only.
import argparse
import os
import re
import subprocess
import sys
import tempfile

from disassembly import compile_kernels, disassemble, normalized, same_after_linking

FUNCTION_START = re.compile(r"^([A-Za-z_][\w.$]*):")
SIZE_DIRECTIVE = re.compile(r"^\s*\.size\s+([\w.$]+),")
ASM_INSTRUCTION = re.compile(r"^\s+([a-z][\w.]*)\b")
NOP = re.compile(r"^nop")


EXPORTED_FUNCTION = re.compile(r"^pyvc_\w+?_(fn|batch)_\w+$")  # pyvc_<module>_fn_<name> (kernel_abi.h)


def exported(name):
    return EXPORTED_FUNCTION.match(name) is not None


def assembly_mnemonics(text):
    """Function name -> the mnemonics of its instructions, from `name:` to its `.size`; the
    first definition of a name wins (a copied helper is in every unit that uses it)."""
    functions, current, body = {}, None, []
    for line in text.splitlines():
        size = SIZE_DIRECTIVE.match(line)
        if current and size and size.group(1) == current:
            functions.setdefault(current, body)
            current, body = None, []
            continue
        start = FUNCTION_START.match(line)
        if start and current is None:
            current, body = start.group(1), []
            continue
        instruction = ASM_INSTRUCTION.match(line)
        if current and instruction and not NOP.match(instruction.group(1)):
            body.append(instruction.group(1))
    return functions


def compare(source, pyvc, target, opt_level, work_dir):
    """Returns failure messages; prints one line per compared function."""
    stem = os.path.join(work_dir, f"{os.path.basename(source)}.{target}.O{opt_level}")
    compile_kernels(pyvc, source, stem + ".so", target, opt_level)
    compile_kernels(pyvc, source, stem + ".o", target, opt_level, emit="obj")
    compile_kernels(pyvc, source, stem + ".s", target, opt_level, emit="asm")
    library, obj = disassemble(stem + ".so"), disassemble(stem + ".o")
    with open(stem + ".s", encoding="utf-8") as f:
        asm = assembly_mnemonics(f.read())
    names = sorted(name for name in library if exported(name))
    failures = []
    if not names:
        failures.append(f"{stem}.so exports no pyvc_<module>_fn_ or _batch_ function")
    for name in names:
        shipped = [normalized(i) for i in library[name]]
        in_object = [normalized(i) for i in obj.get(name, [])]
        if len(shipped) != len(in_object) or not all(map(same_after_linking, in_object, shipped)):
            first = next((k for k, (a, b) in enumerate(zip(in_object, shipped))
                          if not same_after_linking(a, b)), min(len(shipped), len(in_object)))
            failures.append(f"{name}: {len(in_object)} instructions in --emit=obj, {len(shipped)} "
                            f"in the .so; first difference at {first}: "
                            f"{in_object[first:first + 1]} vs {shipped[first:first + 1]}")
        object_mnemonics = [i.mnemonic for i in obj.get(name, []) if not NOP.match(i.mnemonic)]
        if object_mnemonics != asm.get(name):
            failures.append(f"{name}: --emit=asm has {len(asm.get(name, []))} instructions, "
                            f"--emit=obj {len(object_mnemonics)}, or they differ")
        print(f"{target} -O{opt_level} {os.path.basename(source)} {name}: {len(shipped)} instructions")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pyvc", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("sources", nargs="+", help="kernel files")
    options = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory(prefix="pyvc-emit-") as work_dir:
        for source in options.sources:
            for opt_level in (2, 3):
                try:
                    failures += compare(source, options.pyvc, options.target, opt_level, work_dir)
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
                    failures.append(str(error))
    for failure in failures:
        print(f"FAILED: {failure}")
    print(f"emit matches library: {'ok' if not failures else f'{len(failures)} failures'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
