// The module level: imports, constants, the `if __name__ == "__main__":` block, and function
// declarations (signatures from annotations); then each body is lowered by FunctionLowerer.
#include "frontend-py/ConstantFolder.h"
#include "frontend-py/FunctionLowerer.h"
#include "frontend-py/Sema.h"
#include "frontend-py/SourceLines.h"

namespace pyvc::frontend {

namespace {

const char *const MathNames[] = {"sqrt", "exp",   "log",   "log2", "log10", "sin", "cos",   "tan",      "atan2", "fabs",
                                 "floor", "ceil", "pow", "hypot", "isnan", "isinf", "isfinite", "pi", "e", "inf", "nan", "tau"};

bool isMainGuard(const AstStmt *statement) {
  if (statement->kind != AstStmtKind::If || !statement->test || statement->test->kind != AstExprKind::Compare)
    return false;
  const AstExpr *test = statement->test;
  if (test->compareOps.size() != 1 || test->compareOps[0] != "==")
    return false;
  auto isName = [](const AstExpr *e) { return e->kind == AstExprKind::Name && e->text == "__name__"; };
  auto isMain = [](const AstExpr *e) { return e->kind == AstExprKind::String && e->text == "__main__"; };
  return (isName(test->children[0]) && isMain(test->children[1])) || (isMain(test->children[0]) && isName(test->children[1]));
}

std::string describeStatement(const AstStmt *statement) {
  switch (statement->kind) {
  case AstStmtKind::If: return "an `if` statement";
  case AstStmtKind::While: return "a `while` loop";
  case AstStmtKind::For: return "a `for` loop";
  case AstStmtKind::Return: return "`return`";
  case AstStmtKind::Break: return "`break`";
  case AstStmtKind::Continue: return "`continue`";
  case AstStmtKind::AugAssign: return "an augmented assignment";
  case AstStmtKind::ExprStmt: return "an expression statement";
  case AstStmtKind::Assign: return "this assignment";
  default: return "this statement";
  }
}

class ModuleAnalysis {
public:
  ModuleAnalysis(ir::Module &module, DiagnosticEngine &diags)
      : scope_{module, diags, {}, {}, {}, {}, {}, {}, {}, {}, {}} {}

  void run(const AstModule &ast) {
    for (const AstStmt *statement : ast.body)
      declareTopLevel(statement);
    scope_.mayReturnParameterList.assign(scope_.module.functions.size(), false);
    for (uint32_t index = 0; index < scope_.module.functions.size(); ++index)
      FunctionLowerer(scope_, index).run();
    checkNamedListArguments();
  }

private:
  // E0329, once every body is lowered: whether a function may return a parameter list depends
  // only on its own body (a call's result is never taken as a parameter alias), so one pass
  // over the collected calls suffices, whatever the order of definitions or any recursion.
  // Diagnostics are sorted by position afterwards (buildIR), so these land in source order.
  void checkNamedListArguments() {
    if (scope_.namedListArguments.empty())
      return;
    SourceLines lines(scope_.module.sourceText);
    for (const ModuleScope::NamedListArgument &call : scope_.namedListArguments) {
      if (!scope_.mayReturnParameterList[call.callee])
        continue;
      const AstExpr *argument = call.call->children[call.argumentIndex];
      std::string text = lines.spanText(argument->span);
      if (text.empty())
        text = argument->kind == AstExprKind::Name ? argument->text : "...";
      scope_.diags.report(DiagnosticKind::ArgumentMayBeReturned, argument->span,
                          {scope_.module.functions[call.callee].name, text, suggestedCall(lines, call, text)});
    }
  }

  // The call as it should be written, copying just the named argument: `f(a, zs[:])`; the copy
  // alone when some argument spreads over several lines.
  std::string suggestedCall(const SourceLines &lines, const ModuleScope::NamedListArgument &call,
                            const std::string &argument) const {
    const AstExpr *named = call.call->children[call.argumentIndex];
    std::string copy = named->kind == AstExprKind::Name ? argument + "[:]" : "(" + argument + ")[:]";
    std::string suggestion = scope_.module.functions[call.callee].name + "(";
    for (size_t i = 1; i < call.call->children.size(); ++i) {
      std::string text = i == call.argumentIndex ? copy : lines.spanText(call.call->children[i]->span);
      if (text.empty())
        return copy;
      suggestion += (i > 1 ? ", " : "") + text;
    }
    return suggestion + ")";
  }

  void declareTopLevel(const AstStmt *statement) {
    switch (statement->kind) {
    case AstStmtKind::FunctionDef: return declareFunction(statement);
    case AstStmtKind::Import: return declareImport(statement);
    case AstStmtKind::ImportFrom: return declareImportFrom(statement);
    case AstStmtKind::Pass: return;
    case AstStmtKind::Unsupported: return;
    case AstStmtKind::ExprStmt:
      // Strings at module level (the docstring, or section comments written as strings) and
      // `...` do nothing.
      if (statement->value->kind == AstExprKind::String || statement->value->kind == AstExprKind::Ellipsis)
        return;
      break;
    case AstStmtKind::Assign:
      if (statement->targets.size() == 1 && statement->targets[0]->kind == AstExprKind::Name)
        return declareConstant(statement->targets[0], statement->value, nullptr);
      break;
    case AstStmtKind::AnnAssign:
      if (statement->targets[0]->kind == AstExprKind::Name && statement->value)
        return declareConstant(statement->targets[0], statement->value, statement->annotation);
      break;
    case AstStmtKind::If:
      if (isMainGuard(statement)) {
        scope_.diags.report(DiagnosticKind::MainBlockIgnored, statement->span);
        return;
      }
      break;
    default: break;
    }
    scope_.diags.report(DiagnosticKind::ModuleLevelStatement, statement->span, {describeStatement(statement)});
  }

  void declareImport(const AstStmt *statement) {
    for (const AstImportName &name : statement->names) {
      const std::string &bound = name.asName.empty() ? name.name : name.asName;
      if (name.name == "math")
        scope_.mathModuleNames.insert(bound);
      else if (name.name == "typing")
        scope_.typingModuleNames.insert(bound);
      else
        scope_.diags.report(DiagnosticKind::UnsupportedImport, name.span, {name.name});
    }
  }

  void declareImportFrom(const AstStmt *statement) {
    if (statement->name == "__future__")
      return; // `from __future__ import annotations` changes nothing for kernels
    if (statement->name != "math" && statement->name != "typing") {
      scope_.diags.report(DiagnosticKind::UnsupportedImport, statement->span, {statement->name});
      return;
    }
    for (const AstImportName &name : statement->names) {
      const std::string &bound = name.asName.empty() ? name.name : name.asName;
      if (statement->name == "typing") {
        if (name.name == "List" || name.name == "Tuple")
          scope_.typingImports.insert(bound);
        else
          scope_.diags.report(DiagnosticKind::UnsupportedImport, name.span, {"typing." + name.name});
        continue;
      }
      if (name.name == "*") {
        for (const char *mathName : MathNames)
          scope_.mathImports[mathName] = mathName;
        continue;
      }
      double ignored;
      if (isMathFunction(name.name) || lookupMathConstant(name.name, ignored))
        scope_.mathImports[bound] = name.name;
      else
        scope_.diags.report(DiagnosticKind::UnknownMathName, name.span, {name.name});
    }
  }

  // NAME = constant expression (folded now: later constants may use earlier ones).
  void declareConstant(const AstExpr *target, const AstExpr *value, const AstExpr *annotation) {
    if (annotation) {
      ir::Type declared;
      if (!resolveAnnotation(annotation, scope_, false, declared, &scope_.diags))
        return;
      if (!declared.isScalar()) {
        scope_.diags.report(DiagnosticKind::InvalidConstant, annotation->span, {target->text, "not a number or bool"});
        return;
      }
    }
    ConstantValue folded;
    if (!foldConstant(target->text, value, scope_, folded))
      return;
    // The annotation documents the type; the value keeps the type it has in CPython
    // (`RATE: float = 1` is the int 1 at run time).
    scope_.constants[target->text] = folded;
  }

  void declareFunction(const AstStmt *statement) {
    auto existing = scope_.functionIndex.find(statement->name);
    if (existing != scope_.functionIndex.end()) {
      Diagnostic diagnostic = makeDiagnostic(DiagnosticKind::FunctionRedefined, statement->span, {statement->name});
      diagnostic.secondary.push_back({scope_.module.functions[existing->second].span, "first defined here"});
      scope_.diags.report(std::move(diagnostic));
      return;
    }
    ir::Function function;
    function.name = statement->name;
    function.span = statement->span;
    for (const AstParameter &parameter : statement->parameters)
      declareParameter(function, parameter);
    if (!statement->returns) {
      scope_.diags.report(DiagnosticKind::MissingAnnotation, statement->span, {"the return type of `" + statement->name + "`"});
      function.returnType = ir::Type::floating();
    } else if (!resolveAnnotation(statement->returns, scope_, true, function.returnType, &scope_.diags)) {
      function.returnType = ir::Type::floating();
    }
    scope_.functionIndex[function.name] = static_cast<uint32_t>(scope_.module.functions.size());
    scope_.module.functions.push_back(std::move(function));
    scope_.functionDefinitions.push_back(statement);
  }

  bool declareParameter(ir::Function &function, const AstParameter &parameter) {
    if (parameter.star == "/" || parameter.star == "*" || parameter.star == "**") {
      std::string what = parameter.star == "/"   ? "the positional-only marker (`/`)"
                         : parameter.star == "**" ? "a `**kwargs` parameter"
                         : parameter.name.empty() ? "the keyword-only marker (`*`)"
                                                  : "an `*args` parameter";
      scope_.diags.report(DiagnosticKind::UnsupportedParameter, parameter.span, {what, "unsupported parameter"});
      return false;
    }
    if (parameter.defaultValue)
      scope_.diags.report(DiagnosticKind::UnsupportedParameter, parameter.defaultValue->span,
                          {"a default parameter value", "default value"});
    for (ir::LocalId id : function.parameters)
      if (function.locals[id].name == parameter.name) {
        scope_.diags.report(DiagnosticKind::FunctionRedefined, parameter.span, {parameter.name});
        return false;
      }
    ir::Local local;
    local.name = parameter.name;
    local.isParameter = true;
    local.span = parameter.span;
    if (!parameter.annotation) {
      scope_.diags.report(DiagnosticKind::MissingAnnotation, parameter.span, {"parameter `" + parameter.name + "`"});
      local.type = ir::Type::floating();
    } else if (!resolveAnnotation(parameter.annotation, scope_, false, local.type, &scope_.diags)) {
      local.type = ir::Type::floating();
    }
    function.parameters.push_back(static_cast<ir::LocalId>(function.locals.size()));
    function.locals.push_back(local);
    return true;
  }

  ModuleScope scope_;
};

} // namespace

std::unique_ptr<ir::Module> analyzeModule(const AstModule &ast, const std::string &path, const std::string &text,
                                          DiagnosticEngine &diags) {
  auto module = std::make_unique<ir::Module>();
  module->sourcePath = path;
  module->sourceText = text;
  ModuleAnalysis(*module, diags).run(ast);
  return module;
}

} // namespace pyvc::frontend
