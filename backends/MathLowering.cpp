// math.* functions and the scalar builtins abs/min/max/round, with CPython's error rules
// (Modules/mathmodule.c): a NaN result from non-NaN input is a domain error (ValueError), an
// infinite result from finite input a range error (OverflowError) where CPython allows overflow.
#include "backends/FunctionLowering.h"

#include "llvm/IR/Intrinsics.h"

namespace pyvc::backends {

static const char *const DomainError = "math domain error";
static const char *const RangeError = "math range error";

// CPython's math_1: result checks after a libm call.
llvm::Value *FunctionLowering::callMath1(llvm::StringRef name, llvm::Value *x, bool canOverflow) {
  llvm::Value *result = builder_.CreateCall(module_.mathFunction(name, 1), {x});
  llvm::Value *resultNan = builder_.CreateFCmpUNO(result, result);
  llvm::Value *inputNan = builder_.CreateFCmpUNO(x, x);
  raiseIf(builder_.CreateAnd(resultNan, builder_.CreateNot(inputNan)), ir::ErrorKind::Value, DomainError);
  llvm::Value *infinity = llvm::ConstantFP::getInfinity(builder_.getDoubleTy());
  llvm::Value *resultInfinite =
      builder_.CreateFCmpOEQ(builder_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, result), infinity);
  llvm::Value *inputFinite =
      builder_.CreateFCmpONE(builder_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x), infinity);
  raiseIf(builder_.CreateAnd(resultInfinite, inputFinite),
          canOverflow ? ir::ErrorKind::Overflow : ir::ErrorKind::Value,
          canOverflow ? RangeError : DomainError);
  return result;
}

// CPython's loghelper/m_log: zero and negative numbers (including -inf) are domain errors;
// NaN and +inf pass through.
llvm::Value *FunctionLowering::checkedLog(llvm::StringRef name, llvm::Value *x) {
  raiseIf(builder_.CreateFCmpOLE(x, llvm::ConstantFP::get(builder_.getDoubleTy(), 0.0)),
          ir::ErrorKind::Value, DomainError);
  return builder_.CreateCall(module_.mathFunction(name, 1), {x});
}

llvm::Value *FunctionLowering::lowerMinMax(const ir::IntrinsicExpr &expr) {
  // Left to right, replacing the current value only when the next is strictly less (min) or
  // greater (max): min(nan, 1.0) is nan, min(1.0, nan) is 1.0, min(0.0, -0.0) is 0.0.
  bool isMin = expr.op == ir::IntrinsicOp::Min;
  const ir::Type &type = expr.arguments[0]->type;
  llvm::Value *current = lowerExpr(*expr.arguments[0]);
  for (size_t index = 1; index < expr.arguments.size(); ++index) {
    llvm::Value *next = lowerExpr(*expr.arguments[index]);
    llvm::Value *replace;
    if (type.isFloat())
      replace = isMin ? builder_.CreateFCmpOLT(next, current) : builder_.CreateFCmpOGT(next, current);
    else if (type.isBool())
      replace = isMin ? builder_.CreateICmpULT(next, current) : builder_.CreateICmpUGT(next, current);
    else
      replace = isMin ? builder_.CreateICmpSLT(next, current) : builder_.CreateICmpSGT(next, current);
    current = builder_.CreateSelect(replace, next, current);
  }
  return current;
}

llvm::Value *FunctionLowering::lowerIntrinsic(const ir::IntrinsicExpr &expr) {
  if (expr.op == ir::IntrinsicOp::Min || expr.op == ir::IntrinsicOp::Max)
    return lowerMinMax(expr);
  std::vector<llvm::Value *> arguments;
  for (const ir::Expr *argument : expr.arguments)
    arguments.push_back(lowerExpr(*argument));
  llvm::Value *x = arguments[0];
  llvm::Type *doubleType = builder_.getDoubleTy();
  llvm::Value *infinity = llvm::ConstantFP::getInfinity(doubleType);
  auto unary = [&](llvm::Intrinsic::ID id) { return builder_.CreateUnaryIntrinsic(id, x); };
  // floor/ceil/round of an int (or bool) is that int.
  auto integerArgument = [&]() -> llvm::Value * {
    return expr.arguments[0]->type.isBool() ? builder_.CreateZExt(x, builder_.getInt64Ty()) : x;
  };
  switch (expr.op) {
  case ir::IntrinsicOp::Sqrt:
    // sqrt of a negative number (not -0.0, not NaN) is a domain error; llvm.sqrt is exact IEEE.
    raiseIf(builder_.CreateFCmpOLT(x, llvm::ConstantFP::get(doubleType, 0.0)), ir::ErrorKind::Value,
            DomainError);
    return unary(llvm::Intrinsic::sqrt);
  case ir::IntrinsicOp::Exp: return callMath1("exp", x, true);
  case ir::IntrinsicOp::Log: return checkedLog("log", x);
  case ir::IntrinsicOp::Log2: return checkedLog("log2", x);
  case ir::IntrinsicOp::Log10: return checkedLog("log10", x);
  case ir::IntrinsicOp::Sin: return callMath1("sin", x, false);
  case ir::IntrinsicOp::Cos: return callMath1("cos", x, false);
  case ir::IntrinsicOp::Tan: return callMath1("tan", x, false);
  case ir::IntrinsicOp::Fabs: return unary(llvm::Intrinsic::fabs);
  case ir::IntrinsicOp::LogBase: {
    llvm::Value *numerator = checkedLog("log", x);
    llvm::Value *denominator = checkedLog("log", arguments[1]);
    raiseIf(builder_.CreateFCmpOEQ(denominator, llvm::ConstantFP::get(doubleType, 0.0)),
            ir::ErrorKind::ZeroDivision, "float division by zero");
    return builder_.CreateFDiv(numerator, denominator);
  }
  case ir::IntrinsicOp::Atan2:
    return builder_.CreateCall(module_.mathFunction("atan2", 2), {x, arguments[1]});
  case ir::IntrinsicOp::Hypot: {
    // CPython's own algorithm (bit-exact), from the support library, not libm's hypot.
    llvm::FunctionCallee hypot = module_.supportFunction("pyvc_rt_hypot", doubleType, {doubleType, doubleType});
    return builder_.CreateCall(hypot, {x, arguments[1]});
  }
  case ir::IntrinsicOp::MathPow: {
    llvm::Type *pointer = builder_.getPtrTy();
    llvm::FunctionCallee power = module_.supportFunction(
        "pyvc_rt_math_pow", builder_.getInt32Ty(), {doubleType, doubleType, pointer, pointer});
    llvm::AllocaInst *result = entryAlloca(doubleType, "math.pow");
    propagateIfFailed(builder_.CreateCall(power, {x, arguments[1], result, messageOut_}));
    return builder_.CreateLoad(doubleType, result);
  }
  case ir::IntrinsicOp::Floor:
    if (!expr.arguments[0]->type.isFloat())
      return integerArgument();
    return checkedFloatToInt(unary(llvm::Intrinsic::floor));
  case ir::IntrinsicOp::Ceil:
    if (!expr.arguments[0]->type.isFloat())
      return integerArgument();
    return checkedFloatToInt(unary(llvm::Intrinsic::ceil));
  case ir::IntrinsicOp::Round:
    if (!expr.arguments[0]->type.isFloat())
      return integerArgument();
    // Half to even, as CPython's round(): roundeven ignores the dynamic rounding mode.
    return checkedFloatToInt(unary(llvm::Intrinsic::roundeven));
  case ir::IntrinsicOp::IsNan: return builder_.CreateFCmpUNO(x, x);
  case ir::IntrinsicOp::IsInf: return builder_.CreateFCmpOEQ(unary(llvm::Intrinsic::fabs), infinity);
  case ir::IntrinsicOp::IsFinite: return builder_.CreateFCmpONE(unary(llvm::Intrinsic::fabs), infinity);
  case ir::IntrinsicOp::Abs: {
    if (expr.arguments[0]->type.isFloat())
      return unary(llvm::Intrinsic::fabs);
    if (expr.arguments[0]->type.isBool())
      return x;
    raiseIf(builder_.CreateICmpEQ(x, builder_.getInt64(uint64_t(INT64_MIN))), ir::ErrorKind::Overflow,
            "integer overflow");
    llvm::Value *negative = builder_.CreateICmpSLT(x, builder_.getInt64(0));
    return builder_.CreateSelect(negative, builder_.CreateNeg(x), x);
  }
  case ir::IntrinsicOp::Min:
  case ir::IntrinsicOp::Max: break; // handled above
  }
  assert(false && "intrinsic without a lowering");
  return nullptr;
}

} // namespace pyvc::backends
