// Prints tokens and ASTs as text, for `pyvc compile --emit=tokens|ast` and for tests.
#pragma once

#include "frontend-py/Ast.h"
#include "frontend-py/Token.h"

#include <string>
#include <vector>

namespace pyvc::frontend {

std::string printTokens(const std::vector<Token> &tokens);
std::string printAst(const AstModule &module);

} // namespace pyvc::frontend
