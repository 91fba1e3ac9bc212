// Builds kernel IR by hand for the backend tests: typed helpers over ir::Module::make so a test
// reads close to the Python it stands for (written beside each test).
#pragma once

#include "ir/IR.h"

#include <initializer_list>
#include <string>

namespace pyvc::backends::test {

class KernelBuilder {
public:
  explicit KernelBuilder(ir::Module &module) : module_(module) {}

  // Starts a new function; later calls build into it. Returns its index.
  uint32_t function(const std::string &name, ir::Type returnType) {
    ir::Function function;
    function.name = name;
    function.returnType = returnType;
    function.span = {1, 1, 1, 1};
    module_.functions.push_back(std::move(function));
    current_ = uint32_t(module_.functions.size() - 1);
    return current_;
  }
  void select(uint32_t index) { current_ = index; }
  ir::Function &current() { return module_.functions[current_]; }

  ir::LocalId param(const std::string &name, ir::Type type) {
    ir::LocalId id = local(name, type);
    current().locals[id].isParameter = true;
    current().parameters.push_back(id);
    return id;
  }
  ir::LocalId local(const std::string &name, ir::Type type) {
    current().locals.push_back({name, type, false, {}});
    return ir::LocalId(current().locals.size() - 1);
  }

  // --- expressions
  ir::Expr *f64(double value) {
    auto *constant = module_.make<ir::ConstantExpr>(ir::Type::floating(), span());
    constant->floatValue = value;
    return constant;
  }
  ir::Expr *i64(int64_t value) {
    auto *constant = module_.make<ir::ConstantExpr>(ir::Type::integer(), span());
    constant->intValue = value;
    return constant;
  }
  ir::Expr *boolean(bool value) {
    auto *constant = module_.make<ir::ConstantExpr>(ir::Type::boolean(), span());
    constant->intValue = value;
    return constant;
  }
  ir::Expr *ref(ir::LocalId id) {
    return module_.make<ir::LocalRefExpr>(current().locals[id].type, span(), id);
  }
  ir::Expr *binary(ir::BinaryOp op, ir::Expr *lhs, ir::Expr *rhs) {
    ir::Type type = op == ir::BinaryOp::TrueDiv ? ir::Type::floating() : lhs->type;
    return module_.make<ir::BinaryExpr>(type, span(), op, lhs, rhs);
  }
  ir::Expr *unary(ir::UnaryOp op, ir::Expr *operand) {
    return module_.make<ir::UnaryExpr>(op == ir::UnaryOp::Not ? ir::Type::boolean() : operand->type, span(), op, operand);
  }
  ir::Expr *compare(std::initializer_list<ir::Expr *> operands, std::initializer_list<ir::CompareOp> ops) {
    auto *chain = module_.make<ir::CompareChainExpr>(span());
    chain->operands = operands;
    chain->ops = ops;
    return chain;
  }
  ir::Expr *compare(ir::CompareOp op, ir::Expr *lhs, ir::Expr *rhs) { return compare({lhs, rhs}, {op}); }
  ir::Expr *logical(ir::LogicalOp op, ir::Expr *lhs, ir::Expr *rhs) {
    return module_.make<ir::LogicalExpr>(lhs->type, span(), op, lhs, rhs);
  }
  ir::Expr *select(ir::Expr *condition, ir::Expr *ifTrue, ir::Expr *ifFalse) {
    return module_.make<ir::SelectExpr>(ifTrue->type, span(), condition, ifTrue, ifFalse);
  }
  ir::Expr *convert(ir::ConvertOp op, ir::Expr *operand) {
    ir::Type type = ir::Type::boolean();
    if (op == ir::ConvertOp::BoolToInt || op == ir::ConvertOp::FloatToInt)
      type = ir::Type::integer();
    if (op == ir::ConvertOp::BoolToFloat || op == ir::ConvertOp::IntToFloat)
      type = ir::Type::floating();
    return module_.make<ir::ConvertExpr>(type, span(), op, operand);
  }
  ir::Expr *call(uint32_t callee, std::initializer_list<ir::Expr *> arguments) {
    auto *expr = module_.make<ir::CallExpr>(module_.functions[callee].returnType, span(), callee);
    expr->arguments = arguments;
    return expr;
  }
  ir::Expr *intrinsic(ir::IntrinsicOp op, ir::Type type, std::initializer_list<ir::Expr *> arguments) {
    auto *expr = module_.make<ir::IntrinsicExpr>(type, span(), op);
    expr->arguments = arguments;
    return expr;
  }
  ir::Expr *length(ir::Expr *list) { return module_.make<ir::ListLengthExpr>(span(), list); }
  ir::Expr *index(ir::Expr *list, ir::Expr *position) {
    return module_.make<ir::IndexExpr>(list->type.element(), span(), list, position);
  }
  ir::Expr *slice(ir::Expr *list, ir::Expr *lower, ir::Expr *upper) {
    return module_.make<ir::SliceExpr>(list->type, span(), list, lower, upper);
  }
  ir::Expr *listLiteral(ir::TypeKind element, std::initializer_list<ir::Expr *> elements) {
    auto *expr = module_.make<ir::ListLiteralExpr>(ir::Type::list(element), span());
    expr->elements = elements;
    return expr;
  }
  ir::Expr *repeat(ir::Expr *list, ir::Expr *count) {
    return module_.make<ir::ListRepeatExpr>(list->type, span(), list, count);
  }
  ir::Expr *sorted(ir::Expr *list) { return module_.make<ir::SortedExpr>(list->type, span(), list); }
  ir::Expr *tuple(std::initializer_list<ir::Expr *> members) {
    std::vector<ir::TypeKind> kinds;
    for (ir::Expr *member : members)
      kinds.push_back(member->type.kind());
    auto *expr = module_.make<ir::TupleMakeExpr>(ir::Type::tuple(kinds), span());
    expr->members = members;
    return expr;
  }
  ir::Expr *tupleGet(ir::Expr *tuple, uint32_t member) {
    return module_.make<ir::TupleGetExpr>(tuple->type.members()[member], span(), tuple, member);
  }
  ir::IterationSpace range(ir::Expr *start, ir::Expr *stop, ir::Expr *step, ir::LocalId target) {
    ir::IterationSpace space;
    space.kind = ir::IterationSpace::Kind::Range;
    space.start = start, space.stop = stop, space.step = step;
    space.targets = {target};
    return space;
  }
  ir::IterationSpace over(std::initializer_list<ir::Expr *> lists, std::initializer_list<ir::LocalId> targets) {
    ir::IterationSpace space;
    space.kind = ir::IterationSpace::Kind::Sequences;
    space.lists = lists;
    space.targets = targets;
    return space;
  }
  ir::ComprehensionExpr *comprehension(ir::ComprehensionKind kind, ir::Type type, ir::IterationSpace space,
                                       ir::Expr *element, std::initializer_list<ir::Expr *> conditions = {}) {
    auto *expr = module_.make<ir::ComprehensionExpr>(type, span(), kind);
    ir::Generator generator;
    generator.space = std::move(space);
    generator.conditions = conditions;
    expr->generators.push_back(std::move(generator));
    expr->element = element;
    return expr;
  }

  // --- statements (appended to `block`, the current function's body by default)
  ir::Block &body() { return current().body; }
  void assign(ir::LocalId target, ir::Expr *value, ir::Block *block = nullptr) {
    into(block).push_back(module_.make<ir::AssignStmt>(span(), target, value));
  }
  void ret(ir::Expr *value, ir::Block *block = nullptr) {
    into(block).push_back(module_.make<ir::ReturnStmt>(span(), value));
  }
  void append(ir::LocalId list, ir::Expr *value, ir::Block *block = nullptr) {
    into(block).push_back(module_.make<ir::AppendStmt>(span(), list, value));
  }
  void storeIndex(ir::LocalId list, ir::Expr *position, ir::Expr *value, ir::Block *block = nullptr) {
    into(block).push_back(module_.make<ir::StoreIndexStmt>(span(), list, position, value));
  }
  ir::IfStmt *ifStmt(ir::Expr *condition, ir::Block *block = nullptr) {
    auto *statement = module_.make<ir::IfStmt>(span(), condition);
    into(block).push_back(statement);
    return statement;
  }
  ir::WhileStmt *whileStmt(ir::Expr *condition, ir::Block *block = nullptr) {
    auto *statement = module_.make<ir::WhileStmt>(span(), condition);
    into(block).push_back(statement);
    return statement;
  }
  ir::ForStmt *forStmt(ir::IterationSpace space, ir::Block *block = nullptr) {
    auto *statement = module_.make<ir::ForStmt>(span());
    statement->space = std::move(space);
    into(block).push_back(statement);
    return statement;
  }
  void breakStmt(ir::Block *block) { into(block).push_back(module_.make<ir::BreakStmt>(span())); }
  void continueStmt(ir::Block *block) { into(block).push_back(module_.make<ir::ContinueStmt>(span())); }

  void setLine(uint32_t line) { line_ = line; }

private:
  ir::Span span() const { return {line_, 5, line_, 20}; }
  ir::Block &into(ir::Block *block) { return block ? *block : current().body; }

  ir::Module &module_;
  uint32_t current_ = 0;
  uint32_t line_ = 2;
};

} // namespace pyvc::backends::test
