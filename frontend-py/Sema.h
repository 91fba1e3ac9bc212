// Semantic analysis: the AST of a whole file to a kernel IR module, in two phases (declare
// every function, then lower the bodies) so functions may call each other in any order.
#pragma once

#include "frontend-py/Ast.h"
#include "frontend-py/Diagnostics.h"
#include "ir/IR.h"

#include <memory>

namespace pyvc::frontend {

// Analyses the module; returns it even when errors were reported (callers check diags).
std::unique_ptr<ir::Module> analyzeModule(const AstModule &ast, const std::string &path, const std::string &text,
                                          DiagnosticEngine &diags);

} // namespace pyvc::frontend
