// Lists: headers {data, length, capacity, ...} shared with backends/support/pyvc_support.c.
// Locals hold a pointer to a header, so assignment aliases like Python's. Lists made by a call
// live in its arena (freed when the call ends); parameters are borrowed and copied on write.
#include "backends/FunctionLowering.h"

#include "ir/Visit.h"

#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/MDBuilder.h"

namespace pyvc::backends {

static const char *const OutOfMemory = "out of memory";

namespace {
enum ListField : unsigned { Data = 0, Length = 1, Capacity = 2, Next = 3, Previous = 4, Flags = 5 };
}

llvm::Value *FunctionLowering::borrowList(llvm::Value *data, llvm::Value *length, const llvm::Twine &name) {
  llvm::StructType *type = module_.listType;
  llvm::AllocaInst *header = entryAlloca(type, name + ".header");
  llvm::Value *null = llvm::ConstantPointerNull::get(builder_.getPtrTy());
  builder_.CreateStore(data, builder_.CreateStructGEP(type, header, Data));
  builder_.CreateStore(length, builder_.CreateStructGEP(type, header, Length));
  builder_.CreateStore(builder_.getInt64(uint64_t(-1)), builder_.CreateStructGEP(type, header, Capacity));
  builder_.CreateStore(null, builder_.CreateStructGEP(type, header, Next));
  builder_.CreateStore(null, builder_.CreateStructGEP(type, header, Previous));
  builder_.CreateStore(builder_.getInt64(1), builder_.CreateStructGEP(type, header, Flags)); // on the stack
  return header;
}

// One TBAA root for the kernel's own list accesses. The support library's accesses carry
// clang's tags under another root, which LLVM treats as possibly aliasing with these.
void FunctionLowering::tagHeaderAccess(llvm::Instruction *access, const char *field) {
  llvm::MDBuilder tags(context_);
  llvm::MDNode *root = tags.createTBAARoot("pyvc list accesses");
  llvm::MDNode *type = tags.createTBAAScalarTypeNode(std::string("list header ") + field, root);
  access->setMetadata(llvm::LLVMContext::MD_tbaa, tags.createTBAAStructTagNode(type, type, 0));
}

void FunctionLowering::tagElementAccess(llvm::Instruction *access) {
  llvm::MDBuilder tags(context_);
  llvm::MDNode *root = tags.createTBAARoot("pyvc list accesses");
  llvm::MDNode *type = tags.createTBAAScalarTypeNode("list element", root);
  access->setMetadata(llvm::LLVMContext::MD_tbaa, tags.createTBAAStructTagNode(type, type, 0));
}

llvm::Value *FunctionLowering::listData(llvm::Value *header) {
  llvm::LoadInst *data = builder_.CreateLoad(builder_.getPtrTy(), builder_.CreateStructGEP(module_.listType, header, Data), "data");
  tagHeaderAccess(data, "data");
  return data;
}

llvm::Value *FunctionLowering::listLength(llvm::Value *header) {
  llvm::LoadInst *length = builder_.CreateLoad(builder_.getInt64Ty(), builder_.CreateStructGEP(module_.listType, header, Length), "length");
  tagHeaderAccess(length, "length");
  return length;
}

llvm::Value *FunctionLowering::elementAddress(llvm::Value *header, llvm::Value *index, ir::TypeKind element) {
  return builder_.CreateInBoundsGEP(module_.memoryType(element), listData(header), index);
}

bool FunctionLowering::alwaysOwned(ir::LocalId list) {
  if (alwaysOwned_.empty()) {
    // Owned: not a parameter, and every assignment stores a list made here (literal, repeat,
    // slice, sorted, comprehension) or returned by a call (pyvc_rt_list_take copies a borrowed
    // list before it leaves the callee). Another local may hold a borrowed parameter.
    alwaysOwned_.assign(function_.locals.size(), true);
    for (ir::LocalId parameter : function_.parameters)
      alwaysOwned_[parameter] = false;
    ir::walkBlock(
        function_.body,
        [&](const ir::Stmt &stmt) {
          auto *assign = stmt.as<ir::AssignStmt>();
          if (!assign || assign->target >= alwaysOwned_.size() || !assign->value)
            return;
          switch (assign->value->kind) {
          case ir::ExprKind::ListLiteral:
          case ir::ExprKind::ListRepeat:
          case ir::ExprKind::Slice:
          case ir::ExprKind::Sorted:
          case ir::ExprKind::Comprehension:
          case ir::ExprKind::Call: return;
          default: alwaysOwned_[assign->target] = false;
          }
        },
        [](const ir::Expr &) {});
  }
  return list < alwaysOwned_.size() && alwaysOwned_[list];
}

llvm::Value *FunctionLowering::loadElement(llvm::Value *header, llvm::Value *index, ir::TypeKind element) {
  llvm::LoadInst *value = builder_.CreateLoad(module_.memoryType(element), elementAddress(header, index, element));
  tagElementAccess(value);
  if (element == ir::TypeKind::Bool)
    return builder_.CreateICmpNE(value, builder_.getInt8(0));
  return value;
}

llvm::Value *FunctionLowering::checkedIndex(llvm::Value *header, llvm::Value *index, bool provenInBounds) {
  if (provenInBounds)
    return index;
  return normalizedIndex(listLength(header), index, "list index out of range");
}

llvm::Value *FunctionLowering::normalizedIndex(llvm::Value *length, llvm::Value *index, const char *message) {
  // The common case, 0 <= index < length, is one unsigned comparison (a negative index is a huge
  // unsigned one); counting from the end and the IndexError are off the hot path.
  llvm::BasicBlock *before = builder_.GetInsertBlock();
  llvm::BasicBlock *fromEnd = newBlock("index.from_end");
  llvm::BasicBlock *done = newBlock("index.ok");
  llvm::MDNode *likely = llvm::MDBuilder(context_).createLikelyBranchWeights();
  builder_.CreateCondBr(builder_.CreateICmpULT(index, length), done, fromEnd, likely);
  builder_.SetInsertPoint(fromEnd);
  llvm::Value *negative = builder_.CreateICmpSLT(index, builder_.getInt64(0));
  llvm::Value *adjusted = builder_.CreateSelect(negative, builder_.CreateAdd(index, length), index);
  raiseIf(builder_.CreateICmpUGE(adjusted, length), ir::ErrorKind::Index, message);
  llvm::BasicBlock *adjustedEnd = builder_.GetInsertBlock();
  builder_.CreateBr(done);
  builder_.SetInsertPoint(done);
  llvm::PHINode *result = builder_.CreatePHI(builder_.getInt64Ty(), 2, "index");
  result->addIncoming(index, before);
  result->addIncoming(adjusted, adjustedEnd);
  return result;
}

llvm::Value *FunctionLowering::newList(ir::TypeKind element, llvm::Value *length, llvm::Value *capacity) {
  llvm::Type *pointer = builder_.getPtrTy();
  llvm::Type *int64 = builder_.getInt64Ty();
  llvm::FunctionCallee create =
      module_.supportFunction("pyvc_rt_list_new", pointer, {pointer, int64, int64, int64});
  llvm::Value *header = builder_.CreateCall(create, {arenaSlot(), elementSizeValue(element), length, capacity});
  raiseIf(builder_.CreateIsNull(header), ir::ErrorKind::Memory, OutOfMemory);
  assumeListHeader(header);
  return header;
}

void FunctionLowering::assumeListHeader(llvm::Value *header) {
  // Why this is true: a header is freed only when the call ends (the arena) or right after the
  // last use of a temporary (discardIfTemporary), so no code that can use `header` runs after
  // its free. Why it matters: where LLVM cannot see the header being made (a list returned by a
  // call comes back through memory) it knows nothing about it, and LICM then keeps reloading
  // `data` and `length` in loops that touch the list only under a condition (`if lo <= x < hi:
  // counts[k] += 1`). Whether a loop may change a header is still LLVM's alias analysis to
  // decide: this says only that reading it early cannot fault.
  uint64_t size = module_.module.getDataLayout().getTypeAllocSize(module_.listType);
  llvm::Value *bytes = builder_.getInt64(size);
  llvm::Value *alignment = builder_.getInt64(module_.module.getDataLayout().getABITypeAlign(module_.listType).value());
  llvm::OperandBundleDef facts[] = {
      llvm::OperandBundleDef("nonnull", std::vector<llvm::Value *>{header}),
      llvm::OperandBundleDef("dereferenceable", std::vector<llvm::Value *>{header, bytes}),
      llvm::OperandBundleDef("align", std::vector<llvm::Value *>{header, alignment}),
  };
  builder_.CreateAssumption(builder_.getTrue(), facts);
}

void FunctionLowering::discardIfTemporary(const ir::Expr &expr, llvm::Value *header) {
  bool fresh = false;
  switch (expr.kind) {
  case ir::ExprKind::Slice:
  case ir::ExprKind::Sorted:
  case ir::ExprKind::ListLiteral:
  case ir::ExprKind::ListRepeat:
  case ir::ExprKind::Comprehension:
  case ir::ExprKind::Call: fresh = expr.type.isList(); break;
  default: break; // a local's list may be used again
  }
  if (!fresh)
    return;
  llvm::Type *pointer = builder_.getPtrTy();
  llvm::FunctionCallee discard =
      module_.supportFunction("pyvc_rt_list_discard", builder_.getVoidTy(), {pointer, pointer});
  builder_.CreateCall(discard, {arenaSlot(), header});
}

void FunctionLowering::appendElement(llvm::Value *header, llvm::Value *value, ir::TypeKind element) {
  llvm::StructType *type = module_.listType;
  llvm::Value *length = listLength(header);
  llvm::Value *capacity = builder_.CreateLoad(builder_.getInt64Ty(), builder_.CreateStructGEP(type, header, Capacity));
  llvm::BasicBlock *growBlock = newBlock("append.grow");
  llvm::BasicBlock *storeBlock = newBlock("append.store");
  // A borrowed list has capacity -1, so it always takes the grow path (which copies it).
  builder_.CreateCondBr(builder_.CreateICmpSLT(length, capacity), storeBlock, growBlock);
  builder_.SetInsertPoint(growBlock);
  llvm::Type *pointer = builder_.getPtrTy();
  llvm::FunctionCallee grow = module_.supportFunction("pyvc_rt_list_grow", builder_.getInt32Ty(),
                                                      {pointer, pointer, builder_.getInt64Ty()});
  llvm::Value *status = builder_.CreateCall(grow, {arenaSlot(), header, elementSizeValue(element)});
  raiseIf(builder_.CreateICmpNE(status, builder_.getInt32(0)), ir::ErrorKind::Memory, OutOfMemory);
  builder_.CreateBr(storeBlock);
  builder_.SetInsertPoint(storeBlock);
  if (element == ir::TypeKind::Bool)
    value = builder_.CreateZExt(value, builder_.getInt8Ty());
  builder_.CreateStore(value, elementAddress(header, length, element));
  builder_.CreateStore(builder_.CreateAdd(length, builder_.getInt64(1)),
                       builder_.CreateStructGEP(type, header, Length));
}

void FunctionLowering::lowerAppend(const ir::AppendStmt &statement) {
  llvm::AllocaInst *slot = localSlots_[statement.list];
  ir::TypeKind element = function_.locals[statement.list].type.element().kind();
  // Python evaluates the argument after looking up the list; neither can change the other.
  llvm::Value *header = builder_.CreateLoad(builder_.getPtrTy(), slot);
  llvm::Value *value = lowerExpr(*statement.value);
  appendElement(header, value, element);
}

void FunctionLowering::lowerStoreIndex(const ir::StoreIndexStmt &statement) {
  llvm::AllocaInst *slot = localSlots_[statement.list];
  ir::TypeKind element = function_.locals[statement.list].type.element().kind();
  llvm::Value *header = builder_.CreateLoad(builder_.getPtrTy(), slot);
  // Python evaluates the value first, then the index.
  llvm::Value *value = lowerExpr(*statement.value);
  llvm::Value *index = lowerExpr(*statement.index);

  // Copy a borrowed list before its first write.
  if (!alwaysOwned(statement.list)) {
    llvm::Value *capacity = builder_.CreateLoad(builder_.getInt64Ty(),
                                                builder_.CreateStructGEP(module_.listType, header, Capacity));
    llvm::BasicBlock *copyBlock = newBlock("store.copy");
    llvm::BasicBlock *storeBlock = newBlock("store.index");
    builder_.CreateCondBr(builder_.CreateICmpSLT(capacity, builder_.getInt64(0)), copyBlock, storeBlock);
    builder_.SetInsertPoint(copyBlock);
    llvm::Type *pointer = builder_.getPtrTy();
    llvm::FunctionCallee makeOwned = module_.supportFunction(
        "pyvc_rt_list_make_owned", builder_.getInt32Ty(), {pointer, pointer, builder_.getInt64Ty()});
    llvm::Value *status = builder_.CreateCall(makeOwned, {arenaSlot(), header, elementSizeValue(element)});
    raiseIf(builder_.CreateICmpNE(status, builder_.getInt32(0)), ir::ErrorKind::Memory, OutOfMemory);
    builder_.CreateBr(storeBlock);
    builder_.SetInsertPoint(storeBlock);
  }

  if (!statement.provenInBounds)
    index = normalizedIndex(listLength(header), index, "list assignment index out of range");
  if (element == ir::TypeKind::Bool)
    value = builder_.CreateZExt(value, builder_.getInt8Ty());
  tagElementAccess(builder_.CreateStore(value, elementAddress(header, index, element)));
}

llvm::Value *FunctionLowering::lowerIndex(const ir::IndexExpr &expr) {
  llvm::Value *header = lowerExpr(*expr.list);
  llvm::Value *index = checkedIndex(header, lowerExpr(*expr.index), expr.provenInBounds);
  llvm::Value *element = loadElement(header, index, expr.type.kind());
  discardIfTemporary(*expr.list, header);
  return element;
}

llvm::Value *FunctionLowering::lowerSlice(const ir::SliceExpr &expr) {
  llvm::Value *header = lowerExpr(*expr.list);
  llvm::Value *length = listLength(header);
  llvm::Value *zero = builder_.getInt64(0);
  // Python's clamping: a negative bound counts from the end, then both land in [0, length].
  auto clamp = [&](const ir::Expr *bound, llvm::Value *omitted) -> llvm::Value * {
    if (!bound)
      return omitted;
    llvm::Value *value = lowerExpr(*bound);
    llvm::Value *fromEnd = builder_.CreateAdd(value, length); // value < 0 here: cannot overflow
    llvm::Value *negative = builder_.CreateICmpSLT(value, zero);
    llvm::Value *low = builder_.CreateSelect(builder_.CreateICmpSLT(fromEnd, zero), zero, fromEnd);
    llvm::Value *high = builder_.CreateSelect(builder_.CreateICmpSGT(value, length), length, value);
    return builder_.CreateSelect(negative, low, high);
  };
  llvm::Value *lower = clamp(expr.lower, zero);
  llvm::Value *upper = clamp(expr.upper, length);
  llvm::Type *pointer = builder_.getPtrTy();
  llvm::Type *int64 = builder_.getInt64Ty();
  llvm::FunctionCallee slice =
      module_.supportFunction("pyvc_rt_list_slice", pointer, {pointer, pointer, int64, int64, int64});
  llvm::Value *result = builder_.CreateCall(
      slice, {arenaSlot(), header, elementSizeValue(expr.type.element().kind()), lower, upper});
  raiseIf(builder_.CreateIsNull(result), ir::ErrorKind::Memory, OutOfMemory);
  assumeListHeader(result);
  discardIfTemporary(*expr.list, header);
  return result;
}

llvm::Value *FunctionLowering::lowerListLiteral(const ir::ListLiteralExpr &expr) {
  std::vector<llvm::Value *> values;
  for (const ir::Expr *element : expr.elements)
    values.push_back(lowerExpr(*element));
  ir::TypeKind element = expr.type.element().kind();
  llvm::Value *count = builder_.getInt64(values.size());
  llvm::Value *header = newList(element, count, count);
  for (size_t index = 0; index < values.size(); ++index) {
    llvm::Value *value = values[index];
    if (element == ir::TypeKind::Bool)
      value = builder_.CreateZExt(value, builder_.getInt8Ty());
    builder_.CreateStore(value, elementAddress(header, builder_.getInt64(index), element));
  }
  return header;
}

llvm::Value *FunctionLowering::lowerListRepeat(const ir::ListRepeatExpr &expr) {
  if (const auto *literal = expr.list->as<ir::ListLiteralExpr>())
    return lowerLiteralRepeat(*literal, *expr.count, expr.countFirst, expr.type.element().kind());
  llvm::Value *count = expr.countFirst ? lowerExpr(*expr.count) : nullptr;
  llvm::Value *header = lowerExpr(*expr.list);
  if (!count)
    count = lowerExpr(*expr.count);
  llvm::Type *pointer = builder_.getPtrTy();
  llvm::Type *int64 = builder_.getInt64Ty();
  llvm::FunctionCallee repeat =
      module_.supportFunction("pyvc_rt_list_repeat", pointer, {pointer, pointer, int64, int64});
  llvm::Value *result =
      builder_.CreateCall(repeat, {arenaSlot(), header, elementSizeValue(expr.type.element().kind()), count});
  raiseIf(builder_.CreateIsNull(result), ir::ErrorKind::Memory, OutOfMemory);
  assumeListHeader(result);
  discardIfTemporary(*expr.list, header);
  return result;
}

llvm::Value *FunctionLowering::lowerLiteralRepeat(const ir::ListLiteralExpr &literal, const ir::Expr &countExpr,
                                                  bool countFirst, ir::TypeKind element) {
  // Python evaluates the operands left to right, as the general path does.
  llvm::Value *count = countFirst ? lowerExpr(countExpr) : nullptr;
  std::vector<llvm::Value *> values;
  for (const ir::Expr *value : literal.elements) {
    values.push_back(lowerExpr(*value));
    if (element == ir::TypeKind::Bool)
      values.back() = builder_.CreateZExt(values.back(), builder_.getInt8Ty());
  }
  if (!count)
    count = lowerExpr(countExpr);
  llvm::Value *zero = builder_.getInt64(0);
  llvm::Value *copies = builder_.CreateBinaryIntrinsic(llvm::Intrinsic::smax, count, zero, nullptr, "copies");
  llvm::Value *product = builder_.CreateBinaryIntrinsic(llvm::Intrinsic::umul_with_overflow, copies,
                                                        builder_.getInt64(values.size()));
  llvm::Value *length = builder_.CreateExtractValue(product, {0}, "length");
  // As pyvc_rt_list_repeat: a length past 2^63 is a MemoryError (CPython's too, in practice);
  // newList refuses a byte size that does not fit.
  raiseIf(builder_.CreateOr(builder_.CreateExtractValue(product, {1}), builder_.CreateICmpSLT(length, zero)),
          ir::ErrorKind::Memory, OutOfMemory);
  llvm::Value *header = newList(element, length, length);
  if (values.empty())
    return header;

  llvm::Value *data = listData(header);
  llvm::Type *memory = module_.memoryType(element);
  llvm::BasicBlock *before = builder_.GetInsertBlock();
  llvm::BasicBlock *fill = newBlock("repeat.fill");
  llvm::BasicBlock *done = newBlock("repeat.done");
  builder_.CreateCondBr(builder_.CreateICmpEQ(copies, zero), done, fill);
  builder_.SetInsertPoint(fill);
  llvm::PHINode *copy = builder_.CreatePHI(builder_.getInt64Ty(), 2, "copy");
  copy->addIncoming(zero, before);
  llvm::Value *first = builder_.CreateMul(copy, builder_.getInt64(values.size()), "", true, true);
  for (size_t offset = 0; offset < values.size(); ++offset) {
    llvm::Value *position = builder_.CreateAdd(first, builder_.getInt64(offset), "", true, true);
    tagElementAccess(builder_.CreateStore(values[offset], builder_.CreateInBoundsGEP(memory, data, position)));
  }
  llvm::Value *next = builder_.CreateAdd(copy, builder_.getInt64(1), "", true, true);
  copy->addIncoming(next, builder_.GetInsertBlock());
  builder_.CreateCondBr(builder_.CreateICmpEQ(next, copies), done, fill);
  builder_.SetInsertPoint(done);
  return header;
}

llvm::Value *FunctionLowering::lowerSorted(const ir::SortedExpr &expr) {
  llvm::Value *header = lowerExpr(*expr.list);
  ir::TypeKind element = expr.type.element().kind();
  llvm::Type *pointer = builder_.getPtrTy();
  llvm::Type *int64 = builder_.getInt64Ty();
  llvm::FunctionCallee slice =
      module_.supportFunction("pyvc_rt_list_slice", pointer, {pointer, pointer, int64, int64, int64});
  llvm::Value *copy = builder_.CreateCall(
      slice, {arenaSlot(), header, elementSizeValue(element), builder_.getInt64(0), listLength(header)});
  raiseIf(builder_.CreateIsNull(copy), ir::ErrorKind::Memory, OutOfMemory);
  assumeListHeader(copy);
  discardIfTemporary(*expr.list, header);
  int32_t kind = element == ir::TypeKind::Bool ? 0 : element == ir::TypeKind::Int ? 1 : 2;
  llvm::FunctionCallee sort = module_.supportFunction(
      "pyvc_rt_list_sort", builder_.getInt32Ty(), {pointer, int64, builder_.getInt32Ty(), pointer});
  propagateIfFailed(builder_.CreateCall(sort, {copy, elementSizeValue(element), builder_.getInt32(kind), messageOut_}));
  return copy;
}

} // namespace pyvc::backends
