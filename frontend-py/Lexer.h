// The lexer: source bytes to tokens with spans, including INDENT/DEDENT, implicit line joining
// inside brackets and backslash continuations. Problems become diagnostics; it never fails.
#pragma once

#include "frontend-py/Diagnostics.h"
#include "frontend-py/Token.h"

namespace pyvc::frontend {

// Tokenizes a whole file. The result always ends with EndOfFile, preceded by a Newline for an
// unfinished last line and the Dedents that close open blocks. Invalid UTF-8 or a NUL byte stops
// lexing with one diagnostic (the tokens so far are dropped).
std::vector<Token> tokenize(const std::string &text, DiagnosticEngine &diags);

} // namespace pyvc::frontend
