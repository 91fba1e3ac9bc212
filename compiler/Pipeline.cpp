// `pyvc compile` as a list of phases, read top to bottom, stopping after the one whose output
// --emit asks for. --emit=llvm|asm|obj and the .so all come from the same codegen units, so
// what they show is what ships. The cache sits in front of all this (CachedCompile.h), in the
// pyvc tool.
#include "compiler/Pipeline.h"

#include "compiler/Header.h"
#include "compiler/Manifest.h"
#include "compiler/Linker.h"
#include "compiler/Phases.h"
#include "ir/Printer.h"

#include <algorithm>

namespace pyvc::compiler {

namespace {

CompileOutcome failed(CompileOutcome outcome, const Error &error) {
  outcome.exitCode = ExitInternal;
  outcome.errorMessage = error.message;
  return outcome;
}

UnitProduct productOf(EmitKind emit) {
  if (emit == EmitKind::Llvm)
    return UnitProduct::LlvmIr;
  return emit == EmitKind::Asm ? UnitProduct::Assembly : UnitProduct::Object;
}

// The units' LLVM IR or assembly one after the other, each under a comment line naming it.
std::string joinUnitTexts(const UnitOutputs &outputs, const TargetDescription &target) {
  std::string comment = outputs.product == UnitProduct::LlvmIr ? ";"
                        : target.triple.rfind("aarch64", 0) == 0 ? "//"
                                                                 : "#";
  std::string text;
  for (size_t unit = 0; unit < outputs.units.size(); ++unit)
    text += comment + " pyvc codegen unit " + std::to_string(unit + 1) + " of " +
            std::to_string(outputs.units.size()) + "\n" + outputs.units[unit];
  return text;
}

// The phases after the IR passes: lowering, the codegen units, and linking or joining what
// they made.
CompileOutcome compileChecked(CompileOutcome outcome, const CheckedModule &checked, const CompileOptions &options,
                              const std::string &sourceText) {
  std::vector<PhaseTiming> &timings = outcome.timings;
  Result<LlvmModule> lowered =
      timed(timings, "lower", [&] { return lower(checked, options, false); });
  if (!lowered)
    return failed(std::move(outcome), lowered.error());
  TargetDescription target = lowered->target;
  timed(timings, "manifest",
        [&] { return addManifest(checked, target, *lowered->machine, options, sourceText, &lowered.value()); });
  Result<UnitOutputs> units = timed(timings, "optimise+codegen", [&] {
    return codegen(std::move(lowered.value()), options.optLevel, productOf(options.emit), false);
  });
  if (!units)
    return failed(std::move(outcome), units.error());
  if (options.emit == EmitKind::Llvm || options.emit == EmitKind::Asm) {
    outcome.output = joinUnitTexts(units.value(), target);
    return outcome;
  }
  Result<std::string> made = timed(timings, "link", [&]() -> Result<std::string> {
    if (options.emit == EmitKind::Obj)
      return linkRelocatableObject(units->units);
    Result<Library> library = link(std::move(units.value()), options.soname);
    if (!library)
      return library.error();
    return std::move(library->bytes);
  });
  if (!made)
    return failed(std::move(outcome), made.error());
  outcome.output = std::move(made.value());
  return outcome;
}

} // namespace

CompileOutcome compileSource(const CompileOptions &options, const std::string &sourceText) {
  CompileOutcome outcome;
  if (options.emit == EmitKind::Tokens || options.emit == EmitKind::Ast) {
    FrontendDump dump = timed(outcome.timings, "parse", [&] { return dumpTokensOrAst(options, sourceText); });
    outcome.output = std::move(dump.text);
    outcome.diagnostics = std::move(dump.diagnostics);
    outcome.exitCode = dump.hasErrors ? ExitSourceErrors : ExitOk;
    return outcome;
  }

  ParsedModule parsed = timed(outcome.timings, "parse+sema", [&] { return parse(options, sourceText); });
  outcome.diagnostics = parsed.diagnostics;
  if (parsed.hasErrors) {
    outcome.exitCode = ExitSourceErrors;
    return outcome;
  }
  if (!parsed.ir)
    return failed(std::move(outcome), Error{"the frontend produced no IR and reported no error"});

  const std::vector<std::string> &passes = irPassNames();
  if (options.emit == EmitKind::IrAfter &&
      std::find(passes.begin(), passes.end(), options.irAfterPass) == passes.end()) {
    std::string names;
    for (const std::string &name : passes)
      names += (names.empty() ? "" : ", ") + name;
    return failed(std::move(outcome), Error{"--emit=ir-after: no IR pass is named `" + options.irAfterPass +
                                            "`; the passes are " + names});
  }
  PassPrinting printing{options.printAfterAll, options.emit == EmitKind::IrAfter ? options.irAfterPass : ""};
  Result<CheckedModule> checked = timed(outcome.timings, "passes", [&] {
    return runIRPasses(std::move(parsed), options.strictFp, printing);
  });
  if (!checked)
    return failed(std::move(outcome), checked.error());
  if (options.printAfterAll)
    outcome.irAfterPasses = checked->irAfterPasses;

  switch (options.emit) {
  case EmitKind::Ir:
    outcome.output = ir::printModule(*checked->ir);
    return outcome;
  case EmitKind::IrAfter:
    outcome.output = checked->irAfterPass;
    return outcome;
  case EmitKind::Header:
    outcome.output = emitHeader(*checked->ir, moduleNameFor(options));
    return outcome;
  case EmitKind::Manifest: {
    // The manifest names the target and its CPU features: the same document the library embeds.
    Result<TargetDescription> target = findTarget(options.targetName);
    if (!target)
      return failed(std::move(outcome), target.error());
    auto machine = createTargetMachine(target.value(), options.optLevel);
    if (!machine)
      return failed(std::move(outcome), machine.error());
    outcome.output = addManifest(checked.value(), target.value(), *machine.value(), options, sourceText, nullptr);
    return outcome;
  }
  default:
    return compileChecked(std::move(outcome), checked.value(), options, sourceText);
  }
}

} // namespace pyvc::compiler
