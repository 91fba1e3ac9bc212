# Compiles a corpus file with `pyvc compile` and calls its functions through `pyvc-call`, natively
# or under qemu-aarch64: all inputs of one function go through one process, one JSON line each.
import json
import os
import subprocess
from dataclasses import dataclass

QEMU = "qemu-aarch64"
AARCH64_SYSROOT = "/usr/aarch64-linux-gnu"
# Hang guards only: a batch normally takes well under a second natively and a few under qemu.
COMPILE_TIMEOUT_SECONDS = 120
CALL_TIMEOUT_SECONDS = {"native": 120, "qemu": 400}
MAX_RESTARTS_PER_FUNCTION = 8


@dataclass
class CallerCommand:
    """How to start pyvc-call for one target."""
    pyvc_call: str
    under_qemu: bool = False
    batch: bool = False  # answer through the batch variant (pyvc-call --batch)

    def argv(self, library, function):
        command = [self.pyvc_call, library, function] + (["--batch"] if self.batch else [])
        if self.under_qemu:
            return [QEMU, "-L", AARCH64_SYSROOT] + command
        return command

    @property
    def timeout(self):
        return CALL_TIMEOUT_SECONDS["qemu" if self.under_qemu else "native"]


def compile_kernel_file(pyvc, source, library, target, strict_fp, opt_level=None):
    """Returns (ok, output): output is pyvc's diagnostics or the reason it could not run."""
    argv = [pyvc, "compile", source, "-o", library, "--target", target, "--no-cache"]
    if strict_fp:
        argv.append("--strict-fp")
    if opt_level is not None:
        argv.append(f"-O{opt_level}")
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"{' '.join(argv)}: {error}"
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or not os.path.exists(library):
        return False, f"{' '.join(argv)} exited with {done.returncode}\n{output}"
    return True, output


def encode_arguments(args):
    # Python's json writes NaN/Infinity/-Infinity as bare tokens and floats by repr, which
    # round-trips exactly -- the format pyvc-call reads.
    return json.dumps(args, allow_nan=True)


def _parse_line(text):
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return {"malformed": text}
    return parsed if isinstance(parsed, dict) else {"malformed": text}


def _run_batch(caller, library, function, lines):
    """Runs pyvc-call once; returns (parsed answers, failure text or None)."""
    try:
        done = subprocess.run(caller.argv(library, function), input="".join(lines),
                              capture_output=True, text=True, timeout=caller.timeout)
    except subprocess.TimeoutExpired as error:
        out = error.stdout.decode() if isinstance(error.stdout, bytes) else (error.stdout or "")
        answers = [_parse_line(t) for t in out.splitlines()]
        return answers, f"no answer within {caller.timeout} s"
    except OSError as error:
        return [], str(error)
    answers = [_parse_line(t) for t in done.stdout.splitlines()]
    if done.returncode != 0 or len(answers) < len(lines):
        return answers, f"exit status {done.returncode}: {done.stderr.strip()[-400:]}"
    return answers, None


def call_kernel(caller, library, function, inputs):
    """One answer per input: pyvc-call's JSON object, or {"crash": reason} for the input that
    was running when the process died (the remaining inputs get a fresh process)."""
    lines = [encode_arguments(args) + "\n" for args in inputs]
    answers = []
    restarts = 0
    silent_failures = 0  # failures before any answer: pyvc-call itself cannot start
    while len(answers) < len(lines):
        batch, failure = _run_batch(caller, library, function, lines[len(answers):])
        answers.extend(batch[:len(lines) - len(answers)])
        if failure is None or len(answers) >= len(lines):
            break
        silent_failures = silent_failures + 1 if not batch else 0
        answers.append({"crash": failure})
        restarts += 1
        if restarts >= MAX_RESTARTS_PER_FUNCTION or silent_failures >= 2:
            answers.extend({"crash": f"not run after {restarts} failures: {failure}"}
                           for _ in range(len(lines) - len(answers)))
    return answers
