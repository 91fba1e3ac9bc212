// Calls (functions of the module, math, builtins), comprehensions and reductions, and the
// iteration spaces of `for` loops and generators (range, lists, enumerate, zip).
#include "frontend-py/FunctionLowerer.h"
#include "ir/Visit.h"
#include "ir/analysis/PossibleErrors.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace pyvc::frontend {

namespace {

int rank(const ir::Type &type) { return type.isBool() ? 0 : type.isInt() ? 1 : 2; }

std::string countText(size_t count, const char *noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

struct MathFunction {
  const char *name;
  ir::IntrinsicOp op;
  size_t arguments;
  ir::TypeKind result;
};

const MathFunction *findMathFunction(const std::string &name, size_t arguments) {
  static const MathFunction table[] = {
      {"sqrt", ir::IntrinsicOp::Sqrt, 1, ir::TypeKind::Float},   {"exp", ir::IntrinsicOp::Exp, 1, ir::TypeKind::Float},
      {"log", ir::IntrinsicOp::Log, 1, ir::TypeKind::Float},     {"log", ir::IntrinsicOp::LogBase, 2, ir::TypeKind::Float},
      {"log2", ir::IntrinsicOp::Log2, 1, ir::TypeKind::Float},   {"log10", ir::IntrinsicOp::Log10, 1, ir::TypeKind::Float},
      {"sin", ir::IntrinsicOp::Sin, 1, ir::TypeKind::Float},     {"cos", ir::IntrinsicOp::Cos, 1, ir::TypeKind::Float},
      {"tan", ir::IntrinsicOp::Tan, 1, ir::TypeKind::Float},     {"fabs", ir::IntrinsicOp::Fabs, 1, ir::TypeKind::Float},
      {"atan2", ir::IntrinsicOp::Atan2, 2, ir::TypeKind::Float}, {"hypot", ir::IntrinsicOp::Hypot, 2, ir::TypeKind::Float},
      {"pow", ir::IntrinsicOp::MathPow, 2, ir::TypeKind::Float}, {"floor", ir::IntrinsicOp::Floor, 1, ir::TypeKind::Int},
      {"ceil", ir::IntrinsicOp::Ceil, 1, ir::TypeKind::Int},     {"isnan", ir::IntrinsicOp::IsNan, 1, ir::TypeKind::Bool},
      {"isinf", ir::IntrinsicOp::IsInf, 1, ir::TypeKind::Bool},  {"isfinite", ir::IntrinsicOp::IsFinite, 1, ir::TypeKind::Bool},
  };
  for (const MathFunction &function : table)
    if (name == function.name && arguments == function.arguments)
      return &function;
  return nullptr;
}

ir::Type scalarType(ir::TypeKind kind) {
  return kind == ir::TypeKind::Float ? ir::Type::floating() : kind == ir::TypeKind::Int ? ir::Type::integer() : ir::Type::boolean();
}

// Whether an argument may evaluate to a list some name still refers to after the call: a name,
// or a conditional expression with such a branch. Everything else that yields a list (a slice,
// a literal, a comprehension, an operator, another call's result) is a fresh temporary.
bool mayBeNamedList(const AstExpr *node) {
  if (node->kind == AstExprKind::Name)
    return true;
  return node->kind == AstExprKind::IfExp && (mayBeNamedList(node->children[0]) || mayBeNamedList(node->children[2]));
}

bool isGenerator(const AstExpr *node) {
  return node->kind == AstExprKind::GeneratorExp || node->kind == AstExprKind::ListComp;
}

// The names a `for` target binds (a name, or a tuple or list of targets).
void collectNames(const AstExpr *target, std::set<std::string> &names) {
  if (target->kind == AstExprKind::Name)
    names.insert(target->text);
  else if (target->kind == AstExprKind::Tuple || target->kind == AstExprKind::List)
    for (const AstExpr *child : target->children)
      collectNames(child, names);
}

// Whether evaluating `expr` can raise: a node below it that raises by itself, or a call.
bool mayRaise(const ir::Expr *expr) {
  bool raises = false;
  ir::walkExpr(expr, [&](const ir::Expr &node) { raises = raises || node.is<ir::CallExpr>() || !ir::errorsOfExpr(node).empty(); });
  return raises;
}

// CPython builds the whole list of `reduce([... for ...])` before the reduction reads it.
// Reducing while the elements are made (no list) gives the same result and the same first
// error when no element can raise (the first iterable is evaluated first either way), or when
// the reduction reads every element and cannot raise itself: min, max and float sums. any/all
// stop early and an int sum can overflow, so those fuse only elements that cannot raise.
bool fusingIsExact(ir::ComprehensionKind kind, const ir::ComprehensionExpr &list) {
  bool elementsMayRaise = mayRaise(list.element);
  for (size_t level = 0; level < list.generators.size(); ++level) {
    const ir::Generator &generator = list.generators[level];
    for (const ir::Expr *condition : generator.conditions)
      elementsMayRaise = elementsMayRaise || mayRaise(condition);
    if (level > 0)
      ir::forEachSpaceSlot(const_cast<ir::IterationSpace &>(generator.space),
                           [&](ir::Expr *&slot) { elementsMayRaise = elementsMayRaise || mayRaise(slot); });
  }
  if (!elementsMayRaise)
    return true;
  return kind == ir::ComprehensionKind::Min || kind == ir::ComprehensionKind::Max ||
         (kind == ir::ComprehensionKind::Sum && list.element->type.isFloat());
}

const char *reductionName(ir::ComprehensionKind kind) {
  switch (kind) {
  case ir::ComprehensionKind::List: return "list";
  case ir::ComprehensionKind::Sum: return "sum";
  case ir::ComprehensionKind::Min: return "min";
  case ir::ComprehensionKind::Max: return "max";
  case ir::ComprehensionKind::Any: return "any";
  case ir::ComprehensionKind::All: return "all";
  }
  return "?";
}

} // namespace

// ---- argument checks ------------------------------------------------------------------------

bool FunctionLowerer::checkArgumentCount(const AstExpr *node, const std::string &name, size_t minimum, size_t maximum) {
  size_t given = node->children.size() - 1;
  if (given >= minimum && given <= maximum)
    return true;
  std::string takes = minimum == maximum                                ? countText(minimum, "argument")
                      : maximum == std::numeric_limits<size_t>::max() ? "at least " + countText(minimum, "argument")
                                                                        : std::to_string(minimum) + " to " + countText(maximum, "argument");
  report(DiagnosticKind::ArgumentCount, node->span, {name, takes, std::to_string(given) + (given == 1 ? " was" : " were")});
  return false;
}

bool FunctionLowerer::rejectKeywords(const AstExpr *node, const std::set<std::string> &allowed) {
  bool ok = true;
  for (const AstKeyword &keyword : node->keywords) {
    if (!keyword.name.empty() && allowed.count(keyword.name))
      continue;
    report(DiagnosticKind::KeywordArgument, keyword.span, {keyword.name.empty() ? "**" : keyword.name});
    ok = false;
  }
  return ok;
}

const AstExpr *FunctionLowerer::keywordArgument(const AstExpr *node, const std::string &name) const {
  for (const AstKeyword &keyword : node->keywords)
    if (keyword.name == name)
      return keyword.value;
  return nullptr;
}

// True when `name` still means the builtin: no local, function, constant or import hides it.
bool FunctionLowerer::isBuiltinName(const std::string &name, const char *builtin) const {
  return name == builtin && !isShadowed(name) && !scope_.functionIndex.count(name) && !scope_.constants.count(name) &&
         !scope_.mathImports.count(name);
}

// ---- calls ----------------------------------------------------------------------------------

Value FunctionLowerer::lowerCall(const AstExpr *node, const ir::Type *hint) {
  const AstExpr *callee = node->children[0];
  if (callee->kind == AstExprKind::Attribute) {
    const AstExpr *base = callee->children[0];
    if (base->kind == AstExprKind::Name && scope_.mathModuleNames.count(base->text) && !isShadowed(base->text)) {
      if (isMathFunction(callee->text))
        return lowerMathCall(node, callee->text);
      double ignored;
      report(lookupMathConstant(callee->text, ignored) ? DiagnosticKind::NotCallable : DiagnosticKind::UnknownMathName,
             callee->span, {lookupMathConstant(callee->text, ignored) ? base->text + "." + callee->text : callee->text});
      return {};
    }
    Value object = lowerExpr(base);
    if (object && object.type().isList() && callee->text == "copy") {
      // xs.copy() is xs[:]
      if (!rejectKeywords(node) || !checkArgumentCount(node, "copy", 0, 0))
        return {};
      return {arena_->make<ir::SliceExpr>(object.type(), node->span, object.expr, nullptr, nullptr)};
    }
    if (object || base->kind != AstExprKind::Name)
      report(DiagnosticKind::UnsupportedMethod, callee->span, {callee->text});
    return {};
  }
  if (callee->kind != AstExprKind::Name) {
    report(DiagnosticKind::NotCallable, callee->span, {"this expression"});
    return {};
  }
  const std::string &name = callee->text;
  if (isShadowed(name)) {
    report(DiagnosticKind::NotCallable, callee->span, {name});
    return {};
  }
  auto function = scope_.functionIndex.find(name);
  if (function != scope_.functionIndex.end())
    return lowerUserCall(node, function->second);
  auto imported = scope_.mathImports.find(name);
  if (imported != scope_.mathImports.end()) {
    if (isMathFunction(imported->second))
      return lowerMathCall(node, imported->second);
    report(DiagnosticKind::NotCallable, callee->span, {name});
    return {};
  }
  if (scope_.constants.count(name)) {
    report(DiagnosticKind::NotCallable, callee->span, {name});
    return {};
  }
  if (isSupportedBuiltin(name))
    return lowerBuiltinCall(node, name, hint);
  report(isUnsupportedBuiltin(name) ? DiagnosticKind::UnsupportedBuiltin : DiagnosticKind::UnknownName, callee->span,
         {name});
  return {};
}

// A call to a function of the same file; arguments convert to the parameter types.
Value FunctionLowerer::lowerUserCall(const AstExpr *node, uint32_t callee) {
  const ir::Function &function = scope_.module.functions[callee];
  bool ok = rejectKeywords(node);
  // With keyword arguments the count is off by them; the keyword error says enough.
  ok = ok && checkArgumentCount(node, function.name, function.parameters.size(), function.parameters.size());
  ir::CallExpr *call = arena_->make<ir::CallExpr>(function.returnType, node->span, callee);
  for (size_t i = 1; i < node->children.size(); ++i) {
    if (i > function.parameters.size()) {
      lowerExpr(node->children[i]);
      continue;
    }
    const ir::Local &parameter = function.locals[function.parameters[i - 1]];
    noteExpectedList(node->children[i], parameter.type);
    Value argument = coerce(lowerExprOrEmpty(node->children[i], &parameter.type), parameter.type, node->children[i]->span,
                            "the argument for `" + parameter.name + "`");
    ok = ok && argument;
    call->arguments.push_back(argument.expr);
    // Checked for E0329 once every callee's body is lowered (ModuleAnalysis).
    if (reporting_ && argument && parameter.type.isList() && mayBeNamedList(node->children[i]))
      scope_.namedListArguments.push_back({callee, node, i});
  }
  return {ok ? call : nullptr};
}

Value FunctionLowerer::lowerMathCall(const AstExpr *node, const std::string &name) {
  bool ok = rejectKeywords(node);
  size_t given = node->children.size() - 1;
  const MathFunction *function = findMathFunction(name, given);
  if (!function) {
    size_t minimum = name == "log" ? 1 : findMathFunction(name, 1) ? 1 : 2;
    size_t maximum = name == "log" ? 2 : minimum;
    checkArgumentCount(node, "math." + name, minimum, maximum);
    return {};
  }
  std::vector<Value> arguments;
  for (size_t i = 1; i < node->children.size(); ++i) {
    Value argument = lowerExpr(node->children[i]);
    if (argument && !argument.type().isScalar()) {
      report(DiagnosticKind::MismatchedTypes, node->children[i]->span,
             {"float", argument.type().str(), "the argument of `math." + name + "` is `" + argument.type().str() + "`", ""});
      argument = {};
    }
    ok = ok && argument;
    arguments.push_back(argument);
  }
  if (!ok)
    return {};
  // math.floor/ceil of an int is the int itself (CPython does not go through float).
  if ((function->op == ir::IntrinsicOp::Floor || function->op == ir::IntrinsicOp::Ceil) && !arguments[0].type().isFloat())
    return {convert(arguments[0].expr, ir::Type::integer())};
  ir::IntrinsicExpr *intrinsic = arena_->make<ir::IntrinsicExpr>(scalarType(function->result), node->span, function->op);
  for (const Value &argument : arguments)
    intrinsic->arguments.push_back(convert(argument.expr, ir::Type::floating()));
  return {intrinsic};
}

Value FunctionLowerer::lowerBuiltinCall(const AstExpr *node, const std::string &name, const ir::Type *hint) {
  if (name == "range" || name == "enumerate" || name == "zip") {
    report(DiagnosticKind::IterationOutsideLoop, node->span, {name});
    return {};
  }
  if (name == "min" || name == "max")
    return lowerMinMax(node, name);
  if (name == "float" || name == "int" || name == "bool")
    return lowerConversion(node, name);
  if (name == "sum") {
    bool ok = rejectKeywords(node, {"start"});
    const AstExpr *startNode = node->children.size() > 2 ? node->children[2] : keywordArgument(node, "start");
    if (!checkArgumentCount(node, "sum", 1, startNode && node->children.size() <= 2 ? 1 : 2) || !ok)
      return {};
    ir::Expr *start = nullptr;
    if (startNode) {
      Value startValue = lowerExpr(startNode);
      if (!startValue)
        return {};
      if (!startValue.type().isScalar()) {
        report(DiagnosticKind::BuiltinMisuse, startNode->span,
               {"sum", "a number as its start", "this is `" + startValue.type().str() + "`", ""});
        return {};
      }
      start = startValue.expr;
    }
    return lowerReduction(ir::ComprehensionKind::Sum, node->children[1], start, node->span, hint);
  }
  if (name == "pow") {
    // pow(base, exp) is base ** exp; the three-argument (modular) form is not supported.
    if (!rejectKeywords(node) || !checkArgumentCount(node, name, 2, 2))
      return {};
    Value base = lowerExpr(node->children[1]);
    Value exponent = lowerExpr(node->children[2]);
    return binaryValues("**", base, exponent, node->span);
  }
  if (name == "list" && node->children.size() == 1 && node->keywords.empty()) {
    AstExpr empty(AstExprKind::List, node->span); // list() is []
    return lowerList(&empty, hint);
  }
  if (!rejectKeywords(node) || !checkArgumentCount(node, name, 1, 1))
    return {};
  const AstExpr *argumentNode = node->children[1];
  if (name == "any" || name == "all")
    return lowerReduction(name == "any" ? ir::ComprehensionKind::Any : ir::ComprehensionKind::All, argumentNode, nullptr,
                          node->span, hint);
  if (name == "list") {
    // list(iterable) is the list comprehension `[v for v in iterable]`: a new list in every case
    // (a copy of a list, the values of a range, a zip, a generator's elements).
    if (argumentNode->kind == AstExprKind::GeneratorExp)
      return lowerGenerator(argumentNode, ir::ComprehensionKind::List, hint);
    return lowerGenerator(copyComprehension(argumentNode), ir::ComprehensionKind::List, hint);
  }
  if (name == "sorted") {
    Value list = isGenerator(argumentNode) ? lowerGenerator(argumentNode, ir::ComprehensionKind::List, hint)
                                           : lowerExpr(argumentNode, hint);
    if (!list)
      return {};
    if (!list.type().isList()) {
      report(DiagnosticKind::BuiltinMisuse, argumentNode->span, {"sorted", "a list", "this is `" + list.type().str() + "`", ""});
      return {};
    }
    return {arena_->make<ir::SortedExpr>(list.type(), node->span, list.expr)};
  }
  Value argument = lowerExpr(argumentNode);
  if (!argument)
    return {};
  if (name == "len") {
    if (!argument.type().isList()) {
      report(DiagnosticKind::BuiltinMisuse, argumentNode->span, {"len", "a list", "this is `" + argument.type().str() + "`", ""});
      return {};
    }
    return {arena_->make<ir::ListLengthExpr>(node->span, argument.expr)};
  }
  if (!argument.type().isScalar()) {
    report(DiagnosticKind::BuiltinMisuse, argumentNode->span, {name, "a number", "this is `" + argument.type().str() + "`", ""});
    return {};
  }
  ir::Type type = argument.type().isBool() ? ir::Type::integer() : argument.type();
  if (name == "abs") {
    ir::IntrinsicExpr *intrinsic = arena_->make<ir::IntrinsicExpr>(type, node->span, ir::IntrinsicOp::Abs);
    intrinsic->arguments.push_back(convert(argument.expr, type));
    return {intrinsic};
  }
  // round(x): an int stays itself; a float rounds half to even to an int.
  if (!type.isFloat())
    return {convert(argument.expr, type)};
  ir::IntrinsicExpr *intrinsic = arena_->make<ir::IntrinsicExpr>(ir::Type::integer(), node->span, ir::IntrinsicOp::Round);
  intrinsic->arguments.push_back(argument.expr);
  return {intrinsic};
}

// min/max of one sequence is a reduction; of two or more scalars, an intrinsic.
Value FunctionLowerer::lowerMinMax(const AstExpr *node, const std::string &name) {
  if (!rejectKeywords(node) || !checkArgumentCount(node, name, 1, std::numeric_limits<size_t>::max()))
    return {};
  if (node->children.size() == 2)
    return lowerReduction(name == "min" ? ir::ComprehensionKind::Min : ir::ComprehensionKind::Max, node->children[1],
                          nullptr, node->span, nullptr);
  std::vector<Value> arguments;
  bool ok = true;
  ir::Type type = ir::Type::boolean();
  for (size_t i = 1; i < node->children.size(); ++i) {
    Value argument = lowerExpr(node->children[i]);
    if (argument && !argument.type().isScalar()) {
      report(DiagnosticKind::BuiltinMisuse, node->children[i]->span,
             {name, "numbers when given several arguments", "this is `" + argument.type().str() + "`",
              "for the " + name + " of a list, pass the list alone: `" + name + "(xs)`"});
      argument = {};
    }
    ok = ok && argument;
    if (argument && rank(argument.type()) > rank(type))
      type = argument.type();
    arguments.push_back(argument);
  }
  if (!ok)
    return {};
  if (type.isBool())
    type = ir::Type::integer();
  ir::IntrinsicExpr *intrinsic =
      arena_->make<ir::IntrinsicExpr>(type, node->span, name == "min" ? ir::IntrinsicOp::Min : ir::IntrinsicOp::Max);
  for (const Value &argument : arguments)
    intrinsic->arguments.push_back(convert(argument.expr, type));
  return {intrinsic};
}

// float(x), int(x), bool(x); also float("nan"), float("inf"), float("-inf").
Value FunctionLowerer::lowerConversion(const AstExpr *node, const std::string &name) {
  if (!rejectKeywords(node) || !checkArgumentCount(node, name, 0, 1))
    return {};
  if (node->children.size() == 1)
    return {name == "float" ? floatConstant(0.0, node->span) : name == "int" ? intConstant(0, node->span) : boolConstant(false, node->span)};
  const AstExpr *argumentNode = node->children[1];
  if (name == "float" && argumentNode->kind == AstExprKind::String && argumentNode->op.empty()) {
    // As CPython: whitespace around the text (none inside), a sign, any letter case.
    const std::string &written = argumentNode->text;
    auto isSpace = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    size_t begin = 0, end = written.size();
    while (begin < end && isSpace(written[begin]))
      ++begin;
    while (end > begin && isSpace(written[end - 1]))
      --end;
    std::string text;
    for (size_t i = begin; i < end; ++i)
      text += static_cast<char>(std::tolower(static_cast<unsigned char>(written[i])));
    bool negative = !text.empty() && text[0] == '-';
    if (!text.empty() && (text[0] == '-' || text[0] == '+'))
      text.erase(0, 1);
    if (text == "nan" || text == "inf" || text == "infinity") {
      double value = text == "nan" ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
      return {floatConstant(negative ? -value : value, node->span)};
    }
    report(DiagnosticKind::BuiltinMisuse, argumentNode->span,
           {"float", "a number, or one of the strings \"nan\", \"inf\", \"-inf\"", "unsupported string", ""});
    return {};
  }
  Value argument = lowerExpr(argumentNode);
  if (!argument)
    return {};
  const ir::Type &type = argument.type();
  if (name == "bool")
    return {truth(argument.expr, argumentNode->span)};
  if (!type.isScalar()) {
    report(DiagnosticKind::BuiltinMisuse, argumentNode->span, {name, "a number", "this is `" + type.str() + "`", ""});
    return {};
  }
  if (name == "float")
    return {convert(argument.expr, ir::Type::floating())};
  if (type.isFloat())
    return {arena_->make<ir::ConvertExpr>(ir::Type::integer(), node->span, ir::ConvertOp::FloatToInt, argument.expr)};
  return {convert(argument.expr, ir::Type::integer())};
}

// ---- comprehensions and reductions ------------------------------------------------------------

// sum/min/max/any/all over a generator, a list comprehension or a list value.
Value FunctionLowerer::lowerReduction(ir::ComprehensionKind kind, const AstExpr *argument, ir::Expr *start, ir::Span span,
                                      const ir::Type *hint) {
  if (argument->kind == AstExprKind::GeneratorExp) {
    Value result = lowerGenerator(argument, kind, hint, start);
    if (result)
      result.expr->span = span;
    return result;
  }
  Value list;
  if (argument->kind == AstExprKind::ListComp) {
    list = lowerGenerator(argument, ir::ComprehensionKind::List, nullptr);
    auto *comprehension = list ? list.expr->as<ir::ComprehensionExpr>() : nullptr;
    if (comprehension && fusingIsExact(kind, *comprehension)) {
      comprehension->comprehensionKind = kind;
      comprehension->span = span;
      return finishComprehension(comprehension, {comprehension->element}, start, hint, argument->children[0]->span);
    }
  } else {
    list = lowerExpr(argument);
  }
  if (!list)
    return {};
  if (!list.type().isList()) {
    report(DiagnosticKind::BuiltinMisuse, argument->span,
           {reductionName(kind), "a list or a generator expression", "this is `" + list.type().str() + "`", ""});
    return {};
  }
  ir::ComprehensionExpr *comprehension = arena_->make<ir::ComprehensionExpr>(ir::Type::none(), span, kind);
  ir::Generator generator;
  generator.space.kind = ir::IterationSpace::Kind::Sequences;
  generator.space.lists.push_back(list.expr);
  ir::LocalId element = newTemporary("x", list.type().element(), argument->span);
  generator.space.targets.push_back(element);
  comprehension->generators.push_back(generator);
  return finishComprehension(comprehension, {localRef(element, argument->span)}, start, hint, argument->span);
}

Value FunctionLowerer::lowerGenerator(const AstExpr *node, ir::ComprehensionKind kind, const ir::Type *hint, ir::Expr *start) {
  ir::ComprehensionExpr *comprehension = arena_->make<ir::ComprehensionExpr>(ir::Type::none(), node->span, kind);
  comprehensionScopes_.emplace_back();
  bool ok = true;
  for (size_t index = 0; index < node->generators.size(); ++index) {
    const AstComprehension &clause = node->generators[index];
    if (clause.isAsync) {
      report(DiagnosticKind::UnsupportedStatement, clause.target->span, {"async for", "asynchronous comprehension"});
      ok = false;
      break;
    }
    ir::Generator generator;
    ir::Block prologue; // comprehension variables are exact: nothing to convert
    if (!lowerIterationSpace(clause.iterable, clause.target, true, generator.space, prologue)) {
      ok = false;
      break;
    }
    // The first iterable is evaluated outside the comprehension; from here on, the targets of
    // the later clauses are the comprehension's locals, unbound until their clause runs.
    if (index == 0)
      for (size_t later = 1; later < node->generators.size(); ++later)
        collectNames(node->generators[later].target, comprehensionScopes_.back().unbound);
    for (const AstExpr *condition : clause.conditions) {
      ir::Expr *lowered = lowerCondition(condition);
      ok = ok && lowered;
      generator.conditions.push_back(lowered);
    }
    comprehension->generators.push_back(generator);
  }
  Value element;
  if (ok) {
    ir::Type elementHint = hint && hint->isList() && kind == ir::ComprehensionKind::List ? hint->element() : ir::Type::none();
    element = lowerExpr(node->children[0], elementHint.isNone() ? nullptr : &elementHint);
  }
  comprehensionScopes_.pop_back();
  if (!ok)
    return {};
  return finishComprehension(comprehension, element, start, hint, node->children[0]->span);
}

Value FunctionLowerer::finishComprehension(ir::ComprehensionExpr *comprehension, Value element, ir::Expr *start,
                                           const ir::Type *hint, ir::Span elementSpan) {
  if (!element)
    return {};
  ir::Type type = element.type();
  ir::ComprehensionKind kind = comprehension->comprehensionKind;
  if (!type.isScalar()) {
    if (kind == ir::ComprehensionKind::List)
      report(DiagnosticKind::UnsupportedValue, elementSpan, {"nested list", "list element that is not a number or bool"});
    else
      report(DiagnosticKind::BuiltinMisuse, elementSpan,
             {reductionName(kind), "numbers or bools", "this is `" + type.str() + "`", ""});
    return {};
  }
  switch (kind) {
  case ir::ComprehensionKind::List: {
    ir::Type elementType = type;
    if (hint && hint->isList() && rank(hint->element()) > rank(type))
      elementType = hint->element();
    comprehension->element = convert(element.expr, elementType);
    comprehension->type = ir::Type::list(elementType.kind());
    break;
  }
  case ir::ComprehensionKind::Sum: {
    // Python sums bools as ints; the start (0 unless given) joins the result type.
    ir::Type elementType = type.isBool() ? ir::Type::integer() : type;
    ir::Expr *initial = start ? start : intConstant(0, comprehension->span);
    ir::Type resultType = rank(initial->type) > rank(elementType) ? initial->type : elementType;
    if (resultType.isBool())
      resultType = ir::Type::integer();
    comprehension->element = convert(element.expr, resultType);
    comprehension->start = convert(initial, resultType);
    comprehension->type = resultType;
    break;
  }
  case ir::ComprehensionKind::Min:
  case ir::ComprehensionKind::Max:
    comprehension->element = element.expr;
    comprehension->type = type;
    break;
  case ir::ComprehensionKind::Any:
  case ir::ComprehensionKind::All:
    comprehension->element = truth(element.expr, elementSpan);
    comprehension->type = ir::Type::boolean();
    break;
  }
  return {comprehension};
}

// ---- iteration spaces -----------------------------------------------------------------------

bool FunctionLowerer::lowerSequence(const AstExpr *iterable, std::vector<ir::Expr *> &lists) {
  Value list = lowerExpr(iterable);
  if (!list)
    return false;
  if (!list.type().isList()) {
    report(DiagnosticKind::NotAList, iterable->span, {list.type().str(), "cannot be iterated in kernels"});
    return false;
  }
  lists.push_back(list.expr);
  return true;
}

// Binds the loop variables to `types`, in order. A single type takes a plain name; several
// take a tuple of names (as `for i, x in enumerate(xs)`).
bool FunctionLowerer::bindTargets(const AstExpr *target, const std::vector<ir::Type> &types, bool comprehension,
                                  ir::IterationSpace &space, ir::Block &prologue) {
  std::vector<const AstExpr *> names;
  if (types.size() == 1) {
    names.push_back(target);
  } else if (target->kind == AstExprKind::Tuple || target->kind == AstExprKind::List) {
    if (target->children.size() != types.size()) {
      report(DiagnosticKind::UnpackCount, target->span,
             {countText(types.size(), "value"), countText(target->children.size(), "target")});
      return false;
    }
    names.assign(target->children.begin(), target->children.end());
  } else {
    report(DiagnosticKind::UnpackCount, target->span, {countText(types.size(), "value"), "1 target"});
    return false;
  }
  for (const AstExpr *name : names)
    if (name->kind != AstExprKind::Name) {
      if (name->kind == AstExprKind::Tuple || name->kind == AstExprKind::List)
        report(DiagnosticKind::UnpackCount, name->span, {"1 value", countText(name->children.size(), "target")});
      else
        report(DiagnosticKind::InvalidAssignTarget, name->span, {"this loop variable"});
      return false;
    }
  for (size_t i = 0; i < names.size(); ++i)
    space.targets.push_back(bindLoopTarget(names[i], types[i], comprehension, prologue));
  return true;
}

bool FunctionLowerer::lowerIterationSpace(const AstExpr *iterable, const AstExpr *target, bool comprehension,
                                          ir::IterationSpace &space, ir::Block &prologue) {
  const AstExpr *callee = iterable->kind == AstExprKind::Call ? iterable->children[0] : nullptr;
  std::string name = callee && callee->kind == AstExprKind::Name ? callee->text : "";
  if (isBuiltinName(name, "range")) {
    if (!rejectKeywords(iterable) || !checkArgumentCount(iterable, "range", 1, 3))
      return false;
    std::vector<ir::Expr *> bounds;
    bool ok = true;
    for (size_t i = 1; i < iterable->children.size(); ++i) {
      Value bound = coerceIndex(lowerExpr(iterable->children[i]), iterable->children[i]->span, "the `range` argument");
      ok = ok && bound;
      bounds.push_back(bound.expr);
    }
    if (!ok)
      return false;
    space.kind = ir::IterationSpace::Kind::Range;
    space.start = bounds.size() > 1 ? bounds[0] : intConstant(0, iterable->span);
    space.stop = bounds.size() > 1 ? bounds[1] : bounds[0];
    space.step = bounds.size() > 2 ? bounds[2] : intConstant(1, iterable->span);
    return bindTargets(target, {ir::Type::integer()}, comprehension, space, prologue);
  }
  space.kind = ir::IterationSpace::Kind::Sequences;
  const AstExpr *sequences = iterable;
  if (isBuiltinName(name, "enumerate")) {
    if (!rejectKeywords(iterable, {"start"}) || !checkArgumentCount(iterable, "enumerate", 1, keywordArgument(iterable, "start") ? 1 : 2))
      return false;
    const AstExpr *startNode = iterable->children.size() > 2 ? iterable->children[2] : keywordArgument(iterable, "start");
    Value start = startNode ? coerceIndex(lowerExpr(startNode), startNode->span, "the `enumerate` start") : Value{intConstant(0, iterable->span)};
    if (!start)
      return false;
    space.withIndex = true;
    space.indexStart = start.expr;
    sequences = iterable->children[1];
  }
  const AstExpr *innerCallee = sequences->kind == AstExprKind::Call ? sequences->children[0] : nullptr;
  if (innerCallee && innerCallee->kind == AstExprKind::Name && isBuiltinName(innerCallee->text, "zip")) {
    if (!rejectKeywords(sequences) || !checkArgumentCount(sequences, "zip", 1, std::numeric_limits<size_t>::max()))
      return false;
    bool ok = true;
    for (size_t i = 1; i < sequences->children.size(); ++i)
      ok = lowerSequence(sequences->children[i], space.lists) && ok;
    if (!ok)
      return false;
  } else if (!lowerSequence(sequences, space.lists)) {
    return false;
  }
  std::vector<ir::Type> elementTypes;
  for (ir::Expr *list : space.lists)
    elementTypes.push_back(list->type.element());
  if (!space.withIndex)
    return bindTargets(target, elementTypes, comprehension, space, prologue);
  // enumerate: (index, element) or (index, (a, b)) for enumerate(zip(a, b)).
  if ((target->kind != AstExprKind::Tuple && target->kind != AstExprKind::List) || target->children.size() != 2) {
    size_t given = target->kind == AstExprKind::Tuple || target->kind == AstExprKind::List ? target->children.size() : 1;
    report(DiagnosticKind::UnpackCount, target->span, {"2 values", countText(given, "target")});
    return false;
  }
  if (!bindTargets(target->children[0], {ir::Type::integer()}, comprehension, space, prologue))
    return false;
  return bindTargets(target->children[1], elementTypes, comprehension, space, prologue);
}

const AstExpr *FunctionLowerer::copyComprehension(const AstExpr *iterable) {
  std::vector<std::unique_ptr<AstExpr>> &nodes = synthesized_[iterable];
  if (nodes.empty()) {
    auto element = std::make_unique<AstExpr>(AstExprKind::Name, iterable->span);
    element->text = "$v"; // not a Python name: cannot clash with the kernel's
    auto generator = std::make_unique<AstExpr>(AstExprKind::GeneratorExp, iterable->span);
    generator->children.push_back(element.get());
    generator->generators.push_back({element.get(), const_cast<AstExpr *>(iterable), {}, false});
    generator->depth = iterable->depth + 1;
    nodes.push_back(std::move(element));
    nodes.push_back(std::move(generator));
  }
  return nodes.back().get();
}

} // namespace pyvc::frontend
