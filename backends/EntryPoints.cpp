// The exported C ABI of kernel_abi.h: pyvc_<module>_fn_<name> (converts C arguments and results
// to the internal convention and back), pyvc_<module>_batch_<name> (a loop over arrays of
// arguments that stops at the first error) and pyvc_<module>_free.
#include "backends/ModuleLowering.h"
#include "ir/analysis/Classification.h"
#include "pyvc/kernel_symbols.h"

#include "llvm/IR/MDBuilder.h"

namespace pyvc::backends {

namespace {

// Builds one exported wrapper; the state every wrapper needs in one place.
class EntryPointBuilder {
public:
  EntryPointBuilder(ModuleLowering &lowering, const ir::Function &function, llvm::Function *implementation)
      : lowering_(lowering), function_(function), implementation_(implementation),
        builder_(lowering.context) {}

  void emitFunction();
  void emitBatch();

private:
  llvm::Function *createExported(const std::string &name, llvm::ArrayRef<llvm::Type *> parameters);
  // The message pointer to hand down: the caller's, or a local slot when it passed NULL.
  llvm::Value *messageTarget(llvm::Value *callerMessage);
  llvm::Type *abiScalarType(const ir::Type &type) { return lowering_.memoryType(type.kind()); }
  llvm::Value *fromAbi(llvm::Value *value, const ir::Type &type) {
    return type.isBool() ? builder_.CreateICmpNE(value, builder_.getInt8(0)) : value;
  }
  std::vector<ir::Type> scalarResults() {
    if (function_.returnType.isTuple())
      return function_.returnType.members();
    if (function_.returnType.isNone())
      return {};
    return {function_.returnType};
  }

  ModuleLowering &lowering_;
  const ir::Function &function_;
  llvm::Function *implementation_;
  llvm::IRBuilder<> builder_;
};

llvm::Function *EntryPointBuilder::createExported(const std::string &name, llvm::ArrayRef<llvm::Type *> parameters) {
  auto *type = llvm::FunctionType::get(builder_.getInt32Ty(), parameters, false);
  auto *exported = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, name, lowering_.module);
  exported->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::DISubprogram *subprogram = lowering_.makeSubprogram(exported, function_.span.line);
  builder_.SetInsertPoint(llvm::BasicBlock::Create(lowering_.context, "entry", exported));
  builder_.SetCurrentDebugLocation(llvm::DILocation::get(lowering_.context, function_.span.line, 0, subprogram));
  return exported;
}

llvm::Value *EntryPointBuilder::messageTarget(llvm::Value *callerMessage) {
  llvm::AllocaInst *local = builder_.CreateAlloca(builder_.getPtrTy(), nullptr, "message.local");
  return builder_.CreateSelect(builder_.CreateIsNull(callerMessage), local, callerMessage);
}

void EntryPointBuilder::emitFunction() {
  llvm::Type *pointer = builder_.getPtrTy();
  std::vector<llvm::Type *> parameters;
  for (ir::LocalId parameter : function_.parameters) {
    const ir::Type &type = function_.locals[parameter].type;
    if (type.isList()) {
      parameters.push_back(pointer);
      parameters.push_back(builder_.getInt64Ty());
    } else {
      parameters.push_back(abiScalarType(type));
    }
  }
  bool listResult = function_.returnType.isList();
  size_t resultPointers = listResult ? 2 : scalarResults().size();
  parameters.insert(parameters.end(), resultPointers, pointer);
  parameters.push_back(pointer); // const char **message
  llvm::Function *exported = createExported(abi::functionSymbol(lowering_.options.moduleName, function_.name), parameters);

  std::vector<llvm::Value *> arguments;
  auto argument = exported->arg_begin();
  for (ir::LocalId parameter : function_.parameters) {
    const ir::Type &type = function_.locals[parameter].type;
    if (type.isList()) {
      arguments.push_back(&*argument++);
      arguments.push_back(&*argument++);
    } else {
      arguments.push_back(fromAbi(&*argument++, type));
    }
  }
  llvm::AllocaInst *listHeader = nullptr;
  llvm::Value *outData = nullptr, *outLength = nullptr;
  if (listResult) {
    outData = &*argument++;
    outLength = &*argument++;
    listHeader = builder_.CreateAlloca(pointer, nullptr, "result.list");
    arguments.push_back(listHeader);
  } else {
    // Scalar results use the caller's pointers directly: the memory types are the ABI's.
    for (size_t index = 0; index < resultPointers; ++index)
      arguments.push_back(&*argument++);
  }
  arguments.push_back(messageTarget(&*argument++));
  arguments.push_back(builder_.getInt32(0));
  llvm::Value *status = builder_.CreateCall(implementation_, arguments, "status");
  if (!listResult) {
    builder_.CreateRet(status);
    return;
  }
  llvm::BasicBlock *release = llvm::BasicBlock::Create(lowering_.context, "release", exported);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(lowering_.context, "done", exported);
  builder_.CreateCondBr(builder_.CreateICmpEQ(status, builder_.getInt32(0)), release, done);
  builder_.SetInsertPoint(release);
  llvm::FunctionCallee releaseList =
      lowering_.supportFunction("pyvc_rt_list_release", builder_.getVoidTy(), {pointer, pointer, pointer});
  builder_.CreateCall(releaseList, {builder_.CreateLoad(pointer, listHeader), outData, outLength});
  builder_.CreateBr(done);
  builder_.SetInsertPoint(done);
  builder_.CreateRet(status);
}

void EntryPointBuilder::emitBatch() {
  llvm::Type *pointer = builder_.getPtrTy();
  llvm::Type *int64 = builder_.getInt64Ty();
  std::vector<ir::Type> results = scalarResults();
  std::vector<llvm::Type *> parameters(function_.parameters.size(), pointer);
  parameters.push_back(int64); // count
  parameters.insert(parameters.end(), results.size(), pointer);
  parameters.push_back(pointer); // int64_t *error_index
  parameters.push_back(pointer); // const char **message
  llvm::Function *exported = createExported(abi::batchSymbol(lowering_.options.moduleName, function_.name), parameters);
  for (unsigned index = 0; index < function_.parameters.size(); ++index)
    exported->addParamAttr(index, llvm::Attribute::ReadOnly);

  auto argument = exported->arg_begin();
  std::vector<llvm::Value *> inputs, outputs;
  for (size_t index = 0; index < function_.parameters.size(); ++index)
    inputs.push_back(&*argument++);
  llvm::Value *count = &*argument++;
  for (size_t index = 0; index < results.size(); ++index)
    outputs.push_back(&*argument++);
  llvm::Value *errorIndex = &*argument++;
  llvm::Value *message = messageTarget(&*argument++);

  llvm::BasicBlock *entry = builder_.GetInsertBlock();
  llvm::BasicBlock *header = llvm::BasicBlock::Create(lowering_.context, "loop", exported);
  llvm::BasicBlock *body = llvm::BasicBlock::Create(lowering_.context, "body", exported);
  llvm::BasicBlock *failed = llvm::BasicBlock::Create(lowering_.context, "failed", exported);
  llvm::BasicBlock *next = llvm::BasicBlock::Create(lowering_.context, "next", exported);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(lowering_.context, "done", exported);
  builder_.CreateBr(header);

  builder_.SetInsertPoint(header);
  llvm::PHINode *index = builder_.CreatePHI(int64, 2, "index");
  index->addIncoming(builder_.getInt64(0), entry);
  builder_.CreateCondBr(builder_.CreateICmpSLT(index, count), body, done);

  builder_.SetInsertPoint(body);
  std::vector<llvm::Value *> arguments;
  for (size_t position = 0; position < inputs.size(); ++position) {
    const ir::Type &type = function_.locals[function_.parameters[position]].type;
    llvm::Type *memory = abiScalarType(type);
    llvm::Value *address = builder_.CreateInBoundsGEP(memory, inputs[position], index);
    arguments.push_back(fromAbi(builder_.CreateLoad(memory, address), type));
  }
  for (size_t position = 0; position < outputs.size(); ++position)
    arguments.push_back(builder_.CreateInBoundsGEP(abiScalarType(results[position]), outputs[position], index));
  arguments.push_back(message);
  arguments.push_back(builder_.getInt32(0));
  llvm::Value *status = builder_.CreateCall(implementation_, arguments, "status");
  llvm::MDNode *unlikely = llvm::MDBuilder(lowering_.context).createUnlikelyBranchWeights();
  builder_.CreateCondBr(builder_.CreateICmpNE(status, builder_.getInt32(0)), failed, next, unlikely);

  builder_.SetInsertPoint(failed);
  llvm::BasicBlock *storeIndex = llvm::BasicBlock::Create(lowering_.context, "store.index", exported);
  llvm::BasicBlock *report = llvm::BasicBlock::Create(lowering_.context, "report", exported);
  builder_.CreateCondBr(builder_.CreateIsNull(errorIndex), report, storeIndex);
  builder_.SetInsertPoint(storeIndex);
  builder_.CreateStore(index, errorIndex);
  builder_.CreateBr(report);
  builder_.SetInsertPoint(report);
  builder_.CreateRet(status);

  builder_.SetInsertPoint(next);
  index->addIncoming(builder_.CreateAdd(index, builder_.getInt64(1), "", true, true), next);
  builder_.CreateBr(header);

  builder_.SetInsertPoint(done);
  builder_.CreateRet(builder_.getInt32(0));
}

} // namespace

void emitEntryPoints(ModuleLowering &lowering) {
  for (size_t index = 0; index < lowering.source.functions.size(); ++index) {
    const ir::Function &function = lowering.source.functions[index];
    EntryPointBuilder builder(lowering, function, lowering.implementations[index]);
    builder.emitFunction();
    if (ir::hasBatchVariant(function))
      builder.emitBatch();
  }

  // void pyvc_<module>_free(void *data): list results are released by the library that made them.
  llvm::LLVMContext &context = lowering.context;
  llvm::Type *pointer = llvm::PointerType::get(context, 0);
  auto *freeType = llvm::FunctionType::get(llvm::Type::getVoidTy(context), {pointer}, false);
  auto *release = llvm::Function::Create(freeType, llvm::GlobalValue::ExternalLinkage,
                                         abi::freeSymbol(lowering.options.moduleName), lowering.module);
  release->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::DISubprogram *subprogram = lowering.makeSubprogram(release, 0);
  llvm::IRBuilder<> builder(llvm::BasicBlock::Create(context, "entry", release));
  builder.SetCurrentDebugLocation(llvm::DILocation::get(context, 0, 0, subprogram));
  llvm::FunctionCallee freeFunction = lowering.module.getOrInsertFunction("free", freeType);
  builder.CreateCall(freeFunction, {&*release->arg_begin()});
  builder.CreateRetVoid();
}

} // namespace pyvc::backends
