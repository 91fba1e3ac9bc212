// Possible errors: local rules follow IR.h's semantics section (checked int arithmetic, zero
// divisors, math domain and range errors, index checks not proven away, allocations), then the
// callee sets are merged until nothing changes.
#include "ir/analysis/PossibleErrors.h"

#include "ir/Visit.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace pyvc::ir {

namespace {

using ErrorSet = std::set<ErrorKind>;

bool isNonZeroConstant(const Expr *expr) {
  auto *constant = expr ? expr->as<ConstantExpr>() : nullptr;
  if (!constant)
    return false;
  return expr->type.isFloat() ? constant->floatValue != 0.0 : constant->intValue != 0;
}

std::vector<ErrorKind> errorsOfBinary(const BinaryExpr &binary) {
  using E = ErrorKind;
  bool isInt = binary.lhs && binary.lhs->type.isInt();
  bool safeDivisor = isNonZeroConstant(binary.rhs);
  switch (binary.op) {
  case BinaryOp::Add:
  case BinaryOp::Sub:
  case BinaryOp::Mul:
    return isInt && !binary.provenNoOverflow ? std::vector{E::Overflow} : std::vector<E>{};
  case BinaryOp::TrueDiv:
  case BinaryOp::Mod:
    return safeDivisor ? std::vector<E>{} : std::vector{E::ZeroDivision};
  case BinaryOp::FloorDiv: {
    std::vector<E> errors;
    if (!safeDivisor)
      errors.push_back(E::ZeroDivision);
    auto *divisor = binary.rhs ? binary.rhs->as<ConstantExpr>() : nullptr;
    if (isInt && !(divisor && divisor->intValue != -1)) // INT64_MIN // -1
      errors.push_back(E::Overflow);
    return errors;
  }
  case BinaryOp::BitAnd:
  case BinaryOp::BitOr:
  case BinaryOp::BitXor: return {};
  case BinaryOp::LShift:
  case BinaryOp::RShift: {
    // A negative count raises ValueError; only a left shift can leave 64 bits.
    auto *count = binary.rhs ? binary.rhs->as<ConstantExpr>() : nullptr;
    std::vector<E> errors;
    if (!count || count->intValue < 0)
      errors.push_back(E::Value);
    if (binary.op == BinaryOp::LShift)
      errors.push_back(E::Overflow);
    return errors;
  }
  case BinaryOp::Pow: {
    if (isInt)
      return {E::Value, E::Overflow};
    // A constant exponent narrows float_pow's errors: 0.0 ** c raises ZeroDivisionError only for
    // c < 0, a negative base ValueError only for a non-integer c, and |c| <= 1 cannot overflow.
    auto *exponent = binary.rhs ? binary.rhs->as<ConstantExpr>() : nullptr;
    if (!exponent || !binary.rhs->type.isFloat())
      return {E::ZeroDivision, E::Value, E::Overflow};
    double c = exponent->floatValue;
    std::vector<E> errors;
    if (c < 0)
      errors.push_back(E::ZeroDivision);
    if (c != std::floor(c))
      errors.push_back(E::Value);
    if (!(std::fabs(c) <= 1))
      errors.push_back(E::Overflow);
    return errors;
  }
  }
  return {};
}

std::vector<ErrorKind> errorsOfIntrinsic(const IntrinsicExpr &intrinsic) {
  using E = ErrorKind;
  bool intArgument = !intrinsic.arguments.empty() && intrinsic.arguments[0] &&
                     intrinsic.arguments[0]->type.isInt();
  switch (intrinsic.op) {
  case IntrinsicOp::Sqrt: case IntrinsicOp::Log: case IntrinsicOp::Log2: case IntrinsicOp::Log10:
  case IntrinsicOp::Sin: case IntrinsicOp::Cos: case IntrinsicOp::Tan:
    return {E::Value};
  case IntrinsicOp::LogBase: // math.log(x, 1.0) divides by log(1.0) == 0
    return {E::ZeroDivision, E::Value};
  case IntrinsicOp::Exp:
    return {E::Overflow};
  case IntrinsicOp::MathPow: case IntrinsicOp::Floor: case IntrinsicOp::Ceil:
    return {E::Value, E::Overflow};
  case IntrinsicOp::Round:
    return intArgument ? std::vector<E>{} : std::vector{E::Value, E::Overflow};
  case IntrinsicOp::Abs:
    return intArgument ? std::vector{E::Overflow} : std::vector<E>{};
  case IntrinsicOp::Fabs: case IntrinsicOp::Atan2: case IntrinsicOp::Hypot:
  case IntrinsicOp::IsNan: case IntrinsicOp::IsInf: case IntrinsicOp::IsFinite:
  case IntrinsicOp::Min: case IntrinsicOp::Max:
    return {};
  }
  return {};
}

// range() raises ValueError for a zero step; a constant non-zero step cannot.
void addSpaceErrors(const IterationSpace &space, std::vector<ErrorKind> &errors) {
  if (space.kind == IterationSpace::Kind::Range && !isNonZeroConstant(space.step))
    errors.push_back(ErrorKind::Value);
}

} // namespace

std::vector<ErrorKind> errorsOfExpr(const Expr &expr) {
  using E = ErrorKind;
  switch (expr.kind) {
  case ExprKind::Unary: {
    auto &unary = static_cast<const UnaryExpr &>(expr);
    return unary.op == UnaryOp::Neg && expr.type.isInt() ? std::vector{E::Overflow}
                                                          : std::vector<E>{};
  }
  case ExprKind::Binary:
    return errorsOfBinary(static_cast<const BinaryExpr &>(expr));
  case ExprKind::Convert:
    return static_cast<const ConvertExpr &>(expr).op == ConvertOp::FloatToInt
               ? std::vector{E::Value, E::Overflow}
               : std::vector<E>{};
  case ExprKind::Intrinsic:
    return errorsOfIntrinsic(static_cast<const IntrinsicExpr &>(expr));
  case ExprKind::Index:
    return static_cast<const IndexExpr &>(expr).provenInBounds ? std::vector<E>{}
                                                               : std::vector{E::Index};
  case ExprKind::Slice:
  case ExprKind::ListLiteral:
  case ExprKind::ListRepeat:
  case ExprKind::Sorted: // CPython's sort: NaN sorts as CPython sorts it; only the copy can fail
    return {E::Memory};
  case ExprKind::Comprehension: {
    auto &comprehension = static_cast<const ComprehensionExpr &>(expr);
    std::vector<E> errors;
    for (const Generator &generator : comprehension.generators)
      addSpaceErrors(generator.space, errors);
    switch (comprehension.comprehensionKind) {
    case ComprehensionKind::List: errors.push_back(E::Memory); break;
    case ComprehensionKind::Sum:
      if (expr.type.isInt())
        errors.push_back(E::Overflow);
      break;
    case ComprehensionKind::Min:
    case ComprehensionKind::Max: errors.push_back(E::Value); break;
    case ComprehensionKind::Any:
    case ComprehensionKind::All: break;
    }
    return errors;
  }
  case ExprKind::Call: // the callee's errors are merged by computePossibleErrors
  default:
    return {};
  }
}

std::vector<ErrorKind> errorsOfStmt(const Stmt &stmt) {
  std::vector<ErrorKind> errors;
  if (auto *store = stmt.as<StoreIndexStmt>(); store && !store->provenInBounds)
    errors.push_back(ErrorKind::Index);
  if (stmt.is<AppendStmt>())
    errors.push_back(ErrorKind::Memory);
  if (auto *raise = stmt.as<RaiseStmt>())
    errors.push_back(raise->error);
  if (auto *forStmt = stmt.as<ForStmt>())
    addSpaceErrors(forStmt->space, errors);
  return errors;
}

void computePossibleErrors(Module &module) {
  size_t count = module.functions.size();
  std::vector<ErrorSet> local(count);
  std::vector<std::set<uint32_t>> callees(count);
  for (size_t i = 0; i < count; ++i) {
    walkBlock(
        module.functions[i].body,
        [&](const Stmt &stmt) {
          for (ErrorKind error : errorsOfStmt(stmt))
            local[i].insert(error);
        },
        [&](const Expr &expr) {
          for (ErrorKind error : errorsOfExpr(expr))
            local[i].insert(error);
          if (auto *call = expr.as<CallExpr>(); call && call->callee < count)
            callees[i].insert(call->callee);
        });
  }

  // Functions on a call cycle can exceed the recursion limit. reaches[i] = callees reachable.
  std::vector<std::set<uint32_t>> reaches = callees;
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < count; ++i)
      for (uint32_t callee : std::set<uint32_t>(reaches[i]))
        for (uint32_t next : reaches[callee])
          changed |= reaches[i].insert(next).second;
  }
  for (size_t i = 0; i < count; ++i)
    if (reaches[i].count(static_cast<uint32_t>(i)))
      local[i].insert(ErrorKind::Recursion);

  // Merge the callees' sets until a fixpoint: the sets only grow and are bounded.
  std::vector<ErrorSet> total = local;
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < count; ++i)
      for (uint32_t callee : callees[i])
        for (ErrorKind error : total[callee])
          changed |= total[i].insert(error).second;
  }
  for (size_t i = 0; i < count; ++i)
    module.functions[i].possibleErrors.assign(total[i].begin(), total[i].end());
}

} // namespace pyvc::ir
