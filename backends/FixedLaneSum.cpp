// Float sums in ReductionOrder::FixedLanes: the same bits on every target and at every -O level,
// because the order of every addition is written out here as explicit <16 x double> IR, without
// any reassociation flag for LLVM to exploit.
//
// The order (docs: ir/IR.h, ReductionOrder): positions p = 0, 1, 2, ... number the candidates of
// the innermost generator (after the filters of outer generators); a candidate its own filters
// reject contributes -0.0, the exact identity of IEEE addition, so this equals skipping it.
//   lanes[j]  = ((-0.0 + v[j]) + v[16 + j]) + ...       for every full block of 16 positions
//   combined  = halving tree: a[j] = l[j] + l[j+8]; b[j] = a[j] + a[j+4]; c[j] = b[j] + b[j+2];
//               c[0] + c[1]  (so the first term is ((l0 + l8) + (l4 + l12)))
//   result    = ((start + combined) + v[tail0]) + v[tail1] + ...  for the last count % 16 positions
#include "backends/FunctionLowering.h"

#include "llvm/IR/Instructions.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Metadata.h"

namespace pyvc::backends {

// Marks the latch of a block loop `llvm.loop.unroll.disable`. A block already does 16 elements,
// and a tail runs fewer than 16 times: unrolling either gains nothing at run time but doubles
// what every later pass and the code generator must chew through (compile time).
void FunctionLowering::keepRolled(llvm::BranchInst *latch) {
  llvm::LLVMContext &context = latch->getContext();
  llvm::Metadata *disable = llvm::MDNode::get(context, llvm::MDString::get(context, "llvm.loop.unroll.disable"));
  llvm::MDNode *loop = llvm::MDNode::getDistinct(context, {nullptr, disable});
  loop->replaceOperandWith(0, loop); // a loop ID refers to itself
  latch->setMetadata(llvm::LLVMContext::MD_loop, loop);
}

// The lanes of the order are one vector block (lowerVectorExpr computes a block at once).
static constexpr unsigned LaneCount = BlockWidth;
// How far ahead of the current block the block loop asks for list data, in bytes. A block reads
// two cache lines; one stream of demand loads alone leaves the core's memory parallelism unused
// (measured on the x86-64 dev machine: sum(xs) and the fixed-lane kernels at n = 1e6 ran 1.2x
// to 1.7x faster with 2 KiB). Prefetches never fault, past the end of the list included.
static constexpr int64_t PrefetchDistance = 2048;

// Prefetches the two cache lines `PrefetchDistance` bytes past the block at `base` of every
// list the generator iterates whose elements are 8 bytes (float and int lists).
void FunctionLowering::prefetchBlock(const Iteration &iteration, llvm::Value *base) {
  if (iteration.space->kind != ir::IterationSpace::Kind::Sequences)
    return;
  for (size_t list = 0; list < iteration.lists.size(); ++list) {
    if (iteration.space->lists[list]->type.element().isBool())
      continue;
    llvm::Value *offset = builder_.CreateAdd(builder_.CreateShl(base, 3), builder_.getInt64(PrefetchDistance));
    // Plain (not inbounds) GEPs: the address may lie past the end of the list, which prefetch allows.
    llvm::Value *line = builder_.CreateGEP(builder_.getInt8Ty(), listData(iteration.lists[list]), offset);
    for (int64_t lineOffset : {0, 64}) {
      llvm::Value *address = builder_.CreateGEP(builder_.getInt8Ty(), line, builder_.getInt64(lineOffset));
      builder_.CreateIntrinsic(llvm::Intrinsic::prefetch, {builder_.getPtrTy()},
                               {address, builder_.getInt32(0), builder_.getInt32(3), builder_.getInt32(1)});
    }
  }
}

llvm::Value *FunctionLowering::laneValue(const ir::ComprehensionExpr &expr, const ir::Generator &generator) {
  llvm::Value *negativeZero = llvm::ConstantFP::getNegativeZero(builder_.getDoubleTy());
  if (generator.conditions.empty())
    return lowerExpr(*expr.element);
  llvm::BasicBlock *done = newBlock("lane.value");
  std::vector<std::pair<llvm::Value *, llvm::BasicBlock *>> incoming;
  for (const ir::Expr *condition : generator.conditions) {
    llvm::BasicBlock *passes = newBlock("lane.pass");
    builder_.CreateCondBr(lowerExpr(*condition), passes, done);
    incoming.push_back({negativeZero, builder_.GetInsertBlock()});
    builder_.SetInsertPoint(passes);
  }
  llvm::Value *element = lowerExpr(*expr.element);
  incoming.push_back({element, builder_.GetInsertBlock()});
  builder_.CreateBr(done);
  builder_.SetInsertPoint(done);
  llvm::PHINode *phi = builder_.CreatePHI(builder_.getDoubleTy(), incoming.size(), "lane.value");
  for (auto &[value, block] : incoming)
    phi->addIncoming(value, block);
  return phi;
}

llvm::Value *FunctionLowering::combineLanes(llvm::Value *lanes) {
  // Halve the vector three times, then add the last two: the tree of the file comment.
  llvm::Value *current = lanes;
  for (unsigned width = LaneCount / 2; width >= 2; width /= 2) {
    std::vector<int> low, high;
    for (unsigned index = 0; index < width; ++index) {
      low.push_back(int(index));
      high.push_back(int(index + width));
    }
    current = builder_.CreateFAdd(builder_.CreateShuffleVector(current, low),
                                  builder_.CreateShuffleVector(current, high), "lanes.combine");
  }
  return builder_.CreateFAdd(builder_.CreateExtractElement(current, uint64_t(0)),
                             builder_.CreateExtractElement(current, uint64_t(1)), "lanes.combined");
}

void FunctionLowering::emitFixedLaneElements(const ir::ComprehensionExpr &expr, size_t level,
                                             llvm::function_ref<void(llvm::Value *)> onValue, const Iteration *first) {
  const ir::Generator &generator = expr.generators[level];
  Iteration iteration = level == 0 && first ? *first : beginIteration(generator.space);
  emitIterationLoop(iteration, [&](const LoopTargets &targets) {
    if (level + 1 == expr.generators.size())
      return onValue(laneValue(expr, generator));
    for (const ir::Expr *condition : generator.conditions) {
      llvm::BasicBlock *passes = newBlock("filter.pass");
      builder_.CreateCondBr(lowerExpr(*condition), passes, targets.continueTarget);
      builder_.SetInsertPoint(passes);
    }
    emitFixedLaneElements(expr, level + 1, onValue);
  });
}

llvm::Value *FunctionLowering::lowerFixedLaneSum(const ir::ComprehensionExpr &expr) {
  llvm::Type *doubleType = builder_.getDoubleTy();
  llvm::Type *int64 = builder_.getInt64Ty();
  auto *vectorType = llvm::FixedVectorType::get(doubleType, LaneCount);
  llvm::Constant *identityLanes = llvm::ConstantVector::getSplat(
      llvm::ElementCount::getFixed(LaneCount), llvm::ConstantFP::getNegativeZero(doubleType));
  // CPython makes the generator (evaluating its first iterable) before sum() reads `start`.
  Iteration first = beginIteration(expr.generators[0].space);
  llvm::Value *start = expr.start ? lowerExpr(*expr.start) : llvm::ConstantFP::get(doubleType, 0.0);
  llvm::AllocaInst *lanes = entryAlloca(vectorType, "lanes");
  builder_.CreateStore(identityLanes, lanes);
  llvm::AllocaInst *total = entryAlloca(doubleType, "sum");

  if (expr.generators.size() == 1) {
    // One generator: its count is known before the loop (nothing in an expression can change a
    // list), so full blocks run as a loop of 16 unrolled elements and one vector add each.
    const ir::Generator &generator = expr.generators[0];
    Iteration &iteration = first;
    llvm::Value *count = iterationCount(iteration);
    llvm::Value *fullBlocks = builder_.CreateAnd(count, builder_.getInt64(~uint64_t(LaneCount - 1)), "full");
    llvm::AllocaInst *positionSlot = entryAlloca(int64, "position");
    builder_.CreateStore(builder_.getInt64(0), positionSlot);
    llvm::BasicBlock *blockHeader = newBlock("lanes.header");
    llvm::BasicBlock *blockBody = newBlock("lanes.body");
    llvm::BasicBlock *tailHeader = newBlock("tail.header");
    llvm::BasicBlock *tailBody = newBlock("tail.body");
    llvm::BasicBlock *done = newBlock("sum.end");
    builder_.CreateBr(blockHeader);

    builder_.SetInsertPoint(blockHeader);
    llvm::Value *base = builder_.CreateLoad(int64, positionSlot, "block");
    builder_.CreateCondBr(builder_.CreateICmpULT(base, fullBlocks), blockBody, tailHeader);
    builder_.SetInsertPoint(blockBody);
    prefetchBlock(iteration, base);
    bool vectorizable = isVectorizable(*expr.element, iteration);
    for (const ir::Expr *condition : generator.conditions)
      vectorizable = vectorizable && isVectorizable(*condition, iteration);
    llvm::Value *block;
    if (vectorizable) {
      // Nothing here can raise: all 16 lanes and every filter at once, as vector code.
      block = lowerVectorExpr(*expr.element, iteration, base);
      llvm::Value *kept = nullptr;
      for (const ir::Expr *condition : generator.conditions) {
        llvm::Value *mask = lowerVectorExpr(*condition, iteration, base);
        kept = kept ? builder_.CreateAnd(kept, mask) : mask;
      }
      if (kept)
        block = builder_.CreateSelect(kept, block, identityLanes);
    } else {
      // One position at a time, in order (an error must come from the first failing element).
      block = llvm::PoisonValue::get(vectorType);
      for (unsigned lane = 0; lane < LaneCount; ++lane) {
        assignTargets(iteration, builder_.CreateAdd(base, builder_.getInt64(lane), "", true, true));
        block = builder_.CreateInsertElement(block, laneValue(expr, generator), uint64_t(lane));
      }
    }
    builder_.CreateStore(builder_.CreateFAdd(builder_.CreateLoad(vectorType, lanes), block, "lanes"), lanes);
    builder_.CreateStore(builder_.CreateAdd(base, builder_.getInt64(LaneCount), "", true, true), positionSlot);
    keepRolled(builder_.CreateBr(blockHeader));

    builder_.SetInsertPoint(tailHeader);
    builder_.CreateStore(builder_.CreateFAdd(start, combineLanes(builder_.CreateLoad(vectorType, lanes))), total);
    llvm::BasicBlock *tailCheck = newBlock("tail.check");
    builder_.CreateBr(tailCheck);
    builder_.SetInsertPoint(tailCheck);
    llvm::Value *position = builder_.CreateLoad(int64, positionSlot, "position");
    builder_.CreateCondBr(builder_.CreateICmpULT(position, count), tailBody, done);
    builder_.SetInsertPoint(tailBody);
    assignTargets(iteration, position);
    llvm::Value *value = laneValue(expr, generator);
    builder_.CreateStore(builder_.CreateFAdd(builder_.CreateLoad(doubleType, total), value), total);
    builder_.CreateStore(builder_.CreateAdd(position, builder_.getInt64(1), "", true, true), positionSlot);
    keepRolled(builder_.CreateBr(tailCheck));
    builder_.SetInsertPoint(done);
    for (size_t list = 0; list < iteration.lists.size(); ++list)
      discardIfTemporary(*generator.space.lists[list], iteration.lists[list]);
    return builder_.CreateLoad(doubleType, total);
  }

  // Nested generators: the count is unknown in advance, so values collect in a pending block of
  // 16 that joins the lanes when full; what remains pending at the end is the sequential tail.
  llvm::AllocaInst *pending = entryAlloca(vectorType, "pending");
  llvm::AllocaInst *fill = entryAlloca(int64, "pending.count");
  builder_.CreateStore(identityLanes, pending);
  builder_.CreateStore(builder_.getInt64(0), fill);
  emitFixedLaneElements(expr, 0, [&](llvm::Value *value) {
    llvm::Value *index = builder_.CreateLoad(int64, fill);
    builder_.CreateStore(builder_.CreateInsertElement(builder_.CreateLoad(vectorType, pending), value, index), pending);
    llvm::Value *next = builder_.CreateAdd(index, builder_.getInt64(1));
    llvm::Value *full = builder_.CreateICmpEQ(next, builder_.getInt64(LaneCount));
    llvm::BasicBlock *flush = newBlock("pending.flush");
    llvm::BasicBlock *after = newBlock("pending.kept");
    builder_.CreateStore(next, fill);
    builder_.CreateCondBr(full, flush, after);
    builder_.SetInsertPoint(flush);
    builder_.CreateStore(builder_.CreateFAdd(builder_.CreateLoad(vectorType, lanes),
                                             builder_.CreateLoad(vectorType, pending), "lanes"), lanes);
    builder_.CreateStore(identityLanes, pending);
    builder_.CreateStore(builder_.getInt64(0), fill);
    builder_.CreateBr(after);
    builder_.SetInsertPoint(after);
  }, &first);
  builder_.CreateStore(builder_.CreateFAdd(start, combineLanes(builder_.CreateLoad(vectorType, lanes))), total);
  // The tail: pending[0 .. fill) in order. Entries past `fill` are -0.0 and would not change the
  // sum either, but the loop stops at `fill` to keep the order statement exact.
  llvm::AllocaInst *tailSlot = entryAlloca(int64, "tail");
  builder_.CreateStore(builder_.getInt64(0), tailSlot);
  llvm::BasicBlock *tailCheck = newBlock("tail.check");
  llvm::BasicBlock *tailBody = newBlock("tail.body");
  llvm::BasicBlock *done = newBlock("sum.end");
  builder_.CreateBr(tailCheck);
  builder_.SetInsertPoint(tailCheck);
  llvm::Value *tailIndex = builder_.CreateLoad(int64, tailSlot);
  builder_.CreateCondBr(builder_.CreateICmpULT(tailIndex, builder_.CreateLoad(int64, fill)), tailBody, done);
  builder_.SetInsertPoint(tailBody);
  llvm::Value *value = builder_.CreateExtractElement(builder_.CreateLoad(vectorType, pending), tailIndex);
  builder_.CreateStore(builder_.CreateFAdd(builder_.CreateLoad(doubleType, total), value), total);
  builder_.CreateStore(builder_.CreateAdd(tailIndex, builder_.getInt64(1)), tailSlot);
  keepRolled(builder_.CreateBr(tailCheck));
  builder_.SetInsertPoint(done);
  return builder_.CreateLoad(doubleType, total);
}

} // namespace pyvc::backends
