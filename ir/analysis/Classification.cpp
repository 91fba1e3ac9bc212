// Scalar vs Kernel: a function is a kernel as soon as a list type shows up in its signature, its
// locals or any value it computes (a comprehension over range() building a temporary list counts).
#include "ir/analysis/Classification.h"

#include "ir/Visit.h"

namespace pyvc::ir {

Classification classifyFunction(const Function &function) {
  if (function.returnType.isList())
    return Classification::Kernel;
  for (const Local &local : function.locals)
    if (local.type.isList())
      return Classification::Kernel;
  bool seesList = false;
  walkBlock(
      function.body, [](const Stmt &) {},
      [&](const Expr &expr) {
        // Any list value counts, even a temporary such as the list literal in sum([a, b]).
        if (expr.type.isList())
          seesList = true;
      });
  return seesList ? Classification::Kernel : Classification::Scalar;
}

void classifyFunctions(Module &module) {
  for (Function &function : module.functions)
    function.classification = classifyFunction(function);
}

bool hasBatchVariant(const Function &function) {
  for (LocalId parameter : function.parameters)
    if (parameter >= function.locals.size() || !function.locals[parameter].type.isScalar())
      return false;
  return function.returnType.isScalar() || function.returnType.isTuple();
}

} // namespace pyvc::ir
