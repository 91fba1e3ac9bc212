// FunctionLowering: the frame of one function (locals, parameters, the status/arena exit path),
// its statements, calls between kernel functions, and the error channel every raise goes
// through: store the message, set the status, branch to the single exit block.
#include "backends/FunctionLowering.h"

#include "llvm/IR/MDBuilder.h"

namespace pyvc::backends {

FunctionLowering::FunctionLowering(ModuleLowering &module, const ir::Function &function)
    : module_(module), function_(function),
      llvmFunction_(module.implementations[&function - module.source.functions.data()]),
      context_(module.context), builder_(module.context) {}

void FunctionLowering::lower() {
  size_t functionIndex = &function_ - module_.source.functions.data();
  entryBlock_ = llvm::BasicBlock::Create(context_, "entry", llvmFunction_);
  exitBlock_ = llvm::BasicBlock::Create(context_, "exit");
  subprogram_ = module_.makeSubprogram(llvmFunction_, function_.span.line);
  builder_.SetInsertPoint(entryBlock_);
  setLocation(function_.span);

  statusSlot_ = entryAlloca(builder_.getInt32Ty(), "status");
  builder_.CreateStore(builder_.getInt32(0), statusSlot_);
  for (const ir::Local &local : function_.locals) {
    llvm::Type *type = module_.registerType(local.type);
    if (type->isVoidTy()) {
      localSlots_.push_back(nullptr);
      continue;
    }
    llvm::AllocaInst *slot = entryAlloca(type, local.name);
    // Locals start at zero so that no path can read an undefined value.
    builder_.CreateStore(llvm::Constant::getNullValue(type), slot);
    localSlots_.push_back(slot);
  }

  auto argument = llvmFunction_->arg_begin();
  for (ir::LocalId parameter : function_.parameters) {
    const ir::Local &local = function_.locals[parameter];
    if (local.type.isList()) {
      llvm::Value *data = &*argument++;
      llvm::Value *length = &*argument++;
      builder_.CreateStore(borrowList(data, length, local.name), localSlots_[parameter]);
    } else {
      builder_.CreateStore(&*argument++, localSlots_[parameter]);
    }
  }
  size_t resultCount = function_.returnType.isTuple() ? function_.returnType.members().size()
                       : function_.returnType.isNone() ? 0
                                                       : 1;
  for (size_t index = 0; index < resultCount; ++index)
    resultPointers_.push_back(&*argument++);
  messageOut_ = &*argument++;
  depth_ = &*argument++;

  if (module_.recursive[functionIndex])
    raiseIf(builder_.CreateICmpSGT(depth_, builder_.getInt32(RecursionLimit)),
            ir::ErrorKind::Recursion, "maximum recursion depth exceeded");

  lowerBlock(function_.body);
  if (!builder_.GetInsertBlock()->getTerminator())
    builder_.CreateBr(exitBlock_); // a function returning None falls off its end

  exitBlock_->insertInto(llvmFunction_);
  builder_.SetInsertPoint(exitBlock_);
  setLocation(function_.span);
  llvm::Value *status = builder_.CreateLoad(builder_.getInt32Ty(), statusSlot_, "status");
  if (arenaSlot_) {
    llvm::Type *pointer = builder_.getPtrTy();
    llvm::FunctionCallee freeAll =
        module_.supportFunction("pyvc_rt_list_free_all", builder_.getVoidTy(), {pointer});
    builder_.CreateCall(freeAll, {builder_.CreateLoad(pointer, arenaSlot_)});
  }
  builder_.CreateRet(status);
}

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

void FunctionLowering::lowerBlock(const ir::Block &block) {
  for (const ir::Stmt *statement : block) {
    ensureInsertionBlock();
    lowerStatement(*statement);
  }
}

void FunctionLowering::lowerStatement(const ir::Stmt &statement) {
  setLocation(statement.span);
  switch (statement.kind) {
  case ir::StmtKind::Assign: {
    const auto &assign = *statement.as<ir::AssignStmt>();
    llvm::Value *value = lowerExpr(*assign.value);
    builder_.CreateStore(value, localSlots_[assign.target]);
    return;
  }
  case ir::StmtKind::StoreIndex: return lowerStoreIndex(*statement.as<ir::StoreIndexStmt>());
  case ir::StmtKind::Append: return lowerAppend(*statement.as<ir::AppendStmt>());
  case ir::StmtKind::If: return lowerIf(*statement.as<ir::IfStmt>());
  case ir::StmtKind::While: return lowerWhile(*statement.as<ir::WhileStmt>());
  case ir::StmtKind::For: return lowerFor(*statement.as<ir::ForStmt>());
  case ir::StmtKind::Break:
    assert(!loops_.empty() && "break outside a loop");
    builder_.CreateBr(loops_.back().exit);
    return;
  case ir::StmtKind::Continue:
    assert(!loops_.empty() && "continue outside a loop");
    builder_.CreateBr(loops_.back().continueTarget);
    return;
  case ir::StmtKind::Return: return lowerReturn(*statement.as<ir::ReturnStmt>());
  case ir::StmtKind::Raise: {
    const auto &raise = *statement.as<ir::RaiseStmt>();
    builder_.CreateStore(module_.message(raise.message), messageOut_);
    builder_.CreateStore(builder_.getInt32(uint32_t(raise.error)), statusSlot_);
    builder_.CreateBr(exitBlock_);
    return;
  }
  }
}

void FunctionLowering::lowerIf(const ir::IfStmt &statement) {
  llvm::Value *condition = lowerExpr(*statement.condition);
  llvm::BasicBlock *thenBlock = newBlock("if.then");
  llvm::BasicBlock *elseBlock = newBlock("if.else");
  llvm::BasicBlock *mergeBlock = newBlock("if.end");
  builder_.CreateCondBr(condition, thenBlock, elseBlock);
  builder_.SetInsertPoint(thenBlock);
  lowerBlock(statement.thenBody);
  if (!builder_.GetInsertBlock()->getTerminator())
    builder_.CreateBr(mergeBlock);
  builder_.SetInsertPoint(elseBlock);
  lowerBlock(statement.elseBody);
  if (!builder_.GetInsertBlock()->getTerminator())
    builder_.CreateBr(mergeBlock);
  builder_.SetInsertPoint(mergeBlock);
}

void FunctionLowering::lowerWhile(const ir::WhileStmt &statement) {
  llvm::BasicBlock *conditionBlock = newBlock("while.cond");
  llvm::BasicBlock *bodyBlock = newBlock("while.body");
  llvm::BasicBlock *exit = newBlock("while.end");
  builder_.CreateBr(conditionBlock);
  builder_.SetInsertPoint(conditionBlock);
  setLocation(statement.span);
  builder_.CreateCondBr(lowerExpr(*statement.condition), bodyBlock, exit);
  builder_.SetInsertPoint(bodyBlock);
  loops_.push_back({conditionBlock, exit});
  lowerBlock(statement.body);
  loops_.pop_back();
  if (!builder_.GetInsertBlock()->getTerminator())
    builder_.CreateBr(conditionBlock);
  builder_.SetInsertPoint(exit);
}

void FunctionLowering::lowerFor(const ir::ForStmt &statement) {
  if (lowerScatterUpdateLoop(statement))
    return;
  emitIterationLoop(statement.space, [&](const LoopTargets &targets) {
    loops_.push_back(targets);
    lowerBlock(statement.body);
    loops_.pop_back();
  });
}

void FunctionLowering::lowerReturn(const ir::ReturnStmt &statement) {
  if (statement.value) {
    const ir::Type &type = statement.value->type;
    llvm::Value *value = lowerExpr(*statement.value);
    if (type.isTuple()) {
      std::vector<ir::Type> members = type.members();
      for (size_t index = 0; index < members.size(); ++index) {
        llvm::Value *member = builder_.CreateExtractValue(value, {unsigned(index)});
        if (members[index].isBool())
          member = builder_.CreateZExt(member, builder_.getInt8Ty());
        builder_.CreateStore(member, resultPointers_[index]);
      }
    } else if (type.isList()) {
      // Ownership moves to the caller: out of this call's arena (or copied, if borrowed).
      llvm::Type *pointer = builder_.getPtrTy();
      llvm::FunctionCallee take = module_.supportFunction(
          "pyvc_rt_list_take", pointer, {pointer, pointer, builder_.getInt64Ty()});
      llvm::Value *taken =
          builder_.CreateCall(take, {arenaSlot(), value, elementSizeValue(type.element().kind())});
      raiseIf(builder_.CreateIsNull(taken), ir::ErrorKind::Memory, "out of memory");
      builder_.CreateStore(taken, resultPointers_[0]);
    } else if (!type.isNone()) {
      if (type.isBool())
        value = builder_.CreateZExt(value, builder_.getInt8Ty());
      builder_.CreateStore(value, resultPointers_[0]);
    }
  }
  builder_.CreateBr(exitBlock_);
}

// ---------------------------------------------------------------------------------------------
// Expressions: dispatch, constants, calls, tuples
// ---------------------------------------------------------------------------------------------

llvm::Value *FunctionLowering::lowerExpr(const ir::Expr &expr) {
  llvm::DebugLoc saved = builder_.getCurrentDebugLocation();
  setLocation(expr.span);
  llvm::Value *result = nullptr;
  switch (expr.kind) {
  case ir::ExprKind::Constant: result = lowerConstant(*expr.as<ir::ConstantExpr>()); break;
  case ir::ExprKind::LocalRef: {
    const auto &reference = *expr.as<ir::LocalRefExpr>();
    llvm::AllocaInst *slot = localSlots_[reference.local];
    result = builder_.CreateLoad(slot->getAllocatedType(), slot, function_.locals[reference.local].name);
    break;
  }
  case ir::ExprKind::Unary: result = lowerUnary(*expr.as<ir::UnaryExpr>()); break;
  case ir::ExprKind::Binary: result = lowerBinary(*expr.as<ir::BinaryExpr>()); break;
  case ir::ExprKind::CompareChain: result = lowerCompareChain(*expr.as<ir::CompareChainExpr>()); break;
  case ir::ExprKind::Logical: result = lowerLogical(*expr.as<ir::LogicalExpr>()); break;
  case ir::ExprKind::Select: result = lowerSelect(*expr.as<ir::SelectExpr>()); break;
  case ir::ExprKind::Convert: result = lowerConvert(*expr.as<ir::ConvertExpr>()); break;
  case ir::ExprKind::Call: result = lowerCall(*expr.as<ir::CallExpr>()); break;
  case ir::ExprKind::Intrinsic: result = lowerIntrinsic(*expr.as<ir::IntrinsicExpr>()); break;
  case ir::ExprKind::ListLength: {
    const ir::Expr &list = *expr.as<ir::ListLengthExpr>()->list;
    llvm::Value *header = lowerExpr(list);
    result = listLength(header);
    discardIfTemporary(list, header);
    break;
  }
  case ir::ExprKind::Index: result = lowerIndex(*expr.as<ir::IndexExpr>()); break;
  case ir::ExprKind::Slice: result = lowerSlice(*expr.as<ir::SliceExpr>()); break;
  case ir::ExprKind::ListLiteral: result = lowerListLiteral(*expr.as<ir::ListLiteralExpr>()); break;
  case ir::ExprKind::ListRepeat: result = lowerListRepeat(*expr.as<ir::ListRepeatExpr>()); break;
  case ir::ExprKind::Comprehension:
    result = lowerComprehension(*expr.as<ir::ComprehensionExpr>());
    break;
  case ir::ExprKind::Sorted: result = lowerSorted(*expr.as<ir::SortedExpr>()); break;
  case ir::ExprKind::TupleMake: result = lowerTupleMake(*expr.as<ir::TupleMakeExpr>()); break;
  case ir::ExprKind::TupleGet: {
    const auto &get = *expr.as<ir::TupleGetExpr>();
    result = builder_.CreateExtractValue(lowerExpr(*get.tuple), {get.member});
    break;
  }
  }
  assert(result && "expression kind without a lowering");
  builder_.SetCurrentDebugLocation(saved);
  return result;
}

llvm::Value *FunctionLowering::lowerConstant(const ir::ConstantExpr &expr) {
  switch (expr.type.kind()) {
  case ir::TypeKind::Bool: return builder_.getInt1(expr.intValue != 0);
  case ir::TypeKind::Int: return builder_.getInt64(uint64_t(expr.intValue));
  case ir::TypeKind::Float: return llvm::ConstantFP::get(builder_.getDoubleTy(), expr.floatValue);
  default: break;
  }
  assert(false && "constant of a non-scalar type");
  return nullptr;
}

llvm::Value *FunctionLowering::lowerCall(const ir::CallExpr &expr) {
  const ir::Function &callee = module_.source.functions[expr.callee];
  std::vector<llvm::Value *> arguments;
  std::vector<std::pair<const ir::Expr *, llvm::Value *>> listArguments;
  for (const ir::Expr *argument : expr.arguments) {
    llvm::Value *value = lowerExpr(*argument);
    if (argument->type.isList()) {
      arguments.push_back(listData(value));
      arguments.push_back(listLength(value));
      listArguments.push_back({argument, value});
    } else {
      arguments.push_back(value);
    }
  }
  std::vector<llvm::AllocaInst *> outs;
  const ir::Type &result = callee.returnType;
  if (result.isTuple()) {
    for (const ir::Type &member : result.members())
      outs.push_back(entryAlloca(module_.memoryType(member.kind()), "call.out"));
  } else if (result.isList()) {
    outs.push_back(entryAlloca(builder_.getPtrTy(), "call.list"));
  } else if (!result.isNone()) {
    outs.push_back(entryAlloca(module_.memoryType(result.kind()), "call.out"));
  }
  arguments.insert(arguments.end(), outs.begin(), outs.end());
  arguments.push_back(messageOut_);
  arguments.push_back(builder_.CreateAdd(depth_, builder_.getInt32(1)));
  llvm::Value *status = builder_.CreateCall(module_.implementations[expr.callee], arguments);
  propagateIfFailed(status);
  // The callee copied whatever it keeps (it returns copies of borrowed lists).
  for (auto &[argument, header] : listArguments)
    discardIfTemporary(*argument, header);

  auto loadScalar = [&](llvm::AllocaInst *slot, const ir::Type &type) -> llvm::Value * {
    llvm::Value *value = builder_.CreateLoad(slot->getAllocatedType(), slot);
    return type.isBool() ? builder_.CreateICmpNE(value, builder_.getInt8(0)) : value;
  };
  if (result.isTuple()) {
    llvm::Value *tuple = llvm::UndefValue::get(module_.registerType(result));
    std::vector<ir::Type> members = result.members();
    for (size_t index = 0; index < members.size(); ++index)
      tuple = builder_.CreateInsertValue(tuple, loadScalar(outs[index], members[index]), {unsigned(index)});
    return tuple;
  }
  if (result.isList()) {
    llvm::Value *header = builder_.CreateLoad(builder_.getPtrTy(), outs[0]);
    llvm::Type *pointer = builder_.getPtrTy();
    llvm::FunctionCallee adopt =
        module_.supportFunction("pyvc_rt_list_adopt", builder_.getVoidTy(), {pointer, pointer});
    builder_.CreateCall(adopt, {arenaSlot(), header});
    assumeListHeader(header); // the callee returns a valid header or fails
    return header;
  }
  if (result.isNone())
    return llvm::UndefValue::get(builder_.getInt1Ty()); // a call statement's value is unused
  return loadScalar(outs[0], result);
}

llvm::Value *FunctionLowering::lowerTupleMake(const ir::TupleMakeExpr &expr) {
  llvm::Value *tuple = llvm::UndefValue::get(module_.registerType(expr.type));
  for (size_t index = 0; index < expr.members.size(); ++index)
    tuple = builder_.CreateInsertValue(tuple, lowerExpr(*expr.members[index]), {unsigned(index)});
  return tuple;
}

// ---------------------------------------------------------------------------------------------
// The error channel and helpers
// ---------------------------------------------------------------------------------------------

void FunctionLowering::raiseIf(llvm::Value *failed, ir::ErrorKind kind, const std::string &text) {
  llvm::BasicBlock *raiseBlock = newBlock("raise");
  llvm::BasicBlock *continueBlock = newBlock("ok");
  llvm::MDNode *unlikely = llvm::MDBuilder(context_).createUnlikelyBranchWeights();
  builder_.CreateCondBr(failed, raiseBlock, continueBlock, unlikely);
  builder_.SetInsertPoint(raiseBlock);
  builder_.CreateStore(module_.message(text), messageOut_);
  builder_.CreateStore(builder_.getInt32(uint32_t(kind)), statusSlot_);
  builder_.CreateBr(exitBlock_);
  builder_.SetInsertPoint(continueBlock);
}

void FunctionLowering::propagateIfFailed(llvm::Value *status) {
  llvm::BasicBlock *raiseBlock = newBlock("propagate");
  llvm::BasicBlock *continueBlock = newBlock("ok");
  llvm::MDNode *unlikely = llvm::MDBuilder(context_).createUnlikelyBranchWeights();
  builder_.CreateCondBr(builder_.CreateICmpNE(status, builder_.getInt32(0)), raiseBlock,
                        continueBlock, unlikely);
  builder_.SetInsertPoint(raiseBlock);
  builder_.CreateStore(status, statusSlot_);
  builder_.CreateBr(exitBlock_);
  builder_.SetInsertPoint(continueBlock);
}

llvm::AllocaInst *FunctionLowering::entryAlloca(llvm::Type *type, const llvm::Twine &name) {
  // All allocas sit at the top of the entry block: mem2reg promotes them, and loops and
  // recursion never grow the frame.
  llvm::IRBuilder<> entry(entryBlock_, entryBlock_->begin());
  return entry.CreateAlloca(type, nullptr, name);
}

llvm::Value *FunctionLowering::arenaSlot() {
  if (!arenaSlot_) {
    arenaSlot_ = entryAlloca(builder_.getPtrTy(), "arena");
    // Initialised right after the allocas, before any code of the body can allocate a list.
    llvm::IRBuilder<> entry(entryBlock_, std::next(arenaSlot_->getIterator()));
    entry.CreateStore(llvm::ConstantPointerNull::get(builder_.getPtrTy()), arenaSlot_);
  }
  return arenaSlot_;
}

llvm::BasicBlock *FunctionLowering::newBlock(const llvm::Twine &name) {
  return llvm::BasicBlock::Create(context_, name, llvmFunction_);
}

void FunctionLowering::ensureInsertionBlock() {
  if (builder_.GetInsertBlock()->getTerminator())
    builder_.SetInsertPoint(newBlock("unreachable"));
}

void FunctionLowering::setLocation(const ir::Span &span) {
  uint32_t line = span.line ? span.line : function_.span.line;
  uint32_t column = span.line ? span.column : 0;
  builder_.SetCurrentDebugLocation(llvm::DILocation::get(context_, line, column, subprogram_));
}

llvm::Value *FunctionLowering::elementSizeValue(ir::TypeKind element) {
  return builder_.getInt64(ModuleLowering::elementSize(element));
}

} // namespace pyvc::backends
