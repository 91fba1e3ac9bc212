// Parallel optimisation and code generation, as rustc does with codegen units: the lowered
// module is split into a fixed number of units that are optimised and compiled on their own
// threads, and lld links their objects in unit order.
#pragma once

#include "compiler/Optimizer.h"
#include "compiler/Targets.h"
#include "runtime/core/Result.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace pyvc::compiler {

// How many units a module is split into. A constant, never the number of cores: the .so must be
// the same bytes on every machine whatever its core count or its threads' timing.
inline constexpr unsigned CodegenUnitCount = 2;

// The units of one module. The largest stays in the module itself, in its own context, for
// the calling thread; the others leave as bitcode, to be read back in contexts of their own.
struct CodegenUnits {
  unsigned inPlace = 0;          // which unit the module now holds
  size_t inPlacePosition = 0;    // its place among the units in link order
  std::vector<std::string> bitcode; // the other units, in unit order
};

// Splits `module` into at most `units` parts of similar estimated compile cost (instructions,
// those of loops left to LLVM's vectorizer counted twice), leaving one of them in `module`. Every
// internal function and global goes with all of its users, or, if it is a small function that is
// only called (a support library helper) or a private constant, is copied into each unit that
// uses it. So no kernel loses an inlining or interprocedural fact that the whole module would
// have given it: each unit optimises to the code it would have had in the whole module. Depends
// only on the module, so the same module always splits the same way.
CodegenUnits splitIntoUnits(llvm::Module &module, unsigned units);

// What each unit is turned into: its optimised LLVM IR stops before the code generator; the
// assembly and the object come from the same code generator run, so all three show one code.
enum class UnitProduct { Object, Assembly, LlvmIr };

// Runs the -O pipeline and the code generator on every unit: the one left in `module` on this
// thread with `machine`, each other one on a helper thread (as many at once as the machine has
// cores) in its own LLVMContext with its own TargetMachine for `target`. Returns what `product`
// asks for (ELF objects, assembly or LLVM IR text) in unit order, or the first error. With
// `remarks`, the loop vectorizer's remarks of every unit are appended to it, in unit order.
Result<std::vector<std::string>> compileUnits(llvm::Module &module, llvm::TargetMachine &machine,
                                              const CodegenUnits &units, const TargetDescription &target,
                                              int optLevel, UnitProduct product = UnitProduct::Object,
                                              std::vector<VectorizerRemark> *remarks = nullptr);

} // namespace pyvc::compiler
