// The phase functions: each does one step of the pipeline and reports failures in the state's
// outcome with the right exit status (1 for the user's source, 3 for everything else).
#include "compiler/Phases.h"

#include "compiler/Codegen.h"
#include "compiler/CodegenUnits.h"
#include "compiler/Linker.h"
#include "compiler/Manifest.h"
#include "compiler/Sha256.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "ir/analysis/Classification.h"
#include "ir/analysis/PossibleErrors.h"
#include "ir/passes/EliminateBoundsChecks.h"
#include "ir/passes/ProveNoOverflow.h"
#include "ir/passes/RecognizeAccumulationLoops.h"
#include "ir/passes/SelectReductionOrder.h"

#include <llvm/IR/DebugInfo.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "frontend-py/Frontend.h"
#include "backends/Lowering.h"

namespace pyvc::compiler {

bool selectTarget(CompilationState &state) {
  Result<TargetDescription> target = findTarget(state.options.targetName);
  if (!target)
    return state.fail(ExitInternal, target.error().message);
  state.target = target.value();
  auto machine = createTargetMachine(state.target, state.options.optLevel);
  if (!machine)
    return state.fail(ExitInternal, machine.error().message);
  state.machine = std::move(machine.value());
  return true;
}

namespace {
// Renders what the engine collected; errors mean exit 1.
bool finishDiagnostics(CompilationState &state, const DiagnosticEngine &diagnostics) {
  if (!diagnostics.diagnostics().empty())
    state.outcome.diagnostics = renderDiagnostics(
        diagnostics.diagnostics(), state.options.sourcePath, state.sourceText,
        state.options.jsonDiagnostics ? DiagnosticFormat::Json : DiagnosticFormat::Text,
        state.options.color);
  if (!diagnostics.hasErrors())
    return true;
  state.outcome.exitCode = ExitSourceErrors;
  return false;
}
} // namespace

bool emitTokensOrAst(CompilationState &state) {
  DiagnosticEngine diagnostics;
  state.outcome.output = state.options.emit == EmitKind::Tokens
                             ? frontend::dumpTokens(state.options.sourcePath, state.sourceText, diagnostics)
                             : frontend::dumpAst(state.options.sourcePath, state.sourceText, diagnostics);
  return finishDiagnostics(state, diagnostics);
}

bool parseAndAnalyse(CompilationState &state) {
  DiagnosticEngine diagnostics;
  state.module = frontend::buildIR(state.options.sourcePath, state.sourceText, diagnostics);
  if (!finishDiagnostics(state, diagnostics))
    return false;
  if (!state.module)
    return state.fail(ExitInternal, "the frontend produced no IR and reported no error");
  return true;
}

bool verifyIR(CompilationState &state) {
  std::vector<std::string> problems = ir::verifyModule(*state.module);
  if (problems.empty())
    return true;
  return state.fail(ExitInternal, "internal compiler error: invalid kernel IR: " + problems.front() +
                                      (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) +
                                                                 " more)"
                                                           : ""));
}

bool runAnalyses(CompilationState &state) {
  ir::classifyFunctions(*state.module);
  ir::computePossibleErrors(*state.module);
  return true;
}

bool runPasses(CompilationState &state) {
  ir::Module &module = *state.module;
  ir::selectReductionOrder(module, state.options.strictFp);
  ir::recognizeAccumulationLoops(module, state.options.strictFp);
  ir::eliminateBoundsChecks(module);
  ir::proveNoOverflow(module);
  // Proven subscripts no longer raise IndexError: the manifest must say so.
  ir::computePossibleErrors(module);
  // A pass that breaks an invariant is a compiler bug: catch it here, not in the backend.
  return verifyIR(state);
}

bool lowerToLlvm(CompilationState &state) {
  backends::LoweringOptions options;
  options.strictFp = state.options.strictFp;
  options.optLevel = state.options.optLevel;
  options.moduleName = moduleNameFor(state.options);
  state.llvmModule = backends::lowerModule(*state.module, state.context, *state.machine, options);
  if (!state.llvmModule)
    return state.fail(ExitInternal, "internal compiler error: lowering to LLVM IR failed");
  std::string problems;
  llvm::raw_string_ostream stream(problems);
  if (llvm::verifyModule(*state.llvmModule, &stream)) {
    stream.flush();
    return state.fail(ExitInternal, "internal compiler error: invalid LLVM IR: " +
                                        problems.substr(0, problems.find('\n')));
  }
  // Line tables serve only the vectorizer remarks of `pyvc explain`; codegen strips them anyway.
  // Dropping them before optimisation spares every pass the debug-location bookkeeping.
  if (!state.collectRemarks)
    llvm::StripDebugInfo(*state.llvmModule);
  return true;
}

bool addManifest(CompilationState &state) {
  ManifestInputs inputs{moduleNameFor(state.options), state.target, enabledCpuFeatures(*state.machine),
                        state.options.optLevel, state.options.strictFp, state.options.sourcePath,
                        sha256Hex(state.sourceText)};
  state.manifest = buildManifest(*state.module, inputs);
  if (state.llvmModule)
    embedManifest(*state.llvmModule, inputs.moduleName, state.manifest);
  return true;
}

bool optimise(CompilationState &state) {
  optimizeModule(*state.llvmModule, *state.machine, state.options.optLevel,
                 state.collectRemarks ? &state.remarks : nullptr);
  return true;
}

bool generateCode(CompilationState &state, bool assembly) {
  Result<std::string> code = emitMachineCode(*state.llvmModule, *state.machine,
                                             assembly ? MachineCodeKind::Assembly : MachineCodeKind::Object);
  if (!code)
    return state.fail(ExitInternal, code.error().message);
  state.machineCode = std::move(code.value());
  return true;
}

bool compileInUnits(CompilationState &state) {
  CodegenUnits units = splitIntoUnits(*state.llvmModule, CodegenUnitCount);
  Result<std::vector<std::string>> objects =
      compileUnits(*state.llvmModule, *state.machine, units, state.target, state.options.optLevel);
  if (!objects)
    return state.fail(ExitInternal, objects.error().message);
  state.unitObjects = std::move(objects.value());
  return true;
}

bool linkLibrary(CompilationState &state) {
  Result<std::string> library = state.unitObjects.empty()
                                    ? linkSharedLibrary(state.machineCode, state.options.soname)
                                    : linkSharedLibrary(state.unitObjects, state.options.soname);
  if (!library)
    return state.fail(ExitInternal, library.error().message);
  state.outcome.output = std::move(library.value());
  return true;
}

} // namespace pyvc::compiler
