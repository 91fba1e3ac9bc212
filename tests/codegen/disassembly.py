"""The shipped code of a kernel file, for the codegen tests: compiles a .so (or another --emit)
with pyvc and reads it back through `llvm-objdump-19 -d`, one list of instructions per symbol.
Standard library only."""
import re
import subprocess

OBJDUMP = "llvm-objdump-19"

SYMBOL_START = re.compile(r"^[0-9a-f]+ <([^>]+)>:$")
INSTRUCTION = re.compile(r"^\s*([0-9a-f]+):\s+(\S.*)$")
# Padding between functions: what the assembler fills an alignment gap with.
PADDING = re.compile(r"^(nop\w*|int3|udf\b|<unknown>|\.word\s+0x0+$)")


def compile_kernels(pyvc, source, output, target, opt_level, emit="so"):
    """Runs `pyvc compile`; raises RuntimeError with pyvc's output when it fails."""
    argv = [pyvc, "compile", source, f"--emit={emit}", "--target", target, f"-O{opt_level}",
            "--no-cache", "-o", output]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {done.returncode}:\n"
                           f"{done.stdout}{done.stderr}")


class Instruction:
    def __init__(self, address, text):
        self.address = address
        self.text = text  # mnemonic and operands, tabs as single spaces

    @property
    def mnemonic(self):
        return self.text.split()[0]

    def branch_target(self):
        """The address a branch to a fixed place goes to, or None."""
        found = re.search(r"\b0x([0-9a-f]+) <", self.text)
        return int(found.group(1), 16) if found else None

    def __str__(self):
        return self.text


def disassemble(path):
    """Symbol name -> its instructions in address order (trailing alignment padding dropped).
    A name defined twice (a helper copied into two codegen units, in an object) keeps the first."""
    done = subprocess.run([OBJDUMP, "-d", "--no-show-raw-insn", path], capture_output=True,
                          text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{OBJDUMP} -d {path} exited with {done.returncode}: {done.stderr}")
    functions, current = {}, None
    for line in done.stdout.splitlines():
        start = SYMBOL_START.match(line)
        if start:
            name = start.group(1)
            current = None if name in functions else functions.setdefault(name, [])
            continue
        instruction = INSTRUCTION.match(line)
        if instruction and current is not None:
            text = " ".join(instruction.group(2).split())
            current.append(Instruction(int(instruction.group(1), 16), text))
        elif not line.strip():
            current = None
    for body in functions.values():
        while body and PADDING.match(body[-1].text):
            body.pop()
    return functions


def normalized(instruction):
    """An instruction without what linking changes: addresses, displacements and other hex
    numbers become X, symbol annotations and comments go."""
    text = re.sub(r"<[^>]*>", "", instruction.text)
    text = re.sub(r"\s*(#|//) .*$", "", text) if not text.startswith("#") else text
    text = re.sub(r"0x[0-9a-f]+", "X", text)
    # A displacement or low-12-bit offset that is 0 until relocated is not printed in an object.
    text = re.sub(r"-?X\(%rip\)", "(%rip)", text)
    text = re.sub(r", #-?X\]", "]", text)
    return " ".join(text.split())


def same_after_linking(in_object, in_library):
    """Whether an object's instruction (normalized) is the library's, allowing lld's aarch64
    relaxation: `adrp` + `add` to a nearby symbol becomes `nop` + `adr`."""
    if in_object == in_library:
        return True
    if in_object.startswith("adrp ") and in_library == "nop":
        return True
    return (in_object.startswith("add ") and in_library.startswith("adr ") and
            in_object.split()[1] == in_library.split()[1])


def with_callees(functions, symbol):
    """The symbol's instructions plus those of the functions it calls directly (its body may
    sit in an internal function), each function once."""
    by_address = {body[0].address: name for name, body in functions.items() if body}
    seen, pending, lines = set(), [symbol], []
    while pending:
        name = pending.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        lines.append(functions[name])
        for instruction in functions[name]:
            if instruction.mnemonic in ("call", "callq", "bl"):
                target = instruction.branch_target()
                if target in by_address:
                    pending.append(by_address[target])
    return lines


def loop_instructions(body):
    """The instructions inside some loop of one function: from the target of a backward branch
    to the branch."""
    inside = set()
    for index, instruction in enumerate(body):
        if instruction.mnemonic in ("call", "callq", "bl"):
            continue
        target = instruction.branch_target()
        if target is None or target > instruction.address or target < body[0].address:
            continue
        first = next(i for i, candidate in enumerate(body) if candidate.address >= target)
        inside.update(range(first, index + 1))
    return [body[i] for i in sorted(inside)]
