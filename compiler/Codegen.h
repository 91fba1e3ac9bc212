// Machine code for one LLVM module: an ELF object or assembly text, produced in memory.
#pragma once

#include "runtime/core/Result.h"

#include <string>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace pyvc::compiler {

enum class MachineCodeKind { Object, Assembly };

// Strips debug information (it was only there for remarks; it would make the .so larger and
// carry the build machine's paths), then runs the target's code generator.
Result<std::string> emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                                    MachineCodeKind kind);

} // namespace pyvc::compiler
