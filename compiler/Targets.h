// The targets pyvc compiles for: a small table (name -> triple, CPU, features) and the creation
// of an LLVM TargetMachine for one of them. Only the X86 and AArch64 backends are initialised.
#pragma once

#include "compiler/Pipeline.h" // targetNames()
#include "runtime/core/Result.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class TargetMachine;
}

namespace pyvc::compiler {

struct TargetDescription {
  std::string name;     // as given to --target: "host", "x86-64", "aarch64-cortex-a72", ...
  std::string triple;   // "aarch64-unknown-linux-gnu"
  std::string cpu;      // "cortex-a72", "x86-64-v3", "generic"
  std::string features; // LLVM feature string, "+neon"; empty for the CPU's defaults
};

// Looks a target up by name; "host" resolves to this machine's triple, CPU and features.
Result<TargetDescription> findTarget(const std::string &name);

// Registers the X86 and AArch64 backends with LLVM, once per process.
void initializeTargets();

// The CPU features of pyvc/cpu_features.def that `machine` has enabled (its CPU's own and those
// its feature string adds), in the table's order: what the manifest says the code needs.
std::vector<std::string> enabledCpuFeatures(const llvm::TargetMachine &machine);

// A TargetMachine for `target`: PIC, no FP contraction, at the given -O level (0..3).
Result<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const TargetDescription &target,
                                                                 int optLevel);

} // namespace pyvc::compiler
