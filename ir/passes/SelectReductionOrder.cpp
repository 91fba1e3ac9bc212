// Pass: Float Sum comprehensions take the fixed lane order unless strict FP is asked for.
#include "ir/passes/SelectReductionOrder.h"

#include "ir/Visit.h"

namespace pyvc::ir {

void selectReductionOrder(Module &module, bool strictFp) {
  for (Function &function : module.functions)
    walkBlock(
        function.body, [](Stmt &) {},
        [&](Expr &expr) {
          auto *comprehension = expr.as<ComprehensionExpr>();
          if (!comprehension || comprehension->comprehensionKind != ComprehensionKind::Sum)
            return;
          comprehension->order = comprehension->type.isFloat() && !strictFp
                                     ? ReductionOrder::FixedLanes
                                     : ReductionOrder::Sequential;
        });
}

} // namespace pyvc::ir
