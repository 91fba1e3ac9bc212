// The phase functions: each takes what it needs and returns what it makes, or an Error.
#include "compiler/Phases.h"

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

namespace {
std::string render(const DiagnosticEngine &diagnostics, const CompileOptions &options, const std::string &sourceText) {
  if (diagnostics.diagnostics().empty())
    return "";
  return renderDiagnostics(diagnostics.diagnostics(), options.sourcePath, sourceText,
                           options.jsonDiagnostics ? DiagnosticFormat::Json : DiagnosticFormat::Text, options.color);
}
} // namespace

FrontendDump dumpTokensOrAst(const CompileOptions &options, const std::string &sourceText) {
  DiagnosticEngine diagnostics;
  FrontendDump dump;
  dump.text = options.emit == EmitKind::Tokens ? frontend::dumpTokens(options.sourcePath, sourceText, diagnostics)
                                               : frontend::dumpAst(options.sourcePath, sourceText, diagnostics);
  dump.diagnostics = render(diagnostics, options, sourceText);
  dump.hasErrors = diagnostics.hasErrors();
  return dump;
}

ParsedModule parse(const CompileOptions &options, const std::string &sourceText) {
  DiagnosticEngine diagnostics;
  ParsedModule parsed;
  parsed.ir = frontend::buildIR(options.sourcePath, sourceText, diagnostics);
  parsed.diagnostics = render(diagnostics, options, sourceText);
  parsed.hasErrors = diagnostics.hasErrors();
  if (parsed.hasErrors)
    parsed.ir.reset();
  return parsed;
}

namespace {

// Checks the invariants of IR.h; an invalid module is a compiler bug.
Result<void> verify(const ir::Module &module, const std::string &after) {
  std::vector<std::string> problems = ir::verifyModule(module);
  if (problems.empty())
    return {};
  std::string more = problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : "";
  return makeError("internal compiler error: invalid kernel IR" + (after.empty() ? "" : " after " + after) +
                   ": " + problems.front() + more);
}

struct IRPass {
  const char *name;
  void (*run)(ir::Module &module, bool strictFp);
};

// The analyses and passes, in order. Proven subscripts no longer raise IndexError, so the
// possible errors are computed again at the end: the manifest must say so.
const IRPass kIRPasses[] = {
    {"classify", [](ir::Module &module, bool) { ir::classifyFunctions(module); }},
    {"possible-errors", [](ir::Module &module, bool) { ir::computePossibleErrors(module); }},
    {"select-reduction-order", [](ir::Module &module, bool strictFp) { ir::selectReductionOrder(module, strictFp); }},
    {"recognize-accumulation-loops",
     [](ir::Module &module, bool strictFp) { ir::recognizeAccumulationLoops(module, strictFp); }},
    {"eliminate-bounds-checks", [](ir::Module &module, bool) { ir::eliminateBoundsChecks(module); }},
    {"prove-no-overflow", [](ir::Module &module, bool) { ir::proveNoOverflow(module); }},
    {"recompute-possible-errors", [](ir::Module &module, bool) { ir::computePossibleErrors(module); }},
};

#ifdef NDEBUG
constexpr bool kVerifyAfterEveryPass = false;
#else
constexpr bool kVerifyAfterEveryPass = true;
#endif

} // namespace

const std::vector<std::string> &irPassNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const IRPass &pass : kIRPasses)
      list.push_back(pass.name);
    return list;
  }();
  return names;
}

Result<CheckedModule> runIRPasses(ParsedModule parsed, bool strictFp, const PassPrinting &printing) {
  assert(parsed.ir && "runIRPasses needs the IR of a source without errors");
  CheckedModule checked{std::move(parsed.ir), {}, {}};
  if (Result<void> valid = verify(*checked.ir, ""); !valid)
    return valid.error();
  for (const IRPass &pass : kIRPasses) {
    pass.run(*checked.ir, strictFp);
    if (kVerifyAfterEveryPass || printing.all || printing.onlyAfter == pass.name)
      if (Result<void> valid = verify(*checked.ir, pass.name); !valid)
        return valid.error();
    if (printing.all)
      checked.irAfterPasses += "; IR after " + std::string(pass.name) + "\n" + ir::printModule(*checked.ir);
    if (printing.onlyAfter == pass.name)
      checked.irAfterPass = ir::printModule(*checked.ir);
  }
  // A pass that breaks an invariant is a compiler bug: catch it here, not in the backend.
  if (Result<void> valid = verify(*checked.ir, "the IR passes"); !valid)
    return valid.error();
  return checked;
}

Result<LlvmModule> lower(const CheckedModule &checked, const CompileOptions &compile, bool keepDebugInfo) {
  Result<TargetDescription> target = findTarget(compile.targetName);
  if (!target)
    return target.error();
  auto machine = createTargetMachine(target.value(), compile.optLevel);
  if (!machine)
    return machine.error();
  LlvmModule lowered{target.value(), std::make_unique<llvm::LLVMContext>(), std::move(machine.value()), nullptr};
  backends::LoweringOptions options;
  options.optLevel = compile.optLevel;
  options.strictFp = compile.strictFp;
  options.moduleName = moduleNameFor(compile);
  lowered.module = backends::lowerModule(*checked.ir, *lowered.context, *lowered.machine, options);
  if (!lowered.module)
    return makeError("internal compiler error: lowering to LLVM IR failed");
  std::string problems;
  llvm::raw_string_ostream stream(problems);
  if (llvm::verifyModule(*lowered.module, &stream)) {
    stream.flush();
    return makeError("internal compiler error: invalid LLVM IR: " + problems.substr(0, problems.find('\n')));
  }
  // Line tables serve only the vectorizer remarks of `pyvc explain`; codegen strips them anyway.
  // Dropping them before optimisation spares every pass the debug-location bookkeeping.
  if (!keepDebugInfo)
    llvm::StripDebugInfo(*lowered.module);
  return lowered;
}

std::string addManifest(const CheckedModule &checked, const TargetDescription &target,
                        const llvm::TargetMachine &machine, const CompileOptions &options,
                        const std::string &sourceText, LlvmModule *llvm) {
  ManifestInputs inputs{moduleNameFor(options), target,  enabledCpuFeatures(machine), options.optLevel,
                        options.strictFp,       options.sourcePath, sha256Hex(sourceText)};
  std::string manifest = buildManifest(*checked.ir, inputs);
  if (llvm)
    embedManifest(*llvm->module, inputs.moduleName, manifest);
  return manifest;
}

Result<UnitOutputs> codegen(LlvmModule lowered, int optLevel, UnitProduct product, bool collectRemarks) {
  CodegenUnits units = splitIntoUnits(*lowered.module, CodegenUnitCount);
  UnitOutputs outputs{product, {}, {}};
  Result<std::vector<std::string>> made =
      compileUnits(*lowered.module, *lowered.machine, units, lowered.target, optLevel, product,
                   collectRemarks ? &outputs.remarks : nullptr);
  if (!made)
    return made.error();
  outputs.units = std::move(made.value());
  return outputs;
}

Result<Library> link(UnitOutputs objects, const std::string &soname) {
  assert(objects.product == UnitProduct::Object && "only objects link into a library");
  Result<std::string> library = linkSharedLibrary(objects.units, soname);
  if (!library)
    return library.error();
  return Library{std::move(library.value())};
}

} // namespace pyvc::compiler
