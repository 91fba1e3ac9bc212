// The `when:` expression checker (RuleExpression.h): a tokenizer and a recursive-descent parser
// for the subset of Python's expression grammar a rule may use, one function per grammar rule,
// each with the rule above it. Names are checked as they are parsed.
#include "config/RuleExpression.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace pyvc::agent {

namespace {

enum class TokenKind { Name, Number, Operator, End };

struct Token {
  TokenKind kind;
  std::string text;
  size_t column; // 1-based, for messages
};

constexpr std::array<std::string_view, 35> kPythonKeywords = {
    "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
    "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
    "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
    "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};

constexpr std::array<std::string_view, 3> kBuiltins = {"abs", "min", "max"};

// Longest first, so "**" wins over "*".
constexpr std::array<std::string_view, 24> kOperators = {
    "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+", "-", "*", "/",
    "%",  "<",  ">",  "(",  ")",  ",",  "&",  "|",  "^", "~", "=", ":"};

bool isNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string quoted(std::string_view text) { return "`" + std::string(text) + "`"; }

std::string joined(const std::vector<std::string> &names) {
  std::string text;
  for (const std::string &name : names)
    text += (text.empty() ? "" : ", ") + name;
  return text;
}

// A Python number literal without underscores, complex suffixes or leading zeros.
bool isValidNumber(const std::string &text) {
  static const std::regex decimal(R"((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)");
  static const std::regex prefixed(R"(0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+))");
  if (std::regex_match(text, prefixed))
    return true;
  if (!std::regex_match(text, decimal))
    return false;
  bool integer = text.find_first_of(".eE") == std::string::npos;
  // Python refuses "07" but takes "0" and "00".
  return !(integer && text.size() > 1 && text[0] == '0' &&
           text.find_first_not_of('0') != std::string::npos);
}

class ExpressionChecker {
public:
  ExpressionChecker(std::string_view text, const RuleScope &scope) : text_(text), scope_(scope) {}

  std::vector<std::string> run() {
    if (text_.find_first_not_of(" \t") == std::string_view::npos)
      return {"is empty"};
    if (text_.find_first_of("\n\r") != std::string_view::npos ||
        text_.find(';') != std::string_view::npos)
      return {"must be a single-line expression (no newlines, no `;`)"};
    if (text_.find("__") != std::string_view::npos)
      return {"`__` is not allowed in a rule expression"};
    if (!tokenize())
      return problems_;
    expression();
    if (problems_.empty() && peek().kind != TokenKind::End) {
      if (peek().kind == TokenKind::Name && isPythonKeyword(peek().text))
        checkName(peek().text, false);
      else
        syntaxError("unexpected " + quoted(peek().text));
    }
    return problems_;
  }

private:
  bool tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      size_t column = i + 1;
      if (c == ' ' || c == '\t') {
        ++i;
        continue;
      }
      if (static_cast<unsigned char>(c) >= 0x80)
        return fail("non-ASCII character at column " + std::to_string(column));
      if (c == '"' || c == '\'')
        return fail("strings are not allowed in a rule expression");
      if (isNameStart(c)) {
        size_t start = i;
        while (i < text_.size() && isNameChar(text_[i]))
          ++i;
        std::string name(text_.substr(start, i - start));
        // Before the `:` of a lambda or the dots of an import could be blamed instead.
        if (name == "lambda" || name == "import")
          return fail(quoted(name) + " is not allowed in a rule expression");
        tokens_.push_back({TokenKind::Name, name, column});
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(c)) ||
          (c == '.' && i + 1 < text_.size() &&
           std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        size_t start = i;
        while (i < text_.size() &&
               (isNameChar(text_[i]) || text_[i] == '.' ||
                ((text_[i] == '+' || text_[i] == '-') &&
                 (text_[i - 1] == 'e' || text_[i - 1] == 'E') && text_.substr(start, 2) != "0x" &&
                 text_.substr(start, 2) != "0X")))
          ++i;
        std::string number(text_.substr(start, i - start));
        if (!isValidNumber(number))
          return fail("bad number " + quoted(number) + " at column " + std::to_string(column));
        tokens_.push_back({TokenKind::Number, number, column});
        continue;
      }
      bool matched = false;
      for (std::string_view op : kOperators) {
        if (text_.substr(i, op.size()) == op) {
          if (op == "=" || op == ":")
            return fail(quoted(op) + " is not allowed in a rule expression (compare with `==`)");
          tokens_.push_back({TokenKind::Operator, std::string(op), column});
          i += op.size();
          matched = true;
          break;
        }
      }
      if (!matched)
        return fail(quoted(std::string_view(&text_[i], 1)) +
                    " is not allowed in a rule expression");
    }
    tokens_.push_back({TokenKind::End, "end of expression", text_.size() + 1});
    return true;
  }

  bool fail(std::string message) {
    problems_.push_back(std::move(message));
    return false;
  }
  void syntaxError(const std::string &message) {
    if (!sawSyntaxError_)
      problems_.push_back("syntax error at column " + std::to_string(peek().column) + ": " +
                          message);
    sawSyntaxError_ = true;
  }

  const Token &peek() const { return tokens_[position_]; }
  bool accept(std::string_view text) {
    if (sawSyntaxError_ || peek().kind == TokenKind::End || peek().text != text ||
        (peek().kind != TokenKind::Operator && peek().kind != TokenKind::Name))
      return false;
    ++position_;
    return true;
  }
  void expect(std::string_view text) {
    if (!accept(text))
      syntaxError("expected " + quoted(text) + ", got " + quoted(peek().text));
  }

  // expression: or_test
  // or_test: and_test ('or' and_test)*
  void expression() {
    andTest();
    while (accept("or"))
      andTest();
  }
  // and_test: not_test ('and' not_test)*
  void andTest() {
    notTest();
    while (accept("and"))
      notTest();
  }
  // not_test: 'not' not_test | comparison
  void notTest() {
    if (accept("not"))
      return notTest();
    comparison();
  }
  // comparison: bitwise (('<' | '>' | '==' | '>=' | '<=' | '!=') bitwise)*
  void comparison() {
    binary(0);
    while (accept("<") || accept(">") || accept("==") || accept(">=") || accept("<=") ||
           accept("!="))
      binary(0);
  }
  // bitwise and arithmetic levels, loosest first: | ^ & (<< >>) (+ -) (* / // %)
  void binary(size_t level) {
    static const std::vector<std::vector<std::string_view>> levels = {
        {"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "//", "%"}};
    if (level == levels.size())
      return factor();
    binary(level + 1);
    for (;;) {
      bool matched = false;
      for (std::string_view op : levels[level])
        if (accept(op)) {
          matched = true;
          break;
        }
      if (!matched)
        return;
      binary(level + 1);
    }
  }
  // factor: ('+' | '-' | '~') factor | power
  void factor() {
    if (accept("+") || accept("-") || accept("~"))
      return factor();
    power();
  }
  // power: atom ['**' factor]
  void power() {
    atom();
    if (accept("**"))
      factor();
  }
  // atom: NAME | NUMBER | 'True' | 'False' | '(' expression ')' | builtin '(' arguments ')'
  void atom() {
    if (sawSyntaxError_)
      return;
    const Token token = peek();
    if (token.kind == TokenKind::Number) {
      ++position_;
      return;
    }
    if (accept("(")) {
      expression();
      expect(")");
      return;
    }
    if (token.kind != TokenKind::Name)
      return syntaxError("expected a value, got " + quoted(token.text));
    if (token.text == "and" || token.text == "or")
      return syntaxError("expected a value, got " + quoted(token.text));
    ++position_;
    if (token.text == "True" || token.text == "False")
      return;
    bool called = peek().kind == TokenKind::Operator && peek().text == "(";
    if (scope_.namesKnown || isPythonKeyword(token.text))
      checkName(token.text, called);
    if (called) {
      accept("(");
      // arguments: expression (',' expression)*
      expression();
      while (accept(",") && !(peek().kind == TokenKind::Operator && peek().text == ")"))
        expression();
      expect(")");
    }
  }

  void checkName(const std::string &name, bool called) {
    const std::vector<std::string> &parameters = scope_.parameters;
    bool isParameter = std::find(parameters.begin(), parameters.end(), name) != parameters.end();
    bool isBuiltin = std::find(kBuiltins.begin(), kBuiltins.end(), name) != kBuiltins.end();
    if (isParameter && called)
      return note(quoted(name) +
                  " is an aggregate of this window, not a function; it cannot be called");
    if (isParameter)
      return;
    if (isBuiltin && called)
      return;
    if (isBuiltin)
      return note(quoted(name) + " is a function here; call it, as in `" + name + "(a, b)`");
    if (name == "lambda" || name == "import")
      return note(quoted(name) + " is not allowed in a rule expression");
    if (isPythonKeyword(name))
      return note(quoted(name) + " is not allowed in a rule expression (allowed: and, or, not, "
                                 "True, False, abs, min, max)");
    if (scope_.windowRule && name == "value")
      return note("`value` is the reading's value, which window rules do not see; use the "
                  "aggregates of pipeline " +
                  scope_.pipeline + ": " + joined(scope_.aggregates));
    if (scope_.windowRule)
      return note("unknown name " + quoted(name) +
                  "; window rules see the aggregates of pipeline " + scope_.pipeline + ": " +
                  joined(scope_.aggregates));
    bool isAggregate = std::find(scope_.aggregates.begin(), scope_.aggregates.end(), name) !=
                       scope_.aggregates.end();
    if (isAggregate)
      return note(quoted(name) + " is an aggregate; a reading rule sees only `value` (set `on: "
                                 "windows` to test window results)");
    note("unknown name " + quoted(name) + "; a reading rule sees only `value`");
  }
  void note(std::string message) {
    if (std::find(problems_.begin(), problems_.end(), message) == problems_.end())
      problems_.push_back(std::move(message));
  }

  std::string_view text_;
  const RuleScope &scope_;
  std::vector<Token> tokens_;
  size_t position_ = 0;
  bool sawSyntaxError_ = false;
  std::vector<std::string> problems_;
};

} // namespace

std::vector<std::string> checkRuleExpression(std::string_view expression, const RuleScope &scope) {
  return ExpressionChecker(expression, scope).run();
}

bool isPythonKeyword(std::string_view word) {
  return std::find(kPythonKeywords.begin(), kPythonKeywords.end(), word) != kPythonKeywords.end();
}

} // namespace pyvc::agent
