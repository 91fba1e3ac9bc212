// The target table and TargetMachine creation. Each named target pins the triple and CPU so the
// same flags give the same code on any build machine; only `host` asks this machine.
#include "compiler/Targets.h"

#include <llvm/ADT/StringMap.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/CodeGen.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

#include <algorithm>
#include <mutex>

extern "C" {
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86Target();
void LLVMInitializeX86TargetMC();
void LLVMInitializeX86AsmPrinter();
void LLVMInitializeAArch64TargetInfo();
void LLVMInitializeAArch64Target();
void LLVMInitializeAArch64TargetMC();
void LLVMInitializeAArch64AsmPrinter();
}

namespace pyvc::compiler {

namespace {

// Named targets. Generic aarch64 is ARMv8-A with NEON (every 64-bit Pi has it).
const std::vector<TargetDescription> &targetTable() {
  static const std::vector<TargetDescription> table = {
      {"x86-64", "x86_64-unknown-linux-gnu", "x86-64", ""},
      {"x86-64-v3", "x86_64-unknown-linux-gnu", "x86-64-v3", ""},
      {"aarch64", "aarch64-unknown-linux-gnu", "generic", "+neon"},
      {"aarch64-cortex-a72", "aarch64-unknown-linux-gnu", "cortex-a72", "+neon"},
      {"aarch64-cortex-a76", "aarch64-unknown-linux-gnu", "cortex-a76", "+neon"},
  };
  return table;
}

TargetDescription hostTarget() {
  TargetDescription host{"host", llvm::sys::getProcessTriple(), llvm::sys::getHostCPUName().str(), ""};
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  // Sorted so the feature string (and so the output) does not depend on hash order.
  std::vector<std::string> enabled;
  for (const auto &feature : features)
    enabled.push_back((feature.second ? "+" : "-") + feature.first().str());
  std::sort(enabled.begin(), enabled.end());
  for (const std::string &feature : enabled)
    host.features += (host.features.empty() ? "" : ",") + feature;
  return host;
}

} // namespace

Result<TargetDescription> findTarget(const std::string &name) {
  if (name == "host") {
    TargetDescription host = hostTarget();
    llvm::Triple triple(host.triple);
    if (triple.getArch() != llvm::Triple::x86_64 && triple.getArch() != llvm::Triple::aarch64)
      return makeError("the host (" + host.triple + ") is neither x86-64 nor aarch64");
    return host;
  }
  for (const TargetDescription &target : targetTable())
    if (target.name == name)
      return target;
  std::string known;
  for (const std::string &candidate : targetNames())
    known += (known.empty() ? "" : ", ") + candidate;
  return makeError("unknown target `" + name + "` (known: " + known + ")");
}

std::vector<std::string> enabledCpuFeatures(const llvm::TargetMachine &machine) {
  std::vector<const char *> candidates;
  if (machine.getTargetTriple().getArch() == llvm::Triple::x86_64) {
#define PYVC_X86_FEATURE(name, leaf, subleaf, reg, bit, state, flag) candidates.push_back(name);
#include "pyvc/cpu_features.def"
  } else if (machine.getTargetTriple().getArch() == llvm::Triple::aarch64) {
#define PYVC_AARCH64_FEATURE(name, word, bit, flag) candidates.push_back(name);
#include "pyvc/cpu_features.def"
  }
  // The subtarget holds the features after LLVM expanded the CPU and the feature string, with
  // what each feature implies (x86-64-v3 -> avx2 -> avx -> sse4.2 ...).
  const llvm::MCSubtargetInfo &subtarget = *machine.getMCSubtargetInfo();
  std::vector<std::string> enabled;
  for (const char *name : candidates)
    if (subtarget.checkFeatures(std::string("+") + name))
      enabled.push_back(name);
  return enabled;
}

void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
  });
}

Result<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const TargetDescription &target,
                                                                 int optLevel) {
  initializeTargets();
  std::string error;
  const llvm::Target *llvmTarget = llvm::TargetRegistry::lookupTarget(target.triple, error);
  if (!llvmTarget)
    return makeError("no LLVM backend for " + target.triple + ": " + error);
  llvm::TargetOptions options;
  options.AllowFPOpFusion = llvm::FPOpFusion::Strict; // Python never fuses a*b+c
  options.FunctionSections = false;
  llvm::CodeGenOptLevel level = optLevel <= 0   ? llvm::CodeGenOptLevel::None
                                : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                                : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> machine(llvmTarget->createTargetMachine(
      target.triple, target.cpu, target.features, options, llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine)
    return makeError("LLVM could not create a target machine for " + target.name);
  return machine;
}

} // namespace pyvc::compiler
