// Expressions: names, literals, operators, comparisons, subscripts, list displays, and the
// conversions Python performs implicitly (bool < int < float), made explicit as Convert nodes.
#include "frontend-py/FunctionLowerer.h"

#include <cmath>
#include <limits>

namespace pyvc::frontend {

namespace {

int rank(const ir::Type &type) { return type.isBool() ? 0 : type.isInt() ? 1 : 2; }

ir::Type joinScalars(const ir::Type &a, const ir::Type &b) { return rank(a) >= rank(b) ? a : b; }

bool binaryOperator(const std::string &op, ir::BinaryOp &result) {
  static const std::pair<const char *, ir::BinaryOp> table[] = {
      {"+", ir::BinaryOp::Add},      {"-", ir::BinaryOp::Sub},       {"*", ir::BinaryOp::Mul},
      {"/", ir::BinaryOp::TrueDiv},  {"//", ir::BinaryOp::FloorDiv}, {"%", ir::BinaryOp::Mod},
      {"**", ir::BinaryOp::Pow},     {"&", ir::BinaryOp::BitAnd},    {"|", ir::BinaryOp::BitOr},
      {"^", ir::BinaryOp::BitXor},   {"<<", ir::BinaryOp::LShift},   {">>", ir::BinaryOp::RShift}};
  for (const auto &[spelling, value] : table)
    if (op == spelling) {
      result = value;
      return true;
    }
  return false;
}

bool compareOperator(const std::string &op, ir::CompareOp &result) {
  static const std::pair<const char *, ir::CompareOp> table[] = {
      {"<", ir::CompareOp::Lt}, {"<=", ir::CompareOp::Le}, {">", ir::CompareOp::Gt},
      {">=", ir::CompareOp::Ge}, {"==", ir::CompareOp::Eq}, {"!=", ir::CompareOp::Ne}};
  for (const auto &[spelling, value] : table)
    if (op == spelling) {
      result = value;
      return true;
    }
  return false;
}

} // namespace

// ---- small builders ---------------------------------------------------------------------------

ir::Expr *FunctionLowerer::intConstant(int64_t value, ir::Span span) {
  ir::ConstantExpr *constant = arena_->make<ir::ConstantExpr>(ir::Type::integer(), span);
  constant->intValue = value;
  return constant;
}

ir::Expr *FunctionLowerer::floatConstant(double value, ir::Span span) {
  ir::ConstantExpr *constant = arena_->make<ir::ConstantExpr>(ir::Type::floating(), span);
  constant->floatValue = value;
  return constant;
}

ir::Expr *FunctionLowerer::boolConstant(bool value, ir::Span span) {
  ir::ConstantExpr *constant = arena_->make<ir::ConstantExpr>(ir::Type::boolean(), span);
  constant->intValue = value ? 1 : 0;
  return constant;
}

ir::Expr *FunctionLowerer::localRef(ir::LocalId id, ir::Span span) {
  return arena_->make<ir::LocalRefExpr>(function_.locals[id].type, span, id);
}

// A placeholder value of a type (used for the unreachable final Return and for inference).
ir::Expr *FunctionLowerer::zeroValue(const ir::Type &type, ir::Span span) {
  if (type.isFloat())
    return floatConstant(0.0, span);
  if (type.isBool())
    return boolConstant(false, span);
  if (type.isList())
    return arena_->make<ir::ListLiteralExpr>(type, span);
  if (type.isTuple()) {
    ir::TupleMakeExpr *tuple = arena_->make<ir::TupleMakeExpr>(type, span);
    for (const ir::Type &member : type.members())
      tuple->members.push_back(zeroValue(member, span));
    return tuple;
  }
  return intConstant(0, span);
}

// Widening conversion of a scalar (bool -> int -> float); identity when the type already matches.
ir::Expr *FunctionLowerer::convert(ir::Expr *expr, const ir::Type &to) {
  if (!expr || expr->type == to)
    return expr;
  assert(expr->type.isScalar() && to.isScalar() && rank(expr->type) < rank(to) && "only widening conversions");
  ir::ConvertOp op = expr->type.isBool() ? (to.isInt() ? ir::ConvertOp::BoolToInt : ir::ConvertOp::BoolToFloat)
                                         : ir::ConvertOp::IntToFloat;
  return arena_->make<ir::ConvertExpr>(to, expr->span, op, expr);
}

ir::Expr *FunctionLowerer::truth(ir::Expr *expr, ir::Span span) {
  if (!expr || expr->type.isBool())
    return expr;
  if (expr->type.isScalar())
    return arena_->make<ir::ConvertExpr>(ir::Type::boolean(), expr->span, ir::ConvertOp::Truth, expr);
  if (expr->type.isList())
    return arena_->make<ir::ConvertExpr>(ir::Type::boolean(), expr->span, ir::ConvertOp::ListTruth, expr);
  report(DiagnosticKind::TupleMisuse, span);
  return nullptr;
}

// Makes `value` fit where `to` is expected (an assignment, an argument, a return): the same
// type, a widened scalar, or an empty `[]` taking the expected list type.
Value FunctionLowerer::coerce(Value value, const ir::Type &to, ir::Span span, const std::string &what) {
  if (!value) {
    if (value.emptyList && to.isList())
      value.expr = arena_->make<ir::ListLiteralExpr>(to, span);
    return value;
  }
  const ir::Type &from = value.type();
  if (from == to)
    return value;
  if (from.isScalar() && to.isScalar()) {
    if (rank(from) <= rank(to)) {
      value.expr = convert(value.expr, to);
      return value;
    }
    std::string help = to.isInt() ? "convert explicitly with `int(...)` (truncates) or `round(...)`"
                                   : "compare explicitly, e.g. `x != 0`";
    report(DiagnosticKind::MismatchedTypes, span, {to.str(), from.str(), what + " is `" + from.str() + "`", help});
    return {};
  }
  if (from.isList() && to.isList()) {
    report(DiagnosticKind::ListElementMismatch, span, {to.element().str(), from.element().str()});
    return {};
  }
  report(DiagnosticKind::MismatchedTypes, span, {to.str(), from.str(), what + " is `" + from.str() + "`", ""});
  return {};
}

// List indices and slice bounds: int, or bool widened to int.
Value FunctionLowerer::coerceIndex(Value value, ir::Span span, const std::string &what) {
  if (!value)
    return value;
  if (value.type().isInt() || value.type().isBool()) {
    value.expr = convert(value.expr, ir::Type::integer());
    return value;
  }
  report(DiagnosticKind::MismatchedTypes, span,
         {"int", value.type().str(), what + " is `" + value.type().str() + "`",
          value.type().isFloat() ? "convert it with `int(...)`" : ""});
  return {};
}

// ---- expressions ----------------------------------------------------------------------------

Value FunctionLowerer::lowerExpr(const AstExpr *node, const ir::Type *hint) {
  Value value = lowerExprOrEmpty(node, hint);
  if (!value && value.emptyList) {
    report(DiagnosticKind::EmptyListType, node->span);
    return {};
  }
  return value;
}

Value FunctionLowerer::lowerExprOrEmpty(const AstExpr *node, const ir::Type *hint) {
  if (!node)
    return {};
  switch (node->kind) {
  case AstExprKind::Name: return lowerName(node);
  case AstExprKind::Integer: return lowerIntegerLiteral(node, false);
  case AstExprKind::Float: return {floatConstant(node->floatValue, node->span)};
  case AstExprKind::Bool: return {boolConstant(node->integerValue != 0, node->span)};
  case AstExprKind::NoneLiteral: report(DiagnosticKind::UnsupportedValue, node->span, {"None", "None value"}); return {};
  case AstExprKind::String: return lowerString(node);
  case AstExprKind::Ellipsis: report(DiagnosticKind::UnsupportedValue, node->span, {"...", "Ellipsis"}); return {};
  case AstExprKind::Unary: return lowerUnary(node);
  case AstExprKind::Binary: return lowerBinary(node, hint);
  case AstExprKind::BoolOp: return lowerBoolOp(node);
  case AstExprKind::Compare: return lowerCompare(node);
  case AstExprKind::IfExp: return lowerIfExp(node, hint);
  case AstExprKind::Call: return lowerCall(node, hint);
  case AstExprKind::Attribute: return lowerAttribute(node);
  case AstExprKind::Subscript: return lowerSubscript(node);
  case AstExprKind::List: return lowerList(node, hint);
  case AstExprKind::ListComp: return lowerGenerator(node, ir::ComprehensionKind::List, hint);
  case AstExprKind::Tuple:
    for (const AstExpr *element : node->children)
      lowerExpr(element);
    report(DiagnosticKind::TupleMisuse, node->span);
    return {};
  case AstExprKind::GeneratorExp:
    report(DiagnosticKind::UnsupportedExpression, node->span,
           {"a generator expression outside sum, min, max, any, all and sorted", "generator expression",
            "generators may be the argument of sum, min, max, any, all or sorted; use a list comprehension `[...]` elsewhere"});
    return {};
  case AstExprKind::Slice:
    report(DiagnosticKind::UnsupportedExpression, node->span, {"a slice outside a subscript", "slice", ""});
    return {};
  case AstExprKind::Starred:
    report(DiagnosticKind::UnsupportedExpression, node->span,
           {"a starred expression (`*x`)", "starred expression", "pass each value separately"});
    return {};
  case AstExprKind::Unsupported: return {}; // reported by the parser
  }
  return {};
}

// A condition: `and`/`or`/`not` work on truth values directly, everything else through Truth.
ir::Expr *FunctionLowerer::lowerCondition(const AstExpr *node) {
  if (node && node->kind == AstExprKind::BoolOp) {
    ir::Expr *result = lowerCondition(node->children[0]);
    for (size_t i = 1; i < node->children.size(); ++i) {
      ir::Expr *next = lowerCondition(node->children[i]);
      if (!result || !next) {
        result = nullptr;
        continue;
      }
      result = arena_->make<ir::LogicalExpr>(ir::Type::boolean(), node->span,
                                             node->op == "and" ? ir::LogicalOp::And : ir::LogicalOp::Or, result, next);
    }
    return result;
  }
  if (node && node->kind == AstExprKind::Unary && node->op == "not") {
    ir::Expr *operand = lowerCondition(node->children[0]);
    return operand ? arena_->make<ir::UnaryExpr>(ir::Type::boolean(), node->span, ir::UnaryOp::Not, operand) : nullptr;
  }
  Value value = lowerExpr(node);
  return value ? truth(value.expr, node->span) : nullptr;
}

Value FunctionLowerer::lowerName(const AstExpr *node) {
  const std::string &name = node->text;
  int id = lookupComprehensionLocal(name);
  if (id >= 0)
    return {localRef(static_cast<ir::LocalId>(id), node->span)};
  if (id == UnboundTarget) {
    report(DiagnosticKind::ComprehensionNameUnbound, node->span, {name});
    return {};
  }
  id = lookupNamedLocal(name);
  if (id >= 0) {
    ir::LocalId local = static_cast<ir::LocalId>(id);
    if (reporting_ && reachable_ && !assigned_[local] && !reportedUnassigned_.count(local)) {
      reportedUnassigned_.insert(local);
      report(DiagnosticKind::PossiblyUnassigned, node->span, {name});
    }
    if (function_.locals[local].type.isNone())
      return {};
    Value value{localRef(local, node->span)};
    value.borrowed = borrowed_[local];
    return value;
  }
  auto constant = scope_.constants.find(name);
  if (constant != scope_.constants.end()) {
    const ConstantValue &folded = constant->second;
    if (folded.type.isFloat())
      return {floatConstant(folded.floatValue, node->span)};
    return {folded.type.isBool() ? boolConstant(folded.intValue != 0, node->span) : intConstant(folded.intValue, node->span)};
  }
  auto imported = scope_.mathImports.find(name);
  if (imported != scope_.mathImports.end()) {
    double value;
    if (lookupMathConstant(imported->second, value))
      return {floatConstant(value, node->span)};
    report(DiagnosticKind::NotAValue, node->span, {name, "functions can only be called"});
    return {};
  }
  if (scope_.functionIndex.count(name)) {
    report(DiagnosticKind::NotAValue, node->span, {name, "functions can only be called"});
    return {};
  }
  if (scope_.mathModuleNames.count(name)) {
    report(DiagnosticKind::NotAValue, node->span, {name, "a module: use `" + name + ".sqrt(...)`, `" + name + ".pi`, ..."});
    return {};
  }
  if (isSupportedBuiltin(name)) {
    report(DiagnosticKind::NotAValue, node->span, {name, "builtins can only be called"});
    return {};
  }
  if (isUnsupportedBuiltin(name)) {
    report(DiagnosticKind::UnsupportedBuiltin, node->span, {name});
    return {};
  }
  report(DiagnosticKind::UnknownName, node->span, {name});
  return {};
}

Value FunctionLowerer::lowerIntegerLiteral(const AstExpr *node, bool negated) {
  uint64_t limit = static_cast<uint64_t>(INT64_MAX) + (negated ? 1 : 0);
  if (node->integerTooLarge || node->integerValue > limit) {
    report(DiagnosticKind::IntegerTooLarge, node->span);
    return {};
  }
  if (negated) // -9223372036854775808 is representable although its magnitude is not
    return {intConstant(static_cast<int64_t>(0 - node->integerValue), node->span)};
  return {intConstant(static_cast<int64_t>(node->integerValue), node->span)};
}

Value FunctionLowerer::lowerString(const AstExpr *node) {
  if (node->op == "f")
    report(DiagnosticKind::UnsupportedExpression, node->span,
           {"an f-string", "f-string", "kernels compute numbers; format them in the caller"});
  else if (node->op == "b")
    report(DiagnosticKind::UnsupportedValue, node->span, {"bytes", "bytes literal"});
  else
    report(DiagnosticKind::StringNotDocstring, node->span);
  return {};
}

Value FunctionLowerer::lowerUnary(const AstExpr *node) {
  const AstExpr *child = node->children[0];
  if (node->op == "~") {
    Value operand = lowerExpr(child);
    if (!operand)
      return {};
    if (!operand.type().isInt() && !operand.type().isBool()) {
      report(DiagnosticKind::OperandTypes, node->span,
             {"unary ~", "`" + operand.type().str() + "`", "`~` needs an int (for a condition, use `not`)"});
      return {};
    }
    return {arena_->make<ir::UnaryExpr>(ir::Type::integer(), node->span, ir::UnaryOp::Invert,
                                        convert(operand.expr, ir::Type::integer()))};
  }
  if (node->op == "not") {
    ir::Expr *operand = lowerCondition(child);
    return {operand ? arena_->make<ir::UnaryExpr>(ir::Type::boolean(), node->span, ir::UnaryOp::Not, operand) : nullptr};
  }
  Value operand = node->op == "-" && child->kind == AstExprKind::Integer ? lowerIntegerLiteral(child, true) : lowerExpr(child);
  if (!operand)
    return {};
  if (node->op == "-" && child->kind == AstExprKind::Integer) {
    operand.expr->span = node->span; // the literal already carries its sign
    return operand;
  }
  if (!operand.type().isScalar()) {
    report(DiagnosticKind::OperandTypes, node->span,
           {"unary " + node->op, "`" + operand.type().str() + "`", "unary `" + node->op + "` needs a number"});
    return {};
  }
  ir::Type type = operand.type().isBool() ? ir::Type::integer() : operand.type();
  return {arena_->make<ir::UnaryExpr>(type, node->span, node->op == "-" ? ir::UnaryOp::Neg : ir::UnaryOp::Pos,
                                      convert(operand.expr, type))};
}

Value FunctionLowerer::lowerBinary(const AstExpr *node, const ir::Type *hint) {
  const std::string &op = node->op;
  ir::BinaryOp ignored;
  if (!binaryOperator(op, ignored)) {
    lowerExpr(node->children[0]);
    lowerExpr(node->children[1]);
    report(DiagnosticKind::UnsupportedExpression, node->span,
           {"matrix multiplication (`@`)", "matrix multiplication", "kernels do arithmetic on numbers"});
    return {};
  }
  // `[v] * n` and `n * [v]`: the list side takes the expected list type, so `[0] * n` can
  // become a list of floats when floats are stored into it later.
  if (op == "*") {
    const AstExpr *left = node->children[0], *right = node->children[1];
    const ir::Type *listHint = hint && hint->isList() ? hint : nullptr;
    if (left->kind == AstExprKind::List || left->kind == AstExprKind::ListComp)
      return repeatList(lowerExprOrEmpty(left, listHint), lowerExpr(right), node->span);
    if (right->kind == AstExprKind::List || right->kind == AstExprKind::ListComp)
      return repeatList(lowerExprOrEmpty(right, listHint), lowerExpr(left), node->span, true);
  }
  Value lhs = lowerExpr(node->children[0]);
  Value rhs = lowerExpr(node->children[1]);
  if (op == "*" && lhs && rhs && (lhs.type().isList() || rhs.type().isList()))
    return lhs.type().isList() ? repeatList(lhs, rhs, node->span) : repeatList(rhs, lhs, node->span, true);
  return binaryValues(op, lhs, rhs, node->span);
}

Value FunctionLowerer::repeatList(Value list, Value count, ir::Span span, bool countFirst) {
  if (!list && list.emptyList)
    return list; // [] * n is still an empty list of unknown type
  if (!list || !count)
    return {};
  if (!list.type().isList() || count.type().isList() || count.type().isTuple()) {
    report(DiagnosticKind::OperandTypes, span,
           {"*", "`" + list.type().str() + "` and `" + count.type().str() + "`", "cannot multiply these"});
    return {};
  }
  Value times = coerceIndex(count, count.expr->span, "the repeat count");
  if (!times)
    return {};
  auto *repeat = arena_->make<ir::ListRepeatExpr>(list.type(), span, list.expr, times.expr);
  repeat->countFirst = countFirst;
  return {repeat};
}

// Arithmetic on two scalars: bools count as ints; an int meeting a float becomes a float.
// `/` of two ints keeps Int operands and gives a Float (correctly rounded, as CPython).
Value FunctionLowerer::binaryValues(const std::string &op, Value lhs, Value rhs, ir::Span span) {
  if (!lhs || !rhs)
    return {};
  ir::BinaryOp binary = ir::BinaryOp::Add;
  bool known = binaryOperator(op, binary);
  assert(known && "binaryValues on a non-arithmetic operator");
  (void)known;
  if (!lhs.type().isScalar() || !rhs.type().isScalar()) {
    std::string label = lhs.type().isList() && rhs.type().isList() && op == "+" ? "list concatenation is not supported in kernels"
                        : lhs.type().isTuple() || rhs.type().isTuple()          ? "tuples can only be returned or unpacked"
                                                                                 : "arithmetic needs numbers";
    report(DiagnosticKind::OperandTypes, span, {op, "`" + lhs.type().str() + "` and `" + rhs.type().str() + "`", label});
    return {};
  }
  if (ir::isBitwise(binary)) {
    // Python: ints only; `& | ^` of two bools is a bool.
    if (lhs.type().isFloat() || rhs.type().isFloat()) {
      report(DiagnosticKind::OperandTypes, span,
             {op, "`" + lhs.type().str() + "` and `" + rhs.type().str() + "`", "bitwise operators need ints"});
      return {};
    }
    bool shift = binary == ir::BinaryOp::LShift || binary == ir::BinaryOp::RShift;
    ir::Type type = lhs.type().isBool() && rhs.type().isBool() && !shift ? ir::Type::boolean() : ir::Type::integer();
    return {arena_->make<ir::BinaryExpr>(type, span, binary, convert(lhs.expr, type), convert(rhs.expr, type))};
  }
  ir::Type operandType = lhs.type().isFloat() || rhs.type().isFloat() ? ir::Type::floating() : ir::Type::integer();
  ir::Type resultType = binary == ir::BinaryOp::TrueDiv ? ir::Type::floating() : operandType;
  return {arena_->make<ir::BinaryExpr>(resultType, span, binary, convert(lhs.expr, operandType),
                                       convert(rhs.expr, operandType))};
}

// `a or b` as a value: Python returns one of the operands, so both take their joined type.
Value FunctionLowerer::lowerBoolOp(const AstExpr *node) {
  std::vector<Value> operands;
  bool ok = true;
  for (const AstExpr *child : node->children) {
    operands.push_back(lowerExpr(child));
    ok = ok && operands.back();
  }
  if (!ok)
    return {};
  ir::Type type = operands[0].type();
  for (const Value &operand : operands) {
    if (!operand.type().isScalar()) {
      report(DiagnosticKind::OperandTypes, node->span,
             {node->op, "`" + operand.type().str() + "`",
              "`and`/`or` on lists is not supported; use `len(xs) > 0` in conditions"});
      return {};
    }
    type = joinScalars(type, operand.type());
  }
  ir::LogicalOp op = node->op == "and" ? ir::LogicalOp::And : ir::LogicalOp::Or;
  ir::Expr *result = convert(operands[0].expr, type);
  for (size_t i = 1; i < operands.size(); ++i)
    result = arena_->make<ir::LogicalExpr>(type, node->span, op, result, convert(operands[i].expr, type));
  return {result};
}

Value FunctionLowerer::lowerCompare(const AstExpr *node) {
  ir::CompareChainExpr *chain = arena_->make<ir::CompareChainExpr>(node->span);
  bool ok = true;
  for (const std::string &op : node->compareOps) {
    ir::CompareOp compare;
    if (compareOperator(op, compare)) {
      chain->ops.push_back(compare);
      continue;
    }
    ok = false;
    bool membership = op == "in" || op == "not in";
    report(DiagnosticKind::UnsupportedExpression, node->span,
           {"the `" + op + "` operator", membership ? "membership test" : "identity comparison",
            membership ? "write the loop: `any(x == v for x in xs)`" : "compare values with `==` or `!=`"});
  }
  for (const AstExpr *child : node->children) {
    Value operand = lowerExpr(child);
    ok = ok && operand;
    chain->operands.push_back(operand.expr);
  }
  if (!ok)
    return {};
  // Only scalars compare; report the first pair that does not, once.
  for (size_t i = 0; i + 1 < chain->operands.size(); ++i) {
    const ir::Type &left = chain->operands[i]->type, &right = chain->operands[i + 1]->type;
    if (left.isScalar() && right.isScalar())
      continue;
    report(DiagnosticKind::OperandTypes, node->span,
           {node->compareOps[i], "`" + left.str() + "` and `" + right.str() + "`",
            "only numbers and bools can be compared in kernels"});
    return {};
  }
  return {chain};
}

Value FunctionLowerer::lowerIfExp(const AstExpr *node, const ir::Type *hint) {
  ir::Expr *condition = lowerCondition(node->children[1]);
  Value ifTrue = lowerExprOrEmpty(node->children[0], hint);
  Value ifFalse = lowerExprOrEmpty(node->children[2], hint);
  if (!ifTrue && ifTrue.emptyList && ifFalse && ifFalse.type().isList())
    ifTrue = coerce(ifTrue, ifFalse.type(), node->children[0]->span, "this branch");
  if (!ifFalse && ifFalse.emptyList && ifTrue && ifTrue.type().isList())
    ifFalse = coerce(ifFalse, ifTrue.type(), node->children[2]->span, "this branch");
  if (!ifTrue && !ifFalse && ifTrue.emptyList && ifFalse.emptyList)
    return ifTrue; // both empty: still an empty list of unknown type
  if (!ifTrue && ifTrue.emptyList)
    report(DiagnosticKind::EmptyListType, node->children[0]->span);
  if (!ifFalse && ifFalse.emptyList)
    report(DiagnosticKind::EmptyListType, node->children[2]->span);
  if (!condition || !ifTrue || !ifFalse)
    return {};
  ir::Type type = ifTrue.type();
  if (ifTrue.type().isScalar() && ifFalse.type().isScalar()) {
    type = joinScalars(ifTrue.type(), ifFalse.type());
  } else if (ifTrue.type().isList() && ifFalse.type().isList()) {
    type = rank(ifTrue.type().element()) >= rank(ifFalse.type().element()) ? ifTrue.type() : ifFalse.type();
    // A literal or comprehension on the narrower side can be built with the wider element
    // type directly (`xs if c else [0]` with xs a list[float]); lower it again with that hint.
    if (ifTrue.type() != type)
      ifTrue = lowerExpr(node->children[0], &type);
    if (ifFalse.type() != type)
      ifFalse = lowerExpr(node->children[2], &type);
    if (!ifTrue || !ifFalse)
      return {};
  } else if (ifTrue.type() != ifFalse.type()) {
    report(DiagnosticKind::MismatchedTypes, node->children[2]->span,
           {ifTrue.type().str(), ifFalse.type().str(), "this branch is `" + ifFalse.type().str() + "`",
            "both branches of a conditional expression need the same kind of value"});
    return {};
  }
  Value first = coerce(ifTrue, type, node->children[0]->span, "this branch");
  Value second = coerce(ifFalse, type, node->children[2]->span, "this branch");
  if (!first || !second)
    return {};
  Value result{arena_->make<ir::SelectExpr>(type, node->span, condition, first.expr, second.expr)};
  result.borrowed = ifTrue.borrowed || ifFalse.borrowed;
  return result;
}

Value FunctionLowerer::lowerSubscript(const AstExpr *node) {
  const AstExpr *indexNode = node->children[1];
  Value base = lowerExpr(node->children[0]);
  if (indexNode->kind == AstExprKind::Slice) {
    const AstExpr *lowerNode = indexNode->children[0], *upperNode = indexNode->children[1];
    if (indexNode->children[2]) {
      report(DiagnosticKind::UnsupportedExpression, indexNode->children[2]->span,
             {"a slice step", "step", "loop with `range(start, stop, step)` and append"});
      return {};
    }
    Value lower = lowerNode ? coerceIndex(lowerExpr(lowerNode), lowerNode->span, "slice bound") : Value{};
    Value upper = upperNode ? coerceIndex(lowerExpr(upperNode), upperNode->span, "slice bound") : Value{};
    if (!base || (lowerNode && !lower) || (upperNode && !upper))
      return {};
    if (!base.type().isList()) {
      report(DiagnosticKind::NotAList, node->children[0]->span, {base.type().str(), "cannot be sliced"});
      return {};
    }
    return {arena_->make<ir::SliceExpr>(base.type(), node->span, base.expr, lower.expr, upper.expr)};
  }
  if (indexNode->kind == AstExprKind::Tuple) {
    report(DiagnosticKind::UnsupportedExpression, indexNode->span,
           {"multi-dimensional indexing", "several indices", "kernels take flat lists: index with `row * width + column`"});
    return {};
  }
  if (base && base.type().isTuple()) {
    // t[k] on a tuple value needs a constant k (negative allowed, as in Python).
    bool negative = indexNode->kind == AstExprKind::Unary && indexNode->op == "-" &&
                    indexNode->children[0]->kind == AstExprKind::Integer;
    const AstExpr *literal = negative ? indexNode->children[0] : indexNode;
    int64_t size = static_cast<int64_t>(base.type().members().size());
    if (literal->kind == AstExprKind::Integer && !literal->integerTooLarge && literal->integerValue < 64) {
      int64_t index = static_cast<int64_t>(literal->integerValue) * (negative ? -1 : 1);
      if (index < 0)
        index += size;
      if (index >= 0 && index < size)
        return {arena_->make<ir::TupleGetExpr>(base.type().members()[static_cast<size_t>(index)], node->span, base.expr,
                                               static_cast<uint32_t>(index))};
    }
    report(DiagnosticKind::TupleMisuse, node->span);
    return {};
  }
  Value index = coerceIndex(lowerExpr(indexNode), indexNode->span, "list index");
  if (!base || !index)
    return {};
  if (!base.type().isList()) {
    report(DiagnosticKind::NotAList, node->children[0]->span, {base.type().str(), "cannot be indexed"});
    return {};
  }
  return {arena_->make<ir::IndexExpr>(base.type().element(), node->span, base.expr, index.expr)};
}

// [a, b, c]: the element type joins the elements and the expected element type.
Value FunctionLowerer::lowerList(const AstExpr *node, const ir::Type *hint) {
  ir::Type elementHint = hint && hint->isList() ? hint->element() : ir::Type::none();
  std::vector<Value> elements;
  bool ok = true;
  ir::Type elementType = elementHint;
  for (const AstExpr *child : node->children) {
    Value element = lowerExpr(child, elementHint.isNone() ? nullptr : &elementHint);
    if (element && !element.type().isScalar()) {
      report(DiagnosticKind::UnsupportedValue, child->span, {"nested list", "list element that is not a number or bool"});
      element = {};
    }
    ok = ok && element;
    if (element)
      elementType = elementType.isNone() ? element.type() : joinScalars(elementType, element.type());
    elements.push_back(element);
  }
  if (!ok)
    return {};
  if (elementType.isNone()) {
    Value empty;
    empty.emptyList = true;
    return empty;
  }
  ir::ListLiteralExpr *list = arena_->make<ir::ListLiteralExpr>(ir::Type::list(elementType.kind()), node->span);
  for (const Value &element : elements)
    list->elements.push_back(convert(element.expr, elementType));
  return {list};
}

Value FunctionLowerer::lowerAttribute(const AstExpr *node) {
  const AstExpr *base = node->children[0];
  if (base->kind == AstExprKind::Name && scope_.mathModuleNames.count(base->text) && !isShadowed(base->text)) {
    double value;
    if (lookupMathConstant(node->text, value))
      return {floatConstant(value, node->span)};
    if (isMathFunction(node->text))
      report(DiagnosticKind::NotAValue, node->span, {base->text + "." + node->text, "functions can only be called"});
    else
      report(DiagnosticKind::UnknownMathName, node->span, {node->text});
    return {};
  }
  Value value = lowerExpr(base);
  if (value)
    report(DiagnosticKind::UnsupportedMethod, node->span, {node->text});
  return {};
}

} // namespace pyvc::frontend
