// Constant folding with CPython's rules: int arithmetic is exact (here: 64-bit, an overflow is a
// diagnostic), `/` gives a float, `//` and `%` floor for ints and floats (CPython's float_rem and
// float_floor_div), `**` of ints with a negative exponent gives a float as in CPython.
#include "frontend-py/ConstantFolder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace pyvc::frontend {

namespace {

struct Failure {
  std::string reason; // empty: not a constant expression at all
  ir::Span span;
};

ConstantValue makeInt(int64_t value) { return {ir::Type::integer(), value, 0.0}; }
ConstantValue makeFloat(double value) { return {ir::Type::floating(), 0, value}; }
ConstantValue makeBool(bool value) { return {ir::Type::boolean(), value ? 1 : 0, 0.0}; }
bool isBitwiseOperator(const std::string &op) {
  return op == "&" || op == "|" || op == "^" || op == "<<" || op == ">>";
}
double asFloat(const ConstantValue &value) {
  return value.type.isFloat() ? value.floatValue : static_cast<double>(value.intValue);
}

class Folder {
public:
  Folder(const ModuleScope &scope) : scope_(scope) {}
  std::optional<Failure> failure;

  bool evaluate(const AstExpr *node, ConstantValue &out) {
    if (!node)
      return fail("", {});
    switch (node->kind) {
    case AstExprKind::Integer:
      if (node->integerTooLarge || node->integerValue > static_cast<uint64_t>(INT64_MAX))
        return fail("integer literal does not fit in 64 bits", node->span);
      out = makeInt(static_cast<int64_t>(node->integerValue));
      return true;
    case AstExprKind::Float: out = makeFloat(node->floatValue); return true;
    case AstExprKind::Bool: out = makeBool(node->integerValue != 0); return true;
    case AstExprKind::Name: return evaluateName(node, out);
    case AstExprKind::Attribute: {
      double value;
      const AstExpr *base = node->children[0];
      if (base->kind == AstExprKind::Name && scope_.mathModuleNames.count(base->text) &&
          lookupMathConstant(node->text, value)) {
        out = makeFloat(value);
        return true;
      }
      return fail("", node->span);
    }
    case AstExprKind::Unary: return evaluateUnary(node, out);
    case AstExprKind::Binary: return evaluateBinary(node, out);
    default: return fail("", node->span);
    }
  }

private:
  bool fail(std::string reason, ir::Span span) {
    if (!failure)
      failure = Failure{std::move(reason), span};
    return false;
  }

  bool evaluateName(const AstExpr *node, ConstantValue &out) {
    auto constant = scope_.constants.find(node->text);
    if (constant != scope_.constants.end()) {
      out = constant->second;
      return true;
    }
    auto imported = scope_.mathImports.find(node->text);
    double value;
    if (imported != scope_.mathImports.end() && lookupMathConstant(imported->second, value)) {
      out = makeFloat(value);
      return true;
    }
    return fail("`" + node->text + "` is not a constant defined above", node->span);
  }

  bool evaluateUnary(const AstExpr *node, ConstantValue &out) {
    const AstExpr *child = node->children[0];
    if (node->op == "-" && child->kind == AstExprKind::Integer && !child->integerTooLarge &&
        child->integerValue == static_cast<uint64_t>(INT64_MAX) + 1) {
      out = makeInt(INT64_MIN);
      return true;
    }
    ConstantValue operand;
    if (!evaluate(child, operand))
      return false;
    if (node->op == "not") {
      out = makeBool(operand.type.isFloat() ? operand.floatValue == 0.0 : operand.intValue == 0);
      return true;
    }
    if (node->op == "~") {
      if (operand.type.isFloat())
        return fail("bad operand type for unary ~: 'float'", node->span);
      out = makeInt(~operand.intValue);
      return true;
    }
    if (node->op != "-" && node->op != "+")
      return fail("", node->span);
    if (operand.type.isFloat()) {
      out = makeFloat(node->op == "-" ? -operand.floatValue : operand.floatValue);
      return true;
    }
    if (node->op == "+") {
      out = makeInt(operand.intValue);
      return true;
    }
    if (operand.intValue == INT64_MIN)
      return fail("integer overflow", node->span);
    out = makeInt(-operand.intValue);
    return true;
  }

  bool evaluateBinary(const AstExpr *node, ConstantValue &out) {
    ConstantValue lhs, rhs;
    if (!evaluate(node->children[0], lhs) || !evaluate(node->children[1], rhs))
      return false;
    const std::string &op = node->op;
    bool isFloat = lhs.type.isFloat() || rhs.type.isFloat();
    if (op == "/") {
      if (asFloat(rhs) == 0.0)
        return fail("division by zero", node->span);
      if (!isFloat)
        out = makeFloat(static_cast<double>(static_cast<long double>(lhs.intValue) / rhs.intValue));
      else
        out = makeFloat(asFloat(lhs) / asFloat(rhs));
      return true;
    }
    if (isBitwiseOperator(op)) {
      if (isFloat)
        return fail("unsupported operand type for `" + op + "`: 'float'", node->span);
      if (lhs.type.isBool() && rhs.type.isBool() && op != "<<" && op != ">>") {
        int64_t bit = op == "&" ? (lhs.intValue & rhs.intValue) : op == "|" ? (lhs.intValue | rhs.intValue)
                                                                             : (lhs.intValue ^ rhs.intValue);
        out = makeBool(bit != 0);
        return true;
      }
    }
    if (isFloat)
      return floatBinary(op, asFloat(lhs), asFloat(rhs), node->span, out);
    return intBinary(op, lhs.intValue, rhs.intValue, node->span, out);
  }

  bool floatBinary(const std::string &op, double a, double b, ir::Span span, ConstantValue &out) {
    double result;
    if (op == "+")
      result = a + b;
    else if (op == "-")
      result = a - b;
    else if (op == "*")
      result = a * b;
    else if (op == "//" || op == "%") {
      if (b == 0.0)
        return fail("division by zero", span);
      double mod = std::fmod(a, b);
      double div = (a - mod) / b;
      if (mod != 0.0) {
        if ((b < 0) != (mod < 0)) {
          mod += b;
          div -= 1.0;
        }
      } else {
        mod = std::copysign(0.0, b);
      }
      double floorDiv;
      if (div != 0.0) {
        floorDiv = std::floor(div);
        if (div - floorDiv > 0.5)
          floorDiv += 1.0;
      } else {
        floorDiv = std::copysign(0.0, a / b);
      }
      result = op == "//" ? floorDiv : mod;
    } else if (op == "**") {
      if (a == 0.0 && b < 0.0)
        return fail("0.0 cannot be raised to a negative power", span);
      if (a < 0.0 && std::isfinite(b) && std::floor(b) != b)
        return fail("negative number cannot be raised to a fractional power", span);
      result = std::pow(a, b);
      if (std::isinf(result) && std::isfinite(a) && std::isfinite(b))
        return fail("numerical result out of range", span);
    } else {
      return fail("", span);
    }
    out = makeFloat(result);
    return true;
  }

  bool intBinary(const std::string &op, int64_t a, int64_t b, ir::Span span, ConstantValue &out) {
    int64_t result = 0;
    bool overflow = false;
    if (op == "&" || op == "|" || op == "^") {
      result = op == "&" ? (a & b) : op == "|" ? (a | b) : (a ^ b);
    } else if (op == "<<" || op == ">>") {
      if (b < 0)
        return fail("negative shift count", span);
      if (op == ">>")
        result = a >> std::min<int64_t>(b, 63);
      else {
        result = b >= 64 ? 0 : static_cast<int64_t>(static_cast<uint64_t>(a) << b);
        overflow = b >= 64 ? a != 0 : (result >> b) != a;
      }
    } else if (op == "+")
      overflow = __builtin_add_overflow(a, b, &result);
    else if (op == "-")
      overflow = __builtin_sub_overflow(a, b, &result);
    else if (op == "*")
      overflow = __builtin_mul_overflow(a, b, &result);
    else if (op == "//" || op == "%") {
      if (b == 0)
        return fail("integer division or modulo by zero", span);
      if (a == INT64_MIN && b == -1) {
        overflow = op == "//";
        result = 0;
      } else {
        int64_t quotient = a / b, remainder = a % b;
        if (remainder != 0 && ((remainder < 0) != (b < 0))) {
          quotient -= 1;
          remainder += b;
        }
        result = op == "//" ? quotient : remainder;
      }
    } else if (op == "**") {
      if (b < 0) {
        if (a == 0)
          return fail("0.0 cannot be raised to a negative power", span);
        out = makeFloat(std::pow(static_cast<double>(a), static_cast<double>(b)));
        return true;
      }
      // Exponentiation by squaring; once the base squared overflows, so would the result,
      // because the remaining exponent still multiplies it in at least once.
      result = 1;
      int64_t base = a;
      for (int64_t exponent = b; exponent > 0 && !overflow;) {
        if (exponent & 1)
          overflow = __builtin_mul_overflow(result, base, &result);
        exponent >>= 1;
        if (exponent && !overflow)
          overflow = __builtin_mul_overflow(base, base, &base);
      }
    } else {
      return fail("", span);
    }
    if (overflow)
      return fail("the result does not fit in 64 bits", span);
    out = makeInt(result);
    return true;
  }

  const ModuleScope &scope_;
};

} // namespace

bool foldConstant(const std::string &name, const AstExpr *expression, const ModuleScope &scope, ConstantValue &value) {
  Folder folder(scope);
  if (folder.evaluate(expression, value))
    return true;
  const Failure &failure = *folder.failure;
  if (failure.reason.empty()) {
    ir::Span span = failure.span.line ? failure.span : expression ? expression->span : ir::Span{};
    scope.diags.report(DiagnosticKind::InvalidConstant, span, {name, "not a constant expression"});
  } else {
    scope.diags.report(DiagnosticKind::ConstantFolding, failure.span, {name, failure.reason});
  }
  return false;
}

} // namespace pyvc::frontend
