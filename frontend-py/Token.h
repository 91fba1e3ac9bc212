// Tokens of the kernel dialect of Python, as the lexer produces them (the same token set as
// CPython's tokenizer, minus what kernels never need: encodings, f-string internals, type comments).
#pragma once

#include "ir/IR.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pyvc::frontend {

enum class TokenKind : uint8_t {
  Name,      // identifiers and keywords (the parser tells them apart by text)
  Integer,   // 123, 0x1f, 1_000
  Float,     // 1.5, 1e3, .5
  String,    // any string literal; `stringPrefix` holds its prefix letters (lower-cased)
  Operator,  // punctuation and operators: + ** ( ) -> :=
  Newline,   // end of a logical line
  Indent,    // the block got deeper
  Dedent,    // the block ended
  EndOfFile,
};

struct Token {
  TokenKind kind = TokenKind::EndOfFile;
  std::string text; // exactly as written (strings: the decoded value is in stringValue)
  ir::Span span;
  uint64_t integerValue = 0;  // Integer: the value when it fits in 64 unsigned bits
  bool integerTooLarge = false;
  double floatValue = 0.0;    // Float
  std::string stringValue;    // String: contents with escapes decoded
  std::string stringPrefix;   // String: "", "r", "f", "b", "rb", ... in lower case
  // The lexer already reported an error on this token's line (or an unclosed bracket before
  // it): the parser drops the statement without piling a second error on the first.
  bool afterLexicalError = false;

  bool is(TokenKind k, const char *spelling) const { return kind == k && text == spelling; }
  bool isOperator(const char *spelling) const { return is(TokenKind::Operator, spelling); }
  bool isKeyword(const char *spelling) const { return is(TokenKind::Name, spelling); }
};

const char *tokenKindName(TokenKind kind);

// Python's reserved words: a Name token with one of these texts is a keyword.
bool isPythonKeyword(const std::string &text);

} // namespace pyvc::frontend
