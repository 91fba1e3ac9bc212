// Which Python exceptions each function can raise, callees included (IR.h
// `Function::possibleErrors`). Local rules per node, then a fixpoint over the call graph so
// recursion converges; functions on a call cycle can also raise RecursionError.
#pragma once

#include "ir/IR.h"

#include <vector>

namespace pyvc::ir {

// The errors one expression can raise by itself, not counting its children or callees.
std::vector<ErrorKind> errorsOfExpr(const Expr &expr);
// The errors one statement can raise by itself (not those of the expressions it evaluates).
std::vector<ErrorKind> errorsOfStmt(const Stmt &stmt);

// Fills Function::possibleErrors (sorted, unique) for every function of the module.
void computePossibleErrors(Module &module);

} // namespace pyvc::ir
