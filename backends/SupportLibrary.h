// The runtime support library (backends/support/pyvc_support.c), embedded as bitcode for each
// supported target and linked into lowered modules with internal linkage. Internal to backends/.
#pragma once

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace pyvc::backends {

// Links the support functions `module` uses (only those) and makes them internal. The module
// must already have the triple and data layout of `target` (x86-64 or aarch64).
void linkSupportLibrary(llvm::Module &module, llvm::TargetMachine &target);

// Marks the support library's calls to libm's `pow` `nobuiltin`, so that LLVM cannot rewrite
// `pow(x, 2.0)` to `x * x`, `pow(x, 0.5)` to `sqrt(x)` and the like once a constant exponent
// is inlined: the call then gives CPython's bits (CPython calls libm's pow). --strict-fp.
void keepPowCallsExact(llvm::Module &module);

} // namespace pyvc::backends
