// Vector code for one block of 16 positions of a FixedLanes sum whose element and filters use
// only operations that cannot raise (float + - *, comparisons, selects, fabs, min/max, ...).
// Such code has no observable evaluation order, so computing all 16 lanes at once, and both
// sides of a filter, gives exactly the values of the scalar code. Anything else is lowered one
// position at a time (FixedLaneSum.cpp).
// Speculative code (ScatterUpdateLoop.cpp) may also divide by any float: the lanes whose divisor
// is zero, where CPython would raise, are reported in a mask, and the caller runs those
// positions as scalar code instead.
#include "backends/FunctionLowering.h"

#include "llvm/IR/Intrinsics.h"

#include <algorithm>

namespace pyvc::backends {

// Which target of `iteration` a local is (its position in space.targets), or -1.
static int targetIndex(const ir::IterationSpace &space, ir::LocalId local) {
  auto found = std::find(space.targets.begin(), space.targets.end(), local);
  return found == space.targets.end() ? -1 : int(found - space.targets.begin());
}

bool FunctionLowering::isVectorizable(const ir::Expr &expr, const Iteration &iteration, bool speculative) {
  const ir::IterationSpace &space = *iteration.space;
  auto all = [&](std::initializer_list<const ir::Expr *> children) {
    for (const ir::Expr *child : children)
      if (!child || !isVectorizable(*child, iteration, speculative))
        return false;
    return true;
  };
  switch (expr.kind) {
  case ir::ExprKind::Constant: return expr.type.isScalar();
  case ir::ExprKind::LocalRef: {
    int target = targetIndex(space, expr.as<ir::LocalRefExpr>()->local);
    if (target < 0)
      return expr.type.isScalar(); // invariant during the comprehension: splat
    // enumerate's index would need a checked add; everything else is a load or an affine value.
    return !(space.kind == ir::IterationSpace::Kind::Sequences && space.withIndex && target == 0);
  }
  case ir::ExprKind::Unary: {
    const auto &unary = *expr.as<ir::UnaryExpr>();
    return unary.op != ir::UnaryOp::Invert && (unary.op != ir::UnaryOp::Neg || expr.type.isFloat()) &&
           all({unary.operand});
  }
  case ir::ExprKind::Binary: {
    const auto &binary = *expr.as<ir::BinaryExpr>();
    if (!binary.lhs->type.isFloat())
      return false; // int arithmetic is checked
    bool plain = binary.op == ir::BinaryOp::Add || binary.op == ir::BinaryOp::Sub || binary.op == ir::BinaryOp::Mul;
    const auto *divisor = binary.rhs->as<ir::ConstantExpr>();
    bool safeDivision =
        binary.op == ir::BinaryOp::TrueDiv && (speculative || (divisor && divisor->floatValue != 0.0));
    return (plain || safeDivision) && all({binary.lhs, binary.rhs});
  }
  case ir::ExprKind::CompareChain: {
    // a < b < c is (a < b) and (b < c), b evaluated once: nothing to order without side effects.
    const auto &chain = *expr.as<ir::CompareChainExpr>();
    for (size_t index = 0; index < chain.operands.size(); ++index)
      if (chain.operands[index]->type != chain.operands[0]->type || !all({chain.operands[index]}))
        return false;
    return true;
  }
  case ir::ExprKind::Logical: {
    const auto &logical = *expr.as<ir::LogicalExpr>();
    return expr.type.isBool() && all({logical.lhs, logical.rhs});
  }
  case ir::ExprKind::Select: {
    const auto &select = *expr.as<ir::SelectExpr>();
    return expr.type.isScalar() && all({select.condition, select.ifTrue, select.ifFalse});
  }
  case ir::ExprKind::Convert: {
    const auto &convert = *expr.as<ir::ConvertExpr>();
    return convert.op != ir::ConvertOp::FloatToInt && convert.op != ir::ConvertOp::ListTruth &&
           all({convert.operand});
  }
  case ir::ExprKind::Intrinsic: {
    const auto &intrinsic = *expr.as<ir::IntrinsicExpr>();
    bool floatOnly = !intrinsic.arguments.empty() && intrinsic.arguments[0]->type.isFloat();
    switch (intrinsic.op) {
    case ir::IntrinsicOp::Fabs:
    case ir::IntrinsicOp::IsNan:
    case ir::IntrinsicOp::IsInf:
    case ir::IntrinsicOp::IsFinite: break;
    case ir::IntrinsicOp::Abs:
    case ir::IntrinsicOp::Min:
    case ir::IntrinsicOp::Max:
      if (!floatOnly)
        return false;
      break;
    default: return false;
    }
    for (const ir::Expr *argument : intrinsic.arguments)
      if (!isVectorizable(*argument, iteration, speculative))
        return false;
    return true;
  }
  default: return false;
  }
}

llvm::Value *FunctionLowering::lowerVectorExpr(const ir::Expr &expr, const Iteration &iteration, llvm::Value *base,
                                               llvm::Value **zeroDivisors) {
  const ir::IterationSpace &space = *iteration.space;
  auto splat = [&](llvm::Value *scalar) { return builder_.CreateVectorSplat(BlockWidth, scalar); };
  auto lower = [&](const ir::Expr *child) { return lowerVectorExpr(*child, iteration, base, zeroDivisors); };
  switch (expr.kind) {
  case ir::ExprKind::Constant: return splat(lowerConstant(*expr.as<ir::ConstantExpr>()));
  case ir::ExprKind::LocalRef: {
    ir::LocalId local = expr.as<ir::LocalRefExpr>()->local;
    int target = targetIndex(space, local);
    if (target < 0)
      return splat(builder_.CreateLoad(localSlots_[local]->getAllocatedType(), localSlots_[local]));
    if (space.kind == ir::IterationSpace::Kind::Range) {
      // start + (base + lane) * step, in wrapping arithmetic exactly like assignTargets.
      std::vector<llvm::Constant *> lanes;
      for (unsigned lane = 0; lane < BlockWidth; ++lane)
        lanes.push_back(builder_.getInt64(lane));
      llvm::Value *positions = builder_.CreateAdd(splat(base), llvm::ConstantVector::get(lanes));
      return builder_.CreateAdd(splat(iteration.start), builder_.CreateMul(positions, splat(iteration.step)));
    }
    size_t list = size_t(target) - (space.withIndex ? 1 : 0);
    ir::TypeKind element = expr.type.kind();
    llvm::Type *memory = module_.memoryType(element);
    llvm::Value *address = elementAddress(iteration.lists[list], base, element);
    llvm::Value *values = builder_.CreateAlignedLoad(llvm::FixedVectorType::get(memory, BlockWidth), address,
                                                     llvm::Align(ModuleLowering::elementSize(element)));
    return element == ir::TypeKind::Bool ? builder_.CreateICmpNE(values, llvm::Constant::getNullValue(values->getType()))
                                         : values;
  }
  case ir::ExprKind::Unary: {
    const auto &unary = *expr.as<ir::UnaryExpr>();
    llvm::Value *operand = lower(unary.operand);
    if (unary.op == ir::UnaryOp::Neg)
      return builder_.CreateFNeg(operand);
    return unary.op == ir::UnaryOp::Not ? builder_.CreateNot(operand) : operand;
  }
  case ir::ExprKind::Binary: {
    const auto &binary = *expr.as<ir::BinaryExpr>();
    llvm::Value *lhs = lower(binary.lhs), *rhs = lower(binary.rhs);
    switch (binary.op) {
    case ir::BinaryOp::Add: return builder_.CreateFAdd(lhs, rhs);
    case ir::BinaryOp::Sub: return builder_.CreateFSub(lhs, rhs);
    case ir::BinaryOp::Mul: return builder_.CreateFMul(lhs, rhs);
    default: break; // TrueDiv
    }
    auto *constantDivisor = llvm::dyn_cast_or_null<llvm::ConstantFP>(
        llvm::isa<llvm::Constant>(rhs) ? llvm::cast<llvm::Constant>(rhs)->getSplatValue() : nullptr);
    if (!constantDivisor || constantDivisor->isZero()) { // speculative: flag the lanes CPython raises on
      assert(zeroDivisors && "a division by a variable outside speculative vector code");
      llvm::Value *zero = builder_.CreateFCmpOEQ(rhs, llvm::Constant::getNullValue(rhs->getType()), "divisor.zero");
      *zeroDivisors = *zeroDivisors ? builder_.CreateOr(*zeroDivisors, zero) : zero;
    }
    return builder_.CreateFDiv(lhs, rhs);
  }
  case ir::ExprKind::CompareChain: {
    const auto &chain = *expr.as<ir::CompareChainExpr>();
    bool isFloat = chain.operands[0]->type.isFloat();
    std::vector<llvm::Value *> operands;
    for (const ir::Expr *operand : chain.operands) {
      llvm::Value *value = lower(operand);
      if (operand->type.isBool())
        value = builder_.CreateZExt(value, llvm::FixedVectorType::get(builder_.getInt64Ty(), BlockWidth));
      operands.push_back(value);
    }
    using P = llvm::CmpInst::Predicate;
    static const P floatPredicates[] = {P::FCMP_OLT, P::FCMP_OLE, P::FCMP_OGT, P::FCMP_OGE, P::FCMP_OEQ, P::FCMP_UNE};
    static const P intPredicates[] = {P::ICMP_SLT, P::ICMP_SLE, P::ICMP_SGT, P::ICMP_SGE, P::ICMP_EQ, P::ICMP_NE};
    llvm::Value *all = nullptr;
    for (size_t index = 0; index < chain.ops.size(); ++index) {
      unsigned op = unsigned(chain.ops[index]);
      llvm::Value *lhs = operands[index], *rhs = operands[index + 1];
      llvm::Value *holds = isFloat ? builder_.CreateFCmp(floatPredicates[op], lhs, rhs)
                                   : builder_.CreateICmp(intPredicates[op], lhs, rhs);
      all = all ? builder_.CreateAnd(all, holds) : holds;
    }
    return all;
  }
  case ir::ExprKind::Logical: {
    const auto &logical = *expr.as<ir::LogicalExpr>();
    llvm::Value *lhs = lower(logical.lhs), *rhs = lower(logical.rhs);
    return logical.op == ir::LogicalOp::And ? builder_.CreateAnd(lhs, rhs) : builder_.CreateOr(lhs, rhs);
  }
  case ir::ExprKind::Select: {
    const auto &select = *expr.as<ir::SelectExpr>();
    return builder_.CreateSelect(lower(select.condition), lower(select.ifTrue), lower(select.ifFalse));
  }
  case ir::ExprKind::Convert: {
    const auto &convert = *expr.as<ir::ConvertExpr>();
    llvm::Value *operand = lower(convert.operand);
    auto *floats = llvm::FixedVectorType::get(builder_.getDoubleTy(), BlockWidth);
    switch (convert.op) {
    case ir::ConvertOp::BoolToInt:
      return builder_.CreateZExt(operand, llvm::FixedVectorType::get(builder_.getInt64Ty(), BlockWidth));
    case ir::ConvertOp::BoolToFloat: return builder_.CreateUIToFP(operand, floats);
    case ir::ConvertOp::IntToFloat: return builder_.CreateSIToFP(operand, floats);
    default: // Truth
      if (convert.operand->type.isFloat())
        return builder_.CreateFCmpUNE(operand, llvm::Constant::getNullValue(operand->getType()));
      if (convert.operand->type.isInt())
        return builder_.CreateICmpNE(operand, llvm::Constant::getNullValue(operand->getType()));
      return operand;
    }
  }
  case ir::ExprKind::Intrinsic: {
    const auto &intrinsic = *expr.as<ir::IntrinsicExpr>();
    std::vector<llvm::Value *> arguments;
    for (const ir::Expr *argument : intrinsic.arguments)
      arguments.push_back(lower(argument));
    llvm::Value *infinity = splat(llvm::ConstantFP::getInfinity(builder_.getDoubleTy()));
    switch (intrinsic.op) {
    case ir::IntrinsicOp::Fabs:
    case ir::IntrinsicOp::Abs: return builder_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, arguments[0]);
    case ir::IntrinsicOp::IsNan: return builder_.CreateFCmpUNO(arguments[0], arguments[0]);
    case ir::IntrinsicOp::IsInf:
      return builder_.CreateFCmpOEQ(builder_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, arguments[0]), infinity);
    case ir::IntrinsicOp::IsFinite:
      return builder_.CreateFCmpONE(builder_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, arguments[0]), infinity);
    default: { // Min/Max, Python's left-to-right rule as in lowerMinMax
      bool isMin = intrinsic.op == ir::IntrinsicOp::Min;
      llvm::Value *current = arguments[0];
      for (size_t index = 1; index < arguments.size(); ++index) {
        llvm::Value *next = arguments[index];
        llvm::Value *replace = isMin ? builder_.CreateFCmpOLT(next, current) : builder_.CreateFCmpOGT(next, current);
        current = builder_.CreateSelect(replace, next, current);
      }
      return current;
    }
    }
  }
  default: break;
  }
  assert(false && "lowerVectorExpr on an expression isVectorizable rejects");
  return nullptr;
}

} // namespace pyvc::backends
