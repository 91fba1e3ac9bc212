"""The CPU check of a kernel library: the features its manifest lists (`target.features`, LLVM's
names) against the flags Linux reports in /proc/cpuinfo for this CPU, read once."""

# LLVM's name -> the /proc/cpuinfo flag (x86-64 `flags`, aarch64 `Features`). The same table as
# runtime/include/pyvc/cpu_features.def, which the C++ loader and the compiler use;
# tests/loader/test_pyvc_package.py checks that the two agree.
X86_FEATURES = {
    "cmov": "cmov", "cx8": "cx8", "sse": "sse", "sse2": "sse2", "sse3": "pni", "ssse3": "ssse3",
    "sse4.1": "sse4_1", "sse4.2": "sse4_2", "popcnt": "popcnt", "cx16": "cx16", "movbe": "movbe",
    "avx": "avx", "fma": "fma", "f16c": "f16c", "sahf": "lahf_lm", "lzcnt": "abm", "bmi": "bmi1",
    "bmi2": "bmi2", "avx2": "avx2", "avx512f": "avx512f", "avx512dq": "avx512dq",
    "avx512ifma": "avx512ifma", "avx512cd": "avx512cd", "avx512bw": "avx512bw",
    "avx512vl": "avx512vl", "avx512vbmi": "avx512vbmi", "avx512vbmi2": "avx512_vbmi2",
    "gfni": "gfni", "avx512vnni": "avx512_vnni", "avx512bitalg": "avx512_bitalg",
    "avx512vpopcntdq": "avx512_vpopcntdq", "avx512fp16": "avx512_fp16", "avxvnni": "avx_vnni",
    "avx512bf16": "avx512_bf16",
}
AARCH64_FEATURES = {
    "fp-armv8": "fp", "neon": "asimd", "lse": "atomics", "fullfp16": "asimdhp", "rdm": "asimdrdm",
    "rcpc": "lrcpc", "dotprod": "asimddp", "sve": "sve", "fp16fml": "asimdfhm", "sve2": "sve2",
    "i8mm": "i8mm", "bf16": "bf16",
}
FEATURES = {"x86_64": X86_FEATURES, "aarch64": AARCH64_FEATURES}

_cpu_flags = None


def read_cpu_flags(cpuinfo="/proc/cpuinfo"):
    """The flags of the first processor in `cpuinfo` (`flags` on x86, `Features` on ARM)."""
    try:
        with open(cpuinfo, encoding="ascii", errors="replace") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                if key.strip() in ("flags", "Features"):
                    return set(value.split())
    except OSError:
        pass  # no /proc: every feature counts as missing, which refuses rather than crashes
    return set()


def cpu_flags():
    """This CPU's flags, read once per process."""
    global _cpu_flags
    if _cpu_flags is None:
        _cpu_flags = read_cpu_flags()
    return _cpu_flags


def missing_features(required, architecture, flags=None):
    """The names in `required` this CPU lacks, in order; a name the table does not know for
    `architecture` counts as missing."""
    table = FEATURES.get(architecture, {})
    flags = cpu_flags() if flags is None else flags
    return [name for name in required if table.get(name) not in flags]
