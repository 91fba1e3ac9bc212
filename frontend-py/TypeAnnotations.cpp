// Type annotations to IR types, and the fixed name tables of the kernel dialect (math subset,
// unsupported builtins).
#include "frontend-py/ModuleScope.h"

#include <cmath>
#include <limits>

namespace pyvc::frontend {

bool isMathFunction(const std::string &name) {
  static const std::set<std::string> functions = {"sqrt", "exp",  "log",   "log2",  "log10", "sin",
                                                  "cos",  "tan",  "atan2", "fabs",  "floor", "ceil",
                                                  "pow",  "hypot", "isnan", "isinf", "isfinite"};
  return functions.count(name) != 0;
}

bool lookupMathConstant(const std::string &name, double &value) {
  if (name == "pi")
    value = 3.141592653589793;
  else if (name == "e")
    value = 2.718281828459045;
  else if (name == "tau")
    value = 6.283185307179586;
  else if (name == "inf")
    value = std::numeric_limits<double>::infinity();
  else if (name == "nan")
    value = std::numeric_limits<double>::quiet_NaN();
  else
    return false;
  return true;
}

bool isSupportedBuiltin(const std::string &name) {
  static const std::set<std::string> builtins = {"len",   "abs",   "min",  "max",   "sum",   "any",       "all",
                                                 "sorted", "float", "int", "bool", "round", "range", "enumerate",
                                                 "zip",   "list",  "pow"};
  return builtins.count(name) != 0;
}

bool isUnsupportedBuiltin(const std::string &name) {
  static const std::set<std::string> builtins = {
      "print",   "dict",     "set",       "str",     "tuple",      "map",       "filter",
      "reversed", "isinstance", "type",  "open",      "input",   "divmod",    "hash",
      "id",      "iter",     "next",     "chr",       "ord",     "hex",        "oct",       "bin",
      "repr",    "format",   "exec",     "eval",      "vars",    "dir",        "getattr",   "setattr",
      "hasattr", "callable", "super",    "object",    "property", "staticmethod", "classmethod", "slice",
      "frozenset", "bytes",  "bytearray", "memoryview", "complex", "globals",  "locals",    "compile",
      "__import__", "breakpoint", "help", "ascii",   "issubclass", "delattr",  "exit",      "quit"};
  return builtins.count(name) != 0;
}

std::string annotationText(const AstExpr *annotation) {
  if (!annotation)
    return "?";
  switch (annotation->kind) {
  case AstExprKind::Name: return annotation->text;
  case AstExprKind::NoneLiteral: return "None";
  case AstExprKind::String: return "\"" + annotation->text + "\"";
  case AstExprKind::Attribute: return annotationText(annotation->children[0]) + "." + annotation->text;
  case AstExprKind::Subscript:
    return annotationText(annotation->children[0]) + "[" + annotationText(annotation->children[1]) + "]";
  case AstExprKind::Tuple: {
    std::string text;
    for (size_t i = 0; i < annotation->children.size(); ++i)
      text += (i ? ", " : "") + annotationText(annotation->children[i]);
    return text;
  }
  case AstExprKind::Binary:
    return annotationText(annotation->children[0]) + " " + annotation->op + " " +
           annotationText(annotation->children[1]);
  default: return "...";
  }
}

namespace {

// float, int, bool -> their kind; anything else -> None.
ir::TypeKind scalarKind(const AstExpr *annotation) {
  if (!annotation || annotation->kind != AstExprKind::Name)
    return ir::TypeKind::None;
  if (annotation->text == "float")
    return ir::TypeKind::Float;
  if (annotation->text == "int")
    return ir::TypeKind::Int;
  if (annotation->text == "bool")
    return ir::TypeKind::Bool;
  return ir::TypeKind::None;
}

// `list`, `List` (from typing) or `typing.List`; `tuple`, `Tuple` or `typing.Tuple`.
bool isGeneric(const AstExpr *base, const ModuleScope &scope, const char *builtin, const char *typingName) {
  if (base->kind == AstExprKind::Name)
    return base->text == builtin || (base->text == typingName && scope.typingImports.count(typingName));
  return base->kind == AstExprKind::Attribute && base->text == typingName &&
         base->children[0]->kind == AstExprKind::Name && scope.typingModuleNames.count(base->children[0]->text);
}

} // namespace

bool resolveAnnotation(const AstExpr *annotation, const ModuleScope &scope, bool allowTuple, ir::Type &type,
                       DiagnosticEngine *diags) {
  ir::TypeKind scalar = scalarKind(annotation);
  if (scalar != ir::TypeKind::None) {
    type = scalar == ir::TypeKind::Float ? ir::Type::floating()
           : scalar == ir::TypeKind::Int ? ir::Type::integer()
                                         : ir::Type::boolean();
    return true;
  }
  if (annotation && annotation->kind == AstExprKind::Subscript) {
    const AstExpr *base = annotation->children[0];
    const AstExpr *argument = annotation->children[1];
    if (isGeneric(base, scope, "list", "List")) {
      ir::TypeKind element = scalarKind(argument);
      if (element != ir::TypeKind::None) {
        type = ir::Type::list(element);
        return true;
      }
    } else if (allowTuple && isGeneric(base, scope, "tuple", "Tuple")) {
      std::vector<ir::TypeKind> members;
      bool ok = true;
      if (argument->kind == AstExprKind::Tuple) {
        for (const AstExpr *member : argument->children) {
          members.push_back(scalarKind(member));
          ok = ok && members.back() != ir::TypeKind::None;
        }
      } else {
        members.push_back(scalarKind(argument));
        ok = members.back() != ir::TypeKind::None;
      }
      if (ok && !members.empty()) {
        type = ir::Type::tuple(members);
        return true;
      }
    }
  }
  if (diags && annotation)
    diags->report(DiagnosticKind::UnsupportedAnnotation, annotation->span, {annotationText(annotation)});
  return false;
}

} // namespace pyvc::frontend
