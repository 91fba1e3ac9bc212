// Folds module constants (`RATE = 1.5`, `LIMIT = 2 ** 10`, `TWO_PI = 2 * math.pi`) to values,
// with CPython's arithmetic rules, so kernels see them as IR constants.
#pragma once

#include "frontend-py/ModuleScope.h"

namespace pyvc::frontend {

// Evaluates `expression` for the constant `name`. Reports a diagnostic and returns false when it
// is not a constant expression or its evaluation fails (division by zero, 64-bit overflow, ...).
bool foldConstant(const std::string &name, const AstExpr *expression, const ModuleScope &scope, ConstantValue &value);

} // namespace pyvc::frontend
