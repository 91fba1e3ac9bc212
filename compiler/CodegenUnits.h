// Parallel optimisation and code generation, as rustc does with codegen units: the lowered
// module is split into a fixed number of units that are optimised and compiled on their own
// threads, and lld links their objects in unit order.
#pragma once

#include "compiler/Targets.h"
#include "runtime/core/Result.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace pyvc::compiler {

// How many units a module is split into. A constant, never the number of cores: the .so must be
// the same bytes on every machine whatever its core count or its threads' timing.
inline constexpr unsigned CodegenUnitCount = 2;

// Splits `module` into at most `units` parts of similar instruction counts. Every internal
// function and global goes with all of its users, so no kernel loses an inlining or
// interprocedural fact that the whole module would have given it: each part optimises to the
// code it would have had in the whole module. Each part leaves as bitcode, to be read back in a
// context of its own. Depends only on the module, so the same module always splits the same way.
std::vector<std::string> splitIntoUnits(llvm::Module &module, unsigned units);

// Reads each unit into its own LLVMContext and runs the -O pipeline and the code generator of
// `target` on it, one thread per unit (as many at once as the machine has cores). Returns the
// ELF objects in unit order, or the first unit's error.
Result<std::vector<std::string>> compileUnits(const std::vector<std::string> &unitBitcode,
                                              const TargetDescription &target, int optLevel);

} // namespace pyvc::compiler
