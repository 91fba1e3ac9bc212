// `for` loops that update a list at positions they compute from the elements, as a histogram:
//
//     for x in xs:
//         if lo <= x < hi:
//             counts[int((x - lo) / width)] += 1
//
// Element by element, such a loop waits on one division per element (the divider takes ~5
// cycles per scalar quotient), and no vectorizer can help, because updates of the same position
// must happen one after the other. Here each block of 16 positions first computes the condition
// and the index as vector code: a vector division delivers 8 or 16 quotients in about the time
// of two scalar ones. That code is speculative, with nothing to observe (no stores, no errors):
// where CPython would raise (a zero divisor, int() of NaN, of an infinity or of a value past
// 2^63, an index outside 0 <= i < len) it only sets a lane of a mask. A block with a clean mask
// then applies its updates one position at a time, in order, with the indices computed; a block
// with any flagged lane runs the loop body itself for its 16 positions, which raises the first
// error exactly where CPython does (or, for a negative index, updates the right position). The
// positions after the last full block run the loop body too.
#include "backends/FunctionLowering.h"

#include "ir/Visit.h"

#include "llvm/IR/Intrinsics.h"

#include <algorithm>

namespace pyvc::backends {

namespace {

bool refersTo(const ir::Expr &expr, ir::LocalId local) {
  bool found = false;
  ir::walkExpr(&expr, [&](const ir::Expr &child) {
    if (const auto *reference = child.as<ir::LocalRefExpr>())
      found = found || reference->local == local;
  });
  return found;
}

// Whether any statement of `block` assigns `local` (a plain assignment or a `for` target).
bool assignsTo(const ir::Block &block, ir::LocalId local) {
  bool found = false;
  ir::walkBlock(
      block,
      [&](const ir::Stmt &statement) {
        if (const auto *assign = statement.as<ir::AssignStmt>())
          found = found || assign->target == local;
        if (const auto *loop = statement.as<ir::ForStmt>())
          found = found || std::find(loop->space.targets.begin(), loop->space.targets.end(), local) !=
                               loop->space.targets.end();
      },
      [](const ir::Expr &) {});
  return found;
}

} // namespace

std::optional<FunctionLowering::ScatterUpdate> FunctionLowering::matchScatterUpdate(const ir::ForStmt &loop) {
  const ir::IterationSpace &space = loop.space;
  // Parameters that keep the caller's list (a kernel never writes into a parameter, but may
  // rebind its name, to the very list the loop updates): the updates cannot change what is
  // iterated, so a block's elements can be read before its updates are made.
  if (space.kind != ir::IterationSpace::Kind::Sequences || space.withIndex)
    return std::nullopt;
  for (const ir::Expr *list : space.lists) {
    const auto *reference = list->as<ir::LocalRefExpr>();
    if (!reference || !function_.locals[reference->local].isParameter || assignsTo(function_.body, reference->local))
      return std::nullopt;
  }
  // `for x, x in zip(xs, ys)` binds x twice, the last one winning; keep such loops as written.
  for (size_t target = 0; target < space.targets.size(); ++target)
    if (std::find(space.targets.begin() + target + 1, space.targets.end(), space.targets[target]) !=
        space.targets.end())
      return std::nullopt;
  ScatterUpdate update;
  const ir::Block *body = &loop.body;
  if (body->size() == 1 && body->front()->is<ir::IfStmt>()) {
    const auto &branch = *body->front()->as<ir::IfStmt>();
    if (!branch.elseBody.empty())
      return std::nullopt;
    update.condition = branch.condition;
    body = &branch.thenBody;
  }
  if (body->size() != 2)
    return std::nullopt;
  update.index = (*body)[0]->as<ir::AssignStmt>();
  update.store = (*body)[1]->as<ir::StoreIndexStmt>();
  if (!update.index || !update.store)
    return std::nullopt;
  const auto *conversion = update.index->value->as<ir::ConvertExpr>();
  const auto *storedAt = update.store->index->as<ir::LocalRefExpr>();
  if (!conversion || conversion->op != ir::ConvertOp::FloatToInt || !storedAt ||
      storedAt->local != update.index->target || !alwaysOwned(update.store->list))
    return std::nullopt;
  update.quotient = conversion->operand;
  // The vector code reads the index local's value from before the block: it must not use it.
  for (const ir::Expr *speculated : {update.condition, update.quotient})
    if (speculated && refersTo(*speculated, update.index->target))
      return std::nullopt;
  return update;
}

bool FunctionLowering::lowerScatterUpdateLoop(const ir::ForStmt &loop) {
  // -O3 only: the loop body is emitted twice, and the vector code comes on top (~3 ms more
  // compile time for the benchmark's histogram, which -O2 keeps for itself).
  if (module_.options.optLevel < 3)
    return false;
  std::optional<ScatterUpdate> update = matchScatterUpdate(loop);
  if (!update)
    return false;
  Iteration probe; // what isVectorizable looks at: the space
  probe.space = &loop.space;
  if ((update->condition && !isVectorizable(*update->condition, probe)) ||
      !isVectorizable(*update->quotient, probe, /*speculative=*/true))
    return false;
  Iteration iteration = beginIteration(loop.space);

  llvm::Type *int64 = builder_.getInt64Ty();
  auto *indexVector = llvm::FixedVectorType::get(int64, BlockWidth);
  llvm::Value *count = iterationCount(iteration);
  llvm::Value *fullBlocks = builder_.CreateAnd(count, builder_.getInt64(~uint64_t(BlockWidth - 1)), "full");
  llvm::AllocaInst *positionSlot = entryAlloca(int64, "position");
  llvm::AllocaInst *runEndSlot = entryAlloca(int64, "run.end");
  llvm::AllocaInst *indices = entryAlloca(indexVector, "indices");
  builder_.CreateStore(builder_.getInt64(0), positionSlot);
  llvm::BasicBlock *blockHeader = newBlock("scatter.block");
  llvm::BasicBlock *blockLatch = newBlock("scatter.block.next"); // the loop's one back edge
  llvm::BasicBlock *blockBody = newBlock("scatter.speculate");
  llvm::BasicBlock *applyHeader = newBlock("scatter.apply");
  llvm::BasicBlock *applyBody = newBlock("scatter.apply.position");
  llvm::BasicBlock *applyUpdate = newBlock("scatter.apply.update");
  llvm::BasicBlock *applyNext = newBlock("scatter.apply.next");
  llvm::BasicBlock *tail = newBlock("scatter.tail");
  llvm::BasicBlock *runHeader = newBlock("scatter.run");
  llvm::BasicBlock *runBody = newBlock("scatter.run.position");
  llvm::BasicBlock *runNext = newBlock("scatter.run.next");
  llvm::BasicBlock *runDone = newBlock("scatter.run.done");
  llvm::BasicBlock *exit = newBlock("scatter.end");
  builder_.CreateBr(blockHeader);

  // Blocks of 16 positions while full ones remain.
  builder_.SetInsertPoint(blockHeader);
  llvm::Value *base = builder_.CreateLoad(int64, positionSlot, "block");
  builder_.CreateCondBr(builder_.CreateICmpULT(base, fullBlocks), blockBody, tail);

  builder_.SetInsertPoint(blockBody);
  llvm::Value *kept = update->condition ? lowerVectorExpr(*update->condition, iteration, base)
                                        : builder_.CreateVectorSplat(BlockWidth, builder_.getTrue());
  llvm::Value *zeroDivisors = nullptr;
  llvm::Value *quotients = lowerVectorExpr(*update->quotient, iteration, base, &zeroDivisors);
  llvm::Value *convertible = fitsInt64(quotients); // int() raises outside [-2^63, 2^63)
  // fptosi of a value it cannot convert is poison, which the `and`s below would carry into the
  // branch; frozen, such a lane holds some fixed number instead (and is flagged anyway).
  llvm::Value *positions = builder_.CreateFreeze(builder_.CreateFPToSI(quotients, indexVector), "indices");
  llvm::AllocaInst *listSlot = localSlots_[update->store->list];
  llvm::Value *length = listLength(builder_.CreateLoad(builder_.getPtrTy(), listSlot));
  // Unsigned: a negative index is past the length too (the body handles it, from the end).
  llvm::Value *inRange = builder_.CreateICmpULT(positions, builder_.CreateVectorSplat(BlockWidth, length));
  llvm::Value *clean = builder_.CreateAnd(convertible, inRange);
  if (zeroDivisors)
    clean = builder_.CreateAnd(clean, builder_.CreateNot(zeroDivisors));
  llvm::Value *flagged = builder_.CreateAnd(kept, builder_.CreateNot(clean), "flagged");
  llvm::Value *anyFlagged = builder_.CreateUnaryIntrinsic(llvm::Intrinsic::vector_reduce_or, flagged);
  builder_.CreateStore(positions, indices);
  llvm::Value *keptBits = builder_.CreateZExt(builder_.CreateBitCast(kept, builder_.getIntNTy(BlockWidth)), int64);
  llvm::AllocaInst *laneSlot = entryAlloca(int64, "lane");
  builder_.CreateStore(builder_.getInt64(0), laneSlot);
  llvm::BasicBlock *flaggedBlock = newBlock("scatter.flagged");
  builder_.CreateCondBr(anyFlagged, flaggedBlock, applyHeader);

  // A flagged block: the loop body, position by position, for these 16 positions.
  builder_.SetInsertPoint(flaggedBlock);
  builder_.CreateStore(builder_.CreateAdd(base, builder_.getInt64(BlockWidth), "", true, true), runEndSlot);
  builder_.CreateBr(runHeader);

  // A clean block: the updates in order, with the computed indices.
  builder_.SetInsertPoint(applyHeader);
  llvm::Value *lane = builder_.CreateLoad(int64, laneSlot, "lane");
  builder_.CreateCondBr(builder_.CreateICmpULT(lane, builder_.getInt64(BlockWidth)), applyBody, applyNext);
  builder_.SetInsertPoint(applyBody);
  assignTargets(iteration, builder_.CreateAdd(base, lane, "", true, true));
  llvm::Value *isKept = builder_.CreateTrunc(builder_.CreateLShr(keptBits, lane), builder_.getInt1Ty());
  llvm::BasicBlock *afterUpdate = newBlock("scatter.apply.after");
  builder_.CreateCondBr(isKept, applyUpdate, afterUpdate);
  builder_.SetInsertPoint(applyUpdate);
  llvm::Value *position = builder_.CreateLoad(int64, builder_.CreateGEP(int64, indices, lane), "index");
  // Checked above: the store's bounds checks can go.
  builder_.CreateAssumption(builder_.CreateICmpULT(position, length));
  builder_.CreateStore(position, localSlots_[update->index->target]);
  lowerStoreIndex(*update->store);
  builder_.CreateBr(afterUpdate);
  builder_.SetInsertPoint(afterUpdate);
  builder_.CreateStore(builder_.CreateAdd(lane, builder_.getInt64(1), "", true, true), laneSlot);
  builder_.CreateBr(applyHeader); // -O3 unrolls it: 16 updates, straight through
  builder_.SetInsertPoint(applyNext);
  builder_.CreateStore(builder_.CreateAdd(base, builder_.getInt64(BlockWidth), "", true, true), positionSlot);
  builder_.CreateBr(blockLatch);
  builder_.SetInsertPoint(blockLatch);
  keepRolled(builder_.CreateBr(blockHeader));

  // After the full blocks: the rest, position by position.
  builder_.SetInsertPoint(tail);
  builder_.CreateStore(count, runEndSlot);
  builder_.CreateBr(runHeader);

  // The loop body, from the current position up to the run's end.
  builder_.SetInsertPoint(runHeader);
  llvm::Value *runPosition = builder_.CreateLoad(int64, positionSlot, "position");
  builder_.CreateCondBr(builder_.CreateICmpULT(runPosition, builder_.CreateLoad(int64, runEndSlot)), runBody,
                        runDone);
  builder_.SetInsertPoint(runBody);
  assignTargets(iteration, runPosition);
  loops_.push_back({runNext, exit}); // the body has no break or continue; kept for its lowering
  lowerBlock(loop.body);
  loops_.pop_back();
  if (!builder_.GetInsertBlock()->getTerminator())
    builder_.CreateBr(runNext);
  builder_.SetInsertPoint(runNext);
  llvm::Value *current = builder_.CreateLoad(int64, positionSlot);
  builder_.CreateStore(builder_.CreateAdd(current, builder_.getInt64(1), "", true, true), positionSlot);
  builder_.CreateBr(runHeader);
  // A flagged block's run goes back to the blocks; the tail's run ends the loop.
  builder_.SetInsertPoint(runDone);
  builder_.CreateCondBr(builder_.CreateICmpEQ(builder_.CreateLoad(int64, runEndSlot), count), exit, blockLatch);

  builder_.SetInsertPoint(exit);
  return true;
}

} // namespace pyvc::backends
