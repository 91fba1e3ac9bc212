// `pyvc explain`: runs the pipeline up to optimisation with LLVM's vectorizer remarks switched
// on, then prints per function what pyvc's own analysis concluded and what LLVM did, by line.
#include "compiler/Explain.h"

#include "compiler/Manifest.h"
#include "compiler/Phases.h"
#include "ir/Printer.h"
#include "ir/analysis/Classification.h"
#include "ir/analysis/Vectorizability.h"

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

std::string explainModule(const CompilationState &state) {
  const ir::Module &module = *state.module;
  std::string text = "# " + state.options.sourcePath + ": target " + state.target.name + " (" +
                     state.target.triple + ", cpu " + state.target.cpu + "), -O" +
                     std::to_string(state.options.optLevel) +
                     (state.options.strictFp ? ", strict fp" : ", fixed-lane float sums") + "\n";
  std::vector<ir::FunctionVectorization> verdicts = ir::analyzeVectorizability(module);
  for (const ir::FunctionVectorization &entry : verdicts) {
    const ir::Function &function = module.functions[entry.function];
    std::string errors;
    for (ir::ErrorKind error : function.possibleErrors)
      errors += (errors.empty() ? "" : ", ") + std::string(ir::errorKindName(error));
    bool batch = ir::hasBatchVariant(function);
    std::string batchSymbol = std::string("pyvc_batch_") + function.name;
    std::string batchPassed;
    auto byLine = remarksByLine(state.remarks, batch ? batchSymbol : std::string(), batchPassed);
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

CompileOutcome explainSource(const CompileOptions &options, const std::string &sourceText) {
  CompilationState state(options, sourceText);
  state.collectRemarks = true;
  bool ok = timed(state, "parse+sema", parseAndAnalyse) && timed(state, "verify", verifyIR) &&
            timed(state, "analyses", runAnalyses) && timed(state, "passes", runPasses) &&
            timed(state, "target", selectTarget) && timed(state, "lower", lowerToLlvm) &&
            timed(state, "optimise", optimise);
  if (ok)
    state.outcome.output = explainModule(state);
  return std::move(state.outcome);
}

} // namespace pyvc::compiler
