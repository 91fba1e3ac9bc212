// `pyvc compile` as a list of phases, read top to bottom, stopping after the one whose output
// --emit asks for. The cache sits in front of all this (CachedCompile.h), in the pyvc tool.
#include "compiler/Pipeline.h"

#include "compiler/Header.h"
#include "compiler/Manifest.h"
#include "compiler/Phases.h"
#include "ir/Printer.h"

#include <llvm/Support/raw_ostream.h>


namespace pyvc::compiler {

namespace {

std::string printLlvmModule(const llvm::Module &module) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  module.print(stream, nullptr);
  stream.flush();
  return text;
}

// The phases after the frontend, stopping where --emit says.
bool runBackHalf(CompilationState &state) {
  EmitKind emit = state.options.emit;
  if (!timed(state, "verify", verifyIR) || !timed(state, "analyses", runAnalyses) ||
      !timed(state, "passes", runPasses))
    return false;
  if (emit == EmitKind::Ir) {
    state.outcome.output = ir::printModule(*state.module);
    return true;
  }
  if (emit == EmitKind::Header) {
    state.outcome.output = emitHeader(*state.module, moduleNameFor(state.options));
    return true;
  }
  // The manifest names the target and its CPU features: the same document the library embeds.
  if (emit == EmitKind::Manifest) {
    if (!timed(state, "target", selectTarget) || !timed(state, "manifest", addManifest))
      return false;
    state.outcome.output = state.manifest;
    return true;
  }
  if (!timed(state, "target", selectTarget) || !timed(state, "lower", lowerToLlvm) ||
      !timed(state, "manifest", addManifest))
    return false;
  // A library needs no single module to print: its codegen units run in parallel.
  if (emit == EmitKind::So)
    return timed(state, "optimise+codegen", compileInUnits) && timed(state, "link", linkLibrary);
  if (!timed(state, "optimise", optimise))
    return false;
  if (emit == EmitKind::Llvm) {
    state.outcome.output = printLlvmModule(*state.llvmModule);
    return true;
  }
  bool assembly = emit == EmitKind::Asm;
  if (!timed(state, "codegen", [&](CompilationState &s) { return generateCode(s, assembly); }))
    return false;
  if (emit == EmitKind::Asm || emit == EmitKind::Obj) {
    state.outcome.output = std::move(state.machineCode);
    return true;
  }
  return timed(state, "link", linkLibrary);
}

} // namespace

CompileOutcome compileSource(const CompileOptions &options, const std::string &sourceText) {
  CompilationState state(options, sourceText);
  if (options.emit == EmitKind::Tokens || options.emit == EmitKind::Ast) {
    timed(state, "parse", emitTokensOrAst);
    return std::move(state.outcome);
  }

  if (timed(state, "parse+sema", parseAndAnalyse))
    runBackHalf(state);
  return std::move(state.outcome);
}

} // namespace pyvc::compiler
