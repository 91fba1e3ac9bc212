// The -O0..-O3 optimisation pipeline (LLVM's new PassBuilder) and the capture of LLVM's
// loop-vectorize remarks, which `pyvc explain` maps back to source lines.
#pragma once

#include <string>
#include <vector>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace pyvc::compiler {

struct VectorizerRemark {
  enum class Kind { Passed, Missed, Analysis } kind;
  std::string function; // the LLVM function it is about
  unsigned line = 0;    // source line from the debug location, 0 when unknown
  std::string message;
};

// Runs the default pipeline for optLevel (0..3) on `module`. When `remarks` is given, collects
// every remark of the loop vectorizer into it.
void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine, int optLevel,
                    std::vector<VectorizerRemark> *remarks = nullptr);

} // namespace pyvc::compiler
