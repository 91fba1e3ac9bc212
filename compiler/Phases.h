// The phases of one compile, each a function on the shared CompilationState, in pipeline order.
// Pipeline.cpp strings them together for `compile`, Explain.cpp for `explain`. A phase returns
// false when the compile must stop; it has then set the outcome's exit code and message.
#pragma once

#include "compiler/Optimizer.h"
#include "compiler/Pipeline.h"
#include "compiler/Targets.h"
#include "ir/IR.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <chrono>
#include <memory>

namespace pyvc::compiler {

struct CompilationState {
  CompilationState(const CompileOptions &options, const std::string &sourceText)
      : options(options), sourceText(sourceText) {}

  const CompileOptions &options;
  const std::string &sourceText;
  CompileOutcome outcome;

  TargetDescription target;
  std::unique_ptr<llvm::TargetMachine> machine;
  std::unique_ptr<ir::Module> module;
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule;
  std::string manifest;
  std::string machineCode; // object or assembly
  std::vector<std::string> unitObjects; // one object per codegen unit, in unit order
  std::vector<VectorizerRemark> remarks;
  bool collectRemarks = false;

  bool fail(int exitCode, std::string message) {
    outcome.exitCode = exitCode;
    outcome.errorMessage = std::move(message);
    return false;
  }
};

// Runs `phase` and records how long it took under `name`.
template <typename Phase> bool timed(CompilationState &state, const char *name, Phase phase) {
  auto begin = std::chrono::steady_clock::now();
  bool ok = phase(state);
  std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - begin;
  state.outcome.timings.push_back({name, elapsed.count()});
  return ok;
}

bool selectTarget(CompilationState &state);        // --target -> TargetMachine
bool emitTokensOrAst(CompilationState &state);     // --emit=tokens|ast: the frontend's dumps
bool parseAndAnalyse(CompilationState &state);     // lex, parse, sema -> kernel IR
bool verifyIR(CompilationState &state);            // invariants of IR.h (exit 3 on failure)
bool runAnalyses(CompilationState &state);         // classification, possible errors
bool runPasses(CompilationState &state);           // reduction order, accumulation loops, bounds
bool lowerToLlvm(CompilationState &state);         // backends: IR -> LLVM IR
bool addManifest(CompilationState &state);         // manifest JSON into the LLVM module
bool optimise(CompilationState &state);            // PassBuilder -O0..-O3
bool generateCode(CompilationState &state, bool assembly); // object or assembly in memory
bool compileInUnits(CompilationState &state);      // optimise + codegen, units in parallel
bool linkLibrary(CompilationState &state);         // lld, in process -> .so bytes

} // namespace pyvc::compiler
