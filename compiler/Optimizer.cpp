// Optimisation: the standard PassBuilder pipeline per -O level, with one LLVM option changed
// (setLlvmOptions). Remarks are caught by a DiagnosticHandler installed on the module's context
// for the duration of the run.
#include "compiler/Optimizer.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/DiagnosticHandler.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/IPO/AlwaysInliner.h>

#include <cassert>
#include <mutex>

namespace pyvc::compiler {

namespace {

class VectorizerRemarkCollector : public llvm::DiagnosticHandler {
public:
  explicit VectorizerRemarkCollector(std::vector<VectorizerRemark> &remarks) : remarks_(remarks) {}

  bool isAnalysisRemarkEnabled(llvm::StringRef pass) const override { return isVectorizer(pass); }
  bool isMissedOptRemarkEnabled(llvm::StringRef pass) const override { return isVectorizer(pass); }
  bool isPassedOptRemarkEnabled(llvm::StringRef pass) const override { return isVectorizer(pass); }
  bool isAnyRemarkEnabled() const override { return true; }

  bool handleDiagnostics(const llvm::DiagnosticInfo &info) override {
    auto *remark = llvm::dyn_cast<llvm::DiagnosticInfoOptimizationBase>(&info);
    if (!remark || !isVectorizer(remark->getPassName()))
      return info.getSeverity() != llvm::DS_Error; // let errors reach the default handler
    VectorizerRemark::Kind kind = VectorizerRemark::Kind::Analysis;
    if (info.getKind() == llvm::DK_OptimizationRemark)
      kind = VectorizerRemark::Kind::Passed;
    else if (info.getKind() == llvm::DK_OptimizationRemarkMissed)
      kind = VectorizerRemark::Kind::Missed;
    unsigned line = 0;
    if (remark->isLocationAvailable()) // every optimisation remark carries a location
      line = remark->getLocation().getLine();
    remarks_.push_back({kind, remark->getFunction().getName().str(), line, remark->getMsg()});
    return true;
  }

private:
  static bool isVectorizer(llvm::StringRef pass) { return pass == "loop-vectorize"; }
  std::vector<VectorizerRemark> &remarks_;
};

// LLVM options pyvc sets differently from the defaults; they are process-wide, so they are set
// once, before the first pipeline runs, and stay (clang sets such options with -mllvm).
//  - enable-load-in-loop-pre=false: GVN's load PRE across a loop's back edge turns the load of
//    xs[i - 1] into the previous iteration's xs[i]. Once the loop vectorizes, that recurrence
//    costs a lane shuffle per vector (vpermt2pd on x86-64, ext on NEON): zero_crossings ran
//    8-18% behind clang's C, which loads both. Kernels read their lists from L1; a second load
//    is cheaper than the shuffle.
void setLlvmOptions() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::StringMap<llvm::cl::Option *> &options = llvm::cl::getRegisteredOptions();
    auto loadInLoopPre = options.find("enable-load-in-loop-pre");
    assert(loadInLoopPre != options.end() && "GVN's enable-load-in-loop-pre option is gone");
    if (loadInLoopPre != options.end())
      loadInLoopPre->second->addOccurrence(0, "enable-load-in-loop-pre", "false");
  });
}

llvm::OptimizationLevel optimizationLevel(int optLevel) {
  switch (optLevel) {
  case 0: return llvm::OptimizationLevel::O0;
  case 1: return llvm::OptimizationLevel::O1;
  case 3: return llvm::OptimizationLevel::O3;
  default: return llvm::OptimizationLevel::O2;
  }
}

} // namespace

void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine, int optLevel,
                    std::vector<VectorizerRemark> *remarks) {
  setLlvmOptions();
  llvm::LLVMContext &context = module.getContext();
  std::unique_ptr<llvm::DiagnosticHandler> previous;
  if (remarks) {
    previous = context.getDiagnosticHandler();
    context.setDiagnosticHandler(std::make_unique<VectorizerRemarkCollector>(*remarks));
  }

  llvm::LoopAnalysisManager loopAnalyses;
  llvm::FunctionAnalysisManager functionAnalyses;
  llvm::CGSCCAnalysisManager sccAnalyses;
  llvm::ModuleAnalysisManager moduleAnalyses;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel >= 2;
  tuning.SLPVectorization = optLevel >= 2;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(moduleAnalyses);
  builder.registerCGSCCAnalyses(sccAnalyses);
  builder.registerFunctionAnalyses(functionAnalyses);
  builder.registerLoopAnalyses(loopAnalyses);
  builder.crossRegisterProxies(loopAnalyses, functionAnalyses, sccAnalyses, moduleAnalyses);

  if (optLevel > 0) {
    // Each kernel body lives in an internal pyvc_impl_* function called once, from its exported
    // wrapper. Inlining it before the pipeline starts means the body is simplified once, in the
    // wrapper, instead of once on its own and again after the CGSCC inliner moved it there.
    for (llvm::Function &function : module)
      if (function.hasLocalLinkage() && function.getName().starts_with("pyvc_impl_") &&
          function.hasOneUse() && !function.hasFnAttribute(llvm::Attribute::NoInline))
        function.addFnAttr(llvm::Attribute::AlwaysInline);
    builder.registerPipelineStartEPCallback([](llvm::ModulePassManager &start, llvm::OptimizationLevel) {
      start.addPass(llvm::AlwaysInlinerPass(/*InsertLifetimeIntrinsics=*/true));
    });
  }

  llvm::ModulePassManager passes = optLevel == 0
                                       ? builder.buildO0DefaultPipeline(llvm::OptimizationLevel::O0)
                                       : builder.buildPerModuleDefaultPipeline(optimizationLevel(optLevel));
  passes.run(module, moduleAnalyses);

  if (remarks)
    context.setDiagnosticHandler(std::move(previous));
}

} // namespace pyvc::compiler
