// The LLVM backend's entry point: kernel IR -> one LLVM module per target, exporting exactly the
// C ABI of runtime/include/pyvc/kernel_abi.h. The compiler driver adds the manifest, runs the
// optimisation pipeline and emits the object.
#pragma once

#include "ir/IR.h"

#include <memory>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace pyvc::backends {

struct LoweringOptions {
  int optLevel = 2;      // 0..3; lowering may emit simpler code at 0
};

// Lowers a verified module to LLVM IR for `target` (the module gets its triple and data layout),
// exporting exactly the symbols of kernel_abi.h: pyvc_fn_<name> for every function,
// pyvc_batch_<name> for every function whose parameters and result are all scalars (or a tuple
// of scalars), and pyvc_free. Internal helpers have internal linkage. The compiler adds the
// manifest global itself and runs the optimisation pipeline and codegen.
// Supported targets: x86-64 and aarch64 (the support library is embedded for those two).
std::unique_ptr<llvm::Module> lowerModule(const ir::Module &module, llvm::LLVMContext &context,
                                          llvm::TargetMachine &target, const LoweringOptions &options);

} // namespace pyvc::backends
