// The lexer, written after CPython's tokenizer: indentation is measured twice (tabs to multiples
// of 8 and tabs as one column) so that ambiguous mixes of tabs and spaces are an error, as in
// CPython, rather than a silent misreading.
#include "frontend-py/Lexer.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace pyvc::frontend {

const char *tokenKindName(TokenKind kind) {
  switch (kind) {
  case TokenKind::Name: return "NAME";
  case TokenKind::Integer: return "INT";
  case TokenKind::Float: return "FLOAT";
  case TokenKind::String: return "STRING";
  case TokenKind::Operator: return "OP";
  case TokenKind::Newline: return "NEWLINE";
  case TokenKind::Indent: return "INDENT";
  case TokenKind::Dedent: return "DEDENT";
  case TokenKind::EndOfFile: return "EOF";
  }
  return "?";
}

bool isPythonKeyword(const std::string &text) {
  static const char *const keywords[] = {
      "False", "None",   "True",    "and",      "as",   "assert", "async", "await",  "break",
      "class", "continue", "def",   "del",      "elif", "else",   "except", "finally", "for",
      "from",  "global", "if",      "import",   "in",   "is",     "lambda", "nonlocal", "not",
      "or",    "pass",   "raise",   "return",   "try",  "while",  "with",  "yield"};
  for (const char *keyword : keywords)
    if (text == keyword)
      return true;
  return false;
}

namespace {

// Stop lexing after this many errors: binary garbage would otherwise give one per byte.
constexpr size_t MaxLexerErrors = 50;

// Returns the byte offset of the first invalid UTF-8 sequence, or npos.
size_t findInvalidUtf8(const std::string &text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t minimum;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
      minimum = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      minimum = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      minimum = 0x10000;
    } else {
      return i;
    }
    if (i + length > text.size())
      return i;
    uint32_t codePoint = c & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80)
        return i;
      codePoint = (codePoint << 6) | (next & 0x3F);
    }
    if (codePoint < minimum || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
      return i;
    i += length;
  }
  return std::string::npos;
}

bool isIdentifierStart(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80; }
bool isIdentifierPart(unsigned char c) { return isIdentifierStart(c) || (c >= '0' && c <= '9'); }
bool isDigit(unsigned char c) { return c >= '0' && c <= '9'; }

class Lexer {
public:
  Lexer(const std::string &text, DiagnosticEngine &diags) : text_(text), diags_(diags) {}

  std::vector<Token> run() {
    if (!checkEncoding())
      return {endOfFile()};
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0)
      position_ = 3; // a UTF-8 byte order mark is allowed and ignored, as in CPython
    while (!atEnd() && errors() < MaxLexerErrors) {
      if (atLineStart_ && brackets_.empty()) {
        if (!lexIndentation())
          continue;
      }
      lexToken();
    }
    finish();
    return std::move(tokens_);
  }

private:
  struct Bracket {
    char open;
    ir::Span span;
    size_t tokenIndex; // where its token goes in tokens_
  };
  struct IndentLevel {
    uint32_t column, alternateColumn;
  };

  bool checkEncoding() {
    size_t bad = findInvalidUtf8(text_);
    if (bad != std::string::npos) {
      diags_.report(DiagnosticKind::InvalidUtf8, spanAtOffset(bad));
      return false;
    }
    size_t nul = text_.find('\0');
    if (nul != std::string::npos) {
      diags_.report(DiagnosticKind::NulByte, spanAtOffset(nul));
      return false;
    }
    return true;
  }

  // The span of one character at a byte offset, computed by scanning (only used for the two
  // encoding errors, which stop lexing).
  ir::Span spanAtOffset(size_t offset) const {
    uint32_t line = 1, column = 1;
    for (size_t i = 0; i < offset && i < text_.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(text_[i]);
      if (c == '\n') {
        ++line;
        column = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++column;
      }
    }
    return {line, column, line, column + 1};
  }

  size_t errors() const { return diags_.errorCount(); }
  void reportError(DiagnosticKind kind, ir::Span span, const std::vector<std::string> &arguments = {}) {
    diags_.report(kind, span, arguments);
    errorLines_.push_back(span.line);
  }
  bool atEnd() const { return position_ >= text_.size(); }
  unsigned char peek(size_t ahead = 0) const {
    return position_ + ahead < text_.size() ? static_cast<unsigned char>(text_[position_ + ahead]) : 0;
  }
  bool atNewline() const { return peek() == '\n' || peek() == '\r'; }

  // Advances one byte, keeping line and (code-point) column up to date; \r\n and \r are newlines.
  void advance() {
    unsigned char c = peek();
    ++position_;
    if (c == '\r' && peek() == '\n')
      ++position_;
    if (c == '\n' || c == '\r') {
      ++line_;
      column_ = 1;
      return;
    }
    if ((c & 0xC0) != 0x80 || c < 0x80)
      ++column_;
    while (!atEnd() && (peek() & 0xC0) == 0x80) // finish a multi-byte character
      ++position_;
  }

  ir::Span spanFrom(uint32_t line, uint32_t column) const { return {line, column, line_, column_}; }

  void push(TokenKind kind, std::string text, ir::Span span) {
    Token token;
    token.kind = kind;
    token.text = std::move(text);
    token.span = span;
    tokens_.push_back(std::move(token));
  }

  Token endOfFile() const {
    Token token;
    token.kind = TokenKind::EndOfFile;
    token.span = {line_, column_, line_, column_};
    return token;
  }

  // Measures the indentation of a new line and emits Indent/Dedent. Returns false when the line
  // is blank or only a comment (it has been consumed and produces no tokens).
  bool lexIndentation() {
    uint32_t column = 0, alternateColumn = 0;
    uint32_t startLine = line_;
    while (peek() == ' ' || peek() == '\t' || peek() == '\f') {
      if (peek() == ' ') {
        ++column;
        ++alternateColumn;
      } else if (peek() == '\t') {
        column = (column / 8 + 1) * 8;
        ++alternateColumn;
      } else {
        column = alternateColumn = 0; // form feed resets, as in CPython
      }
      advance();
    }
    if (atEnd() || atNewline() || peek() == '#' || (peek() == '\\' && (peek(1) == '\n' || peek(1) == '\r'))) {
      if (peek() == '#')
        skipComment();
      if (atNewline())
        advance();
      else if (peek() == '\\') {
        advance();
        advance();
      }
      return false;
    }
    atLineStart_ = false;
    ir::Span span = {startLine, 1, startLine, column_};
    IndentLevel &top = indents_.back();
    if (column == top.column) {
      if (alternateColumn != top.alternateColumn)
        reportError(DiagnosticKind::InconsistentTabs, span);
    } else if (column > top.column) {
      if (alternateColumn <= top.alternateColumn)
        reportError(DiagnosticKind::InconsistentTabs, span);
      indents_.push_back({column, alternateColumn});
      push(TokenKind::Indent, "", span);
    } else {
      IndentLevel lastPopped = indents_.back();
      while (indents_.size() > 1 && column < indents_.back().column) {
        lastPopped = indents_.back();
        indents_.pop_back();
        push(TokenKind::Dedent, "", span);
      }
      if (column != indents_.back().column) {
        reportError(DiagnosticKind::UnindentMismatch, span);
        // Keep the line in the innermost block it is shallower than, so that the statements
        // after it stay where the author most likely meant them.
        indents_.push_back(lastPopped);
        tokens_.pop_back();
      } else if (alternateColumn != indents_.back().alternateColumn)
        reportError(DiagnosticKind::InconsistentTabs, span);
    }
    return true;
  }

  void skipComment() {
    while (!atEnd() && !atNewline())
      advance();
  }

  void lexToken() {
    unsigned char c = peek();
    if (c == ' ' || c == '\t' || c == '\f') {
      advance();
      return;
    }
    if (c == '#') {
      skipComment();
      return;
    }
    if (c == '\n' || c == '\r') {
      ir::Span span = {line_, column_, line_, column_ + 1};
      advance();
      if (brackets_.empty()) {
        push(TokenKind::Newline, "", span);
        atLineStart_ = true;
      }
      return;
    }
    if (c == '\\') {
      uint32_t line = line_, column = column_;
      advance();
      if (atNewline()) {
        advance();
        return;
      }
      if (atEnd())
        return;
      reportError(DiagnosticKind::UnexpectedCharacter, spanFrom(line, column), {"\\"});
      return;
    }
    if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
      lexNumber();
      return;
    }
    if (isIdentifierStart(c)) {
      if (!lexStringWithPrefix())
        lexName();
      return;
    }
    if (c == '"' || c == '\'') {
      lexString("");
      return;
    }
    lexOperator();
  }

  void lexName() {
    uint32_t line = line_, column = column_;
    size_t begin = position_;
    while (!atEnd() && isIdentifierPart(peek()))
      advance();
    push(TokenKind::Name, text_.substr(begin, position_ - begin), spanFrom(line, column));
  }

  // A name like r, b, f, rb directly followed by a quote starts a string literal.
  bool lexStringWithPrefix() {
    size_t length = 0;
    while (length < 3 && std::strchr("rRbBuUfF", peek(length)) && peek(length) != 0)
      ++length;
    if (length == 0 || length > 2 || (peek(length) != '"' && peek(length) != '\''))
      return false;
    std::string prefix;
    for (size_t i = 0; i < length; ++i)
      prefix += static_cast<char>(std::tolower(peek(i)));
    lexString(prefix);
    return true;
  }

  void lexString(const std::string &prefix) {
    uint32_t line = line_, column = column_;
    size_t begin = position_;
    for (size_t i = 0; i < prefix.size(); ++i)
      advance();
    char quote = static_cast<char>(peek());
    bool triple = peek(1) == quote && peek(2) == quote;
    for (int i = 0; i < (triple ? 3 : 1); ++i)
      advance();
    bool raw = prefix.find('r') != std::string::npos;
    std::string value;
    for (;;) {
      if (atEnd() || (!triple && atNewline())) {
        reportError(DiagnosticKind::UnterminatedString, {line, column, line, column + 1});
        return;
      }
      unsigned char c = peek();
      if (c == static_cast<unsigned char>(quote) &&
          (!triple || (peek(1) == static_cast<unsigned char>(quote) && peek(2) == static_cast<unsigned char>(quote)))) {
        for (int i = 0; i < (triple ? 3 : 1); ++i)
          advance();
        break;
      }
      if (c == '\\' && position_ + 1 < text_.size()) {
        advance();
        unsigned char escaped = peek();
        if (raw) {
          value += '\\';
        } else if (escaped == '\n' || escaped == '\r') {
          advance(); // line continuation inside the string
          continue;
        } else {
          const char *from = "ntr0\\'\"";
          const char *to = "\n\t\r\0\\'\"";
          const char *found = std::strchr(from, escaped);
          if (found && escaped) {
            value += to[found - from];
            advance();
            continue;
          }
          value += '\\';
        }
      }
      size_t charBegin = position_;
      bool newline = atNewline();
      advance();
      value += newline ? std::string("\n") : text_.substr(charBegin, position_ - charBegin);
    }
    Token token;
    token.kind = TokenKind::String;
    token.text = text_.substr(begin, position_ - begin);
    token.span = spanFrom(line, column);
    token.stringValue = std::move(value);
    token.stringPrefix = prefix;
    tokens_.push_back(std::move(token));
  }

  void lexNumber() {
    uint32_t line = line_, column = column_;
    size_t begin = position_;
    bool isFloat = false;
    int base = 10;
    if (peek() == '0' && std::strchr("xXoObB", peek(1)) && peek(1)) {
      base = (peek(1) == 'x' || peek(1) == 'X') ? 16 : (peek(1) == 'o' || peek(1) == 'O') ? 8 : 2;
      advance();
      advance();
      while (!atEnd() && (std::isalnum(peek()) || peek() == '_'))
        advance();
    } else {
      while (isDigit(peek()) || peek() == '_')
        advance();
      if (peek() == '.') {
        isFloat = true;
        advance();
        while (isDigit(peek()) || peek() == '_')
          advance();
      }
      if ((peek() == 'e' || peek() == 'E') &&
          (isDigit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && isDigit(peek(2))))) {
        isFloat = true;
        advance();
        if (peek() == '+' || peek() == '-')
          advance();
        while (isDigit(peek()) || peek() == '_')
          advance();
      }
    }
    std::string text = text_.substr(begin, position_ - begin);
    if (peek() == 'j' || peek() == 'J') {
      advance();
      reportError(DiagnosticKind::ComplexLiteral, spanFrom(line, column));
      push(TokenKind::Integer, text, spanFrom(line, column)); // keep parsing with a placeholder
      return;
    }
    // Trailing letters glued to a number (`1abc`, `0x`) make it invalid, as in CPython.
    while (!atEnd() && isIdentifierPart(peek()))
      advance();
    std::string written = text_.substr(begin, position_ - begin);
    Token token;
    token.kind = isFloat ? TokenKind::Float : TokenKind::Integer;
    token.text = written;
    token.span = spanFrom(line, column);
    if (!parseNumber(text, base, isFloat, written.size() != text.size(), token))
      reportError(DiagnosticKind::InvalidNumber, token.span, {written});
    tokens_.push_back(std::move(token));
  }

  // Validates underscores and digits and computes the value; false when the literal is invalid.
  static bool parseNumber(const std::string &text, int base, bool isFloat, bool trailingJunk, Token &token) {
    if (trailingJunk)
      return false;
    std::string digits;
    size_t start = base == 10 ? 0 : 2;
    for (size_t i = start; i < text.size(); ++i) {
      if (text[i] == '_') {
        // An underscore must sit between two digits (or after the base prefix).
        bool before = i > start ? std::isxdigit(static_cast<unsigned char>(text[i - 1])) : base != 10;
        bool after = i + 1 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1]));
        if (!before || !after)
          return false;
        continue;
      }
      digits += text[i];
    }
    if (isFloat) {
      double value = 0;
      auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (end != digits.data() + digits.size() && error != std::errc::result_out_of_range)
        return false;
      if (error == std::errc::result_out_of_range)
        value = std::strtod(digits.c_str(), nullptr); // huge -> inf, tiny -> 0, as CPython
      token.floatValue = value;
      return true;
    }
    if (digits.empty())
      return false;
    if (base == 10 && digits.size() > 1 && digits[0] == '0' && digits.find_first_not_of('0') != std::string::npos)
      return false; // leading zeros in a decimal int are a SyntaxError in Python 3
    uint64_t value = 0;
    for (char digit : digits) {
      int d = std::isdigit(static_cast<unsigned char>(digit)) ? digit - '0'
                                                                : std::tolower(static_cast<unsigned char>(digit)) - 'a' + 10;
      if (d < 0 || d >= base)
        return false;
      if (value > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base))
        token.integerTooLarge = true;
      value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    token.integerValue = value;
    return true;
  }

  void lexOperator() {
    static const char *const operators[] = {
        "**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+=",
        "-=",  "*=",  "/=",  "%=",  "&=",  "|=", "^=", "@=", "+",  "-",  "*",  "/",  "%",  "@",  "&",  "|",
        "^",   "~",   "<",   ">",   "(",   ")",  "[",  "]",  "{",  "}",  ",",  ":",  ".",  ";",  "="};
    uint32_t line = line_, column = column_;
    for (const char *op : operators) {
      size_t length = std::strlen(op);
      if (text_.compare(position_, length, op) != 0)
        continue;
      for (size_t i = 0; i < length; ++i)
        advance();
      ir::Span span = spanFrom(line, column);
      trackBrackets(op[0], length, span);
      push(TokenKind::Operator, op, span);
      return;
    }
    size_t begin = position_;
    advance();
    std::string character = text_.substr(begin, position_ - begin);
    if (static_cast<unsigned char>(character[0]) < 0x20 || character[0] == 0x7F) {
      char buffer[16];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(character[0]));
      character = buffer;
    }
    reportError(DiagnosticKind::UnexpectedCharacter, spanFrom(line, column), {character});
  }

  void trackBrackets(char first, size_t length, ir::Span span) {
    if (length != 1)
      return;
    if (first == '(' || first == '[' || first == '{') {
      brackets_.push_back({first, span, tokens_.size()});
      return;
    }
    if (first != ')' && first != ']' && first != '}')
      return;
    char expected = first == ')' ? '(' : first == ']' ? '[' : '{';
    if (brackets_.empty() || brackets_.back().open != expected) {
      reportError(DiagnosticKind::UnmatchedBracket, span, {std::string(1, first)});
      if (!brackets_.empty() && (brackets_.back().open != expected)) {
        // Assume the inner bracket was left open; drop it so lexing can resynchronise.
        brackets_.pop_back();
        if (!brackets_.empty() && brackets_.back().open == expected)
          brackets_.pop_back();
      }
      return;
    }
    brackets_.pop_back();
  }

  void finish() {
    size_t unclosedFrom = brackets_.empty() ? std::string::npos : brackets_.front().tokenIndex;
    if (!brackets_.empty()) // the outermost one is enough to explain it
      diags_.report(DiagnosticKind::UnclosedBracket, brackets_.front().span, {std::string(1, brackets_.front().open)});
    ir::Span span = {line_, column_, line_, column_};
    if (!tokens_.empty() && tokens_.back().kind != TokenKind::Newline && tokens_.back().kind != TokenKind::Dedent &&
        tokens_.back().kind != TokenKind::Indent)
      push(TokenKind::Newline, "", span);
    while (indents_.size() > 1) {
      indents_.pop_back();
      push(TokenKind::Dedent, "", span);
    }
    tokens_.push_back(endOfFile());
    for (size_t i = 0; i < tokens_.size(); ++i) {
      bool onErrorLine = std::find(errorLines_.begin(), errorLines_.end(), tokens_[i].span.line) != errorLines_.end();
      tokens_[i].afterLexicalError = onErrorLine || (unclosedFrom != std::string::npos && i >= unclosedFrom);
    }
  }

  const std::string &text_;
  DiagnosticEngine &diags_;
  size_t position_ = 0;
  uint32_t line_ = 1, column_ = 1;
  bool atLineStart_ = true;
  std::vector<Token> tokens_;
  std::vector<Bracket> brackets_;
  std::vector<IndentLevel> indents_ = {{0, 0}};
  std::vector<uint32_t> errorLines_;
};

} // namespace

std::vector<Token> tokenize(const std::string &text, DiagnosticEngine &diags) { return Lexer(text, diags).run(); }

} // namespace pyvc::frontend
