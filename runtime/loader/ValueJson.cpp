// JSON reading and writing for pyvc-call's line protocol (see ValueJson.h). A small recursive
// descent parser instead of nlohmann_json because the protocol needs what strict JSON lacks: the
// NaN/Infinity tokens, and telling the int 1 from the float 1.0.
#include "loader/ValueJson.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace pyvc::loader {
namespace {

// Nesting deeper than any kernel argument needs is refused before it can exhaust the stack.
constexpr int MaxNesting = 64;

class ArgumentLineParser {
public:
  explicit ArgumentLineParser(std::string_view text) : text_(text) {}

  std::variant<std::vector<Value>, KernelError> parse() {
    skipSpace();
    if (!consume('['))
      return inputError("expected a JSON array of arguments");
    std::optional<Value> arguments = parseArrayBody(1, /*topLevel=*/true);
    if (!arguments)
      return inputError(syntaxError_);
    skipSpace();
    if (position_ != text_.size())
      return inputError("extra data after the argument array");
    if (semanticError_)
      return *semanticError_;
    return arguments->items();
  }

private:
  KernelError inputError(const std::string &what) const {
    return KernelError{"InputError", what + " at column " + std::to_string(position_ + 1)};
  }

  bool fail(const std::string &what) {
    if (syntaxError_.empty())
      syntaxError_ = what;
    return false;
  }
  // Valid JSON a kernel cannot take: remembered, reported once the whole line is known valid.
  void rejectValue(const std::string &name, const std::string &message) {
    if (!semanticError_)
      semanticError_ = KernelError{name, message};
  }

  void skipSpace() {
    while (position_ < text_.size() && (text_[position_] == ' ' || text_[position_] == '\t' ||
                                        text_[position_] == '\r' || text_[position_] == '\n'))
      ++position_;
  }
  bool consume(char expected) {
    if (position_ < text_.size() && text_[position_] == expected) {
      ++position_;
      return true;
    }
    return false;
  }
  bool consumeWord(std::string_view word) {
    if (text_.substr(position_, word.size()) != word)
      return false;
    position_ += word.size();
    return true;
  }

  // array-body := ']' | value (',' value)* ']'       (the '[' already consumed)
  std::optional<Value> parseArrayBody(int depth, bool topLevel) {
    if (depth > MaxNesting) {
      fail("arrays nested too deeply");
      return std::nullopt;
    }
    std::vector<Value> items;
    skipSpace();
    if (consume(']'))
      return Value::list(std::move(items));
    while (true) {
      if (topLevel)
        argumentIndex_ = items.size() + 1;
      std::optional<Value> item = parseValue(depth);
      if (!item)
        return std::nullopt;
      items.push_back(std::move(*item));
      skipSpace();
      if (consume(']'))
        return Value::list(std::move(items));
      if (!consume(',')) {
        fail("expected ',' or ']'");
        return std::nullopt;
      }
      skipSpace();
    }
  }

  // value := array | number | true | false | null | NaN | Infinity | -Infinity | string | object
  std::optional<Value> parseValue(int depth) {
    skipSpace();
    if (position_ >= text_.size()) {
      fail("unexpected end of line");
      return std::nullopt;
    }
    char c = text_[position_];
    if (c == '[') {
      ++position_;
      return parseArrayBody(depth + 1, false);
    }
    if (consumeWord("true"))
      return Value::boolean(true);
    if (consumeWord("false"))
      return Value::boolean(false);
    if (consumeWord("null"))
      return Value::none();
    if (consumeWord("NaN"))
      return Value::floating(std::nan(""));
    if (consumeWord("Infinity"))
      return Value::floating(HUGE_VAL);
    if (consumeWord("-Infinity"))
      return Value::floating(-HUGE_VAL);
    if (c == '"') {
      if (!skipString())
        return std::nullopt;
      rejectUnsupported("str");
      return Value::none();
    }
    if (c == '{') {
      if (!skipObject(depth + 1))
        return std::nullopt;
      rejectUnsupported("dict");
      return Value::none();
    }
    if (c == '-' || (c >= '0' && c <= '9'))
      return parseNumber();
    fail(std::string("unexpected character '") + c + "'");
    return std::nullopt;
  }

  void rejectUnsupported(const char *typeName) {
    rejectValue("TypeError", "argument " + std::to_string(argumentIndex_) +
                                 " must be a number, a bool or a list, not " + typeName);
  }

  // number := '-'? ('0' | [1-9][0-9]*) ('.' [0-9]+)? ([eE] [+-]? [0-9]+)?
  std::optional<Value> parseNumber() {
    size_t start = position_;
    consume('-');
    auto digits = [&] {
      size_t from = position_;
      while (position_ < text_.size() && text_[position_] >= '0' && text_[position_] <= '9')
        ++position_;
      return position_ - from;
    };
    size_t integerDigits = digits();
    if (integerDigits == 0 || (integerDigits > 1 && text_[position_ - integerDigits] == '0')) {
      fail("malformed number");
      return std::nullopt;
    }
    bool isFloat = false;
    if (consume('.')) {
      isFloat = true;
      if (digits() == 0) {
        fail("malformed number");
        return std::nullopt;
      }
    }
    if (consume('e') || consume('E')) {
      isFloat = true;
      if (!consume('+'))
        consume('-');
      if (digits() == 0) {
        fail("malformed number");
        return std::nullopt;
      }
    }
    std::string_view token = text_.substr(start, position_ - start);
    if (isFloat) // strtod, not from_chars: 1e400 must read as inf, as Python's float() does
      return Value::floating(std::strtod(std::string(token).c_str(), nullptr));
    int64_t integer = 0;
    auto [end, status] = std::from_chars(token.data(), token.data() + token.size(), integer);
    if (status == std::errc::result_out_of_range) {
      rejectValue("OverflowError", "argument " + std::to_string(argumentIndex_) + ": int " +
                                       std::string(token) + " does not fit in 64 bits");
      return Value::none();
    }
    return Value::integer(integer);
  }

  bool skipString() {
    ++position_; // the opening quote
    while (position_ < text_.size()) {
      char c = text_[position_++];
      if (c == '"')
        return true;
      if (static_cast<unsigned char>(c) < 0x20)
        return fail("control character in string");
      if (c == '\\') {
        if (position_ >= text_.size())
          break;
        char escaped = text_[position_++];
        if (escaped == 'u') {
          for (int i = 0; i < 4; ++i, ++position_)
            if (position_ >= text_.size() ||
                !std::isxdigit(static_cast<unsigned char>(text_[position_])))
              return fail("malformed \\u escape");
        } else if (std::string_view("\"\\/bfnrt").find(escaped) == std::string_view::npos) {
          return fail("malformed escape in string");
        }
      }
    }
    return fail("unterminated string");
  }

  // object := '{' (string ':' value (',' string ':' value)*)? '}'
  bool skipObject(int depth) {
    if (depth > MaxNesting)
      return fail("objects nested too deeply");
    ++position_; // '{'
    skipSpace();
    if (consume('}'))
      return true;
    while (true) {
      skipSpace();
      if (position_ >= text_.size() || text_[position_] != '"')
        return fail("expected a string key");
      if (!skipString())
        return false;
      skipSpace();
      if (!consume(':'))
        return fail("expected ':'");
      if (!parseValue(depth))
        return false;
      skipSpace();
      if (consume('}'))
        return true;
      if (!consume(','))
        return fail("expected ',' or '}'");
    }
  }

  std::string_view text_;
  size_t position_ = 0;
  size_t argumentIndex_ = 0;
  std::string syntaxError_;
  std::optional<KernelError> semanticError_;
};

} // namespace

std::variant<std::vector<Value>, KernelError> parseArgumentLine(std::string_view line) {
  return ArgumentLineParser(line).parse();
}

std::string formatFloat(double value) {
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "Infinity" : "-Infinity";
  // The shortest digits that read back as the same double, e.g. "1.2345e-05" or "-0e+00".
  char buffer[64];
  auto [end, status] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view scientific(buffer, static_cast<size_t>(end - buffer));
  std::string sign = scientific.front() == '-' ? "-" : "";
  if (!sign.empty())
    scientific.remove_prefix(1);
  size_t exponentAt = scientific.find('e');
  std::string digits;
  for (char c : scientific.substr(0, exponentAt))
    if (c != '.')
      digits += c;
  int exponent = std::atoi(std::string(scientific.substr(exponentAt + 1)).c_str());

  // Python's repr switches to exponent notation outside 1e-4 <= |value| < 1e16.
  int pointPosition = exponent + 1; // digits[0:pointPosition] lie before the decimal point
  if (pointPosition > -4 && pointPosition <= 16) {
    int digitCount = static_cast<int>(digits.size());
    if (pointPosition <= 0)
      return sign + "0." + std::string(static_cast<size_t>(-pointPosition), '0') + digits;
    if (pointPosition >= digitCount)
      return sign + digits + std::string(static_cast<size_t>(pointPosition - digitCount), '0') +
             ".0";
    return sign + digits.substr(0, static_cast<size_t>(pointPosition)) + "." +
           digits.substr(static_cast<size_t>(pointPosition));
  }
  std::string mantissa = digits.substr(0, 1);
  if (digits.size() > 1)
    mantissa += "." + digits.substr(1);
  std::string exponentText = std::to_string(std::abs(exponent));
  if (exponentText.size() < 2)
    exponentText = "0" + exponentText;
  return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exponentText;
}

std::string toJson(const Value &value) {
  if (value.isNone())
    return "null";
  if (value.isBool())
    return value.asBool() ? "true" : "false";
  if (value.isInt())
    return std::to_string(value.asInt());
  if (value.isFloat())
    return formatFloat(value.asFloat());
  std::string text = "[";
  const auto &items = value.items();
  for (size_t i = 0; i < items.size(); ++i) {
    if (i)
      text += ", ";
    text += toJson(items[i]);
  }
  return text + "]";
}

std::string quoteJson(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    switch (c) {
    case '"':
      quoted += "\\\"";
      break;
    case '\\':
      quoted += "\\\\";
      break;
    case '\n':
      quoted += "\\n";
      break;
    case '\r':
      quoted += "\\r";
      break;
    case '\t':
      quoted += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char escape[8];
        std::snprintf(escape, sizeof escape, "\\u%04x", c);
        quoted += escape;
      } else {
        quoted += c;
      }
    }
  }
  return quoted + "\"";
}

std::string errorJson(const std::string &name, const std::string &message) {
  return "{\"error\": " + quoteJson(name) + ", \"message\": " + quoteJson(message) + "}";
}

std::string outcomeJson(const CallOutcome &outcome) {
  if (outcome.ok())
    return "{\"ok\": " + toJson(outcome.value()) + "}";
  return errorJson(outcome.error().name, outcome.error().message);
}

} // namespace pyvc::loader
