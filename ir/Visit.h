// Generic traversal of kernel IR: the children of every node kind, written once, so analyses and
// passes only say what they do at the nodes they care about.
#pragma once

#include "ir/IR.h"

#include <functional>

namespace pyvc::ir {

// Calls visit(slot) for each direct child expression slot of `expr` (null slots are skipped), in
// evaluation order. A slot is a reference, so a pass may replace the child in place.
void forEachChildSlot(Expr &expr, const std::function<void(Expr *&)> &visit);

// The expressions an iteration space evaluates (range bounds, lists, enumerate's start).
void forEachSpaceSlot(IterationSpace &space, const std::function<void(Expr *&)> &visit);

// Calls visit(slot) for each expression a statement evaluates directly (not those of nested
// statements), in evaluation order.
void forEachStmtExprSlot(Stmt &stmt, const std::function<void(Expr *&)> &visit);

// The nested blocks of a statement: If has two, While and For one, the others none.
void forEachNestedBlock(Stmt &stmt, const std::function<void(Block &)> &visit);

// Depth-first, pre-order walks over every expression below a root (the root included).
void walkExpr(Expr *expr, const std::function<void(Expr &)> &visit);
// Every statement in a block, recursively (pre-order), and every expression they evaluate.
void walkBlock(Block &block, const std::function<void(Stmt &)> &visitStmt,
               const std::function<void(Expr &)> &visitExpr);

// Const conveniences for read-only analyses.
inline void walkExpr(const Expr *expr, const std::function<void(const Expr &)> &visit) {
  walkExpr(const_cast<Expr *>(expr), [&](Expr &e) { visit(e); });
}
inline void walkBlock(const Block &block, const std::function<void(const Stmt &)> &visitStmt,
                      const std::function<void(const Expr &)> &visitExpr) {
  walkBlock(const_cast<Block &>(block), [&](Stmt &s) { visitStmt(s); },
            [&](Expr &e) { visitExpr(e); });
}

} // namespace pyvc::ir
