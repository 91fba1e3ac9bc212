// The phases of one compile, in pipeline order. Each is a function from what it needs to what
// it makes (Halide's `s = pass(s, ...)`): every representation has its own type, so calling a
// phase before the one that makes its input does not compile. Pipeline.cpp strings them
// together for `compile`, Explain.cpp for `explain`.
//
//   parse          CompileOptions, source text -> ParsedModule (kernel IR, or diagnostics)
//   runIRPasses    ParsedModule -> CheckedModule (verified, analysed, passes run)
//   lower          CheckedModule, target -> LlvmModule (one module, manifest embedded)
//   codegen        LlvmModule -> UnitOutputs (optimised per codegen unit: objects, assembly
//                  or LLVM IR; the one path from LLVM IR to what ships)
//   link           UnitOutputs of objects -> Library (.so bytes)
//
// A phase that fails returns an Error; only parse fails because of the user's source (exit 1),
// every other failure is internal or environmental (exit 3).
#pragma once

#include "compiler/CodegenUnits.h"
#include "compiler/Optimizer.h"
#include "compiler/Options.h"
#include "compiler/Targets.h"
#include "ir/IR.h"
#include "runtime/core/Result.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace pyvc::compiler {

// The kernel IR as the frontend made it (lex, parse, sema), or the diagnostics that stopped it.
struct ParsedModule {
  std::unique_ptr<ir::Module> ir; // null when the source has errors
  std::string diagnostics;        // rendered; warnings too when ir is set
  bool hasErrors = false;         // the source has errors (exit 1)
};

// --emit=tokens|ast: the frontend's dumps, with its diagnostics.
struct FrontendDump {
  std::string text;
  std::string diagnostics;
  bool hasErrors = false;
};

// The kernel IR verified, analysed and rewritten by the IR passes: what lowering, the header
// and the manifest read.
struct CheckedModule {
  std::unique_ptr<ir::Module> ir;
  std::string irAfterPasses; // the IR after every pass, when PassPrinting::all asked for it
  std::string irAfterPass;   // the IR after PassPrinting::onlyAfter
};

// One target's LLVM module, with the context and target machine it belongs to.
struct LlvmModule {
  TargetDescription target;
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::TargetMachine> machine;
  std::unique_ptr<llvm::Module> module;
};

// What the codegen units made, in unit order (link order), all of one kind.
struct UnitOutputs {
  UnitProduct product;
  std::vector<std::string> units;
  std::vector<VectorizerRemark> remarks; // when codegen was asked for them, in unit order
};

// A linked shared library.
struct Library {
  std::string bytes;
};

// The IR passes in the order runIRPasses runs them, by the names --emit=ir-after=PASS and
// --print-after-all use.
const std::vector<std::string> &irPassNames();

// Which IR to print while the passes run.
struct PassPrinting {
  bool all = false;      // after every pass (--print-after-all)
  std::string onlyAfter; // after this pass only (--emit=ir-after=PASS); empty: none
};

FrontendDump dumpTokensOrAst(const CompileOptions &options, const std::string &sourceText);
ParsedModule parse(const CompileOptions &options, const std::string &sourceText);
// Verifies the IR before the passes and, in debug builds, after every pass.
Result<CheckedModule> runIRPasses(ParsedModule parsed, bool strictFp, const PassPrinting &printing);
// keepDebugInfo: line tables for the vectorizer remarks of `explain`.
// Reads the target, -O level, --strict-fp and the module name from `options`.
Result<LlvmModule> lower(const CheckedModule &checked, const CompileOptions &options, bool keepDebugInfo);
// The manifest JSON of the checked module for `target` (its CPU features read from `machine`),
// embedded into `llvm` when given.
std::string addManifest(const CheckedModule &checked, const TargetDescription &target,
                        const llvm::TargetMachine &machine, const CompileOptions &options,
                        const std::string &sourceText, LlvmModule *llvm);
Result<UnitOutputs> codegen(LlvmModule lowered, int optLevel, UnitProduct product, bool collectRemarks);
Result<Library> link(UnitOutputs objects, const std::string &soname);

// Runs `phase` and records how long it took under `name`; returns what the phase returned.
template <typename Phase> auto timed(std::vector<PhaseTiming> &timings, const char *name, Phase phase) {
  auto begin = std::chrono::steady_clock::now();
  auto made = phase();
  std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - begin;
  timings.push_back({name, elapsed.count()});
  return made;
}

} // namespace pyvc::compiler
