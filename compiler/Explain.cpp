// `pyvc explain`: runs the pipeline up to optimisation with LLVM's vectorizer remarks switched
// on, then prints per function what pyvc's own analysis concluded and what LLVM did, by line.
#include "compiler/Explain.h"

#include "compiler/Manifest.h"
#include "compiler/Phases.h"
#include "ir/Printer.h"
#include "ir/analysis/Classification.h"
#include "ir/analysis/Vectorizability.h"
#include "pyvc/kernel_symbols.h"

#include <map>

namespace pyvc::compiler {

namespace {

std::string signature(const ir::Function &function) {
  std::string text = "def " + function.name + "(";
  for (size_t i = 0; i < function.parameters.size(); ++i) {
    const ir::Local &local = function.locals[function.parameters[i]];
    text += (i ? ", " : "") + local.name + ": " + local.type.str();
  }
  return text + ") -> " + function.returnType.str();
}

// What LLVM said about one source line: passed remarks win, then the first missed/analysis one.
struct LineRemarks {
  std::string passed;
  std::string missed;
};

std::map<unsigned, LineRemarks> remarksByLine(const std::vector<VectorizerRemark> &remarks,
                                              const std::string &batchSymbol, std::string &batchPassed) {
  std::map<unsigned, LineRemarks> byLine;
  for (const VectorizerRemark &remark : remarks) {
    if (remark.kind == VectorizerRemark::Kind::Passed && remark.function == batchSymbol)
      batchPassed = remark.message;
    if (remark.line == 0 || remark.function == batchSymbol)
      continue;
    LineRemarks &entry = byLine[remark.line];
    if (remark.kind == VectorizerRemark::Kind::Passed && entry.passed.empty())
      entry.passed = remark.message;
    else if (remark.kind != VectorizerRemark::Kind::Passed && entry.missed.empty())
      entry.missed = remark.message;
  }
  return byLine;
}

std::string verdictLine(const ir::LoopVerdict &verdict, const std::map<unsigned, LineRemarks> &llvm) {
  std::string text = "  line " + std::to_string(verdict.span.line) + ": " + verdict.description + ": ";
  auto found = llvm.find(verdict.span.line);
  const LineRemarks *remarks = found == llvm.end() ? nullptr : &found->second;
  if (verdict.vectorizedByConstruction)
    return text + "vectorized by pyvc (" + verdict.reason + ")";
  if (remarks && !remarks->passed.empty())
    // LLVM may still widen loads of a loop pyvc judged scalar (strict in-order float reductions
    // on AArch64, say): say both, so the reader sees the order is kept.
    return text + "vectorized (LLVM: " + remarks->passed + ")" +
           (verdict.vectorizable ? "" : "; pyvc: " + verdict.reason);
  if (!verdict.vectorizable)
    return text + "not vectorized: " + verdict.reason;
  if (remarks && !remarks->missed.empty())
    return text + "not vectorized: LLVM: " + remarks->missed;
  return text + "not vectorized: LLVM left it scalar without a remark (" + verdict.reason + ")";
}

std::string explainModule(const ir::Module &module, const TargetDescription &target, const CompileOptions &options,
                          const std::vector<VectorizerRemark> &remarks) {
  std::string text = "# " + options.sourcePath + ": target " + target.name + " (" + target.triple + ", cpu " +
                     target.cpu + "), -O" + std::to_string(options.optLevel) +
                     (options.strictFp ? ", strict fp" : ", fixed-lane float sums") + "\n";
  std::vector<ir::FunctionVectorization> verdicts = ir::analyzeVectorizability(module);
  for (const ir::FunctionVectorization &entry : verdicts) {
    const ir::Function &function = module.functions[entry.function];
    std::string errors;
    for (ir::ErrorKind error : function.possibleErrors)
      errors += (errors.empty() ? "" : ", ") + std::string(ir::errorKindName(error));
    bool batch = ir::hasBatchVariant(function);
    std::string batchSymbol = abi::batchSymbol(moduleNameFor(options), function.name);
    std::string batchPassed;
    auto byLine = remarksByLine(remarks, batch ? batchSymbol : std::string(), batchPassed);
    text += "\n" + signature(function) + "    (line " + std::to_string(function.span.line) + ")\n";
    text += "  classification: " + std::string(ir::classificationName(function.classification)) + "\n";
    text += "  errors: " + (errors.empty() ? std::string("none") : errors) + "\n";
    text += "  batch variant: " +
            (batch ? batchSymbol + (batchPassed.empty() ? " (scalar loop)" : " (vectorized; LLVM: " + batchPassed + ")")
                   : std::string("none (takes or returns lists)")) +
            "\n";
    if (entry.loops.empty())
      text += "  no loops or reductions\n";
    for (const ir::LoopVerdict &verdict : entry.loops)
      text += verdictLine(verdict, byLine) + "\n";
  }
  return text;
}

} // namespace

// The same phases as `compile` up to the optimised codegen units, with line tables kept for the
// remarks; the units stop at LLVM IR, since no code is shipped.
CompileOutcome explainSource(const CompileOptions &options, const std::string &sourceText) {
  CompileOutcome outcome;
  ParsedModule parsed = timed(outcome.timings, "parse+sema", [&] { return parse(options, sourceText); });
  outcome.diagnostics = parsed.diagnostics;
  if (!parsed.ir) {
    outcome.exitCode = parsed.hasErrors ? ExitSourceErrors : ExitInternal;
    if (!parsed.hasErrors)
      outcome.errorMessage = "the frontend produced no IR and reported no error";
    return outcome;
  }
  auto fail = [&](const Error &error) {
    outcome.exitCode = ExitInternal;
    outcome.errorMessage = error.message;
    return std::move(outcome);
  };
  Result<CheckedModule> checked =
      timed(outcome.timings, "passes", [&] { return runIRPasses(std::move(parsed), options.strictFp, {}); });
  if (!checked)
    return fail(checked.error());
  Result<LlvmModule> lowered =
      timed(outcome.timings, "lower", [&] { return lower(checked.value(), options, true); });
  if (!lowered)
    return fail(lowered.error());
  TargetDescription target = lowered->target;
  Result<UnitOutputs> units = timed(outcome.timings, "optimise", [&] {
    return codegen(std::move(lowered.value()), options.optLevel, UnitProduct::LlvmIr, true);
  });
  if (!units)
    return fail(units.error());
  outcome.output = explainModule(*checked->ir, target, options, units->remarks);
  return outcome;
}

} // namespace pyvc::compiler
