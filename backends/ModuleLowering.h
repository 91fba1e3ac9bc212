// State shared by the lowering of every function of one module: the LLVM module, debug info,
// the internal implementation of each IR function, message strings and the support library's
// declarations. Internal to backends/.
#pragma once

#include "backends/Lowering.h"
#include "ir/IR.h"

#include "llvm/IR/DIBuilder.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

#include <map>
#include <string>
#include <vector>

namespace pyvc::backends {

// The maximum call depth, as CPython's default recursion limit.
constexpr int RecursionLimit = 1000;

struct ModuleLowering {
  ModuleLowering(const ir::Module &source, llvm::Module &module, const LoweringOptions &options);

  const ir::Module &source;
  llvm::Module &module;
  llvm::LLVMContext &context;
  const LoweringOptions &options;
  llvm::DIBuilder debugBuilder;
  llvm::DIFile *debugFile = nullptr;
  llvm::DICompileUnit *compileUnit = nullptr;

  // pyvc_impl_<name> for each ir function, same order as source.functions. Signature:
  //   i32 (params..., result out-pointers..., ptr message, i32 depth)
  // scalars as register values (bool = i1), lists as (ptr data, i64 length); results as one
  // pointer per scalar or tuple member (memory types: bool = i8), or one pointer receiving a
  // list header for a list result.
  std::vector<llvm::Function *> implementations;
  // Whether each function can call itself (directly or through others): only those check the
  // recursion depth.
  std::vector<bool> recursive;
  // The list header of backends/support/pyvc_support.c: {data, length, capacity, next, prev, flags}.
  llvm::StructType *listType = nullptr;

  // A private constant C string holding `text`, one per distinct text.
  llvm::Constant *message(const std::string &text);
  // A support-library function (pyvc_rt_*), declared on first use and linked in afterwards.
  llvm::FunctionCallee supportFunction(llvm::StringRef name, llvm::Type *result,
                                       llvm::ArrayRef<llvm::Type *> parameters);
  // A libm function of `arity` doubles returning a double; it reads and writes no memory
  // (errors are detected from the result, never from errno).
  llvm::FunctionCallee mathFunction(llvm::StringRef name, unsigned arity);

  llvm::Type *registerType(const ir::Type &type);
  llvm::Type *memoryType(ir::TypeKind scalar);
  static int64_t elementSize(ir::TypeKind scalar) { return scalar == ir::TypeKind::Bool ? 1 : 8; }
  llvm::DISubprogram *makeSubprogram(llvm::Function *function, uint32_t line);

private:
  std::map<std::string, llvm::Constant *> messages_;
};

// Declares the implementation of every function (filling `implementations` and `recursive`).
void declareImplementations(ModuleLowering &lowering);
// Emits the exported entry points pyvc_<module>_fn_/_batch_<name> and pyvc_<module>_free
// (EntryPoints.cpp).
void emitEntryPoints(ModuleLowering &lowering);

} // namespace pyvc::backends
