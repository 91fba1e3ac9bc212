// Hand-built IR for the ir/ and compiler/ tests: a few terse constructors so a test reads like
// the Python it stands for. Only tests use this; the frontend builds IR its own way.
#pragma once

#include "ir/IR.h"

#include <initializer_list>

namespace pyvc::ir::testing {

class FunctionBuilder {
public:
  FunctionBuilder(Module &module, std::string name, Type returnType) : module_(module) {
    index_ = module.functions.size();
    module.functions.push_back(Function{});
    fn().name = std::move(name);
    fn().returnType = std::move(returnType);
    fn().span = {1, 1, 1, 4};
  }

  Function &fn() { return module_.functions[index_]; }
  uint32_t index() const { return static_cast<uint32_t>(index_); }

  LocalId param(const std::string &name, Type type) {
    LocalId id = local(name, std::move(type));
    fn().locals[id].isParameter = true;
    fn().parameters.push_back(id);
    return id;
  }
  LocalId local(const std::string &name, Type type) {
    fn().locals.push_back(Local{name, std::move(type), false, {}});
    return static_cast<LocalId>(fn().locals.size() - 1);
  }

  Span at(uint32_t line) const { return {line, 5, line, 20}; }

  Expr *ref(LocalId id) { return module_.make<LocalRefExpr>(fn().locals[id].type, at(line), id); }
  Expr *f64(double value) {
    auto *constant = module_.make<ConstantExpr>(Type::floating(), at(line));
    constant->floatValue = value;
    return constant;
  }
  Expr *i64(int64_t value) {
    auto *constant = module_.make<ConstantExpr>(Type::integer(), at(line));
    constant->intValue = value;
    return constant;
  }
  Expr *boolean(bool value) {
    auto *constant = module_.make<ConstantExpr>(Type::boolean(), at(line));
    constant->intValue = value;
    return constant;
  }
  Expr *binary(BinaryOp op, Expr *lhs, Expr *rhs) {
    Type type = op == BinaryOp::TrueDiv ? Type::floating() : lhs->type;
    return module_.make<BinaryExpr>(type, at(line), op, lhs, rhs);
  }
  Expr *compare(CompareOp op, Expr *lhs, Expr *rhs) {
    auto *chain = module_.make<CompareChainExpr>(at(line));
    chain->operands = {lhs, rhs};
    chain->ops = {op};
    return chain;
  }
  Expr *length(Expr *list) { return module_.make<ListLengthExpr>(at(line), list); }
  IndexExpr *index(Expr *list, Expr *position) {
    return module_.make<IndexExpr>(list->type.element(), at(line), list, position);
  }
  Expr *toFloat(Expr *value) {
    return module_.make<ConvertExpr>(Type::floating(), at(line), ConvertOp::IntToFloat, value);
  }
  Expr *call(uint32_t callee, Type result, std::initializer_list<Expr *> arguments) {
    auto *call = module_.make<CallExpr>(std::move(result), at(line), callee);
    call->arguments = arguments;
    return call;
  }
  Expr *intrinsic(IntrinsicOp op, Type result, std::initializer_list<Expr *> arguments) {
    auto *node = module_.make<IntrinsicExpr>(std::move(result), at(line), op);
    node->arguments = arguments;
    return node;
  }

  static IterationSpace rangeSpace(LocalId target, Expr *start, Expr *stop, Expr *step) {
    IterationSpace space;
    space.kind = IterationSpace::Kind::Range;
    space.start = start, space.stop = stop, space.step = step;
    space.targets = {target};
    return space;
  }
  static IterationSpace listSpace(LocalId target, Expr *list) {
    IterationSpace space;
    space.kind = IterationSpace::Kind::Sequences;
    space.lists = {list};
    space.targets = {target};
    return space;
  }

  // sum(element for space [if condition]) with start (Int 0 or Float 0.0 by the element type).
  ComprehensionExpr *sum(IterationSpace space, Expr *element, Expr *condition = nullptr) {
    auto *node = module_.make<ComprehensionExpr>(element->type, at(line), ComprehensionKind::Sum);
    Generator generator{std::move(space), {}};
    if (condition)
      generator.conditions.push_back(condition);
    node->generators.push_back(std::move(generator));
    node->element = element;
    node->start = element->type.isFloat() ? f64(0.0) : i64(0);
    return node;
  }

  AssignStmt *assign(LocalId target, Expr *value) {
    return module_.make<AssignStmt>(at(line), target, value);
  }
  ReturnStmt *ret(Expr *value) { return module_.make<ReturnStmt>(at(line), value); }
  ForStmt *forLoop(IterationSpace space, std::initializer_list<Stmt *> body) {
    auto *loop = module_.make<ForStmt>(at(line));
    loop->space = std::move(space);
    loop->body = body;
    return loop;
  }
  IfStmt *ifThen(Expr *condition, std::initializer_list<Stmt *> thenBody,
                 std::initializer_list<Stmt *> elseBody = {}) {
    auto *node = module_.make<IfStmt>(at(line), condition);
    node->thenBody = thenBody;
    node->elseBody = elseBody;
    return node;
  }

  // The source line given to the nodes made next.
  uint32_t line = 2;

private:
  Module &module_;
  size_t index_;
};

} // namespace pyvc::ir::testing
