// Function bodies: the inference passes, locals, and the lowering of statements with the flow
// checks (definite assignment, reachability, missing return).
#include "frontend-py/FunctionLowerer.h"
#include "ir/Printer.h"

#include <algorithm>
#include <optional>
#include <sstream>

namespace pyvc::frontend {

namespace {

// Inference passes stop once nothing changes; the lattice is short (none < bool < int < float,
// per local), so this bound is only a guard against a bug oscillating forever.
constexpr int MaxInferencePasses = 64;

bool isDocstring(const AstStmt *statement) {
  return statement->kind == AstStmtKind::ExprStmt && statement->value &&
         statement->value->kind == AstExprKind::String && statement->value->op.empty();
}

bool isConstantTrue(const AstExpr *test) {
  return test && ((test->kind == AstExprKind::Bool && test->integerValue) ||
                  (test->kind == AstExprKind::Integer && test->integerValue != 0));
}

int rank(const ir::Type &type) { return type.isBool() ? 0 : type.isInt() ? 1 : 2; }

std::string countText(size_t count, const char *noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// Joins two inferred types; false when they cannot share a local.
bool joinTypes(const ir::Type &a, const ir::Type &b, ir::Type &joined) {
  if (a.isNone()) {
    joined = b;
    return true;
  }
  if (b.isNone() || a == b) {
    joined = a;
    return true;
  }
  if (a.isScalar() && b.isScalar()) {
    joined = rank(a) >= rank(b) ? a : b;
    return true;
  }
  if (a.isList() && b.isList()) {
    joined = rank(a.element()) >= rank(b.element()) ? a : b;
    return true;
  }
  return false;
}

} // namespace

std::string cleanDocstring(const std::string &text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);)
    lines.push_back(line);
  size_t indent = std::string::npos;
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t first = lines[i].find_first_not_of(" \t");
    if (first != std::string::npos)
      indent = std::min(indent, first);
  }
  std::string result;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string line = lines[i];
    if (i == 0)
      line.erase(0, std::min(line.size(), line.find_first_not_of(" \t")));
    else if (indent != std::string::npos)
      line.erase(0, std::min(indent, line.size()));
    result += (i ? "\n" : "") + line;
  }
  size_t begin = result.find_first_not_of(" \t\n");
  size_t end = result.find_last_not_of(" \t\n");
  return begin == std::string::npos ? "" : result.substr(begin, end - begin + 1);
}

FunctionLowerer::FunctionLowerer(ModuleScope &scope, uint32_t functionIndex)
    : scope_(scope), functionIndex_(functionIndex), definition_(*scope.functionDefinitions[functionIndex]),
      function_(scope.module.functions[functionIndex]) {}

void FunctionLowerer::run() {
  // Parameters were declared by the module pass; they come first and keep their types.
  for (const ir::Local &parameter : function_.locals) {
    named_[parameter.name] = static_cast<ir::LocalId>(namedLocals_.size());
    namedLocals_.push_back(parameter);
    fixedType_.push_back(true);
    borrowed_.push_back(parameter.type.isList());
  }
  collectNamedLocals(definition_.body);
  namedCount_ = static_cast<uint32_t>(namedLocals_.size());
  if (!definition_.body.empty() && isDocstring(definition_.body.front()))
    function_.docstring = cleanDocstring(definition_.body.front()->value->text);

  for (int pass = 0; pass < MaxInferencePasses; ++pass) {
    ir::Module scratch;
    changed_ = false;
    runPass(false, scratch);
    for (uint32_t id = 0; id < namedCount_; ++id)
      namedLocals_[id].type = function_.locals[id].type;
    if (!changed_)
      break;
  }
  runPass(true, scope_.module);
  for (uint32_t id = 0; id < namedCount_; ++id)
    if (function_.locals[id].type.isNone())
      function_.locals[id].type = ir::Type::integer(); // never assigned a typed value: an error says why
}

void FunctionLowerer::runPass(bool reporting, ir::Module &arena) {
  reporting_ = reporting;
  arena_ = &arena;
  function_.locals.assign(namedLocals_.begin(), namedLocals_.end());
  function_.body.clear();
  temporaryCounter_ = 0;
  comprehensionScopes_.clear();
  assigned_.assign(namedCount_, false);
  for (ir::LocalId parameter : function_.parameters)
    assigned_[parameter] = true;
  reachable_ = true;
  loops_.clear();
  reportedUnassigned_.clear();

  const AstBlock &body = definition_.body;
  AstBlock statements(body.begin() + (!body.empty() && isDocstring(body.front()) ? 1 : 0), body.end());
  lowerBlock(statements, function_.body);
  if (reachable_) {
    report(DiagnosticKind::MissingReturn, function_.span, {function_.name});
  } else if (function_.body.empty() || !function_.body.back()->is<ir::ReturnStmt>()) {
    appendUnreachableReturn(function_.body);
  }
}

namespace {
// True when the block ends in a Return or Raise on every path through its last statement.
bool leavesOnEveryPath(const ir::Block &block) {
  if (block.empty())
    return false;
  const ir::Stmt *last = block.back();
  if (last->is<ir::ReturnStmt>() || last->is<ir::RaiseStmt>())
    return true;
  const auto *ifStmt = last->as<ir::IfStmt>();
  return ifStmt && leavesOnEveryPath(ifStmt->thenBody) && leavesOnEveryPath(ifStmt->elseBody);
}
} // namespace

// After a trailing `while True:` loop, an if whose branches all return or raise, or a `raise`,
// the end of the body is unreachable. A final Return there keeps the IR's rule "the body ends
// in a Return" literal, so backends need no special case; it never executes.
void FunctionLowerer::appendUnreachableReturn(ir::Block &body) {
  if (leavesOnEveryPath(body))
    return; // already ends in a Return or Raise on every branch
  body.push_back(arena_->make<ir::ReturnStmt>(function_.span, zeroValue(function_.returnType, function_.span)));
}

void FunctionLowerer::report(DiagnosticKind kind, ir::Span span, const std::vector<std::string> &arguments) {
  if (!reporting_)
    return;
  // After a syntax error dropped a statement of this function, these would mostly be echoes
  // of the missing statement (the assignment of a name, a return).
  bool echo = kind == DiagnosticKind::UnknownName || kind == DiagnosticKind::PossiblyUnassigned ||
              kind == DiagnosticKind::MissingReturn;
  if (echo && definition_.recovered)
    return;
  scope_.diags.report(kind, span, arguments);
}

// Python's scoping rule: a name assigned anywhere in the function is local to all of it.
void FunctionLowerer::collectNamedLocals(const AstBlock &block) {
  for (const AstStmt *statement : block) {
    switch (statement->kind) {
    case AstStmtKind::Assign:
    case AstStmtKind::AugAssign:
    case AstStmtKind::For:
      for (const AstExpr *target : statement->targets)
        collectTargetNames(target, statement->span);
      break;
    case AstStmtKind::AnnAssign:
      collectTargetNames(statement->targets[0], statement->span);
      break;
    default: break;
    }
    collectNamedLocals(statement->body);
    collectNamedLocals(statement->orElse);
  }
}

void FunctionLowerer::collectTargetNames(const AstExpr *target, ir::Span span) {
  if (!target)
    return;
  if (target->kind == AstExprKind::Name)
    addNamedLocal(target->text, target->span);
  else if (target->kind == AstExprKind::Tuple || target->kind == AstExprKind::List)
    for (const AstExpr *element : target->children)
      collectTargetNames(element, span);
  else if (target->kind == AstExprKind::Starred)
    collectTargetNames(target->children[0], span);
}

void FunctionLowerer::addNamedLocal(const std::string &name, ir::Span span) {
  if (named_.count(name))
    return;
  named_[name] = static_cast<ir::LocalId>(namedLocals_.size());
  ir::Local local;
  local.name = name;
  local.type = ir::Type::none();
  local.span = span;
  namedLocals_.push_back(local);
  fixedType_.push_back(false);
  borrowed_.push_back(false);
}

ir::LocalId FunctionLowerer::newTemporary(const std::string &purpose, const ir::Type &type, ir::Span span) {
  ir::Local local;
  local.name = "$" + purpose + std::to_string(temporaryCounter_++);
  local.type = type;
  local.span = span;
  function_.locals.push_back(local);
  return static_cast<ir::LocalId>(function_.locals.size() - 1);
}

ir::LocalId FunctionLowerer::newComprehensionLocal(const std::string &name, const ir::Type &type, ir::Span span) {
  ir::Local local;
  local.name = name;
  local.type = type;
  local.span = span;
  function_.locals.push_back(local);
  ir::LocalId id = static_cast<ir::LocalId>(function_.locals.size() - 1);
  comprehensionScopes_.back().bound[name] = id;
  comprehensionScopes_.back().unbound.erase(name);
  return id;
}

int FunctionLowerer::lookupNamedLocal(const std::string &name) const {
  auto found = named_.find(name);
  return found == named_.end() ? -1 : static_cast<int>(found->second);
}

int FunctionLowerer::lookupComprehensionLocal(const std::string &name) const {
  for (auto scope = comprehensionScopes_.rbegin(); scope != comprehensionScopes_.rend(); ++scope) {
    auto found = scope->bound.find(name);
    if (found != scope->bound.end())
      return static_cast<int>(found->second);
    if (scope->unbound.count(name))
      return UnboundTarget;
  }
  return -1;
}

// A builtin or module-level name is hidden by a local of the same name.
bool FunctionLowerer::isShadowed(const std::string &name) const {
  return lookupComprehensionLocal(name) >= 0 || lookupNamedLocal(name) >= 0;
}

// Inference: widen a named local to hold `value`. In the final pass types are settled.
void FunctionLowerer::noteAssignment(ir::LocalId id, const Value &value) {
  if (reporting_ || !isNamedLocal(id) || !value)
    return;
  if (value.borrowed && !borrowed_[id]) {
    borrowed_[id] = true;
    changed_ = true;
  }
  if (fixedType_[id])
    return;
  ir::Type &current = function_.locals[id].type;
  ir::Type joined;
  if (joinTypes(current, value.type(), joined) && joined != current) {
    current = joined;
    changed_ = true;
  }
}

// Inference: a value of `elementType` is stored into (or appended to) a local list.
void FunctionLowerer::noteStoredElement(ir::LocalId id, const ir::Type &elementType) {
  if (reporting_ || !isNamedLocal(id) || fixedType_[id] || !elementType.isScalar())
    return;
  ir::Type &current = function_.locals[id].type;
  ir::Type joined;
  if (current.isNone())
    joined = ir::Type::list(elementType.kind());
  else if (!current.isList() || !joinTypes(current, ir::Type::list(elementType.kind()), joined))
    return;
  if (joined != current) {
    current = joined;
    changed_ = true;
  }
}

// Inference: a local still without a type (`out = []`) that is returned or passed where a
// list is expected takes that list type.
void FunctionLowerer::noteExpectedList(const AstExpr *node, const ir::Type &expected) {
  if (reporting_ || !node || node->kind != AstExprKind::Name || !expected.isList() ||
      lookupComprehensionLocal(node->text) >= 0)
    return;
  int id = lookupNamedLocal(node->text);
  if (id < 0 || fixedType_[static_cast<size_t>(id)] || !function_.locals[static_cast<size_t>(id)].type.isNone())
    return;
  function_.locals[static_cast<size_t>(id)].type = expected;
  changed_ = true;
}

// ---- statements ---------------------------------------------------------------------------

void FunctionLowerer::lowerBlock(const AstBlock &block, ir::Block &out) {
  ir::Block unreachable; // statements after return/break/continue: checked, then dropped
  for (const AstStmt *statement : block)
    lowerStatement(*statement, reachable_ ? out : unreachable);
}

void FunctionLowerer::lowerStatement(const AstStmt &statement, ir::Block &out) {
  switch (statement.kind) {
  case AstStmtKind::Assign: return lowerAssign(statement, out);
  case AstStmtKind::AnnAssign: return lowerAnnotatedAssign(statement, out);
  case AstStmtKind::AugAssign: return lowerAugmentedAssign(statement, out);
  case AstStmtKind::ExprStmt: return lowerExpressionStatement(statement, out);
  case AstStmtKind::If: return lowerIf(statement, out);
  case AstStmtKind::While: return lowerWhile(statement, out);
  case AstStmtKind::For: return lowerFor(statement, out);
  case AstStmtKind::Return: return lowerReturn(statement, out);
  case AstStmtKind::Pass: return;
  case AstStmtKind::Assert: return lowerAssert(statement, out);
  case AstStmtKind::Raise: return lowerRaise(statement, out);
  case AstStmtKind::Break:
  case AstStmtKind::Continue: {
    bool isBreak = statement.kind == AstStmtKind::Break;
    if (loops_.empty()) {
      report(DiagnosticKind::BreakOutsideLoop, statement.span, {isBreak ? "break" : "continue"});
      return;
    }
    if (isBreak) {
      LoopState &loop = loops_.back();
      loop.hasBreak = true;
      if (reachable_) {
        if (!loop.breakReachable)
          loop.assignedAtBreak = assigned_;
        for (size_t i = 0; i < assigned_.size(); ++i)
          loop.assignedAtBreak[i] = loop.assignedAtBreak[i] && assigned_[i];
        loop.breakReachable = true;
      }
      if (loop.brokeFlag >= 0)
        out.push_back(arena_->make<ir::AssignStmt>(statement.span, static_cast<ir::LocalId>(loop.brokeFlag),
                                                   boolConstant(true, statement.span)));
      out.push_back(arena_->make<ir::BreakStmt>(statement.span));
    } else {
      out.push_back(arena_->make<ir::ContinueStmt>(statement.span));
    }
    reachable_ = false;
    return;
  }
  case AstStmtKind::FunctionDef:
    report(DiagnosticKind::UnsupportedStatement, statement.span, {"def", "nested function definition"});
    return;
  case AstStmtKind::Import:
  case AstStmtKind::ImportFrom:
    report(DiagnosticKind::UnsupportedStatement, statement.span, {"import", "import inside a function"});
    return;
  case AstStmtKind::Unsupported: return; // reported by the parser
  }
}

ir::Type FunctionLowerer::hintForTarget(const AstExpr *target) const {
  if (target && target->kind == AstExprKind::Name) {
    int id = lookupNamedLocal(target->text);
    if (id >= 0)
      return function_.locals[static_cast<size_t>(id)].type;
  }
  if (target && target->kind == AstExprKind::Subscript && target->children[0]->kind == AstExprKind::Name) {
    int id = lookupNamedLocal(target->children[0]->text);
    if (id >= 0 && function_.locals[static_cast<size_t>(id)].type.isList())
      return function_.locals[static_cast<size_t>(id)].type.element();
  }
  return ir::Type::none();
}

void FunctionLowerer::markTargetsAssigned(const AstExpr *target) {
  if (!target)
    return;
  if (target->kind == AstExprKind::Name) {
    int id = lookupNamedLocal(target->text);
    if (id >= 0)
      assigned_[static_cast<size_t>(id)] = true;
  } else if (target->kind == AstExprKind::Tuple || target->kind == AstExprKind::List) {
    for (const AstExpr *element : target->children)
      markTargetsAssigned(element);
  }
}

// a = b = value: the value is computed once; with several targets it goes through a temporary.
void FunctionLowerer::lowerAssign(const AstStmt &statement, ir::Block &out) {
  if (statement.targets.size() == 1)
    return assignTo(statement.targets[0], statement.value, statement.span, out);
  ir::Type hint = hintForTarget(statement.targets[0]);
  Value value = lowerExpr(statement.value, hint.isNone() ? nullptr : &hint);
  if (!value) {
    for (const AstExpr *target : statement.targets)
      markTargetsAssigned(target);
    return;
  }
  ir::LocalId temporary = newTemporary("chain", value.type(), statement.span);
  out.push_back(arena_->make<ir::AssignStmt>(statement.span, temporary, value.expr));
  for (const AstExpr *target : statement.targets) {
    Value copy = value;
    copy.expr = localRef(temporary, statement.value->span);
    assignValue(target, copy, statement.span, out);
  }
}

// Tuple assignment evaluates the whole right side into temporaries first, so `a, b = b, a`
// swaps: $t0 = b; $t1 = a; a = $t0; b = $t1.
void FunctionLowerer::assignTo(const AstExpr *target, const AstExpr *valueNode, ir::Span span, ir::Block &out) {
  bool unpacking = target->kind == AstExprKind::Tuple || target->kind == AstExprKind::List;
  if (!unpacking) {
    ir::Type hint = hintForTarget(target);
    Value value = lowerExprOrEmpty(valueNode, hint.isNone() ? nullptr : &hint);
    assignValue(target, value, span, out);
    return;
  }
  const std::vector<AstExpr *> &targets = target->children;
  std::vector<Value> values;
  if (valueNode->kind == AstExprKind::Tuple || valueNode->kind == AstExprKind::List) {
    if (valueNode->children.size() != targets.size()) {
      report(DiagnosticKind::UnpackCount, valueNode->span,
             {countText(valueNode->children.size(), "value"), countText(targets.size(), "target")});
      markTargetsAssigned(target);
      return;
    }
    for (size_t i = 0; i < targets.size(); ++i) {
      ir::Type hint = hintForTarget(targets[i]);
      Value value = lowerExprOrEmpty(valueNode->children[i], hint.isNone() ? nullptr : &hint);
      if (value) {
        ir::LocalId temporary = newTemporary("t", value.type(), valueNode->children[i]->span);
        out.push_back(arena_->make<ir::AssignStmt>(valueNode->children[i]->span, temporary, value.expr));
        value.expr = localRef(temporary, valueNode->children[i]->span);
      }
      values.push_back(value);
    }
  } else {
    Value tuple = lowerExpr(valueNode);
    if (!tuple) {
      markTargetsAssigned(target);
      return;
    }
    if (!tuple.type().isTuple()) {
      if (tuple.type().isList())
        report(DiagnosticKind::UnsupportedExpression, valueNode->span,
               {"unpacking a list", "list value", "index the elements: `a, b = xs[0], xs[1]`"});
      else
        report(DiagnosticKind::UnpackCount, valueNode->span, {"1 value", countText(targets.size(), "target")});
      markTargetsAssigned(target);
      return;
    }
    std::vector<ir::Type> members = tuple.type().members();
    if (members.size() != targets.size()) {
      report(DiagnosticKind::UnpackCount, valueNode->span,
             {countText(members.size(), "value"), countText(targets.size(), "target")});
      markTargetsAssigned(target);
      return;
    }
    ir::LocalId temporary = newTemporary("tuple", tuple.type(), valueNode->span);
    out.push_back(arena_->make<ir::AssignStmt>(valueNode->span, temporary, tuple.expr));
    for (size_t i = 0; i < members.size(); ++i) {
      Value member;
      member.expr = arena_->make<ir::TupleGetExpr>(members[i], valueNode->span, localRef(temporary, valueNode->span),
                                                   static_cast<uint32_t>(i));
      values.push_back(member);
    }
  }
  for (size_t i = 0; i < targets.size(); ++i)
    assignValue(targets[i], values[i], span, out);
}

void FunctionLowerer::assignValue(const AstExpr *target, Value value, ir::Span span, ir::Block &out) {
  switch (target->kind) {
  case AstExprKind::Name: {
    ir::LocalId id = static_cast<ir::LocalId>(lookupNamedLocal(target->text));
    noteAssignment(id, value);
    assigned_[id] = true;
    const ir::Type type = function_.locals[id].type;
    if (!value && value.emptyList && type.isNone()) {
      report(DiagnosticKind::EmptyListType, span);
      return;
    }
    if (!value && !value.emptyList)
      return;
    if (type.isNone())
      return; // inference: not typed yet
    if (value && value.type() != type && !(value.type().isScalar() && type.isScalar() && rank(value.type()) <= rank(type)) &&
        !(value.type().isList() && type.isList())) {
      report(DiagnosticKind::ConflictingLocalType, span, {target->text, type.str(), value.type().str()});
      return;
    }
    Value converted = coerce(value, type, span, "`" + target->text + "`");
    if (!converted)
      return;
    out.push_back(arena_->make<ir::AssignStmt>(span, id, converted.expr));
    return;
  }
  case AstExprKind::Subscript: return storeElement(target, value, span, out);
  case AstExprKind::Starred:
    report(DiagnosticKind::UnsupportedExpression, target->span,
           {"a starred assignment target", "starred target", "unpack into a fixed number of names"});
    return;
  case AstExprKind::Tuple:
  case AstExprKind::List:
    report(DiagnosticKind::InvalidAssignTarget, target->span, {"a nested tuple"});
    markTargetsAssigned(target);
    return;
  case AstExprKind::Attribute: report(DiagnosticKind::InvalidAssignTarget, target->span, {"an attribute"}); return;
  case AstExprKind::Call: report(DiagnosticKind::InvalidAssignTarget, target->span, {"a function call"}); return;
  default: report(DiagnosticKind::InvalidAssignTarget, target->span, {"an expression"}); return;
  }
}

// The local list behind `xs[...] = ...`, `xs[...] += ...` or `xs.append(...)`, or -1 after a
// diagnostic: it must be a function local that is not (and does not alias) a parameter.
int FunctionLowerer::mutableListLocal(const AstExpr *base, ir::Span span) {
  if (base->kind != AstExprKind::Name) {
    report(DiagnosticKind::InvalidAssignTarget, base->span, {"an element of this expression"});
    return -1;
  }
  int id = lookupComprehensionLocal(base->text) >= 0 ? -1 : lookupNamedLocal(base->text);
  if (id < 0) {
    if (scope_.constants.count(base->text) || lookupComprehensionLocal(base->text) >= 0)
      report(DiagnosticKind::AssignToConstant, base->span, {base->text, "not a local list"});
    else
      report(DiagnosticKind::UnknownName, base->span, {base->text});
    return -1;
  }
  if (borrowed_[static_cast<size_t>(id)]) {
    report(DiagnosticKind::ParameterListMutation, span, {base->text});
    return -1;
  }
  if (reporting_ && !assigned_[static_cast<size_t>(id)] && reachable_ && !reportedUnassigned_.count(static_cast<ir::LocalId>(id))) {
    reportedUnassigned_.insert(static_cast<ir::LocalId>(id));
    report(DiagnosticKind::PossiblyUnassigned, base->span, {base->text});
  }
  return id;
}

void FunctionLowerer::storeElement(const AstExpr *target, Value value, ir::Span span, ir::Block &out) {
  const AstExpr *indexNode = target->children[1];
  if (indexNode->kind == AstExprKind::Slice) {
    report(DiagnosticKind::InvalidAssignTarget, target->span, {"a slice"});
    return;
  }
  int id = mutableListLocal(target->children[0], span);
  if (id < 0)
    return;
  if (value)
    noteStoredElement(static_cast<ir::LocalId>(id), value.type());
  const ir::Type listType = function_.locals[static_cast<size_t>(id)].type;
  Value index = coerceIndex(lowerExpr(indexNode), indexNode->span, "list index");
  if (!value || !index || listType.isNone())
    return;
  if (!listType.isList()) {
    report(DiagnosticKind::NotAList, target->children[0]->span, {listType.str(), "cannot store into it"});
    return;
  }
  Value converted = coerce(value, listType.element(), span, "list element");
  if (!converted)
    return;
  // Python evaluates the value before the index; StoreIndex evaluates the index first. When
  // both could raise, the value goes through a temporary so the first error is Python's.
  auto isPlain = [](const ir::Expr *expr) { return expr->is<ir::ConstantExpr>() || expr->is<ir::LocalRefExpr>(); };
  if (!isPlain(index.expr) && !isPlain(converted.expr)) {
    ir::LocalId temporary = newTemporary("value", converted.type(), span);
    out.push_back(arena_->make<ir::AssignStmt>(span, temporary, converted.expr));
    converted.expr = localRef(temporary, span);
  }
  out.push_back(arena_->make<ir::StoreIndexStmt>(span, static_cast<ir::LocalId>(id), index.expr, converted.expr));
}

// `x: float = value` declares x's type (it is not widened by inference).
void FunctionLowerer::lowerAnnotatedAssign(const AstStmt &statement, ir::Block &out) {
  const AstExpr *target = statement.targets[0];
  if (target->kind != AstExprKind::Name) {
    report(DiagnosticKind::InvalidAssignTarget, target->span, {"an annotated expression"});
    return;
  }
  ir::LocalId id = static_cast<ir::LocalId>(lookupNamedLocal(target->text));
  ir::Type declared;
  if (resolveAnnotation(statement.annotation, scope_, false, declared, reporting_ ? &scope_.diags : nullptr) &&
      !fixedType_[id]) {
    fixedType_[id] = true;
    namedLocals_[id].type = declared;
    function_.locals[id].type = declared;
    changed_ = true;
  }
  if (statement.value)
    assignTo(target, statement.value, statement.span, out);
}

// x op= v  ->  x = x op v;   xs[i] op= v  ->  $i = i; xs[$i] = xs[$i] op v
void FunctionLowerer::lowerAugmentedAssign(const AstStmt &statement, ir::Block &out) {
  const AstExpr *target = statement.targets[0];
  const std::string &op = statement.name;
  if (target->kind == AstExprKind::Name) {
    Value current = lowerExpr(target);
    if (current && current.type().isList()) {
      report(DiagnosticKind::OperandTypes, statement.span,
             {op + "=", "`" + current.type().str() + "`", "augmented assignment to a list is not supported"});
      lowerExpr(statement.value);
      return;
    }
    Value operand = lowerExpr(statement.value);
    Value result = binaryValues(op, current, operand, statement.span);
    if (!result && current && operand)
      return;
    assignValue(target, result, statement.span, out);
    return;
  }
  if (target->kind != AstExprKind::Subscript || target->children[1]->kind == AstExprKind::Slice) {
    report(DiagnosticKind::InvalidAssignTarget, target->span,
           {target->kind == AstExprKind::Subscript ? "a slice" : "an expression"});
    return;
  }
  int id = mutableListLocal(target->children[0], statement.span);
  if (id < 0)
    return;
  const AstExpr *indexNode = target->children[1];
  Value index = coerceIndex(lowerExpr(indexNode), indexNode->span, "list index");
  const ir::Type listType = function_.locals[static_cast<size_t>(id)].type;
  if (!index || !listType.isList()) {
    if (!listType.isNone() && !listType.isList())
      report(DiagnosticKind::NotAList, target->children[0]->span, {listType.str(), "cannot store into it"});
    lowerExpr(statement.value);
    return;
  }
  ir::LocalId indexLocal = newTemporary("index", ir::Type::integer(), indexNode->span);
  out.push_back(arena_->make<ir::AssignStmt>(indexNode->span, indexLocal, index.expr));
  Value current;
  current.expr = arena_->make<ir::IndexExpr>(listType.element(), target->span, localRef(static_cast<ir::LocalId>(id), target->children[0]->span),
                                             localRef(indexLocal, indexNode->span));
  Value result = binaryValues(op, current, lowerExpr(statement.value), statement.span);
  if (!result)
    return;
  noteStoredElement(static_cast<ir::LocalId>(id), result.type());
  Value converted = coerce(result, listType.element(), statement.span, "list element");
  if (!converted)
    return;
  out.push_back(arena_->make<ir::StoreIndexStmt>(statement.span, static_cast<ir::LocalId>(id),
                                                 localRef(indexLocal, indexNode->span), converted.expr));
}

// Only `xs.append(v)`, `...` and strings (docstrings, comments written as strings) may stand
// alone as a statement.
void FunctionLowerer::lowerExpressionStatement(const AstStmt &statement, ir::Block &out) {
  const AstExpr *value = statement.value;
  if (value->kind == AstExprKind::Ellipsis || value->kind == AstExprKind::Unsupported)
    return;
  if (value->kind == AstExprKind::String) {
    if (!value->op.empty())
      lowerExpr(value); // an f-string or bytes: reported; a plain string statement is a comment
    return;
  }
  if (value->kind == AstExprKind::Call && value->children[0]->kind == AstExprKind::Attribute &&
      value->children[0]->text == "append" && !(value->children[0]->children[0]->kind == AstExprKind::Name &&
                                                scope_.mathModuleNames.count(value->children[0]->children[0]->text) &&
                                                !isShadowed(value->children[0]->children[0]->text))) {
    const AstExpr *method = value->children[0];
    if (value->children.size() != 2 || !value->keywords.empty()) {
      report(DiagnosticKind::ArgumentCount, value->span,
             {"append", "1 argument", std::to_string(value->children.size() - 1 + value->keywords.size()) +
                                          (value->children.size() == 2 ? " was" : " were")});
      return;
    }
    int id = mutableListLocal(method->children[0], statement.span);
    if (id < 0) {
      lowerExpr(value->children[1]);
      return;
    }
    const ir::Type listType = function_.locals[static_cast<size_t>(id)].type;
    ir::Type elementHint = listType.isList() ? listType.element() : ir::Type::none();
    Value element = lowerExpr(value->children[1], elementHint.isNone() ? nullptr : &elementHint);
    if (!element)
      return;
    if (!element.type().isScalar()) {
      report(DiagnosticKind::UnsupportedValue, value->children[1]->span, {"nested list", "list element that is not a number or bool"});
      return;
    }
    noteStoredElement(static_cast<ir::LocalId>(id), element.type());
    if (!listType.isList()) {
      if (!listType.isNone())
        report(DiagnosticKind::NotAList, method->children[0]->span, {listType.str(), "has no `.append`"});
      return;
    }
    Value converted = coerce(element, listType.element(), value->children[1]->span, "list element");
    if (converted)
      out.push_back(arena_->make<ir::AppendStmt>(statement.span, static_cast<ir::LocalId>(id), converted.expr));
    return;
  }
  Value ignored = lowerExpr(value);
  if (ignored)
    report(DiagnosticKind::ExpressionStatement, value->span);
}

void FunctionLowerer::lowerIf(const AstStmt &statement, ir::Block &out) {
  ir::Expr *condition = lowerCondition(statement.test);
  ir::IfStmt *node = arena_->make<ir::IfStmt>(statement.span, condition);
  std::vector<bool> before = assigned_;
  bool reachableBefore = reachable_;
  lowerBlock(statement.body, node->thenBody);
  std::vector<bool> thenAssigned = assigned_;
  bool thenReachable = reachable_;
  assigned_ = before;
  reachable_ = reachableBefore;
  lowerBlock(statement.orElse, node->elseBody);
  if (thenReachable && reachable_) {
    for (size_t i = 0; i < assigned_.size(); ++i)
      assigned_[i] = assigned_[i] && thenAssigned[i];
  } else if (thenReachable) {
    assigned_ = thenAssigned;
  }
  reachable_ = thenReachable || reachable_;
  if (condition)
    out.push_back(node);
}

ir::LocalId FunctionLowerer::beginLoopElse(const AstStmt &statement, ir::Block &out) {
  ir::LocalId flag = newTemporary("broke", ir::Type::boolean(), statement.elseSpan);
  out.push_back(arena_->make<ir::AssignStmt>(statement.elseSpan, flag, boolConstant(false, statement.elseSpan)));
  return flag;
}

// Called after the loop with the flow state of its normal end (the `else` runs then); the
// state after the statement joins the end of the `else` with every reachable `break`.
void FunctionLowerer::lowerLoopElse(const AstStmt &statement, ir::LocalId brokeFlag, const LoopState &loop,
                                    ir::Block &out) {
  ir::Expr *notBroken = arena_->make<ir::UnaryExpr>(ir::Type::boolean(), statement.elseSpan, ir::UnaryOp::Not,
                                                    localRef(brokeFlag, statement.elseSpan));
  ir::IfStmt *node = arena_->make<ir::IfStmt>(statement.elseSpan, notBroken);
  lowerBlock(statement.orElse, node->thenBody);
  if (loop.breakReachable) {
    if (reachable_)
      for (size_t i = 0; i < assigned_.size(); ++i)
        assigned_[i] = assigned_[i] && loop.assignedAtBreak[i];
    else
      assigned_ = loop.assignedAtBreak;
    reachable_ = true;
  }
  out.push_back(node);
}

// A loop body may run zero times, so what it assigns is not assigned after the loop; a
// `while True:` without `break` never ends, so what follows it is unreachable.
void FunctionLowerer::lowerWhile(const AstStmt &statement, ir::Block &out) {
  ir::Expr *condition = lowerCondition(statement.test);
  ir::WhileStmt *node = arena_->make<ir::WhileStmt>(statement.span, condition);
  std::vector<bool> before = assigned_;
  bool reachableBefore = reachable_;
  bool withElse = !statement.orElse.empty();
  ir::LocalId brokeFlag = withElse ? beginLoopElse(statement, out) : 0;
  loops_.push_back({});
  loops_.back().brokeFlag = withElse ? static_cast<int>(brokeFlag) : -1;
  lowerBlock(statement.body, node->body);
  LoopState loop = loops_.back();
  loops_.pop_back();
  assigned_ = before;
  if (condition)
    out.push_back(node);
  if (withElse) {
    // The `else` runs when the condition turns false: never after `while True:`.
    reachable_ = reachableBefore && !isConstantTrue(statement.test);
    lowerLoopElse(statement, brokeFlag, loop, out);
    return;
  }
  reachable_ = reachableBefore && !(isConstantTrue(statement.test) && !loop.hasBreak);
}

void FunctionLowerer::lowerFor(const AstStmt &statement, ir::Block &out) {
  ir::ForStmt *node = arena_->make<ir::ForStmt>(statement.span);
  std::vector<bool> before = assigned_;
  bool reachableBefore = reachable_;
  bool withElse = !statement.orElse.empty();
  ir::LocalId brokeFlag = withElse ? beginLoopElse(statement, out) : 0;
  bool ok = lowerIterationSpace(statement.value, statement.targets[0], false, node->space, node->body);
  if (!ok)
    markTargetsAssigned(statement.targets[0]);
  loops_.push_back({});
  loops_.back().brokeFlag = withElse ? static_cast<int>(brokeFlag) : -1;
  lowerBlock(statement.body, node->body);
  LoopState loop = loops_.back();
  loops_.pop_back();
  assigned_ = before;
  reachable_ = reachableBefore;
  if (ok)
    out.push_back(node);
  if (withElse)
    lowerLoopElse(statement, brokeFlag, loop, out);
}

void FunctionLowerer::lowerReturn(const AstStmt &statement, ir::Block &out) {
  const ir::Type &returnType = function_.returnType;
  ir::Expr *result = nullptr;
  if (!statement.value) {
    report(DiagnosticKind::MismatchedTypes, statement.span,
           {returnType.str(), "None", "returns nothing", "return a value of the declared type"});
  } else if (statement.value->kind == AstExprKind::Tuple && !statement.value->children.empty()) {
    const std::vector<AstExpr *> &members = statement.value->children;
    if (!returnType.isTuple()) {
      report(DiagnosticKind::MismatchedTypes, statement.value->span,
             {returnType.str(), "tuple", "returns a tuple", "declare the return type as `tuple[...]`"});
      for (const AstExpr *member : members)
        lowerExpr(member);
    } else {
      std::vector<ir::Type> memberTypes = returnType.members();
      if (memberTypes.size() != members.size()) {
        report(DiagnosticKind::MismatchedTypes, statement.value->span,
               {returnType.str(), "a tuple of " + std::to_string(members.size()), "wrong number of values", ""});
      } else {
        ir::TupleMakeExpr *tuple = arena_->make<ir::TupleMakeExpr>(returnType, statement.value->span);
        bool ok = true;
        for (size_t i = 0; i < members.size(); ++i) {
          Value member = coerce(lowerExprOrEmpty(members[i], &memberTypes[i]), memberTypes[i], members[i]->span,
                                "tuple member " + std::to_string(i));
          ok = ok && member;
          tuple->members.push_back(member.expr);
        }
        if (ok)
          result = tuple;
      }
    }
  } else {
    noteExpectedList(statement.value, returnType);
    Value value = lowerExprOrEmpty(statement.value, &returnType);
    if (reporting_ && value.borrowed) // callers get a copy of it: see E0329 in ModuleAnalysis
      scope_.mayReturnParameterList[functionIndex_] = true;
    result = coerce(value, returnType, statement.value->span, "the return value").expr;
  }
  if (result)
    out.push_back(arena_->make<ir::ReturnStmt>(statement.span, result));
  reachable_ = false;
}

bool FunctionLowerer::exceptionMessage(const AstExpr *node, std::string &message) {
  if (!node)
    return true;
  if (node->kind == AstExprKind::String && node->op.empty()) {
    message = node->text;
    return true;
  }
  report(DiagnosticKind::UnsupportedExpression, node->span,
         {"a computed exception message", "not a string literal", "write the message as a string literal"});
  return false;
}

// assert test, "message"  ->  if not test: raise AssertionError("message"). Always checked
// (CPython drops asserts only under -O).
void FunctionLowerer::lowerAssert(const AstStmt &statement, ir::Block &out) {
  ir::Expr *condition = lowerCondition(statement.test);
  std::string message;
  bool ok = exceptionMessage(statement.value, message);
  if (!condition || !ok)
    return;
  ir::Expr *failed = arena_->make<ir::UnaryExpr>(ir::Type::boolean(), statement.span, ir::UnaryOp::Not, condition);
  ir::IfStmt *node = arena_->make<ir::IfStmt>(statement.span, failed);
  node->thenBody.push_back(arena_->make<ir::RaiseStmt>(statement.span, ir::ErrorKind::Assertion, message));
  out.push_back(node);
}

// raise E or raise E("message"), for the exceptions a kernel can return (kernel_abi.h).
void FunctionLowerer::lowerRaise(const AstStmt &statement, ir::Block &out) {
  const AstExpr *value = statement.value;
  std::string message;
  if (!value) {
    report(DiagnosticKind::UnsupportedStatement, statement.span,
           {"raise", "a bare `raise`: a kernel has no exception to raise again"});
  } else {
    const AstExpr *type = value;
    const AstExpr *messageNode = nullptr;
    bool ok = true;
    if (value->kind == AstExprKind::Call) {
      type = value->children[0];
      ok = rejectKeywords(value) && checkArgumentCount(value, type->kind == AstExprKind::Name ? type->text : "raise", 0, 1);
      messageNode = value->children.size() == 2 ? value->children[1] : nullptr;
    }
    std::optional<ir::ErrorKind> kind;
    for (int code = 1; type->kind == AstExprKind::Name && code <= static_cast<int>(ir::ErrorKind::Assertion); ++code)
      if (type->text == ir::errorKindName(static_cast<ir::ErrorKind>(code)))
        kind = static_cast<ir::ErrorKind>(code);
    if (!kind) {
      report(DiagnosticKind::UnsupportedExpression, type->span,
             {"raising this exception", "not an exception a kernel can raise",
              "kernels raise ZeroDivisionError, IndexError, ValueError, OverflowError, MemoryError, "
              "RecursionError or AssertionError"});
      ok = false;
    }
    ok = exceptionMessage(messageNode, message) && ok;
    if (ok)
      out.push_back(arena_->make<ir::RaiseStmt>(statement.span, *kind, message));
  }
  reachable_ = false;
}

// Binds one loop variable. Comprehension variables are fresh locals of exactly the element
// type. A `for` variable is the function local of that name; when the local's inferred type is
// wider than the elements, the loop assigns a temporary and the body starts by converting it.
ir::LocalId FunctionLowerer::bindLoopTarget(const AstExpr *target, const ir::Type &type, bool comprehension,
                                            ir::Block &prologue) {
  if (comprehension)
    return newComprehensionLocal(target->text, type, target->span);
  ir::LocalId id = static_cast<ir::LocalId>(lookupNamedLocal(target->text));
  Value element;
  element.expr = zeroValue(type, target->span);
  noteAssignment(id, element);
  assigned_[id] = true;
  const ir::Type localType = function_.locals[id].type;
  if (localType == type || localType.isNone())
    return id;
  ir::LocalId temporary = newTemporary(target->text + ".", type, target->span);
  Value value;
  value.expr = localRef(temporary, target->span);
  Value converted = coerce(value, localType, target->span, "`" + target->text + "`");
  if (converted)
    prologue.push_back(arena_->make<ir::AssignStmt>(target->span, id, converted.expr));
  return temporary;
}

} // namespace pyvc::frontend
