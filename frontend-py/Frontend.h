// The frontend's entry points: Python source text to tokens, AST or kernel IR. Everything wrong
// with the source is reported to the DiagnosticEngine; none of these functions fail otherwise.
#pragma once

#include "frontend-py/Diagnostics.h"
#include "ir/IR.h"

#include <memory>
#include <string>

namespace pyvc::frontend {

// One token per line: `line:column-endLine:endColumn KIND text`.
std::string dumpTokens(const std::string &path, const std::string &text, DiagnosticEngine &diags);

// The parsed AST as an indented tree, one node per line.
std::string dumpAst(const std::string &path, const std::string &text, DiagnosticEngine &diags);

// Lex, parse and analyse; nullptr when any error was reported (all of them are in diags).
std::unique_ptr<ir::Module> buildIR(const std::string &path, const std::string &text, DiagnosticEngine &diags);

} // namespace pyvc::frontend
