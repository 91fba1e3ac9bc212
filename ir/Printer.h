// A readable, stable text form of kernel IR, for `pyvc compile --emit=ir` and golden tests.
// Python-like: locals print as `name#id`, every compound expression is parenthesised, and flags
// the analyses set (provenInBounds, reduction order, classification, errors) are shown.
#pragma once

#include "ir/IR.h"

#include <string>

namespace pyvc::ir {

std::string printModule(const Module &module);
std::string printFunction(const Module &module, const Function &function);
// One expression, as it appears inside printFunction; locals are named from `function`.
std::string printExpr(const Module &module, const Function &function, const Expr *expr);

// Stable spellings shared with the manifest and `pyvc explain`.
const char *errorKindName(ErrorKind kind);          // "ZeroDivisionError"
const char *classificationName(Classification kind); // "scalar" / "kernel"
const char *binaryOpSymbol(BinaryOp op);            // "+", "//", "**"
const char *compareOpSymbol(CompareOp op);          // "<", "=="
const char *intrinsicName(IntrinsicOp op);          // "math.sqrt", "abs", "round"
const char *comprehensionKindName(ComprehensionKind kind); // "list", "sum", "min", ...

} // namespace pyvc::ir
