// The IR verifier: a walk over each function that checks node by node what IR.h promises, and
// collects one message per violation instead of stopping at the first.
#include "ir/Verifier.h"

#include "ir/Printer.h"

#include <algorithm>

namespace pyvc::ir {

namespace {

class FunctionVerifier {
public:
  FunctionVerifier(const Module &module, const Function &function,
                   std::vector<std::string> &messages)
      : module_(module), function_(function), messages_(messages) {}

  void run();

private:
  void fail(Span span, const std::string &message) {
    messages_.push_back("function `" + function_.name + "`, line " + std::to_string(span.line) +
                        ": " + message);
  }
  bool validLocal(LocalId id) const { return id < function_.locals.size(); }
  const Type &localType(LocalId id) const { return function_.locals[id].type; }

  // Checks `expr` and its children; returns false (after reporting) when it is null.
  bool expr(const Expr *expr, Span context, bool allowTupleMake = false);
  void expectType(const Expr *expr, const Type &type, const char *what);
  void space(const IterationSpace &space, Span span);
  void block(const Block &block, int loopDepth);
  void stmt(const Stmt &stmt, int loopDepth);
  void binary(const BinaryExpr &binary);
  void convert(const ConvertExpr &convert);
  void intrinsic(const IntrinsicExpr &intrinsic);
  void comprehension(const ComprehensionExpr &comprehension);
  bool blockAlwaysReturns(const Block &block) const;

  const Module &module_;
  const Function &function_;
  std::vector<std::string> &messages_;
};

void FunctionVerifier::expectType(const Expr *node, const Type &type, const char *what) {
  if (node && node->type != type)
    fail(node->span, std::string(what) + " has type " + node->type.str() + ", expected " +
                         type.str());
}

bool FunctionVerifier::expr(const Expr *node, Span context, bool allowTupleMake) {
  if (!node) {
    fail(context, "missing expression (null pointer)");
    return false;
  }
  Span span = node->span;
  switch (node->kind) {
  case ExprKind::Constant:
    if (!node->type.isScalar())
      fail(span, "constant of non-scalar type " + node->type.str());
    if (node->type.isBool() && node->as<ConstantExpr>()->intValue != 0 &&
        node->as<ConstantExpr>()->intValue != 1)
      fail(span, "bool constant other than 0 or 1");
    return true;
  case ExprKind::LocalRef: {
    LocalId id = node->as<LocalRefExpr>()->local;
    if (!validLocal(id))
      fail(span, "local id " + std::to_string(id) + " out of range");
    else
      expectType(node, localType(id), ("reference to `" + function_.locals[id].name + "`").c_str());
    return true;
  }
  case ExprKind::Unary: {
    auto *unary = node->as<UnaryExpr>();
    if (!expr(unary->operand, span))
      return true;
    if (unary->op == UnaryOp::Not) {
      expectType(unary->operand, Type::boolean(), "operand of `not`");
      expectType(node, Type::boolean(), "result of `not`");
    } else if (unary->op == UnaryOp::Invert) {
      expectType(unary->operand, Type::integer(), "operand of `~`");
      expectType(node, Type::integer(), "result of `~`");
    } else {
      if (!unary->operand->type.isNumeric())
        fail(span, "unary minus/plus on " + unary->operand->type.str());
      expectType(node, unary->operand->type, "result of unary minus/plus");
    }
    return true;
  }
  case ExprKind::Binary:
    binary(*node->as<BinaryExpr>());
    return true;
  case ExprKind::CompareChain: {
    auto *chain = node->as<CompareChainExpr>();
    if (chain->operands.size() < 2 || chain->operands.size() != chain->ops.size() + 1)
      fail(span, "comparison chain with " + std::to_string(chain->operands.size()) +
                     " operands and " + std::to_string(chain->ops.size()) + " operators");
    for (const Expr *operand : chain->operands)
      if (expr(operand, span) && !operand->type.isScalar())
        fail(operand->span, "comparison operand of non-scalar type " + operand->type.str());
    expectType(node, Type::boolean(), "comparison result");
    return true;
  }
  case ExprKind::Logical: {
    auto *logical = node->as<LogicalExpr>();
    if (!node->type.isScalar())
      fail(span, "and/or of non-scalar type " + node->type.str());
    if (expr(logical->lhs, span))
      expectType(logical->lhs, node->type, "left operand of and/or");
    if (expr(logical->rhs, span))
      expectType(logical->rhs, node->type, "right operand of and/or");
    return true;
  }
  case ExprKind::Select: {
    auto *select = node->as<SelectExpr>();
    if (expr(select->condition, span))
      expectType(select->condition, Type::boolean(), "condition of a conditional expression");
    if (expr(select->ifTrue, span))
      expectType(select->ifTrue, node->type, "branch of a conditional expression");
    if (expr(select->ifFalse, span))
      expectType(select->ifFalse, node->type, "branch of a conditional expression");
    return true;
  }
  case ExprKind::Convert:
    convert(*node->as<ConvertExpr>());
    return true;
  case ExprKind::Call: {
    auto *call = node->as<CallExpr>();
    for (const Expr *argument : call->arguments)
      expr(argument, span);
    if (call->callee >= module_.functions.size()) {
      fail(span, "callee index " + std::to_string(call->callee) + " out of range");
      return true;
    }
    const Function &callee = module_.functions[call->callee];
    if (call->arguments.size() != callee.parameters.size()) {
      fail(span, "call to `" + callee.name + "` with " + std::to_string(call->arguments.size()) +
                     " arguments, expected " + std::to_string(callee.parameters.size()));
      return true;
    }
    for (size_t i = 0; i < call->arguments.size(); ++i)
      if (callee.parameters[i] < callee.locals.size())
        expectType(call->arguments[i], callee.locals[callee.parameters[i]].type,
                   ("argument " + std::to_string(i + 1) + " of `" + callee.name + "`").c_str());
    expectType(node, callee.returnType, ("result of `" + callee.name + "`").c_str());
    return true;
  }
  case ExprKind::Intrinsic:
    intrinsic(*node->as<IntrinsicExpr>());
    return true;
  case ExprKind::ListLength: {
    auto *length = node->as<ListLengthExpr>();
    if (expr(length->list, span) && !length->list->type.isList())
      fail(span, "len() of non-list type " + length->list->type.str());
    expectType(node, Type::integer(), "len() result");
    return true;
  }
  case ExprKind::Index: {
    auto *index = node->as<IndexExpr>();
    bool listOk = expr(index->list, span);
    if (expr(index->index, span))
      expectType(index->index, Type::integer(), "list index");
    if (!listOk)
      return true;
    if (!index->list->type.isList())
      fail(span, "subscript of non-list type " + index->list->type.str());
    else
      expectType(node, index->list->type.element(), "subscript result");
    return true;
  }
  case ExprKind::Slice: {
    auto *slice = node->as<SliceExpr>();
    if (expr(slice->list, span)) {
      if (!slice->list->type.isList())
        fail(span, "slice of non-list type " + slice->list->type.str());
      expectType(node, slice->list->type, "slice result");
    }
    for (const Expr *bound : {slice->lower, slice->upper})
      if (bound && expr(bound, span))
        expectType(bound, Type::integer(), "slice bound");
    return true;
  }
  case ExprKind::ListLiteral: {
    if (!node->type.isList()) {
      fail(span, "list literal of non-list type " + node->type.str());
      return true;
    }
    for (const Expr *element : node->as<ListLiteralExpr>()->elements)
      if (expr(element, span))
        expectType(element, node->type.element(), "list literal element");
    return true;
  }
  case ExprKind::ListRepeat: {
    auto *repeat = node->as<ListRepeatExpr>();
    if (!node->type.isList())
      fail(span, "list repetition of non-list type " + node->type.str());
    if (expr(repeat->list, span))
      expectType(repeat->list, node->type, "repeated list");
    if (expr(repeat->count, span))
      expectType(repeat->count, Type::integer(), "repeat count");
    return true;
  }
  case ExprKind::Comprehension:
    comprehension(*node->as<ComprehensionExpr>());
    return true;
  case ExprKind::Sorted: {
    auto *sorted = node->as<SortedExpr>();
    if (!node->type.isList())
      fail(span, "sorted() of non-list type " + node->type.str());
    if (expr(sorted->list, span))
      expectType(sorted->list, node->type, "sorted() argument");
    return true;
  }
  case ExprKind::TupleMake: {
    if (!allowTupleMake)
      fail(span, "tuple construction outside a return statement");
    if (!node->type.isTuple()) {
      fail(span, "tuple of non-tuple type " + node->type.str());
      return true;
    }
    auto *make = node->as<TupleMakeExpr>();
    std::vector<Type> members = node->type.members();
    if (make->members.size() != members.size()) {
      fail(span, "tuple with " + std::to_string(make->members.size()) + " members, type has " +
                     std::to_string(members.size()));
      return true;
    }
    for (size_t i = 0; i < members.size(); ++i)
      if (expr(make->members[i], span))
        expectType(make->members[i], members[i], "tuple member");
    return true;
  }
  case ExprKind::TupleGet: {
    auto *get = node->as<TupleGetExpr>();
    if (!expr(get->tuple, span))
      return true;
    if (!get->tuple->is<CallExpr>() && !get->tuple->is<LocalRefExpr>())
      fail(span, "tuple member taken from something other than a call or a local");
    if (!get->tuple->type.isTuple()) {
      fail(span, "tuple member of non-tuple type " + get->tuple->type.str());
      return true;
    }
    std::vector<Type> members = get->tuple->type.members();
    if (get->member >= members.size()) {
      fail(span, "tuple member " + std::to_string(get->member) + " out of range for " +
                     get->tuple->type.str());
      return true;
    }
    expectType(node, members[get->member], "tuple member");
    return true;
  }
  }
  fail(span, "unknown expression kind " + std::to_string(static_cast<int>(node->kind)));
  return true;
}

void FunctionVerifier::binary(const BinaryExpr &binary) {
  bool lhsOk = expr(binary.lhs, binary.span);
  bool rhsOk = expr(binary.rhs, binary.span);
  if (!lhsOk || !rhsOk)
    return;
  const Type &operandType = binary.lhs->type;
  bool boolBitwise = operandType.isBool() && (binary.op == BinaryOp::BitAnd || binary.op == BinaryOp::BitOr ||
                                              binary.op == BinaryOp::BitXor);
  if (isBitwise(binary.op) && !operandType.isInt() && !boolBitwise)
    fail(binary.span, std::string("operator ") + binaryOpSymbol(binary.op) + " on " + operandType.str());
  else if (!operandType.isNumeric() && !boolBitwise)
    fail(binary.span, std::string("operator ") + binaryOpSymbol(binary.op) + " on " +
                          operandType.str());
  if (binary.rhs->type != operandType)
    fail(binary.span, std::string("operands of ") + binaryOpSymbol(binary.op) +
                          " have different types (" + operandType.str() + ", " +
                          binary.rhs->type.str() + ")");
  expectType(&binary, binary.op == BinaryOp::TrueDiv ? Type::floating() : operandType,
             "arithmetic result");
  bool checkedOp = binary.op == BinaryOp::Add || binary.op == BinaryOp::Sub || binary.op == BinaryOp::Mul;
  if (binary.provenNoOverflow && !(operandType.isInt() && checkedOp))
    fail(binary.span, std::string("nooverflow on ") + binaryOpSymbol(binary.op) + " of " +
                          operandType.str() + " (only int +, - and * have an overflow check)");
}

void FunctionVerifier::convert(const ConvertExpr &convert) {
  if (!expr(convert.operand, convert.span))
    return;
  Type from, to;
  switch (convert.op) {
  case ConvertOp::BoolToInt: from = Type::boolean(), to = Type::integer(); break;
  case ConvertOp::BoolToFloat: from = Type::boolean(), to = Type::floating(); break;
  case ConvertOp::IntToFloat: from = Type::integer(), to = Type::floating(); break;
  case ConvertOp::FloatToInt: from = Type::floating(), to = Type::integer(); break;
  case ConvertOp::Truth:
    if (!convert.operand->type.isScalar())
      fail(convert.span, "truth of non-scalar type " + convert.operand->type.str());
    expectType(&convert, Type::boolean(), "truth result");
    return;
  case ConvertOp::ListTruth:
    if (!convert.operand->type.isList())
      fail(convert.span, "list truth of non-list type " + convert.operand->type.str());
    expectType(&convert, Type::boolean(), "list truth result");
    return;
  }
  expectType(convert.operand, from, "conversion operand");
  expectType(&convert, to, "conversion result");
}

void FunctionVerifier::intrinsic(const IntrinsicExpr &intrinsic) {
  for (const Expr *argument : intrinsic.arguments)
    if (!expr(argument, intrinsic.span))
      return;
  const auto &arguments = intrinsic.arguments;
  auto expectArity = [&](size_t count) {
    if (arguments.size() == count)
      return true;
    fail(intrinsic.span, std::string(intrinsicName(intrinsic.op)) + " with " +
                             std::to_string(arguments.size()) + " arguments, expected " +
                             std::to_string(count));
    return false;
  };
  auto expectAll = [&](const Type &type) {
    for (const Expr *argument : arguments)
      expectType(argument, type, (std::string("argument of ") + intrinsicName(intrinsic.op)).c_str());
  };
  switch (intrinsic.op) {
  case IntrinsicOp::Sqrt: case IntrinsicOp::Exp: case IntrinsicOp::Log: case IntrinsicOp::Log2:
  case IntrinsicOp::Log10: case IntrinsicOp::Sin: case IntrinsicOp::Cos: case IntrinsicOp::Tan:
  case IntrinsicOp::Fabs:
    if (expectArity(1))
      expectAll(Type::floating());
    return expectType(&intrinsic, Type::floating(), "math result");
  case IntrinsicOp::LogBase: case IntrinsicOp::Atan2: case IntrinsicOp::Hypot:
  case IntrinsicOp::MathPow:
    if (expectArity(2))
      expectAll(Type::floating());
    return expectType(&intrinsic, Type::floating(), "math result");
  case IntrinsicOp::Floor: case IntrinsicOp::Ceil:
    if (expectArity(1))
      expectAll(Type::floating());
    return expectType(&intrinsic, Type::integer(), "floor/ceil result");
  case IntrinsicOp::IsNan: case IntrinsicOp::IsInf: case IntrinsicOp::IsFinite:
    if (expectArity(1))
      expectAll(Type::floating());
    return expectType(&intrinsic, Type::boolean(), "isnan/isinf/isfinite result");
  case IntrinsicOp::Abs:
    if (expectArity(1) && !arguments[0]->type.isNumeric())
      fail(intrinsic.span, "abs() of " + arguments[0]->type.str());
    if (!arguments.empty())
      expectType(&intrinsic, arguments[0]->type, "abs() result");
    return;
  case IntrinsicOp::Min: case IntrinsicOp::Max:
    if (arguments.size() < 2)
      fail(intrinsic.span, "scalar min/max with fewer than 2 arguments");
    if (!intrinsic.type.isNumeric())
      fail(intrinsic.span, "min/max of " + intrinsic.type.str());
    expectAll(intrinsic.type);
    return;
  case IntrinsicOp::Round:
    if (expectArity(1) && !arguments[0]->type.isNumeric())
      fail(intrinsic.span, "round() of " + arguments[0]->type.str());
    return expectType(&intrinsic, Type::integer(), "round() result");
  }
  fail(intrinsic.span, "unknown intrinsic " + std::to_string(static_cast<int>(intrinsic.op)));
}

void FunctionVerifier::space(const IterationSpace &space, Span span) {
  std::vector<Type> targetTypes;
  if (space.kind == IterationSpace::Kind::Range) {
    for (const Expr *bound : {space.start, space.stop, space.step})
      if (expr(bound, span))
        expectType(bound, Type::integer(), "range bound");
    if (!space.lists.empty())
      fail(span, "range iteration with lists");
    targetTypes.push_back(Type::integer());
  } else {
    if (space.lists.empty())
      fail(span, "iteration over no list");
    if (space.withIndex) {
      if (expr(space.indexStart, span))
        expectType(space.indexStart, Type::integer(), "enumerate start");
      targetTypes.push_back(Type::integer());
    } else if (space.indexStart) {
      fail(span, "enumerate start without enumerate");
    }
    for (const Expr *list : space.lists) {
      if (!expr(list, span))
        continue;
      if (!list->type.isList())
        fail(list->span, "iteration over non-list type " + list->type.str());
      else
        targetTypes.push_back(list->type.element());
    }
  }
  if (space.targets.size() != targetTypes.size()) {
    fail(span, "loop with " + std::to_string(space.targets.size()) + " targets, expected " +
                   std::to_string(targetTypes.size()));
    return;
  }
  for (size_t i = 0; i < targetTypes.size(); ++i) {
    LocalId target = space.targets[i];
    if (!validLocal(target))
      fail(span, "loop target id " + std::to_string(target) + " out of range");
    else if (localType(target) != targetTypes[i])
      fail(span, "loop target `" + function_.locals[target].name + "` has type " +
                     localType(target).str() + ", expected " + targetTypes[i].str());
  }
}

void FunctionVerifier::comprehension(const ComprehensionExpr &comprehension) {
  Span span = comprehension.span;
  if (comprehension.generators.empty())
    fail(span, "comprehension without a generator");
  for (const Generator &generator : comprehension.generators) {
    space(generator.space, span);
    for (const Expr *condition : generator.conditions)
      if (expr(condition, span))
        expectType(condition, Type::boolean(), "comprehension filter");
  }
  if (!expr(comprehension.element, span))
    return;
  const Type &element = comprehension.element->type;
  bool isSum = comprehension.comprehensionKind == ComprehensionKind::Sum;
  switch (comprehension.comprehensionKind) {
  case ComprehensionKind::List:
    if (!element.isScalar())
      fail(span, "list comprehension of non-scalar elements " + element.str());
    else
      expectType(&comprehension, Type::list(element.kind()), "list comprehension");
    break;
  case ComprehensionKind::Sum:
    if (!comprehension.type.isNumeric())
      fail(span, "sum() of type " + comprehension.type.str());
    expectType(comprehension.element, comprehension.type, "sum() element");
    if (!comprehension.start)
      fail(span, "sum() without a start value");
    else if (expr(comprehension.start, span))
      expectType(comprehension.start, comprehension.type, "sum() start");
    break;
  case ComprehensionKind::Min:
  case ComprehensionKind::Max:
    if (!comprehension.type.isScalar())
      fail(span, "min/max of type " + comprehension.type.str());
    expectType(comprehension.element, comprehension.type, "min/max element");
    break;
  case ComprehensionKind::Any:
  case ComprehensionKind::All:
    expectType(comprehension.element, Type::boolean(), "any/all element");
    expectType(&comprehension, Type::boolean(), "any/all result");
    break;
  }
  if (!isSum && comprehension.start)
    fail(span, "start value on a comprehension that is not a sum");
  if (comprehension.order == ReductionOrder::FixedLanes && !(isSum && comprehension.type.isFloat()))
    fail(span, "fixed-lane order on something other than a float sum");
}

void FunctionVerifier::stmt(const Stmt &node, int loopDepth) {
  Span span = node.span;
  switch (node.kind) {
  case StmtKind::Assign: {
    auto *assign = node.as<AssignStmt>();
    bool valueOk = expr(assign->value, span);
    if (!validLocal(assign->target))
      fail(span, "assignment to local id " + std::to_string(assign->target) + " out of range");
    else if (valueOk)
      expectType(assign->value, localType(assign->target),
                 ("value assigned to `" + function_.locals[assign->target].name + "`").c_str());
    return;
  }
  case StmtKind::StoreIndex:
  case StmtKind::Append: {
    LocalId list = node.is<AppendStmt>() ? node.as<AppendStmt>()->list : node.as<StoreIndexStmt>()->list;
    const Expr *value = node.is<AppendStmt>() ? node.as<AppendStmt>()->value : node.as<StoreIndexStmt>()->value;
    if (auto *store = node.as<StoreIndexStmt>(); store && expr(store->index, span))
      expectType(store->index, Type::integer(), "list index");
    bool valueOk = expr(value, span);
    if (!validLocal(list)) {
      fail(span, "list local id " + std::to_string(list) + " out of range");
      return;
    }
    const Local &local = function_.locals[list];
    if (!local.type.isList()) {
      fail(span, "`" + local.name + "` of type " + local.type.str() + " modified as a list");
      return;
    }
    if (local.isParameter)
      fail(span, "parameter `" + local.name + "` modified (parameters are read-only)");
    if (valueOk)
      expectType(value, local.type.element(), "stored element");
    return;
  }
  case StmtKind::If: {
    auto *ifStmt = node.as<IfStmt>();
    if (expr(ifStmt->condition, span))
      expectType(ifStmt->condition, Type::boolean(), "if condition");
    block(ifStmt->thenBody, loopDepth);
    block(ifStmt->elseBody, loopDepth);
    return;
  }
  case StmtKind::While: {
    auto *whileStmt = node.as<WhileStmt>();
    if (expr(whileStmt->condition, span))
      expectType(whileStmt->condition, Type::boolean(), "while condition");
    block(whileStmt->body, loopDepth + 1);
    return;
  }
  case StmtKind::For: {
    auto *forStmt = node.as<ForStmt>();
    space(forStmt->space, span);
    block(forStmt->body, loopDepth + 1);
    return;
  }
  case StmtKind::Break:
  case StmtKind::Continue:
    if (loopDepth == 0)
      fail(span, std::string(node.is<BreakStmt>() ? "break" : "continue") + " outside a loop");
    return;
  case StmtKind::Return: {
    auto *returnStmt = node.as<ReturnStmt>();
    if (!returnStmt->value) {
      if (!function_.returnType.isNone())
        fail(span, "return without a value in a function returning " + function_.returnType.str());
      return;
    }
    if (expr(returnStmt->value, span, /*allowTupleMake=*/true))
      expectType(returnStmt->value, function_.returnType, "returned value");
    return;
  }
  case StmtKind::Raise:
    return;
  }
  fail(span, "unknown statement kind " + std::to_string(static_cast<int>(node.kind)));
}

void FunctionVerifier::block(const Block &body, int loopDepth) {
  for (const Stmt *statement : body) {
    if (!statement) {
      fail(function_.span, "null statement");
      continue;
    }
    stmt(*statement, loopDepth);
  }
}

// True when no path through the loop body leaves the loop by `break` (nested loops own theirs).
bool containsBreakOfThisLoop(const Block &block) {
  for (const Stmt *statement : block) {
    if (!statement)
      continue;
    if (statement->is<BreakStmt>())
      return true;
    if (auto *ifStmt = statement->as<IfStmt>())
      if (containsBreakOfThisLoop(ifStmt->thenBody) || containsBreakOfThisLoop(ifStmt->elseBody))
        return true;
  }
  return false;
}

// A block always returns when a statement in it does: a return, an if whose both branches
// return, or a `while True` that nothing breaks out of.
bool FunctionVerifier::blockAlwaysReturns(const Block &body) const {
  for (const Stmt *statement : body) {
    if (!statement)
      continue;
    if (statement->is<ReturnStmt>() || statement->is<RaiseStmt>())
      return true;
    if (auto *ifStmt = statement->as<IfStmt>())
      if (blockAlwaysReturns(ifStmt->thenBody) && blockAlwaysReturns(ifStmt->elseBody))
        return true;
    if (auto *whileStmt = statement->as<WhileStmt>()) {
      auto *constant = whileStmt->condition ? whileStmt->condition->as<ConstantExpr>() : nullptr;
      if (constant && constant->intValue != 0 && !containsBreakOfThisLoop(whileStmt->body))
        return true;
    }
  }
  return false;
}

void FunctionVerifier::run() {
  const Type &result = function_.returnType;
  if (result.isList() || result.isTuple() || result.isScalar() || result.isNone()) {
  } else {
    fail(function_.span, "invalid return type " + result.str());
  }
  for (size_t i = 0; i < function_.parameters.size(); ++i) {
    LocalId id = function_.parameters[i];
    if (!validLocal(id)) {
      fail(function_.span, "parameter id " + std::to_string(id) + " out of range");
      continue;
    }
    const Local &parameter = function_.locals[id];
    if (!parameter.isParameter)
      fail(function_.span, "parameter `" + parameter.name + "` not marked as a parameter");
    if (!parameter.type.isScalar() && !parameter.type.isList())
      fail(function_.span, "parameter `" + parameter.name + "` of type " + parameter.type.str());
  }
  size_t markedParameters = std::count_if(function_.locals.begin(), function_.locals.end(),
                                          [](const Local &local) { return local.isParameter; });
  if (markedParameters != function_.parameters.size())
    fail(function_.span, "locals marked as parameters do not match the parameter list");
  for (const Local &local : function_.locals)
    if (local.type.isNone())
      fail(local.span, "local `" + local.name + "` has no type");
  block(function_.body, 0);
  if (!result.isNone() && !blockAlwaysReturns(function_.body))
    fail(function_.span, "a path reaches the end of the function without a return");
  const auto &errors = function_.possibleErrors;
  for (size_t i = 1; i < errors.size(); ++i)
    if (!(errors[i - 1] < errors[i]))
      fail(function_.span, "possible errors not sorted and unique");
}

} // namespace

std::vector<std::string> verifyModule(const Module &module) {
  std::vector<std::string> messages;
  for (size_t i = 0; i < module.functions.size(); ++i) {
    for (size_t j = 0; j < i; ++j)
      if (module.functions[j].name == module.functions[i].name)
        messages.push_back("function `" + module.functions[i].name + "` defined twice");
    FunctionVerifier(module, module.functions[i], messages).run();
  }
  return messages;
}

} // namespace pyvc::ir
