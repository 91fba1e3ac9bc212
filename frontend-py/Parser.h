// The parser: tokens to the Python AST, by recursive descent over the subset of Python's grammar
// that kernels can use, plus enough of the rest to name what is unsupported. Recovers at
// statement level so one run reports several errors; bounds nesting so it never overflows.
#pragma once

#include "frontend-py/Ast.h"
#include "frontend-py/Diagnostics.h"
#include "frontend-py/Token.h"

namespace pyvc::frontend {

// Parentheses, brackets and unary operators nest at most this deep (CPython's tokenizer allows 200).
constexpr uint32_t MaxNestingDepth = 200;
// No expression tree is taller than this (long chains such as 1+1+1+...), so later phases that
// recurse over the tree stay well inside the stack.
constexpr uint32_t MaxExpressionDepth = 400;

// Parses a token stream (from tokenize) into `module`. Never fails: problems are reported to
// `diags` and the statements that contain them are left out of the AST.
void parseModule(const std::vector<Token> &tokens, AstModule &module, DiagnosticEngine &diags);

} // namespace pyvc::frontend
