// What semantic analysis knows about a module while it lowers function bodies: the names bound
// at module level (imports of math, constants, functions) and where each was declared.
#pragma once

#include "frontend-py/Ast.h"
#include "frontend-py/Diagnostics.h"
#include "ir/IR.h"

#include <map>
#include <set>
#include <string>

namespace pyvc::frontend {

// A folded module constant: a bool, int or float value.
struct ConstantValue {
  ir::Type type = ir::Type::none();
  int64_t intValue = 0; // Bool and Int
  double floatValue = 0.0;
};

struct ModuleScope {
  ir::Module &module;
  DiagnosticEngine &diags;
  std::set<std::string> mathModuleNames;           // `import math` / `import math as m`
  std::set<std::string> typingModuleNames;         // `import typing`
  std::map<std::string, std::string> mathImports;  // `from math import sqrt as root`: root -> sqrt
  std::set<std::string> typingImports;             // `from typing import List`: List
  std::map<std::string, ConstantValue> constants;  // module constants, folded
  std::map<std::string, uint32_t> functionIndex;   // function name -> index in module.functions
  std::vector<const AstStmt *> functionDefinitions; // parallel to module.functions

  // A call returns a copy of a list its callee returns from a parameter, so a callee that may
  // return its list argument must not be given one the caller can still see under a name
  // (E0329). A call may come before its callee's body is lowered, so calls passing a named list
  // are collected here and checked once every function's fact is known (ModuleAnalysis).
  struct NamedListArgument {
    uint32_t callee;
    const AstExpr *call;  // the call expression (children[0] is the callee's name)
    size_t argumentIndex; // in call->children
  };
  std::vector<bool> mayReturnParameterList; // parallel to module.functions
  std::vector<NamedListArgument> namedListArguments;
};

// The math functions kernels may call and the constants they may read.
bool isMathFunction(const std::string &name);
bool lookupMathConstant(const std::string &name, double &value);

// Python builtins that kernels do not support (reported by name rather than as unknown names).
bool isUnsupportedBuiltin(const std::string &name);
// The builtins kernels may call (LowerCalls.cpp lowers each).
bool isSupportedBuiltin(const std::string &name);

// Resolves a type annotation to an IR type; reports E0302 and returns false when unsupported.
// Tuples are accepted only when `allowTuple` (return annotations).
bool resolveAnnotation(const AstExpr *annotation, const ModuleScope &scope, bool allowTuple, ir::Type &type,
                       DiagnosticEngine *diags);

// Renders an annotation expression back to source-like text for messages.
std::string annotationText(const AstExpr *annotation);

} // namespace pyvc::frontend
