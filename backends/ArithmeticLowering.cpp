// Scalar operators with Python's rules: checked 64-bit int arithmetic, floored division and
// modulo, CPython's float remainder and power, exact int/float comparison, short-circuit
// `and`/`or`/chains, and the checked numeric conversions. No fast-math flags anywhere.
#include "backends/FunctionLowering.h"
#include "ir/analysis/PossibleErrors.h"

#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/IntrinsicsX86.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/TargetParser/Triple.h"

#include <cstdint>

namespace pyvc::backends {

static const char *const IntegerOverflow = "integer overflow";

llvm::Value *FunctionLowering::lowerUnary(const ir::UnaryExpr &expr) {
  llvm::Value *operand = lowerExpr(*expr.operand);
  switch (expr.op) {
  case ir::UnaryOp::Pos: return operand;
  case ir::UnaryOp::Not:
  case ir::UnaryOp::Invert: return builder_.CreateNot(operand); // ~x == -x - 1: all bits flipped
  case ir::UnaryOp::Neg:
    if (expr.type.isFloat())
      return builder_.CreateFNeg(operand);
    return lowerIntBinary(ir::BinaryOp::Sub, builder_.getInt64(0), operand);
  }
  return nullptr;
}

llvm::Value *FunctionLowering::lowerBinary(const ir::BinaryExpr &expr) {
  llvm::Value *lhs = lowerExpr(*expr.lhs);
  llvm::Value *rhs = lowerExpr(*expr.rhs);
  if (expr.lhs->type.isFloat())
    return lowerFloatBinary(expr.op, lhs, rhs);
  // Analysis proved the result fits in 64 bits: no check, and `nsw` tells LLVM so, which lets a
  // counter under a branch become a select and the loop vectorize.
  if (expr.provenNoOverflow) {
    switch (expr.op) {
    case ir::BinaryOp::Add: return builder_.CreateAdd(lhs, rhs, "", false, true);
    case ir::BinaryOp::Sub: return builder_.CreateSub(lhs, rhs, "", false, true);
    case ir::BinaryOp::Mul: return builder_.CreateMul(lhs, rhs, "", false, true);
    default: break;
    }
  }
  return lowerIntBinary(expr.op, lhs, rhs);
}

llvm::Value *FunctionLowering::lowerIntBinary(ir::BinaryOp op, llvm::Value *lhs, llvm::Value *rhs) {
  llvm::Type *int64 = builder_.getInt64Ty();
  llvm::Value *zero = builder_.getInt64(0);
  auto checked = [&](llvm::Intrinsic::ID id) {
    llvm::Value *pair = builder_.CreateBinaryIntrinsic(id, lhs, rhs);
    raiseIf(builder_.CreateExtractValue(pair, {1}), ir::ErrorKind::Overflow, IntegerOverflow);
    return builder_.CreateExtractValue(pair, {0});
  };
  switch (op) {
  case ir::BinaryOp::Add: return checked(llvm::Intrinsic::sadd_with_overflow);
  case ir::BinaryOp::Sub: return checked(llvm::Intrinsic::ssub_with_overflow);
  case ir::BinaryOp::Mul: return checked(llvm::Intrinsic::smul_with_overflow);
  case ir::BinaryOp::TrueDiv: {
    raiseIf(builder_.CreateICmpEQ(rhs, zero), ir::ErrorKind::ZeroDivision, "division by zero");
    llvm::FunctionCallee divide = module_.supportFunction(
        "pyvc_rt_int_true_divide", builder_.getDoubleTy(), {int64, int64});
    return builder_.CreateCall(divide, {lhs, rhs});
  }
  case ir::BinaryOp::FloorDiv: {
    raiseIf(builder_.CreateICmpEQ(rhs, zero), ir::ErrorKind::ZeroDivision,
            "integer division or modulo by zero");
    llvm::Value *minimum = builder_.getInt64(uint64_t(INT64_MIN));
    raiseIf(builder_.CreateAnd(builder_.CreateICmpEQ(lhs, minimum),
                               builder_.CreateICmpEQ(rhs, builder_.getInt64(uint64_t(-1)))),
            ir::ErrorKind::Overflow, IntegerOverflow);
    llvm::Value *quotient = builder_.CreateSDiv(lhs, rhs);
    llvm::Value *remainder = builder_.CreateSRem(lhs, rhs);
    // Floor: step down when the remainder is non-zero and its sign differs from the divisor's.
    llvm::Value *adjust = builder_.CreateAnd(builder_.CreateICmpNE(remainder, zero),
                                             builder_.CreateICmpSLT(builder_.CreateXor(remainder, rhs), zero));
    return builder_.CreateSub(quotient, builder_.CreateZExt(adjust, int64));
  }
  case ir::BinaryOp::Mod: {
    raiseIf(builder_.CreateICmpEQ(rhs, zero), ir::ErrorKind::ZeroDivision, "integer modulo by zero");
    // x % -1 is 0; srem of INT64_MIN by -1 would be undefined, so divide by 1 instead.
    llvm::Value *minusOne = builder_.CreateICmpEQ(rhs, builder_.getInt64(uint64_t(-1)));
    llvm::Value *divisor = builder_.CreateSelect(minusOne, builder_.getInt64(1), rhs);
    llvm::Value *remainder = builder_.CreateSRem(lhs, divisor);
    llvm::Value *adjust = builder_.CreateAnd(builder_.CreateICmpNE(remainder, zero),
                                             builder_.CreateICmpSLT(builder_.CreateXor(remainder, divisor), zero));
    return builder_.CreateAdd(remainder, builder_.CreateSelect(adjust, divisor, zero));
  }
  case ir::BinaryOp::Pow: {
    llvm::Type *pointer = builder_.getPtrTy();
    llvm::FunctionCallee power = module_.supportFunction(
        "pyvc_rt_int_pow", builder_.getInt32Ty(), {int64, int64, pointer, pointer});
    llvm::AllocaInst *result = entryAlloca(int64, "pow");
    propagateIfFailed(builder_.CreateCall(power, {lhs, rhs, result, messageOut_}));
    return builder_.CreateLoad(int64, result);
  }
  // Two's complement `& | ^` are Python's on every int64 (and on two bools).
  case ir::BinaryOp::BitAnd: return builder_.CreateAnd(lhs, rhs);
  case ir::BinaryOp::BitOr: return builder_.CreateOr(lhs, rhs);
  case ir::BinaryOp::BitXor: return builder_.CreateXor(lhs, rhs);
  case ir::BinaryOp::LShift:
  case ir::BinaryOp::RShift: {
    raiseIf(builder_.CreateICmpSLT(rhs, zero), ir::ErrorKind::Value, "negative shift count");
    // LLVM's shifts are poison from 64 on, so the count is clamped: x >> 63 already gives 0 or
    // -1; a left shift by 64 or more fits only for x == 0.
    llvm::Value *wide = builder_.CreateICmpUGE(rhs, builder_.getInt64(64));
    if (op == ir::BinaryOp::RShift)
      return builder_.CreateAShr(lhs, builder_.CreateSelect(wide, builder_.getInt64(63), rhs));
    llvm::Value *count = builder_.CreateSelect(wide, zero, rhs);
    llvm::Value *shifted = builder_.CreateShl(lhs, count);
    llvm::Value *lost = builder_.CreateICmpNE(builder_.CreateAShr(shifted, count), lhs);
    raiseIf(builder_.CreateOr(lost, builder_.CreateAnd(wide, builder_.CreateICmpNE(lhs, zero))),
            ir::ErrorKind::Overflow, IntegerOverflow);
    return shifted;
  }
  }
  return nullptr;
}

llvm::Value *FunctionLowering::lowerFloatBinary(ir::BinaryOp op, llvm::Value *lhs, llvm::Value *rhs) {
  assert(!ir::isBitwise(op) && "bitwise operators take ints");
  llvm::Type *doubleType = builder_.getDoubleTy();
  llvm::Value *zero = llvm::ConstantFP::get(doubleType, 0.0);
  switch (op) {
  case ir::BinaryOp::Add: return builder_.CreateFAdd(lhs, rhs);
  case ir::BinaryOp::Sub: return builder_.CreateFSub(lhs, rhs);
  case ir::BinaryOp::Mul: return builder_.CreateFMul(lhs, rhs);
  case ir::BinaryOp::TrueDiv:
    raiseIf(builder_.CreateFCmpOEQ(rhs, zero), ir::ErrorKind::ZeroDivision, "float division by zero");
    return builder_.CreateFDiv(lhs, rhs);
  case ir::BinaryOp::FloorDiv: {
    raiseIf(builder_.CreateFCmpOEQ(rhs, zero), ir::ErrorKind::ZeroDivision,
            "float floor division by zero");
    llvm::FunctionCallee floorDivide = module_.supportFunction(
        "pyvc_rt_float_floor_div", doubleType, {doubleType, doubleType});
    return builder_.CreateCall(floorDivide, {lhs, rhs});
  }
  case ir::BinaryOp::Mod: {
    raiseIf(builder_.CreateFCmpOEQ(rhs, zero), ir::ErrorKind::ZeroDivision, "float modulo");
    llvm::FunctionCallee modulo =
        module_.supportFunction("pyvc_rt_float_mod", doubleType, {doubleType, doubleType});
    return builder_.CreateCall(modulo, {lhs, rhs});
  }
  case ir::BinaryOp::Pow: {
    llvm::Type *pointer = builder_.getPtrTy();
    llvm::FunctionCallee power = module_.supportFunction(
        "pyvc_rt_float_pow", builder_.getInt32Ty(), {doubleType, doubleType, pointer, pointer});
    llvm::AllocaInst *result = entryAlloca(doubleType, "pow");
    propagateIfFailed(builder_.CreateCall(power, {lhs, rhs, result, messageOut_}));
    return builder_.CreateLoad(doubleType, result);
  }
  default: break;
  }
  return nullptr;
}

llvm::Value *FunctionLowering::lowerCompare(ir::CompareOp op, llvm::Value *lhs, const ir::Type &lhsType,
                                            llvm::Value *rhs, const ir::Type &rhsType) {
  // Bools compare as ints.
  if (lhsType.isBool())
    lhs = builder_.CreateZExt(lhs, builder_.getInt64Ty());
  if (rhsType.isBool())
    rhs = builder_.CreateZExt(rhs, builder_.getInt64Ty());
  bool lhsFloat = lhsType.isFloat(), rhsFloat = rhsType.isFloat();
  if (lhsFloat && rhsFloat) {
    // Ordered predicates are false on NaN; != is the unordered one (NaN != anything).
    switch (op) {
    case ir::CompareOp::Lt: return builder_.CreateFCmpOLT(lhs, rhs);
    case ir::CompareOp::Le: return builder_.CreateFCmpOLE(lhs, rhs);
    case ir::CompareOp::Gt: return builder_.CreateFCmpOGT(lhs, rhs);
    case ir::CompareOp::Ge: return builder_.CreateFCmpOGE(lhs, rhs);
    case ir::CompareOp::Eq: return builder_.CreateFCmpOEQ(lhs, rhs);
    case ir::CompareOp::Ne: return builder_.CreateFCmpUNE(lhs, rhs);
    }
  }
  if (!lhsFloat && !rhsFloat) {
    switch (op) {
    case ir::CompareOp::Lt: return builder_.CreateICmpSLT(lhs, rhs);
    case ir::CompareOp::Le: return builder_.CreateICmpSLE(lhs, rhs);
    case ir::CompareOp::Gt: return builder_.CreateICmpSGT(lhs, rhs);
    case ir::CompareOp::Ge: return builder_.CreateICmpSGE(lhs, rhs);
    case ir::CompareOp::Eq: return builder_.CreateICmpEQ(lhs, rhs);
    case ir::CompareOp::Ne: return builder_.CreateICmpNE(lhs, rhs);
    }
  }
  // Int against float, exactly: the support library answers -1/0/1 for int <, ==, > float, and
  // 2 when the float is NaN. With the float on the left, the order flips.
  llvm::Value *intValue = lhsFloat ? rhs : lhs;
  llvm::Value *floatValue = lhsFloat ? lhs : rhs;
  llvm::FunctionCallee compare = module_.supportFunction(
      "pyvc_rt_compare_int_float", builder_.getInt32Ty(), {builder_.getInt64Ty(), builder_.getDoubleTy()});
  llvm::Value *order = builder_.CreateCall(compare, {intValue, floatValue});
  if (lhsFloat) // float OP int == int (reversed OP) float
    switch (op) {
    case ir::CompareOp::Lt: op = ir::CompareOp::Gt; break;
    case ir::CompareOp::Le: op = ir::CompareOp::Ge; break;
    case ir::CompareOp::Gt: op = ir::CompareOp::Lt; break;
    case ir::CompareOp::Ge: op = ir::CompareOp::Le; break;
    default: break;
    }
  auto is = [&](int32_t value) { return builder_.CreateICmpEQ(order, builder_.getInt32(value)); };
  switch (op) {
  case ir::CompareOp::Lt: return is(-1);
  case ir::CompareOp::Le: return builder_.CreateOr(is(-1), is(0));
  case ir::CompareOp::Gt: return is(1);
  case ir::CompareOp::Ge: return builder_.CreateOr(is(1), is(0));
  case ir::CompareOp::Eq: return is(0);
  case ir::CompareOp::Ne: return builder_.CreateNot(is(0));
  }
  return nullptr;
}

llvm::Value *FunctionLowering::lowerCompareChain(const ir::CompareChainExpr &expr) {
  assert(expr.operands.size() == expr.ops.size() + 1 && "malformed comparison chain");
  llvm::Value *lhs = lowerExpr(*expr.operands[0]);
  if (expr.ops.size() == 1)
    return lowerCompare(expr.ops[0], lhs, expr.operands[0]->type, lowerExpr(*expr.operands[1]),
                        expr.operands[1]->type);
  // a < b < c: stop at the first false comparison without evaluating the rest.
  llvm::BasicBlock *done = newBlock("chain.end");
  std::vector<std::pair<llvm::Value *, llvm::BasicBlock *>> incoming;
  for (size_t index = 0; index < expr.ops.size(); ++index) {
    llvm::Value *rhs = lowerExpr(*expr.operands[index + 1]);
    llvm::Value *result = lowerCompare(expr.ops[index], lhs, expr.operands[index]->type, rhs,
                                       expr.operands[index + 1]->type);
    if (index + 1 == expr.ops.size()) {
      incoming.push_back({result, builder_.GetInsertBlock()});
      builder_.CreateBr(done);
      break;
    }
    llvm::BasicBlock *next = newBlock("chain.next");
    incoming.push_back({builder_.getFalse(), builder_.GetInsertBlock()});
    builder_.CreateCondBr(result, next, done);
    builder_.SetInsertPoint(next);
    lhs = rhs;
  }
  builder_.SetInsertPoint(done);
  llvm::PHINode *phi = builder_.CreatePHI(builder_.getInt1Ty(), incoming.size(), "chain");
  for (auto &[value, block] : incoming)
    phi->addIncoming(value, block);
  return phi;
}

// True when evaluating `expr` can neither raise nor have an effect and costs a few instructions:
// then evaluating it although `and`/`or` would skip it is unobservable, and a select replaces
// the branch -- which is what lets rules such as `a > 85.0 or (a > 60.0 and b < 0.1)` vectorize
// in batch variants. Whether a node can raise is the IR's own rule (ir::errorsOfExpr), so what
// the analyses prove safe (a division by a non-zero constant, an int add that cannot overflow)
// speculates too; this function only adds "scalar, cheap, a handful of nodes".
static bool isCheapAndSpeculatable(const ir::Expr &expr, int budget = 8) {
  if (--budget < 0 || !expr.type.isScalar() || !ir::errorsOfExpr(expr).empty())
    return false;
  auto all = [&](std::initializer_list<const ir::Expr *> children) {
    for (const ir::Expr *child : children)
      if (!isCheapAndSpeculatable(*child, budget))
        return false;
    return true;
  };
  switch (expr.kind) {
  case ir::ExprKind::Constant:
  case ir::ExprKind::LocalRef: return true;
  case ir::ExprKind::Unary: return all({expr.as<ir::UnaryExpr>()->operand});
  case ir::ExprKind::Binary: {
    const auto &binary = *expr.as<ir::BinaryExpr>();
    return binary.op != ir::BinaryOp::Pow && all({binary.lhs, binary.rhs}); // pow is a libm call
  }
  case ir::ExprKind::CompareChain: {
    const auto &chain = *expr.as<ir::CompareChainExpr>();
    return chain.ops.size() == 1 && chain.operands[0]->type == chain.operands[1]->type &&
           all({chain.operands[0], chain.operands[1]});
  }
  case ir::ExprKind::Logical: {
    const auto &logical = *expr.as<ir::LogicalExpr>();
    return expr.type.isBool() && all({logical.lhs, logical.rhs});
  }
  case ir::ExprKind::Convert: return all({expr.as<ir::ConvertExpr>()->operand});
  default: return false;
  }
}

llvm::Value *FunctionLowering::lowerLogical(const ir::LogicalExpr &expr) {
  llvm::Value *lhs = lowerExpr(*expr.lhs);
  llvm::Value *lhsTrue = truth(lhs, expr.lhs->type);
  if (expr.type.isBool() && isCheapAndSpeculatable(*expr.rhs)) {
    llvm::Value *rhs = lowerExpr(*expr.rhs);
    return expr.op == ir::LogicalOp::And ? builder_.CreateSelect(lhsTrue, rhs, lhs, "and")
                                         : builder_.CreateSelect(lhsTrue, lhs, rhs, "or");
  }
  llvm::BasicBlock *lhsBlock = builder_.GetInsertBlock();
  llvm::BasicBlock *rhsBlock = newBlock(expr.op == ir::LogicalOp::And ? "and.rhs" : "or.rhs");
  llvm::BasicBlock *done = newBlock("logical.end");
  // `a and b` evaluates b only when a is true; `a or b` only when a is false.
  if (expr.op == ir::LogicalOp::And)
    builder_.CreateCondBr(lhsTrue, rhsBlock, done);
  else
    builder_.CreateCondBr(lhsTrue, done, rhsBlock);
  builder_.SetInsertPoint(rhsBlock);
  llvm::Value *rhs = lowerExpr(*expr.rhs);
  llvm::BasicBlock *rhsEnd = builder_.GetInsertBlock();
  builder_.CreateBr(done);
  builder_.SetInsertPoint(done);
  llvm::PHINode *phi = builder_.CreatePHI(lhs->getType(), 2, "logical");
  phi->addIncoming(lhs, lhsBlock);
  phi->addIncoming(rhs, rhsEnd);
  return phi;
}

llvm::Value *FunctionLowering::lowerSelect(const ir::SelectExpr &expr) {
  llvm::Value *condition = lowerExpr(*expr.condition);
  llvm::BasicBlock *trueBlock = newBlock("select.true");
  llvm::BasicBlock *falseBlock = newBlock("select.false");
  llvm::BasicBlock *done = newBlock("select.end");
  builder_.CreateCondBr(condition, trueBlock, falseBlock);
  builder_.SetInsertPoint(trueBlock);
  llvm::Value *ifTrue = lowerExpr(*expr.ifTrue);
  llvm::BasicBlock *trueEnd = builder_.GetInsertBlock();
  builder_.CreateBr(done);
  builder_.SetInsertPoint(falseBlock);
  llvm::Value *ifFalse = lowerExpr(*expr.ifFalse);
  llvm::BasicBlock *falseEnd = builder_.GetInsertBlock();
  builder_.CreateBr(done);
  builder_.SetInsertPoint(done);
  llvm::PHINode *phi = builder_.CreatePHI(ifTrue->getType(), 2, "select");
  phi->addIncoming(ifTrue, trueEnd);
  phi->addIncoming(ifFalse, falseEnd);
  return phi;
}

llvm::Value *FunctionLowering::truth(llvm::Value *value, const ir::Type &type) {
  switch (type.kind()) {
  case ir::TypeKind::Bool: return value;
  case ir::TypeKind::Int: return builder_.CreateICmpNE(value, builder_.getInt64(0));
  case ir::TypeKind::Float: // NaN is true
    return builder_.CreateFCmpUNE(value, llvm::ConstantFP::get(builder_.getDoubleTy(), 0.0));
  case ir::TypeKind::List: return builder_.CreateICmpNE(listLength(value), builder_.getInt64(0));
  default: break;
  }
  assert(false && "truth of a value without one");
  return nullptr;
}

llvm::Value *FunctionLowering::fitsInt64(llvm::Value *floats) {
  // Ordered compares: false for NaN. ConstantFP::get splats for a vector type.
  return builder_.CreateAnd(builder_.CreateFCmpOGE(floats, llvm::ConstantFP::get(floats->getType(), -0x1p63)),
                            builder_.CreateFCmpOLT(floats, llvm::ConstantFP::get(floats->getType(), 0x1p63)));
}

llvm::Value *FunctionLowering::checkedFloatToInt(llvm::Value *value) {
  // NaN, infinities and values outside [-2^63, 2^63) must be refused before fptosi, which would
  // give poison. fptosi truncates toward zero, as int() does, and `value` may keep a fraction:
  // it is in [-2^63, 2^63) exactly when trunc(value) is (the doubles next to +-2^63 are
  // integers). Which error it is gets sorted out off the hot path.
  llvm::Type *doubleType = builder_.getDoubleTy();
  llvm::Type *int64 = builder_.getInt64Ty();
  llvm::Value *minimum = llvm::ConstantFP::get(doubleType, -0x1p63);
  llvm::Value *converted = nullptr, *fits = nullptr;
  bool x86 = llvm::Triple(module_.module.getTargetTriple()).isX86();
  if (x86) {
    // x86-64's cvttsd2si is defined for every input: the truncation inside [-2^63, 2^63), and
    // INT64_MIN (the "integer indefinite") for NaN and everything outside. So the hot path is
    // one integer compare instead of two float compares (histogram's `counts[int(...)] += 1`
    // ran ~5% faster); -2^63 itself also gives INT64_MIN and is told apart below.
    llvm::Value *vector = builder_.CreateInsertElement(
        llvm::PoisonValue::get(llvm::FixedVectorType::get(doubleType, 2)), value, uint64_t(0));
    converted = builder_.CreateIntrinsic(int64, llvm::Intrinsic::x86_sse2_cvttsd2si64, {vector});
    fits = builder_.CreateICmpNE(converted, builder_.getInt64(uint64_t(INT64_MIN)));
  } else {
    fits = fitsInt64(value); // two ordered compares and one branch
  }
  llvm::BasicBlock *classify = newBlock("float_to_int.fails");
  llvm::BasicBlock *converts = newBlock("float_to_int.fits");
  llvm::MDNode *likely = llvm::MDBuilder(context_).createLikelyBranchWeights();
  builder_.CreateCondBr(fits, converts, classify, likely);
  builder_.SetInsertPoint(classify);
  if (x86) {
    llvm::BasicBlock *notMinimum = newBlock("float_to_int.not_minimum");
    builder_.CreateCondBr(builder_.CreateFCmpOEQ(value, minimum), converts, notMinimum);
    builder_.SetInsertPoint(notMinimum);
  }
  raiseIf(builder_.CreateFCmpUNO(value, value), ir::ErrorKind::Value,
          "cannot convert float NaN to integer");
  llvm::Value *magnitude = builder_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, value);
  raiseIf(builder_.CreateFCmpOEQ(magnitude, llvm::ConstantFP::getInfinity(doubleType)),
          ir::ErrorKind::Overflow, "cannot convert float infinity to integer");
  raiseIf(builder_.getTrue(), ir::ErrorKind::Overflow, IntegerOverflow);
  builder_.CreateUnreachable(); // the last raise always leaves
  builder_.SetInsertPoint(converts);
  return x86 ? converted : builder_.CreateFPToSI(value, int64);
}

llvm::Value *FunctionLowering::lowerConvert(const ir::ConvertExpr &expr) {
  llvm::Value *operand = lowerExpr(*expr.operand);
  switch (expr.op) {
  case ir::ConvertOp::BoolToInt: return builder_.CreateZExt(operand, builder_.getInt64Ty());
  case ir::ConvertOp::BoolToFloat: return builder_.CreateUIToFP(operand, builder_.getDoubleTy());
  case ir::ConvertOp::IntToFloat: return builder_.CreateSIToFP(operand, builder_.getDoubleTy());
  case ir::ConvertOp::FloatToInt: return checkedFloatToInt(operand); // fptosi truncates
  case ir::ConvertOp::Truth: return truth(operand, expr.operand->type);
  case ir::ConvertOp::ListTruth: {
    llvm::Value *result = truth(operand, expr.operand->type);
    discardIfTemporary(*expr.operand, operand);
    return result;
  }
  }
  return nullptr;
}

} // namespace pyvc::backends
