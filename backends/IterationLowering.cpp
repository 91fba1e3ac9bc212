// Loops over iteration spaces (range(...), a list, zip(...), enumerate(...)) for `for`
// statements and comprehension generators, and the comprehensions themselves: list building and
// the reductions sum/min/max/any/all with Python's semantics (sequential order; fixed-lane float
// sums are in FixedLaneSum.cpp).
#include "backends/FunctionLowering.h"

#include "llvm/IR/Intrinsics.h"

namespace pyvc::backends {

FunctionLowering::Iteration FunctionLowering::beginIteration(const ir::IterationSpace &space) {
  Iteration iteration;
  iteration.space = &space;
  if (space.kind == ir::IterationSpace::Kind::Sequences) {
    for (const ir::Expr *list : space.lists)
      iteration.lists.push_back(lowerExpr(*list));
    if (space.withIndex)
      iteration.indexStart = lowerExpr(*space.indexStart);
    return iteration;
  }
  // range(start, stop, step): the bounds are evaluated once; the count of values is computed in
  // unsigned arithmetic, which cannot overflow, so the loop has a canonical induction variable.
  llvm::Value *start = lowerExpr(*space.start);
  llvm::Value *stop = lowerExpr(*space.stop);
  llvm::Value *step = lowerExpr(*space.step);
  llvm::Value *zero = builder_.getInt64(0);
  raiseIf(builder_.CreateICmpEQ(step, zero), ir::ErrorKind::Value, "range() arg 3 must not be zero");
  llvm::Value *positive = builder_.CreateICmpSGT(step, zero);
  llvm::Value *distance = builder_.CreateSelect(positive, builder_.CreateSub(stop, start), builder_.CreateSub(start, stop));
  llvm::Value *nonEmpty = builder_.CreateSelect(positive, builder_.CreateICmpSGT(stop, start),
                                                builder_.CreateICmpSGT(start, stop));
  llvm::Value *stride = builder_.CreateSelect(positive, step, builder_.CreateSub(zero, step));
  llvm::Value *count = builder_.CreateAdd(
      builder_.CreateUDiv(builder_.CreateSub(distance, builder_.getInt64(1)), stride), builder_.getInt64(1));
  iteration.start = start;
  iteration.step = step;
  iteration.count = builder_.CreateSelect(nonEmpty, count, zero, "range.count");
  return iteration;
}

llvm::Value *FunctionLowering::iterationContinues(const Iteration &iteration, llvm::Value *position) {
  if (iteration.space->kind == ir::IterationSpace::Kind::Range)
    return builder_.CreateICmpULT(position, iteration.count);
  llvm::Value *continues = nullptr;
  for (llvm::Value *header : iteration.lists) {
    llvm::Value *inside = builder_.CreateICmpSLT(position, listLength(header));
    continues = continues ? builder_.CreateAnd(continues, inside) : inside;
  }
  return continues;
}

llvm::Value *FunctionLowering::iterationCount(const Iteration &iteration) {
  if (iteration.space->kind == ir::IterationSpace::Kind::Range)
    return iteration.count;
  llvm::Value *count = nullptr;
  for (llvm::Value *header : iteration.lists) {
    llvm::Value *length = listLength(header);
    count = count ? builder_.CreateSelect(builder_.CreateICmpSLT(length, count), length, count) : length;
  }
  return count;
}

void FunctionLowering::assignTargets(const Iteration &iteration, llvm::Value *position) {
  const ir::IterationSpace &space = *iteration.space;
  if (space.kind == ir::IterationSpace::Kind::Range) {
    // start + position * step stays inside [start, stop): wrapping arithmetic is exact here.
    llvm::Value *value = builder_.CreateAdd(iteration.start, builder_.CreateMul(position, iteration.step));
    builder_.CreateStore(value, localSlots_[space.targets[0]]);
    return;
  }
  size_t target = 0;
  if (space.withIndex) {
    llvm::Value *pair = builder_.CreateBinaryIntrinsic(llvm::Intrinsic::sadd_with_overflow,
                                                       iteration.indexStart, position);
    raiseIf(builder_.CreateExtractValue(pair, {1}), ir::ErrorKind::Overflow, "integer overflow");
    builder_.CreateStore(builder_.CreateExtractValue(pair, {0}), localSlots_[space.targets[target++]]);
  }
  for (size_t list = 0; list < iteration.lists.size(); ++list) {
    ir::TypeKind element = function_.locals[space.targets[target]].type.kind();
    builder_.CreateStore(loadElement(iteration.lists[list], position, element),
                         localSlots_[space.targets[target++]]);
  }
}

void FunctionLowering::emitIterationLoop(const ir::IterationSpace &space,
                                         llvm::function_ref<void(const LoopTargets &)> body) {
  emitIterationLoop(beginIteration(space), body);
}

void FunctionLowering::emitIterationLoop(const Iteration &iteration,
                                         llvm::function_ref<void(const LoopTargets &)> body) {
  const ir::IterationSpace &space = *iteration.space;
  llvm::AllocaInst *positionSlot = entryAlloca(builder_.getInt64Ty(), "position");
  builder_.CreateStore(builder_.getInt64(0), positionSlot);
  llvm::BasicBlock *header = newBlock("for.header");
  llvm::BasicBlock *bodyBlock = newBlock("for.body");
  llvm::BasicBlock *latch = newBlock("for.next");
  llvm::BasicBlock *exit = newBlock("for.end");
  builder_.CreateBr(header);

  builder_.SetInsertPoint(header);
  llvm::Value *position = builder_.CreateLoad(builder_.getInt64Ty(), positionSlot, "position");
  builder_.CreateCondBr(iterationContinues(iteration, position), bodyBlock, exit);

  builder_.SetInsertPoint(bodyBlock);
  assignTargets(iteration, position);
  body({latch, exit});
  if (!builder_.GetInsertBlock()->getTerminator())
    builder_.CreateBr(latch);

  builder_.SetInsertPoint(latch);
  llvm::Value *current = builder_.CreateLoad(builder_.getInt64Ty(), positionSlot);
  builder_.CreateStore(builder_.CreateAdd(current, builder_.getInt64(1), "", true, true), positionSlot);
  builder_.CreateBr(header);
  builder_.SetInsertPoint(exit);
  // Both the end of the iteration and `break` arrive here; a raise leaves through the exit block.
  for (size_t list = 0; list < iteration.lists.size(); ++list)
    discardIfTemporary(*space.lists[list], iteration.lists[list]);
}

void FunctionLowering::emitGenerators(const ir::ComprehensionExpr &expr, size_t level,
                                      llvm::function_ref<void()> onElement, const Iteration *first) {
  if (level == expr.generators.size())
    return onElement();
  const ir::Generator &generator = expr.generators[level];
  Iteration iteration = level == 0 && first ? *first : beginIteration(generator.space);
  emitIterationLoop(iteration, [&](const LoopTargets &targets) {
    for (const ir::Expr *condition : generator.conditions) {
      llvm::BasicBlock *passes = newBlock("filter.pass");
      builder_.CreateCondBr(lowerExpr(*condition), passes, targets.continueTarget);
      builder_.SetInsertPoint(passes);
    }
    emitGenerators(expr, level + 1, onElement);
  });
}

llvm::Value *FunctionLowering::lowerCountedListComprehension(const ir::ComprehensionExpr &expr) {
  const ir::Generator &generator = expr.generators[0];
  ir::TypeKind element = expr.type.element().kind();
  Iteration probe; // isVectorizable looks only at the space, so ask before emitting anything
  probe.space = &generator.space;
  if (!isVectorizable(*expr.element, probe))
    return nullptr; // the element may raise: the general loop keeps Python's order of errors
  Iteration iteration = beginIteration(generator.space);
  // One generator, no filter, an element that cannot raise: the result has exactly `count`
  // elements, so it is allocated once and filled by a counted loop with no exit but the count,
  // which LLVM's loop vectorizer handles (the append loop's grow branch defeats it).
  llvm::Value *count = iterationCount(iteration);
  llvm::Value *header = newList(element, count, count);
  llvm::Value *data = listData(header); // fresh list: its buffer cannot move during the loop
  llvm::AllocaInst *positionSlot = entryAlloca(builder_.getInt64Ty(), "position");
  builder_.CreateStore(builder_.getInt64(0), positionSlot);
  llvm::BasicBlock *check = newBlock("fill.check");
  llvm::BasicBlock *body = newBlock("fill.body");
  llvm::BasicBlock *done = newBlock("fill.end");
  builder_.CreateBr(check);
  builder_.SetInsertPoint(check);
  llvm::Value *position = builder_.CreateLoad(builder_.getInt64Ty(), positionSlot, "position");
  builder_.CreateCondBr(builder_.CreateICmpULT(position, count), body, done);
  builder_.SetInsertPoint(body);
  assignTargets(iteration, position);
  llvm::Value *value = lowerExpr(*expr.element);
  if (element == ir::TypeKind::Bool)
    value = builder_.CreateZExt(value, builder_.getInt8Ty());
  builder_.CreateStore(value, builder_.CreateInBoundsGEP(module_.memoryType(element), data, position));
  builder_.CreateStore(builder_.CreateAdd(position, builder_.getInt64(1), "", true, true), positionSlot);
  builder_.CreateBr(check);
  builder_.SetInsertPoint(done);
  for (size_t list = 0; list < iteration.lists.size(); ++list)
    discardIfTemporary(*generator.space.lists[list], iteration.lists[list]);
  return header;
}

llvm::Value *FunctionLowering::lowerComprehension(const ir::ComprehensionExpr &expr) {
  const ir::Type &type = expr.type;
  switch (expr.comprehensionKind) {
  case ir::ComprehensionKind::List: {
    ir::TypeKind element = type.element().kind();
    if (expr.generators.size() == 1 && expr.generators[0].conditions.empty())
      if (llvm::Value *header = lowerCountedListComprehension(expr))
        return header;
    llvm::Value *header = newList(element, builder_.getInt64(0), builder_.getInt64(0));
    emitGenerators(expr, 0, [&] { appendElement(header, lowerExpr(*expr.element), element); });
    return header;
  }
  case ir::ComprehensionKind::Sum: {
    if (type.isFloat() && expr.order == ir::ReductionOrder::FixedLanes)
      return lowerFixedLaneSum(expr);
    llvm::Type *resultType = module_.registerType(type);
    llvm::AllocaInst *total = entryAlloca(resultType, "sum");
    Iteration first = beginIteration(expr.generators[0].space); // before `start`, as CPython
    llvm::Value *start = expr.start ? lowerExpr(*expr.start) : llvm::Constant::getNullValue(resultType);
    builder_.CreateStore(start, total);
    emitGenerators(expr, 0, [&] {
      llvm::Value *element = lowerExpr(*expr.element);
      if (expr.element->type.isBool())
        element = type.isFloat() ? builder_.CreateUIToFP(element, resultType)
                                 : builder_.CreateZExt(element, resultType);
      llvm::Value *current = builder_.CreateLoad(resultType, total);
      llvm::Value *next = type.isFloat() ? builder_.CreateFAdd(current, element)
                                         : lowerIntBinary(ir::BinaryOp::Add, current, element);
      builder_.CreateStore(next, total);
    }, &first);
    return builder_.CreateLoad(resultType, total);
  }
  case ir::ComprehensionKind::Min:
  case ir::ComprehensionKind::Max: {
    bool isMin = expr.comprehensionKind == ir::ComprehensionKind::Min;
    llvm::Type *resultType = module_.registerType(type);
    llvm::AllocaInst *best = entryAlloca(resultType, isMin ? "min" : "max");
    llvm::AllocaInst *seen = entryAlloca(builder_.getInt1Ty(), "seen");
    builder_.CreateStore(llvm::Constant::getNullValue(resultType), best);
    builder_.CreateStore(builder_.getFalse(), seen);
    emitGenerators(expr, 0, [&] {
      llvm::Value *element = lowerExpr(*expr.element);
      llvm::Value *current = builder_.CreateLoad(resultType, best);
      llvm::Value *replace;
      // Keep the current value unless the next is strictly less (min) or greater (max).
      if (type.isFloat())
        replace = isMin ? builder_.CreateFCmpOLT(element, current) : builder_.CreateFCmpOGT(element, current);
      else if (type.isBool())
        replace = isMin ? builder_.CreateICmpULT(element, current) : builder_.CreateICmpUGT(element, current);
      else
        replace = isMin ? builder_.CreateICmpSLT(element, current) : builder_.CreateICmpSGT(element, current);
      llvm::Value *first = builder_.CreateNot(builder_.CreateLoad(builder_.getInt1Ty(), seen));
      builder_.CreateStore(builder_.CreateSelect(builder_.CreateOr(first, replace), element, current), best);
      builder_.CreateStore(builder_.getTrue(), seen);
    });
    raiseIf(builder_.CreateNot(builder_.CreateLoad(builder_.getInt1Ty(), seen)), ir::ErrorKind::Value,
            isMin ? "min() arg is an empty sequence" : "max() arg is an empty sequence");
    return builder_.CreateLoad(resultType, best);
  }
  case ir::ComprehensionKind::Any:
  case ir::ComprehensionKind::All: {
    bool isAny = expr.comprehensionKind == ir::ComprehensionKind::Any;
    llvm::AllocaInst *result = entryAlloca(builder_.getInt1Ty(), isAny ? "any" : "all");
    builder_.CreateStore(builder_.getInt1(!isAny), result);
    llvm::BasicBlock *done = newBlock(isAny ? "any.end" : "all.end");
    emitGenerators(expr, 0, [&] {
      llvm::Value *element = truth(lowerExpr(*expr.element), expr.element->type);
      llvm::BasicBlock *decided = newBlock("decided");
      llvm::BasicBlock *next = newBlock("undecided");
      // any() stops at the first true element, all() at the first false one.
      if (isAny)
        builder_.CreateCondBr(element, decided, next);
      else
        builder_.CreateCondBr(element, next, decided);
      builder_.SetInsertPoint(decided);
      builder_.CreateStore(builder_.getInt1(isAny), result);
      builder_.CreateBr(done);
      builder_.SetInsertPoint(next);
    });
    builder_.CreateBr(done);
    builder_.SetInsertPoint(done);
    return builder_.CreateLoad(builder_.getInt1Ty(), result);
  }
  }
  return nullptr;
}

} // namespace pyvc::backends
