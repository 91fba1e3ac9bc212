// The child lists of every IR node kind, in evaluation order (see IR.h for the semantics).
#include "ir/Visit.h"

namespace pyvc::ir {

namespace {
void visitIfPresent(Expr *&slot, const std::function<void(Expr *&)> &visit) {
  if (slot)
    visit(slot);
}
} // namespace

void forEachSpaceSlot(IterationSpace &space, const std::function<void(Expr *&)> &visit) {
  visitIfPresent(space.start, visit);
  visitIfPresent(space.stop, visit);
  visitIfPresent(space.step, visit);
  for (Expr *&list : space.lists)
    visitIfPresent(list, visit);
  visitIfPresent(space.indexStart, visit);
}

void forEachChildSlot(Expr &expr, const std::function<void(Expr *&)> &visit) {
  switch (expr.kind) {
  case ExprKind::Constant:
  case ExprKind::LocalRef:
    return;
  case ExprKind::Unary:
    return visitIfPresent(static_cast<UnaryExpr &>(expr).operand, visit);
  case ExprKind::Binary: {
    auto &binary = static_cast<BinaryExpr &>(expr);
    visitIfPresent(binary.lhs, visit);
    return visitIfPresent(binary.rhs, visit);
  }
  case ExprKind::CompareChain:
    for (Expr *&operand : static_cast<CompareChainExpr &>(expr).operands)
      visitIfPresent(operand, visit);
    return;
  case ExprKind::Logical: {
    auto &logical = static_cast<LogicalExpr &>(expr);
    visitIfPresent(logical.lhs, visit);
    return visitIfPresent(logical.rhs, visit);
  }
  case ExprKind::Select: {
    auto &select = static_cast<SelectExpr &>(expr);
    visitIfPresent(select.condition, visit);
    visitIfPresent(select.ifTrue, visit);
    return visitIfPresent(select.ifFalse, visit);
  }
  case ExprKind::Convert:
    return visitIfPresent(static_cast<ConvertExpr &>(expr).operand, visit);
  case ExprKind::Call:
    for (Expr *&argument : static_cast<CallExpr &>(expr).arguments)
      visitIfPresent(argument, visit);
    return;
  case ExprKind::Intrinsic:
    for (Expr *&argument : static_cast<IntrinsicExpr &>(expr).arguments)
      visitIfPresent(argument, visit);
    return;
  case ExprKind::ListLength:
    return visitIfPresent(static_cast<ListLengthExpr &>(expr).list, visit);
  case ExprKind::Index: {
    auto &index = static_cast<IndexExpr &>(expr);
    visitIfPresent(index.list, visit);
    return visitIfPresent(index.index, visit);
  }
  case ExprKind::Slice: {
    auto &slice = static_cast<SliceExpr &>(expr);
    visitIfPresent(slice.list, visit);
    visitIfPresent(slice.lower, visit);
    return visitIfPresent(slice.upper, visit);
  }
  case ExprKind::ListLiteral:
    for (Expr *&element : static_cast<ListLiteralExpr &>(expr).elements)
      visitIfPresent(element, visit);
    return;
  case ExprKind::ListRepeat: {
    auto &repeat = static_cast<ListRepeatExpr &>(expr);
    if (repeat.countFirst)
      visitIfPresent(repeat.count, visit);
    visitIfPresent(repeat.list, visit);
    if (!repeat.countFirst)
      visitIfPresent(repeat.count, visit);
    return;
  }
  case ExprKind::Comprehension: {
    auto &comprehension = static_cast<ComprehensionExpr &>(expr);
    // The first iterable is evaluated when the generator is made, before sum()'s start.
    for (size_t level = 0; level < comprehension.generators.size(); ++level) {
      Generator &generator = comprehension.generators[level];
      forEachSpaceSlot(generator.space, visit);
      if (level == 0)
        visitIfPresent(comprehension.start, visit);
      for (Expr *&condition : generator.conditions)
        visitIfPresent(condition, visit);
    }
    return visitIfPresent(comprehension.element, visit);
  }
  case ExprKind::Sorted:
    return visitIfPresent(static_cast<SortedExpr &>(expr).list, visit);
  case ExprKind::TupleMake:
    for (Expr *&member : static_cast<TupleMakeExpr &>(expr).members)
      visitIfPresent(member, visit);
    return;
  case ExprKind::TupleGet:
    return visitIfPresent(static_cast<TupleGetExpr &>(expr).tuple, visit);
  }
}

void forEachStmtExprSlot(Stmt &stmt, const std::function<void(Expr *&)> &visit) {
  switch (stmt.kind) {
  case StmtKind::Assign:
    return visitIfPresent(static_cast<AssignStmt &>(stmt).value, visit);
  case StmtKind::StoreIndex: {
    auto &store = static_cast<StoreIndexStmt &>(stmt);
    visitIfPresent(store.index, visit);
    return visitIfPresent(store.value, visit);
  }
  case StmtKind::Append:
    return visitIfPresent(static_cast<AppendStmt &>(stmt).value, visit);
  case StmtKind::If:
    return visitIfPresent(static_cast<IfStmt &>(stmt).condition, visit);
  case StmtKind::While:
    return visitIfPresent(static_cast<WhileStmt &>(stmt).condition, visit);
  case StmtKind::For:
    return forEachSpaceSlot(static_cast<ForStmt &>(stmt).space, visit);
  case StmtKind::Break:
  case StmtKind::Continue:
    return;
  case StmtKind::Return:
    return visitIfPresent(static_cast<ReturnStmt &>(stmt).value, visit);
  case StmtKind::Raise:
    return;
  }
}

void forEachNestedBlock(Stmt &stmt, const std::function<void(Block &)> &visit) {
  if (auto *ifStmt = stmt.as<IfStmt>()) {
    visit(ifStmt->thenBody);
    visit(ifStmt->elseBody);
  } else if (auto *whileStmt = stmt.as<WhileStmt>()) {
    visit(whileStmt->body);
  } else if (auto *forStmt = stmt.as<ForStmt>()) {
    visit(forStmt->body);
  }
}

void walkExpr(Expr *expr, const std::function<void(Expr &)> &visit) {
  if (!expr)
    return;
  visit(*expr);
  forEachChildSlot(*expr, [&](Expr *&child) { walkExpr(child, visit); });
}

void walkBlock(Block &block, const std::function<void(Stmt &)> &visitStmt,
               const std::function<void(Expr &)> &visitExpr) {
  for (Stmt *stmt : block) {
    if (!stmt)
      continue;
    visitStmt(*stmt);
    forEachStmtExprSlot(*stmt, [&](Expr *&slot) { walkExpr(slot, visitExpr); });
    forEachNestedBlock(*stmt, [&](Block &nested) { walkBlock(nested, visitStmt, visitExpr); });
  }
}

} // namespace pyvc::ir
