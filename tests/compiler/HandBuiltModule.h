// A kernel library built directly as LLVM IR, so codegen, lld and the manifest can be tested
// without the frontend and the backends:
//   pyvc_hypot_fn_hypot2(double a, double b, double *out, const char **message): *out = sqrt(a*a+b*b)
//   pyvc_hypot_free(void *), and an internal helper that must not be exported.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <memory>

namespace pyvc::compiler::testing {

inline std::unique_ptr<llvm::Module> buildHypotModule(llvm::LLVMContext &context) {
  auto module = std::make_unique<llvm::Module>("hand_built", context);
  llvm::IRBuilder<> builder(context);
  llvm::Type *f64 = builder.getDoubleTy();
  llvm::Type *i32 = builder.getInt32Ty();
  llvm::Type *ptr = builder.getPtrTy();

  // An externally visible function without the pyvc_ prefix: the version script must hide it.
  auto *square = llvm::Function::Create(llvm::FunctionType::get(f64, {f64}, false),
                                        llvm::GlobalValue::ExternalLinkage, "square_helper", *module);
  square->addFnAttr(llvm::Attribute::NoInline);
  builder.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", square));
  builder.CreateRet(builder.CreateFMul(square->getArg(0), square->getArg(0)));

  llvm::FunctionCallee sqrtFunction =
      module->getOrInsertFunction("sqrt", llvm::FunctionType::get(f64, {f64}, false));
  auto *kernel = llvm::Function::Create(llvm::FunctionType::get(i32, {f64, f64, ptr, ptr}, false),
                                        llvm::GlobalValue::ExternalLinkage, "pyvc_hypot_fn_hypot2", *module);
  builder.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", kernel));
  llvm::Value *sum = builder.CreateFAdd(builder.CreateCall(square, {kernel->getArg(0)}),
                                        builder.CreateCall(square, {kernel->getArg(1)}));
  // A call to libm's sqrt (not the intrinsic) keeps a real libm reference in the object.
  llvm::CallInst *root = builder.CreateCall(sqrtFunction, {sum});
  root->setIsNoInline();
  builder.CreateStore(root, kernel->getArg(2));
  builder.CreateRet(builder.getInt32(0));

  llvm::FunctionCallee freeFunction =
      module->getOrInsertFunction("free", llvm::FunctionType::get(builder.getVoidTy(), {ptr}, false));
  auto *release = llvm::Function::Create(llvm::FunctionType::get(builder.getVoidTy(), {ptr}, false),
                                         llvm::GlobalValue::ExternalLinkage, "pyvc_hypot_free", *module);
  builder.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", release));
  builder.CreateCall(freeFunction, {release->getArg(0)});
  builder.CreateRetVoid();
  return module;
}

} // namespace pyvc::compiler::testing
